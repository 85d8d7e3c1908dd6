"""What is due when a patient checks in: money owed on earlier invoices (and the prepaid
credit they have), the consent the visit's treatment needs when it is missing or no longer
valid, and a medical history that is missing or due for review. Each rule lives where it
belongs (billing, ``consents.consent_policy``, ``charts.alerts``); this only gathers them for
the desk, so a patient with nothing due checks in with one click."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ...store.models import Invoice, User
from ..billing import account_credit, billing_reports, invoices, prepaid
from ..billing.money import show_cents
from ..charts import alerts
from ..charts.patients import chart_ids
from ..consents import consent_policy
from ..platform.permissions import allowed, require
from ..platform.vocabulary import InvoiceStatus
from . import appointments


@dataclass(frozen=True)
class DueAtCheckIn:
    appointment_id: int
    patient_id: int
    patient: str
    balance_cents: int  # owed across the patient's invoices (0 when nothing is)
    owing_invoices: tuple[int, ...]  # ids of the invoices with a balance, oldest first
    credit: tuple[str, ...]  # prepaid credit: "P12: 4 sessions left (Laser hair, underarms)"
    consent_key: str | None  # the consent the visit needs, when it needs one
    consent: str  # why that consent is not valid today; "" when it is (or none is needed)
    history: str  # the medical history notice; "" when the history is current
    credit_cents: int = 0  # the patient's credit on account (money held for them)

    @property
    def anything_due(self) -> bool:
        """Something the desk should see before checking in (credit alone is not due)."""
        return bool(self.balance_cents > 0 or self.consent or self.history)

    @property
    def balance_text(self) -> str:
        return f"Balance due {show_cents(self.balance_cents)}" if self.balance_cents > 0 else ""

    @property
    def credit_text(self) -> str:
        """The credit on account and the packages: "Credit on account: $20.00 · Prepaid:
        P12: 4 sessions left of …"."""
        parts = [f"Credit on account: {show_cents(self.credit_cents)}"] if self.credit_cents \
            else []
        if self.credit:
            parts.append("Prepaid: " + "; ".join(self.credit))
        return " · ".join(parts)

    @property
    def consent_text(self) -> str:
        """The consent policy's own sentence ("There is no signed neurotoxin consent on
        file.", "… signed on 2025-10-01, more than 12 months ago.")."""
        return self.consent


def _owing(patient_id: int) -> tuple[int, ...]:
    return tuple(invoice.id for invoice in Invoice.select().where(
        Invoice.patient.in_(chart_ids(patient_id)), Invoice.status == InvoiceStatus.OPEN)
        .order_by(Invoice.issued_at, Invoice.id) if invoices.balance_cents(invoice) > 0)


def due_at_check_in(actor: User, appointment_id: int,
                    now: dt.datetime | None = None) -> DueAtCheckIn:
    """What the desk should know as this visit checks in. Money is left out for a user who may
    not see bills."""
    require(actor, "schedule.read")
    row = appointments.get_appointment(actor, appointment_id)
    on = max(now or dt.datetime.now(), row.start)
    balance, owing, credit, held = 0, (), (), 0
    if allowed(actor, "billing.read"):
        balance = billing_reports.account_balance(actor, row.patient_id)
        if balance > 0:
            owing = _owing(row.patient_id)
        balance = max(balance, 0)
        held = account_credit.held_cents(row.patient_id)
        credit = tuple(f"{p.label}: {p.left} left of {p.service}"
                        for p in prepaid.patient_packages(actor, row.patient_id, on.date())
                        if p.usable)
    consent = ""
    if row.consent_key is not None:
        consent = consent_policy.missing_consent(actor, row.patient_id, row.consent_key, on)
    history = alerts.history_notice(actor, row.patient_id, on.date()) or ""
    return DueAtCheckIn(row.id, row.patient_id, row.patient, balance, owing, credit,
                        row.consent_key, consent, history, held)
