"""Inventory and lot traceability.

Products (toxins counted in units, fillers in syringes or mL, retail in items) are received in
lots with a number and an expiry. Every change of stock is a row in an append-only ledger
(``StockMovement``): received, used on a patient at a visit, or adjusted with a reason; a lot's
``remaining`` always equals the sum of its ledger, which ``check`` verifies.

Drawing for a treatment takes the lot that expires soonest among those that have enough and
have not expired (or the lot the provider names); an expired lot, or not enough stock, is
refused with a message that says what is left. "Who received lot X?" answers from the ledger.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from peewee import JOIN, fn

from ...store.database import db
from ...store.models import Appointment, Lot, Patient, Product, StockMovement, User
from ..billing.money import show_cents
from ..charts.patients import format_phone, listed_name, parse_date
from ..platform import audit, changes, limits
from ..platform.errors import ConflictError, NotFound, ValidationError
from ..platform.permissions import require
from ..platform.text import clean_line, required_reason
from ..platform.vocabulary import ProductKind

# each kind's usual unit; an injectable solution (mesotherapy) is drawn in mL, with its lot,
# like a toxin or filler
KINDS = {ProductKind.TOXIN: "U", ProductKind.FILLER: "syringe", ProductKind.SOLUTION: "mL",
         ProductKind.CONSUMABLE: "item", ProductKind.RETAIL: "item"}
UNITS = ("U", "mL", "syringe", "item")
EXPIRY_WARNING = dt.timedelta(days=30)
HUNDRED = Decimal(100)


def to_centi(quantity: Decimal | int | float | str) -> int:
    """A quantity in hundredths of its unit (0.01 resolution, half up)."""
    try:
        value = Decimal(str(quantity))
    except InvalidOperation:
        raise ValidationError(f"'{quantity}' is not a quantity.") from None
    if not value.is_finite():
        raise ValidationError(f"'{quantity}' is not a quantity.")
    return int((value * HUNDRED).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def from_centi(centi: int) -> Decimal:
    return (Decimal(centi) / HUNDRED).quantize(Decimal("0.01"))


def show(centi: int, unit: str) -> str:
    """ "20 U", "1.5 mL", "2 syringes" — trailing zeros dropped."""
    value = from_centi(centi).normalize()
    text = f"{value:f}"
    plural = "s" if unit in ("syringe", "item") and value != 1 else ""
    return f"{text} {unit}{plural}"


@dataclass(frozen=True)
class ProductInput:
    """A product as the products window edits it. ``low_stock`` is in the product's unit;
    ``price_cents`` is the selling price per unit (retail items)."""

    name: str
    kind: str
    unit: str | None = None  # None: the kind's usual unit
    low_stock: Decimal | int | str = 0
    price_cents: int = 0
    sku: str = ""
    taxable: bool = True


def _validated_product(data: ProductInput) -> ProductInput:
    name = clean_line(data.name)
    if not name:
        raise ValidationError("Enter the product's name.")
    if len(name) > limits.PRODUCT_NAME:
        raise ValidationError(f"The product's name must be at most {limits.PRODUCT_NAME} "
                              "characters.")
    if not ProductKind.has(data.kind):
        raise ValidationError("Choose the kind: " + ", ".join(
            label.lower() for label in ProductKind.labels().values()) + ".")
    unit = data.unit or KINDS[data.kind]
    if unit not in UNITS:
        raise ValidationError("Choose units (U), mL, syringes or items.")
    threshold = to_centi(str(data.low_stock).strip() or 0)
    if threshold < 0:
        raise ValidationError("The reorder level cannot be negative.")
    if data.price_cents < 0:
        raise ValidationError("A price cannot be negative.")
    if data.price_cents >= 1_000_000_000:
        raise ValidationError("The price is too large.")
    sku = clean_line(data.sku).upper()
    if len(sku) > limits.SKU:
        raise ValidationError(f"The SKU must be at most {limits.SKU} characters.")
    return ProductInput(name, data.kind, unit, threshold, data.price_cents, sku,
                        bool(data.taxable))


def _unique(data: ProductInput, product_id: int | None) -> None:
    others = Product.select().where(Product.id != (product_id or 0))
    if others.where(Product.name == data.name).exists():
        raise ValidationError(f"A product named '{data.name}' already exists.")
    if data.sku:
        taken = others.where(Product.sku == data.sku).first()
        if taken is not None:
            raise ValidationError(f"The SKU {data.sku} is already used by {taken.name}.")


def _product_text(data: ProductInput) -> str:
    return (f"{data.name}: {ProductKind.label_of(data.kind)} in {data.unit}, reorder at "
            f"{show(data.low_stock, data.unit)}, price {show_cents(data.price_cents)}, "
            f"sku {data.sku or '-'}, {'taxed' if data.taxable else 'not taxed'}")


def create_product(actor: User, data: ProductInput) -> Product:
    """A new product: an injectable, a solution, a consumable or a retail item."""
    require(actor, "inventory.write")
    data = _validated_product(data)
    with db.atomic():
        _unique(data, None)
        product = Product.create(name=data.name, kind=data.kind, unit=data.unit,
                                 low_stock_centi=data.low_stock, price_cents=data.price_cents,
                                 sku=data.sku, taxable=data.taxable)
        audit.record(actor, "product.create", "product", product.id, _product_text(data))
        changes.note("product", product.id)
    return product


def add_product(actor: User, name: str, kind: str, unit: str | None = None,
                low_stock: Decimal | int = 0) -> Product:
    return create_product(actor, ProductInput(name, kind, unit, low_stock))


def edit_product(actor: User, product_id: int, data: ProductInput) -> Product:
    """Change a product's details. The unit stock is counted in cannot change once stock was
    received (its lots and ledger are counted in it)."""
    require(actor, "inventory.write")
    data = _validated_product(data)
    with db.atomic():
        product = Product.get_or_none(Product.id == product_id)
        if product is None:
            raise NotFound("That product does not exist.")
        if data.unit != product.unit and Lot.select().where(Lot.product == product_id).exists():
            raise ValidationError(f"{product.name} already has stock counted in "
                                  f"{product.unit}; its unit cannot change. Add a new product "
                                  "instead.")
        _unique(data, product_id)
        Product.update(name=data.name, kind=data.kind, unit=data.unit,
                       low_stock_centi=data.low_stock, price_cents=data.price_cents,
                       sku=data.sku, taxable=data.taxable).where(
            Product.id == product_id).execute()
        audit.record(actor, "product.edit", "product", product_id, _product_text(data))
        changes.note("product", product_id)
    return Product.get_by_id(product_id)


def set_product_active(actor: User, product_id: int, active: bool, reason: str = "") -> Product:
    """Retire a product the clinic no longer stocks (it leaves receiving, drawing and the
    checkout; every lot, sale and treatment that names it stays), or bring it back."""
    require(actor, "inventory.write")
    reason = clean_line(reason)
    if not active and not reason:
        raise ValidationError("Give the reason the product is retired (e.g. discontinued).")
    if len(reason) > limits.SHORT_REASON:
        raise ValidationError(f"The reason must be at most {limits.SHORT_REASON} characters.")
    with db.atomic():
        product = Product.get_or_none(Product.id == product_id)
        if product is None:
            raise NotFound("That product does not exist.")
        if product.active == active:
            return product
        Product.update(active=active).where(Product.id == product_id).execute()
        audit.record(actor, "product.activate" if active else "product.retire", "product",
                     product_id, product.name + (f": {reason}" if reason else ""))
        changes.note("product", product_id)
    return Product.get_by_id(product_id)


def all_products(actor: User, text: str = "", state: str = "all") -> list[Product]:
    """The products window's list: every product (``state`` "active" or "retired" for
    some), retired ones last, those whose name or SKU holds ``text``."""
    require(actor, "inventory.read")
    query = Product.select().order_by(~Product.active, Product.name)
    if state in ("active", "retired"):
        query = query.where(Product.active == (state == "active"))
    words = clean_line(text)
    if words:
        query = query.where(Product.name.contains(words) | Product.sku.contains(words.upper()))
    return list(query)


def _movement(actor: User, lot: Lot, change: int, kind: str, *, reason: str = "",
              appointment_id: int | None = None, patient_id: int | None = None,
              at: dt.datetime | None = None) -> None:
    StockMovement.create(lot=lot.id, change_centi=change, kind=kind, reason=reason,
                         appointment=appointment_id, patient=patient_id, user=actor,
                         at=at or dt.datetime.now())
    Lot.update(remaining_centi=Lot.remaining_centi + change).where(Lot.id == lot.id).execute()


LOT_NUMBER = re.compile(r"[A-Z0-9][A-Z0-9./ -]*")


def parse_expiry(text: str) -> dt.date:
    """An expiry typed as printed on a box: 2027-08-31, 2027-08 or 08/2027 (the month's
    last day), 08/31/2027 or 31.08.2027."""
    text = text.strip()
    if not text:
        raise ValidationError("Enter the expiry printed on the box (e.g. 2027-08).")
    day = parse_date(text)  # a whole date, typed as dates are typed everywhere
    if day is not None:
        return day
    for pattern in ("%Y-%m", "%m/%Y"):
        try:
            first = dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        return first.replace(day=calendar.monthrange(first.year, first.month)[1])
    raise ValidationError(f"'{text}' is not an expiry: type it as printed, e.g. 2027-08 or "
                          "2027-08-31.")


def receive(actor: User, product_id: int, lot_number: str, expiry: dt.date,
            quantity: Decimal | int, cost_cents: int = 0,
            today: dt.date | None = None, now: dt.datetime | None = None) -> Lot:
    """Stock arrives: a new lot of ``quantity`` units of the product (received ``today``,
    its ledger row at ``now``: the clock unless given)."""
    require(actor, "inventory.write")
    today = today or dt.date.today()
    product = Product.get_or_none(Product.id == product_id)
    if product is None:
        raise NotFound("That product does not exist.")
    if not product.active:
        raise ValidationError(f"{product.name} is retired; bring it back before receiving "
                              "stock of it.")
    lot_number = clean_line(lot_number).upper()
    if not lot_number:
        raise ValidationError("Enter the lot number printed on the box.")
    if len(lot_number) > limits.LOT_NUMBER:
        raise ValidationError(f"The lot number must be at most {limits.LOT_NUMBER} characters.")
    if not LOT_NUMBER.fullmatch(lot_number):
        raise ValidationError(f"'{lot_number}' is not a lot number: letters and digits (with "
                              "dashes, dots or slashes) as printed on the box.")
    if expiry < today:
        raise ValidationError(f"Lot {lot_number} expired on {expiry}; do not receive it.")
    amount = to_centi(quantity)
    if amount <= 0:
        raise ValidationError("The quantity received must be more than zero.")
    if cost_cents < 0:
        raise ValidationError("A cost cannot be negative.")
    with db.atomic():
        if Lot.select().where(Lot.product == product_id, Lot.lot_number == lot_number).exists():
            raise ValidationError(f"Lot {lot_number} of {product.name} was already received; "
                                  "adjust it instead.")
        lot = Lot.create(product=product_id, lot_number=lot_number, expiry=expiry,
                         received_centi=amount, remaining_centi=0, cost_cents=cost_cents,
                         received_on=today)
        _movement(actor, lot, amount, "receive", reason="received", at=now)
        audit.record(actor, "stock.receive", "lot", lot.id,
                     f"{product.name} lot {lot_number} {show(amount, product.unit)}, "
                     f"expires {expiry}")
        changes.note("stock", lot.product_id)
    return Lot.get_by_id(lot.id)


@dataclass(frozen=True)
class Drawn:
    """One lot's part of a draw or a sale: the lot (as it is after the draw) and how much
    left it, in hundredths of the product's unit."""

    lot: Lot
    centi: int


