"""Memberships for the Reports tab and the sales report: members at each month's end, the
monthly recurring revenue (MRR), new and cancelled members per month, the dues invoiced and
collected; and, as they stand, the dues overdue, the credit on account held (a liability) and
the banked membership credits not yet used.

* A member is **active** on a day when their membership has started, is not cancelled and
  the month is not frozen; a **frozen** member is counted apart (no dues, no credits).
* **MRR** on a day: the monthly fees of the members active that day (each at the plan version
  they signed).
* **New**: memberships started in the month, and cancelled ones started again (reactivated);
  **cancelled**: cancellations that took effect in the month (a pending one counts when it
  takes effect).
* **Dues invoiced** count as the daily close counts sales (its "Memberships" line): on the
  day the invoice was issued, off again on the day it was voided. **Dues collected**: payments
  less refunds taken on dues invoices, on the day they were taken.

Every membership and its events are read once (a clinic has hundreds, not millions); the
dues and their payments are ranges on indexed dates."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from peewee import fn

from ...store.database import fetch_together
from ...store.models import (
    AccountCredit,
    Invoice,
    InvoiceLine,
    Membership,
    MembershipCredit,
    MembershipDues,
    MembershipEvent,
    MembershipPlan,
    Payment,
    Service,
    User,
)
from ..billing.memberships import (
    PlanView,
    _active_on,
    _view,
    credits_expire_on,
    history_of,
)
from ..platform.permissions import require
from ..platform.query import day_bounds
from ..platform.vocabulary import InvoiceStatus, PaymentKind
from .period import Period, record_viewed

MEMBERSHIP_LINE = "membership"  # the kind of a dues invoice's line


@dataclass(frozen=True)
class Members:
    """Members on one day and what happened in the days before it (a month, or a period)."""

    as_of: dt.date  # the day counted (a month's last day, or the period's last)
    active: int
    frozen: int
    mrr_cents: int  # the active members' monthly fees
    new: int
    cancelled: int
    dues_invoiced_cents: int  # as the daily close counts them (issued less voided)
    dues_collected_cents: int  # payments less refunds on dues invoices

    @property
    def is_empty(self) -> bool:
        """No member then and none came or went: a clinic without memberships."""
        return not (self.active or self.frozen or self.new or self.cancelled
                    or self.dues_invoiced_cents or self.dues_collected_cents)


@dataclass(frozen=True)
class MemberMonth(Members):
    month: dt.date = dt.date.min  # its first day


@dataclass(frozen=True)
class Banked:
    service: str
    quantity_centi: int  # credits banked, in hundredths of the service's unit
    members: int  # members holding some


@dataclass(frozen=True)
class MembershipFigures:
    period: Period
    months: tuple[MemberMonth, ...]
    totals: Members  # at the period's end; new, cancelled, dues over the whole period
    previous: Members | None
    previous_period: Period | None
    overdue_count: int  # open dues invoices now
    overdue_cents: int  # what they still owe
    credit_held_cents: int  # every patient's credit on account at the period's end
    banked: tuple[Banked, ...]  # at the period's end, that can still be used


@dataclass(frozen=True)
class _Member:
    row: Membership  # with its plan version
    plan: PlanView
    history: object  # memberships._History

    @property
    def id(self) -> int:
        return self.row.id

    @property
    def started_on(self) -> dt.date:
        return self.row.started_on

    @property
    def fee_cents(self) -> int:
        return self.plan.fee_cents


def _members_queries() -> tuple:
    """Every membership's history, and every membership with its plan version."""
    return (MembershipEvent.select().order_by(MembershipEvent.id),
            Membership.select(Membership, MembershipPlan)
            .join(MembershipPlan, on=Membership.plan == MembershipPlan.id))


def _members_from(event_rows: list, rows: list) -> list[_Member]:
    events: dict[int, list] = defaultdict(list)
    for e in event_rows:
        events[e.membership_id].append(e)
    return [_Member(m, _view(m.plan), history_of(events.get(m.id, ()))) for m in rows]


