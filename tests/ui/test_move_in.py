"""The first run's "Move in from an export…": a new clinic file takes a small clinic's export —
the person sees what it holds before anything is written, chooses the admin who gets a new
password, the import runs in the background with a Cancel that leaves the file empty, and
that admin is signed in. A changed export is refused in plain words."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QPushButton

from medspa_desktop.services.charts import patients, photos
from medspa_desktop.services.clinic import clinic
from medspa_desktop.services.exchange.export_clinic import export_clinic
from medspa_desktop.services.platform import auth
from medspa_desktop.services.platform.errors import AuthError
from medspa_desktop.store.database import close_database, open_database
from medspa_desktop.store.migrations import migrate
from medspa_desktop.store.models import ALL_MODELS, AuditEvent, Patient, Photo, User
from medspa_desktop.ui.first_run import FirstRunDialog
from tests.conftest import PASSWORD, give_consent, shots

PNG = b"\x89PNG\r\n\x1a\n" + b"pretend pixels " * 50


@pytest.fixture
def small_export(admin, tmp_path) -> Path:
    """A small clinic (two staff, three patients, a photo with its consent) exported, and a
    new, empty clinic file open in its place."""
    maya = auth.create_user(admin, auth.UserInput("maya", "Maya Vasquez", "provider",
                                                  PASSWORD))
    made = [patients.create_patient(admin, patients.PatientInput(first, "Moss",
                                                                 dt.date(1985, 3, 1)))
            for first in ("Ada", "Bea", "Cy")]
    give_consent(maya, made[0].id, "photography")
    photos.import_photo(maya, made[0].id, PNG, tag="before", area="Glabella",
                        taken_on=dt.date.today())
    export_clinic(admin, tmp_path / "export")
    close_database()
    (tmp_path / "new").mkdir()
    open_database(tmp_path / "new" / "clinic.db")
    migrate()
    return tmp_path / "export"


def _dialog(qtbot) -> FirstRunDialog:
    dialog = FirstRunDialog("new/clinic.db")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(dialog.move_radio, Qt.MouseButton.LeftButton,
                     pos=QPoint(12, dialog.move_radio.height() // 2))
    assert dialog.move_radio.isChecked() and dialog.ok.text() == "Import and sign in"
    return dialog


def _empty() -> bool:
    return all(m.select().count() == 0 for m in ALL_MODELS
               if m._meta.table_name != "schema_meta")


def test_moving_in_shows_the_export_then_imports_it_and_signs_in_its_admin(qtbot,
                                                                          small_export):
    dialog = _dialog(qtbot)
    assert not dialog.admin_box.isEnabled()
    assert dialog.load_export(small_export)
    # what it holds, before anything is written
    summary = dialog.export_summary.text()
    assert "Test Clinic" in summary and "3 patients" in summary and "1 photo and" in summary and "0 invoices" in summary
    assert "2 staff accounts" in summary
    assert [dialog.import_admin.itemText(i) for i in range(dialog.import_admin.count())] == \
        ["Ada Admin (admin)"]
    assert _empty()
    # the whole summary is in view (the box grew to its lines)
    summary_label = dialog.export_summary
    qtbot.waitUntil(lambda: summary_label.height()
                    >= summary_label.heightForWidth(summary_label.width())
                    and summary_label.geometry().bottom()
                    <= summary_label.parentWidget().contentsRect().bottom())
    dialog.grab().save(str(shots() / "first_run_move_in.png"))

    qtbot.keyClicks(dialog.import_password, "moved-in-2026")
    qtbot.keyClicks(dialog.import_confirm, "moved-in-2026")
    with qtbot.waitSignal(dialog.accepted, timeout=60_000):
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert dialog.choice == "import" and dialog.user.username == "admin"
    assert dialog.imported.staff_without_password == ["maya"]
    assert Patient.select().count() == 3 and Photo.select().count() == 1
    assert clinic.is_set_up() and clinic.clinic_info().name == "Test Clinic"
    # the admin signed in with the new password; the others wait for theirs
    assert AuditEvent.select().order_by(AuditEvent.id.desc()).first().action == "login"
    assert auth.authenticate("admin", "moved-in-2026").id == dialog.user.id
    with pytest.raises(AuthError):
        auth.authenticate("maya", PASSWORD)


def test_a_changed_export_is_refused_in_plain_words_and_nothing_is_written(qtbot,
                                                                          small_export):
    sheet = small_export / "csv" / "patient.csv"
    sheet.write_bytes(sheet.read_bytes().replace(b"Moss", b"Mass", 1))
    dialog = _dialog(qtbot)
    assert dialog.load_export(small_export)  # the counts come from the manifest
    qtbot.keyClicks(dialog.import_password, "moved-in-2026")
    qtbot.keyClicks(dialog.import_confirm, "moved-in-2026")
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.message.isVisible(), timeout=60_000)
    assert dialog.message.text() == ("The export was changed after it was written: "
                                     "csv/patient.csv does not match its fingerprint. Nothing "
                                     "was imported.")
    assert dialog.result() != dialog.DialogCode.Accepted and dialog.ok.isEnabled()
    assert _empty() and User.select().count() == 0


def test_a_folder_that_is_not_an_export_says_so(qtbot, small_export, tmp_path):
    dialog = _dialog(qtbot)
    assert not dialog.load_export(tmp_path / "new")
    assert dialog.message.text() == f"{tmp_path / 'new'} is not a clinic export: it has no " \
                                    "manifest.json."
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert dialog.message.text() == "Choose the export's folder first."
    assert _empty()


def test_mismatched_passwords_are_refused_before_anything_runs(qtbot, small_export):
    dialog = _dialog(qtbot)
    dialog.load_export(small_export)
    qtbot.keyClicks(dialog.import_password, "moved-in-2026")
    qtbot.keyClicks(dialog.import_confirm, "moved-in-2027")
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert dialog.message.text() == "The two passwords are not the same."
    assert dialog.progress is None and _empty()


def test_cancel_leaves_the_clinic_file_empty(qtbot, small_export, tmp_path):
    dialog = _dialog(qtbot)
    dialog.load_export(small_export)
    qtbot.keyClicks(dialog.import_password, "moved-in-2026")
    qtbot.keyClicks(dialog.import_confirm, "moved-in-2026")
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert dialog.progress is not None and dialog.progress.isVisible()
    (cancel,) = dialog.progress.findChildren(QPushButton)
    cancel.click()
    qtbot.waitUntil(lambda: dialog.message.isVisible(), timeout=60_000)
    assert dialog.message.text() == ("The import was cancelled; nothing was written. The "
                                     "clinic file is still empty.")
    assert dialog.result() != dialog.DialogCode.Accepted and dialog.progress is None
    assert _empty() and not list((tmp_path / "new").rglob("*.png"))
