"""The chart, driven as a clinician and a receptionist would."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from medspa_desktop.services.charts import intake
from medspa_desktop.services.scheduling import appointments
from medspa_desktop.store.models import (
    Appointment,
    ContraindicationAck,
    Note,
    Patient,
    Room,
    Service,
)
from medspa_desktop.ui.patients.chart import ChartDialog
from medspa_desktop.ui.patients.new_patient import NewPatientDialog
from medspa_desktop.ui.patients.tab import PatientsTab
from medspa_desktop.ui.schedule.tab import ScheduleTab
from tests.conftest import give_consent, staff
from tests.ui.modal import answer_next_modal, expect_preview


@pytest.fixture
def zoe(demo_db):
    return Patient.select().where(Patient.first_name == "Zoë").order_by(Patient.id).first()


def _chart(qtbot, username: str, patient_id: int) -> ChartDialog:
    dialog = ChartDialog(staff(username), patient_id)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_registering_warns_of_a_possible_duplicate_then_finds_by_a_fragment(qtbot, zoe):
    dialog = NewPatientDialog(staff("frontdesk"))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.first_name.setText(zoe.first_name.upper())
    dialog.last_name.setText(zoe.last_name)
    dialog.dob.setText(zoe.dob.strftime("%m/%d/%Y"))
    before = Patient.select().count()
    seen = []

    def answer(box, button):
        seen.append(box.text())
        box.button(button).click()

    answer_next_modal(lambda box: answer(box, QMessageBox.StandardButton.No))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "may be a patient already registered" in seen[0]
    assert f"chart {zoe.chart_number}" in seen[0]
    assert Patient.select().count() == before and dialog.isVisible()
    answer_next_modal(lambda box: answer(box, QMessageBox.StandardButton.Yes))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert Patient.select().count() == before + 1

    tab = PatientsTab(staff("frontdesk"))
    qtbot.addWidget(tab)
    tab.search.setText(zoe.last_name[1:4].lower())
    tab.refresh()
    ids = [tab.model.row_at(i).id for i in range(tab.model.rowCount())]
    assert zoe.id in ids and dialog.patient.id in ids


def test_double_clicking_a_patient_opens_the_chart(qtbot, zoe):
    tab = PatientsTab(staff("frontdesk"))
    qtbot.addWidget(tab)
    tab.show()
    qtbot.waitExposed(tab)
    tab.search.setText(zoe.chart_number)
    tab.refresh()
    seen = []

    def look(chart):
        seen.append(chart.windowTitle())
        chart.reject()

    answer_next_modal(look)
    rect = tab.table.visualRect(tab.model.index(0, 1))
    # a real double-click is a click and then the double-click; Qt 6 item views need both
    qtbot.mouseClick(tab.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(tab.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert seen == [f"Chart {zoe.chart_number} — {zoe.first_name} {zoe.last_name}"]


def test_signing_a_note_locks_it_and_an_addendum_shows_under_it(qtbot, zoe):
    chart = _chart(qtbot, "injector", zoe.id)
    chart.tabs.setCurrentIndex(2)
    panel = chart.notes
    panel.category.setCurrentIndex(panel.category.findData("filler"))
    qtbot.mouseClick(panel.new_button, Qt.MouseButton.LeftButton)
    assert "Syringes" in panel.sections["objective"].toPlainText() or \
        "syringes" in panel.sections["objective"].toPlainText()
    panel.sections["plan"].clear()
    qtbot.keyClicks(panel.sections["plan"], "Review in 2 weeks.")
    qtbot.mouseClick(panel.sign_button, Qt.MouseButton.LeftButton)
    assert all(edit.isReadOnly() for edit in panel.sections.values())
    assert not panel.save_button.isEnabled() and not panel.sign_button.isEnabled()
    assert panel.addendum_button.isEnabled()
    assert "Signed" in panel.state.text() and "✓ verified" in panel.state.text()
    note = Note.get_by_id(panel.current.id)
    assert note.status == "signed" and note.plan == "Review in 2 weeks."

    def write(dialog):
        qtbot.keyClicks(dialog.reason, "Wrong side")
        qtbot.keyClicks(dialog.text, "Left cheek, not right.")
        dialog.save_button.click()

    answer_next_modal(write)
    qtbot.mouseClick(panel.addendum_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Left cheek, not right." in panel.addenda.text())
    assert "Wrong side" in panel.addenda.text()
    assert Note.get_by_id(note.id).plan == "Review in 2 weeks."


def _notes_of(patient_id: int) -> list[Note]:
    return list(Note.select().where(Note.patient == patient_id).order_by(Note.id))


def test_esc_with_a_note_being_typed_keeps_it_as_a_draft(qtbot, zoe):
    before = len(_notes_of(zoe.id))
    chart = _chart(qtbot, "injector", zoe.id)
    chart.show()
    panel = chart.show_tab("notes")
    qtbot.mouseClick(panel.new_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(panel.sections["plan"], "Ice twice a day")
    qtbot.keyClick(chart, Qt.Key.Key_Escape)
    assert not chart.isVisible()
    kept = _notes_of(zoe.id)
    assert len(kept) == before + 1
    assert kept[-1].status == "draft" and "Ice twice a day" in kept[-1].plan


def test_a_new_note_left_blank_leaves_no_draft_behind(qtbot, zoe):
    before = len(_notes_of(zoe.id))
    chart = _chart(qtbot, "injector", zoe.id)
    chart.show()
    panel = chart.show_tab("notes")
    qtbot.mouseClick(panel.new_button, Qt.MouseButton.LeftButton)
    assert "not saved yet" in panel.state.text()
    qtbot.mouseClick(panel.new_button, Qt.MouseButton.LeftButton)  # twice, even
    qtbot.keyClick(chart, Qt.Key.Key_Escape)
    assert not chart.isVisible() and len(_notes_of(zoe.id)) == before


def test_typing_in_a_draft_then_opening_another_note_saves_the_draft(qtbot, zoe):
    chart = _chart(qtbot, "injector", zoe.id)
    chart.show()
    panel = chart.show_tab("notes")
    for text in ("first", "second"):
        panel.new_note()
        panel.sections["plan"].setPlainText(text)
        panel.save()
    first = next(n for n in _notes_of(zoe.id) if n.plan == "first")
    row = next(i for i in range(panel.list.count())
               if panel.list.item(i).data(Qt.ItemDataRole.UserRole) == first.id)
    panel.list.setCurrentRow(row)
    assert panel.sections["plan"].toPlainText() == "first"
    qtbot.keyClick(panel.sections["plan"], Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(panel.sections["plan"], " and more")
    panel.list.setCurrentRow(0 if row else 1)  # another note
    assert Note.get_by_id(first.id).plan == "first and more"


def test_saving_the_medical_history_updates_the_alerts_banner(qtbot, zoe):
    chart = _chart(qtbot, "frontdesk", zoe.id)
    chart.tabs.setCurrentIndex(1)
    panel = chart.intake
    pregnant = panel.fields["pregnant_or_nursing"]
    pregnant.setCurrentIndex(pregnant.findData(True))
    panel.fields["allergies"].setText("Bee stings <severe> & latex")
    panel.fields["isotretinoin_last_dose"].setText("not a date")
    qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    assert panel.message.text().startswith("'not a date' is not a date")
    panel.fields["isotretinoin_last_dose"].clear()
    qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    assert "Allergies: Bee stings <severe> & latex" in chart.banner.text()
    assert "Pregnant or nursing" in chart.banner.text()
    assert intake.current_answers(staff("frontdesk"), zoe.id)["pregnant_or_nursing"].value


def test_front_desk_sees_the_notes_list_but_not_the_notes(qtbot, zoe):
    writer = _chart(qtbot, "injector", zoe.id)
    writer.notes.new_note()
    writer.notes.save()
    chart = _chart(qtbot, "frontdesk", zoe.id)
    panel = chart.notes
    assert panel.list.count() >= 1
    assert panel.editor.isHidden() and not panel.private.isHidden()
    assert not panel.new_button.isEnabled()


def test_starting_a_contraindicated_treatment_asks_the_provider_why(qtbot, zoe):
    intake.record_answers(staff("frontdesk"), zoe.id, {"pregnant_or_nursing": True})
    day = dt.date.today() + dt.timedelta(days=50)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    start = dt.datetime.combine(day, dt.time(10))
    appt = appointments.book_appointment(staff("frontdesk"), appointments.AppointmentInput(
        zoe.id, Service.get(Service.name == "Botox Cosmetic").id, staff("injector").id, start,
        start + dt.timedelta(minutes=30), Room.get(Room.name == "Room 1").id))
    appointments.change_status(staff("frontdesk"), appt.id, "arrived", appt.version)
    give_consent(staff("frontdesk"), zoe.id, "neurotoxin")
    tab = ScheduleTab(staff("injector"))
    qtbot.addWidget(tab)
    tab.set_day(day)
    asked = []

    def explain(dialog):
        asked.append(dialog.prompt.text())
        dialog.text.setPlainText("Delivered in March; not nursing; intake out of date")
        dialog.accept()

    answer_next_modal(explain)
    tab._status(appt.id, "in_treatment")
    assert asked and asked[0].startswith("Pregnant or nursing: no neurotoxin.")
    assert Appointment.get_by_id(appt.id).status == "in_treatment"
    assert ContraindicationAck.get(ContraindicationAck.appointment == appt.id).reason.startswith(
        "Delivered in March")


def test_saving_the_medical_history_does_not_log_a_second_chart_opening(qtbot, zoe):
    from medspa_desktop.store.models import AuditEvent

    opened = AuditEvent.select().where(AuditEvent.action == "patient.open",
                                       AuditEvent.record_id == str(zoe.id))
    chart = _chart(qtbot, "frontdesk", zoe.id)
    assert opened.count() == 1
    chart.intake.fields["allergies"].setText("Latex")
    qtbot.mouseClick(chart.intake.save_button, Qt.MouseButton.LeftButton)
    assert "Allergies: Latex" in chart.banner.text()
    assert opened.count() == 1


def test_a_treatment_in_the_timeline_opens_its_printed_record(qtbot, demo_db):
    from medspa_desktop.store.models import TreatmentRecord

    record = TreatmentRecord.select().order_by(TreatmentRecord.id).first()
    dialog = _chart(qtbot, "injector", record.patient_id)
    dialog.filter.setCurrentIndex(dialog.filter.findText("Treatments"))
    rows = dialog.timeline_model.rows()
    assert rows and {r.kind for r in rows} == {"treatment"}
    row = next(i for i, r in enumerate(rows) if r.ref_id == record.appointment_id)
    seen = expect_preview()
    rect = dialog.timeline.visualRect(dialog.timeline_model.index(row, 1))
    qtbot.mouseClick(dialog.timeline.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(dialog.timeline.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: bool(seen))
    assert rows[row].title in seen[0] and "Face chart" in seen[0]
