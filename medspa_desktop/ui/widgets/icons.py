"""The program's icons: simple SVGs drawn for this project in resources/icons/ (in the
palette of ui/style.py), loaded by name."""

from __future__ import annotations

from PySide6.QtGui import QIcon

from ...paths import resource

# what each main action shows, by the file's name in resources/icons/
NAMES = ("new-appointment", "check-in", "check-out", "new-patient", "print", "save-pdf",
         "backup", "help")


def icon(name: str) -> QIcon:
    return QIcon(str(resource("icons", f"{name}.svg")))
