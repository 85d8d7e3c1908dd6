"""How errors reach the person at the keyboard.

A ``DomainError`` is an expected refusal: its message is shown as it is. Anything else is a bug:
it is written with its traceback to the rotating log, and a dialog says where that log is.
"""

from __future__ import annotations

import sys
import traceback
from pathlib import Path

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from ..logs import log
from ..services.platform import remote
from ..services.platform.errors import DomainError
from .bus import bus

_log_path: Path | None = None


def show_refusal(parent: QWidget | None, error: DomainError, title: str = "Not done") -> None:
    QMessageBox.warning(parent, title, str(error))


def unexpected_error_text(log_path: Path | None = None) -> str:
    log_path = log_path or _log_path
    where = f"\n\nThe details were written to:\n{log_path}" if log_path else ""
    return ("Something went wrong that MedSpa Desktop did not expect. Nothing you had saved "
            f"was lost; what you were doing may not have finished.{where}")


def _excepthook(exc_type, exc, tb) -> None:
    if isinstance(exc, DomainError):
        show_refusal(QApplication.activeWindow(), exc)
        return
    if remote.server_lost(exc):  # a screen read while the server is gone: the window's
        # banner says so, once, instead of a dialog per click
        log.warning("A read failed, the clinic's server is gone: %s", exc)
        remote.drop_connection()
        bus().server_unreachable()
        return
    log.error("Unexpected error:\n%s", "".join(traceback.format_exception(exc_type, exc, tb)))
    if QApplication.instance() is not None:
        QMessageBox.critical(QApplication.activeWindow(), "Unexpected error",
                             unexpected_error_text(_log_path))


def install_excepthook(log_path: Path) -> None:
    global _log_path
    _log_path = log_path
    sys.excepthook = _excepthook
