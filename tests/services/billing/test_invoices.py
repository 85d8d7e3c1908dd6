"""Checkout: invoices from the treatment record, retail and tax, split and partial payments,
refunds and voids that erase nothing, and invoice numbers without gaps."""

from __future__ import annotations

import datetime as dt
import multiprocessing
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medspa_desktop.services.billing import invoices
from medspa_desktop.services.billing.billing_math import Discount
from medspa_desktop.services.billing.invoices import CheckoutInput, PaymentInput
from medspa_desktop.services.platform.errors import ConflictError, PermissionDenied, ValidationError
from medspa_desktop.services.scheduling import appointments
from medspa_desktop.services.treatments import inventory, treatment_records
from medspa_desktop.store.database import db
from medspa_desktop.store.models import (
    Appointment,
    AppointmentChange,
    AuditEvent,
    Invoice,
    Lot,
    Service,
)
from tests.services.treatments.test_treatment_records import (  # noqa: F401 (fixture)
    TODAY,
    TOXIN,
    _started,
    clinic,
    glabella,
)


@pytest.fixture
def shop(clinic):  # noqa: F811
    Service.update(price_cents=1400).where(Service.name == "Botox Cosmetic").execute()
    invoices.set_tax_rates(clinic["admin"], invoices.TaxRates(services_bp=0, retail_bp=700))
    spf = inventory.add_product(clinic["admin"], "Sunscreen SPF 50", "retail", low_stock=0)
    invoices.set_retail(clinic["admin"], spf.id, 4200, "spf50", True)
    inventory.receive(clinic["admin"], spf.id, "S1", TODAY + dt.timedelta(days=400), 5,
                      today=TODAY - dt.timedelta(days=1))
    return {**clinic, "spf": spf}


def _charted_visit(shop, units: int = 44, hour: int = 10):
    appt = _started(shop, "Botox Cosmetic", "rn", hour)
    points = glabella(units / 4 if units % 20 else 4, 5) if units == 20 else \
        [{"view": "front", "x": 150, "y": 130, "site": "Glabella", "amount": units}]
    treatment_records.record_treatment(
        shop["rn"], appt.id, {**TOXIN, "points": points, "total_units": units,
                              "product_id": shop["botox"].id}, confirm=True, today=TODAY,
        reason="another visit on the test's one day")  # inside the re-treatment interval
    appt = Appointment.get_by_id(appt.id)
    return appointments.change_status(shop["rn"], appt.id, "completed", appt.version)


def _checkout(shop, appt, extra=(), **kwargs):
    lines = (*invoices.draft_for_appointment(shop["desk"], appt.id), *extra)
    return invoices.issue_invoice(shop["desk"], CheckoutInput(
        shop["zoe"].id, lines, appointment_id=appt.id, **kwargs))


def test_the_invoice_is_drafted_from_the_treatment_record(shop):
    appt = _charted_visit(shop, 44)
    draft = invoices.draft_for_appointment(shop["desk"], appt.id)
    assert [(d.description, d.quantity, d.unit_price_cents) for d in draft] == [
        ("Botox Cosmetic", Decimal("44.0"), 1400)]
    invoice = _checkout(shop, appt, (invoices.product_line(shop["desk"], shop["spf"].id, 2),),
                        discount=Discount(percent_bp=1000, reason="first visit"),
                        tip_cents=1500)
    view = invoices.invoice_view(shop["desk"], invoice.id)
    assert (view.number, view.subtotal_cents) == (1, 61600 + 8400)
    assert view.discount_cents == 7000 and view.discount_reason == "first visit"
    assert view.tax_cents == round(7560 * 0.07)  # retail only: (8400 − 840) × 7 %
    assert view.total_cents == 70000 - 7000 + 529 + 1500
    assert [(line.tax_category, line.tax_rate_bp) for line in view.lines] == [
        ("services", 0), ("retail", 700)]
    assert Lot.get(Lot.lot_number == "S1").remaining_centi == 300  # two sold
    assert AuditEvent.select().where(AuditEvent.action == "stock.sale").count() == 1
    with pytest.raises(ConflictError, match="already on invoice 1"):
        _checkout(shop, appt)


