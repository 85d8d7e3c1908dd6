"""Patient → Import patients… on a clinic that has just been installed: the old system's list
chosen, its columns matched and corrected, the ambiguous dates chosen by looking at the
preview, every row checked, the report saved, and the accepted rows imported once — through
the real dialog, rendered to a PNG to look at."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from medspa_desktop.services.clinic import clinic
from medspa_desktop.services.platform import auth
from medspa_desktop.store.models import AuditEvent, Patient
from medspa_desktop.ui.main_window import MainWindow
from medspa_desktop.ui.patients.import_dialog import (
    NOT_IN_FILE,
    ImportHistoryDialog,
    ImportPatientsDialog,
)
from tests.ui.modal import answer_next_modal

SHOTS = Path(os.environ["MEDSPA_SHOTS"]) if os.environ.get("MEDSPA_SHOTS") else None
SYNTHEA = Path(__file__).resolve().parents[1] / "fixtures" / "synthea"

LIST = ("Client #,Given,Family,Birthday,Cell,Email\n"
        "A1,Ann,Lee,03/04/1990,555 010 1234,ann@example.com\n"
        "A2,,Nobody,04/05/1991,,\n"
        "A3,Bo,Chen,05/06/1992,,bo@example.com\n"
        "A4,Ann,Lee,03/04/1990,,\n")


@pytest.fixture
def owner(database):
    return clinic.create_clinic(clinic.ClinicInfo("New Clinic"),
                                auth.UserInput("owner", "Olive Owner", "admin", "long-enough"),
                                default_catalog=False)


def _dialog(qtbot, owner) -> ImportPatientsDialog:
    dialog = ImportPatientsDialog(owner)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _shot(dialog, tmp_path: Path, name: str) -> None:
    path = (SHOTS or tmp_path) / f"import_patients_{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    assert dialog.grab().save(str(path))


def test_a_new_clinic_moves_in_its_patient_list(qtbot, owner, tmp_path):
    source = tmp_path / "old system.csv"
    source.write_text(LIST, encoding="utf-8")
    dialog = _dialog(qtbot, owner)
    assert not dialog.import_button.isEnabled() and not dialog.check_button.isEnabled()
    dialog.load(source)
    assert "4 rows and 6 columns, separated by commas" in dialog.about_file.text()
    assert {key: combo.currentText() for key, combo in dialog.combos.items()
            if combo.currentText() != NOT_IN_FILE} == {
        "first_name": "Given", "last_name": "Family", "dob": "Birthday", "phone": "Cell",
        "email": "Email"}
    # "Client #" was not recognised: the person points the id at it
    dialog.combos["external_id"].setCurrentText("Client #")
    # every date reads both ways: the program says so, the preview shows month first
    assert dialog.date_note.text().startswith("Dates like these could be either")
    assert dialog.preview.item(0, 2).text() == "04 Mar 1990"
    dialog.date_order.setCurrentIndex(dialog.date_order.findData("DMY"))
    assert dialog.preview.item(0, 2).text() == "03 Apr 1990"
    assert dialog.preview.item(1, 7).text() == "Enter the patient's first name."
    assert Patient.select().count() == 0

    dialog.check_button.click()
    assert dialog.summary.text() == ("2 to import, 1 refused, 1 probable duplicate "
                                     "(1 skipped).")
    problems = [[dialog.problems.item(r, c).text() for c in range(3)]
                for r in range(dialog.problems.rowCount())]
    assert problems == [["3", "Refused", "Enter the patient's first name."],
                        ["5", "Probable duplicate", "looks like line 2 of this file"]]
    assert dialog.import_button.text() == "&Import 2 patients"
    _shot(dialog, tmp_path, "checked")

    report = tmp_path / "not imported.csv"
    dialog.save_report(report)
    with report.open(encoding="utf-8-sig", newline="") as f:
        assert [row[:3] for row in csv.reader(f)][1:] == [
            ["3", "Refused", "Enter the patient's first name."],
            ["5", "Probable duplicate", "looks like line 2 of this file"]]

    dialog.import_button.click()
    dialog.import_button.click()  # a double click imports nothing twice
    assert [(p.first_name, p.last_name, str(p.dob), p.external_id)
            for p in Patient.select().order_by(Patient.id)] == [
        ("Ann", "Lee", "1990-04-03", "A1"), ("Bo", "Chen", "1992-06-05", "A3")]
    assert dialog.summary.text().startswith("Imported 2 patients (charts 000001 to 000002).")
    assert not dialog.import_button.isEnabled() and dialog.close_button.text() == "&Done"
    assert AuditEvent.select().where(AuditEvent.action == "patient.import").count() == 1


def test_a_change_of_columns_after_the_check_asks_for_a_new_check(qtbot, owner, tmp_path):
    source = tmp_path / "list.csv"
    source.write_text(LIST, encoding="utf-8")
    dialog = _dialog(qtbot, owner)
    dialog.load(source)
    dialog.check_button.click()
    assert dialog.import_button.isEnabled()
    dialog.combos["dob"].setCurrentText(NOT_IN_FILE)
    assert not dialog.import_button.isEnabled()
    assert dialog.message.text() == ("Choose the column with the date of birth: a chart "
                                     "needs it.")
    assert dialog.summary.text() == "Press Check every row: nothing is written until Import."


def test_a_fhir_bundle_and_a_file_that_is_no_list(qtbot, owner, tmp_path):
    dialog = _dialog(qtbot, owner)
    bundle = sorted(SYNTHEA.glob("*.json"))[0]
    dialog.load(bundle)
    assert dialog.about_file.text().startswith("FHIR: 1 patient. Left out (a medical spa "
                                               "does not keep them): ")
    assert not dialog.combos["first_name"].isEnabled()  # FHIR says what each field is
    dialog.check_button.click()
    dialog.import_button.click()
    assert Patient.select().count() == 1

    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    dialog = _dialog(qtbot, owner)
    dialog.load(empty)
    assert dialog.message.text() == "empty.csv is empty: there is no header row and no patient."
    assert not dialog.check_button.isEnabled() and not dialog.import_button.isEnabled()


def test_the_menu_entry_is_for_the_admin_and_the_director(qtbot, owner, tmp_path):
    desk = auth.create_user(owner, auth.UserInput("desk", "Sam", "front_desk", "long-enough"))
    for user, enabled in ((owner, True), (desk, False)):
        window = MainWindow(user, remember=False)
        qtbot.addWidget(window)
        assert window.import_action.isEnabled() is enabled
        window.close()
    window = MainWindow(owner, remember=False)
    qtbot.addWidget(window)
    seen = []
    answer_next_modal(lambda dialog: (seen.append(dialog.windowTitle()), dialog.reject()))
    window.import_action.trigger()
    assert seen == ["Import patients"]


def test_then_the_visit_history_goes_onto_those_charts(qtbot, owner, tmp_path):
    """The second step of moving in, through the same screen: the visits find the charts the
    list brought in, a visit with no chart is refused, and the chart's timeline shows them."""
    patients_file = tmp_path / "patients.csv"
    patients_file.write_text(LIST, encoding="utf-8")
    dialog = _dialog(qtbot, owner)
    dialog.load(patients_file)
    dialog.combos["external_id"].setCurrentText("Client #")
    dialog.date_order.setCurrentIndex(dialog.date_order.findData("DMY"))
    dialog.check_button.click()
    dialog.import_button.click()

    visits = tmp_path / "visits.csv"
    visits.write_text("Client #,Appointment Date,Treatment,Provider,Units\n"
                      "A1,15/01/2025 14:30,Botox,Dr Kay,20\n"
                      "A9,16/01/2025,Peel,,\n", encoding="utf-8")
    history = ImportHistoryDialog(owner)
    qtbot.addWidget(history)
    history.show()
    assert not history.duplicates.isVisible()
    history.load(visits)
    assert history.combos["service"].currentText() == "Treatment"
    history.combos["patient_id"].setCurrentText("Client #")
    assert history.date_order.currentData() == "DMY"  # 15/01 reads only day first
    assert history.preview.item(0, 2).text() == "15 Jan 2025 14:30"
    history.check_button.click()
    assert history.summary.text() == ("1 visit to import onto 1 chart, 1 refused, 0 already "
                                      "imported.")
    _shot(history, tmp_path, "history")
    history.import_button.click()
    assert history.summary.text().startswith("Imported 1 visit onto 1 chart.")
    ann = Patient.get(Patient.external_id == "A1")
    window = MainWindow(owner, remember=False)
    qtbot.addWidget(window)
    from medspa_desktop.services.charts import chart

    (item,) = chart.timeline(owner, ann.id, {"history"})
    assert (item.title, item.detail) == ("Botox", "Dr Kay · Units: 20 · from visits.csv")
    assert window.import_history_action.isEnabled()


def test_esc_with_a_file_read_and_nothing_imported_asks_once(qtbot, owner, tmp_path):
    source = tmp_path / "list.csv"
    source.write_text(LIST, encoding="utf-8")
    dialog = _dialog(qtbot, owner)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # nothing read yet: it just closes
    assert not dialog.isVisible()
    dialog = _dialog(qtbot, owner)
    dialog.load(source)
    dialog.combos["external_id"].setCurrentText("Client #")
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible() and dialog.message.text() == (
        "Nothing is imported yet. Press Esc or Close again to close without importing.")
    assert dialog.combos["external_id"].currentText() == "Client #"  # the choices kept
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible() and Patient.select().count() == 0
