from __future__ import annotations

import pytest

from medspa_desktop.services.billing.money import show_cents, to_cents
from medspa_desktop.services.platform.errors import ValidationError


@pytest.mark.parametrize(("typed", "cents"), [
    ("4.50", 450), ("$4.5", 450), (" 1,200 ", 120000), ("", 0), ("0.07", 7),
    ("12,345.60", 1234560),
])
def test_amounts_are_read_as_cents(typed, cents):
    assert to_cents(typed) == cents


@pytest.mark.parametrize(("typed", "message"), [
    ("four", "Enter the cost as a number"), ("-3", "cannot be negative"),
    ("1.005", "at most two decimals"), ("nan", "Enter the cost as a number"),
    ("99999999", "too large"),
    ("12,50", "Enter the cost as a number"), ("1,20", "Enter the cost as a number"),
])
def test_bad_amounts_are_refused_with_a_clear_message(typed, message):
    with pytest.raises(ValidationError, match=message):
        to_cents(typed, "cost")


def test_cents_are_shown_as_dollars():
    assert show_cents(123456) == "$1,234.56" and show_cents(5) == "$0.05"
    assert show_cents(-380) == "−$3.80"


def test_discounts_are_typed_as_a_percent_or_an_amount():
    from medspa_desktop.services.billing.billing_math import Discount
    from medspa_desktop.services.billing.money import to_discount

    assert to_discount("10%", "loyal") == Discount(percent_bp=1000, reason="loyal")
    assert to_discount(" 12.5 % ", "x") == Discount(percent_bp=1250, reason="x")
    assert to_discount("$15", "y") == Discount(amount_cents=1500, reason="y")
    assert to_discount("") == Discount()
    with pytest.raises(ValidationError, match="between 0% and 100%"):
        to_discount("120%")
    with pytest.raises(ValidationError, match="as a percent, like 10%"):
        to_discount("ten%")


def test_tax_rates_are_typed_as_a_percent():
    from medspa_desktop.services.billing.money import show_basis_points, to_basis_points

    assert [to_basis_points(t) for t in ("7.25%", "8", " 0 % ", "")] == [725, 800, 0, 0]
    assert [show_basis_points(b) for b in (725, 800, 0, 50)] == ["7.25%", "8%", "0%", "0.5%"]
    with pytest.raises(ValidationError, match="retail tax percent has at most two decimals"):
        to_basis_points("8.875", "retail tax")
    with pytest.raises(ValidationError, match="between 0% and 100%"):
        to_basis_points("-1")
