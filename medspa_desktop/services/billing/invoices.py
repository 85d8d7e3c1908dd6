"""Checkout: invoices numbered without gaps, priced by ``billing_math`` (integer cents, one
rounding rule), paid by cash, card, check or gift card — split across methods, partly now and
the rest later — refunded payment by payment, and voided with a reason. Packages and gift
cards are sold as invoice lines and drawn on at checkout (``prepaid``). Nothing financial is ever
deleted: an invoice's lines, amounts and payments are fixed once written (the database refuses
otherwise), refunds and voids are new facts beside them.

Invoice numbers come from a counter row incremented in the checkout's own transaction: two PCs
checking out at once get consecutive numbers, and a checkout that fails leaves no gap.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

from peewee import JOIN, fn

from ...store.database import db, for_update
from ...store.models import (
    Appointment,
    Counter,
    GiftCard,
    Invoice,
    InvoiceLine,
    Patient,
    Payment,
    Product,
    Service,
    TreatmentRecord,
    User,
)
from ..clinic import catalog
from ..platform import audit, changes, limits, settings
from ..platform.errors import ConflictError, NotFound, ValidationError
from ..platform.permissions import require
from ..platform.query import payments_of
from ..platform.settings import TAX_RETAIL_BP, TAX_SERVICES_BP
from ..platform.text import clean_line, required_reason
from ..platform.vocabulary import (
    STARTED_STATUSES,
    AppointmentStatus,
    CreditKind,
    InvoiceStatus,
    PaymentKind,
    PaymentMethod,
)
from ..scheduling import appointments
from ..treatments import inventory, treatment_records
from . import account_credit, prepaid
from .billing_math import Discount, LineIn, Totals, price, round_half_up
from .money import show_cents
from .prepaid import GiftCardSale, PackageSale

METHODS = PaymentMethod.labels()
MAX_LINES = 60
MAX_QUANTITY = 10_000
MAX_REASON = limits.REASON


# -- tax rates and retail prices ---------------------------------------------------------------
@dataclass(frozen=True)
class TaxRates:
    services_bp: int = 0  # 725 = 7.25 %
    retail_bp: int = 0


def tax_rates() -> TaxRates:
    return TaxRates(*settings.get_many(TAX_SERVICES_BP, TAX_RETAIL_BP))


def set_tax_rates(actor: User, rates: TaxRates) -> None:
    require(actor, "catalog.write")
    settings.check({TAX_SERVICES_BP: rates.services_bp, TAX_RETAIL_BP: rates.retail_bp})
    with db.atomic():
        settings.put({TAX_SERVICES_BP: rates.services_bp, TAX_RETAIL_BP: rates.retail_bp})
        audit.record(actor, "settings.tax", "clinic", "",
                     f"services {rates.services_bp} bp, retail {rates.retail_bp} bp")


def set_retail(actor: User, product_id: int, price_cents: int, sku: str = "",
               taxable: bool = True) -> Product:
    """A product's selling price (per unit of stock), its SKU and whether it is taxed."""
    require(actor, "inventory.write")
    sku = clean_line(sku).upper()
    if len(sku) > limits.SKU:
        raise ValidationError(f"The SKU must be at most {limits.SKU} characters.")
    if price_cents < 0:
        raise ValidationError("A price cannot be negative.")
    with db.atomic():
        product = Product.get_or_none(Product.id == product_id)
        if product is None:
            raise NotFound("That product does not exist.")
        Product.update(price_cents=price_cents, sku=sku, taxable=taxable).where(
            Product.id == product_id).execute()
        audit.record(actor, "product.price", "product", product_id,
                     f"{product.name}: {show_cents(price_cents)} sku {sku or '-'} "
                     f"{'taxed' if taxable else 'not taxed'}")
        changes.note("product", product_id)
    return Product.get_by_id(product_id)


# -- drafting an invoice -----------------------------------------------------------------------
@dataclass(frozen=True)
class LineDraft:
    kind: str  # service | product | package | gift_card | membership (a month's dues)
    description: str
    quantity: Decimal
    unit_price_cents: int
    service_id: int | None = None
    product_id: int | None = None
    discount: Discount = Discount()
    sells: PackageSale | GiftCardSale | None = None  # for kinds package and gift_card
    package_id: int | None = None  # a service drawn from this package, at no charge
    membership_id: int | None = None  # a service drawn from this membership's banked credits


@dataclass(frozen=True)
class CheckoutInput:
    patient_id: int
    lines: tuple[LineDraft, ...]
    appointment_id: int | None = None
    discount: Discount = Discount()
    tip_cents: int = 0