def draw(actor: User, product_id: int, quantity: Decimal | int, *, appointment_id: int,
         lot_id: int | None = None, today: dt.date | None = None,
         now: dt.datetime | None = None) -> list[Drawn]:
    """Take ``quantity`` for a treatment at ``appointment_id``, first-expiry-first across
    lots: the nearly empty older vial is used up, then the next (``lot_id``, the vial in the
    provider's hand, goes first). One ledger movement per lot drawn, in one transaction, at
    ``now`` (the clock unless given: the demo charts its past visits at their time)."""
    require(actor, "inventory.use")
    today = today or dt.date.today()
    product = Product.get_or_none(Product.id == product_id)
    if product is None:
        raise NotFound("That product does not exist.")
    amount = to_centi(quantity)
    if amount <= 0:
        raise ValidationError("The quantity used must be more than zero.")
    appt = Appointment.get_or_none(Appointment.id == appointment_id)
    if appt is None:
        raise NotFound("That appointment does not exist.")
    with db.atomic():
        plan = _plan(product, amount, lot_id, today)
        for lot, part in plan:
            _movement(actor, lot, -part, "use", appointment_id=appt.id,
                      patient_id=appt.patient_id, reason="treatment", at=now)
            audit.record(actor, "stock.use", "lot", lot.id,
                         f"{show(part, product.unit)} {product.name} lot {lot.lot_number} "
                         f"appointment {appt.id}")
            changes.note("stock", lot.product_id)
    return _drawn(plan)


