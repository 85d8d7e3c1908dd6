"""Backups on screen: "Back up now" with progress, the restore dialog (an admin picks a checked
backup; the database it replaces is kept aside), and the status text that reminds the desk
when the last good backup is more than a day old.

On a PostgreSQL server the restore dialog is ``ServerRestoreDialog``: a checked backup goes
into a NEW database on the same server (the restore runs as the program's ``restore`` command
in a process of its own, counted and checked there), which this PC may then switch to."""

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
from ..store.database import db, open_in_another_program
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


class _BackupFolder(QDialog):
    """A folder's backups listed in a table, the newest chosen, another folder on request (the
    file restore and the server restore list them alike; ``kept`` and ``what`` differ)."""

    what = "Backups"

    def kept(self, found: list) -> list:
        return found

    def show_folder(self, folder: Path) -> None:
        self.folder = folder
        found = self.kept(backup.list_backups(folder))
        self.where.setText(f"{self.what} in <b>{html.escape(str(folder))}</b>: {len(found)}")
        self.model.set_rows(found)
        fit_columns(self.table)
        if found:
            self.table.selectRow(0)
        self.restore_button.setEnabled(bool(found))

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder with backups", str(self.folder))
        if folder:
            self.show_folder(Path(folder))


class RestoreDialog(_BackupFolder):
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


# -- a clinic on a PostgreSQL server: restore into a NEW database ------------------------------
def run_server_restore(source: Path, url: str, password: str) -> str:
    """The program's ``restore`` command in a process of its own (the window stays on the live
    clinic): ``source`` into the empty database at ``url``, then the counts and ``check``.
    What it printed, or BackupError with its reason (or the problems the check found)."""
    import os
    import subprocess

    from .server_dialogs import _program

    env = dict(os.environ)
    env.pop("MEDSPA_DB", None)
    if password:
        env["PGPASSWORD"] = password  # never on the command line
    done = subprocess.run([*_program(), "restore", "--from", str(source), "--db", url],
                          env=env, capture_output=True, text=True, encoding="utf-8",
                          stdin=subprocess.DEVNULL)
    problems = [line.removeprefix("PROBLEM: ") for line in done.stdout.splitlines()
                if line.startswith("PROBLEM: ")]
    if problems:
        raise backup.BackupError("The restored database did not pass its check: "
                                 + "; ".join(problems[:3]))
    if done.returncode != 0:
        errors = [line for line in done.stderr.splitlines() if line.strip()]
        reason = next((e.removeprefix("medspa-desktop: error: ") for e in reversed(errors)
                       if e.startswith("medspa-desktop: error: ")),
                      errors[-1] if errors else "the restore stopped")
        raise backup.BackupError(reason[:1].upper() + reason[1:])
    return done.stdout


