"""Staff pay on a small clinic: a commission across two categories with a void, worked out by
hand, and the figures agreeing with the sales report's."""

from __future__ import annotations

import datetime as dt

import pytest

from medspa_desktop.printouts import staff_statement_pdf
from medspa_desktop.services.billing import billing_reports, invoices
from medspa_desktop.services.platform.errors import PermissionDenied, ValidationError
from medspa_desktop.services.reports import staff_pay
from medspa_desktop.store.models import AuditEvent
from tests.documents.pdftext import pdf_text
from tests.services.billing.test_invoices import _charted_visit, _checkout, shop  # noqa: F401
from tests.services.treatments.test_treatment_records import clinic  # noqa: F401 (fixture)

TODAY = dt.date.today()


def test_commission_by_category_on_net_sales_with_a_void(shop):  # noqa: F811
    staff_pay.set_rates(shop["admin"], {"neurotoxin": 1000, "retail": 1250})
    _checkout(shop, _charted_visit(shop, 20),  # 20 U × $14 = $280
              (invoices.product_line(shop["desk"], shop["spf"].id, 2),),  # 2 × $42
              tip_cents=2000)
    second = _checkout(shop, _charted_visit(shop, 10, hour=12))  # $140, voided
    invoices.void_invoice(shop["admin"], second.id, "wrong patient")
    desk_sale = invoices.issue_invoice(shop["desk"], invoices.CheckoutInput(
        shop["zoe"].id, (invoices.product_line(shop["desk"], shop["spf"].id, 1),)))
    pay = staff_pay.staff_pay(shop["admin"], TODAY, TODAY)
    rn = pay.of(shop["rn"].id)
    assert [(c.label, c.services, c.net_cents, c.rate_bp, c.commission_cents)
            for c in rn.categories] == [("Neurotoxin", 1, 28000, 1000, 2800),
                                        ("Retail", 0, 8400, 1250, 1050)]
    assert (rn.services, rn.net_cents, rn.tips_cents, rn.commission_cents) == (
        1, 36400, 2000, 3850)
    nobody = pay.of(None)
    assert (nobody.provider, nobody.net_cents, nobody.commission_cents) == (
        "No provider", 4200, 525)
    assert pay.providers[-1] is nobody
    # the same rows as the sales report: its "by provider" is these net sales
    sales = billing_reports.sales_report(shop["admin"], TODAY, TODAY, record=False)
    assert dict(sales.by_provider) == {p.provider: p.net_cents for p in pay.providers}
    assert sales.tips_cents == sum(p.tips_cents for p in pay.providers)
    assert desk_sale.id


def test_a_void_on_a_later_day_comes_off_that_day(shop):  # noqa: F811
    staff_pay.set_rates(shop["admin"], {"retail": 1000})
    yesterday = dt.datetime.now() - dt.timedelta(days=1)
    sale = invoices.issue_invoice(shop["desk"], invoices.CheckoutInput(
        shop["zoe"].id, (invoices.product_line(shop["desk"], shop["spf"].id, 1),)),
        now=yesterday)
    invoices.void_invoice(shop["admin"], sale.id, "entered twice")
    before = staff_pay.staff_pay(shop["admin"], yesterday.date(), yesterday.date()).of(None)
    today = staff_pay.staff_pay(shop["admin"], TODAY, TODAY).of(None)
    both = staff_pay.staff_pay(shop["admin"], yesterday.date(), TODAY)
    assert (before.net_cents, before.commission_cents) == (4200, 420)
    assert (today.net_cents, today.commission_cents) == (-4200, -420)
    assert both.empty


def test_the_rule_is_the_admins_to_set_and_its_changes_are_audited(shop):  # noqa: F811
    assert set(staff_pay.rates().values()) == {0}
    staff_pay.set_rates(shop["admin"], {"filler": 1500, "package": 250})
    assert staff_pay.rates()["filler"] == 1500 and staff_pay.rates()["package"] == 250
    event = AuditEvent.select().where(AuditEvent.action == "settings.commission").get()
    assert "Dermal filler 0" in event.summary and "15" in event.summary
    staff_pay.set_rates(shop["admin"], {"filler": 1500})  # nothing changed: nothing written
    assert AuditEvent.select().where(AuditEvent.action == "settings.commission").count() == 1
    with pytest.raises(ValidationError, match="between 0 % and 100 %"):
        staff_pay.set_rates(shop["admin"], {"filler": 10001})
    with pytest.raises(ValidationError, match="Unknown"):
        staff_pay.set_rates(shop["admin"], {"haircuts": 100})
    with pytest.raises(PermissionDenied):
        staff_pay.set_rates(shop["rn"], {"filler": 100})
    with pytest.raises(PermissionDenied):
        staff_pay.staff_pay(shop["desk"], TODAY, TODAY)
    assert staff_pay.rates()["filler"] == 1500


def test_commission_rounds_half_away_from_zero():
    assert staff_pay.commission_cents(333, 1500) == 50  # 49.95
    assert staff_pay.commission_cents(-333, 1500) == -50
    assert staff_pay.commission_cents(330, 1500) == 50  # 49.5
    assert staff_pay.commission_cents(329, 1500) == 49  # 49.35


def test_the_statement_prints_on_the_letterhead_and_is_audited(shop):  # noqa: F811
    staff_pay.set_rates(shop["admin"], {"neurotoxin": 1000})
    _checkout(shop, _charted_visit(shop, 20), tip_cents=1500)
    text = pdf_text(staff_statement_pdf(shop["admin"], TODAY, TODAY, shop["rn"].id))
    for expected in ("Test Clinic", "Pay statement: Jo Kim", "Neurotoxin 1 $280.00 10% $28.00",
                     "Commission and tips $43.00", "Tips $15.00"):
        assert expected in text, expected
    event = AuditEvent.select().where(AuditEvent.action == "print.staff_statement").get()
    assert event.summary == "pay statement of Jo Kim"
    everyone = pdf_text(staff_statement_pdf(shop["admin"], TODAY, TODAY, everyone=True))
    assert "Pay statement: Jo Kim" in everyone
    quiet = pdf_text(staff_statement_pdf(shop["admin"], TODAY, TODAY, shop["le"].id))
    assert "No sales by any provider in this period." in quiet