def _is_active(m: _Member, day: dt.date) -> bool:
    return _active_on(m.row, m.history, day)


def _credits_kept(m: _Member, day: dt.date) -> bool:
    """Its banked credits still stand on ``day``: a member (frozen too), or a membership
    ended less than its plan's grace period ago."""
    if day < m.started_on:
        return False
    if _is_active(m, day):
        return True
    expires = credits_expire_on(m.row, m.history, m.plan, day)
    return expires is not None and day < expires


def _state(members: list[_Member], day: dt.date) -> tuple[int, int, int]:
    """(active, frozen, MRR) on ``day``."""
    active = frozen = mrr = 0
    for m in members:
        if not _is_active(m, day):
            continue
        if day.replace(day=1) in m.history.frozen:
            frozen += 1
        else:
            active += 1
            mrr += m.fee_cents
    return active, frozen, mrr


def _comings_and_goings(members: list[_Member], first: dt.date,
                        last: dt.date) -> tuple[int, int]:
    """(new, cancelled) in first … last: enrolments and cancelled memberships started again;
    cancellations that took effect."""
    new = cancelled = 0
    for m in members:
        if first <= m.started_on <= last:
            new += 1
        for back in m.history.reactivations:  # a cancelled one started again
            if (first <= back <= last and back > m.started_on
                    and not _is_active(m, back - dt.timedelta(days=1))):
                new += 1
        for gone in m.history.cancels:
            if first <= gone <= last and not _is_active(m, gone):
                cancelled += 1
    return new, cancelled


def _dues_queries(first: dt.date, last: dt.date) -> tuple:
    """The membership lines of invoices issued, and of invoices voided, in first … last (two
    ranges on indexed dates, counted as the daily close counts sales), and the payments
    taken on dues invoices (a range on the payments' date index): ``_dues_from`` reads them."""
    start, end = day_bounds(first)[0], day_bounds(last)[1]
    net = fn.SUM(InvoiceLine.gross_cents - InvoiceLine.discount_cents)
    lines = tuple(InvoiceLine.select(column, net)
                  .join(Invoice, on=InvoiceLine.invoice == Invoice.id)
                  .where(column >= start, column < end, InvoiceLine.kind == MEMBERSHIP_LINE)
                  .group_by(Invoice.id, column).tuples()
                  for column in (Invoice.issued_at, Invoice.voided_at))
    paid = (Payment.select(Payment.at, Payment.kind, Payment.amount_cents)
            .join(MembershipDues, on=MembershipDues.invoice == Payment.invoice)
            .where(Payment.at >= start, Payment.at < end).tuples())
    return (*lines, paid)


def _dues_from(issued: list, voided: list, paid: list) -> tuple[list, list]:
    """(day, signed net) invoiced, and (day, payment or −refund) collected."""
    invoiced = [(_day(at), sign * (cents or 0))
                for rows, sign in ((issued, 1), (voided, -1)) for at, cents in rows]
    collected = [(_day(at), cents if kind == PaymentKind.PAYMENT else -cents)
                 for at, kind, cents in paid]
    return invoiced, collected


