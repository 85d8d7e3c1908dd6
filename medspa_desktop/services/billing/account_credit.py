"""Credit on account: money the clinic holds for a patient — the part of a payment above what
was due that the patient kept instead of taking change, a refund given "to credit" instead of
to the original method, or a goodwill credit (an admin or the medical director, with a reason).
It pays invoices as the payment method "Account credit", never beyond what is held; refunding
such a payment (or voiding its invoice) puts the credit back. An admin or the medical director
can pay it out (cash from the drawer, or a refund to a card in the clinic's own terminal), with
a reason, never more than is held: money out in the daily close, not a refund of a sale.

One append-only ledger per patient (``AccountCredit``); the balance is always the sum of its
history. Credit is a liability, not a sale: the daily close counts credit given apart from
sales, and credit spent as a payment method (``issued_cents``, ``outstanding_cents``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import fn

from ...store.database import db, for_update
from ...store.models import AccountCredit, Invoice, Patient, Payment, User
from ..charts.patients import chart_ids, kept_chart
from ..platform import audit, changes, limits
from ..platform.errors import NotFound, ValidationError
from ..platform.permissions import require
from ..platform.text import required_reason
from ..platform.vocabulary import CreditKind, PaymentMethod
from .money import show_cents

# the most one goodwill credit may be (a typo of an extra zero is refused)
MAX_GOODWILL_CENTS = 1_000_000
GIVEN = (CreditKind.OVERPAYMENT, CreditKind.REFUND, CreditKind.GOODWILL)


def held_cents(patient_id: int) -> int:
    """The patient's credit on account now (their chart and the duplicates merged into it)."""
    return (AccountCredit.select(fn.SUM(AccountCredit.amount_cents))
            .where(AccountCredit.patient.in_(chart_ids(kept_chart(patient_id)))).scalar() or 0)


def balance_cents(actor: User, patient_id: int) -> int:
    """What the patient holds as credit on account."""
    require(actor, "billing.read")
    return held_cents(patient_id)


@dataclass(frozen=True)
class CreditRow:
    at: dt.datetime
    kind: str  # CreditKind
    what: str  # its label
    amount_cents: int  # signed: + given, − spent
    balance_cents: int  # the credit held after this movement
    invoice: int | None  # the invoice number it came from or paid
    reason: str
    by: str


def ledger(actor: User, patient_id: int) -> list[CreditRow]:
    """Every movement of the patient's credit, newest first, with the balance after each."""
    require(actor, "billing.read")
    rows = list(AccountCredit.select(AccountCredit, User.display_name)
                .join(User, on=AccountCredit.user == User.id)
                .where(AccountCredit.patient.in_(chart_ids(kept_chart(patient_id))))
                .order_by(AccountCredit.at, AccountCredit.id))
    payment_ids = [row.payment_id for row in rows if row.payment_id is not None]
    numbers = dict(Payment.select(Payment.id, Invoice.number)
                   .join(Invoice, on=Payment.invoice == Invoice.id)
                   .where(Payment.id.in_(payment_ids)).tuples()) if payment_ids else {}
    out, running = [], 0
    for row in rows:
        running += row.amount_cents
        out.append(CreditRow(row.at, row.kind, CreditKind.label_of(row.kind), row.amount_cents,
                             running, numbers.get(row.payment_id), row.reason,
                             row.user.display_name))
    return out[::-1]


def _lock(patient_id: int) -> None:
    """One movement of a patient's credit at a time (PostgreSQL; SQLite has one writer)."""
    for_update(Patient.select(Patient.id).where(Patient.id == patient_id)).first()


def add(actor: User, patient_id: int, kind: str, amount_cents: int, *,
        payment: Payment | None = None, reason: str = "",
        now: dt.datetime) -> AccountCredit:
    """A movement, inside the caller's transaction (checkout's own services call this)."""
    patient_id = kept_chart(patient_id)
    _lock(patient_id)
    if amount_cents < 0 and held_cents(patient_id) + amount_cents < 0:
        raise ValidationError(f"The patient has only {show_cents(held_cents(patient_id))} "
                              "credit on account.")
    row = AccountCredit.create(patient=patient_id, kind=kind, amount_cents=amount_cents,
                               payment=payment.id if payment else None, reason=reason,
                               user=actor, at=now)
    changes.note("credit", patient_id)
    return row


