"""Signing a consent on screen, driven with the mouse and keyboard: the pad is drawn on, the
form is read to the end, and Cancel leaves nothing behind."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QPoint, Qt

from medspa_desktop.services.charts import patients
from medspa_desktop.services.consents import signing
from medspa_desktop.store.models import AuditEvent, Consent, Patient, StoredFile
from medspa_desktop.ui.consents.sign_dialog import ConsentSignDialog
from medspa_desktop.ui.patients.chart import ChartDialog
from medspa_desktop.ui.widgets.signature_pad import SignaturePad
from tests.conftest import staff
from tests.documents.pdftext import pdf_text
from tests.ui.modal import answer_next_modal, expect_preview


def draw(qtbot, pad: SignaturePad) -> None:
    """A signature: one stroke across the pad, the way a hand would move."""
    pad.ensurePolished()
    qtbot.mouseMove(pad, QPoint(20, pad.height() // 2))
    qtbot.mousePress(pad, Qt.MouseButton.LeftButton, pos=QPoint(20, pad.height() // 2))
    for step in range(1, 25):
        y = pad.height() // 2 + (12 if step % 4 < 2 else -12)
        qtbot.mouseMove(pad, QPoint(20 + step * 10, y))
    qtbot.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=QPoint(260, pad.height() // 2))


def read_to_the_end(dialog: ConsentSignDialog) -> None:
    bar = dialog.scroll.verticalScrollBar()
    bar.setValue(bar.maximum())


def fill_and_sign(qtbot, dialog: ConsentSignDialog) -> None:
    assert not dialog.sign_button.isEnabled()
    assert dialog.hint.text() == "Please read the whole form: scroll to the end."
    read_to_the_end(dialog)
    assert dialog.hint.text() == "Please initial each section that asks for it."
    for edit in dialog.initials:
        if edit is not None:
            qtbot.keyClicks(edit, "ab")
    assert dialog.hint.text() == "Please sign in the box."
    draw(qtbot, dialog.patient_pad)
    assert not dialog.sign_button.isEnabled()  # the witness has not signed yet
    draw(qtbot, dialog.witness_pad)
    assert dialog.sign_button.isEnabled()
    qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)


@pytest.fixture
def patient(demo_db):
    return Patient.select().where(Patient.archived == False).order_by(Patient.id).first()  # noqa: E712


def _dialog(qtbot, patient_id, category="neurotoxin") -> ConsentSignDialog:
    dialog = ConsentSignDialog(staff("injector"), patient_id, category)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_signing_with_the_pad_keeps_the_signed_pdf(qtbot, patient):
    dialog = _dialog(qtbot, patient.id)
    fill_and_sign(qtbot, dialog)
    assert dialog.result() == ConsentSignDialog.DialogCode.Accepted
    consent = dialog.consent
    assert (consent.patient_id, consent.category, consent.witness_id) == (
        patient.id, "neurotoxin", staff("injector").id)
    text = pdf_text(signing.document(staff("injector"), consent.id))
    assert f"{patient.first_name} {patient.last_name}" in text and "Initials AB" in text


def test_cancel_leaves_nothing_behind(qtbot, patient):
    before = (AuditEvent.select().count(), Consent.select().count(),
              StoredFile.select().count())
    dialog = _dialog(qtbot, patient.id, "filler")
    read_to_the_end(dialog)
    draw(qtbot, dialog.patient_pad)
    dialog.reject()
    assert (AuditEvent.select().count(), Consent.select().count(),
            StoredFile.select().count()) == before


def test_clear_wipes_a_signature(qtbot, patient):
    dialog = _dialog(qtbot, patient.id)
    draw(qtbot, dialog.patient_pad)
    assert not dialog.patient_pad.is_empty()
    dialog.patient_pad.clear()
    assert dialog.patient_pad.is_empty()


def test_a_minor_needs_a_guardian(qtbot, demo_db):
    today = dt.date.today()
    minor = patients.create_patient(staff("frontdesk"), patients.PatientInput(
        "Mia", "Lee", today.replace(year=today.year - 15)))
    dialog = _dialog(qtbot, minor.id, "laser_hair")
    read_to_the_end(dialog)
    for edit in dialog.initials:
        if edit is not None:
            qtbot.keyClicks(edit, "KL")
    draw(qtbot, dialog.patient_pad)
    draw(qtbot, dialog.witness_pad)
    assert dialog.hint.text() == "The parent or guardian gives their name and relation."
    qtbot.keyClicks(dialog.guardian, "Kim Lee")
    qtbot.keyClicks(dialog.relation, "mother")
    qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    assert (dialog.consent.signer_name, dialog.consent.guardian_relation) == ("Kim Lee",
                                                                             "mother")


def test_the_chart_signs_lists_and_opens_consents(qtbot, patient):
    chart = ChartDialog(staff("injector"), patient.id)
    qtbot.addWidget(chart)
    chart.show()
    panel = chart.consents
    panel.kind.setCurrentIndex(panel.kind.findData("photography"))
    answer_next_modal(lambda dialog: fill_and_sign(qtbot, dialog))
    panel.sign_button.click()
    assert panel.model.rows()[0].form == "Photography consent, version 1"
    timeline = {(i.kind, i.title) for i in chart.timeline_model.rows()}
    assert ("consent", "Photography consent, version 1") in timeline
    seen = expect_preview()
    panel.table.selectRow(0)
    panel.open_button.click()
    assert "Consent to clinical photography" in seen[0]


def test_an_appointment_opens_the_consent_of_its_treatment(qtbot, demo_db):
    from medspa_desktop.services.scheduling import appointments
    from medspa_desktop.ui.schedule.tab import ScheduleTab

    appt = (appointments.Appointment.select().where(appointments.Appointment.status == "booked")
            .order_by(appointments.Appointment.start).first())
    tab = ScheduleTab(staff("frontdesk"))
    qtbot.addWidget(tab)
    tab.set_day(appt.start.date())
    row = tab.shown(appt.id)
    seen = []

    def look(dialog: ConsentSignDialog):
        seen.append((dialog.template.category, dialog.appointment_id))
        dialog.reject()

    answer_next_modal(look)
    next(a for a in tab.menu_for(appt.id).actions() if a.text() == "Sign consent…").trigger()
    assert seen == [(row.category_key, appt.id)]


def _arrived_without_consent():
    from medspa_desktop.services.scheduling import appointments
    from medspa_desktop.store.models import Room, Service

    adult = patients.create_patient(staff("frontdesk"), patients.PatientInput(
        "Nadia", "Okafor", dt.date(1985, 6, 1)))
    day = dt.date.today() + dt.timedelta(days=60)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    start = dt.datetime.combine(day, dt.time(11))
    appt = appointments.book_appointment(staff("frontdesk"), appointments.AppointmentInput(
        adult.id, Service.get(Service.name == "Botox Cosmetic").id, staff("injector").id,
        start, start + dt.timedelta(minutes=30), Room.get(Room.name == "Room 3").id))
    return appointments.change_status(staff("frontdesk"), appt.id, "arrived", appt.version)


def _schedule(qtbot, day):
    from medspa_desktop.ui.schedule.tab import ScheduleTab

    tab = ScheduleTab(staff("injector"))
    qtbot.addWidget(tab)
    tab.set_day(day)
    return tab


def test_starting_without_consent_offers_to_sign_now(qtbot, demo_db):
    from PySide6.QtWidgets import QMessageBox

    from medspa_desktop.store.models import Appointment

    appt = _arrived_without_consent()
    tab = _schedule(qtbot, appt.start.date())
    asked = []

    def choose_sign(box: QMessageBox):
        asked.append(box.text())
        answer_next_modal(lambda dialog: fill_and_sign(qtbot, dialog))
        next(b for b in box.buttons() if b.text() == "Sign now…").click()

    answer_next_modal(choose_sign)
    tab._status(appt.id, "in_treatment")
    assert asked == ["There is no signed neurotoxin consent on file. Sign the consent now, "
                     "or a provider may go ahead with a reason."]
    assert Appointment.get_by_id(appt.id).status == "in_treatment"
    assert Consent.get(Consent.patient == appt.patient_id).appointment_id == appt.id


def test_starting_without_consent_with_a_reason_is_recorded(qtbot, demo_db):
    from PySide6.QtWidgets import QMessageBox

    from medspa_desktop.store.models import Appointment, ConsentOverride

    appt = _arrived_without_consent()
    tab = _schedule(qtbot, appt.start.date())

    def explain(dialog):
        dialog.text.setPlainText("Signed paper form in the room; scan to follow")
        dialog.accept()

    def choose_override(box: QMessageBox):
        answer_next_modal(explain)
        next(b for b in box.buttons() if b.text() == "Go ahead with a reason…").click()

    answer_next_modal(choose_override)
    tab._status(appt.id, "in_treatment")
    assert Appointment.get_by_id(appt.id).status == "in_treatment"
    assert ConsentOverride.get(ConsentOverride.appointment == appt.id).reason == (
        "Signed paper form in the room; scan to follow")


def test_a_paper_consent_is_printed_then_recorded_with_its_scan(qtbot, tmp_path, demo_db):
    from medspa_desktop.services.platform.png import grey_png
    from medspa_desktop.ui.consents.paper_dialog import PaperConsentDialog

    patient = patients.create_patient(staff("frontdesk"), patients.PatientInput(
        "Olu", "Adeyemi", dt.date(1979, 2, 3)))
    chart = ChartDialog(staff("frontdesk"), patient.id)
    qtbot.addWidget(chart)
    panel = chart.consents
    panel.kind.setCurrentIndex(panel.kind.findData("ipl"))
    printed = expect_preview()
    panel.print_button.click()
    assert "Olu Adeyemi" in printed[0] and "Date and time signed:" in printed[0]

    scan = tmp_path / "signed.png"
    scan.write_bytes(grey_png(200, 260))
    said = []

    def fill(dialog: PaperConsentDialog):
        dialog.save_button.click()
        said.append(dialog.message.text())
        dialog.choose_scan(str(scan))
        dialog.save_button.click()

    answer_next_modal(fill)
    panel.paper_button.click()
    assert said == ["Attach the scan of the signed paper form."]
    row = panel.model.rows()[0]
    assert (row.form, row.method) == ("Photorejuvenation (IPL) consent, version 1",
                                      "signed on paper")
    scanned = expect_preview()
    panel.table.selectRow(0)
    panel.open_button.click()
    assert len(scanned) == 1  # the scan opens in the preview, as a page
