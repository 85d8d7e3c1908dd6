"""The invoice list, a patient's account, and the daily close adding up to the cent."""

from __future__ import annotations

import datetime as dt

from medspa_desktop.printouts import daily_close_pdf
from medspa_desktop.services.billing import billing_reports, invoices
from medspa_desktop.services.billing.billing_reports import InvoiceFilter
from medspa_desktop.services.billing.invoices import CheckoutInput, PaymentInput
from tests.documents.pdftext import pdf_text
from tests.services.billing.test_invoices import _charted_visit, _checkout, shop  # noqa: F401
from tests.services.treatments.test_treatment_records import clinic  # noqa: F401 (fixture)


def test_the_list_filters_and_the_account_owes_what_is_unpaid(shop):  # noqa: F811
    paid = _checkout(shop, _charted_visit(shop, 20))  # $280.00
    invoices.take_payment(shop["desk"], paid.id, PaymentInput("cash", 28000))
    retail = invoices.issue_invoice(shop["desk"], CheckoutInput(
        shop["zoe"].id, (invoices.product_line(shop["desk"], shop["spf"].id, 1),)))
    invoices.take_payment(shop["desk"], retail.id, PaymentInput("check", 1000,
                                                                check_number="1001"))
    rows = billing_reports.invoices(shop["desk"])
    assert [(r.number, r.status, r.balance_cents) for r in rows] == [
        (2, "open", 4494 - 1000), (1, "paid", 0)]
    assert [r.number for r in billing_reports.invoices(
        shop["desk"], InvoiceFilter(status="open"))] == [2]
    assert [r.number for r in billing_reports.invoices(
        shop["desk"], InvoiceFilter(patient="ng"))] == [2, 1]
    assert billing_reports.invoices(shop["desk"], InvoiceFilter(patient="nobody")) == []
    assert billing_reports.invoices(shop["desk"], InvoiceFilter(patient="_")) == []  # literal
    assert len(billing_reports.invoices(shop["desk"], InvoiceFilter(patient="zoe ng"))) == 2
    assert billing_reports.account_balance(shop["desk"], shop["zoe"].id) == 3494


def test_the_daily_close_adds_up(shop):  # noqa: F811
    today = dt.date.today()
    botox = _checkout(shop, _charted_visit(shop, 20), tip_cents=2000)  # $280 + $20 tip
    invoices.take_payment(shop["desk"], botox.id, PaymentInput("cash", 0, tendered_cents=40000))
    retail = invoices.issue_invoice(shop["desk"], CheckoutInput(
        shop["zoe"].id, (invoices.product_line(shop["desk"], shop["spf"].id, 1),)))
    pay = invoices.take_payment(shop["desk"], retail.id, PaymentInput(
        "card", 4494, card_last4="4242", auth_code="A1"))
    invoices.refund(shop["admin"], pay.id, 4494, "returned unopened")
    invoices.void_invoice(shop["admin"], retail.id, "returned unopened")
    close = billing_reports.daily_close(shop["desk"], today, cash_counted_cents=29500)
    assert close.invoices == 2  # issued today; the void one comes off again, voided today
    assert close.by_category == (("Neurotoxin", 28000),)
    assert close.by_method == (("Card", 0), ("Cash", 30000))
    assert (close.sales_cents, close.tax_cents, close.tips_cents) == (28000, 0, 2000)
    assert close.refunds == ((2, "Card", 4494, "returned unopened"),)
    assert close.voids == ((2, 4494, "returned unopened"),)
    assert (close.cash_expected_cents, close.cash_difference_cents) == (30000, -500)
    text = pdf_text(daily_close_pdf(shop["desk"], today, 29500))
    for expected in ("Neurotoxin $280.00", "Cash $300.00", "Tips $20.00",
                     "Invoice 2, Card: returned unopened −$44.94", "Cash expected $300.00",
                     "Cash counted $295.00", "Difference −$5.00"):
        assert expected in text, expected


def test_a_close_reads_the_same_after_a_later_void(shop):  # noqa: F811
    yesterday = dt.datetime.now() - dt.timedelta(days=1)
    invoice = invoices.issue_invoice(shop["desk"], CheckoutInput(
        shop["zoe"].id, (invoices.product_line(shop["desk"], shop["spf"].id, 1),)),
        now=yesterday)
    before = billing_reports.daily_close(shop["desk"], yesterday.date())
    invoices.void_invoice(shop["admin"], invoice.id, "entered twice")
    after = billing_reports.daily_close(shop["desk"], yesterday.date())
    assert before == after and before.sales_cents == 4200
    today = billing_reports.daily_close(shop["desk"], dt.date.today())
    assert (today.sales_cents, today.tax_cents, today.voids) == (
        -4200, -294, ((invoice.number, 4494, "entered twice"),))


def test_what_is_due_counts_every_invoice_the_filter_selects_not_a_page(demo_db):
    """The Billing tab's "… due" is the filter's, however many invoices it lists."""
    from medspa_desktop.store.models import Patient, Product
    from tests.conftest import staff

    desk = staff("frontdesk")
    product = Product.select().where(Product.kind == "retail").first()
    patient = Patient.select().first()
    for _ in range(3):  # three open invoices, newest of all
        invoices.issue_invoice(desk, CheckoutInput(
            patient.id, (invoices.product_line(desk, product.id, 1),)))
    for f in (InvoiceFilter(), InvoiceFilter(status="open"), InvoiceFilter(patient="a")):
        every = billing_reports.invoices(desk, f, limit=100_000)
        assert billing_reports.amount_due(desk, f) == sum(r.balance_cents for r in every)
    page = billing_reports.invoices(desk, InvoiceFilter(status="open"), limit=2)
    assert billing_reports.amount_due(desk) > sum(r.balance_cents for r in page) > 0
