"""Treatments and stock: what was injected, by whom, and what the shelf holds.

- Units of each neurotoxin and mL or syringes of each filler (and injectable solution) per
  month and per provider, with the units per patient and per treatment (a quality and cost
  signal): the ledger's ``use`` movements (services/treatments/inventory.draw, written when a
  treatment is charted), counted on the day of the visit, found through the appointments of
  the period (their ``start`` index), the provider being the one who charted the treatment.
- The stock on hand at cost, today: each lot's remaining quantity (kept equal to the sum of
  its ledger movements) times its cost per unit; expired lots apart, lots received without a
  cost counted.
- What expires in the next 30, 60 and 90 days, lot by lot, with its value at cost.

Read-only; a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import JOIN

from ...store.models import Appointment, Lot, Product, StockMovement, TreatmentRecord, User
from ..platform.errors import ValidationError
from ..platform.permissions import require
from ..platform.vocabulary import ProductKind
from ..treatments.inventory import show
from .utilisation import viewed

INJECTABLES = (ProductKind.TOXIN, ProductKind.FILLER, ProductKind.SOLUTION)
EXPIRY_WINDOWS = (30, 60, 90)
MAX_DAYS = 3 * 366 + 1


@dataclass(frozen=True)
class ProductUse:
    """One product's use over the period (and one provider's, in ``by_provider``)."""

    product: str
    kind: str
    unit: str
    provider: str  # "" for the clinic as a whole
    centi: int  # hundredths of the unit
    patients: int
    treatments: int  # visits it was drawn at

    @property
    def per_patient_centi(self) -> int:
        return round(self.centi / self.patients) if self.patients else 0

    @property
    def per_treatment_centi(self) -> int:
        return round(self.centi / self.treatments) if self.treatments else 0


@dataclass(frozen=True)
class InjectableUse:
    date_from: dt.date
    date_to: dt.date
    months: tuple[dt.date, ...]  # the first of each month of the period
    # (product, unit) -> hundredths per month, in ``months`` order
    per_month: tuple[tuple[str, str, tuple[int, ...]], ...]
    by_product: tuple[ProductUse, ...]
    by_provider: tuple[ProductUse, ...]  # product, then provider

    @property
    def empty(self) -> bool:
        return not self.by_product


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    out, month = [], first.replace(day=1)
    while month <= last:
        out.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return out


def _check(date_from: dt.date, date_to: dt.date) -> None:
    if date_to < date_from:
        raise ValidationError("The end date is before the start date. Choose an end date on or "
                              "after the start date.")
    if (date_to - date_from).days + 1 > MAX_DAYS:
        raise ValidationError("A report covers at most three years. Choose a shorter period.")


def injectable_use(actor: User, date_from: dt.date, date_to: dt.date, *,
                   report: str = "") -> InjectableUse:
    """Injectables drawn at the visits of ``date_from`` … ``date_to`` (inclusive): one query.
    ``report``: the page's title, audited as looked at."""
    require(actor, "reports.view")
    _check(date_from, date_to)
    viewed(actor, report, date_from, date_to)
    start = dt.datetime.combine(date_from, dt.time())
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time())
    charted_by = User.alias()
    rows = (Appointment
            .select(Appointment.start, Appointment.id, StockMovement.patient, Product.name,
                    Product.kind, Product.unit, charted_by.display_name,
                    StockMovement.change_centi)
            .join(StockMovement, on=StockMovement.appointment == Appointment.id)
            .join(Lot, on=StockMovement.lot == Lot.id)
            .join(Product, on=Lot.product == Product.id)
            .switch(Appointment)
            .join(TreatmentRecord, JOIN.LEFT_OUTER,
                  on=TreatmentRecord.appointment == Appointment.id)
            .join(charted_by, JOIN.LEFT_OUTER, on=TreatmentRecord.provider == charted_by.id)
            .where(Appointment.start >= start, Appointment.start < end,
                   StockMovement.kind == "use", Product.kind.in_(list(INJECTABLES)))
            .tuples())
    months = _months(date_from, date_to)
    index = {m: i for i, m in enumerate(months)}
    per_month: dict[tuple[str, str, str], list[int]] = {}
    totals: dict[tuple[str, str], list] = {}  # (product, provider) -> [kind, unit, centi, …]
    for at, appt_id, patient_id, product, kind, unit, provider, change in rows:
        centi = -change  # a use is a negative movement
        month = per_month.setdefault((product, kind, unit), [0] * len(months))
        month[index[at.date().replace(day=1)]] += centi
        for who in ("", provider or "No provider"):
            entry = totals.setdefault((product, who), [kind, unit, 0, set(), set()])
            entry[2] += centi
            entry[3].add(patient_id)
            entry[4].add(appt_id)
    uses = {key: ProductUse(key[0], v[0], v[1], key[1], v[2], len(v[3]), len(v[4]))
            for key, v in totals.items()}
    order = sorted(per_month, key=lambda k: (list(INJECTABLES).index(k[1]), k[0]))
    return InjectableUse(
        date_from, date_to, tuple(months),
        tuple((product, unit, tuple(per_month[(product, kind, unit)]))
              for product, kind, unit in order),
        tuple(uses[(product, "")] for product, _kind, _unit in order),
        tuple(sorted((u for (_p, who), u in uses.items() if who),
                     key=lambda u: ([p for p, _k, _u in order].index(u.product), u.provider))))


