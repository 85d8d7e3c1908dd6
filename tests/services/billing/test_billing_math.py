"""Invoice arithmetic: the rounding rule, discounts, the shared invoice discount, tax — and
the identities that must hold for any invoice (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medspa_desktop.services.billing.billing_math import (
    Discount,
    LineIn,
    price,
    round_half_up,
    share,
)
from medspa_desktop.services.platform.errors import ValidationError


@pytest.mark.parametrize(("n", "d", "expected"), [
    (5, 10, 1), (4, 10, 0), (15, 10, 2), (25, 10, 3), (-5, 10, -1), (0, 7, 0), (1, 2, 1),
])
def test_halves_round_up(n, d, expected):
    assert round_half_up(n, d) == expected


def test_a_toxin_visit_with_retail_tax_a_discount_and_a_tip():
    totals = price([
        LineIn(4400, 1400),  # 44 U of Botox at $14.00 a unit, services untaxed
        LineIn(100, 4200, tax_rate_bp=700,
               discount=Discount(percent_bp=1000, reason="member")),  # sunscreen, 10 % off
    ], Discount(amount_cents=1000, reason="birthday"), tip_cents=2000)
    first, second = totals.lines
    assert (first.gross_cents, second.gross_cents) == (61600, 4200)
    # $10 shared by net: 61600 and 3780 of 65380 -> 942.2 and 57.8 -> 942 + 58
    assert (first.discount_cents, second.discount_cents) == (942, 420 + 58)
    assert second.tax_cents == round_half_up((4200 - 478) * 700, 10000) == 261
    assert (totals.subtotal_cents, totals.discount_cents, totals.tax_cents,
            totals.total_cents) == (65800, 1420, 261, 65800 - 1420 + 261 + 2000)


def test_fractional_quantities_round_once():
    assert price([LineIn(1250, 1399)]).total_cents == 17488  # 12.5 × 13.99 = 174.875


@pytest.mark.parametrize(("lines", "discount", "message"), [
    ([], Discount(), "at least one line"),
    ([LineIn(0, 100)], Discount(), "quantity must be more than zero"),
    ([LineIn(100, 100, discount=Discount(amount_cents=101, reason="x"))], Discount(),
     "more than the amount"),
    ([LineIn(100, 100)], Discount(percent_bp=500), "reason for the invoice discount"),
    ([LineIn(100, 100)], Discount(percent_bp=500, amount_cents=5, reason="x"), "not both"),
    ([LineIn(100, 100, tax_rate_bp=20000)], Discount(), "between 0 and 100 %"),
    ([LineIn(100_000, 100_001)], Discount(), "cannot be more than \\$1,000,000.00"),
])
def test_bad_invoices_are_refused(lines, discount, message):
    with pytest.raises(ValidationError, match=message):
        price(lines, discount)


lines_strategy = st.lists(st.builds(
    LineIn,
    quantity_centi=st.integers(1, 10_000),
    unit_price_cents=st.integers(0, 100_000),
    tax_rate_bp=st.integers(0, 1500),
    discount=st.one_of(st.just(Discount()),
                       st.builds(Discount, percent_bp=st.integers(0, 10_000),
                                 reason=st.just("promo")))), min_size=1, max_size=8)


@given(lines_strategy, st.integers(0, 10_000), st.integers(0, 50_000))
def test_the_total_is_lines_less_discounts_plus_tax_plus_tip(lines, percent, tip):
    totals = price(lines, Discount(percent_bp=percent, reason="promo"), tip)
    assert totals.total_cents == (sum(o.gross_cents for o in totals.lines)
                                  - sum(o.discount_cents for o in totals.lines)
                                  + sum(o.tax_cents for o in totals.lines) + tip)
    assert all(0 <= o.discount_cents <= o.gross_cents for o in totals.lines)
    assert all(o.tax_cents >= 0 for o in totals.lines)
    assert totals.total_cents >= tip


@given(st.integers(0, 10**9), st.lists(st.integers(0, 10**7), min_size=1, max_size=12))
def test_a_shared_amount_adds_up_exactly(amount, weights):
    parts = share(amount, weights)
    if sum(weights):
        assert sum(parts) == amount
        assert all(p >= 0 for p in parts)
    else:
        assert parts == [0] * len(weights)
