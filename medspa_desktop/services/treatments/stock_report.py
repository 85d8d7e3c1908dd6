"""What the inventory screen lists: each product's stock, a product's lots, and a lot's ledger.
Read-only; the changes go through services/treatments/inventory.py."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import JOIN, fn

from ...store.models import Lot, Patient, Product, StockMovement, User
from ..billing.money import show_cents
from ..charts.patients import display_name
from ..platform.permissions import allowed, require
from .inventory import EXPIRY_WARNING, show


@dataclass(frozen=True)
class ProductStock:
    id: int
    name: str
    kind: str
    unit: str
    on_hand: str  # unexpired stock, "80 U"
    reorder_at: str
    next_expiry: dt.date | None  # of the unexpired lots with stock
    low: bool
    price_cents: int = 0  # retail: the selling price per item
    sku: str = ""
    taxable: bool = True


def overview(actor: User, today: dt.date | None = None) -> list[ProductStock]:
    """Every active product with its usable stock, in one query."""
    require(actor, "inventory.read")
    today = today or dt.date.today()
    usable = (Lot.expiry >= today) & (Lot.remaining_centi > 0)
    query = (Product
             .select(Product.id, Product.name, Product.kind, Product.unit,
                     Product.low_stock_centi,
                     fn.COALESCE(fn.SUM(Lot.remaining_centi), 0), fn.MIN(Lot.expiry),
                     Product.price_cents, Product.sku, Product.taxable)
             .join(Lot, JOIN.LEFT_OUTER, on=(Lot.product == Product.id) & usable)
             .where(Product.active)
             .group_by(Product.id, Product.name, Product.kind, Product.unit,
                       Product.low_stock_centi, Product.price_cents, Product.sku,
                       Product.taxable)
             .order_by(Product.name).tuples())
    return [ProductStock(pid, name, kind, unit, show(left, unit), show(low, unit), expiry,
                         left <= low, price, sku, bool(taxable))
            for pid, name, kind, unit, low, left, expiry, price, sku, taxable in query]


@dataclass(frozen=True)
class LotDetail:
    id: int
    lot_number: str
    expiry: dt.date
    received_on: dt.date
    received: str
    remaining: str
    cost: str  # per unit, "$5.20 / U", or ""
    state: str  # in stock | expires soon | expired | used up


def product_lots(actor: User, product_id: int,
                 today: dt.date | None = None) -> list[LotDetail]:
    """All the product's lots, those still in stock first, soonest expiry first."""
    require(actor, "inventory.read")
    today = today or dt.date.today()
    query = (Lot.select(Lot, Product).join(Product).where(Lot.product == product_id)
             .order_by((Lot.remaining_centi == 0).asc(), Lot.expiry, Lot.id))
    rows = []
    for lot in query:
        unit = lot.product.unit
        if lot.remaining_centi == 0:
            state = "used up"
        elif lot.expiry < today:
            state = "expired"
        elif lot.expiry <= today + EXPIRY_WARNING:
            state = "expires soon"
        else:
            state = "in stock"
        cost = f"{show_cents(lot.cost_cents)} / {unit}" if lot.cost_cents else ""
        rows.append(LotDetail(lot.id, lot.lot_number, lot.expiry, lot.received_on,
                              show(lot.received_centi, unit), show(lot.remaining_centi, unit),
                              cost, state))
    return rows


@dataclass(frozen=True)
class Movement:
    at: dt.datetime
    change: str  # "+100 U", "-20 U"
    kind: str  # Received | Used | Adjusted
    detail: str  # the reason, or the patient treated
    by: str


KIND_LABELS = {"receive": "Received", "use": "Used", "adjust": "Adjusted", "sale": "Sold",
               "return": "Returned"}


def lot_ledger(actor: User, lot_id: int) -> list[Movement]:
    """A lot's movements, newest first. Who was treated from it shows only to staff who may
    see treatment records."""
    require(actor, "inventory.read")
    clinical = allowed(actor, "treatment.read")
    query = (StockMovement.select(StockMovement, Lot, Product, User, Patient)
             .join(Lot).join(Product)
             .switch(StockMovement).join(User)
             .switch(StockMovement).join(Patient, JOIN.LEFT_OUTER)
             .where(StockMovement.lot == lot_id)
             .order_by(StockMovement.at.desc(), StockMovement.id.desc()))
    rows = []
    for m in query:
        unit = m.lot.product.unit
        sign = "+" if m.change_centi > 0 else "−"
        change = sign + show(abs(m.change_centi), unit)
        if m.kind == "use":
            detail = (f"Treated {display_name(m.patient)}" if clinical and m.patient_id
                      else "Used at a visit")
        else:
            detail = m.reason
        rows.append(Movement(m.at, change, KIND_LABELS.get(m.kind, m.kind), detail,
                             m.user.display_name))
    return rows
