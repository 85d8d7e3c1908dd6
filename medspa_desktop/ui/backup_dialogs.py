"""Backups on screen: "Back up now" with progress, the restore dialog (an admin picks a checked
backup; the database it replaces is kept aside), and the status text that reminds the desk
when the last good backup is more than a day old."""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..services.platform import backup
from ..services.platform.backup import BackupResult, BackupState
from ..services.platform.errors import DomainError
from ..store.database import open_in_another_program
from ..store.models import User
from .help import whats_this
from .models import Column, RowTableModel
from .widgets.messages import ErrorLabel
from .widgets.table import fit_columns, make_table


def backup_status(state: BackupState, now: dt.datetime) -> tuple[str, bool]:
    """(what the status bar says, whether it is a warning)."""
    if state.last_ok is None:
        return "⚠ Never backed up — File → Back up now", True
    age = now - state.last_ok
    when = f"{state.last_ok:%H:%M}" if state.last_ok.date() == now.date() \
        else f"{state.last_ok:%d %b %Y %H:%M}"
    if state.due(now):
        days = age.days
        return f"⚠ Last backup {days} day{'s' if days != 1 else ''} ago ({when})", True
    return f"Backed up {when}", False


def back_up_with_progress(parent: QWidget | None, user: User | None,
                          reason: str = "manual") -> BackupResult | None:
    """Back up now, showing progress (the window stays drawn); the result, or None after
    telling the user why it failed."""
    dialog = QProgressDialog("Backing up the clinic's data…", "", 0, 100, parent)
    dialog.setWindowTitle("Backup")
    dialog.setCancelButton(None)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(0)
    dialog.setValue(0)

    def step(done: int, total: int) -> None:
        dialog.setValue(100 * done // max(total, 1))
        QApplication.processEvents()

    try:
        return backup.create_backup(user, progress=step, reason=reason)
    except DomainError as exc:
        QMessageBox.warning(parent, "Backup", f"{exc}\n\nNothing in the clinic's database was "
                            "lost; only this backup was not made.")
        return None
    finally:
        dialog.close()
        dialog.deleteLater()


BACKUP_COLUMNS = (
    Column("Taken", lambda b: f"{b.taken_at:%a %d %b %Y %H:%M}"),
    Column("Size", lambda b: f"{b.size / 1_000_000:,.1f} MB", align_right=True),
    Column("Photos", lambda b: b.photos, align_right=True),
    Column("Schema", lambda b: b.schema_version, align_right=True),
    Column("Folder", lambda b: b.path.name),
)


class RestoreDialog(QDialog):
    """Pick a backup to put in place of the clinic's database; it is checked first."""

    def __init__(self, user: User, parent=None) -> None:
        super().__init__(parent)
        self.user = user
        self.chosen: Path | None = None
        self.setWindowTitle("Restore from a backup")
        self.resize(720, 420)
        self.folder = backup.backup_folder()
        self.where = QLabel()
        self.where.setTextFormat(Qt.TextFormat.RichText)
        other = QPushButton("Other folder…")
        other.clicked.connect(self.choose_folder)
        self.model = RowTableModel(BACKUP_COLUMNS, parent=self)
        self.table = make_table(self.model, "Backups")
        self.table.activated.connect(lambda _i: self.restore())
        self.message = ErrorLabel()
        self.restore_button = QPushButton("&Restore…")
        self.restore_button.clicked.connect(lambda: self.restore())
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(self.reject)
        top = QHBoxLayout()
        top.addWidget(self.where, 1)
        top.addWidget(other)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(cancel)
        bottom.addWidget(self.restore_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(QLabel("The database in use now is kept beside the restored one, and "
                                "everyone is signed out."))
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addLayout(bottom)
        self.show_folder(self.folder)
        whats_this.explain_restore(self)

    def show_folder(self, folder: Path) -> None:
        self.folder = folder
        found = backup.list_backups(folder)
        self.where.setText(f"Backups in <b>{html.escape(str(folder))}</b>: {len(found)}")
        self.model.set_rows(found)
        fit_columns(self.table)
        if found:
            self.table.selectRow(0)
        self.restore_button.setEnabled(bool(found))

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder with backups", str(self.folder))
        if folder:
            self.show_folder(Path(folder))

    def restore(self, confirm: bool = True) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        chosen = self.model.row_at(rows[0].row())
        problems = backup.verify_backup(chosen.path)
        if problems:
            self.message.say("This backup did not pass its check, so it cannot be restored: "
                             + "; ".join(problems[:3]))
            return
        if open_in_another_program():  # replacing it would send what that saves next aside
            self.message.say("The clinic's file is open in another MedSpa Desktop (on another "
                             "computer, or a backup or check is running on it). Close it "
                             "there, then restore.")
            return
        if confirm and QMessageBox.question(
                self, "Restore", f"Replace the clinic's database with the backup taken "
                f"{chosen.taken_at:%a %d %b %Y at %H:%M}? Anything written since then will "
                "not be in it (the database in use now is kept aside).") \
                != QMessageBox.StandardButton.Yes:
            return
        self.chosen = chosen.path
        self.accept()
