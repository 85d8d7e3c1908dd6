"""Correcting a patient's details, archiving and bringing back a chart, and merging two charts
of one person — driven in the real windows."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from medspa_desktop.services.charts import patients
from medspa_desktop.store.models import Appointment, Patient
from medspa_desktop.ui.patients.chart import ChartDialog
from medspa_desktop.ui.patients.merge_dialog import MergeDialog
from medspa_desktop.ui.patients.new_patient import NewPatientDialog
from medspa_desktop.ui.patients.tab import PatientsTab
from tests.conftest import shots, staff
from tests.ui.modal import answer_next_modal


def _shot(widget, name: str) -> None:
    assert widget.grab().save(str(shots() / f"{name}.png"))


@pytest.fixture
def zoe(demo_db):
    return Patient.select().where(Patient.first_name == "Zoë").order_by(Patient.id).first()


def _chart(qtbot, username: str, patient_id: int) -> ChartDialog:
    dialog = ChartDialog(staff(username), patient_id)
    qtbot.addWidget(dialog)
    with qtbot.waitActive(dialog):
        dialog.show()
        dialog.activateWindow()
    return dialog


def _open_editor(qtbot, chart: ChartDialog, then) -> None:
    """Press Ctrl+E in the chart and hand the form that opens to ``then``."""
    answer_next_modal(then)
    qtbot.keyClick(chart.focusWidget() or chart, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)


def test_ctrl_e_opens_the_form_filled_and_saving_updates_the_chart(qtbot, zoe):
    chart = _chart(qtbot, "frontdesk", zoe.id)
    seen = {}

    def edit(form: NewPatientDialog) -> None:
        seen["title"] = form.windowTitle()
        seen["filled"] = (form.first_name.text(), form.last_name.text(), form.dob.text())
        _shot(form, "edit_details")
        form.preferred_name.setText("Zo")
        form.phone.setText("(555) 777-1234")
        qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)

    _open_editor(qtbot, chart, edit)
    assert seen["title"] == f"Edit details — chart {zoe.chart_number}"
    assert seen["filled"] == (zoe.first_name, zoe.last_name, f"{zoe.dob:%Y-%m-%d}")
    saved = Patient.get_by_id(zoe.id)
    assert (saved.preferred_name, saved.phone) == ("Zo", "5557771234")
    assert saved.first_name == zoe.first_name and saved.email == zoe.email  # kept as they were
    qtbot.waitUntil(lambda: "“Zo”" in chart.name.text())
    assert "(555) 777-1234" in chart.details.text()


def test_a_stale_edit_is_refused_and_the_form_shows_what_is_on_file(qtbot, zoe):
    form = NewPatientDialog(staff("frontdesk"), patient=zoe)
    qtbot.addWidget(form)
    form.show()
    form.email.setText("mine@example.com")
    # meanwhile another PC saves a new phone number
    on_file = patients.PatientInput(zoe.first_name, zoe.last_name, zoe.dob,
                                    preferred_name=zoe.preferred_name, sex=zoe.sex,
                                    phone="555 303 4040", email=zoe.email, address=zoe.address)
    patients.update_patient(staff("director"), zoe.id, on_file, version=zoe.version)
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert form.isVisible()
    assert "Dr Vasquez changed this patient at" in form.message.text()
    assert "Your changes were not saved" in form.message.text()
    assert form.phone.text() == "(555) 303-4040" and form.email.text() == zoe.email
    assert Patient.get_by_id(zoe.id).email == zoe.email
    _shot(form, "edit_details_stale")
    # typed again on top of what is on file, it saves
    form.email.setText("mine@example.com")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert not form.isVisible()
    saved = Patient.get_by_id(zoe.id)
    assert (saved.email, saved.phone) == ("mine@example.com", "5553034040")


def test_esc_asks_before_dropping_typed_corrections_and_not_when_nothing_was_typed(qtbot, zoe):
    form = NewPatientDialog(staff("frontdesk"), patient=zoe)
    qtbot.addWidget(form)
    form.show()
    qtbot.waitExposed(form)
    asked = []

    def keep_editing(box: QMessageBox) -> None:
        asked.append(box.text())
        box.button(QMessageBox.StandardButton.Cancel).click()

    form.last_name.setText("Typo")
    answer_next_modal(keep_editing)
    qtbot.keyClick(form, Qt.Key.Key_Escape)
    assert asked == ["Discard the changes typed into these details?"]
    assert form.isVisible() and form.last_name.text() == "Typo"

    answer_next_modal(lambda box: box.button(QMessageBox.StandardButton.Discard).click())
    qtbot.keyClick(form, Qt.Key.Key_Escape)
    assert not form.isVisible()
    assert Patient.get_by_id(zoe.id).last_name == zoe.last_name

    untouched = NewPatientDialog(staff("frontdesk"), patient=zoe)
    qtbot.addWidget(untouched)
    untouched.show()
    qtbot.keyClick(untouched, Qt.Key.Key_Escape)  # nothing typed: closes without asking
    assert not untouched.isVisible() and QApplication.activeModalWidget() is None


def test_archiving_from_the_chart_then_listing_archived_and_bringing_it_back(qtbot, demo_db):
    director = staff("director")
    lee = patients.create_patient(staff("frontdesk"), patients.PatientInput(
        "Imani", "Quennell-Ybarra", dt.date(1984, 2, 29), phone="555 404 1212"))
    chart = _chart(qtbot, "director", lee.id)
    assert chart.archive_button.text() == "A&rchive…"

    def give_reason(dialog) -> None:
        dialog.text.setPlainText("Registered twice at the desk")
        dialog.accept()

    answer_next_modal(give_reason)
    qtbot.mouseClick(chart.archive_button, Qt.MouseButton.LeftButton)
    assert Patient.get_by_id(lee.id).archived
    qtbot.waitUntil(lambda: "(archived)" in chart.name.text())
    assert chart.archive_button.text() == "Bring &back"
    assert "This chart is archived." in chart.banner.text()
    _shot(chart, "chart_archived")

    tab = PatientsTab(director)
    qtbot.addWidget(tab)
    tab.resize(1100, 400)
    tab.show()
    tab.search.setText("quennell")
    tab.refresh()
    assert tab.model.rowCount() == 0  # the list leaves archived charts out
    qtbot.mouseClick(tab.show_archived, Qt.MouseButton.LeftButton)
    assert tab.model.rowCount() == 1
    assert tab.model.index(0, 1).data() == "Quennell-Ybarra, Imani   (archived)"
    _shot(tab, "patients_show_archived")

    answer_next_modal(lambda box: box.button(QMessageBox.StandardButton.Yes).click())
    qtbot.mouseClick(chart.archive_button, Qt.MouseButton.LeftButton)
    assert not Patient.get_by_id(lee.id).archived
    qtbot.waitUntil(lambda: "(archived)" not in chart.name.text())
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1
                    and tab.model.index(0, 1).data() == "Quennell-Ybarra, Imani")


def test_front_desk_cannot_archive_or_merge_from_the_chart(qtbot, zoe):
    chart = _chart(qtbot, "frontdesk", zoe.id)
    assert not chart.archive_button.isEnabled()
    assert chart.merge_button.isHidden()
    assert chart.edit_button.isEnabled()


def test_two_charts_picked_in_the_list_are_compared_and_merged(qtbot, zoe):
    director = staff("director")
    dup = patients.create_patient(staff("frontdesk"), patients.PatientInput(
        zoe.first_name, zoe.last_name, zoe.dob, phone="555 010 9876"))
    visits = Appointment.select().where(Appointment.patient == zoe.id).count()
    tab = PatientsTab(director)
    qtbot.addWidget(tab)
    tab.show()
    tab.search.setText(zoe.first_name)
    tab.refresh()
    rows = [i for i in range(tab.model.rowCount())
            if tab.model.row_at(i).id in (zoe.id, dup.id)]
    assert len(rows) == 2
    for row in rows:
        tab.table.selectionModel().select(
            tab.model.index(row, 0), tab.table.selectionModel().SelectionFlag.Select
            | tab.table.selectionModel().SelectionFlag.Rows)
    seen = {}

    def compare(dialog: MergeDialog) -> None:
        dialog.resize(760, dialog.sizeHint().height())
        seen["keep"] = dialog.keep.checkedId()  # the chart with the history is offered
        seen["sides"] = [s.chart_number for s in dialog.sides]
        _shot(dialog, "merge_compare")

        def confirm(box: QMessageBox) -> None:
            seen["question"] = box.text()
            box.button(QMessageBox.StandardButton.Yes).click()

        answer_next_modal(confirm)
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    answer_next_modal(compare)
    qtbot.mouseClick(tab.merge_button, Qt.MouseButton.LeftButton)
    assert seen["keep"] == zoe.id
    assert sorted(seen["sides"]) == sorted([zoe.chart_number, dup.chart_number])
    assert f"Merge chart {dup.chart_number}" in seen["question"]
    merged = Patient.get_by_id(dup.id)
    assert merged.archived and merged.merged_into_id == zoe.id
    assert Appointment.select().where(Appointment.patient == zoe.id).count() == visits
    qtbot.waitUntil(lambda: dup.id not in {tab.model.row_at(i).id
                                           for i in range(tab.model.rowCount())})

    chart = _chart(qtbot, "director", dup.id)
    assert f"(merged into chart {zoe.chart_number})" in chart.name.text()
    assert f"merged into chart {zoe.chart_number}" in chart.banner.text()
    assert not chart.edit_button.isEnabled() and not chart.archive_button.isEnabled()


def test_merge_with_from_a_chart_finds_the_other_chart_first(qtbot, zoe):
    dup = patients.create_patient(staff("frontdesk"), patients.PatientInput(
        zoe.first_name, "Duplicate", zoe.dob, phone="555 010 5555"))
    chart = _chart(qtbot, "director", dup.id)
    seen = {}

    def find_and_refuse_without(dialog: MergeDialog) -> None:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        seen["alone"] = dialog.message.text()
        dialog.picker.search.setText(zoe.chart_number)
        dialog.picker.refresh()
        dialog.picker.results.setCurrentRow(0)
        seen["sides"] = [s.id for s in dialog.sides]
        dialog.resize(760, dialog.sizeHint().height())
        qtbot.wait(50)  # the new side's labels laid out
        _shot(dialog, "merge_with_from_chart")
        dialog.reject()

    answer_next_modal(find_and_refuse_without)
    qtbot.mouseClick(chart.merge_button, Qt.MouseButton.LeftButton)
    assert seen["alone"] == "Find the other chart of this patient to merge with."
    assert seen["sides"] == [dup.id, zoe.id]
    assert Patient.get_by_id(dup.id).merged_into_id is None
