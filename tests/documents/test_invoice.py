"""The invoice PDF read back: every line, the discounts, tax, tip, total, payments, balance."""

from __future__ import annotations

from medspa_desktop.printouts import invoice_pdf
from medspa_desktop.services.billing import invoices
from medspa_desktop.services.billing.billing_math import Discount
from medspa_desktop.services.billing.invoices import PaymentInput
from medspa_desktop.store.models import Service
from tests.documents.pdftext import pdf_text
from tests.services.billing.test_invoices import _charted_visit, _checkout, shop  # noqa: F401
from tests.services.treatments.test_treatment_records import clinic  # noqa: F401 (fixture)


def test_the_invoice_shows_every_line_and_the_total(shop):  # noqa: F811
    appt = _charted_visit(shop, 44)
    invoice = _checkout(shop, appt, (invoices.product_line(shop["desk"], shop["spf"].id, 2),),
                        discount=Discount(amount_cents=1000, reason="birthday <b>&</b>"),
                        tip_cents=1500)
    invoices.take_payment(shop["desk"], invoice.id,
                          PaymentInput("card", 30000, card_last4="4242", auth_code="A1"))
    view = invoices.invoice_view(shop["desk"], invoice.id)
    text = pdf_text(invoice_pdf(shop["desk"], invoice.id))
    for expected in (
        "Invoice 1", "Ng", "Botox Cosmetic 44 $14.00", "$616.00",
        "Sunscreen SPF 50 2 $42.00", "Subtotal $700.00",
        "Discounts (birthday <b>&</b>) −$10.00", f"Retail tax 7 % ${view.tax_cents / 100:.2f}",
        "Tip $15.00", f"Total ${view.total_cents / 100:,.2f}",
        "Card card ending 4242, auth A1", "Paid $300.00",
        f"Balance due ${view.balance_cents / 100:,.2f}",
    ):
        assert expected in text, expected
    receipt = pdf_text(invoice_pdf(shop["desk"], invoice.id, receipt=True))
    assert "Receipt 1" in receipt


def test_a_void_invoice_says_so(shop):  # noqa: F811
    invoice = _checkout(shop, _charted_visit(shop, 20))
    invoices.void_invoice(shop["admin"], invoice.id, "booked twice")
    text = pdf_text(invoice_pdf(shop["desk"], invoice.id))
    assert "VOID" in text and "This invoice is void: booked twice" in text
    assert "Balance due $0.00" in text


def test_packages_and_gift_cards_print_with_their_codes_and_credits(shop):  # noqa: F811
    service = Service.get(Service.name == "Botox Cosmetic")
    sale = invoices.issue_invoice(shop["desk"], invoices.CheckoutInput(shop["zoe"].id, (
        invoices.package_line(shop["desk"], service.id, 50, 60000, no_expiry=True),
        invoices.gift_card_line(shop["desk"], 10000, code="MOM-2030", recipient="Mom"))))
    invoices.take_payment(shop["desk"], sale.id, PaymentInput("cash", 70000))
    appt = _charted_visit(shop, 20)
    package = invoices.prepaid.patient_packages(shop["desk"], shop["zoe"].id)[0]
    visit = invoices.issue_invoice(shop["desk"], invoices.CheckoutInput(
        shop["zoe"].id, (*invoices.draft_for_appointment(shop["desk"], appt.id, package.id),
                         invoices.product_line(shop["desk"], shop["spf"].id, 1)),
        appointment_id=appt.id))
    invoices.take_payment(shop["desk"], visit.id, PaymentInput("gift_card", 4494,
                                                               gift_card_code="mom2030"))
    sold = pdf_text(invoice_pdf(shop["desk"], sale.id))
    for expected in (f"Package: 50 units of Botox Cosmetic (P{package.id}, no expiry)",
                     "Gift card for Mom, code MOM2-030", "$100.00", "Total $700.00"):
        assert expected in sold, expected
    pdf = invoice_pdf(shop["desk"], visit.id, receipt=True)
    text = pdf_text(pdf)
    for expected in (f"Botox Cosmetic — from package P{package.id} (30 units left) 20 $0.00",
                     "Gift card gift card ending 2030", "Balance due $0.00"):
        assert expected in text, expected


def _lines_as_drawn(pdf: bytes) -> list[str]:
    """Each printed line as the eye reads it, left to right, glyph by glyph (pypdf's plain
    extraction reorders right-to-left runs by its own guess; layout mode does not)."""
    import io
    import unicodedata

    from pypdf import PdfReader

    text = "\n".join(page.extract_text(extraction_mode="layout")
                     for page in PdfReader(io.BytesIO(pdf)).pages)
    return [" ".join(unicodedata.normalize("NFKC", line).split()) for line in text.splitlines()]


def test_an_arabic_name_keeps_the_chart_number_in_its_brackets(shop):  # noqa: F811
    """The bidirectional algorithm orders the name alone: "(chart 000002)" keeps its place
    after it and its brackets the right way round, and so does a reason typed in Arabic."""
    import unicodedata

    from medspa_desktop.documents.styles import reading_order
    from medspa_desktop.store.models import Patient

    Patient.update(first_name="ليلى", last_name="حداد", preferred_name="").where(
        Patient.id == shop["zoe"].id).execute()
    invoice = _checkout(shop, _charted_visit(shop, 20),
                        discount=Discount(amount_cents=500, reason="عيد ميلاد"))
    chart = shop["zoe"].chart_number
    view = invoices.invoice_view(shop["desk"], invoice.id)
    drawn = _lines_as_drawn(invoice_pdf(shop["desk"], invoice.id))
    name = unicodedata.normalize("NFKC", reading_order(view.patient))  # as it is drawn
    assert any(line.endswith(f"Patient {name} (chart {chart})") for line in drawn), drawn
    assert not any(f"){'chart'} {chart}(" in line for line in drawn)
    reason = unicodedata.normalize("NFKC", reading_order("عيد ميلاد"))
    assert any(f"Discounts ({reason}) −$5.00" in line for line in drawn), drawn
