"""Render the main window to a PNG without a screen, for the README and for reviews."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from ..store.models import User


def render_main_window(user: User, tab: str, out: Path, size: tuple[int, int],
                       day: dt.date | None = None) -> None:
    from PySide6.QtWidgets import QApplication

    if QApplication.instance() is None:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    app = QApplication.instance() or QApplication([])

    from .main_window import MainWindow

    window = MainWindow(user, remember=False)
    window.resize(*size)
    window.show_tab(tab)
    if day is not None:
        window.schedule.set_day(day)
    window.show()
    app.processEvents()
    if not window.grab().save(str(out)):
        raise OSError(f"could not write {out}")
    window.close()
