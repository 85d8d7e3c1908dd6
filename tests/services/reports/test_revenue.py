"""Revenue: counted as the daily close counts (a void comes off on the day it was made, a
refund leaves the sales alone), split by month, category, provider, service and kind, with
the year before and the previous period; the days of a demo month equal its daily closes;
read-only and audited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from medspa_desktop.services.billing import billing_reports, invoices
from medspa_desktop.services.billing.invoices import CheckoutInput, LineDraft, PaymentInput
from medspa_desktop.services.reports import revenue as rv
from medspa_desktop.services.reports.period import Period
from medspa_desktop.store.models import AuditEvent, Invoice, Service
from tests.conftest import staff
from tests.services.billing.test_invoices import shop  # noqa: F401 (fixture)
from tests.services.treatments.test_treatment_records import clinic  # noqa: F401 (fixture)

D = dt.date


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour))


def _sell(shop, day: dt.date, *lines, hour: int = 10):  # noqa: F811
    return invoices.issue_invoice(shop["desk"], CheckoutInput(shop["zoe"].id, tuple(lines)),
                                  now=_at(day, hour))


def test_sales_voids_and_refunds_by_month_and_kind(shop):  # noqa: F811
    desk, admin, spf = shop["desk"], shop["admin"], shop["spf"].id
    botox = Service.get(Service.name == "Botox Cosmetic")
    retail = invoices.product_line(desk, spf, 1)  # $42.00
    toxin = LineDraft("service", "Botox Cosmetic", Decimal(20), 1400, service_id=botox.id)
    # a year before: $42.00 in November 2028
    _sell(shop, D(2028, 11, 14), retail)
    # October: $42.00 + $280.00 (20 units at $14.00), voided on 2 November
    october = _sell(shop, D(2029, 10, 30), retail, toxin)
    invoices.void_invoice(admin, october.id, "wrong patient", _at(D(2029, 11, 2)))
    # November: two sales; one paid and then partly refunded (the sale stands)
    one = _sell(shop, D(2029, 11, 5), retail, retail)  # $84.00
    paid = invoices.take_payment(desk, one.id, PaymentInput("cash", one.total_cents),
                                 now=_at(D(2029, 11, 5), 11))
    invoices.refund(admin, paid.id, 1000, "scuffed lid", now=_at(D(2029, 11, 20)))
    _sell(shop, D(2029, 11, 6), toxin)  # $280.00
    package = invoices.package_line(desk, botox.id, 10, 12000, today=D(2029, 11, 7))
    _sell(shop, D(2029, 11, 7), package)  # $120.00 of packages

    r = rv.revenue(admin, Period(D(2029, 10, 1), D(2029, 11, 30)), record=False)
    assert [(m.month, m.sales_cents, m.tickets, m.year_before_cents) for m in r.months] == [
        (D(2029, 10, 1), 32200, 1, 0),
        # 84 + 280 + 120 − the October invoice (322) voided in November; 3 issued − 1 voided
        (D(2029, 11, 1), 8400 + 28000 + 12000 - 32200, 2, 4200)]
    assert r.months[0].average_ticket_cents == 32200
    t = r.totals
    assert t.sales_cents == 8400 + 28000 + 12000  # the October sale came and went
    assert t.tickets == 3
    assert t.average_ticket_cents == 16133  # $484.00 over 3
    assert dict(t.by_kind) == {"Services": 28000, "Retail": 8400, "Packages": 12000,
                                "Memberships": 0}
    assert dict(t.by_service) == {"Botox Cosmetic": 28000}
    assert dict(t.by_category) == {"Neurotoxin": 28000, "Retail": 8400, "Packages": 12000}
    assert dict(t.by_provider) == {"No provider": 48400}
    days = dict(r.days)
    assert days[D(2029, 10, 30)] == 32200 and days[D(2029, 11, 2)] == -32200
    assert days[D(2029, 11, 20)] == 0  # the refund's day: payments change, sales do not
    assert r.days_year_before[r.days.index((D(2029, 11, 14), 0))] == 4200


def test_the_previous_period_and_an_empty_one(shop):  # noqa: F811
    admin, spf = shop["admin"], shop["spf"].id
    _sell(shop, D(2029, 10, 3), invoices.product_line(admin, spf, 1))
    november = rv.revenue(admin, Period(D(2029, 11, 1), D(2029, 11, 30)), compare=True,
                          record=False)
    assert november.previous_period == Period(D(2029, 10, 1), D(2029, 10, 31))
    assert november.previous.sales_cents == 4200 and november.previous.tickets == 1
    assert november.totals.sales_cents == 0 and november.totals.average_ticket_cents == 0
    assert [m.sales_cents for m in november.months] == [0]


def test_looking_is_audited_and_writes_nothing_else(shop):  # noqa: F811
    admin = shop["admin"]
    invoices_before = Invoice.select().count()
    rv.revenue(admin, Period(D(2029, 11, 1), D(2029, 11, 30)), report="Revenue: By service")
    event = AuditEvent.select().order_by(AuditEvent.id.desc()).first()
    assert (event.action, event.record_type, event.record_id, event.summary) == (
        "report.viewed", "period", "2029-11-01..2029-11-30", "Revenue: By service")
    assert Invoice.select().count() == invoices_before


def test_each_day_of_a_demo_month_is_its_daily_close(demo_db):
    admin = staff("admin")
    today = dt.date.today()
    last = today.replace(day=1) - dt.timedelta(days=1)
    month = Period(last.replace(day=1), last)
    r = rv.revenue(admin, month, record=False)
    closes = [billing_reports.daily_close(admin, day, record=False) for day, _ in r.days]
    assert [d for d, _ in r.days] == [c.day for c in closes]
    assert [cents for _, cents in r.days] == [c.sales_cents for c in closes]
    assert r.months[0].sales_cents == sum(c.sales_cents for c in closes) > 0
    assert r.months[0].tickets == sum(c.invoices - len(c.voids) for c in closes)
    by_category: dict[str, int] = {}
    for close in closes:
        for label, cents in close.by_category:
            by_category[label] = by_category.get(label, 0) + cents
    assert dict(r.totals.by_category) == {k: v for k, v in by_category.items() if v}