def _quantity_from_record(service: Service, values: dict) -> Decimal:
    """How many of the service's pricing unit the treatment record says were given."""
    if service.pricing_unit == "unit" and "total_units" in values:
        return Decimal(str(values["total_units"]))
    if service.pricing_unit == "syringe" and "syringes" in values:
        return Decimal(str(values["syringes"]))
    if service.pricing_unit == "cycle" and "cycles" in values:
        return Decimal(str(values["cycles"]))
    if service.pricing_unit == "ml":  # a filler's or a mesotherapy solution's volume
        for field in ("total_ml", "volume_ml"):
            if field in values:
                return Decimal(str(values[field]))
    return Decimal(1)


def draft_for_appointment(actor: User, appointment_id: int,
                          package_id: int | None = None, *,
                          member_credits: bool = True) -> list[LineDraft]:
    """The visit's service, priced from its treatment record (44 U × price per unit,
    2 syringes, 3 cycles; one session or area otherwise) — drawn from ``package_id`` as far
    as its credits go, the rest at the price. For a member: drawn from the membership's
    banked credits (unless ``member_credits`` is False) when no package is chosen, and the
    rest at the member's price (a line discount naming the plan)."""
    require(actor, "billing.read")
    appt = Appointment.get_or_none(Appointment.id == appointment_id)
    if appt is None:
        raise NotFound("That appointment does not exist.")
    service = appt.service
    record = TreatmentRecord.get_or_none(TreatmentRecord.appointment == appt.id)
    values = treatment_records.parameters(record) if record else {}
    quantity = _quantity_from_record(service, values)
    name = service.name + (f" ({values['product']})" if values.get("product")
                           and values["product"] != service.name else "")
    unit_price = catalog.price_on(service, appt.start.date())  # the price on the visit's day
    from . import memberships  # it issues invoices itself: imported when needed

    day = appt.start.date()

    def priced(q: Decimal) -> LineDraft:
        member = memberships.member_discount(appt.patient_id, service.id,
                                             inventory.to_centi(q), unit_price, day)
        return LineDraft("service", name, q, unit_price, service_id=service.id,
                         discount=member or Discount())

    if package_id is None:
        banked = memberships.banked_for(appt.patient_id, service.id, day) \
            if member_credits else None
        if banked is None:
            return [priced(quantity)]
        membership_id, left = banked
        drawn = min(quantity, Decimal(left) / 100)
        lines = [LineDraft("service", f"{name} — banked membership credits", drawn, 0,
                           service_id=service.id, membership_id=membership_id)]
        if quantity > drawn:
            lines.append(priced(quantity - drawn))
        return lines
    package = next((p for p in prepaid.patient_packages(actor, appt.patient_id,
                                                        appt.start.date(), service.id)
                    if p.id == package_id), None)
    if package is None or not package.usable:
        raise ValidationError("That package cannot be used for this visit.")
    drawn = min(quantity, Decimal(package.left_centi) / 100)
    lines = [LineDraft("service", f"{name} — from package {package.label}", drawn, 0,
                       service_id=service.id, package_id=package.id)]
    if quantity > drawn:
        lines.append(priced(quantity - drawn))
    return lines


def package_line(actor: User, service_id: int, credits: Decimal | int,
                 price_cents: int | None = None, expires_on: dt.date | None = None,
                 *, today: dt.date | None = None, no_expiry: bool = False) -> LineDraft:
    """A package of ``credits`` (sessions, units…) of a service, at the service's price per
    credit unless another price is given; it expires in a year unless told otherwise."""
    require(actor, "billing.read")
    service = Service.get_or_none(Service.id == service_id)
    if service is None:
        raise NotFound("That service does not exist.")
    credits = Decimal(credits)
    today = today or dt.date.today()
    if price_cents is None:
        price_cents = round_half_up(
            inventory.to_centi(credits) * catalog.price_on(service, today), 100)
    if expires_on is None and not no_expiry:
        expires_on = prepaid.default_expiry(today)
    return LineDraft("package",
                     f"Package: {prepaid.credit_words(service, credits)} of {service.name}",
                     Decimal(1), price_cents, service_id=service.id,
                     sells=PackageSale(service.id, credits, expires_on))


def gift_card_line(actor: User, amount_cents: int, code: str = "",
                   recipient: str = "") -> LineDraft:
    require(actor, "billing.read")
    who = clean_line(recipient)
    return LineDraft("gift_card", "Gift card" + (f" for {who}" if who else ""), Decimal(1),
                     amount_cents, sells=GiftCardSale(code, recipient))


