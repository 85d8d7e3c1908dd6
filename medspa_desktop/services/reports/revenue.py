"""Revenue for the Reports tab: net sales per month with the same months a year before, by
category, by provider and by service; services against retail, packages and memberships (a
member's monthly dues are sales); the average ticket. Counted from the same rows as the daily
close (``billing_reports._takings``: an invoice counts on the day it was issued and comes off
on the day it was voided; a gift card sold is not a sale), so the days of a month here are
that month's daily closes (a test holds them together on the demo). The database adds the
rows up (per day, category, provider and service): a year's invoices are tens of thousands
of rows, and building each in Python cost more than a second at scale 1."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from ...store.database import db
from ...store.models import CATEGORIES, User
from ..billing.billing_reports import KIND_LABELS
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
    """The revenue of ``period`` (and of the one before it with ``compare``) with the same
    days a year before: three queries however long the period, each a union of ranges on the
    indexed dates (issued, voided), added up by the database per day, category, provider and
    service. The cost grows with the days of the range, not the history or the invoices."""
    require(actor, "reports.view")
    ranges = {"now": period, "year": period.year_before()}
    if compare and period.previous() != ranges["year"]:
        ranges["previous"] = period.previous()
    sums = _sums({tag: (day_bounds(p.first)[0], day_bounds(p.last)[1])
                  for tag, p in ranges.items()})
    now, before = sums["now"], sums["year"]
    months = _by_month(period, now, before)
    previous = None
    if compare:  # (the last 12 months' previous period is the year before: read once)
        previous = _totals(sums.get("previous", before))
    if record:
        record_viewed(actor, report, period)
    days = [period.first + dt.timedelta(days=n) for n in range(period.days)]
    return Revenue(period, months, tuple((d, now.days.get(d, 0)) for d in days),
                   tuple(before.days.get(_year_back(d), 0) for d in days),
                   _totals(now), previous, period.previous() if compare else None)


@dataclass
class _Sums:
    """What one range's invoices add up to, as the daily close counts them (``_takings``):
    each invoice +1 on the day it was issued and −1 on the day it was voided."""

    days: dict[dt.date, int] = field(default_factory=lambda: defaultdict(int))  # net sales
    tickets: dict[dt.date, int] = field(default_factory=lambda: defaultdict(int))
    by_category: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    by_provider: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    by_service: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def _signed(ranges: dict[str, tuple[dt.datetime, dt.datetime]]) -> tuple[str, list]:
    """The invoices that count in each range, tagged, as SQL: (tag, id, provider_id, at,
    sign, net: its subtotal less its discount)."""
    p = db.param
    parts, params = [], []
    for tag, (start, end) in ranges.items():
        for at, sign in (("issued_at", 1), ("voided_at", -1)):
            parts.append(f"SELECT '{tag}' AS tag, id, provider_id, {at} AS at, {sign} AS sign, "
                         f"subtotal_cents - discount_cents AS net FROM invoice "
                         f"WHERE {at} >= {p} AND {at} < {p}")
            params += [start, end]
    return " UNION ALL ".join(parts), params


def _sums(ranges: dict[str, tuple[dt.datetime, dt.datetime]]) -> dict[str, _Sums]:
    """Each range's sums in two queries, one over the invoices and one over their lines,
    added up by the database (per day, provider, category and service)."""
    signed, params = _signed(ranges)
    out = {tag: _Sums() for tag in ranges}
    day = "substr(CAST(s.at AS text), 1, 10)"  # the same on SQLite and PostgreSQL
    names: dict[int | None, str] = {}
    for tag, on, provider_id, name, tickets, cents in db.execute_sql(
            f"SELECT s.tag, {day}, s.provider_id, u.display_name, SUM(s.sign), "
            f"SUM(s.sign * s.net) FROM ({signed}) s "
            'LEFT JOIN "user" u ON u.id = s.provider_id GROUP BY 1, 2, 3, 4', params):
        sums = out[tag]
        sums.tickets[dt.date.fromisoformat(on)] += tickets
        names[provider_id] = name = name or "No provider"
        sums.by_provider[name] += cents
    for tag, on, provider_id, kind, category, service, cents in db.execute_sql(
            f"SELECT s.tag, {day}, s.provider_id, l.kind, v.category, v.name, "
            "SUM(s.sign * (l.gross_cents - l.discount_cents)) "
            f"FROM ({signed}) s JOIN invoice_line l ON l.invoice_id = s.id "
            "LEFT JOIN service v ON v.id = l.service_id GROUP BY 1, 2, 3, 4, 5, 6", params):
        sums = out[tag]
        if kind == "gift_card":  # not a sale: money taken for care given later
            sums.by_provider[names[provider_id]] -= cents
            continue
        sums.by_category[KIND_LABELS.get(kind) or CATEGORIES.get(category, "Other")] += cents
        sums.days[dt.date.fromisoformat(on)] += cents
        if kind == "service":
            sums.by_service[service or "Other"] += cents
    return out


def _year_back(day: dt.date) -> dt.date:
    return Period(day, day).year_before().first


def _by_month(period: Period, now: _Sums, before: _Sums) -> tuple[Month, ...]:
    sales: dict[dt.date, int] = defaultdict(int)
    tickets: dict[dt.date, int] = defaultdict(int)
    for day, cents in now.days.items():
        sales[day.replace(day=1)] += cents
    for day, n in now.tickets.items():
        tickets[day.replace(day=1)] += n
    earlier: dict[dt.date, int] = defaultdict(int)
    for day, cents in before.days.items():  # a year on: the month it falls in now
        month = day.replace(day=1)
        earlier[month.replace(year=month.year + 1)] += cents
    return tuple(Month(m, sales[m], tickets[m], earlier[m]) for m in period.months())


def _totals(sums: _Sums) -> Totals:
    kinds: dict[str, int] = defaultdict(int)
    for label, cents in sums.by_category.items():
        kinds[label if label in KINDS else SERVICES] += cents
    return Totals(
        sum(sums.by_category.values()), sum(sums.tickets.values()),
        tuple(sorted((k, v) for k, v in sums.by_category.items() if v)),
        tuple(sorted((k, v) for k, v in sums.by_provider.items() if v)),
        tuple(sorted(((k, v) for k, v in sums.by_service.items() if v), key=lambda kv: -kv[1])),
        tuple((k, kinds[k]) for k in KINDS))
