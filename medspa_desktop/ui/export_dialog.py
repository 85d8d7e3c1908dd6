"""File → Export clinic data…: the whole clinic to a folder the admin chooses, in the
background, with progress and a Cancel that leaves nothing (``services/exchange``)."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog, QWidget

from ..services.exchange import export_clinic
from ..services.exchange.export_clinic import ExportCancelled, ExportResult
from ..services.platform.errors import DomainError
from ..store.models import User
from .ops import background_op, refuse

TITLE = "Export clinic data"


def choose_and_export(parent: QWidget, user: User, clinic_name: str) -> ClinicExport | None:
    """Ask for the folder to put the export in, then export into a new folder inside it."""
    folder = QFileDialog.getExistingDirectory(
        parent, "Export the clinic's data into which folder?", str(Path.home()))
    if not folder:
        return None
    target = Path(folder) / export_clinic.folder_name(clinic_name, dt.datetime.now())
    return ClinicExport(parent, user, target)


class ClinicExport(QObject):
    """One export running in the background: a progress dialog with Cancel, then a message
    saying where it went and what it holds (or that nothing was written)."""

    def __init__(self, parent: QWidget, user: User, target: Path) -> None:
        super().__init__(parent)
        self.parent_widget = parent
        self.target = target
        self.result: ExportResult | None = None
        self.finished = False
        self._stop = threading.Event()
        self.progress = QProgressDialog("Exporting the clinic's data…", "Cancel", 0, 0, parent)
        self.progress.setWindowTitle(TITLE)
        self.progress.setWindowModality(Qt.WindowModality.WindowModal)
        self.progress.setMinimumDuration(0)
        self.progress.setAutoClose(False)
        self.progress.setAutoReset(False)
        self.progress.setMinimumWidth(420)
        self.progress.canceled.connect(self.cancel)
        self.progress.show()
        self.task = background_op(
            parent,
            lambda say: export_clinic.export_clinic(user, target, progress=say,
                                                    cancelled=self._stop.is_set),
            on_success=self._done, on_failure=self._failed, on_progress=self._step)

    def cancel(self) -> None:
        if self.finished:  # closing the dialog at the end says "canceled" too
            return
        self._stop.set()
        self.progress.setLabelText("Cancelling: removing what was written…")

    def _step(self, text: str) -> None:
        if not self._stop.is_set():
            self.progress.setLabelText(text)

    def _close_progress(self) -> None:
        self.finished = True
        self.progress.close()
        self.progress.deleteLater()

    def _done(self, result: ExportResult) -> None:
        self._close_progress()
        self.result = result
        problems = ("\n\nNot exported:\n" + "\n".join(result.problems[:10])
                    if result.problems else "")
        QMessageBox.information(
            self.parent_widget, TITLE,
            f"The clinic's data is in\n{result.path}\n\n{result.summary()}.\n\n"
            f"manifest.json lists every file with its SHA-256; fhir/ holds the FHIR R4 "
            f"files, csv/ a spreadsheet per table, files/ the consent documents and photos."
            + problems)

    def _failed(self, exc: Exception) -> None:
        self._close_progress()
        if isinstance(exc, ExportCancelled):
            QMessageBox.information(self.parent_widget, TITLE,
                                    "The export was cancelled; nothing was written.")
        elif isinstance(exc, DomainError):
            refuse(self.parent_widget, exc, title=TITLE)
        else:
            import sys

            sys.excepthook(type(exc), exc, exc.__traceback__)
