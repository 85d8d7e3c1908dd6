"""Staff pay: per provider and period, the services performed, the net sales, the tips and the
commission the clinic's rule gives.

The figures come from the same rows as the daily close (``billing_reports.counted_sales``):
an invoice counts for its provider on the day it was issued and comes off on the day it was
voided, so a provider's net sales over a period are the daily closes' "by provider" added up.
A gift card sold is not a sale (the care it pays for is, when given). Tips are the invoices'
tips, by the same rule.

The commission rule is a percentage of net sales per category (each service category,
"retail" for products, "package" for prepaid packages), set by the admin and kept in dated
versions (``store.models.CommissionRate``, never edited): a change takes effect from the day
the admin chooses (today unless they choose another; a day in the past only for an admin,
audited with the old and new rates). A sale is paid by the rates in force on the day it was
issued, and its void by the same rates, whatever day the void falls on: a void of an earlier
sale takes back exactly the rate that sale gave, so a period that spans a change is worked out
day by day.

Rounding: to the cent, half away from zero (a void takes back what its sale gave), once per
provider, category AND rate — the days a category was paid at one rate form one line of the
statement, and each line's commission is its net sales times its rate, rounded; a provider's
commission is the sum of the lines. With no change in the period that is once per provider
and category, as before rates had dates."""

from __future__ import annotations

import bisect
import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass

from peewee import JOIN

from ...store.database import db
from ...store.models import CATEGORIES, CommissionRate, Invoice, User
from ..billing import billing_reports
from ..billing.money import show_basis_points
from ..platform import audit, changes, settings
from ..platform.errors import ValidationError
from ..platform.permissions import require
from ..platform.settings import COMMISSION_BP, COMMISSION_KEYS
from .utilisation import viewed

LABELS = {**CATEGORIES, "retail": "Retail", "package": "Packages", "other": "Other"}
MAX_DAYS = 3 * 366 + 1


def label(key: str) -> str:
    return LABELS.get(key, key)


NONE = dict.fromkeys(COMMISSION_KEYS, 0)
MAX_DAYS_AHEAD = 366


@dataclass(frozen=True)
class RateVersion:
    """The commission rates in force from ``effective_on`` to ``until`` (inclusive; None:
    until further notice)."""

    effective_on: dt.date
    until: dt.date | None
    rates: dict[str, int]  # every category, basis points
    set_by: str  # "" for the rates carried over from the clinic settings
    set_at: dt.datetime

    def words(self) -> str:
        """"Neurotoxin 10%, Retail 12.5%" (the categories with a rate), or "no commission"."""
        set_ = [f"{label(k)} {show_basis_points(bp)}" for k, bp in self.rates.items() if bp]
        return ", ".join(set_) if set_ else "no commission"

    def dates(self) -> str:
        """"from 1 Mar 2026", or "1 Mar 2026 – 31 May 2026"."""
        if self.until is None:
            return f"from {self.effective_on:%-d %b %Y}"
        return f"{self.effective_on:%-d %b %Y} – {self.until:%-d %b %Y}"


def _read(row: CommissionRate) -> dict[str, int]:
    stored = json.loads(row.rates)
    return {key: int(stored.get(key, 0)) for key in COMMISSION_KEYS}


def versions() -> tuple[RateVersion, ...]:
    """Every version in force at some time, oldest first (of two for the same day the later
    one; the earlier was superseded before it was ever in force)."""
    who = User.alias()
    rows = (CommissionRate.select(CommissionRate, who.display_name.alias("who"))
            .join(who, on=CommissionRate.set_by == who.id, join_type=JOIN.LEFT_OUTER)
            .order_by(CommissionRate.effective_on, CommissionRate.id).objects())
    latest: dict[dt.date, CommissionRate] = {}
    for row in rows:
        latest[row.effective_on] = row
    ordered = sorted(latest.values(), key=lambda r: r.effective_on)
    return tuple(
        RateVersion(row.effective_on,
                    ordered[n + 1].effective_on - dt.timedelta(days=1)
                    if n + 1 < len(ordered) else None,
                    _read(row), getattr(row, "who", None) or "", row.set_at)
        for n, row in enumerate(ordered))