def _drawn(plan: list[tuple[Lot, int]]) -> list[Drawn]:
    after = {lot.id: lot for lot in Lot.select().where(Lot.id.in_([lot.id for lot, _ in plan]))}
    return [Drawn(after[lot.id], part) for lot, part in plan]


def _plan(product: Product, amount: int, lot_id: int | None,
          today: dt.date) -> list[tuple[Lot, int]]:
    """Which lots give ``amount`` and how much each: ``lot_id`` first if named (refused when
    it has expired or is empty; when it has too little, the rest comes from the next lots),
    then the unexpired lots soonest expiry first, each used up before the next is opened.
    Refused, saying what is left, when they do not add up."""
    plan: list[tuple[Lot, int]] = []
    need = amount
    if lot_id is not None:
        lot = Lot.get_or_none(Lot.id == lot_id, Lot.product == product.id)
        if lot is None:
            raise NotFound(f"That lot is not a lot of {product.name}.")
        if lot.expiry < today:
            raise ConflictError(f"Lot {lot.lot_number} of {product.name} expired on "
                                f"{lot.expiry}; it cannot be used.")
        if lot.remaining_centi <= 0:
            raise ConflictError(f"Lot {lot.lot_number} of {product.name} is used up.")
        part = min(need, lot.remaining_centi)
        plan.append((lot, part))
        need -= part
    if need > 0:
        query = (Lot.select()
                 .where(Lot.product == product.id, Lot.expiry >= today, Lot.remaining_centi > 0)
                 .order_by(Lot.expiry, Lot.id))
        if lot_id is not None:
            query = query.where(Lot.id != lot_id)
        for lot in query:
            part = min(need, lot.remaining_centi)
            plan.append((lot, part))
            need -= part
            if need == 0:
                break
    if need > 0:
        raise ConflictError(_shortage(product, amount, today))
    return plan


