"""What the Billing tab lists and the daily close adds up: invoices filtered by date, patient,
provider and status (with what is paid and due), a patient's account, and a day's close —
sales by category, provider and payment method, tax, tips, refunds, voids, and the cash that
should be in the drawer against what was counted."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from peewee import JOIN, fn

from ..store.database import db
from ..store.models import CATEGORIES, Invoice, InvoiceLine, Patient, Payment, Service, User
from . import audit
from .billing import METHODS
from .permissions import require
from .query import between_days, day_bounds, patient_named

# Sales by category: services by their category, the rest by what they are. A gift card sold
# is not a sale but money taken for care given later: it is counted apart, and the care it
# pays for counts as a sale when it is given.
KIND_LABELS = {"product": "Retail", "package": "Packages"}


@dataclass(frozen=True)
class InvoiceFilter:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    patient: str = ""  # any part of the name
    provider_id: int | None = None
    status: str | None = None  # open | paid | void
    patient_id: int | None = None


@dataclass(frozen=True)
class InvoiceRow:
    id: int
    number: int
    issued_at: dt.datetime
    patient_id: int
    patient: str
    provider: str
    total_cents: int
    paid_cents: int  # kept: payments less refunds
    balance_cents: int  # due: the total less the payments taken (a refund never reopens it)
    status: str


def _money_by_invoice(ids: list[int]) -> dict[int, tuple[int, int]]:
    """(payments taken, refunds given) per invoice, in one query."""
    sums: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    if ids:
        for invoice_id, kind, amount in (Payment.select(Payment.invoice, Payment.kind,
                                                        fn.SUM(Payment.amount_cents))
                                         .where(Payment.invoice.in_(ids))
                                         .group_by(Payment.invoice, Payment.kind).tuples()):
            sums[invoice_id][0 if kind == "payment" else 1] += amount
    return {k: (v[0], v[1]) for k, v in sums.items()}


def invoices(actor: User, f: InvoiceFilter = InvoiceFilter(), *, offset: int = 0,
             limit: int = 200) -> list[InvoiceRow]:
    """Invoices, newest first, filtered in the database; two queries per page."""
    require(actor, "billing.read")
    provider = User.alias()
    q = (Invoice.select(Invoice.id, Invoice.number, Invoice.issued_at, Patient.id,
                        Patient.first_name, Patient.last_name, provider.display_name,
                        Invoice.total_cents, Invoice.status)
         .join(Patient, on=Invoice.patient == Patient.id)
         .switch(Invoice).join(provider, JOIN.LEFT_OUTER, on=Invoice.provider == provider.id))
    q = between_days(q, Invoice.issued_at, f.date_from, f.date_to)
    if f.provider_id:
        q = q.where(Invoice.provider == f.provider_id)
    if f.status:
        q = q.where(Invoice.status == f.status)
    if f.patient_id:
        q = q.where(Invoice.patient == f.patient_id)
    q = patient_named(q, f.patient)
    rows = list(q.order_by(Invoice.issued_at.desc(), Invoice.number.desc())
                .offset(offset).limit(limit).tuples())
    money = _money_by_invoice([r[0] for r in rows])
    out = []
    for iid, number, at, pid, first, last, who, total, status in rows:
        taken, given_back = money.get(iid, (0, 0))
        out.append(InvoiceRow(iid, number, at, pid, f"{last}, {first}", who or "", total,
                              taken - given_back, 0 if status == "void" else total - taken,
                              status))
    return out


def account_balance(actor: User, patient_id: int) -> int:
    """What the patient owes across their invoices that are not void."""
    require(actor, "billing.read")
    ids = [i for (i,) in Invoice.select(Invoice.id).where(Invoice.patient == patient_id,
                                                          Invoice.status != "void").tuples()]
    totals = (Invoice.select(fn.SUM(Invoice.total_cents)).where(Invoice.id.in_(ids))
              .scalar() or 0) if ids else 0
    return totals - sum(taken for taken, _back in _money_by_invoice(ids).values())


@dataclass(frozen=True)
class DailyClose:
    day: dt.date
    invoices: int  # issued that day (a void one too; it comes off on the day it was voided)
    by_category: tuple[tuple[str, int], ...]  # net sales (after discounts, before tax)
    by_provider: tuple[tuple[str, int], ...]
    by_method: tuple[tuple[str, int], ...]  # payments less refunds, taken that day
    sales_cents: int
    tax_cents: int
    tips_cents: int
    gift_cards_sold_cents: int
    refunds: tuple[tuple[int, str, int, str], ...]  # (invoice number, method, cents, reason)
    voids: tuple[tuple[int, int, str], ...]  # (invoice number, total, reason)
    cash_expected_cents: int
    cash_counted_cents: int | None
    printed_by: str = ""

    @property
    def cash_difference_cents(self) -> int | None:
        if self.cash_counted_cents is None:
            return None
        return self.cash_counted_cents - self.cash_expected_cents


def daily_close(actor: User, day: dt.date, cash_counted_cents: int | None = None,
                *, record: bool = True) -> DailyClose:
    """The day's takings. Invoices count as sales on the day they were issued and come off on
    the day they were voided; payments and refunds count on the day they were taken."""
    require(actor, "billing.read")
    start, end = day_bounds(day)
    # Each invoice counts on the day it was issued, void or not, and comes off again on the
    # day it was voided: a day's close reads the same whenever it is printed.
    issued = list(Invoice.select().where(Invoice.issued_at >= start, Invoice.issued_at < end))
    voided = list(Invoice.select().where(Invoice.voided_at >= start, Invoice.voided_at < end)
                  .order_by(Invoice.number))
    signed = [(i, 1) for i in issued] + [(i, -1) for i in voided]
    sign_of = {i.id: 0 for i, _ in signed}
    for i, sign in signed:
        sign_of[i.id] += sign
    by_category: dict[str, int] = defaultdict(int)
    gift_cards: dict[int, int] = defaultdict(int)  # sold, per invoice
    if sign_of:
        lines = (InvoiceLine.select(InvoiceLine.invoice, InvoiceLine.kind, Service.category,
                                    InvoiceLine.gross_cents - InvoiceLine.discount_cents)
                 .join(Service, JOIN.LEFT_OUTER, on=InvoiceLine.service == Service.id)
                 .where(InvoiceLine.invoice.in_(list(sign_of))).tuples())
        for invoice_id, kind, category, net in lines:
            if kind == "gift_card":
                gift_cards[invoice_id] += net
                continue
            label = KIND_LABELS.get(kind) or CATEGORIES.get(category, "Other")
            by_category[label] += sign_of[invoice_id] * net
    by_provider: dict[str, int] = defaultdict(int)
    names = {u.id: u.display_name for u in User.select()}
    for invoice, sign in signed:
        by_provider[names.get(invoice.provider_id, "No provider")] += sign * (
            invoice.subtotal_cents - invoice.discount_cents - gift_cards[invoice.id])
    by_method: dict[str, int] = defaultdict(int)
    refunds = []
    cash = 0
    for p in (Payment.select(Payment, Invoice).join(Invoice)
              .where(Payment.at >= start, Payment.at < end).order_by(Payment.at)):
        amount = p.amount_cents if p.kind == "payment" else -p.amount_cents
        by_method[METHODS.get(p.method, p.method)] += amount
        if p.method == "cash":
            cash += amount
        if p.kind == "refund":
            refunds.append((p.invoice.number, METHODS.get(p.method, p.method), p.amount_cents,
                            p.reason))
    voids = tuple((i.number, i.total_cents, i.void_reason) for i in voided)
    close = DailyClose(
        day, len(issued), tuple(sorted((k, v) for k, v in by_category.items() if v)),
        tuple(sorted((k, v) for k, v in by_provider.items() if v)),
        tuple(sorted(by_method.items())), sum(by_category.values()),
        sum(sign * i.tax_cents for i, sign in signed),
        sum(sign * i.tip_cents for i, sign in signed),
        sum(sign * gift_cards[i.id] for i, sign in signed), tuple(refunds),
        voids, cash, cash_counted_cents, actor.display_name)
    if record:
        with db.atomic():
            audit.record(actor, "report.daily_close", "day", str(day),
                         f"expected cash {cash}" + (f", counted {cash_counted_cents}"
                                                    if cash_counted_cents is not None else ""))
    return close
