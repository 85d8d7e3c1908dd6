from __future__ import annotations

import pytest

from medspa_desktop.services.errors import ValidationError
from medspa_desktop.services.money import show_cents, to_cents


@pytest.mark.parametrize(("typed", "cents"), [
    ("4.50", 450), ("$4.5", 450), (" 1,200 ", 120000), ("", 0), ("0.07", 7),
])
def test_amounts_are_read_as_cents(typed, cents):
    assert to_cents(typed) == cents


@pytest.mark.parametrize(("typed", "message"), [
    ("four", "Enter the cost as a number"), ("-3", "cannot be negative"),
    ("1.005", "at most two decimals"), ("nan", "Enter the cost as a number"),
    ("99999999", "too large"),
])
def test_bad_amounts_are_refused_with_a_clear_message(typed, message):
    with pytest.raises(ValidationError, match=message):
        to_cents(typed, "cost")


def test_cents_are_shown_as_dollars():
    assert show_cents(123456) == "$1,234.56" and show_cents(5) == "$0.05"