def sell(actor: User, product_id: int, quantity: Decimal | int, *, patient_id: int,
         invoice_number: int, today: dt.date | None = None,
         now: dt.datetime | None = None) -> list[Drawn]:
    """Retail: ``quantity`` items leave the shelf on an invoice, soonest-expiring lot first
    (across lots when one has too few). Called inside the checkout's transaction."""
    require(actor, "billing.checkout")
    today = today or dt.date.today()
    product = Product.get_by_id(product_id)
    amount = to_centi(quantity)
    plan = _plan(product, amount, None, today)
    for lot, part in plan:
        _movement(actor, lot, -part, "sale", patient_id=patient_id,
                  reason=f"invoice {invoice_number}", at=now)
        audit.record(actor, "stock.sale", "lot", lot.id,
                     f"{show(part, product.unit)} {product.name} lot {lot.lot_number} "
                     f"invoice {invoice_number}")
        changes.note("stock", lot.product_id)
    return _drawn(plan)


def _needed(amount: int, unit: str) -> str:
    """ "1 item is needed", "20 U are needed"."""
    return f"{show(amount, unit)} {'is' if amount == 100 else 'are'} needed"


def return_sale(actor: User, invoice_number: int) -> int:
    """The items sold on an invoice came back unopened: each goes back to the lot it left.
    Called inside the void's transaction; returns how many movements were written."""
    require(actor, "billing.refund")
    sales = list(StockMovement.select(StockMovement, Lot, Product).join(Lot).join(Product)
                 .where(StockMovement.kind == "sale",
                        StockMovement.reason == f"invoice {invoice_number}"))
    for sale in sales:
        _movement(actor, sale.lot, -sale.change_centi, "return", patient_id=sale.patient_id,
                  reason=f"invoice {invoice_number} void")
        audit.record(actor, "stock.return", "lot", sale.lot_id,
                     f"{show(-sale.change_centi, sale.lot.product.unit)} "
                     f"{sale.lot.product.name} lot {sale.lot.lot_number} back from invoice "
                     f"{invoice_number}")
        changes.note("stock", sale.lot.product_id)
    return len(sales)