def _day(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    return dt.datetime.fromisoformat(str(value)).date()


def _summed(rows: list[tuple[dt.date, int]], first: dt.date, last: dt.date) -> int:
    return sum(cents for day, cents in rows if first <= day <= last)


def _figures(members: list[_Member], period: Period,
             dues: tuple[list, list]) -> tuple[Members, tuple[MemberMonth, ...]]:
    invoiced, collected = dues

    def counted(first: dt.date, last: dt.date) -> tuple:
        return (last, *_state(members, last), *_comings_and_goings(members, first, last),
                _summed(invoiced, first, last), _summed(collected, first, last))

    months = []
    for month in period.months():
        following = (month + dt.timedelta(days=32)).replace(day=1)
        first = max(month, period.first)
        last = min(following - dt.timedelta(days=1), period.last)
        months.append(MemberMonth(*counted(first, last), month=month))
    return Members(*counted(period.first, period.last)), tuple(months)


def period_members(actor: User, first: dt.date, last: dt.date) -> Members:
    """The members figures of first … last as the sales report prints them (whoever may
    print it may read them; nothing recorded: the report records itself)."""
    require(actor, "billing.read")
    events, rows, *dues = fetch_together(*_members_queries(), *_dues_queries(first, last))
    return _figures(_members_from(events, rows), Period(first, last), _dues_from(*dues))[0]


def _overdue_query():
    """(open dues invoices, what they still owe) now: one query on the status index."""
    paid = (Payment.select(fn.COALESCE(fn.SUM(Payment.amount_cents), 0))
            .where(Payment.invoice == Invoice.id, Payment.kind == PaymentKind.PAYMENT))
    return (Invoice.select(fn.COUNT(Invoice.id), fn.SUM(Invoice.total_cents - paid))
            .join(MembershipDues, on=MembershipDues.invoice == Invoice.id)
            .where(Invoice.status == InvoiceStatus.OPEN).tuples())


def _credit_held_query(at: dt.datetime):
    """Every patient's credit on account at ``at``: what the clinic owes its patients."""
    return (AccountCredit.select(fn.SUM(AccountCredit.amount_cents))
            .where(AccountCredit.at < at).tuples())


def _banked_query(end: dt.datetime):
    """Credits granted, used, returned and expired before ``end``, per membership and
    service (``_banked`` adds them up)."""
    return (MembershipCredit.select(
            MembershipCredit.membership, Service.name, MembershipCredit.kind,
            fn.SUM(MembershipCredit.quantity_centi))
            .join(Service, on=MembershipCredit.service == Service.id)
            .where(MembershipCredit.at < end)
            .group_by(MembershipCredit.membership, Service.id, Service.name,
                      MembershipCredit.kind).tuples())


def _banked(members: list[_Member], day: dt.date, rows: list) -> tuple[Banked, ...]:
    """Credits banked per service (``_banked_query``'s rows), of the memberships whose
    credits still stand on ``day`` (not cancelled, or within the plan's grace period after it
    ended)."""
    kept = {m.id for m in members if _credits_kept(m, day)}
    held: dict[tuple[int, int], int] = defaultdict(int)
    for mid, name, kind, q in rows:
        if mid in kept:
            held[(mid, name)] += q if kind in ("grant", "return") else -q
    per_service: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for (_mid, name), q in held.items():
        if q > 0:
            per_service[name][0] += q
            per_service[name][1] += 1
    return tuple(Banked(name, q, n) for name, (q, n) in sorted(per_service.items()))


def membership_figures(actor: User, period: Period, *, compare: bool = False,
                       record: bool = True, report: str = "Memberships",
                       today: dt.date | None = None) -> MembershipFigures:
    """The memberships figures of ``period`` (and of the one before it with ``compare``)."""
    require(actor, "reports.view")
    today = today or dt.date.today()
    before = period.previous()
    end = day_bounds(period.last)[1]
    # everything in one round trip on a server (the period and the one before read together)
    events, rows, issued, voided, paid, overdue, held, banked = fetch_together(
        *_members_queries(), *_dues_queries(before.first if compare else period.first,
                                            period.last),
        _overdue_query(), _credit_held_query(end), _banked_query(end))
    members = _members_from(events, rows)
    dues = _dues_from(issued, voided, paid)
    totals, months = _figures(members, period, dues)
    previous = _figures(members, before, dues)[0] if compare else None
    count, owed = overdue[0] if overdue else (0, 0)
    if record:
        record_viewed(actor, report, period)
    return MembershipFigures(period, months, totals, previous,
                             period.previous() if compare else None, count or 0, owed or 0,
                             (held[0][0] if held else 0) or 0,
                             _banked(members, min(period.last, today), banked))