class _Rule:
    """The versions, to look up the rates of any day."""

    def __init__(self, kept: tuple[RateVersion, ...]) -> None:
        self.kept = kept
        self.starts = [v.effective_on for v in kept]

    def version_on(self, day: dt.date) -> RateVersion | None:
        n = bisect.bisect_right(self.starts, day)
        return self.kept[n - 1] if n else None

    def on(self, day: dt.date) -> dict[str, int]:
        version = self.version_on(day)
        return dict(version.rates if version else NONE)

    def rate(self, day: dt.date, key: str) -> int:
        """One category's rate on ``day`` (what ``on`` holds, without copying every rate)."""
        version = self.version_on(day)
        return version.rates[key] if version else 0

    def during(self, first: dt.date, last: dt.date) -> tuple[RateVersion, ...]:
        return tuple(v for v in self.kept if v.effective_on <= last
                     and (v.until is None or v.until >= first))


def rates(day: dt.date | None = None) -> dict[str, int]:
    """The commission per category in force on ``day`` (default today), in basis points
    (1000 = 10 %), every category listed; 0 before the first version."""
    return _Rule(versions()).on(day or dt.date.today())


def set_rates(actor: User, new: dict[str, int], effective_on: dt.date | None = None) -> None:
    """Change the commission rule from ``effective_on`` (default today): a new version, the
    rates in force that day with the categories given changed. A day in the past is for an
    admin only (sales already paid are worked out again by it); the change is audited with
    the old and new percentages and its day. Nothing written when nothing changes."""
    require(actor, "commission.write")
    today = dt.date.today()
    day = effective_on or today
    if day < today:
        require(actor, "commission.backdate")
    if day > today + dt.timedelta(days=MAX_DAYS_AHEAD):
        raise ValidationError("A change of commission rates can start at most a year ahead. "
                              "Choose an earlier start date.")
    unknown = sorted(set(new) - set(COMMISSION_KEYS))
    if unknown:
        raise ValidationError(f"Unknown commission categories: {', '.join(unknown)}.")
    by_key = dict(zip(COMMISSION_KEYS, COMMISSION_BP, strict=True))
    settings.check({by_key[key]: bp for key, bp in new.items()})
    with db.atomic():
        rule = _Rule(versions())
        old = rule.on(day)
        changed = {key: bp for key, bp in new.items() if old[key] != bp}
        if not changed:
            return
        now = dt.datetime.now()
        CommissionRate.create(effective_on=day, rates=json.dumps({**old, **changed}),
                              set_by=actor.id, set_at=now)
        after = next((v for v in rule.kept if v.effective_on > day), None)
        summary = f"From {day:%-d %b %Y}: " + "; ".join(
            f"{label(key)} {show_basis_points(old[key])} → {show_basis_points(bp)}"
            for key, bp in changed.items())
        if day < today:
            summary += f" (back-dated on {today:%-d %b %Y})"
        if after is not None:
            summary += f"; until {after.effective_on - dt.timedelta(days=1):%-d %b %Y}, the " \
                       f"rates from {after.effective_on:%-d %b %Y} stay"
        audit.record(actor, "settings.commission", "clinic", "", summary)
        changes.note("settings")


def commission_cents(net_cents: int, bp: int) -> int:
    """``bp`` basis points of ``net_cents``, to the cent, half away from zero."""
    whole, rest = divmod(abs(net_cents) * bp, 10000)
    cents = whole + (1 if rest * 2 >= 10000 else 0)
    return cents if net_cents >= 0 else -cents


@dataclass(frozen=True)
class CategoryPay:
    """A line of a provider's pay: a category at one rate (a category whose rate changed in
    the period has a line per rate)."""

    key: str
    label: str
    services: int  # service lines (a void one counts off)
    net_cents: int
    rate_bp: int
    commission_cents: int


@dataclass(frozen=True)
class ProviderPay:
    provider_id: int | None
    provider: str
    services: int
    net_cents: int
    tips_cents: int
    commission_cents: int
    categories: tuple[CategoryPay, ...]


@dataclass(frozen=True)
class StaffPay:
    date_from: dt.date
    date_to: dt.date
    providers: tuple[ProviderPay, ...]  # by name; "No provider" (retail at the desk) last
    versions: tuple[RateVersion, ...]  # the rates in force on some day of the period
    earlier: tuple[RateVersion, ...] = ()  # rates of sales before it whose voids fall in it

    @property
    def empty(self) -> bool:
        return not self.providers

    def rate_lines(self) -> tuple[tuple[str, str], ...]:
        """The rates that applied, as (dates, rates) in words, oldest first: the days of the
        period before the first version ("no commission"), each version in force in it, then
        those of earlier sales voided in it."""
        lines = []
        first = self.versions[0].effective_on if self.versions else None
        if first is None or first > self.date_from:
            end = self.date_to if first is None else first - dt.timedelta(days=1)
            lines.append((f"{self.date_from:%-d %b %Y} – {end:%-d %b %Y}", "no commission"))
        lines += [(v.dates(), v.words()) for v in self.versions]
        lines += [(v.dates(), f"{v.words()} (voids in this period of sales made then)")
                  for v in self.earlier]
        return tuple(lines)

    def of(self, provider_id: int | None) -> ProviderPay | None:
        return next((p for p in self.providers if p.provider_id == provider_id), None)


