"""What the Billing tab lists and the daily close and sales report add up: invoices filtered
by date, patient, provider and status (with what is paid and due), a patient's account, a
day's close — sales by category, provider and payment method, tax, tips, refunds, voids, and
the cash that should be in the drawer against what was counted — and the same sections for
any period up to a year (typically a month), with a row per day.

Both reports add up one function over a range of datetimes (``_takings``): a fixed number of
queries, each a range on an indexed column (``Invoice.issued_at``, ``Invoice.voided_at``,
``Payment.at``)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from peewee import JOIN, Case, fn

from ...store.database import db
from ...store.models import (
    CATEGORIES,
    AccountCredit,
    Invoice,
    InvoiceLine,
    Patient,
    Payment,
    Service,
    User,
)
from ..charts.patients import chart_ids
from ..platform import audit
from ..platform.errors import ValidationError
from ..platform.permissions import require
from ..platform.query import between_days, day_bounds, patient_named
from ..platform.vocabulary import InvoiceStatus, PaymentKind, PaymentMethod
from . import account_credit
from .invoices import METHODS

# Sales by category: services by their category, the rest by what they are. A gift card sold
# is not a sale but money taken for care given later: it is counted apart, and the care it
# pays for counts as a sale when it is given. A member's monthly dues are sales, a line of
# their own; credit on account given is not (``Takings.credit_issued_cents``).
KIND_LABELS = {"product": "Retail", "package": "Packages", "membership": "Memberships"}


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
            sums[invoice_id][0 if kind == PaymentKind.PAYMENT else 1] += amount
    return {k: (v[0], v[1]) for k, v in sums.items()}


def _filtered(q, f: InvoiceFilter):
    """``q`` (over Invoice joined to Patient) narrowed to what the filter selects."""
    q = between_days(q, Invoice.issued_at, f.date_from, f.date_to)
    if f.provider_id:
        q = q.where(Invoice.provider == f.provider_id)
    if f.status:
        q = q.where(Invoice.status == f.status)
    if f.patient_id:
        q = q.where(Invoice.patient.in_(chart_ids(f.patient_id)))
    return patient_named(q, f.patient)


def invoices(actor: User, f: InvoiceFilter = InvoiceFilter(), *, offset: int = 0,
             limit: int = 200) -> list[InvoiceRow]:
    """Invoices, newest first, filtered in the database; two queries per page."""
    require(actor, "billing.read")
    provider = User.alias()
    q = _filtered(Invoice.select(Invoice.id, Invoice.number, Invoice.issued_at, Patient.id,
                                 Patient.first_name, Patient.last_name, provider.display_name,
                                 Invoice.total_cents, Invoice.status)
                  .join(Patient, on=Invoice.patient == Patient.id)
                  .switch(Invoice).join(provider, JOIN.LEFT_OUTER,
                                        on=Invoice.provider == provider.id), f)
    rows = list(q.order_by(Invoice.issued_at.desc(), Invoice.number.desc())
                .offset(offset).limit(limit).tuples())
    money = _money_by_invoice([r[0] for r in rows])
    out = []
    for iid, number, at, pid, first, last, who, total, status in rows:
        taken, given_back = money.get(iid, (0, 0))
        out.append(InvoiceRow(iid, number, at, pid, f"{last}, {first}", who or "", total,
                              taken - given_back,
                              0 if status == InvoiceStatus.VOID else total - taken, status))
    return out


def amount_due(actor: User, f: InvoiceFilter = InvoiceFilter()) -> int:
    """What every invoice the filter selects still owes (as ``InvoiceRow.balance_cents``
    adds up, not only the rows a list has loaded); two queries. Only open invoices owe (an
    invoice is paid exactly when nothing is due), and they are few: found by the status
    index, not by reading years of invoices."""
    require(actor, "billing.read")
    owing = _filtered(Invoice.select(Invoice.id).join(Patient, on=Invoice.patient == Patient.id),
                      f).where(Invoice.status == InvoiceStatus.OPEN)
    totals = (Invoice.select(fn.SUM(Invoice.total_cents)).where(Invoice.id.in_(owing))
              .scalar() or 0)
    taken = (Payment.select(fn.SUM(Payment.amount_cents))
             .where(Payment.kind == PaymentKind.PAYMENT, Payment.invoice.in_(owing)).scalar() or 0)
    return totals - taken


def account_balance(actor: User, patient_id: int) -> int:
    """What the patient owes across their invoices that are not void."""
    require(actor, "billing.read")
    ids = [i for (i,) in Invoice.select(Invoice.id).where(
        Invoice.patient.in_(chart_ids(patient_id)), Invoice.status != InvoiceStatus.VOID).tuples()]
    totals = (Invoice.select(fn.SUM(Invoice.total_cents)).where(Invoice.id.in_(ids))
              .scalar() or 0) if ids else 0
    return totals - sum(taken for taken, _back in _money_by_invoice(ids).values())


# The longest period one sales report adds up: a year, leap day included.
MAX_REPORT_DAYS = 366


@dataclass(frozen=True)
class SalesDay:
    """One day of a sales report."""

    day: dt.date
    invoices: int  # issued that day (a void one too)
    sales_cents: int  # net sales of the invoices issued that day, less those voided that day
    payments_cents: int  # payments taken that day less refunds given


@dataclass(frozen=True)
class Takings:
    """What the invoices and payments of a period add up to: the sections a daily close and a
    sales report share. Invoices count as sales when they were issued and come off when they
    were voided; payments and refunds count when they were taken."""

    invoices: int  # issued in the period (a void one too)
    by_category: tuple[tuple[str, int], ...]  # net sales (after discounts, before tax)
    by_provider: tuple[tuple[str, int], ...]
    by_method: tuple[tuple[str, int], ...]  # payments less refunds
    sales_cents: int
    tax_cents: int
    tips_cents: int
    gift_cards_sold_cents: int
    refunds: tuple[tuple[int, str, int, str], ...]  # (invoice number, method, cents, reason)
    voids: tuple[tuple[int, int, str], ...]  # (invoice number, total, reason)
    cash_cents: int  # cash taken less cash given back
    days: tuple[SalesDay, ...]  # every day of the period, in order
    # credit on account given (overpayments kept, refunds to credit, goodwill): money held for
    # patients, not a sale; credit spent is the payment method "Account credit"
    credit_issued_cents: int = field(default=0, kw_only=True)
    # credit on account spent on invoices (less credit payments refunded back to it)
    credit_used_cents: int = field(default=0, kw_only=True)
    # every patient's credit on account at the period's end (the close and the sales report)
    credit_held_cents: int = field(default=0, kw_only=True)
    # credit on account paid out to patients, money out: (method, cents); the cash came out
    # of the drawer (``cash_cents`` is net of it). The reasons are in each patient's ledger.
    credit_paid_out: tuple[tuple[str, int], ...] = field(default=(), kw_only=True)


class _Counted(NamedTuple):
    """An invoice as a report counts it, on the day it was issued or voided."""

    id: int
    number: int
    provider_id: int | None
    provider: str | None
    subtotal_cents: int
    discount_cents: int
    tax_cents: int
    tip_cents: int
    total_cents: int
    void_reason: str
    at: dt.datetime  # when it was issued, or voided


class SaleLine(NamedTuple):
    """A line of an invoice that counts in a period: its invoice, the service's category
    (None for a product, a package or a gift card) and its net (after discounts, before tax)."""

    invoice_id: int
    kind: str  # service | product | package | gift_card
    category: str | None
    net_cents: int
    service: str | None = None  # the service's name (sales by service)


@dataclass(frozen=True)
class Counted:
    """The rows every sales figure adds up (the daily close, the sales report, the Reports
    tab): the invoices that count in a period, each with its sign (+1 on the day it was
    issued, −1 on the day it was voided; one voided the day it was issued is in twice), and
    the lines of those invoices."""

    issued: list[_Counted]
    voided: list[_Counted]
    lines: list[SaleLine]

    @property
    def signed(self) -> list[tuple[_Counted, int]]:
        return [(i, 1) for i in self.issued] + [(i, -1) for i in self.voided]


def counted_sales(start: dt.datetime, end: dt.datetime) -> Counted:
    """The invoices and lines that count in [start, end): the invoices issued or voided in
    it, each with its lines, in one query (two ranges on indexed columns, however many
    invoices the clinic has issued; on a clinic's server every query is a round trip)."""
    provider = User.alias()
    in_period = (((Invoice.issued_at >= start) & (Invoice.issued_at < end))
                 | ((Invoice.voided_at >= start) & (Invoice.voided_at < end)))
    rows = (Invoice.select(Invoice.id, Invoice.number, Invoice.provider, provider.display_name,
                           Invoice.subtotal_cents, Invoice.discount_cents, Invoice.tax_cents,
                           Invoice.tip_cents, Invoice.total_cents, Invoice.void_reason,
                           Invoice.issued_at, Invoice.voided_at, InvoiceLine.kind,
                           Service.category,
                           InvoiceLine.gross_cents - InvoiceLine.discount_cents, Service.name)
            .join(provider, JOIN.LEFT_OUTER, on=Invoice.provider == provider.id)
            .switch(Invoice).join(InvoiceLine, JOIN.LEFT_OUTER,
                                  on=InvoiceLine.invoice == Invoice.id)
            .join(Service, JOIN.LEFT_OUTER, on=InvoiceLine.service == Service.id)
            .where(in_period).tuples())
    issued: dict[int, _Counted] = {}
    voided: dict[int, _Counted] = {}
    lines = []
    for (iid, number, provider_id, who, subtotal, discount, tax, tip, total, reason,
         issued_at, voided_at, kind, category, net, service) in rows:
        head = (iid, number, provider_id, who, subtotal, discount, tax, tip, total, reason)
        if iid not in issued and start <= issued_at < end:
            issued[iid] = _Counted(*head, issued_at)
        if iid not in voided and voided_at is not None and start <= voided_at < end:
            voided[iid] = _Counted(*head, voided_at)
        if kind is not None:
            lines.append(SaleLine(iid, kind, category, net, service))
    # sorted here: with ORDER BY number SQLite may walk the number index over every invoice
    # instead of seeking the ranges
    return Counted(sorted(issued.values(), key=lambda i: i.number),
                   sorted(voided.values(), key=lambda i: i.number), lines)


def _takings(start: dt.datetime, end: dt.datetime, counted: Counted | None = None,
             held: bool = False) -> Takings:
    """The takings of [start, end) (midnights): three queries however many invoices there are
    (two when given the ``counted_sales`` of the same period, which a report also reads);
    ``held``: with the credit on account all patients hold at ``end``.

    Each invoice counts on the day it was issued, void or not, and comes off again on the day
    it was voided: a period's figures read the same whenever they are printed."""
    counted = counted if counted is not None else counted_sales(start, end)
    issued, voided = counted.issued, counted.voided
    signed = counted.signed
    sign_of: dict[int, int] = defaultdict(int)
    for invoice, sign in signed:
        sign_of[invoice.id] += sign
    lines = counted.lines
    by_category: dict[str, int] = defaultdict(int)
    gift_cards: dict[int, int] = defaultdict(int)  # sold, per invoice
    net_sales: dict[int, int] = defaultdict(int)  # per invoice
    for invoice_id, kind, category, net, _service in lines:
        if kind == "gift_card":
            gift_cards[invoice_id] += net
            continue
        label = KIND_LABELS.get(kind) or CATEGORIES.get(category, "Other")
        by_category[label] += sign_of[invoice_id] * net
        net_sales[invoice_id] += net
    by_provider: dict[str, int] = defaultdict(int)
    # per day: [invoices issued, net sales, payments less refunds]
    days = {start.date() + dt.timedelta(days=n): [0, 0, 0]
            for n in range((end.date() - start.date()).days)}
    for invoice in issued:
        days[invoice.at.date()][0] += 1
    for invoice, sign in signed:
        by_provider[invoice.provider or "No provider"] += sign * (
            invoice.subtotal_cents - invoice.discount_cents - gift_cards[invoice.id])
        days[invoice.at.date()][1] += sign * net_sales[invoice.id]
    by_method: dict[str, int] = defaultdict(int)
    refunds = []
    cash = 0
    payments = (Payment.select(Payment.at, Payment.kind, Payment.method,
                               Payment.amount_cents + Payment.credit_cents, Payment.reason,
                               Invoice.number)
                .join(Invoice, on=Payment.invoice == Invoice.id)
                .where(Payment.at >= start, Payment.at < end)
                .order_by(Payment.at, Payment.id).tuples())
    for at, kind, method, cents, reason, number in payments:
        amount = cents if kind == PaymentKind.PAYMENT else -cents
        by_method[METHODS.get(method, method)] += amount
        days[at.date()][2] += amount
        if method == PaymentMethod.CASH:
            cash += amount
        if kind == PaymentKind.REFUND:
            refunds.append((number, METHODS.get(method, method), cents, reason))
    credit = _credit(start, end, held)
    paid_out = credit.pop("paid_out")
    cash -= paid_out.get(PaymentMethod.CASH, 0)
    return Takings(
        len(issued), tuple(sorted((k, v) for k, v in by_category.items() if v)),
        tuple(sorted((k, v) for k, v in by_provider.items() if v)),
        tuple(sorted(by_method.items())), sum(by_category.values()),
        sum(sign * i.tax_cents for i, sign in signed),
        sum(sign * i.tip_cents for i, sign in signed),
        sum(sign * gift_cards[i.id] for i, sign in signed), tuple(refunds),
        tuple((i.number, i.total_cents, i.void_reason) for i in voided), cash,
        tuple(SalesDay(day, *row) for day, row in days.items()),
        **credit, credit_paid_out=tuple((METHODS.get(m, m), c) for m, c in paid_out.items()))


def _credit(start: dt.datetime, end: dt.datetime, held: bool) -> dict:
    """Credit on account given, used and paid out (per method) in [start, end) and, with
    ``held``, what all patients hold at ``end``: one query, a range on the ledger's date index (from the first movement
    with ``held``: the ledger is a few rows a day)."""
    amount = AccountCredit.amount_cents
    in_period = fn.SUM(Case(None, ((AccountCredit.at >= start, amount),), 0))
    query = (AccountCredit.select(AccountCredit.kind, in_period, fn.SUM(amount))
             .where(AccountCredit.at < end).group_by(AccountCredit.kind))
    if not held:
        query = query.where(AccountCredit.at >= start)
    rows = list(query.tuples())
    return {"credit_issued_cents": sum(p for kind, p, _all in rows
                                       if kind in account_credit.GIVEN),
            "credit_used_cents": -sum(p for kind, p, _all in rows  # paid out: money out
                                      if kind not in account_credit.GIVEN
                                      and kind not in account_credit.PAID_OUT),
            "credit_held_cents": sum(a for _kind, _p, a in rows) if held else 0,
            "paid_out": {method: -p for method, kind in account_credit.PAYOUT_KINDS.items()
                         for k, p, _all in rows if k == kind and p}}


@dataclass(frozen=True)
class DailyClose(Takings):
    """A day's takings, and the cash drawer: what should be in it against what was counted."""

    day: dt.date
    cash_counted_cents: int | None
    printed_by: str = ""

    @property
    def cash_expected_cents(self) -> int:
        return self.cash_cents

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
    t = _takings(start, end, held=True)
    close = DailyClose(**vars(t), day=day, cash_counted_cents=cash_counted_cents,
                       printed_by=actor.display_name)
    if record:
        with db.atomic():
            audit.record(actor, "report.daily_close", "day", str(day),
                         f"expected cash {t.cash_cents}" + (
                             f", counted {cash_counted_cents}"
                             if cash_counted_cents is not None else ""))
    return close


@dataclass(frozen=True)
class SalesReport(Takings):
    """The sales of a period (typically a month): the daily close's sections without the cash
    drawer, and a row per day (``days``, from ``date_from`` to ``date_to``)."""

    date_from: dt.date
    date_to: dt.date  # inclusive
    printed_by: str = ""


def check_period(date_from: dt.date, date_to: dt.date) -> None:
    """Refuse a period that ends before it starts or is longer than ``MAX_REPORT_DAYS``."""
    if date_to < date_from:
        raise ValidationError(f"The end date ({_day(date_to)}) is before the start date "
                              f"({_day(date_from)}). Choose an end date on or after the start "
                              "date.")
    days = (date_to - date_from).days + 1
    if days > MAX_REPORT_DAYS:
        raise ValidationError(f"A sales report covers at most a year ({MAX_REPORT_DAYS} "
                              f"days): {_day(date_from)} to {_day(date_to)} is {days:,} days. "
                              "Choose a shorter period.")


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def sales_report(actor: User, date_from: dt.date, date_to: dt.date, *,
                 record: bool = True) -> SalesReport:
    """The sales of ``date_from`` … ``date_to`` (inclusive), counted as the daily close counts
    them: its figures are the sums of the daily closes of those days."""
    require(actor, "billing.read")
    check_period(date_from, date_to)
    t = _takings(day_bounds(date_from)[0], day_bounds(date_to)[1], held=True)
    report = SalesReport(**vars(t), date_from=date_from, date_to=date_to,
                         printed_by=actor.display_name)
    if record:
        with db.atomic():
            audit.record(actor, "report.sales", "period", f"{date_from}..{date_to}",
                         f"sales {t.sales_cents}, {t.invoices} invoices")
    return report
