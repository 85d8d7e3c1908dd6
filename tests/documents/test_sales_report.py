"""The sales report PDF read back: its period in the title, the daily close's sections, a row
per day, and staff and patient text printed as typed."""

from __future__ import annotations

import datetime as dt

from medspa_desktop.documents.sales_report import period_text, render_sales_report
from medspa_desktop.documents.styles import Letterhead
from medspa_desktop.printouts import sales_report_pdf
from medspa_desktop.services.billing import invoices
from medspa_desktop.services.billing.billing_reports import SalesDay, SalesReport
from medspa_desktop.services.billing.invoices import CheckoutInput, PaymentInput
from tests.documents.pdftext import pdf_text
from tests.services.billing.test_invoices import shop  # noqa: F401 (fixture)
from tests.services.treatments.test_treatment_records import clinic  # noqa: F401 (fixture)

NOV_1, NOV_30 = dt.date(2029, 11, 1), dt.date(2029, 11, 30)


def test_the_period_reads_as_a_person_writes_it():
    assert period_text(NOV_1, NOV_30) == "1–30 November 2029"
    assert period_text(dt.date(2029, 10, 15), dt.date(2029, 11, 14)) == \
        "15 October – 14 November 2029"
    assert period_text(dt.date(2029, 12, 20), dt.date(2030, 1, 19)) == \
        "20 December 2029 – 19 January 2030"
    assert period_text(NOV_1, NOV_1) == "1 November 2029"


def test_the_report_shows_its_sections_and_a_row_per_day():
    days = tuple(SalesDay(NOV_1 + dt.timedelta(days=n), 0, 0, 0) for n in range(30))
    days = (*days[:5], SalesDay(dt.date(2029, 11, 6), 3, 123400, 118000), *days[6:])
    report = SalesReport(
        3, (("Neurotoxin", 100000), ("Retail", 23400)), (("Ann <b>& Co</b>", 123400),),
        (("Card", 128000), ("Cash", -10000)), 123400, 1638, 500, 0,
        ((7, "Cash", 10000, "<i>scuffed</i> & lid"),), ((8, 4494, "entered twice"),), -10000,
        days, NOV_1, NOV_30, "Sam Desk")
    text = pdf_text(render_sales_report(report, Letterhead("Test Clinic"),
                                        dt.datetime(2029, 12, 1, 9), "letter"))
    for expected in ("Sales report, 1–30 November 2029", "Neurotoxin $1,000.00",
                     "Retail $234.00", "Ann <b>& Co</b> $1,234.00", "Sales $1,234.00",
                     "Tax collected $16.38", "Cash −$100.00",
                     "Invoice 7, Cash: <i>scuffed</i> & lid −$100.00",
                     "Invoice 8: entered twice $44.94",
                     "Day Invoices Net sales Payments less refunds",
                     "Tue 6 Nov 2029 3 $1,234.00 $1,180.00", "Fri 30 Nov 2029 0 $0.00 $0.00",
                     "Total 3 $1,234.00 $1,180.00", "Printed 2029-12-01 09:00 by Sam Desk"):
        assert expected in text, expected
    assert "Cash drawer" not in text and "Gift cards sold" not in text


def test_a_month_printed_from_the_database(shop):  # noqa: F811
    desk, spf = shop["desk"], shop["spf"].id
    invoice = invoices.issue_invoice(desk, CheckoutInput(
        shop["zoe"].id, (invoices.product_line(desk, spf, 2),)),
        now=dt.datetime(2029, 11, 13, 10))  # $84.00 + $5.88 tax
    invoices.take_payment(desk, invoice.id, PaymentInput("cash", invoice.total_cents),
                          now=dt.datetime(2029, 11, 13, 10, 5))
    text = pdf_text(sales_report_pdf(desk, NOV_1, NOV_30))
    for expected in ("Sales report, 1–30 November 2029", "Retail $84.00",
                     "No provider $84.00", "Cash $89.88", "Tax collected $5.88",
                     "Tue 13 Nov 2029 1 $84.00 $89.88", "Total 1 $84.00 $89.88"):
        assert expected in text, expected


def test_a_month_of_many_refunds_and_providers_goes_on_over_the_pages():
    """Nothing in the two columns may be taller than a page: long lists split, their title
    repeated on the next page."""
    days = tuple(SalesDay(NOV_1 + dt.timedelta(days=n), 0, 0, 0) for n in range(30))
    providers = tuple((f"Provider {n}", 100) for n in range(45))
    refunds = tuple((1000 + n, "Card", 4494, "returned unopened") for n in range(80))
    report = SalesReport(0, (("Retail", 4500),), providers, (("Card", 0),), 4500, 0, 0, 0,
                         refunds, (), 0, days, NOV_1, NOV_30)
    pdf = render_sales_report(report, Letterhead("Test Clinic"), dt.datetime(2029, 12, 1),
                              "a4")
    text = pdf_text(pdf)
    assert "Provider 44 $1.00" in text and "Invoice 1079, Card: returned unopened" in text
    assert text.count("Sales by provider Provider") == 2  # on page 1 and page 2
    assert text.count("Refunds Invoice") >= 2 and "Page 4" in text
