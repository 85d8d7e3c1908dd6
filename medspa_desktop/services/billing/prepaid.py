"""Packages and gift cards: value paid for now and drawn on later.

* A **package** is a number of credits for one service — 6 laser hair sessions on one area,
  3 IPL sessions, 100 units of toxin banked — sold on an invoice line and taxed there like the
  service. At a later visit the service is drawn from it: the invoice line costs nothing, says
  which package it came from, and takes the credits off (a ``package_use`` row). Voiding that
  invoice puts them back. A package expires on its date, if it has one.
* A **gift card** is an amount of money with a code, sold on an invoice line (not taxed: it is
  money, and the care it buys is taxed when it is bought). It is spent by payments of method
  ``gift_card``, in part or in whole; refunding such a payment puts the money back on the card.

Both can be drawn on only once the invoice that sold them is paid in full, and not after it is
voided. The money paid for them can be refunded only down to the prepaid value still unused
(credits left × the price paid per credit; a card's balance): cancel the unused credits, or
close the card, first. Every row is append-only; what is left is always worked out from the
history, never stored.

Plain functions without Qt; ``invoices`` calls the ledger helpers inside its own transactions.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass
from decimal import Decimal

from peewee import IntegrityError

from ...store.database import db, for_update
from ...store.models import (
    GiftCard,
    GiftCardClose,
    Invoice,
    InvoiceLine,
    Package,
    PackageUse,
    Payment,
    Service,
    User,
)
from ..charts.patients import chart_ids
from ..platform import audit, changes, limits
from ..platform.errors import ConflictError, NotFound, ValidationError
from ..platform.permissions import require
from ..platform.query import payments_of, sums_by_kind
from ..platform.text import clean_line, required_reason
from ..platform.vocabulary import InvoiceStatus, PaymentKind
from .billing_math import round_half_up
from .money import show_cents

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
CODE_LENGTH = 12
MIN_GIFT_CENTS = 500
MAX_GIFT_CENTS = 1_000_000  # $10,000
MAX_CREDITS = Decimal(1000)
DEFAULT_PACKAGE_MONTHS = 12
UNIT_WORDS = {"unit": ("unit", "units"), "syringe": ("syringe", "syringes"),
              "cycle": ("cycle", "cycles"), "area": ("area", "areas"), "ml": ("mL", "mL")}


@dataclass(frozen=True)
class PackageSale:
    """What an invoice line of kind "package" sells."""

    service_id: int
    credits: Decimal  # in the service's pricing unit: sessions, units, syringes, cycles
    expires_on: dt.date | None = None


@dataclass(frozen=True)
class GiftCardSale:
    """What an invoice line of kind "gift_card" sells."""

    code: str = ""  # a pre-printed card's code; a new one is made when blank
    recipient: str = ""


def credit_words(service: Service, credits: Decimal) -> str:
    """"6 sessions", "100 units", "1 syringe"."""
    one, many = UNIT_WORDS.get(service.pricing_unit, ("session", "sessions"))
    return f"{credits.normalize():f} {one if credits == 1 else many}"


def default_expiry(today: dt.date) -> dt.date:
    """A year from today (the last day of a shorter month when today's day is past it)."""
    month = today.month - 1 + DEFAULT_PACKAGE_MONTHS
    year, month = today.year + month // 12, month % 12 + 1
    for day in (today.day, 30, 29, 28):
        try:
            return dt.date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


# -- codes -------------------------------------------------------------------------------------
def normal_code(text: str) -> str:
    """A code as stored: capitals and digits, without the spaces and dashes people type."""
    return re.sub(r"[\s-]", "", text).upper()


def show_code(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def _new_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if not GiftCard.select().where(GiftCard.code == code).exists():
            return code


def check_sales(sales: list[tuple[int, PackageSale | GiftCardSale, Decimal, int]],
                today: dt.date) -> None:
    """Refuse a bad package or gift-card line before anything is written: (line number, what
    it sells, its quantity, its unit price)."""
    for n, sale, quantity, price_cents in sales:
        if quantity != 1:
            raise ValidationError(f"Line {n}: sell one package or gift card per line.")
        if isinstance(sale, PackageSale):
            if not 0 < sale.credits <= MAX_CREDITS or sale.credits != sale.credits.quantize(
                    Decimal("0.01")):
                raise ValidationError(f"Line {n}: a package holds between 0.01 and "
                                      f"{MAX_CREDITS} credits, with at most two decimals.")
            if sale.expires_on is not None and sale.expires_on < today:
                raise ValidationError(f"Line {n}: the package's expiry date is already past.")
            continue
        if not MIN_GIFT_CENTS <= price_cents <= MAX_GIFT_CENTS:
            raise ValidationError(f"Line {n}: a gift card is for {show_cents(MIN_GIFT_CENTS)} "
                                  f"to {show_cents(MAX_GIFT_CENTS)}.")
        code = normal_code(sale.code)
        if code and not re.fullmatch(r"[A-Z0-9]{6,16}", code):
            raise ValidationError(f"Line {n}: a gift card code has 6 to 16 letters and digits.")
        if len(clean_line(sale.recipient)) > limits.FULL_NAME:
            raise ValidationError(f"Line {n}: the gift card's recipient must be at most "
                                  f"{limits.FULL_NAME} characters.")


# -- writing, inside billing's transactions ----------------------------------------------------
def create_package(sale: PackageSale, patient_id: int, invoice_id: int, price_cents: int,
                   now: dt.datetime) -> Package:
    service = Service.get_or_none(Service.id == sale.service_id)
    if service is None:
        raise NotFound("The package's service does not exist.")
    return Package.create(patient=patient_id, service=service.id,
                          quantity_centi=int(sale.credits * 100), price_cents=price_cents,
                          invoice=invoice_id, expires_on=sale.expires_on, created_at=now)


def create_gift_card(sale: GiftCardSale, invoice_id: int, amount_cents: int,
                     now: dt.datetime) -> GiftCard:
    code = normal_code(sale.code) or _new_code()
    sold_before = ConflictError(f"A gift card with the code {show_code(code)} was sold before.")
    if GiftCard.select().where(GiftCard.code == code).exists():
        raise sold_before
    try:
        with db.atomic():  # a savepoint: another PC may sell the same code at this moment
            return GiftCard.create(code=code, amount_cents=amount_cents, invoice=invoice_id,
                                   recipient=clean_line(sale.recipient), created_at=now)
    except IntegrityError:
        raise sold_before from None


def _usable(sold_on: Invoice, what: str) -> None:
    if sold_on.status == InvoiceStatus.VOID:
        raise ConflictError(f"{what} was sold on invoice {sold_on.number}, which is void.")
    if sold_on.status != InvoiceStatus.PAID:
        raise ConflictError(f"{what} is not paid for yet: invoice {sold_on.number} still has "
                            "a balance.")


def credits_left(package_id: int) -> int:
    """Credits left, in hundredths."""
    moved = _movements(package_id)
    bought = Package.select(Package.quantity_centi).where(Package.id == package_id).scalar()
    return (bought or 0) - moved.get("use", 0) - moved.get("cancel", 0) + moved.get("return", 0)


def _movements(package_id: int) -> dict[str, int]:
    """Credits moved by kind (use, return, cancel), in hundredths."""
    return sums_by_kind(PackageUse.kind, PackageUse.quantity_centi,
                        PackageUse.package == package_id)


def draw(actor: User, package_id: int, patient_id: int, service_id: int | None,
         quantity_centi: int, invoice_id: int, on: dt.date, now: dt.datetime) -> Package:
    """Take credits off a package for a visit on ``invoice_id`` (inside billing's
    transaction; the package row is locked on PostgreSQL)."""
    package = for_update(Package.select().where(Package.id == package_id)).first()
    if package is None:
        raise NotFound("That package does not exist.")
    label = f"Package P{package.id}"
    if package.patient_id not in chart_ids(patient_id):
        raise ValidationError(f"{label} belongs to another patient.")
    if package.service_id != service_id:
        raise ValidationError(f"{label} is for {package.service.name}, not this service.")
    _usable(Invoice.get_by_id(package.invoice_id), label)
    if package.expires_on is not None and on > package.expires_on:
        raise ConflictError(f"{label} could be used until {package.expires_on:%d %b %Y}; it "
                            "has expired.")
    left = credits_left(package.id)
    if quantity_centi > left:
        raise ConflictError(f"{label} has {credit_words(package.service, Decimal(left) / 100)} "
                            "left.")
    PackageUse.create(package=package.id, kind="use", quantity_centi=quantity_centi,
                      invoice=invoice_id, user=actor, at=now)
    return package


def put_back(actor: User, invoice: Invoice, now: dt.datetime) -> None:
    """The credits a voided invoice drew come back to their packages — as far as the money
    kept for the package still pays for them. Credits whose purchase was refunded meanwhile
    are cancelled again at once, so a refunded package never comes back to life."""
    for line in InvoiceLine.select().where(InvoiceLine.invoice == invoice.id,
                                           InvoiceLine.kind == "service",
                                           InvoiceLine.package.is_null(False)):
        package = for_update(Package.select().where(Package.id == line.package_id)).first()
        PackageUse.create(package=package.id, kind="return",
                          quantity_centi=line.quantity_centi, invoice=invoice.id,
                          reason=f"invoice {invoice.number} voided", user=actor, at=now)
        uncovered = unused_value(package.invoice_id) - _kept(package.invoice_id)
        if uncovered > 0:
            per_credit = _package_value(package, 100) or 1
            drop = min(line.quantity_centi, -(-uncovered * 100 // per_credit))
            PackageUse.create(package=package.id, kind="cancel", quantity_centi=drop,
                              invoice=invoice.id, reason="returned after the package's "
                              "purchase was refunded", user=actor, at=now)


def card_for_payment(code: str, amount_cents: int) -> GiftCard:
    """The card to pay ``amount_cents`` from, locked, or a clear refusal."""
    card = for_update(GiftCard.select().where(GiftCard.code == normal_code(code))).first()
    if card is None:
        raise NotFound("No gift card has that code. Check the code on the card.")
    label = f"Gift card {show_code(card.code)}"
    _usable(Invoice.get_by_id(card.invoice_id), label)
    if GiftCardClose.select().where(GiftCardClose.gift_card == card.id).exists():
        raise ConflictError(f"{label} was closed.")
    left = card_balance(card.id)
    if amount_cents > left:
        raise ValidationError(f"{label} has {show_cents(left)} left.")
    return card


def card_balance(card_id: int) -> int:
    card = GiftCard.get_by_id(card_id)
    spent, refunded = payments_of(Payment.gift_card == card_id)
    closed = GiftCardClose.select(GiftCardClose.amount_cents).where(
        GiftCardClose.gift_card == card_id).scalar() or 0
    return card.amount_cents - spent + refunded - closed


def refund_to_card(card_id: int, amount_cents: int) -> None:
    """Money may go back onto a card unless the card was closed, or its own purchase was
    refunded so far that the money kept would no longer cover the balance (the card would
    hold money nobody paid for). Either way the refund goes back by another method."""
    card = for_update(GiftCard.select().where(GiftCard.id == card_id)).first()
    label = f"Gift card {show_code(card.code)}"
    if GiftCardClose.select().where(GiftCardClose.gift_card == card_id).exists():
        raise ConflictError(f"{label} was closed; it cannot take money back. Refund it as "
                            "cash, card or check instead.")
    if _kept(card.invoice_id) < unused_value(card.invoice_id) + amount_cents:
        raise ConflictError(f"{label}'s purchase was refunded; it cannot take money back. "
                            "Refund it as cash, card or check instead.")


def _package_value(package: Package, credits_centi: int) -> int:
    """What ``credits_centi`` of a package were paid for: its price and the tax on it, per
    credit."""
    tax = (InvoiceLine.select(InvoiceLine.tax_cents)
           .where(InvoiceLine.package == package.id, InvoiceLine.kind == "package")
           .scalar() or 0)
    return round_half_up(credits_centi * (package.price_cents + tax), package.quantity_centi)


def unused_value(invoice_id: int) -> int:
    """The prepaid value sold on an invoice that is still unused: credits left at what was
    paid per credit (tax included), and gift card balances."""
    value = 0
    for package in Package.select().where(Package.invoice == invoice_id):
        value += _package_value(package, credits_left(package.id))
    for card in GiftCard.select().where(GiftCard.invoice == invoice_id):
        value += card_balance(card.id)
    return value


def _kept(invoice_id: int) -> int:
    """The money an invoice keeps: payments less refunds."""
    taken, given_back = payments_of(Payment.invoice == invoice_id)
    return taken - given_back


def check_refund(invoice_id: int, kept_after_cents: int) -> None:
    """Refuse a refund that would give back money for prepaid value still usable."""
    unused = unused_value(invoice_id)
    if kept_after_cents < unused:
        raise ConflictError(
            f"{show_cents(unused)} of the packages or gift cards sold on this invoice is still "
            "unused. Cancel the unused credits or close the gift card first, then refund.")


def check_void(invoice_id: int) -> None:
    """An invoice whose package or gift card is drawn on (and not given back) cannot be
    voided."""
    for package in Package.select().where(Package.invoice == invoice_id):
        moved = _movements(package.id)
        if moved.get("use", 0) > moved.get("return", 0):
            raise ConflictError(f"Package P{package.id} sold on this invoice has been used; "
                                "it cannot be voided.")
    for card in GiftCard.select().where(GiftCard.invoice == invoice_id):
        spent, refunded = payments_of(Payment.gift_card == card.id)
        if spent > refunded:
            raise ConflictError(f"Gift card {show_code(card.code)} sold on this invoice has "
                                "been spent; it cannot be voided.")


# -- cancelling unused value (before a refund) -------------------------------------------------
def cancel_package(actor: User, package_id: int, reason: str,
                   now: dt.datetime | None = None) -> int:
    """Take a package's unused credits off it (so its purchase can be refunded); returns the
    credits cancelled, in hundredths."""
    require(actor, "billing.refund")
    reason = required_reason(reason, "cancelling the unused credits")
    now = (now or dt.datetime.now()).replace(microsecond=0)
    with db.atomic():
        package = for_update(Package.select().where(Package.id == package_id)).first()
        if package is None:
            raise NotFound("That package does not exist.")
        left = credits_left(package.id)
        if left <= 0:
            raise ConflictError(f"Package P{package.id} has no credits left.")
        PackageUse.create(package=package.id, kind="cancel", quantity_centi=left,
                          reason=reason, user=actor, at=now)
        audit.record(actor, "package.cancel", "package", package.id,
                     f"P{package.id}: {Decimal(left) / 100} credits cancelled: {reason}"[:500])
        changes.note("prepaid", package.id)
    return left


def close_gift_card(actor: User, code: str, reason: str,
                    now: dt.datetime | None = None) -> int:
    """Take a card's unused balance off it (so its purchase can be refunded); returns it."""
    require(actor, "billing.refund")
    reason = required_reason(reason, "closing the gift card")
    now = (now or dt.datetime.now()).replace(microsecond=0)
    with db.atomic():
        card = for_update(GiftCard.select().where(GiftCard.code == normal_code(code))).first()
        if card is None:
            raise NotFound("No gift card has that code.")
        if GiftCardClose.select().where(GiftCardClose.gift_card == card.id).exists():
            raise ConflictError(f"Gift card {show_code(card.code)} is already closed.")
        left = card_balance(card.id)
        GiftCardClose.create(gift_card=card.id, amount_cents=left, reason=reason, user=actor,
                             at=now)
        audit.record(actor, "gift_card.close", "gift_card", card.id,
                     f"{show_code(card.code)}: {show_cents(left)} taken off: {reason}"[:500])
        changes.note("prepaid", card.id)
    return left


# -- reading -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class PackageView:
    id: int
    label: str  # "P12"
    service_id: int
    service: str
    bought: str  # "6 sessions"
    left_centi: int
    left: str  # "4 sessions"
    price_cents: int
    sold_on: int  # invoice number
    expires_on: dt.date | None
    state: str  # usable | not paid | expired | used up | void

    @property
    def usable(self) -> bool:
        return self.state == "usable"


def _state(sold_on: Invoice, expires_on: dt.date | None, left: int, on: dt.date) -> str:
    if sold_on.status == InvoiceStatus.VOID:
        return "void"
    if left <= 0:
        return "used up"
    if expires_on is not None and on > expires_on:
        return "expired"
    return "usable" if sold_on.status == InvoiceStatus.PAID else "not paid"


def patient_packages(actor: User, patient_id: int, on: dt.date | None = None,
                     service_id: int | None = None) -> list[PackageView]:
    """The patient's packages, newest first (only those for ``service_id`` if given)."""
    require(actor, "billing.read")
    on = on or dt.date.today()
    q = (Package.select(Package, Invoice, Service).join(Invoice).switch(Package).join(Service)
         .where(Package.patient.in_(chart_ids(patient_id))))
    if service_id is not None:
        q = q.where(Package.service == service_id)
    out = []
    for p in q.order_by(Package.created_at.desc(), Package.id.desc()):
        left = credits_left(p.id)
        out.append(PackageView(
            p.id, f"P{p.id}", p.service_id, p.service.name,
            credit_words(p.service, Decimal(p.quantity_centi) / 100), left,
            credit_words(p.service, Decimal(left) / 100), p.price_cents, p.invoice.number,
            p.expires_on, _state(p.invoice, p.expires_on, left, on)))
    return out


@dataclass(frozen=True)
class CardEntry:
    at: dt.datetime
    what: str  # "Sold", "Spent", "Refunded to the card", "Closed"
    cents: int  # + onto the card, − off it
    invoice: int | None
    by: str


@dataclass(frozen=True)
class GiftCardView:
    id: int
    code: str  # shown in groups: "K7QM-4TXP-9RWD"
    recipient: str
    amount_cents: int
    balance_cents: int
    state: str  # usable | not paid | spent | closed | void (shown as it is)
    history: tuple[CardEntry, ...]

    @property
    def closable(self) -> bool:
        """Whether a balance is left to take off the card (``close_gift_card``)."""
        return self.state in ("usable", "not paid")


def gift_card(actor: User, code: str) -> GiftCardView:
    """A card's balance and everything that happened to it; looking one up is audited."""
    require(actor, "billing.read")
    card = GiftCard.get_or_none(GiftCard.code == normal_code(code))
    if card is None:
        raise NotFound("No gift card has that code. Check the code on the card.")
    sold_on = Invoice.get_by_id(card.invoice_id)
    history = [CardEntry(card.created_at, "Sold", card.amount_cents, sold_on.number,
                         sold_on.created_by.display_name)]
    for p in (Payment.select(Payment, Invoice, User).join(Invoice).switch(Payment).join(User)
              .where(Payment.gift_card == card.id).order_by(Payment.at, Payment.id)):
        spent = p.kind == PaymentKind.PAYMENT
        history.append(CardEntry(p.at, "Spent" if spent else "Refunded to the card",
                                 -p.amount_cents if spent else p.amount_cents,
                                 p.invoice.number, p.user.display_name))
    closed = GiftCardClose.get_or_none(GiftCardClose.gift_card == card.id)
    if closed is not None:
        history.append(CardEntry(closed.at, f"Closed: {closed.reason}", -closed.amount_cents,
                                 None, closed.user.display_name))
    balance = card_balance(card.id)
    state = ("void" if sold_on.status == InvoiceStatus.VOID else "closed" if closed is not None
             else "not paid" if sold_on.status != InvoiceStatus.PAID else "spent" if balance <= 0
             else "usable")
    with db.atomic():
        audit.record(actor, "gift_card.view", "gift_card", card.id, show_code(card.code))
        changes.note("prepaid", card.id)
    return GiftCardView(card.id, show_code(card.code), card.recipient, card.amount_cents,
                        balance, state, tuple(sorted(history, key=lambda e: e.at)))