def _key(kind: str, category: str | None) -> str:
    if kind == "product":
        return "retail"
    if kind == "package":
        return "package"
    return category if category in CATEGORIES else "other"


def staff_pay(actor: User, date_from: dt.date, date_to: dt.date, *,
              report: str = "") -> StaffPay:
    """Each provider's pay figures for ``date_from`` … ``date_to`` (inclusive). ``report``:
    the page's title, audited as looked at."""
    require(actor, "reports.view")
    if date_to < date_from:
        raise ValidationError("The end date is before the start date. Choose an end date on or "
                              "after the start date.")
    if (date_to - date_from).days + 1 > MAX_DAYS:
        raise ValidationError("A report covers at most three years. Choose a shorter period.")
    viewed(actor, report, date_from, date_to)
    start = dt.datetime.combine(date_from, dt.time())
    counted = billing_reports.counted_sales(
        start, dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time()))
    rule = _Rule(versions())
    sold_on = _sale_days(counted, start, bool(rule.kept))
    sign_of: dict[int, int] = defaultdict(int)
    who: dict[int, tuple[int | None, str]] = {}
    tips: dict[tuple[int | None, str], int] = defaultdict(int)
    for invoice, sign in counted.signed:
        sign_of[invoice.id] += sign
        provider = (invoice.provider_id, invoice.provider or "No provider")
        who[invoice.id] = provider
        tips[provider] += sign * invoice.tip_cents
    # provider -> (category, rate) -> [service lines, net, first day paid at it]
    sums: dict[tuple[int | None, str], dict[tuple[str, int], list]] = defaultdict(dict)
    for line in counted.lines:
        sign = sign_of[line.invoice_id]
        if line.kind == "gift_card" or not sign:
            continue
        key = _key(line.kind, line.category)
        day = sold_on.get(line.invoice_id, date_from)
        entry = sums[who[line.invoice_id]].setdefault((key, rule.rate(day, key)), [0, 0, day])
        entry[0] += sign if line.kind == "service" else 0
        entry[1] += sign * line.net_cents
        entry[2] = min(entry[2], day)
    order = {key: n for n, key in enumerate(COMMISSION_KEYS)}
    out = []
    for provider in set(sums) | {p for p, cents in tips.items() if cents}:
        cats = tuple(CategoryPay(key, label(key), n, net, bp, commission_cents(net, bp))
                     for (key, bp), (n, net, _day) in sorted(
                         sums[provider].items(), key=lambda kv: (order[kv[0][0]], kv[1][2]))
                     if n or net)
        tip = tips[provider]
        if not cats and not tip:
            continue
        out.append(ProviderPay(provider[0], provider[1], sum(c.services for c in cats),
                               sum(c.net_cents for c in cats), tip,
                               sum(c.commission_cents for c in cats), cats))
    out.sort(key=lambda p: (p.provider_id is None, p.provider.lower()))
    during = rule.during(date_from, date_to)
    used = {version.effective_on for day in sold_on.values() if day < date_from
            for version in [rule.version_on(day)] if version is not None}
    return StaffPay(date_from, date_to, tuple(out), during,
                    tuple(v for v in rule.kept if v.effective_on in used and v not in during))


def _sale_days(counted, start: dt.datetime, needed: bool) -> dict[int, dt.date]:
    """Each counted invoice's day of issue (its rates' day). The days of sales issued before
    the period and voided in it are looked up (one query) only when there are rates at all
    (without any, every day's rates are none)."""
    days = {invoice.id: invoice.at.date() for invoice in counted.issued}
    before = [invoice.id for invoice in counted.voided if invoice.id not in days]
    if before and needed:
        days.update((iid, issued.date()) for iid, issued in Invoice.select(
            Invoice.id, Invoice.issued_at).where(Invoice.id.in_(before)).tuples())
    else:
        days.update((iid, start.date() - dt.timedelta(days=1)) for iid in before)
    return days
