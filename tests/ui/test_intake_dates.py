"""The chart, the booking dialog, the day sheet and clinic settings, as staff see them: an
old paper form never hides a newer answer, answers are re-confirmed with the form's date, and
a patient with no medical history is amber, never a green "no alerts"."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate, Qt

from medspa_desktop.printouts import day_sheet_pdf
from medspa_desktop.services.charts import intake, patients
from medspa_desktop.services.clinic import clinical_periods
from medspa_desktop.services.platform import auth
from medspa_desktop.services.scheduling import appointments
from medspa_desktop.store.models import Patient, Room, Service
from medspa_desktop.ui.patients.chart import ChartDialog
from medspa_desktop.ui.schedule.booking_dialog import BookingDialog
from medspa_desktop.ui.settings_dialog import ClinicSettingsDialog
from medspa_desktop.ui.style import BANNER_NOTICE
from tests.conftest import staff
from tests.documents.pdftext import pdf_text

TODAY = dt.date.today()


def ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


def day(d: dt.date) -> str:
    return f"{d.day} {d:%b %Y}"


@pytest.fixture
def nobody(admin) -> Patient:
    """A clinic with a receptionist and an injector, and a patient with no medical history."""
    auth.create_user(admin, auth.UserInput("frontdesk", "Sam Desk", "front_desk",
                                           "long-enough"))
    auth.create_user(admin, auth.UserInput("injector", "Priya Shah", "provider", "long-enough",
                                           "Priya Shah, RN"))
    return patients.create_patient(admin, patients.PatientInput(
        "Zoë", "Ng", dt.date(1990, 4, 17), phone="555 201 3344"))


def _chart(qtbot, username: str, patient_id: int) -> ChartDialog:
    dialog = ChartDialog(staff(username), patient_id)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_the_chart_of_a_patient_with_no_history_is_amber_not_green(qtbot, nobody):
    chart = _chart(qtbot, "frontdesk", nobody.id)
    assert chart.banner.text() == "⚠ No medical history on file"
    assert chart.banner_tone == "notice"
    assert chart.banner.styleSheet() == BANNER_NOTICE
    assert "No alerts" not in chart.banner.text()
    # once a history is taken with nothing to flag, the banner is clear
    panel = chart.show_tab("intake")
    pregnant = panel.fields["pregnant_or_nursing"]
    pregnant.setCurrentIndex(pregnant.findData(False))
    qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    assert chart.banner.text() == "No alerts on file." and chart.banner_tone == "clear"


def test_typing_in_an_old_paper_form_keeps_the_newer_answer_in_the_banner(qtbot, nobody):
    intake.record_answers(staff("frontdesk"), nobody.id, {"pregnant_or_nursing": True,
                                                           "allergies": "Latex"},
                          answered_on=ago(10))
    chart = _chart(qtbot, "frontdesk", nobody.id)
    assert "Pregnant or nursing" in chart.banner.text()
    panel = chart.show_tab("intake")
    assert panel.given["pregnant_or_nursing"].text() == f"confirmed on {day(ago(10))}"
    # the two-month-old paper form said "not pregnant"
    panel.answered_on.setDate(QDate(ago(60).year, ago(60).month, ago(60).day))
    pregnant = panel.fields["pregnant_or_nursing"]
    pregnant.setCurrentIndex(pregnant.findData(False))
    qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    # pregnancy only: the questions left blank are not recorded as "none reported" unless
    # the patient went through every one ("confirmed every answer", below)
    assert panel.result.text() == "1 answer recorded."
    assert not panel.kept.isHidden()
    assert f"Pregnant or nursing (given {day(ago(10))})" in panel.kept.text()
    assert pregnant.currentData() is True  # the newer answer is still the one shown
    assert "Pregnant or nursing" in chart.banner.text() and chart.banner_tone == "alert"
    assert f"{day(ago(60))}: no" in pregnant.toolTip()


def test_old_answers_are_flagged_and_re_confirmed_with_the_forms_date(qtbot, nobody):
    intake.record_answers(staff("frontdesk"), nobody.id, {
        "pregnant_or_nursing": False, "medications": "None", "allergies": "Latex"},
        answered_on=ago(200))
    chart = _chart(qtbot, "frontdesk", nobody.id)
    notice = (f"Re-confirm before treating (over 6 months old): pregnancy, medications given "
              f"{day(ago(200))}")
    assert notice in chart.banner.text()
    panel = chart.show_tab("intake")
    assert panel.given["pregnant_or_nursing"].text() == f"⚠ confirmed on {day(ago(200))}"
    assert "review period (6 months)" in panel.given["pregnant_or_nursing"].toolTip()
    assert panel.given["allergies"].text() == f"confirmed on {day(ago(200))}"  # slow to change
    assert panel.given["keloids"].text() == ""  # never answered
    # the patient went through the form again two days ago: nothing changed
    panel.answered_on.setDate(QDate(ago(2).year, ago(2).month, ago(2).day))
    panel.confirm_all.setChecked(True)
    qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    # the three on file re-confirmed; blank conditions and prior treatments now "none"
    assert panel.result.text() == "2 answers recorded, 3 re-confirmed."
    assert panel.given["pregnant_or_nursing"].text() == f"confirmed on {day(ago(2))}"
    assert "Re-confirm" not in chart.banner.text()
    assert f"{day(ago(2))}: confirmed" in panel.fields["pregnant_or_nursing"].toolTip()
    assert not panel.confirm_all.isChecked()
    assert intake.current_answers(staff("frontdesk"), nobody.id)[
        "medications"].answered_on == ago(2)


def test_the_booking_dialog_says_there_is_no_history(qtbot, nobody):
    start = dt.datetime.combine(TODAY + dt.timedelta(days=45), dt.time(10))
    dialog = BookingDialog(staff("frontdesk"), start, provider_id=staff("injector").id)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.picker.set_patient(nobody.id, nobody.last_name)
    assert not dialog.alerts.isHidden()
    assert "No medical history on file" in dialog.alerts.text()
    assert "#fff4d6" in dialog.alerts.styleSheet()  # amber


def test_the_day_sheet_prints_no_history_for_the_patient(nobody):
    day_ = TODAY + dt.timedelta(days=60)
    while day_.weekday() >= 5:
        day_ += dt.timedelta(days=1)
    start = dt.datetime.combine(day_, dt.time(9))
    appointments.book_appointment(staff("frontdesk"), appointments.AppointmentInput(
        nobody.id, Service.get(Service.name == "Botox Cosmetic").id, staff("injector").id,
        start, start + dt.timedelta(minutes=30), Room.get(Room.name == "Room 1").id))
    text = pdf_text(day_sheet_pdf(staff("frontdesk"), day_, staff("injector").id))
    assert nobody.last_name in text
    assert "No medical history on file" in text


def test_clinic_settings_set_the_review_period_and_toxin_interval(qtbot, admin):
    dialog = ClinicSettingsDialog(staff("admin"))
    qtbot.addWidget(dialog)
    dialog.show()
    assert (dialog.review_days.value(), dialog.toxin_days.value()) == (180, 90)
    dialog.review_days.setValue(120)
    dialog.toxin_days.setValue(84)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == dialog.DialogCode.Accepted
    assert (clinical_periods.intake_review_days(), clinical_periods.toxin_interval_days()) == (
        120, 84)


def test_saving_the_form_records_only_what_was_answered(qtbot, nobody):
    """A question nobody touched is not recorded as "none reported": opening the history and
    pressing Save writes nothing; an answer typed is the only one written."""
    chart = _chart(qtbot, "frontdesk", nobody.id)
    panel = chart.show_tab("intake")
    qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    assert panel.result.text() == "Nothing changed."
    assert intake.current_answers(staff("frontdesk"), nobody.id) == {}
    qtbot.keyClicks(panel.fields["allergies"], "Latex")
    qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    assert panel.result.text() == "1 answer recorded."
    assert {k: a.value for k, a in intake.current_answers(
        staff("frontdesk"), nobody.id).items()} == {"allergies": "Latex"}
    # cleared on purpose, it is recorded as "none reported" (an empty answer), not skipped
    panel.fields["allergies"].clear()
    qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    assert intake.current_answers(staff("frontdesk"), nobody.id)["allergies"].value == ""
