"""The sales report of a period: the daily closes of its days added up, a void counted on the
day it was made, periods refused in words, a fixed number of indexed queries, and an audit
event."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from medspa_desktop.services.billing import billing_reports, invoices
from medspa_desktop.services.billing.billing_reports import SalesDay
from medspa_desktop.services.billing.invoices import CheckoutInput, PaymentInput
from medspa_desktop.services.platform.errors import ValidationError
from medspa_desktop.store.database import db
from medspa_desktop.store.models import AuditEvent, Patient, Product
from tests.conftest import but_the_account_check, staff
from tests.services.billing.test_invoices import shop  # noqa: F401 (fixture)
from tests.services.treatments.test_treatment_records import clinic  # noqa: F401 (fixture)

NOV_1 = dt.date(2029, 11, 1)


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour))


def _sell(desk, patient_id: int, product_id: int, when: dt.datetime, quantity: int = 1):
    return invoices.issue_invoice(desk, CheckoutInput(
        patient_id, (invoices.product_line(desk, product_id, quantity),)), now=when)


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]


def _added_up(closes, key: str) -> tuple[tuple[str, int], ...]:
    total: Counter[str] = Counter()
    for close in closes:
        for label, cents in getattr(close, key):
            total[label] += cents
    return tuple(sorted((k, v) for k, v in total.items() if v))


def _assert_is_the_sum_of_its_daily_closes(actor, start: dt.date, end: dt.date):
    report = billing_reports.sales_report(actor, start, end, record=False)
    closes = [billing_reports.daily_close(actor, day, record=False)
              for day in _days(start, end)]
    assert report.invoices == sum(c.invoices for c in closes)
    assert report.by_category == _added_up(closes, "by_category")
    assert report.by_provider == _added_up(closes, "by_provider")
    methods: Counter[str] = Counter()
    for close in closes:
        methods.update(dict(close.by_method))
    assert dict(report.by_method) == dict(methods)
    for total in ("sales_cents", "tax_cents", "tips_cents", "gift_cards_sold_cents"):
        assert getattr(report, total) == sum(getattr(c, total) for c in closes), total
    assert report.refunds == tuple(r for c in closes for r in c.refunds)
    assert sorted(report.voids) == sorted(v for c in closes for v in c.voids)
    assert report.days == tuple(
        SalesDay(c.day, c.invoices, c.sales_cents, sum(cents for _m, cents in c.by_method))
        for c in closes)
    assert sum(d.sales_cents for d in report.days) == report.sales_cents
    return report


def test_a_month_is_the_sum_of_its_daily_closes(demo_db):
    admin, desk = staff("admin"), staff("frontdesk")
    end = dt.date.today() - dt.timedelta(days=1)
    start = end - dt.timedelta(days=30)
    spf = Product.get(Product.name.contains("sunscreen"))
    invoices.set_retail(admin, spf.id, 3800, "SPF50", True)
    patient = Patient.select().first().id
    before = _sell(desk, patient, spf.id, _at(start - dt.timedelta(days=2)))
    invoices.void_invoice(admin, before.id, "entered twice", _at(start + dt.timedelta(days=3)))
    inside = _sell(desk, patient, spf.id, _at(start + dt.timedelta(days=7)), 2)
    invoices.void_invoice(admin, inside.id, "wrong patient", _at(start + dt.timedelta(days=9)))
    later = _sell(desk, patient, spf.id, _at(start + dt.timedelta(days=10)))
    paid = invoices.take_payment(desk, later.id, PaymentInput(
        "card", later.total_cents, card_last4="4242", auth_code="A1"),
        now=_at(start + dt.timedelta(days=10), 11))
    invoices.refund(admin, paid.id, 1000, "scuffed <box> & lid",
                    now=_at(start + dt.timedelta(days=12)))
    after = _sell(desk, patient, spf.id, _at(start + dt.timedelta(days=20)))
    invoices.void_invoice(admin, after.id, "entered twice", _at(end + dt.timedelta(days=1)))

    report = _assert_is_the_sum_of_its_daily_closes(desk, start, end)
    assert report.invoices > 100 and report.sales_cents > 0  # the demo's, and these
    assert [v[0] for v in report.voids] == [before.number, inside.number]
    assert (later.number, "Card", 1000, "scuffed <box> & lid") in report.refunds
    assert [d.day for d in report.days] == _days(start, end)


def test_a_void_comes_off_on_the_day_it_was_voided(shop):  # noqa: F811
    desk, admin, zoe, spf = shop["desk"], shop["admin"], shop["zoe"].id, shop["spf"].id
    end = dt.date(2029, 11, 30)
    before = _sell(desk, zoe, spf, _at(NOV_1 - dt.timedelta(days=3)))  # $42.00 + $2.94 tax
    invoices.void_invoice(admin, before.id, "entered twice", _at(dt.date(2029, 11, 3)))
    two = _sell(desk, zoe, spf, _at(dt.date(2029, 11, 5)), 2)
    invoices.void_invoice(admin, two.id, "returned", _at(dt.date(2029, 12, 2)))
    both = _sell(desk, zoe, spf, _at(dt.date(2029, 11, 6)))
    invoices.void_invoice(admin, both.id, "wrong patient", _at(dt.date(2029, 11, 7), 15))

    report = _assert_is_the_sum_of_its_daily_closes(desk, NOV_1, end)
    assert report.invoices == 2  # issued in November; the one from October is not
    assert report.by_category == (("Retail", 8400 - 4200),)
    assert (report.sales_cents, report.tax_cents) == (4200, 588 - 294)
    assert report.voids == ((before.number, 4494, "entered twice"),
                            (both.number, 4494, "wrong patient"))
    by_day = {d.day: (d.invoices, d.sales_cents) for d in report.days}
    assert by_day[dt.date(2029, 11, 3)] == (0, -4200)
    assert by_day[dt.date(2029, 11, 5)] == (1, 8400)
    assert by_day[dt.date(2029, 11, 6)] == (1, 4200)
    assert by_day[dt.date(2029, 11, 7)] == (0, -4200)
    assert len(report.days) == 30
    december = billing_reports.sales_report(desk, dt.date(2029, 12, 1), dt.date(2029, 12, 31))
    assert (december.invoices, december.sales_cents) == (0, -8400)
    assert december.voids == ((two.number, 8988, "returned"),)
    two_months = billing_reports.sales_report(desk, NOV_1, dt.date(2029, 12, 31))
    assert two_months.sales_cents == 4200 - 8400 and two_months.invoices == 2


@pytest.mark.parametrize(("start", "end", "message"), [
    (dt.date(2029, 11, 30), dt.date(2029, 11, 1),
     r"The end date \(1 Nov 2029\) is before the start date \(30 Nov 2029\)"),
    (dt.date(2029, 1, 1), dt.date(2030, 1, 2),
     r"at most a year \(366 days\): 1 Jan 2029 to 2 Jan 2030 is 367 days"),
])
def test_a_period_backwards_or_longer_than_a_year_is_refused(shop, start, end,  # noqa: F811
                                                               message):
    events = AuditEvent.select().count()
    with pytest.raises(ValidationError, match=message):
        billing_reports.sales_report(shop["desk"], start, end)
    assert AuditEvent.select().count() == events


def test_a_leap_year_and_a_single_day_are_allowed(shop):  # noqa: F811
    year = billing_reports.sales_report(shop["desk"], dt.date(2028, 1, 1),
                                        dt.date(2028, 12, 31), record=False)
    assert len(year.days) == 366 and year.invoices == 0 and year.by_category == ()
    day = billing_reports.sales_report(shop["desk"], NOV_1, NOV_1, record=False)
    assert day.days == (SalesDay(NOV_1, 0, 0, 0),)


def test_the_report_is_audited_with_its_period(shop):  # noqa: F811
    billing_reports.sales_report(shop["desk"], NOV_1, dt.date(2029, 11, 30))
    event = AuditEvent.select().order_by(AuditEvent.id.desc()).first()
    assert (event.action, event.record_type, event.record_id, event.username) == (
        "report.sales", "period", "2029-11-01..2029-11-30", "desk")
    billing_reports.sales_report(shop["desk"], NOV_1, dt.date(2029, 11, 30), record=False)
    assert AuditEvent.select().order_by(AuditEvent.id.desc()).first().id == event.id


def _sent(statements, action) -> tuple[object, list[tuple[str, tuple]]]:
    """What ``action`` sent, but the account's check: it is read at most once a second
    (permissions.FRESH_FOR), so one call may send it and the next not."""
    statements.clear()
    result = action()
    return result, but_the_account_check(statements)


def test_a_busy_month_costs_the_queries_of_an_empty_one(demo_db, statements):
    """Three statements however many invoices (and the account's check, at most once a
    second): the invoices issued or voided in the period with their lines (ranges on two
    indexes), the payments and the credit on account given, used and held (a range on its
    index); none reads a table through."""
    admin, desk = staff("admin"), staff("frontdesk")
    end = dt.date.today() - dt.timedelta(days=1)
    start = end - dt.timedelta(days=30)
    spf = Product.get(Product.name.contains("sunscreen"))
    invoices.set_retail(admin, spf.id, 3800, "SPF50", True)
    earlier = _sell(desk, Patient.select().first().id, spf.id, _at(start - dt.timedelta(days=5)))
    invoices.void_invoice(admin, earlier.id, "entered twice", _at(start + dt.timedelta(days=1)))

    busy, busy_sent = _sent(statements, lambda: billing_reports.sales_report(
        desk, start, end, record=False))
    future = dt.date.today() + dt.timedelta(days=400)
    empty, empty_sent = _sent(statements, lambda: billing_reports.sales_report(
        desk, future, future + dt.timedelta(days=30), record=False))
    assert busy.invoices > 100 and busy.voids and empty.invoices == 0
    assert len(busy_sent) == len(empty_sent) == 3
    for sql, params in busy_sent:
        plan = " / ".join(row[-1] for row in db.execute_sql("EXPLAIN QUERY PLAN " + sql,
                                                             params))
        assert "SCAN" not in plan, (sql, plan)