class ServerRestoreDialog(_BackupFolder):
    """An admin restores a backup of the clinic's server database into a NEW database on the
    same server (never over the one in use), checked, and may then switch this PC to it."""

    def __init__(self, user: User, parent=None) -> None:
        from PySide6.QtWidgets import QFormLayout, QLineEdit, QProgressBar

        from ..services.platform import pg_backup

        super().__init__(parent)
        self.user = user
        self.task = None
        self.restored_url: str | None = None  # the new database's address, once restored
        self.switch_to: str | None = None  # chosen: this PC uses the restored database
        self.setWindowTitle("Restore a server backup")
        self.resize(760, 520)
        intro = QLabel(
            "Pick a backup of the clinic's server database. It is checked, then restored into "
            "a <b>new</b> database on the same server: the database everyone uses now "
            f"(<b>{html.escape(db.obj.database)}</b>) is not touched. The restored copy is "
            "counted and checked before you can use it.")
        intro.setWordWrap(True)
        self.folder = backup.backup_folder()
        self.where = QLabel()
        self.where.setTextFormat(Qt.TextFormat.RichText)
        self.other_button = QPushButton("Other folder…")
        self.other_button.clicked.connect(self.choose_folder)
        self.model = RowTableModel(BACKUP_COLUMNS, parent=self)
        self.table = make_table(self.model, "Backups")
        self.name = QLineEdit(pg_backup.suggested_name(dt.datetime.now()))
        self.name.setMaxLength(63)
        form = QFormLayout()
        form.addRow("&New database:", self.name)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # busy: pg_restore says nothing until it is done
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.step = QLabel()
        self.result = QLabel()
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message = ErrorLabel()
        self.restore_button = QPushButton("&Restore into the new database")
        self.restore_button.clicked.connect(self.restore)
        self.use_button = QPushButton("&Use it on this PC")
        self.use_button.clicked.connect(self.use)
        self.use_button.hide()
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self.reject)
        top = QHBoxLayout()
        top.addWidget(self.where, 1)
        top.addWidget(self.other_button)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.close_button)
        bottom.addWidget(self.restore_button)
        bottom.addWidget(self.use_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.step)
        layout.addWidget(self.result)
        layout.addWidget(self.message)
        layout.addLayout(bottom)
        self.show_folder(self.folder)
        whats_this.explain_restore(self, server=True)

    what = "Server backups"

    def kept(self, found: list) -> list:
        from ..services.platform import pg_backup

        return [b for b in found if pg_backup.is_server_backup(b.path)]

    def restore(self) -> None:
        from ..services.platform import pg_backup
        from .ops import background_op

        rows = self.table.selectionModel().selectedRows()
        if not rows or self.task is not None:
            return
        chosen = self.model.row_at(rows[0].row())
        name = self.name.text().strip()
        password = pg_backup.server_password()
        user = self.user
        self.message.hide()
        self.result.setText("")
        for widget in (self.table, self.name, self.other_button, self.restore_button,
                       self.close_button):
            widget.setEnabled(False)
        self.progress.show()
        self.step.setText("Checking the backup…")

        def work(say):
            url = pg_backup.create_restore_database(user, chosen.path, name)
            say(f"Restoring into {name} and checking it…")
            return url, run_server_restore(chosen.path, url, password)

        def done(result) -> None:
            self.task = None
            url, printed = result
            self.restored_url = url
            self.progress.hide()
            self.step.setText("")
            self.close_button.setEnabled(True)
            rows_line = next((line for line in printed.splitlines()
                              if line.startswith("rows: ")), "")
            counted = rows_line.removeprefix("rows: ").split(",")[0]
            self.result.setText(
                f"Restored and checked: the backup taken {chosen.taken_at:%a %d %b %Y at %H:%M} "
                f"is now the database {name} on the clinic's server"
                + (f", {int(counted):,} rows, as many in every table as the backup holds"
                   if counted.isdigit() else "")
                + "; the check finds nothing wrong and the audit chain verifies.\n\n"
                f"Nothing changed in {db.obj.database}, the database every PC uses now. To work "
                f"on the restored clinic, press \"Use it on this PC\": this PC signs out and "
                f"opens {name}. Each other PC keeps using {db.obj.database} until someone there "
                f"chooses File → Connect to the clinic's server… and types {name} as the "
                "database.")
            self.use_button.show()
            self.use_button.setDefault(True)
            self.restore_button.hide()

        def failed(exc: Exception) -> None:
            self.task = None
            self.progress.hide()
            self.step.setText("")
            for widget in (self.table, self.name, self.other_button, self.restore_button,
                           self.close_button):
                widget.setEnabled(True)
            self.message.say(f"The backup was not restored. {exc}")

        self.task = background_op(self, work, on_success=done, on_failure=failed,
                                  on_progress=self.step.setText)

    def use(self) -> None:
        """This PC uses the restored database from now on (its address kept for this PC)."""
        from ..services.platform import pg_backup
        from ..store import pc_server

        if self.restored_url is None:
            return
        pc_server.remember(pc_server.with_password(self.restored_url,
                                                   pg_backup.server_password()))
        self.switch_to = self.restored_url
        self.accept()
