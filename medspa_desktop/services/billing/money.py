"""Amounts of money: integer cents everywhere, parsed from what a person types."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from ..platform.errors import ValidationError


def to_cents(text: str, what: str = "amount") -> int:
    """ "4.50", "$4.50", "1,200" -> cents. Blank is zero; a negative amount, a third decimal
    or anything that is not a number is refused with a message that names ``what``."""
    cleaned = re.sub(r"\s", "", text or "")
    for symbol in {"$", _symbol}:
        cleaned = cleaned.replace(symbol, "")
    if not cleaned:
        return 0
    if "," in cleaned:  # only as a thousands separator: "1,200.00", never "12,50"
        if not re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d*)?", cleaned):
            raise ValidationError(f"Enter the {what} as a number, e.g. 4.50.")
        cleaned = cleaned.replace(",", "")
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


# The clinic's currency symbol (its setting, see services/clinic/clinic.py, which sets it
# here when the database opens and whenever it is changed): plain data for every screen and
# document, which format money without reaching the database.
_symbol = "$"


def use_currency_symbol(symbol: str) -> None:
    global _symbol
    _symbol = symbol or "$"


def currency_symbol() -> str:
    return _symbol


def show_cents(cents: int) -> str:
    """ "$1,234.56" (with the clinic's currency symbol); a negative amount as "−$3.80"."""
    return f"{'−' if cents < 0 else ''}{_symbol}{abs(cents) / 100:,.2f}"


def to_discount(text: str, reason: str = "", what: str = "discount"):
    """ "10%" → 10 percent, "15" or "$15.00" → an amount; blank → none."""
    from .billing_math import Discount

    cleaned = (text or "").strip()
    if not cleaned:
        return Discount()
    if cleaned.endswith("%"):
        return Discount(percent_bp=to_basis_points(cleaned, what), reason=reason)
    return Discount(amount_cents=to_cents(cleaned, what), reason=reason)


def to_basis_points(text: str, what: str = "rate") -> int:
    """ "7.25%" or "7.25" -> 725 (hundredths of a percent); blank is zero."""
    cleaned = (text or "").strip().removesuffix("%").strip()
    if not cleaned:
        return 0
    try:
        percent = Decimal(cleaned)
    except InvalidOperation:
        raise ValidationError(f"Enter the {what} as a percent, like 10% or 7.25%.") from None
    if not percent.is_finite() or not 0 <= percent <= 100:
        raise ValidationError(f"The {what} must be between 0% and 100%.")
    basis_points = percent * 100
    if basis_points != basis_points.to_integral_value():
        raise ValidationError(f"The {what} percent has at most two decimals.")
    return int(basis_points)


def show_basis_points(bp: int) -> str:
    """725 -> "7.25%", 700 -> "7%"."""
    return f"{(Decimal(bp) / 100).normalize():f}%"