def check_spend(patient_id: int, amount_cents: int) -> None:
    """Refuse paying more from the credit than the patient holds (before anything is written)."""
    held = held_cents(patient_id)
    if amount_cents > held:
        raise ValidationError(
            f"The patient has {show_cents(held)} credit on account: "
            f"{show_cents(amount_cents)} cannot be paid from it." if held else
            "The patient has no credit on account.")


def give_goodwill(actor: User, patient_id: int, amount_cents: int, reason: str,
                  now: dt.datetime | None = None) -> AccountCredit:
    """A goodwill credit (an apology, a price matched): an admin or the medical director, with
    the reason, audited."""
    require(actor, "credit.goodwill")
    reason = required_reason(reason, "the goodwill credit", limits.REASON)
    if amount_cents <= 0:
        raise ValidationError("A goodwill credit must be more than zero.")
    if amount_cents > MAX_GOODWILL_CENTS:
        raise ValidationError(f"A goodwill credit can be at most "
                              f"{show_cents(MAX_GOODWILL_CENTS)}.")
    now = (now or dt.datetime.now()).replace(microsecond=0)
    with db.atomic():
        patient = Patient.get_or_none(Patient.id == patient_id)
        if patient is None:
            raise NotFound("That patient does not exist.")
        row = add(actor, patient.id, CreditKind.GOODWILL, amount_cents, reason=reason, now=now)
        audit.record(actor, "credit.goodwill", "patient", row.patient_id,
                     f"{show_cents(amount_cents)}: {reason}"[:500])
    return row


PAYOUT_KINDS = {PaymentMethod.CASH: CreditKind.PAYOUT_CASH,
                PaymentMethod.CARD: CreditKind.PAYOUT_CARD}


PAID_OUT = tuple(PAYOUT_KINDS.values())


def pay_out(actor: User, patient_id: int, amount_cents: int, method: str, reason: str,
            now: dt.datetime | None = None) -> AccountCredit:
    """Give the patient their credit on account back as money — cash from the drawer or a
    refund to their card in the clinic's own terminal: an admin or the medical director, with
    the reason, audited, never more than is held. The patient's credit is locked and its
    balance read again inside the transaction, so two desks paying out the same credit at
    once cannot both do it."""
    require(actor, "credit.payout")
    reason = required_reason(reason, "paying the credit out", limits.REASON)
    kind = PAYOUT_KINDS.get(method)
    if kind is None:
        raise ValidationError("Credit on account is paid out in cash or to a card.")
    if amount_cents <= 0:
        raise ValidationError("The amount paid out must be more than zero.")
    now = (now or dt.datetime.now()).replace(microsecond=0)
    with db.atomic():
        patient = Patient.get_or_none(Patient.id == patient_id)
        if patient is None:
            raise NotFound("That patient does not exist.")
        row = add(actor, patient.id, kind, -amount_cents, reason=reason, now=now)
        audit.record(actor, "credit.payout", "patient", row.patient_id,
                     f"{show_cents(amount_cents)} {CreditKind.label_of(kind).lower()}: "
                     f"{reason}"[:500])
    return row


def issued_cents(start: dt.datetime, end: dt.datetime) -> int:
    """Credit given in [start, end): overpayments kept, refunds to credit, goodwill — money
    the clinic now holds for patients, not a sale. One query."""
    return (AccountCredit.select(fn.SUM(AccountCredit.amount_cents))
            .where(AccountCredit.at >= start, AccountCredit.at < end,
                   AccountCredit.kind.in_(GIVEN)).scalar() or 0)


def outstanding_cents(actor: User, as_of: dt.datetime | None = None) -> int:
    """Every patient's credit on account together at ``as_of`` (now): what the clinic owes
    its patients (a liability on the books)."""
    require(actor, "billing.read")
    query = AccountCredit.select(fn.SUM(AccountCredit.amount_cents))
    if as_of is not None:
        query = query.where(AccountCredit.at < as_of)
    return query.scalar() or 0
