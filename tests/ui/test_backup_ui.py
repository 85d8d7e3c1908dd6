"""Backups from the window: the reminder in the status bar, Back up now, the day's first
backup in the background, one on quitting after a change, and an admin's restore."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

from medspa_desktop.services.charts import patients
from medspa_desktop.services.platform import backup
from medspa_desktop.store.models import Patient
from medspa_desktop.ui.backup_dialogs import RestoreDialog
from medspa_desktop.ui.main_window import MainWindow
from tests.conftest import staff
from tests.ui.modal import answer_next_modal


def _window(qtbot, who: str, **kwargs) -> MainWindow:
    window = MainWindow(staff(who), remember=False, **kwargs)
    qtbot.addWidget(window)
    window.show()
    return window


def test_back_up_now_clears_the_reminder(qtbot, demo_db):
    window = _window(qtbot, "frontdesk")
    assert window.backup_label.text() == "⚠ Never backed up — File → Back up now"
    window.backup_action.trigger()
    (taken,) = backup.list_backups(demo_db.parent / "backups")
    assert backup.verify_backup(taken.path) == []
    assert window.backup_label.text() == f"Backed up {taken.taken_at:%H:%M}"
    assert not window.restore_action.isEnabled()  # the front desk cannot restore


def test_the_days_first_backup_runs_by_itself_and_quitting_after_a_change_backs_up(
        qtbot, demo_db):
    window = _window(qtbot, "frontdesk", auto_backup=True)
    folder = demo_db.parent / "backups"
    qtbot.waitUntil(lambda: len(backup.list_backups(folder)) == 1, timeout=20000)
    qtbot.waitUntil(lambda: window.backup_label.text().startswith("Backed up"))
    window.close()  # nothing changed since: no second backup
    assert len(backup.list_backups(folder)) == 1
    window = _window(qtbot, "frontdesk", auto_backup=True)
    patients.create_patient(staff("frontdesk"), patients.PatientInput(
        "Quit", "Tester", dt.date(1990, 1, 1)))
    window.close()
    newest = backup.list_backups(folder)[0]  # the day's one, replaced by the newer
    assert newest.taken_at > dt.datetime.now() - dt.timedelta(minutes=1)
    assert '"reason": "on closing"' in (newest.path / "manifest.json").read_text()


def test_an_admin_restores_a_backup_and_everyone_signs_in_again(qtbot, demo_db):
    window = _window(qtbot, "admin")
    window.backup_action.trigger()
    later = patients.create_patient(staff("admin"), patients.PatientInput(
        "After", "Backup", dt.date(1990, 1, 1)))
    told = []

    def pick(dialog: RestoreDialog):
        assert dialog.model.rowCount() == 1
        answer_next_modal(lambda box: (told.append(box.text()), box.accept()))
        dialog.restore(confirm=False)

    answer_next_modal(pick)
    window.restore_action.trigger()
    assert window.signed_out
    assert "is in place" in told[0] and "demo.db.replaced-" in told[0]
    assert Patient.get_or_none(Patient.id == later.id) is None
    assert list(demo_db.parent.glob("demo.db.replaced-*"))


def test_a_restore_is_refused_while_another_program_has_the_file_open(qtbot, demo_db):
    """Replacing the file under another program (a window on another PC over a shared folder,
    a backup from the command line) would send what it saves next to the file moved aside:
    the restore dialog says so and nothing is replaced until that program closes."""
    window = _window(qtbot, "admin")
    window.backup_action.trigger()
    other = subprocess.Popen(
        [sys.executable, "-c", "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
         "c.execute('select count(*) from patient').fetchone(); print('OPEN', flush=True); "
         "sys.stdin.read()", str(demo_db)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert other.stdout.readline() == "OPEN\n"
        dialog = RestoreDialog(staff("admin"), window)
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.table.selectRow(0)
        dialog.restore(confirm=False)
        assert dialog.chosen is None and dialog.message.isVisible()
        assert "open in another MedSpa Desktop" in dialog.message.text()
        assert not list(demo_db.parent.glob("demo.db.replaced-*"))
        assert Patient.select().count() > 0  # this window's connection still works
    finally:
        other.communicate("")
    dialog.restore(confirm=False)
    assert dialog.chosen is not None