@dataclass(frozen=True)
class LotValue:
    product: str
    kind: str
    lot_number: str
    expiry: dt.date
    remaining: str  # "80 U"
    value_cents: int  # remaining × cost per unit
    costed: bool  # received with a cost


@dataclass(frozen=True)
class StockValue:
    today: dt.date
    on_hand_cents: int  # unexpired stock at cost
    expired_cents: int  # still on the shelf, past its expiry
    uncosted_lots: int  # lots with stock but no cost recorded (not in the value)
    by_product: tuple[tuple[str, str, int], ...]  # (product, on hand "120 U", cents)
    expiring: tuple[tuple[int, int, int], ...]  # (within days, lots, cents), 30/60/90
    expiring_lots: tuple[LotValue, ...]  # within 90 days, soonest first

    @property
    def empty(self) -> bool:
        return not self.by_product and not self.uncosted_lots


def _value(remaining_centi: int, cost_cents: int) -> int:
    """Hundredths of a unit at a cost per unit, to the cent (half up)."""
    return (remaining_centi * cost_cents + 50) // 100


def stock_value(actor: User, today: dt.date | None = None, *, report: str = "") -> StockValue:
    """The stock on the shelf today and what of it expires soon, at cost: one query.
    ``report``: the page's title, audited as looked at."""
    require(actor, "reports.view")
    today = today or dt.date.today()
    viewed(actor, report, today, today)
    lots = (Lot.select(Product.name, Product.kind, Product.unit, Lot.lot_number, Lot.expiry,
                       Lot.remaining_centi, Lot.cost_cents)
            .join(Product, on=Lot.product == Product.id)
            .where(Lot.remaining_centi > 0)
            .order_by(Lot.expiry, Product.name, Lot.lot_number).tuples())
    on_hand = expired = uncosted = 0
    products: dict[str, list] = {}
    soon: list[LotValue] = []
    windows = {days: [0, 0] for days in EXPIRY_WINDOWS}
    for name, kind, unit, number, expiry, left, cost in lots:
        if not cost:
            uncosted += 1
        value = _value(left, cost)
        if expiry < today:
            expired += value
            continue
        on_hand += value
        entry = products.setdefault(name, [unit, 0, 0])
        entry[1] += left
        entry[2] += value
        days = (expiry - today).days
        if days <= EXPIRY_WINDOWS[-1]:
            soon.append(LotValue(name, kind, number, expiry, show(left, unit), value,
                                 bool(cost)))
            for window, sums in windows.items():
                if days <= window:
                    sums[0] += 1
                    sums[1] += value
    return StockValue(
        today, on_hand, expired, uncosted,
        tuple((name, show(v[1], v[0]), v[2]) for name, v in sorted(products.items())),
        tuple((days, *sums) for days, sums in windows.items()), tuple(soon))