def product_line(actor: User, product_id: int, quantity: Decimal | int = 1) -> LineDraft:
    require(actor, "billing.read")
    product = Product.get_or_none(Product.id == product_id)
    if product is None:
        raise NotFound("That product does not exist.")
    if not product.active:
        raise ValidationError(f"{product.name} is retired and no longer sold.")
    return LineDraft("product", product.name, Decimal(quantity), product.price_cents,
                     product_id=product.id)


def _tax(line: LineDraft, rates: TaxRates) -> tuple[str, int]:
    if line.kind == "gift_card":  # money, not a sale: the care it buys is taxed then
        return ("exempt", 0)
    if line.kind == "membership":  # a month's dues: the care it gives is taxed when given
        return ("exempt", 0)
    if line.membership_id is not None:  # banked with the dues
        return ("prepaid", 0)
    if line.package_id is not None:  # paid for, and taxed, when the package was sold
        return ("prepaid", 0)
    if line.kind in ("service", "package"):
        service = Service.get_or_none(Service.id == line.service_id)
        if service is None:
            raise NotFound(f"The service on '{line.description}' does not exist.")
        return ("exempt", 0) if service.tax_exempt else ("services", rates.services_bp)
    if line.kind == "product":
        product = Product.get_or_none(Product.id == line.product_id)
        if product is None:
            raise NotFound(f"The product on '{line.description}' does not exist.")
        return ("retail", rates.retail_bp) if product.taxable else ("exempt", 0)
    raise ValidationError(f"'{line.description}' is not a service, product, package or gift "
                          "card.")


def _priced(data: CheckoutInput, today: dt.date) -> tuple[Totals, list[tuple[str, int]]]:
    if len(data.lines) > MAX_LINES:
        raise ValidationError(f"An invoice holds at most {MAX_LINES} lines.")
    reasons = [("invoice discount", data.discount.reason)] + [
        (f"line {n} discount", line.discount.reason) for n, line in enumerate(data.lines, 1)]
    for what, reason in reasons:
        if len(reason) > MAX_REASON:
            raise ValidationError(f"The reason for the {what} must be at most {MAX_REASON} "
                                  "characters.")
    for n, line in enumerate(data.lines, 1):
        if not line.quantity.is_finite() or line.quantity != line.quantity.quantize(
                Decimal("0.01")):
            raise ValidationError(f"Line {n}: give the quantity with at most two decimals.")
        if line.quantity > MAX_QUANTITY:
            raise ValidationError(f"Line {n}: the quantity must be at most {MAX_QUANTITY}.")
        if line.package_id is not None and (line.kind != "service" or line.unit_price_cents
                                            or line.discount != Discount()):
            raise ValidationError(f"Line {n}: a service drawn from a package costs nothing.")
        if line.membership_id is not None and (line.kind != "service" or line.unit_price_cents
                                               or line.discount != Discount()
                                               or line.package_id is not None):
            raise ValidationError(f"Line {n}: a service drawn from banked membership credits "
                                  "costs nothing.")
        if (line.kind in ("package", "gift_card")) != (line.sells is not None) or (
                line.kind == "package" and (not isinstance(line.sells, PackageSale)
                                            or line.sells.service_id != line.service_id)) or (
                line.kind == "gift_card" and not isinstance(line.sells, GiftCardSale)):
            raise ValidationError(f"Line {n}: say what the package or gift card is.")
        if line.kind == "gift_card" and (line.discount.percent_bp or line.discount.amount_cents
                                         or data.discount.percent_bp
                                         or data.discount.amount_cents):
            raise ValidationError("A gift card is sold at its value: take the discount off "
                                  "on another invoice.")
    prepaid.check_sales([(n, line.sells, line.quantity, line.unit_price_cents)
                         for n, line in enumerate(data.lines, 1) if line.sells is not None],
                        today)
    rates = tax_rates()
    taxes = [_tax(line, rates) for line in data.lines]
    lines = [LineIn(inventory.to_centi(line.quantity), line.unit_price_cents, rate,
                    line.discount) for line, (_c, rate) in zip(data.lines, taxes, strict=True)]
    return price(lines, data.discount, data.tip_cents), taxes


def preview(actor: User, data: CheckoutInput) -> Totals:
    """The totals the invoice would have (the checkout screen shows them as you type)."""
    require(actor, "billing.read")
    return _priced(data, dt.date.today())[0]


def _next_number() -> int:
    Counter.insert(name="invoice", value=0).on_conflict_ignore().execute()
    Counter.update(value=Counter.value + 1).where(Counter.name == "invoice").execute()
    return Counter.get(Counter.name == "invoice").value


