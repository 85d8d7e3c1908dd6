"""Checking a patient in from the schedule: what is due shows in the check-in panel (money
owed, an expired consent, a medical history to re-confirm), each with a button to deal with it
there; a patient with nothing due checks in with one click, no panel."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from medspa_desktop.services.billing import invoices
from medspa_desktop.services.charts import intake, patients
from medspa_desktop.services.consents import consent_templates, signing
from medspa_desktop.services.platform import auth
from medspa_desktop.services.platform.png import grey_png
from medspa_desktop.services.scheduling import appointments
from medspa_desktop.store.models import Appointment, Consent, Room, Service
from medspa_desktop.ui.schedule.check_in import CheckInDialog
from medspa_desktop.ui.schedule.tab import ScheduleTab
from tests.conftest import give_consent
from tests.ui.modal import answer_next_modal
from tests.ui.test_consents import fill_and_sign

TODAY = dt.date.today()
HISTORY = {"pregnant_or_nursing": False, "medications": "none", "anticoagulants": False}


@pytest.fixture
def desk(admin):
    """The front desk, and Ann booked for Botox with Dr Lee today at 10:00."""
    frontdesk = auth.create_user(admin, auth.UserInput("desk", "Dee Desk", "front_desk",
                                                       "long-enough"))
    lee = auth.create_user(admin, auth.UserInput("lee", "Mia Lee", "medical_director",
                                                 "long-enough", "Dr Lee", "MD"))
    ann = patients.create_patient(admin, patients.PatientInput("Ann", "Lee",
                                                               dt.date(1980, 1, 2)))
    start = dt.datetime.combine(TODAY, dt.time(10))
    appt = appointments.book_appointment(admin, appointments.AppointmentInput(
        ann.id, Service.get(Service.name == "Botox Cosmetic").id, lee.id, start,
        start + dt.timedelta(minutes=30), Room.get(Room.name == "Room 1").id),
        override_reason="the test's day")
    return frontdesk, appt


def schedule(qtbot, user) -> ScheduleTab:
    tab = ScheduleTab(user)
    qtbot.addWidget(tab)
    tab.set_day(TODAY)
    return tab


def test_nothing_due_checks_in_with_one_click(qtbot, admin, desk):
    frontdesk, appt = desk
    give_consent(admin, appt.patient_id, "neurotoxin")
    intake.save_intake(admin, appt.patient_id, HISTORY, TODAY)
    tab = schedule(qtbot, frontdesk)
    panels = []
    answer_next_modal(lambda widget: (panels.append(widget), widget.reject()), tries=10)
    tab._status(appt.id, "arrived")  # what "Mark arrived" does
    assert Appointment.get_by_id(appt.id).status == "arrived"
    qtbot.wait(300)
    assert panels == []  # no panel, no question


def test_an_expired_consent_old_history_and_a_balance_show_at_check_in(qtbot, admin, desk):
    frontdesk, appt = desk
    signed = dt.datetime.combine(TODAY - dt.timedelta(days=430), dt.time(11))
    signing.record_paper(admin, appt.patient_id,
                         consent_templates.current(admin, "neurotoxin").id, signed,
                         grey_png(20, 20))
    intake.save_intake(admin, appt.patient_id, HISTORY, TODAY - dt.timedelta(days=430))
    botox = Service.get(Service.name == "Botox Cosmetic")
    invoices.issue_invoice(admin, invoices.CheckoutInput(appt.patient_id, (
        invoices.LineDraft("service", "Botox Cosmetic", Decimal(10), 1200, botox.id),)))
    tab = schedule(qtbot, frontdesk)
    seen = {}

    def look_then_cancel(panel: CheckInDialog) -> None:
        seen["balance"] = panel.balance.label.text()
        seen["consent"] = panel.consent.label.text()
        seen["history"] = panel.history.label.text()
        seen["buttons"] = [r.button.text() for r in (panel.balance, panel.consent,
                                                     panel.history) if r.button.isVisible()]
        panel.cancel_button.click()

    answer_next_modal(look_then_cancel)
    tab._status(appt.id, "arrived")
    assert seen["balance"] == "Balance due $120.00"
    assert seen["consent"] == (f"The neurotoxin consent was signed on "
                               f"{signed:%Y-%m-%d}, more than 12 months ago.")
    assert seen["history"].startswith("Re-confirm before treating (over 6 months old)")
    assert seen["buttons"] == ["Take &payment…", "&Sign consent now…", "&Review history…"]
    assert Appointment.get_by_id(appt.id).status == "booked"  # Cancel: not checked in


def test_signing_the_consent_from_the_panel_then_checking_in(qtbot, admin, desk):
    frontdesk, appt = desk
    intake.save_intake(admin, appt.patient_id, HISTORY, TODAY)
    tab = schedule(qtbot, frontdesk)
    after_signing = {}

    def sign_then_check_in(panel: CheckInDialog) -> None:
        assert "There is no signed neurotoxin consent on file." in panel.consent.label.text()
        answer_next_modal(lambda dialog: fill_and_sign(qtbot, dialog))
        panel.consent.button.click()
        after_signing["text"] = panel.consent.label.text()
        after_signing["button"] = panel.consent.button.isVisible()
        panel.check_in_button.click()

    answer_next_modal(sign_then_check_in)
    tab._status(appt.id, "arrived")
    assert after_signing == {"text": "The consent is signed.", "button": False}
    assert Consent.get(Consent.patient == appt.patient_id).appointment_id == appt.id
    assert Appointment.get_by_id(appt.id).status == "arrived"
