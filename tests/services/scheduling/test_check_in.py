"""What the desk sees at check-in: money owed, prepaid credit, the consent the treatment
needs when it is missing or expired, and a medical history that is missing or due for
review; nothing at all for a patient who is up to date."""

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
from medspa_desktop.services.scheduling.check_in import due_at_check_in
from medspa_desktop.store.models import Room, Service
from tests.conftest import give_consent

TODAY = dt.date.today()
FRESH_HISTORY = {"pregnant_or_nursing": False, "medications": "none",
                 "anticoagulants": False}


@pytest.fixture
def visit(admin):
    """Ann's Botox visit today with Dr Lee, not yet checked in."""
    lee = auth.create_user(admin, auth.UserInput("lee", "Mia Lee", "medical_director",
                                                 "long-enough", "Dr Lee", "MD"))
    ann = patients.create_patient(admin, patients.PatientInput("Ann", "Lee",
                                                               dt.date(1980, 1, 2)))
    start = dt.datetime.combine(TODAY, dt.time(10))
    botox = Service.get(Service.name == "Botox Cosmetic")
    appt = appointments.book_appointment(admin, appointments.AppointmentInput(
        ann.id, botox.id, lee.id, start, start + dt.timedelta(minutes=30),
        Room.get(Room.name == "Room 1").id), override_reason="test day")
    return appt


def months_ago(months: int) -> dt.date:
    return TODAY - dt.timedelta(days=round(months * 30.5))


def test_an_up_to_date_patient_has_nothing_due(admin, visit):
    give_consent(admin, visit.patient_id, "neurotoxin")
    intake.save_intake(admin, visit.patient_id, FRESH_HISTORY, TODAY - dt.timedelta(days=3))
    due = due_at_check_in(admin, visit.id)
    assert not due.anything_due
    assert (due.balance_text, due.consent_text, due.history) == ("", "", "")


def test_an_expired_consent_an_old_history_and_an_unpaid_invoice_are_due(admin, visit):
    template = consent_templates.current(admin, "neurotoxin")
    signed = dt.datetime.combine(months_ago(14), dt.time(11))
    signing.record_paper(admin, visit.patient_id, template.id, signed, grey_png(20, 20))
    intake.save_intake(admin, visit.patient_id, FRESH_HISTORY, months_ago(14))
    botox = Service.get(Service.name == "Botox Cosmetic")
    owed = invoices.issue_invoice(admin, invoices.CheckoutInput(visit.patient_id, (
        invoices.LineDraft("service", "Botox Cosmetic", Decimal(10), 1200, botox.id),)))

    due = due_at_check_in(admin, visit.id)

    assert due.anything_due
    assert due.balance_cents == owed.total_cents and due.owing_invoices == (owed.id,)
    assert due.balance_text == f"Balance due ${owed.total_cents / 100:,.2f}"
    assert due.consent_text.startswith("The neurotoxin consent was signed on")
    assert f"signed on {signed:%Y-%m-%d}" in due.consent_text
    assert due.history.startswith("Re-confirm before treating (over 6 months old)")
    assert "pregnancy" in due.history


def test_no_consent_and_no_history_at_all_are_due(admin, visit):
    due = due_at_check_in(admin, visit.id)
    assert "There is no signed" in due.consent_text
    assert due.history == "No medical history on file"
    assert due.balance_cents == 0 and due.owing_invoices == () and due.credit == ()


def test_credit_on_account_shows_at_check_in_and_is_not_due(admin, visit):
    from medspa_desktop.services.billing import account_credit

    account_credit.give_goodwill(admin, visit.patient_id, 2000, "waited 40 minutes")
    due = due_at_check_in(admin, visit.id)
    assert due.credit_cents == 2000 and due.credit_text == "Credit on account: $20.00"
    assert due.balance_cents == 0 and due.owing_invoices == ()  # credit is not money due