def test_a_split_payment_with_cash_change_checks_the_visit_out(shop):
    appt = _charted_visit(shop, 20)
    invoice = _checkout(shop, appt)  # 20 × $14 = $280.00
    with pytest.raises(ValidationError, match="last 4 digits"):
        invoices.take_payment(shop["desk"], invoice.id,
                              PaymentInput("card", 10000, card_last4="42"))
    with pytest.raises(ValidationError, match="more than the \\$280.00 still due"):
        invoices.take_payment(shop["desk"], invoice.id,
                              PaymentInput("card", 30000, card_last4="4242", auth_code="A1B2"))
    invoices.take_payment(shop["desk"], invoice.id,
                          PaymentInput("card", 20000, card_last4="4242", auth_code="a1b2"))
    assert invoices.invoice_view(shop["desk"], invoice.id).balance_cents == 8000
    assert Invoice.get_by_id(invoice.id).status == "open"
    cash = invoices.take_payment(shop["desk"], invoice.id, PaymentInput("cash", 0,
                                                                        tendered_cents=10000))
    assert (cash.amount_cents, cash.change_cents) == (8000, 2000)
    view = invoices.invoice_view(shop["desk"], invoice.id)
    assert (view.status, view.balance_cents, view.paid_cents) == ("paid", 0, 28000)
    assert [p.detail for p in view.payments] == ["card ending 4242, auth A1B2",
                                                 "tendered $100.00, change $20.00"]
    assert Appointment.get_by_id(appt.id).status == "checked_out"


def test_refunds_and_voids_keep_everything(shop):
    appt = _charted_visit(shop, 20)
    invoice = _checkout(shop, appt)
    card = invoices.take_payment(shop["desk"], invoice.id,
                                 PaymentInput("card", 28000, card_last4="4242",
                                              auth_code="OK1"))
    with pytest.raises(PermissionDenied, match="may not refund"):
        invoices.refund(shop["desk"], card.id, 1000, "unhappy")
    with pytest.raises(ConflictError, match="\\$280.00 paid on it; refund it first"):
        invoices.void_invoice(shop["admin"], invoice.id, "booked in error")
    invoices.refund(shop["admin"], card.id, 8000, "partial: bruising")
    with pytest.raises(ValidationError, match="At most \\$200.00 of this payment"):
        invoices.refund(shop["admin"], card.id, 20001, "more")
    invoices.refund(shop["admin"], card.id, 20000, "the rest")
    voided = invoices.void_invoice(shop["admin"], invoice.id, "booked in error")
    view = invoices.invoice_view(shop["admin"], invoice.id)
    assert (voided.status, view.void_reason, view.balance_cents) == ("void", "booked in error", 0)
    assert [(p.kind, p.amount_cents) for p in view.payments] == [
        ("payment", 28000), ("refund", 8000), ("refund", 20000)]
    with pytest.raises(Exception, match="never deleted"):
        Invoice.delete().where(Invoice.id == invoice.id).execute()
    with pytest.raises(Exception, match="cannot be changed"):
        Invoice.update(total_cents=1).where(Invoice.id == invoice.id).execute()
    again = _checkout(shop, Appointment.get_by_id(appt.id))  # a void invoice frees the visit
    assert again.number == 2


def test_a_failed_checkout_leaves_no_gap_in_the_numbers(shop):
    first = _checkout(shop, _charted_visit(shop, 20))
    with pytest.raises(ConflictError, match=r"Only 5 items of Sunscreen SPF 50 in stock "
                                            r"\(5 items in lot S1\); 9 items"):
        invoices.issue_invoice(shop["desk"], CheckoutInput(
            shop["zoe"].id, (invoices.product_line(shop["desk"], shop["spf"].id, 9),)))
    second = invoices.issue_invoice(shop["desk"], CheckoutInput(
        shop["zoe"].id, (invoices.product_line(shop["desk"], shop["spf"].id, 1),)))
    assert (first.number, second.number) == (1, 2)
    assert Invoice.select().count() == 2