def _shortage(product: Product, amount: int, today: dt.date) -> str:
    usable = list(Lot.select().where(Lot.product == product.id, Lot.expiry >= today,
                                     Lot.remaining_centi > 0).order_by(Lot.expiry, Lot.id))
    if not usable:
        expired = Lot.select().where(Lot.product == product.id, Lot.expiry < today,
                                     Lot.remaining_centi > 0).exists()
        extra = " (what is left has expired)" if expired else ""
        return f"No {product.name} in stock{extra}; {_needed(amount, product.unit)}."
    total = sum(lot.remaining_centi for lot in usable)
    left = ", ".join(f"{show(lot.remaining_centi, product.unit)} in lot {lot.lot_number}"
                     for lot in usable)
    return (f"Only {show(total, product.unit)} of {product.name} in stock ({left}); "
            f"{_needed(amount, product.unit)}.")


def adjust(actor: User, lot_id: int, change: Decimal | int, reason: str) -> Lot:
    """Correct a lot's count (breakage, a recount, a return), saying why."""
    require(actor, "inventory.write")
    reason = required_reason(reason, "the adjustment (e.g. vial broken, recount)")
    delta = to_centi(change)
    if delta == 0:
        raise ValidationError("An adjustment changes the count; zero changes nothing.")
    with db.atomic():
        lot = Lot.get_or_none(Lot.id == lot_id)
        if lot is None:
            raise NotFound("That lot does not exist.")
        if lot.remaining_centi + delta < 0:
            raise ValidationError(f"Lot {lot.lot_number} has only "
                                  f"{show(lot.remaining_centi, lot.product.unit)}.")
        _movement(actor, lot, delta, "adjust", reason=reason)
        audit.record(actor, "stock.adjust", "lot", lot.id,
                     f"{show(delta, lot.product.unit)}: {reason}"[:500])
        changes.note("stock", lot.product_id)
    return Lot.get_by_id(lot_id)


@dataclass(frozen=True)
class LotRow:
    id: int
    lot_number: str
    expiry: dt.date
    remaining: str  # "80 U"


def products(actor: User, kinds: tuple[str, ...] | None = None) -> list[Product]:
    require(actor, "inventory.read")
    query = Product.select().where(Product.active).order_by(Product.name)
    if kinds:
        query = query.where(Product.kind.in_(kinds))
    return list(query)


def usable_lots(actor: User, product_id: int, today: dt.date | None = None) -> list[LotRow]:
    """The product's unexpired lots with stock, soonest expiry first (the default choice)."""
    require(actor, "inventory.read")
    today = today or dt.date.today()
    query = (Lot.select(Lot, Product).join(Product)
             .where(Lot.product == product_id, Lot.expiry >= today, Lot.remaining_centi > 0)
             .order_by(Lot.expiry, Lot.id))
    return [LotRow(lot.id, lot.lot_number, lot.expiry, show(lot.remaining_centi,
                                                            lot.product.unit)) for lot in query]


# -- what the tab shows -----------------------------------------------------------------------
@dataclass(frozen=True)
class StockAlert:
    kind: str  # low | expiring | expired
    message: str


