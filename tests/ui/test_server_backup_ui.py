"""Backups of a clinic on a PostgreSQL server, from the window: the day's backup taken by
itself (by one PC of several: tests/services/platform/test_pg_backup.py races two), and an
admin's restore of a server backup into a NEW database on the same server, counted and checked,
then this PC switched to it."""

from __future__ import annotations

import datetime as dt
import glob
import json
import os
import shutil
import uuid

import psycopg
import pytest

from medspa_desktop import paths
from medspa_desktop.services.exchange.copy_clinic import copy_clinic
from medspa_desktop.services.platform import backup
from medspa_desktop.store.database import close_database, db
from medspa_desktop.store.models import ALL_MODELS, User
from medspa_desktop.ui.backup_dialogs import ServerRestoreDialog
from medspa_desktop.ui.main_window import MainWindow
from tests.conftest import PASSWORD, shots
from tests.ui.modal import answer_next_modal


@pytest.fixture
def server_clinic(demo_template, pg_server, tmp_path, monkeypatch):
    """The demo clinic moved to the server, open, with this PC's own data folder."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "pc-data"))
    clinic_file = tmp_path / "clinic.db"
    shutil.copy(demo_template, clinic_file)
    name = pg_server.create_database(f"medspa_{uuid.uuid4().hex[:12]}")
    copy_clinic(clinic_file, pg_server.url(name))
    yield name
    close_database()


def _counts(pg_server, database: str) -> dict[str, int]:
    with psycopg.connect(host=str(pg_server.socket_dir), port=pg_server.port or 5432,
                         user=pg_server.user, dbname=database) as con:
        return {m._meta.table_name: con.execute(
            f'SELECT COUNT(*) FROM "{m._meta.table_name}"').fetchone()[0] for m in ALL_MODELS}


def test_a_server_clinic_backs_up_daily_and_an_admin_restores_into_a_new_database(
        qtbot, server_clinic, pg_server, tmp_path):
    admin = User.get(User.role == "admin")
    window = MainWindow(admin, remember=False, auto_backup=True)
    qtbot.addWidget(window)
    window.show()
    # the day's backup, by itself, into this PC's folder for server backups
    folder = paths.data_dir() / "server-backups"
    qtbot.waitUntil(lambda: len(backup.list_backups(folder)) == 1, timeout=60000)
    qtbot.waitUntil(lambda: window.backup_label.text().startswith("Backed up"), timeout=10000)
    (taken,) = backup.list_backups(folder)
    assert '"reason": "daily"' in (taken.path / "manifest.json").read_text()
    window.backup_if_due()  # asked again the same day: nothing more
    assert window._backup_task is None and len(backup.list_backups(folder)) == 1
    original = _counts(pg_server, server_clinic)
    assert window.restore_action.isEnabled()

    new_name = f"restored_{uuid.uuid4().hex[:8]}"
    seen = {}

    def restore(dialog: ServerRestoreDialog) -> None:
        seen["rows"] = dialog.model.rowCount()
        dialog.name.setText(server_clinic)  # the live one: refused in words
        dialog.restore_button.click()
        qtbot.waitUntil(lambda: dialog.message.isVisible(), timeout=30000)
        seen["refused"] = dialog.message.text()
        dialog.name.setText(new_name)
        dialog.restore_button.click()
        qtbot.waitUntil(lambda: dialog.use_button.isVisible() or dialog.message.isVisible(),
                        timeout=180000)
        seen["message"] = dialog.message.text() if dialog.message.isVisible() else ""
        seen["result"] = dialog.result.text()
        dialog.resize(760, 560)
        dialog.grab().save(str(shots() / "server_restore_done.png"))
        dialog.use_button.click()

    answer_next_modal(restore)
    window.restore_action.trigger()
    assert seen["rows"] == 1
    assert "NEW database, never over the clinic's" in seen["refused"]
    assert seen["message"] == ""
    result = seen["result"]
    assert result.startswith("Restored and checked: ") and new_name in result
    assert "as many in every table as the backup holds" in result
    assert "File → Connect to the clinic's server… and types " + new_name in result
    # the restored database holds every row of the clinic as backed up (+ its restore event):
    # the counts the dump was taken with, and the live clinic's patients, visits and bills
    restored = _counts(pg_server, new_name)
    dumped = json.loads((taken.path / "manifest.json").read_text())["counts"]
    assert restored == {**dumped, "audit_event": dumped["audit_event"] + 1}
    for table in ("patient", "appointment", "invoice", "payment", "note"):
        assert restored[table] == original[table] > 0, table
    # the live clinic is untouched but for the record of the restore
    assert db.obj.database == server_clinic
    # this PC now uses the restored database (its address kept for this PC only)
    assert window.signed_out and window.switch_to is not None
    assert window.switch_to.split("?")[0].endswith("/" + new_name)
    assert json.loads(paths.server_file().read_text())["url"] == window.switch_to


def test_the_server_restore_dialog_lists_only_server_backups(qtbot, server_clinic, tmp_path):
    admin = User.get(User.role == "admin")
    backup.create_backup(admin, tmp_path / "usb", now=dt.datetime(2026, 11, 23, 18, 0))
    (tmp_path / "usb" / "medspa-20261122-180000").mkdir()  # not a backup: not listed
    dialog = ServerRestoreDialog(admin)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.show_folder(tmp_path / "usb")
    assert dialog.model.rowCount() == 1 and dialog.restore_button.isEnabled()
    assert dialog.name.text().startswith(f"{server_clinic}_restored_")
    dialog.grab().save(str(shots() / "server_restore_pick.png"))


def test_a_failed_daily_backup_on_a_server_is_said_and_tried_again_later(
        qtbot, pg_database, tmp_path, monkeypatch):
    """A clinic just set up on a server: the day's backup fails on this PC (no pg_dump here),
    said in the status bar where a clinic file's failure is said; this PC does not retry at
    once, and takes it once it can."""
    from medspa_desktop.services.clinic import clinic
    from medspa_desktop.services.platform import auth, pg_backup

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "pc-data"))
    admin = clinic.create_clinic(
        clinic.ClinicInfo("Server Clinic", "1 Main St", "555 010 0100", "12-3456789"),
        auth.UserInput("admin", "Ada Admin", "admin", PASSWORD))
    path = os.environ["PATH"]
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr(pg_backup.glob, "glob", lambda _pattern: [])
    window = MainWindow(admin, remember=False, auto_backup=True)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window._backup_failed_at is not None, timeout=30000)
    said = window.statusBar().currentMessage()
    assert said.startswith("The daily backup failed: The PostgreSQL program pg_dump is not "
                           "installed on this computer")
    assert window.backup_label.text() == "⚠ Never backed up — File → Back up now"
    window.backup_if_due()  # asked again within the hour: not tried
    assert window._backup_task is None
    folder = paths.data_dir() / "server-backups"
    assert backup.list_backups(folder) == []
    monkeypatch.setenv("PATH", path)
    monkeypatch.setattr(pg_backup.glob, "glob", glob.glob)
    window._backup_failed_at -= 3600  # an hour later
    window.backup_if_due()
    qtbot.waitUntil(lambda: window.backup_label.text().startswith("Backed up"), timeout=60000)
    assert len(backup.list_backups(folder)) == 1