def _retail_invoices(path: str, count: int, patient_id: int, product_id: int, out) -> None:
    from medspa_desktop.store.database import open_database
    from medspa_desktop.store.models import User

    open_database(path)
    desk = User.get(User.username == "desk")
    numbers = []
    for _ in range(count):
        numbers.append(invoices.issue_invoice(desk, CheckoutInput(
            patient_id, (invoices.LineDraft("product", "Lip balm", Decimal(1), 900,
                                            product_id=product_id),))).number)
    out.put(numbers)


def test_two_pcs_checking_out_at_once_get_every_number_once(shop, tmp_path):
    balm = inventory.add_product(shop["admin"], "Lip balm", "retail")
    inventory.receive(shop["admin"], balm.id, "B1", TODAY + dt.timedelta(days=900), 100,
                      today=dt.date.today())
    path = db.obj.database
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    workers = [context.Process(target=_retail_invoices,
                               args=(path, 15, shop["zoe"].id, balm.id, out))
               for _ in range(2)]
    for w in workers:
        w.start()
    numbers = [n for _ in workers for n in out.get(timeout=120)]
    for w in workers:
        w.join(timeout=60)
        assert w.exitcode == 0
    assert sorted(numbers) == list(range(1, 31))
    assert Lot.get(Lot.lot_number == "B1").remaining_centi == 7000


operations = st.lists(st.tuples(st.sampled_from(["cash", "card", "check", "refund"]),
                                st.integers(1, 40_000)), max_size=8)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations)
def test_payments_and_refunds_never_exceed_what_they_may(shop, ops):
    botox = Service.get(Service.name == "Botox Cosmetic")
    invoice = invoices.issue_invoice(shop["desk"], CheckoutInput(shop["zoe"].id, (
        invoices.LineDraft("service", "Botox", Decimal(20), 1400, service_id=botox.id),)))
    payments = []
    for method, amount in ops:
        try:
            if method == "refund":
                if payments:
                    invoices.refund(shop["admin"], payments[amount % len(payments)].id, amount,
                                    "test")
            else:
                payments.append(invoices.take_payment(shop["desk"], invoice.id, PaymentInput(
                    method, amount, tendered_cents=amount if method == "cash" else 0,
                    card_last4="1111", auth_code="OK", check_number="101")))
        except (ValidationError, ConflictError):
            pass
        view = invoices.invoice_view(shop["desk"], invoice.id)
        assert 0 <= view.paid_cents <= view.total_cents
        assert view.balance_cents == view.total_cents - view.paid_cents
        for p in payments:
            assert invoices.refunded_cents(p.id) <= p.amount_cents
        cash = [p for p in payments if p.method == "cash"]
        assert all(p.tendered_cents - p.change_cents == p.amount_cents for p in cash)


def test_a_partial_refund_lowers_what_is_owed_and_never_reopens_the_invoice(shop):
    appt = _charted_visit(shop, 20)
    invoice = _checkout(shop, appt)
    card = invoices.take_payment(shop["desk"], invoice.id, PaymentInput(
        "card", 28000, card_last4="4242", auth_code="OK1"))
    invoices.refund(shop["admin"], card.id, 8000, "bruising; goodwill")
    view = invoices.invoice_view(shop["desk"], invoice.id)
    assert (view.status, view.paid_cents, view.refunded_cents, view.balance_cents) == (
        "paid", 28000, 8000, 0)
    with pytest.raises(ConflictError, match="paid in full"):
        invoices.take_payment(shop["desk"], invoice.id, PaymentInput("cash", 100))


def test_cash_short_of_the_amount_typed_is_refused(shop):
    invoice = _checkout(shop, _charted_visit(shop, 20))
    with pytest.raises(ValidationError, match="cash handed over \\(\\$50.00\\) is less than "
                                              "the amount entered \\(\\$80.00\\)"):
        invoices.take_payment(shop["desk"], invoice.id,
                              PaymentInput("cash", 8000, tendered_cents=5000))


