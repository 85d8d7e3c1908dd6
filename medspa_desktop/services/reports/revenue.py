"""Revenue for the Reports tab: net sales per month with the same months a year before, by
category, by provider and by service; services against retail, packages and memberships (a
member's monthly dues are sales); the average ticket. Counted from the same rows as the daily
close (``billing_reports.counted_sales`` and ``_takings``: an invoice counts on the day it was
issued and comes off on the day it was voided), so the days of a month here are that month's
daily closes."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from ...store.models import User
from ..billing.billing_reports import KIND_LABELS, Counted, Takings, _takings, counted_sales
from ..platform.permissions import require
from ..platform.query import day_bounds
from .period import Period, record_viewed

SERVICES, RETAIL, PACKAGES = "Services", KIND_LABELS["product"], KIND_LABELS["package"]
MEMBERSHIPS = KIND_LABELS["membership"]  # the members' monthly dues
KINDS = (SERVICES, RETAIL, PACKAGES, MEMBERSHIPS)


@dataclass(frozen=True)
class Month:
    month: dt.date  # its first day
    sales_cents: int  # net sales (after discounts, before tax; gift cards sold are not sales)
    tickets: int  # invoices issued less those voided
    year_before_cents: int  # the same month's days a year earlier

    @property
    def average_ticket_cents(self) -> int:
        return round(self.sales_cents / self.tickets) if self.tickets else 0


@dataclass(frozen=True)
class Totals:
    """A period's figures, added up."""

    sales_cents: int
    tickets: int
    by_category: tuple[tuple[str, int], ...]
    by_provider: tuple[tuple[str, int], ...]
    by_service: tuple[tuple[str, int], ...]
    by_kind: tuple[tuple[str, int], ...]  # services, retail, packages, memberships

    @property
    def average_ticket_cents(self) -> int:
        return round(self.sales_cents / self.tickets) if self.tickets else 0


@dataclass(frozen=True)
class Revenue:
    period: Period
    months: tuple[Month, ...]
    days: tuple[tuple[dt.date, int], ...]  # net sales of each day (as its daily close)
    days_year_before: tuple[int, ...]  # the same days a year earlier, in the same order
    totals: Totals
    previous: Totals | None  # the period before, when compared
    previous_period: Period | None


def revenue(actor: User, period: Period, *, compare: bool = False,
            record: bool = True, report: str = "Revenue") -> Revenue:
    """The revenue of ``period`` (and of the one before it with ``compare``): eight queries,
    twelve with the comparison (unless the period before is the year before), each a range
    on an indexed date. The cost grows with the invoices of the range, not the history."""
    require(actor, "reports.view")
    takings, counted = _period(period)
    year_before = _period(period.year_before())
    before = year_before[0]
    months = _by_month(period, takings, counted, before)
    previous = None
    if compare:  # (the last 12 months' previous period is the year before: read once)
        previous = _totals(*(year_before if period.previous() == period.year_before()
                             else _period(period.previous())))
    if record:
        record_viewed(actor, report, period)
    earlier = {d.day: d.sales_cents for d in before.days}
    return Revenue(period, months, tuple((d.day, d.sales_cents) for d in takings.days),
                   tuple(earlier.get(_year_back(d.day), 0) for d in takings.days),
                   _totals(takings, counted), previous,
                   period.previous() if compare else None)


def _period(period: Period) -> tuple[Takings, Counted]:
    start, end = day_bounds(period.first)[0], day_bounds(period.last)[1]
    counted = counted_sales(start, end)
    return _takings(start, end, counted), counted


def _year_back(day: dt.date) -> dt.date:
    return Period(day, day).year_before().first


def _tickets_by_day(counted: Counted) -> dict[dt.date, int]:
    tickets: dict[dt.date, int] = defaultdict(int)
    for invoice, sign in counted.signed:
        tickets[invoice.at.date()] += sign
    return tickets


def _by_month(period: Period, takings: Takings, counted: Counted,
              before: Takings) -> tuple[Month, ...]:
    sales: dict[dt.date, int] = defaultdict(int)
    tickets: dict[dt.date, int] = defaultdict(int)
    for day in takings.days:
        sales[day.day.replace(day=1)] += day.sales_cents
    for day, n in _tickets_by_day(counted).items():
        tickets[day.replace(day=1)] += n
    earlier: dict[dt.date, int] = defaultdict(int)
    for day in before.days:  # a year on: the month it falls in now
        month = day.day.replace(day=1)
        earlier[month.replace(year=month.year + 1)] += day.sales_cents
    return tuple(Month(m, sales[m], tickets[m], earlier[m]) for m in period.months())


def _totals(takings: Takings, counted: Counted) -> Totals:
    by_service: dict[str, int] = defaultdict(int)
    sign_of: dict[int, int] = defaultdict(int)
    for invoice, sign in counted.signed:
        sign_of[invoice.id] += sign
    for line in counted.lines:
        if line.kind == "service":
            by_service[line.service or "Other"] += sign_of[line.invoice_id] * line.net_cents
    kinds: dict[str, int] = defaultdict(int)
    for label, cents in takings.by_category:
        kinds[label if label in KINDS else SERVICES] += cents
    return Totals(
        takings.sales_cents, sum(_tickets_by_day(counted).values()), takings.by_category,
        takings.by_provider,
        tuple(sorted(((k, v) for k, v in by_service.items() if v), key=lambda kv: -kv[1])),
        tuple((k, kinds[k]) for k in KINDS))
