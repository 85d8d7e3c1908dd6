"""Invoice arithmetic, in integer cents, with one rounding rule: **round half up** (a half
cent becomes a whole one), applied at these steps and nowhere else:

1. a line's gross = quantity × unit price (quantities in hundredths: 12.5 U, 0.5 syringe);
2. a line's own discount (a percent of its gross, or an amount up to its gross);
3. the invoice's discount (a percent of the lines' net, or an amount up to it), shared among
   the lines in proportion to their net — whole cents first, the cents left over going to the
   lines with the largest remainders (the earlier line on a tie), so the shares add up exactly;
4. each line's tax = its net after both discounts × its rate (in basis points: 725 = 7.25 %).

Then total = Σ gross − Σ discounts + Σ tax + tip, exactly. Plain functions, no database.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..platform.errors import ValidationError

BASIS = 10_000  # basis points in 100 %
MAX_TOTAL_CENTS = 100_000_000  # $1,000,000.00: far beyond any visit, inside every integer column


def round_half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator to the nearest integer, halves away from zero."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    sign = -1 if numerator < 0 else 1
    return sign * ((2 * abs(numerator) + denominator) // (2 * denominator))


@dataclass(frozen=True)
class Discount:
    percent_bp: int = 0  # either a percent (basis points) …
    amount_cents: int = 0  # … or an amount
    reason: str = ""

    def of(self, base: int, what: str) -> int:
        if self.percent_bp and self.amount_cents:
            raise ValidationError(f"Give the {what} discount as a percent or an amount, not both.")
        if self.percent_bp < 0 or self.amount_cents < 0:
            raise ValidationError(f"A {what} discount cannot be negative.")
        if self.percent_bp > BASIS:
            raise ValidationError(f"A {what} discount cannot be more than 100 %.")
        cents = round_half_up(base * self.percent_bp, BASIS) if self.percent_bp \
            else self.amount_cents
        if cents > base:
            raise ValidationError(f"The {what} discount is more than the amount it is taken "
                                  "from.")
        if cents and not self.reason.strip():
            raise ValidationError(f"Give the reason for the {what} discount.")
        return cents


@dataclass(frozen=True)
class LineIn:
    quantity_centi: int  # 100 = 1
    unit_price_cents: int
    tax_rate_bp: int = 0
    discount: Discount = Discount()


@dataclass(frozen=True)
class LineOut:
    gross_cents: int
    discount_cents: int  # its own and its share of the invoice's
    tax_cents: int


@dataclass(frozen=True)
class Totals:
    lines: tuple[LineOut, ...]
    subtotal_cents: int
    discount_cents: int
    tax_cents: int
    tip_cents: int
    total_cents: int


def share(amount: int, weights: list[int]) -> list[int]:
    """``amount`` split in proportion to ``weights`` (largest remainder), summing exactly."""
    whole = sum(weights)
    if amount == 0 or whole == 0:
        return [0] * len(weights)
    parts = [amount * w // whole for w in weights]
    remainders = sorted(range(len(weights)),
                        key=lambda i: (-(amount * weights[i] % whole), i))
    for i in remainders[:amount - sum(parts)]:
        parts[i] += 1
    return parts


def price(lines: list[LineIn], invoice_discount: Discount = Discount(),
          tip_cents: int = 0) -> Totals:
    if not lines:
        raise ValidationError("An invoice needs at least one line.")
    if tip_cents < 0:
        raise ValidationError("A tip cannot be negative.")
    gross, own = [], []
    for n, line in enumerate(lines, 1):
        if line.quantity_centi <= 0:
            raise ValidationError(f"Line {n}: the quantity must be more than zero.")
        if line.unit_price_cents < 0:
            raise ValidationError(f"Line {n}: a price cannot be negative.")
        if not 0 <= line.tax_rate_bp <= BASIS:
            raise ValidationError(f"Line {n}: the tax rate must be between 0 and 100 %.")
        g = round_half_up(line.quantity_centi * line.unit_price_cents, 100)
        gross.append(g)
        own.append(line.discount.of(g, f"line {n}"))
    nets = [g - d for g, d in zip(gross, own, strict=True)]
    overall = invoice_discount.of(sum(nets), "invoice")
    shares = share(overall, nets)
    out = []
    for line, g, d, s in zip(lines, gross, own, shares, strict=True):
        net = g - d - s
        out.append(LineOut(g, d + s, round_half_up(net * line.tax_rate_bp, BASIS)))
    subtotal = sum(gross)
    if subtotal + tip_cents > MAX_TOTAL_CENTS:
        raise ValidationError("An invoice cannot be more than $1,000,000.00; check the "
                              "quantities and prices.")
    discount = sum(o.discount_cents for o in out)
    tax = sum(o.tax_cents for o in out)
    return Totals(tuple(out), subtotal, discount, tax, tip_cents,
                  subtotal - discount + tax + tip_cents)