def issue_invoice(actor: User, data: CheckoutInput, now: dt.datetime | None = None) -> Invoice:
    """Number and write the invoice, its lines, and (for retail) the stock sold, all in one
    transaction."""
    require(actor, "billing.checkout")
    return _issue(actor, data, now, actor)


def issue_by_program(created_by: User, data: CheckoutInput, now: dt.datetime) -> Invoice:
    """An invoice the program issues by itself (a member's monthly dues, from the timed
    work), inside the caller's transaction: audited as the program, ``created_by`` the member
    of staff answerable for it (who enrolled the member)."""
    return _issue(created_by, data, now, None)


def _issue(actor: User, data: CheckoutInput, now: dt.datetime | None,
           audit_actor: User | None) -> Invoice:
    now = (now or dt.datetime.now()).replace(microsecond=0)
    patient = Patient.get_or_none(Patient.id == data.patient_id)
    if patient is None:
        raise NotFound("That patient does not exist.")
    provider_id, given_on = None, now.date()  # credits are drawn as of the visit's day
    if data.appointment_id is not None:
        appt = Appointment.get_or_none(Appointment.id == data.appointment_id)
        if appt is None or appt.patient_id != patient.id:
            raise ValidationError("That visit is not this patient's.")
        if appt.status not in STARTED_STATUSES:
            raise ValidationError("Check out a visit once the treatment has been given.")
        provider_id, given_on = appt.provider_id, appt.start.date()
    for line in data.lines:
        if not clean_line(line.description):
            raise ValidationError("Every line needs a description.")
    totals, taxes = _priced(data, now.date())
    with db.atomic():
        if data.appointment_id is not None:  # one checkout of a visit at a time
            for_update(Appointment.select().where(Appointment.id == data.appointment_id)).first()
            earlier = (Invoice.select().where(Invoice.appointment == data.appointment_id,
                                              Invoice.status != InvoiceStatus.VOID).first())
            if earlier is not None:
                raise ConflictError(f"This visit is already on invoice {earlier.number}.")
        number = _next_number()
        invoice = Invoice.create(
            number=number, patient=patient.id, appointment=data.appointment_id,
            provider=provider_id, issued_at=now, subtotal_cents=totals.subtotal_cents,
            discount_cents=totals.discount_cents,
            discount_reason=clean_line(data.discount.reason),
            tax_cents=totals.tax_cents, tip_cents=totals.tip_cents,
            total_cents=totals.total_cents,
            status=InvoiceStatus.OPEN if totals.total_cents else InvoiceStatus.PAID,
            created_by=actor)
        for position, (line, out, (category, rate)) in enumerate(
                zip(data.lines, totals.lines, taxes, strict=True), 1):
            package_id, card_id, description = line.package_id, None, line.description
            quantity_centi = inventory.to_centi(line.quantity)
            if isinstance(line.sells, PackageSale):
                package_id = prepaid.create_package(
                    line.sells, patient.id, invoice.id, out.gross_cents - out.discount_cents,
                    now).id
                expiry = line.sells.expires_on
                description += f" (P{package_id}" + (
                    f", expires {expiry:%d %b %Y})" if expiry else ", no expiry)")
            elif isinstance(line.sells, GiftCardSale):
                card = prepaid.create_gift_card(line.sells, invoice.id, out.gross_cents, now)
                card_id = card.id
                description += f", code {prepaid.show_code(card.code)}"
            elif line.membership_id is not None:
                from . import memberships

                left = memberships.draw(actor, line.membership_id, patient.id,
                                        line.service_id, quantity_centi, invoice.id, given_on,
                                        now)
                description += f" ({Decimal(left) / 100:g} left)"
            elif line.package_id is not None:
                package = prepaid.draw(actor, line.package_id, patient.id, line.service_id,
                                       quantity_centi, invoice.id, given_on, now)
                left = Decimal(prepaid.credits_left(package.id)) / 100
                description += f" ({prepaid.credit_words(package.service, left)} left)"
            InvoiceLine.create(
                invoice=invoice.id, position=position, kind=line.kind,
                description=clean_line(description)[:200], service=line.service_id,
                product=line.product_id, quantity_centi=quantity_centi,
                unit_price_cents=line.unit_price_cents, gross_cents=out.gross_cents,
                discount_cents=out.discount_cents,
                discount_reason=clean_line(line.discount.reason),
                tax_category=category, tax_rate_bp=rate, tax_cents=out.tax_cents,
                package=package_id, gift_card=card_id)
            if line.kind == "product":
                inventory.sell(actor, line.product_id, line.quantity, patient_id=patient.id,
                               invoice_number=number, today=now.date(), now=now)
        audit.record(audit_actor, "invoice.issue", "invoice", invoice.id,
                     f"invoice {number} for patient {patient.id}: "
                     f"{show_cents(totals.total_cents)}")
        changes.note("invoice", invoice.id)
        if invoice.status == InvoiceStatus.PAID and audit_actor is not None:  # nothing to pay
            _check_out_visit(actor, invoice, now)  # (a comped visit): checked out now
    return invoice


