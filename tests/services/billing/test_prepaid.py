"""Packages and gift cards: sold on an invoice, usable once it is paid, drawn on at checkout,
and their balances kept right through redemptions, refunds, voids and expiry."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medspa_desktop.services.billing import billing_reports, invoices, prepaid
from medspa_desktop.services.billing.billing_math import Discount
from medspa_desktop.services.billing.invoices import CheckoutInput, LineDraft, PaymentInput
from medspa_desktop.services.platform.errors import (
    ConflictError,
    DomainError,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from medspa_desktop.services.treatments import inventory
from medspa_desktop.store.models import AuditEvent, Invoice, PackageUse, Service
from tests.services.billing.test_invoices import _charted_visit, shop  # noqa: F401 (fixture)
from tests.services.treatments.test_treatment_records import TODAY, clinic  # noqa: F401 (fixture)

NOW = dt.datetime.combine(TODAY, dt.time(17))


def _sell(shop, *lines, pay=True, when=NOW):  # noqa: F811
    invoice = invoices.issue_invoice(shop["desk"], CheckoutInput(shop["zoe"].id, tuple(lines)),
                                     now=when)
    if pay and invoice.total_cents:
        invoices.take_payment(shop["desk"], invoice.id,
                              PaymentInput("card", invoice.total_cents, card_last4="4242",
                                           auth_code="OK1"), now=when)
    return Invoice.get_by_id(invoice.id)


def _botox_bank(shop, units=100, **kwargs):  # noqa: F811
    service = Service.get(Service.name == "Botox Cosmetic")
    return invoices.package_line(shop["desk"], service.id, units, today=TODAY, **kwargs)


@pytest.fixture
def bank(shop):  # noqa: F811
    """The shop, with vials enough for several visits a day."""
    inventory.receive(shop["admin"], shop["botox"].id, "C2", TODAY + dt.timedelta(days=60), 400,
                      today=TODAY - dt.timedelta(days=5))
    return {**shop, "hour": iter(range(11, 18))}


def _visit_from_package(shop, units, package_id, when=NOW):  # noqa: F811
    appt = _charted_visit(shop, units, next(shop["hour"]))
    lines = invoices.draft_for_appointment(shop["desk"], appt.id, package_id)
    return lines, invoices.issue_invoice(shop["desk"], CheckoutInput(
        shop["zoe"].id, tuple(lines), appointment_id=appt.id), now=when)


def _package(shop):  # noqa: F811
    return prepaid.patient_packages(shop["desk"], shop["zoe"].id, TODAY)[0]


def test_banked_toxin_units_are_drawn_visit_by_visit_and_the_rest_is_charged(bank):
    shop = bank  # noqa: F811
    line = _botox_bank(shop, 100, price_cents=120000)
    assert line.description == "Package: 100 units of Botox Cosmetic"
    sale = _sell(shop, line, pay=False)
    assert sale.total_cents == 120000  # services are taxed at 0 % in this clinic
    package = _package(shop)
    assert (package.left, package.state) == ("100 units", "not paid")
    appt = _charted_visit(shop, 44)
    with pytest.raises(ValidationError, match="cannot be used"):
        invoices.draft_for_appointment(shop["desk"], appt.id, package.id)
    invoices.take_payment(shop["desk"], sale.id, PaymentInput("cash", 120000), now=NOW)
    assert _package(shop).state == "usable"

    lines = invoices.draft_for_appointment(shop["desk"], appt.id, package.id)
    first = invoices.issue_invoice(shop["desk"], CheckoutInput(
        shop["zoe"].id, tuple(lines), appointment_id=appt.id), now=NOW)
    view = invoices.invoice_view(shop["desk"], first.id)
    assert [(x.description, x.quantity, x.gross_cents, x.tax_category) for x in view.lines] == [
        (f"Botox Cosmetic — from package P{package.id} (56 units left)", Decimal(44), 0,
         "prepaid")]
    assert (view.total_cents, view.status) == (0, "paid")
    assert _package(shop).left == "56 units"

    _visit_from_package(shop, 44, package.id)
    assert _package(shop).left == "12 units"
    lines, third = _visit_from_package(shop, 44, package.id)
    assert [(x.quantity, x.unit_price_cents, x.package_id) for x in lines] == [
        (Decimal(12), 0, package.id), (Decimal(32), 1400, None)]
    assert third.total_cents == 32 * 1400
    assert (_package(shop).left, _package(shop).state) == ("0 units", "used up")

    invoices.void_invoice(shop["admin"], third.id, "charted on the wrong patient")
    assert _package(shop).left == "12 units"  # the credits came back
    assert [u.kind for u in PackageUse.select().order_by(PackageUse.id)] == [
        "use", "use", "use", "return"]


def test_a_package_cannot_be_drawn_after_it_expires_or_beyond_its_credits(bank):
    shop = bank  # noqa: F811
    expiry = TODAY + dt.timedelta(days=30)
    _sell(shop, _botox_bank(shop, 20, expires_on=expiry))
    package = _package(shop)
    assert package.expires_on == expiry
    one = LineDraft("service", "Botox", Decimal(1), 0, service_id=package.service_id,
                    package_id=package.id)
    on_the_day = dt.datetime.combine(expiry, dt.time(18))
    invoices.issue_invoice(shop["desk"], CheckoutInput(shop["zoe"].id, (one,)), now=on_the_day)
    with pytest.raises(ConflictError, match="could be used until .* it has expired"):
        invoices.issue_invoice(shop["desk"], CheckoutInput(shop["zoe"].id, (one,)),
                               now=on_the_day + dt.timedelta(days=1))
    assert prepaid.patient_packages(shop["desk"], shop["zoe"].id,
                                     expiry + dt.timedelta(days=1))[0].state == "expired"
    # a visit given before the expiry draws on it even when checked out after
    appt = _charted_visit(shop, 10)
    lines = invoices.draft_for_appointment(shop["desk"], appt.id, package.id)
    invoices.issue_invoice(shop["desk"], CheckoutInput(
        shop["zoe"].id, tuple(lines), appointment_id=appt.id), now=on_the_day + dt.timedelta(
            days=5))
    assert _package(shop).left == "9 units"
    # a hand-made line asking for more than is left is refused, and writes nothing
    greedy = LineDraft("service", "Botox", Decimal(10), 0, service_id=package.service_id,
                       package_id=package.id)
    with pytest.raises(ConflictError, match="has 9 units left"):
        invoices.issue_invoice(shop["desk"], CheckoutInput(shop["zoe"].id, (greedy,)), now=NOW)
    assert _package(shop).left == "9 units"
    priced = LineDraft("service", "Botox", Decimal(2), 1400, service_id=package.service_id,
                       package_id=package.id)
    with pytest.raises(ValidationError, match="costs nothing"):
        invoices.preview(shop["desk"], CheckoutInput(shop["zoe"].id, (priced,)))
    with pytest.raises(ValidationError, match="expiry date is already past"):
        _sell(shop, _botox_bank(shop, 10, expires_on=TODAY - dt.timedelta(days=1)))
    default = _botox_bank(shop, 10)
    assert default.sells.expires_on == dt.date(2031, 1, 8)  # a year on


def test_a_package_is_refunded_only_after_its_unused_credits_are_cancelled(bank):
    shop = bank  # noqa: F811
    sale = _sell(shop, _botox_bank(shop, 100, price_cents=100000))
    package = _package(shop)
    _visit_from_package(shop, 40, package.id)  # 60 units left, worth $600.00
    card_payment = invoices.invoice_view(shop["desk"], sale.id).payments[0]
    with pytest.raises(ConflictError, match=r"\$600.00 of the packages"):
        invoices.refund(shop["admin"], card_payment.id, 100000, "moving away")
    invoices.refund(shop["admin"], card_payment.id, 40000, "goodwill")  # keeps $600
    with pytest.raises(PermissionDenied):
        prepaid.cancel_package(shop["desk"], package.id, "moving away")
    assert prepaid.cancel_package(shop["admin"], package.id, "moving away") == 6000
    assert (_package(shop).left, _package(shop).state) == ("0 units", "used up")
    invoices.refund(shop["admin"], card_payment.id, 60000, "moving away: unused units")
    assert invoices.invoice_view(shop["desk"], sale.id).refunded_cents == 100000
    with pytest.raises(ConflictError, match="has been used"):
        invoices.void_invoice(shop["admin"], sale.id, "changed mind")
    assert AuditEvent.select().where(AuditEvent.action == "package.cancel").count() == 1


def test_a_gift_card_is_spent_in_parts_and_a_refund_puts_money_back(shop):  # noqa: F811
    line = invoices.gift_card_line(shop["desk"], 20000, recipient="Ana <Friend>")
    assert line.description == "Gift card for Ana <Friend>"
    sale = _sell(shop, line, pay=False)
    view = invoices.invoice_view(shop["desk"], sale.id)
    assert view.tax_cents == 0 and view.lines[0].tax_category == "exempt"
    code = view.lines[0].description.rsplit("code ", 1)[1]
    assert len(prepaid.normal_code(code)) == 12
    assert prepaid.gift_card(shop["desk"], code).state == "not paid"

    visit = _charted_visit(shop, 20)  # $280.00
    bill = invoices.issue_invoice(shop["desk"], CheckoutInput(
        shop["zoe"].id, tuple(invoices.draft_for_appointment(shop["desk"], visit.id)),
        appointment_id=visit.id), now=NOW)
    pay_by_card = PaymentInput("gift_card", 15000, gift_card_code=code.lower())
    with pytest.raises(ConflictError, match="not paid for yet"):
        invoices.take_payment(shop["desk"], bill.id, pay_by_card, now=NOW)
    invoices.take_payment(shop["desk"], sale.id, PaymentInput("cash", 20000), now=NOW)

    spent = invoices.take_payment(shop["desk"], bill.id, pay_by_card, now=NOW)
    assert prepaid.gift_card(shop["desk"], code).balance_cents == 5000
    with pytest.raises(ValidationError, match=r"has \$50.00 left"):
        invoices.take_payment(shop["desk"], bill.id, PaymentInput(
            "gift_card", 13000, gift_card_code=code), now=NOW)
    with pytest.raises(NotFound, match="No gift card has that code"):
        invoices.take_payment(shop["desk"], bill.id, PaymentInput(
            "gift_card", 100, gift_card_code="NOPE-NOPE-NOPE"), now=NOW)
    invoices.refund(shop["admin"], spent.id, 10000, "treatment redone free", now=NOW)
    card = prepaid.gift_card(shop["desk"], code)
    assert card.balance_cents == 15000 and card.state == "usable"
    assert [(e.what, e.cents) for e in card.history] == [
        ("Sold", 20000), ("Spent", -15000), ("Refunded to the card", 10000)]
    receipt = invoices.invoice_view(shop["desk"], bill.id)
    assert receipt.payments[0].detail == f"gift card ending {code[-4:]}"
    assert code not in " ".join(p.detail for p in receipt.payments)
    with pytest.raises(ConflictError, match="has been spent"):
        invoices.void_invoice(shop["admin"], sale.id, "mistake")


def test_a_gift_card_purchase_is_refunded_only_once_the_card_is_closed(shop):  # noqa: F811
    sale = _sell(shop, invoices.gift_card_line(shop["desk"], 10000, code="summer-2030"))
    card = prepaid.gift_card(shop["desk"], "SUMMER2030")
    assert card.code == "SUMM-ER20-30"
    with pytest.raises(ConflictError, match="sold before"):
        _sell(shop, invoices.gift_card_line(shop["desk"], 10000, code="SUMMER 2030"))
    paid = invoices.invoice_view(shop["desk"], sale.id).payments[0]
    with pytest.raises(ConflictError, match="close the gift card first"):
        invoices.refund(shop["admin"], paid.id, 10000, "unwanted gift")
    assert prepaid.close_gift_card(shop["admin"], card.code, "unwanted gift") == 10000
    invoices.refund(shop["admin"], paid.id, 10000, "unwanted gift")
    closed = prepaid.gift_card(shop["desk"], card.code)
    assert (closed.balance_cents, closed.state) == (0, "closed")
    invoices.void_invoice(shop["admin"], sale.id, "unwanted gift")
    assert prepaid.gift_card(shop["desk"], card.code).state == "void"


def test_gift_cards_are_sold_at_their_value(shop):  # noqa: F811
    card = invoices.gift_card_line(shop["desk"], 5000)
    with pytest.raises(ValidationError, match="sold at its value"):
        invoices.preview(shop["desk"], CheckoutInput(shop["zoe"].id, (card,), discount=Discount(
            percent_bp=1000, reason="promo")))
    with pytest.raises(ValidationError, match="gift card is for"):
        invoices.preview(shop["desk"], CheckoutInput(
            shop["zoe"].id, (invoices.gift_card_line(shop["desk"], 100),)))
    with pytest.raises(ValidationError, match="one package or gift card per line"):
        invoices.preview(shop["desk"], CheckoutInput(shop["zoe"].id, (LineDraft(
            "gift_card", "Gift card", Decimal(2), 5000, sells=card.sells),)))


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(["pay", "refund"]),
                                st.integers(min_value=1, max_value=12000)),
                      min_size=1, max_size=8))
def test_a_gift_card_balance_is_what_was_loaded_less_spent_plus_refunded(shop, steps):  # noqa: F811
    """Whatever is spent and refunded, in any order and amount, the card's balance is the
    sum of its history, never below nothing, and a refused step changes nothing."""
    sale = _sell(shop, invoices.gift_card_line(shop["desk"], 10000))
    code = invoices.invoice_view(shop["desk"], sale.id).lines[0].description.rsplit(" ", 1)[1]
    peel = Service.get(Service.name == "Chemical peel, medium")
    balance, spent = 10000, []
    for action, cents in steps:
        try:
            if action == "pay":
                bill = _sell(shop, LineDraft("service", "Peel", Decimal(1), 25000,
                                             service_id=peel.id), pay=False)
                spent.append(invoices.take_payment(shop["desk"], bill.id, PaymentInput(
                    "gift_card", cents, gift_card_code=code), now=NOW))
                balance -= cents
            elif spent:
                invoices.refund(shop["admin"], spent[-1].id, cents, "redo")
                balance += cents
        except DomainError:
            pass
        card = prepaid.gift_card(shop["desk"], code)
        assert card.balance_cents == balance >= 0
        assert card.balance_cents == sum(e.cents for e in card.history)


def test_the_daily_close_counts_packages_as_sales_and_gift_cards_apart(shop):  # noqa: F811
    service = Service.get(Service.name == "Botox Cosmetic")
    sale = _sell(shop, invoices.package_line(shop["desk"], service.id, 50, 60000,
                                             no_expiry=True),
                 invoices.gift_card_line(shop["desk"], 10000, code="CLOSE1"))
    spend = _sell(shop, invoices.product_line(shop["desk"], shop["spf"].id, 1), pay=False)
    invoices.take_payment(shop["desk"], spend.id, PaymentInput(
        "gift_card", spend.total_cents, gift_card_code="CLOSE1"), now=NOW)
    close = billing_reports.daily_close(shop["desk"], TODAY)
    assert dict(close.by_category) == {"Packages": 60000, "Retail": 4200}
    assert close.sales_cents == 64200 and close.gift_cards_sold_cents == 10000
    assert dict(close.by_provider) == {"No provider": 64200}
    assert dict(close.by_method) == {"Card": 70000, "Gift card": 4494}
    assert close.cash_expected_cents == 0
    invoices.refund(shop["admin"], invoices.invoice_view(shop["desk"], spend.id).payments[0].id,
                    4494, "returned unopened", now=NOW)
    invoices.void_invoice(shop["admin"], spend.id, "returned unopened", NOW, restock=True)
    assert prepaid.gift_card(shop["desk"], "CLOSE1").balance_cents == 10000
    after = billing_reports.daily_close(shop["desk"], TODAY)
    assert dict(after.by_category) == {"Packages": 60000}
    assert dict(after.by_method) == {"Card": 70000, "Gift card": 0}  # taken and given back
    assert sale.status == "paid"


def _peel_bill(shop):  # noqa: F811
    peel = Service.get(Service.name == "Chemical peel, medium")
    return _sell(shop, LineDraft("service", "Peel", Decimal(1), 10000, service_id=peel.id),
                 pay=False)


def _code(shop, invoice):  # noqa: F811
    return invoices.invoice_view(shop["desk"], invoice.id).gift_cards[0]


def test_a_card_whose_purchase_was_refunded_takes_no_money_back(shop):  # noqa: F811
    """Spent to nothing, the card's purchase can be refunded; a refund of what it paid for
    then goes back as cash, not onto a card nobody paid for."""
    sale = _sell(shop, invoices.gift_card_line(shop["desk"], 10000))
    code = _code(shop, sale)
    bill = _peel_bill(shop)
    spent = invoices.take_payment(shop["desk"], bill.id, PaymentInput(
        "gift_card", 10000, gift_card_code=code), now=NOW)
    invoices.refund(shop["admin"], invoices.invoice_view(shop["desk"], sale.id).payments[0].id,
                    10000, "goodwill", now=NOW)
    with pytest.raises(ConflictError, match="purchase was refunded.*as cash, card or check"):
        invoices.refund(shop["admin"], spent.id, 10000, "redo", now=NOW)
    assert prepaid.gift_card(shop["desk"], code).balance_cents == 0
    back = invoices.refund(shop["admin"], spent.id, 10000, "redo", now=NOW, to="cash")
    assert (back.method, back.gift_card_id) == ("cash", None)
    assert prepaid.gift_card(shop["desk"], code).balance_cents == 0
    invoices.void_invoice(shop["admin"], bill.id, "redo", NOW)  # refunded, so it can go
    with pytest.raises(ValidationError, match="as cash, card, check or credit on account"):
        invoices.refund(shop["admin"], spent.id, 1, "x", to="gift_card")


def test_a_closed_cards_payment_is_refunded_another_way(shop):  # noqa: F811
    sale = _sell(shop, invoices.gift_card_line(shop["desk"], 10000))
    code = _code(shop, sale)
    bill = _peel_bill(shop)
    spent = invoices.take_payment(shop["desk"], bill.id, PaymentInput(
        "gift_card", 4000, gift_card_code=code), now=NOW)
    prepaid.close_gift_card(shop["admin"], code, "lost")
    with pytest.raises(ConflictError, match="was closed"):
        invoices.refund(shop["admin"], spent.id, 4000, "x", now=NOW)
    invoices.refund(shop["admin"], spent.id, 4000, "x", now=NOW, to="card")
    invoices.void_invoice(shop["admin"], bill.id, "x", NOW)
    close = billing_reports.daily_close(shop["desk"], TODAY)
    assert dict(close.by_method)["Gift card"] == 4000 and dict(close.by_method)["Card"] == 6000


def test_voiding_a_visit_does_not_revive_a_refunded_package(bank):
    shop = bank  # noqa: F811
    sale = _sell(shop, _botox_bank(shop, 100, price_cents=100000))
    package = _package(shop)
    _lines, visit = _visit_from_package(shop, 40, package.id)
    prepaid.cancel_package(shop["admin"], package.id, "moving away")
    invoices.refund(shop["admin"], invoices.invoice_view(shop["desk"], sale.id).payments[0].id,
                    100000, "moving away", now=NOW)
    invoices.void_invoice(shop["admin"], visit.id, "wrong visit", NOW)
    assert _package(shop).left == "0 units" and prepaid.unused_value(sale.id) == 0
    invoices.void_invoice(shop["admin"], sale.id, "moving away", NOW)  # no use outstanding


def test_the_tax_paid_on_an_unused_package_is_not_refunded_while_it_is_usable(shop):  # noqa: F811
    invoices.set_tax_rates(shop["admin"], invoices.TaxRates(services_bp=1000, retail_bp=700))
    sale = _sell(shop, _botox_bank(shop, 100, price_cents=100000))
    assert sale.total_cents == 110000
    with pytest.raises(ConflictError, match=r"\$1,100.00 of the packages"):
        invoices.refund(shop["admin"], invoices.invoice_view(shop["desk"], sale.id)
                        .payments[0].id, 10000, "x", now=NOW)


def test_a_gift_card_line_sells_only_a_gift_card(shop):  # noqa: F811
    botox = Service.get(Service.name == "Botox Cosmetic")
    disguised = LineDraft("gift_card", "x", Decimal(1), 100000, service_id=botox.id,
                          sells=prepaid.PackageSale(botox.id, Decimal(100)))
    with pytest.raises(ValidationError, match="say what the package or gift card is"):
        invoices.preview(shop["desk"], CheckoutInput(shop["zoe"].id, (disguised,)))
