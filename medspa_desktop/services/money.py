"""Amounts of money: integer cents everywhere, parsed from what a person types."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from .errors import ValidationError


def to_cents(text: str, what: str = "amount") -> int:
    """ "4.50", "$4.50", "1,200" -> cents. Blank is zero; a negative amount, a third decimal
    or anything that is not a number is refused with a message that names ``what``."""
    cleaned = re.sub(r"[\s$,]", "", text or "")
    if not cleaned:
        return 0
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise ValidationError(f"Enter the {what} as a number, e.g. 4.50.")
    if value < 0:
        raise ValidationError(f"The {what} cannot be negative.")
    if value != value.quantize(Decimal("0.01")):
        raise ValidationError(f"The {what} has at most two decimals (cents).")
    if value >= 10_000_000:
        raise ValidationError(f"The {what} is too large.")
    return int(value * 100)


def show_cents(cents: int) -> str:
    return f"${cents / 100:,.2f}"