def _check_out_visit(actor: User, invoice: Invoice, now: dt.datetime) -> None:
    if invoice.appointment_id is not None:
        appt = Appointment.get_by_id(invoice.appointment_id)
        if appt.status == AppointmentStatus.COMPLETED:
            appointments.change_status(actor, appt.id, AppointmentStatus.CHECKED_OUT,
                                       appt.version, now=now)


# -- payments, refunds, voids ------------------------------------------------------------------
@dataclass(frozen=True)
class PaymentInput:
    method: str  # cash | card | check | gift_card
    amount_cents: int  # what goes towards the invoice
    tendered_cents: int = 0  # cash handed over (change is given back)
    card_last4: str = ""
    auth_code: str = ""
    check_number: str = ""
    gift_card_code: str = ""
    # money above what is due (cash handed over, or a card or check for more) is kept as the
    # patient's credit on account instead of being given back as change
    keep_as_credit: bool = False


def _sums(invoice_id: int) -> tuple[int, int]:
    """(payments taken, refunds given) on an invoice."""
    return payments_of(Payment.invoice == invoice_id)


def paid_cents(invoice_id: int) -> int:
    """The money kept: payments less refunds."""
    taken, given_back = _sums(invoice_id)
    return taken - given_back


def balance_cents(invoice: Invoice) -> int:
    """What is still due. A refund gives money back for the care or goods it refunds, so it
    lowers what is owed as much as what was paid: it never reopens a balance."""
    return 0 if invoice.status == InvoiceStatus.VOID else invoice.total_cents - _sums(invoice.id)[0]


def _locked_invoice(invoice_id: int) -> Invoice:
    invoice = for_update(Invoice.select().where(Invoice.id == invoice_id)).first()
    if invoice is None:
        raise NotFound("That invoice does not exist.")
    if invoice.status == InvoiceStatus.VOID:
        raise ConflictError(f"Invoice {invoice.number} is void.")
    return invoice


def _set_status(invoice: Invoice) -> str:
    status = InvoiceStatus.PAID if balance_cents(invoice) == 0 else InvoiceStatus.OPEN
    if status != invoice.status:
        Invoice.update(status=status).where(Invoice.id == invoice.id).execute()
    return status