def alerts(actor: User, today: dt.date | None = None) -> list[StockAlert]:
    """Low stock, lots expiring within 30 days, and expired lots still on the shelf."""
    require(actor, "inventory.read")
    today = today or dt.date.today()
    found = []
    stock = dict(Lot.select(Lot.product, fn.SUM(Lot.remaining_centi))
                 .where(Lot.expiry >= today).group_by(Lot.product).tuples())
    for product in Product.select().where(Product.active).order_by(Product.name):
        left = stock.get(product.id, 0) or 0
        if left <= product.low_stock_centi:
            reorder = show(product.low_stock_centi, product.unit)
            found.append(StockAlert("low", f"{product.name}: {show(left, product.unit)} left "
                                           f"(reorder at {reorder})."))
    lots = (Lot.select(Lot, Product).join(Product)
            .where(Lot.remaining_centi > 0, Lot.expiry <= today + EXPIRY_WARNING)
            .order_by(Lot.expiry))
    for lot in lots:
        left = show(lot.remaining_centi, lot.product.unit)
        if lot.expiry < today:
            found.append(StockAlert("expired", f"{lot.product.name} lot {lot.lot_number} "
                                               f"expired on {lot.expiry} ({left} to discard)."))
        else:
            found.append(StockAlert("expiring", f"{lot.product.name} lot {lot.lot_number} "
                                                f"expires on {lot.expiry} ({left} left)."))
    return found


@dataclass(frozen=True)
class RecallRow:
    at: dt.datetime  # the visit, or the sale
    patient_id: int
    patient: str
    chart_number: str
    phone: str
    email: str
    product: str
    lot_number: str
    dose: str
    provider: str  # for a retail sale: "Retail sale, invoice 1043"
    appointment_id: int | None
    sold: bool = False  # bought at the desk, not given at a visit


def recall(actor: User, lot_number: str) -> list[RecallRow]:
    """Everyone who received lot ``lot_number`` (any product) at a visit or bought it at the
    desk (a sale whose invoice was voided and the items returned is left out), newest first;
    audited. One query, however many patients. A chart merged into another is listed as the
    chart it was merged into, whose contact details are the ones kept up to date."""
    require(actor, "treatment.read")
    lot_number = clean_line(lot_number).upper()
    if not lot_number:
        raise ValidationError("Enter the lot number to look up.")
    provider = User.alias()
    given = Patient.alias()  # the chart the movement was written on
    returned = StockMovement.alias()
    came_back = (returned.select(returned.id)
                 .where(returned.lot == StockMovement.lot, returned.kind == "return",
                        returned.reason == StockMovement.reason.concat(" void")))
    query = (StockMovement
             .select(Appointment.start, StockMovement.at, Patient.id, Patient.first_name,
                     Patient.last_name, Patient.preferred_name, Patient.chart_number,
                     Patient.phone, Patient.email, Product.name, Lot.lot_number,
                     StockMovement.change_centi, Product.unit, provider.display_name,
                     Appointment.id, StockMovement.kind, StockMovement.reason)
             .join(Lot).join(Product)
             .switch(StockMovement).join(given, on=(StockMovement.patient == given.id))
             .join(Patient, on=(Patient.id == fn.COALESCE(given.merged_into, given.id)))
             .switch(StockMovement).join(Appointment, JOIN.LEFT_OUTER)
             .join(provider, JOIN.LEFT_OUTER, on=(Appointment.provider == provider.id))
             .where(Lot.lot_number == lot_number,
                    (StockMovement.kind == "use")
                    | ((StockMovement.kind == "sale") & ~fn.EXISTS(came_back)))
             .order_by(fn.COALESCE(Appointment.start, StockMovement.at).desc(),
                       StockMovement.id.desc()).tuples())
    rows = [RecallRow(start or at, pid, listed_name(first, last, preferred), chart,
                      format_phone(phone), email, product, number, show(-change, unit),
                      f"Retail sale, {reason}" if kind == "sale" else (who or ""),
                      appointment_id, kind == "sale")
            for (start, at, pid, first, last, preferred, chart, phone, email, product, number,
                 change, unit, who, appointment_id, kind, reason) in query]
    with db.atomic():
        audit.record(actor, "report.recall", "lot", lot_number, f"{len(rows)} patients")
    return rows


def ledger_problems() -> list[str]:
    """Lots whose remaining count differs from their ledger (for ``check``)."""
    sums = dict(StockMovement.select(StockMovement.lot, fn.SUM(StockMovement.change_centi))
                .group_by(StockMovement.lot).tuples())
    return [f"lot {lot.lot_number} shows {lot.remaining_centi / 100:g} left but its ledger "
            f"adds up to {(sums.get(lot.id) or 0) / 100:g}"
            for lot in Lot.select() if lot.remaining_centi != (sums.get(lot.id) or 0)]
