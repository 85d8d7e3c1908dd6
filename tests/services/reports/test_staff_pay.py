"""Staff pay on a small clinic: a commission across two categories with a void, worked out by
hand, and the figures agreeing with the sales report's."""

from __future__ import annotations

import datetime as dt

import pytest

from medspa_desktop.printouts import staff_statement_pdf
from medspa_desktop.services.billing import billing_reports, invoices
from medspa_desktop.services.charts import patients
from medspa_desktop.services.clinic import clinic as setup
from medspa_desktop.services.platform import auth
from medspa_desktop.services.platform.errors import PermissionDenied, ValidationError
from medspa_desktop.services.reports import staff_pay
from medspa_desktop.services.treatments import inventory
from medspa_desktop.store.models import AuditEvent, CommissionRate
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
    yesterday = dt.datetime.now() - dt.timedelta(days=1)
    staff_pay.set_rates(shop["admin"], {"retail": 1000}, yesterday.date())
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
    assert event.summary == (f"From {TODAY:%-d %b %Y}: Dermal filler 0% → 15%; "
                             "Packages 0% → 2.5%")
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


# -- rates with start dates ---------------------------------------------------------------------
def _day(n: int) -> dt.datetime:
    """``n`` days ago, at 11:00."""
    return dt.datetime.combine(TODAY - dt.timedelta(days=n), dt.time(11))


def _sell(desk, patient_id: int, spf_id: int, days_ago: int):
    """One SPF 50 ($42.00 net) sold at the desk ``days_ago``."""
    return invoices.issue_invoice(desk, invoices.CheckoutInput(
        patient_id, (invoices.product_line(desk, spf_id, 1),)), now=_day(days_ago))


def _retail_across_a_change(admin, desk, patient_id: int, spf_id: int):
    """Retail at 10 % from 30 days ago, 5 % from 5 days ago (set back-dated today). Sold: 8
    and 2 days ago; voided 1 day ago: the sale of 8 days ago, at its own 10 %.
    By hand, the whole period (10 days ago to today): Retail 10 %: $42 − $42 = 0, no line;
    Retail 5 %: $42 → $2.10. The later segment alone (4 days ago to today): Retail 10 %:
    −$42 → −$4.20; Retail 5 %: $42 → $2.10; −$2.10 in all. The earlier (10 to 5 days ago):
    $42 at 10 % → $4.20; and 4.20 − 2.10 = 2.10, the whole period's."""
    staff_pay.set_rates(admin, {"retail": 1000}, TODAY - dt.timedelta(days=30))
    staff_pay.set_rates(admin, {"retail": 500}, TODAY - dt.timedelta(days=5))
    first = _sell(desk, patient_id, spf_id, 8)
    _sell(desk, patient_id, spf_id, 2)
    invoices.void_invoice(admin, first.id, "sold twice", now=_day(1))
    whole = staff_pay.staff_pay(admin, _day(10).date(), TODAY)
    later = staff_pay.staff_pay(admin, _day(4).date(), TODAY)
    earlier = staff_pay.staff_pay(admin, _day(10).date(), _day(5).date())
    return whole, later, earlier


def _lines(pay) -> list[tuple]:
    return [(c.label, c.net_cents, c.rate_bp, c.commission_cents)
            for c in pay.of(None).categories]


def _check_across_a_change(whole, later, earlier):
    assert _lines(whole) == [("Retail", 4200, 500, 210)]
    assert whole.of(None).commission_cents == 210
    assert _lines(later) == [("Retail", -4200, 1000, -420), ("Retail", 4200, 500, 210)]
    assert later.of(None).commission_cents == -210
    assert _lines(earlier) == [("Retail", 4200, 1000, 420)]
    assert [(v.effective_on, v.until, v.rates["retail"]) for v in whole.versions] == [
        (TODAY - dt.timedelta(days=30), TODAY - dt.timedelta(days=6), 1000),
        (TODAY - dt.timedelta(days=5), None, 500)]
    # the later segment names the rates its void of an earlier sale took back at
    assert [v.effective_on for v in later.versions] == [TODAY - dt.timedelta(days=5)]
    assert [v.effective_on for v in later.earlier] == [TODAY - dt.timedelta(days=30)]


def test_a_period_spanning_a_change_is_paid_day_by_day_and_a_void_takes_back_its_rate(
        shop):  # noqa: F811
    _check_across_a_change(*_retail_across_a_change(shop["admin"], shop["desk"],
                                                    shop["zoe"].id, shop["spf"].id))