def take_payment(actor: User, invoice_id: int, data: PaymentInput,
                 now: dt.datetime | None = None) -> Payment:
    """Money towards an invoice. Cash may be more than is due (the change is worked out);
    anything else may not — unless the patient keeps what is above the balance as credit on
    account (``keep_as_credit``; cash too, instead of change). "Account credit" pays from that
    credit, never more than the patient holds. Paying the balance in full checks the visit
    out."""
    require(actor, "billing.checkout")
    now = (now or dt.datetime.now()).replace(microsecond=0)
    if data.method not in METHODS:
        raise ValidationError("Choose cash, card, check, gift card or account credit.")
    last4 = data.card_last4.strip()
    auth = clean_line(data.auth_code).upper()
    check = clean_line(data.check_number)
    if data.method == PaymentMethod.CARD:
        if not re.fullmatch(r"\d{4}", last4):
            raise ValidationError("Enter the last 4 digits of the card.")
        if not re.fullmatch(r"[A-Z0-9]{2,20}", auth):
            raise ValidationError("Enter the card authorisation code (letters and digits).")
    if data.method == PaymentMethod.CHECK and not re.fullmatch(r"[0-9A-Za-z-]{1,20}", check):
        raise ValidationError("Enter the check number.")
    if data.method == PaymentMethod.GIFT_CARD and not prepaid.normal_code(data.gift_card_code):
        raise ValidationError("Enter the gift card's code.")
    with db.atomic():
        invoice = _locked_invoice(invoice_id)
        due = balance_cents(invoice)
        if due <= 0:
            raise ConflictError(f"Invoice {invoice.number} is paid in full.")
        amount, tendered, change, credit = data.amount_cents, 0, 0, 0
        if data.method == PaymentMethod.CASH:
            tendered = data.tendered_cents or amount
            if tendered <= 0:
                raise ValidationError("Enter the cash handed over.")
            if amount and tendered < amount:
                raise ValidationError(f"The cash handed over ({show_cents(tendered)}) is less "
                                      f"than the amount entered ({show_cents(amount)}).")
            amount = min(amount or tendered, due, tendered)
            change = tendered - amount
            if data.keep_as_credit:
                credit, change = change, 0
        if amount <= 0:
            raise ValidationError("A payment must be more than zero.")
        if data.keep_as_credit and data.method in (PaymentMethod.CARD, PaymentMethod.CHECK) \
                and amount > due:
            credit, amount = amount - due, due
        if data.keep_as_credit and not credit:
            raise ValidationError(f"Nothing is above the {show_cents(due)} still due to keep "
                                  "as credit.")
        if amount > due:
            raise ValidationError(f"The {METHODS[data.method].lower()} payment of "
                                  f"{show_cents(amount)} is more than the {show_cents(due)} "
                                  "still due.")
        card = None
        if data.method == PaymentMethod.GIFT_CARD:
            card = prepaid.card_for_payment(data.gift_card_code, amount)
        if data.method == PaymentMethod.ACCOUNT_CREDIT:
            account_credit.check_spend(invoice.patient_id, amount)
        payment = Payment.create(
            invoice=invoice.id, kind=PaymentKind.PAYMENT, method=data.method, amount_cents=amount,
            tendered_cents=tendered, change_cents=change,
            card_last4=last4 if data.method == PaymentMethod.CARD else "",
            auth_code=auth if data.method == PaymentMethod.CARD else "",
            check_number=check if data.method == PaymentMethod.CHECK else "", user=actor,
            at=now,
            gift_card=card, credit_cents=credit)
        if data.method == PaymentMethod.ACCOUNT_CREDIT:
            account_credit.add(actor, invoice.patient_id, CreditKind.USED, -amount,
                               payment=payment, now=now)
        if credit:
            account_credit.add(actor, invoice.patient_id, CreditKind.OVERPAYMENT, credit,
                               payment=payment, now=now)
        status = _set_status(invoice)
        audit.record(actor, "payment.take", "invoice", invoice.id,
                     f"invoice {invoice.number}: {METHODS[data.method]} {show_cents(amount)}"
                     + (f", change {show_cents(change)}" if change else "")
                     + (f", {show_cents(credit)} kept as credit on account" if credit else ""))
        changes.note("invoice", invoice.id)
        if status == InvoiceStatus.PAID:
            _check_out_visit(actor, invoice, now)
    return payment


def refunded_cents(payment_id: int) -> int:
    return (Payment.select(fn.SUM(Payment.amount_cents))
            .where(Payment.refund_of == payment_id).scalar() or 0)


REFUND_TO = (PaymentMethod.CASH, PaymentMethod.CARD, PaymentMethod.CHECK,
             PaymentMethod.ACCOUNT_CREDIT)


def refund(actor: User, payment_id: int, amount_cents: int, reason: str,
           now: dt.datetime | None = None, *, to: str | None = None) -> Payment:
    """Give back all or part of one payment, saying why: by the same method (a gift card
    payment back onto the card, an account-credit payment back to the credit), or — ``to`` — as
    cash, card, check or credit on account instead."""
    require(actor, "billing.refund")
    now = (now or dt.datetime.now()).replace(microsecond=0)
    reason = required_reason(reason, "the refund", MAX_REASON)
    if to is not None and to not in REFUND_TO:
        raise ValidationError("Refund as cash, card, check or credit on account.")
    with db.atomic():
        original = Payment.get_or_none(Payment.id == payment_id,
                                         Payment.kind == PaymentKind.PAYMENT)
        if original is None:
            raise NotFound("That payment does not exist.")
        invoice = for_update(Invoice.select().where(Invoice.id == original.invoice_id)).first()
        left = original.amount_cents - refunded_cents(original.id)
        if amount_cents <= 0:
            raise ValidationError("A refund must be more than zero.")
        if amount_cents > left:
            raise ValidationError(f"At most {show_cents(left)} of this payment can still be "
                                  "refunded.")
        method = to or original.method
        if original.method == PaymentMethod.ACCOUNT_CREDIT and method != original.method:
            raise ValidationError("A payment from credit on account goes back to the credit.")
        card = original.gift_card_id if method == PaymentMethod.GIFT_CARD else None
        if card is not None:
            prepaid.refund_to_card(card, amount_cents)
        prepaid.check_refund(invoice.id, paid_cents(invoice.id) - amount_cents)
        back = Payment.create(invoice=invoice.id, kind=PaymentKind.REFUND, method=method,
                              amount_cents=amount_cents,
                              card_last4=(original.card_last4 if method == PaymentMethod.CARD
                                          else ""),
                              refund_of=original.id, reason=reason, user=actor, at=now,
                              gift_card=card)
        if method == PaymentMethod.ACCOUNT_CREDIT:
            account_credit.add(actor, invoice.patient_id,
                               CreditKind.RETURNED if original.method == method
                               else CreditKind.REFUND, amount_cents, payment=back,
                               reason=reason, now=now)
        if invoice.status != InvoiceStatus.VOID:
            _set_status(invoice)
        audit.record(actor, "payment.refund", "invoice", invoice.id,
                     f"invoice {invoice.number}: {METHODS[original.method]} payment, "
                     f"{show_cents(amount_cents)} refunded as {METHODS[method].lower()}: "
                     f"{reason}"[:500])
        changes.note("invoice", invoice.id)
    return back


