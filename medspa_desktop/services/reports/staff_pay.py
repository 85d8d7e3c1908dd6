"""Staff pay: per provider and period, the services performed, the net sales, the tips and the
commission the clinic's rule gives.

The figures come from the same rows as the daily close (``billing_reports.counted_sales``):
an invoice counts for its provider on the day it was issued and comes off on the day it was
voided, so a provider's net sales over a period are the daily closes' "by provider" added up.
A gift card sold is not a sale (the care it pays for is, when given). Tips are the invoices'
tips, by the same rule.

The commission rule is a percentage of net sales per category (each service category,
"retail" for products, "package" for prepaid packages), kept as clinic settings
(``settings.COMMISSION_BP``) and set by the admin; it is worked out per provider and category,
rounded to the cent (half away from zero: a void of an earlier sale takes back what it gave)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from ...store.database import db
from ...store.models import CATEGORIES, User
from ..billing import billing_reports
from ..billing.money import show_basis_points
from ..platform import audit, settings
from ..platform.errors import ValidationError
from ..platform.permissions import require
from ..platform.settings import COMMISSION_BP, COMMISSION_KEYS
from .utilisation import viewed

LABELS = {**CATEGORIES, "retail": "Retail", "package": "Packages", "other": "Other"}
MAX_DAYS = 3 * 366 + 1


def label(key: str) -> str:
    return LABELS.get(key, key)


def rates() -> dict[str, int]:
    """The commission per category, in basis points (1000 = 10 %), every category listed."""
    return dict(zip(COMMISSION_KEYS, settings.get_many(*COMMISSION_BP), strict=True))


def set_rates(actor: User, new: dict[str, int]) -> None:
    """Change the commission rule (only the categories given); the change is audited with
    the old and new percentages."""
    require(actor, "commission.write")
    unknown = sorted(set(new) - set(COMMISSION_KEYS))
    if unknown:
        raise ValidationError(f"Unknown commission categories: {', '.join(unknown)}.")
    by_key = dict(zip(COMMISSION_KEYS, COMMISSION_BP, strict=True))
    settings.check({by_key[key]: bp for key, bp in new.items()})
    old = rates()
    changed = {key: bp for key, bp in new.items() if old[key] != bp}
    if not changed:
        return
    with db.atomic():
        settings.put({by_key[key]: bp for key, bp in changed.items()})
        audit.record(actor, "settings.commission", "clinic", "", "; ".join(
            f"{label(key)} {show_basis_points(old[key])} → {show_basis_points(bp)}"
            for key, bp in changed.items()))


def commission_cents(net_cents: int, bp: int) -> int:
    """``bp`` basis points of ``net_cents``, to the cent, half away from zero."""
    whole, rest = divmod(abs(net_cents) * bp, 10000)
    cents = whole + (1 if rest * 2 >= 10000 else 0)
    return cents if net_cents >= 0 else -cents


@dataclass(frozen=True)
class CategoryPay:
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
    rates: dict[str, int]

    @property
    def empty(self) -> bool:
        return not self.providers

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
    counted = billing_reports.counted_sales(
        dt.datetime.combine(date_from, dt.time()),
        dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time()))
    sign_of: dict[int, int] = defaultdict(int)
    who: dict[int, tuple[int | None, str]] = {}
    tips: dict[tuple[int | None, str], int] = defaultdict(int)
    for invoice, sign in counted.signed:
        sign_of[invoice.id] += sign
        provider = (invoice.provider_id, invoice.provider or "No provider")
        who[invoice.id] = provider
        tips[provider] += sign * invoice.tip_cents
    # provider -> category -> [service lines, net]
    sums: dict[tuple[int | None, str], dict[str, list[int]]] = defaultdict(
        lambda: defaultdict(lambda: [0, 0]))
    for line in counted.lines:
        sign = sign_of[line.invoice_id]
        if line.kind == "gift_card" or not sign:
            continue
        entry = sums[who[line.invoice_id]][_key(line.kind, line.category)]
        entry[0] += sign if line.kind == "service" else 0
        entry[1] += sign * line.net_cents
    rule = rates()
    out = []
    for provider in set(sums) | {p for p, cents in tips.items() if cents}:
        cats = tuple(CategoryPay(key, label(key), n, net, rule[key], commission_cents(net, rule[key]))
                     for key in COMMISSION_KEYS if key in sums[provider]
                     for n, net in [sums[provider][key]] if n or net)
        tip = tips[provider]
        if not cats and not tip:
            continue
        out.append(ProviderPay(provider[0], provider[1], sum(c.services for c in cats),
                               sum(c.net_cents for c in cats), tip,
                               sum(c.commission_cents for c in cats), cats))
    out.sort(key=lambda p: (p.provider_id is None, p.provider.lower()))
    return StaffPay(date_from, date_to, tuple(out), rule)
