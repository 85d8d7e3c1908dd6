"""The period a report covers: the presets of the Reports tab's range bar (this month, last
month, the last 3 or 12 months, this year, or any from–to), the period before it to compare
with, its months, and the audit of a report looked at.

A period is whole days, ``first`` to ``last`` inclusive; "the last 3 months" are the three
calendar months ending with this one (this one up to today), so a month's bar is always a
whole month but for the current one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ...store.database import db
from ...store.models import User
from ..platform import audit
from ..platform.errors import ValidationError
from ..platform.permissions import require

MAX_DAYS = 3 * 366 + 1  # the longest period a report covers: three years


@dataclass(frozen=True)
class Period:
    first: dt.date
    last: dt.date  # inclusive

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def previous(self) -> Period:
        """The period to compare with: the same months just before when the period is whole
        months (last month's 30 days against the 31 before), else as many days just before."""
        if self.first.day == 1 and _month_end(self.last) == self.last:
            months = len(self.months())
            first = _add_months(self.first, -months)
            return Period(first, self.first - dt.timedelta(days=1))
        if self.first.day == 1 and self.last.day < _month_end(self.last).day:
            # a period to date (this month so far): the same days of the months before
            months = len(self.months())
            first = _add_months(self.first, -months)
            last = _add_months(self.last, -months)
            return Period(first, min(last, self.first - dt.timedelta(days=1)))
        return Period(self.first - dt.timedelta(days=self.days),
                      self.first - dt.timedelta(days=1))

    def year_before(self) -> Period:
        """The same dates a year earlier (29 February becomes the 28th)."""
        return Period(_years_back(self.first), _years_back(self.last))

    def months(self) -> list[dt.date]:
        """The first day of each month the period touches, in order."""
        out, month = [], self.first.replace(day=1)
        while month <= self.last:
            out.append(month)
            month = _add_months(month, 1)
        return out

    def key(self) -> str:
        return f"{self.first.isoformat()}..{self.last.isoformat()}"


PRESETS = ("this_month", "last_month", "last_3_months", "last_12_months", "this_year")
PRESET_LABELS = {"this_month": "This month", "last_month": "Last month",
                 "last_3_months": "Last 3 months", "last_12_months": "Last 12 months",
                 "this_year": "This year", "custom": "From – to"}


def preset(name: str, today: dt.date) -> Period:
    """The period a preset of the range bar means on ``today``."""
    month = today.replace(day=1)
    if name == "this_month":
        return Period(month, today)
    if name == "last_month":
        start = _add_months(month, -1)
        return Period(start, month - dt.timedelta(days=1))
    if name == "last_3_months":
        return Period(_add_months(month, -2), today)
    if name == "last_12_months":
        return Period(_add_months(month, -11), today)
    if name == "this_year":
        return Period(today.replace(month=1, day=1), today)
    raise ValueError(name)


def checked(first: dt.date, last: dt.date) -> Period:
    """A from–to the user chose, refused in words when it ends first or is too long."""
    if last < first:
        raise ValidationError(f"The end date ({last:%-d %b %Y}) is before the start date "
                              f"({first:%-d %b %Y}). Choose an end date on or after it.")
    period = Period(first, last)
    if period.days > MAX_DAYS:
        raise ValidationError(f"A report covers at most three years: {first:%-d %b %Y} to "
                              f"{last:%-d %b %Y} is {period.days:,} days. Choose a shorter "
                              "period.")
    return period


def record_viewed(actor: User, report: str, period: Period) -> None:
    """Note in the audit log that ``actor`` looked at ``report`` (its title) for ``period``."""
    require(actor, "reports.view")
    with db.atomic():
        audit.record(actor, "report.viewed", "period", period.key(), report)


def _month_end(day: dt.date) -> dt.date:
    return _add_months(day.replace(day=1), 1) - dt.timedelta(days=1)


def _add_months(day: dt.date, n: int) -> dt.date:
    """``day`` (the first of a month, or any day: clamped) ``n`` months later."""
    index = day.year * 12 + day.month - 1 + n
    year, month = divmod(index, 12)
    first = dt.date(year, month + 1, 1)
    following = dt.date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    return first.replace(day=min(day.day, (following - first).days))


def _years_back(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)