def void_invoice(actor: User, invoice_id: int, reason: str,
                 now: dt.datetime | None = None, *, restock: bool = False) -> Invoice:
    """Cancel an invoice, keeping it (and its number) with the reason. Money taken must be
    refunded first. ``restock``: the retail items sold on it came back to the shelf."""
    require(actor, "billing.refund")
    reason = required_reason(reason, "voiding the invoice", MAX_REASON)
    with db.atomic():
        invoice = _locked_invoice(invoice_id)
        prepaid.check_void(invoice.id)  # a package or card drawn on: refunding cannot undo it
        now = (now or dt.datetime.now()).replace(microsecond=0)
        _credit_back(actor, invoice, reason, now)
        paid = paid_cents(invoice.id)
        if paid:
            raise ConflictError(f"Invoice {invoice.number} has {show_cents(paid)} paid on it; "
                                "refund it first.")
        if restock:
            inventory.return_sale(actor, invoice.number)
        prepaid.put_back(actor, invoice, now)
        from . import memberships

        memberships.put_back(invoice.id, now)
        Invoice.update(status=InvoiceStatus.VOID, void_reason=reason, voided_by=actor,
                       voided_at=now).where(Invoice.id == invoice.id).execute()
        audit.record(actor, "invoice.void", "invoice", invoice.id,
                     f"invoice {invoice.number}: {reason}"[:500])
        changes.note("invoice", invoice.id)
    return Invoice.get_by_id(invoice.id)


def _credit_back(actor: User, invoice: Invoice, reason: str, now: dt.datetime) -> None:
    """Voiding an invoice paid from credit on account puts that credit back (a refund of each
    such payment, to the credit)."""
    for payment in Payment.select().where(Payment.invoice == invoice.id,
                                          Payment.kind == PaymentKind.PAYMENT,
                                          Payment.method == PaymentMethod.ACCOUNT_CREDIT):
        left = payment.amount_cents - refunded_cents(payment.id)
        if left > 0:
            back = Payment.create(invoice=invoice.id, kind=PaymentKind.REFUND,
                                  method=PaymentMethod.ACCOUNT_CREDIT, amount_cents=left,
                                  refund_of=payment.id, reason=reason, user=actor, at=now)
            account_credit.add(actor, invoice.patient_id, CreditKind.RETURNED, left,
                               payment=back, reason=reason, now=now)


# -- reading an invoice ------------------------------------------------------------------------
@dataclass(frozen=True)
class LineView:
    description: str
    quantity: Decimal
    unit_price_cents: int
    gross_cents: int
    discount_cents: int
    discount_reason: str
    tax_category: str
    tax_rate_bp: int
    tax_cents: int


@dataclass(frozen=True)
class PaymentView:
    id: int
    at: dt.datetime
    kind: str  # payment | refund
    method: str  # label
    method_key: str  # PaymentMethod
    amount_cents: int
    detail: str  # "card ending 4242, auth 12AB", "tendered $100.00, change $3.50"
    by: str


@dataclass(frozen=True)
class InvoiceView:
    id: int
    number: int
    issued_at: dt.datetime
    status: str
    patient_id: int
    patient: str
    chart_number: str
    provider: str
    lines: tuple[LineView, ...]
    subtotal_cents: int
    discount_cents: int
    discount_reason: str
    tax_cents: int
    tip_cents: int
    total_cents: int
    payments: tuple[PaymentView, ...] = field(default=())
    paid_cents: int = 0  # payments taken
    refunded_cents: int = 0
    balance_cents: int = 0
    void_reason: str = ""
    gift_cards: tuple[str, ...] = ()  # the codes of the cards it sold