def test_a_comped_visit_is_checked_out_when_its_invoice_is_issued(shop):
    appt = _charted_visit(shop, 20)
    _checkout(shop, appt, discount=Discount(percent_bp=10_000, reason="touch-up, comped"))
    assert Appointment.get_by_id(appt.id).status == "checked_out"


def test_an_issued_invoice_keeps_its_provider_and_a_void_stays_void(shop):
    invoice = _checkout(shop, _charted_visit(shop, 20))
    with pytest.raises(Exception, match="cannot be changed"):
        Invoice.update(provider=shop["le"].id).where(Invoice.id == invoice.id).execute()
    invoices.void_invoice(shop["admin"], invoice.id, "entered twice")
    with pytest.raises(Exception, match="cannot be changed"):
        Invoice.update(status="open").where(Invoice.id == invoice.id).execute()


def test_quantities_have_at_most_two_decimals(shop):
    botox = Service.get(Service.name == "Botox Cosmetic")
    with pytest.raises(ValidationError, match="Line 1: give the quantity with at most two"):
        invoices.preview(shop["desk"], CheckoutInput(shop["zoe"].id, (
            invoices.LineDraft("service", "Botox", Decimal("12.345"), 1400,
                               service_id=botox.id),)))


def test_an_overlong_reason_is_refused_not_cut(shop):
    invoice = _checkout(shop, _charted_visit(shop, 20))
    with pytest.raises(ValidationError, match="at most 500 characters"):
        invoices.void_invoice(shop["admin"], invoice.id, "x" * 501)
    with pytest.raises(ValidationError, match="invoice discount must be at most 500"):
        invoices.preview(shop["desk"], CheckoutInput(
            shop["zoe"].id, tuple(invoices.draft_for_appointment(shop["desk"],
                                                                 invoice.appointment_id)),
            discount=Discount(percent_bp=100, reason="y" * 501)))


def test_a_void_can_put_the_items_sold_back_on_the_shelf(shop):
    line = invoices.product_line(shop["desk"], shop["spf"].id, 2)
    kept = invoices.issue_invoice(shop["desk"], CheckoutInput(shop["zoe"].id, (line,)))
    back = invoices.issue_invoice(shop["desk"], CheckoutInput(shop["zoe"].id, (line,)))
    assert invoices.sold_items(back.id)
    assert Lot.get(Lot.lot_number == "S1").remaining_centi == 100
    invoices.void_invoice(shop["admin"], kept.id, "never left the shop", restock=False)
    invoices.void_invoice(shop["admin"], back.id, "returned unopened", restock=True)
    assert Lot.get(Lot.lot_number == "S1").remaining_centi == 300
    assert AuditEvent.select().where(AuditEvent.action == "stock.return").count() == 1
    from medspa_desktop.services.platform.integrity import check_database

    assert check_database() == []


def test_a_visit_paid_during_its_treatment_is_checked_out_when_it_is_completed(shop):
    """Paid before the provider marked it done (a patient in a hurry): it must not wait at
    the desk afterwards as a visit still to check out."""
    appt = _started(shop, "Botox Cosmetic", "rn", 11)
    invoice = invoices.issue_invoice(shop["desk"], CheckoutInput(
        shop["zoe"].id, [invoices.product_line(shop["desk"], shop["spf"].id, 1)],
        appointment_id=appt.id))
    invoices.take_payment(shop["desk"], invoice.id, PaymentInput(
        "cash", 0, tendered_cents=invoices.invoice_view(shop["desk"], invoice.id).total_cents))
    assert Appointment.get_by_id(appt.id).status == "in_treatment"
    appt = Appointment.get_by_id(appt.id)
    done = appointments.change_status(shop["rn"], appt.id, "completed", appt.version)
    assert done.status == "checked_out" == Appointment.get_by_id(appt.id).status
    assert [(c.from_status, c.to_status) for c in AppointmentChange.select().where(
        AppointmentChange.appointment == appt.id, AppointmentChange.kind == "status")
        .order_by(AppointmentChange.id)][-2:] == [("in_treatment", "completed"),
                                                  ("completed", "checked_out")]