def test_a_change_of_rates_mid_period_for_a_provider(shop):  # noqa: F811
    """Neurotoxin 10 % until yesterday, 15 % from today: yesterday's $280 visit at 10 %
    ($28.00), today's $140 at 15 % ($21.00): $49.00, two lines."""
    staff_pay.set_rates(shop["admin"], {"neurotoxin": 1000}, TODAY - dt.timedelta(days=1))
    staff_pay.set_rates(shop["admin"], {"neurotoxin": 1500})
    visit = _charted_visit(shop, 20)
    invoices.issue_invoice(shop["desk"], invoices.CheckoutInput(
        shop["zoe"].id, tuple(invoices.draft_for_appointment(shop["desk"], visit.id)),
        appointment_id=visit.id), now=_day(1))
    _checkout(shop, _charted_visit(shop, 10, hour=12))
    rn = staff_pay.staff_pay(shop["admin"], TODAY - dt.timedelta(days=1), TODAY).of(
        shop["rn"].id)
    assert [(c.label, c.services, c.net_cents, c.rate_bp, c.commission_cents)
            for c in rn.categories] == [("Neurotoxin", 1, 28000, 1000, 2800),
                                        ("Neurotoxin", 1, 14000, 1500, 2100)]
    assert (rn.services, rn.commission_cents) == (2, 4900)
    text = pdf_text(staff_statement_pdf(shop["admin"], TODAY - dt.timedelta(days=1), TODAY,
                                        shop["rn"].id))
    for expected in ("Rates in force", f"{_day(1):%-d %b %Y} – {_day(1):%-d %b %Y} "
                     "Neurotoxin 10%", f"from {TODAY:%-d %b %Y} Neurotoxin 15%",
                     "Neurotoxin 1 $280.00 10% $28.00", "Neurotoxin 1 $140.00 15% $21.00",
                     "Commission $49.00"):
        assert expected in text, expected


def test_a_change_in_the_past_is_the_admins_superseded_the_same_day_and_audited(shop):  # noqa: F811
    week_ago = TODAY - dt.timedelta(days=7)
    with pytest.raises(PermissionDenied):
        staff_pay.set_rates(shop["rn"], {"retail": 1000}, week_ago)
    staff_pay.set_rates(shop["admin"], {"retail": 1000}, TODAY + dt.timedelta(days=10))
    staff_pay.set_rates(shop["admin"], {"retail": 800}, week_ago)
    staff_pay.set_rates(shop["admin"], {"retail": 900}, week_ago)  # supersedes the 8 %
    events = [e.summary for e in AuditEvent.select().where(
        AuditEvent.action == "settings.commission").order_by(AuditEvent.id)]
    assert events[1] == (f"From {week_ago:%-d %b %Y}: Retail 0% → 8% (back-dated on "
                         f"{TODAY:%-d %b %Y}); until {TODAY + dt.timedelta(days=9):%-d %b %Y}"
                         f", the rates from {TODAY + dt.timedelta(days=10):%-d %b %Y} stay")
    assert events[2].startswith(f"From {week_ago:%-d %b %Y}: Retail 8% → 9%")
    assert [(v.effective_on, v.rates["retail"]) for v in staff_pay.versions()] == [
        (week_ago, 900), (TODAY + dt.timedelta(days=10), 1000)]
    assert staff_pay.rates()["retail"] == 900
    assert staff_pay.rates(TODAY + dt.timedelta(days=10))["retail"] == 1000
    assert staff_pay.rates(week_ago - dt.timedelta(days=1))["retail"] == 0
    assert CommissionRate.select().count() == 3  # every version kept, none edited
    with pytest.raises(ValidationError, match="at most a year ahead"):
        staff_pay.set_rates(shop["admin"], {"retail": 100}, TODAY + dt.timedelta(days=400))
    assert CommissionRate.select().count() == 3


def test_rates_with_start_dates_on_a_server(pg_database):
    """The day-by-day commission on PostgreSQL (the versions, and the day of a sale voided in
    a later period read back there)."""
    from tests.conftest import PASSWORD

    admin = setup.create_clinic(setup.ClinicInfo("Test Clinic", "1 Main St", "555 010 0100",
                                                 "12-3456789"),
                                auth.UserInput("admin", "Ada Admin", "admin", PASSWORD))
    spf = inventory.add_product(admin, "Sunscreen SPF 50", "retail", low_stock=0)
    invoices.set_retail(admin, spf.id, 4200, "spf50", True)
    inventory.receive(admin, spf.id, "S1", TODAY + dt.timedelta(days=400), 5,
                      today=TODAY - dt.timedelta(days=40))
    zoe = patients.create_patient(admin, patients.PatientInput("Zoë", "Ng", dt.date(1990, 1, 1)))
    _check_across_a_change(*_retail_across_a_change(admin, admin, zoe.id, spf.id))
