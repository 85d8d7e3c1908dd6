"""A length limit for every one-line text field: a field that sets none of its own gets
DEFAULT_MAX_LENGTH when it is first shown (the services still check every length they care
about and say so in words; this keeps a pasted novel out of a name box)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QLineEdit

DEFAULT_MAX_LENGTH = 200
QT_UNLIMITED = 32767  # QLineEdit's own default


class TextLimits(QObject):
    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        if (event.type() == QEvent.Type.Polish and isinstance(watched, QLineEdit)
                and watched.maxLength() == QT_UNLIMITED):
            watched.setMaxLength(DEFAULT_MAX_LENGTH)
        return False


_installed: TextLimits | None = None


def install_text_limits(app: QApplication) -> TextLimits:
    """Once per application."""
    global _installed
    if _installed is None:
        _installed = TextLimits(app)
        app.installEventFilter(_installed)
    return _installed
