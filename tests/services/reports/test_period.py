"""The range bar's periods: presets on a given day, the period compared with, months."""

from __future__ import annotations

import datetime as dt

import pytest

from medspa_desktop.services.platform.errors import ValidationError
from medspa_desktop.services.reports.period import Period, checked, preset

D = dt.date


def test_each_preset_on_the_fifth_of_december():
    today = D(2026, 12, 5)
    assert preset("this_month", today) == Period(D(2026, 12, 1), today)
    assert preset("last_month", today) == Period(D(2026, 11, 1), D(2026, 11, 30))
    assert preset("last_3_months", today) == Period(D(2026, 10, 1), today)
    assert preset("last_12_months", today) == Period(D(2026, 1, 1), today)
    assert preset("this_year", today) == Period(D(2026, 1, 1), today)
    assert preset("last_month", D(2027, 1, 9)) == Period(D(2026, 12, 1), D(2026, 12, 31))
    assert preset("last_12_months", D(2027, 3, 31)) == Period(D(2026, 4, 1), D(2027, 3, 31))


def test_the_period_compared_with():
    # whole months: as many months just before (31 days of October against 30 of November)
    assert Period(D(2026, 11, 1), D(2026, 11, 30)).previous() == \
        Period(D(2026, 10, 1), D(2026, 10, 31))
    assert Period(D(2026, 1, 1), D(2026, 3, 31)).previous() == \
        Period(D(2025, 10, 1), D(2025, 12, 31))
    # a month to date: the same days of the month before (30 March has no 30 February)
    assert Period(D(2026, 12, 1), D(2026, 12, 5)).previous() == \
        Period(D(2026, 11, 1), D(2026, 11, 5))
    assert Period(D(2026, 3, 1), D(2026, 3, 30)).previous() == \
        Period(D(2026, 2, 1), D(2026, 2, 28))
    # any other days: as many days just before
    assert Period(D(2026, 11, 10), D(2026, 11, 19)).previous() == \
        Period(D(2026, 10, 31), D(2026, 11, 9))
    assert Period(D(2028, 2, 29), D(2028, 3, 1)).year_before() == \
        Period(D(2027, 2, 28), D(2027, 3, 1))


def test_months_and_refusals():
    assert Period(D(2026, 11, 20), D(2027, 1, 3)).months() == [
        D(2026, 11, 1), D(2026, 12, 1), D(2027, 1, 1)]
    with pytest.raises(ValidationError, match=r"end date \(1 Nov 2026\) is before"):
        checked(D(2026, 11, 2), D(2026, 11, 1))
    with pytest.raises(ValidationError, match="at most three years"):
        checked(D(2020, 1, 1), D(2026, 1, 1))
    assert checked(D(2026, 1, 1), D(2026, 1, 1)).days == 1