def _payment_detail(p: Payment) -> str:
    if p.method == PaymentMethod.GIFT_CARD:  # the code is the card's value: print only its end
        return f"gift card ending {p.gift_card.code[-4:]}"
    kept = (f", {show_cents(p.credit_cents)} kept as credit on account" if p.credit_cents
            else "")
    if p.method == PaymentMethod.CARD:
        return (f"card ending {p.card_last4}" + (f", auth {p.auth_code}" if p.auth_code else "")
                + kept)
    if p.method == PaymentMethod.CHECK:
        return (f"check {p.check_number}" if p.check_number else "check") + kept
    if p.method == PaymentMethod.ACCOUNT_CREDIT:
        return "credit on account"
    if p.kind == PaymentKind.PAYMENT and p.tendered_cents:
        return (f"tendered {show_cents(p.tendered_cents)}, change "
                f"{show_cents(p.change_cents)}") + kept
    return "cash"


def invoice_view(actor: User, invoice_id: int) -> InvoiceView:
    """The invoice as it is printed and shown: three queries (the invoice with its patient
    and provider, its lines with the gift cards they sold, its payments with who took them
    and the cards they spent; on a clinic's server each query is a round trip)."""
    require(actor, "billing.read")
    provider = User.alias()
    invoice = (Invoice.select(Invoice, Patient, provider)
               .join(Patient, on=Invoice.patient == Patient.id)
               .switch(Invoice).join(provider, JOIN.LEFT_OUTER,
                                     on=(Invoice.provider == provider.id).alias("provider"))
               .where(Invoice.id == invoice_id).first())
    if invoice is None:
        raise NotFound("That invoice does not exist.")
    lines, cards = [], []
    for line in (InvoiceLine.select(InvoiceLine, GiftCard)
                 .join(GiftCard, JOIN.LEFT_OUTER,
                       on=(InvoiceLine.gift_card == GiftCard.id).alias("gift_card"))
                 .where(InvoiceLine.invoice == invoice.id).order_by(InvoiceLine.position)):
        lines.append(LineView(line.description,
                              inventory.from_centi(line.quantity_centi).normalize(),
                              line.unit_price_cents, line.gross_cents, line.discount_cents,
                              line.discount_reason, line.tax_category, line.tax_rate_bp,
                              line.tax_cents))
        if line.gift_card_id is not None:
            cards.append((line.gift_card_id, line.gift_card.code))
    taker = User.alias()
    payments = list(Payment.select(Payment, taker, GiftCard)
                    .join(taker, on=(Payment.user == taker.id).alias("user"))
                    .switch(Payment).join(GiftCard, JOIN.LEFT_OUTER,
                                          on=(Payment.gift_card == GiftCard.id)
                                          .alias("gift_card"))
                    .where(Payment.invoice == invoice.id).order_by(Payment.at, Payment.id))
    taken = sum(p.amount_cents for p in payments if p.kind == PaymentKind.PAYMENT)
    given_back = sum(p.amount_cents for p in payments if p.kind == PaymentKind.REFUND)
    patient = invoice.patient
    return InvoiceView(
        invoice.id, invoice.number, invoice.issued_at, invoice.status, patient.id,
        f"{patient.first_name} {patient.last_name}", patient.chart_number,
        invoice.provider.display_name if invoice.provider_id else "", tuple(lines),
        invoice.subtotal_cents, invoice.discount_cents, invoice.discount_reason,
        invoice.tax_cents, invoice.tip_cents, invoice.total_cents,
        tuple(PaymentView(p.id, p.at, p.kind, METHODS.get(p.method, p.method), p.method,
                          p.amount_cents,
                          _payment_detail(p) + (f" — {p.reason}" if p.reason else ""),
                          p.user.display_name) for p in payments),
        taken, given_back,
        0 if invoice.status == InvoiceStatus.VOID else invoice.total_cents - taken,
        invoice.void_reason, tuple(prepaid.show_code(code) for _id, code in sorted(cards)))


def sold_items(invoice_id: int) -> bool:
    """Does the invoice sell retail items (that could come back to the shelf)?"""
    return InvoiceLine.select().where(InvoiceLine.invoice == invoice_id,
                                      InvoiceLine.kind == "product").exists()


def invoice_for_appointment(actor: User, appointment_id: int) -> Invoice | None:
    """The visit's invoice that is not void, if it has one."""
    require(actor, "billing.read")
    return (Invoice.select().where(Invoice.appointment == appointment_id,
                                   Invoice.status != InvoiceStatus.VOID).first())


def visit_owes(actor: User, appointment_id: int) -> bool:
    """Whether the visit still has something to pay: its invoice has a balance due, or it has
    no invoice yet and its service has a price. Such a visit is checked out by paying, not by
    marking it checked out."""
    invoice = invoice_for_appointment(actor, appointment_id)
    if invoice is not None:
        return balance_cents(invoice) > 0
    appointment = Appointment.get_or_none(Appointment.id == appointment_id)
    return appointment is not None and appointment.service.price_cents > 0
