"""Memberships in the Reports tab, worked out by hand on a small clinic: two plans, three
members enrolled, one frozen and one cancelled on known days; members and MRR at each month's
end, new and cancelled per month, dues invoiced (as the daily close counts them: a voided
dues invoice comes off) and collected, dues overdue, credit on account held and banked
credits outstanding; the dues are the daily close's "Memberships" line."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from medspa_desktop.services.billing import account_credit, billing_reports, invoices, memberships
from medspa_desktop.services.billing.invoices import PaymentInput
from medspa_desktop.services.billing.memberships import PlanInput
from medspa_desktop.services.charts import patients
from medspa_desktop.services.platform.errors import PermissionDenied
from medspa_desktop.services.reports import memberships as mr
from medspa_desktop.services.reports.period import Period
from medspa_desktop.store.models import AuditEvent, MembershipDues
from tests.conftest import but_the_account_check
from tests.services.billing.test_memberships import _club, _enrol_at

D = dt.date


def _at(day: dt.date, hour: int = 8) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour))


def _dues_invoice(m, month: dt.date):
    return MembershipDues.get(MembershipDues.membership == m.id,
                              MembershipDues.month == month).invoice


@pytest.fixture
def members(admin):
    return _members(admin)


def _members(admin):
    """Glow Club ($99.00, billed on the day enrolled, 20 Botox units banked a month up to 50)
    and Smooth ($50.00, billed on the 1st, no term, no notice).

    Zoë joins Glow Club on 14 March, Ann joins Smooth on 5 March, Bea joins Smooth on 10 April;
    Ann's June is frozen (asked on 20 May); Bea cancels on 20 May (at once: no notice) and her
    May dues are voided that day. Paid: Zoë's March dues (14 Mar), Ann's April dues (2 Apr),
    $49.00 of Zoë's June dues (20 Jun). Ann is given $25.00 goodwill credit on 10 June."""
    c = _club(admin)
    smooth = memberships.save_plan(admin, PlanInput("Smooth", 5000, billing_day=1),
                                   now=_at(D(2026, 2, 1)))
    c["bea"] = patients.create_patient(admin, patients.PatientInput("Bea", "Fox",
                                                                    D(1980, 2, 2)))
    zoe = _enrol_at(c, "zoe", None, _at(D(2026, 3, 14), 11))
    ann = _enrol_at(c, "ann", smooth.id, _at(D(2026, 3, 5), 11))
    invoices.take_payment(c["desk"], _dues_invoice(zoe, D(2026, 3, 1)).id,
                          PaymentInput("cash", 9900), now=_at(D(2026, 3, 14), 12))
    memberships.issue_due(_at(D(2026, 4, 1)))
    invoices.take_payment(c["desk"], _dues_invoice(ann, D(2026, 4, 1)).id,
                          PaymentInput("cash", 5000), now=_at(D(2026, 4, 2), 12))
    bea = _enrol_at(c, "bea", smooth.id, _at(D(2026, 4, 10), 11))
    for day in (D(2026, 4, 14), D(2026, 5, 1), D(2026, 5, 14)):
        memberships.issue_due(_at(day))
    memberships.freeze(c["desk"], ann.id, D(2026, 6, 1), 1, "travelling",
                       now=_at(D(2026, 5, 20), 10))
    memberships.cancel(c["desk"], bea.id, "moving away", now=_at(D(2026, 5, 20), 10))
    invoices.void_invoice(admin, _dues_invoice(bea, D(2026, 5, 1)).id, "cancelled",
                          _at(D(2026, 5, 20), 11))
    for day in (D(2026, 6, 1), D(2026, 6, 14)):
        memberships.issue_due(_at(day))
    invoices.take_payment(c["desk"], _dues_invoice(zoe, D(2026, 6, 1)).id,
                          PaymentInput("card", 4900, card_last4="4242", auth_code="A1B2"),
                          now=_at(D(2026, 6, 20), 12))
    account_credit.give_goodwill(admin, c["ann"].id, 2500, "a late start",
                                 now=_at(D(2026, 6, 10), 12))
    return c


SPRING = Period(D(2026, 3, 1), D(2026, 6, 30))


def test_members_mrr_comings_goings_and_dues_by_month(members):
    _check_spring(members)


def test_the_same_figures_and_close_on_postgresql(pg_database, statements):
    from medspa_desktop.services.clinic import clinic as setup
    from medspa_desktop.services.platform import auth
    from tests.conftest import PASSWORD

    admin = setup.create_clinic(setup.ClinicInfo("Test Clinic", "1 Main St", "555 010 0100",
                                                 "12-3456789"),
                                auth.UserInput("admin", "Ada Admin", "admin", PASSWORD))
    members = _members(admin)
    statements.clear()
    mr.membership_figures(members["admin"], SPRING, record=False, today=D(2026, 7, 1))
    # the figures' eight reads go to the server together: one round trip
    assert len(but_the_account_check(statements)) == 1
    _check_spring(members)
    june = billing_reports.sales_report(admin, D(2026, 6, 1), D(2026, 6, 30), record=False)
    assert (june.sales_cents, june.credit_issued_cents, june.credit_used_cents,
            june.credit_held_cents) == (9900, 2500, 0, 2500)


def _check_spring(members):
    f = mr.membership_figures(members["admin"], SPRING, record=False, today=D(2026, 7, 1))
    got = [(m.month, m.as_of, m.active, m.frozen, m.mrr_cents, m.new, m.cancelled,
            m.dues_invoiced_cents, m.dues_collected_cents) for m in f.months]
    assert got == [
        # Zoë and Ann; both March dues invoiced, Zoë's paid
        (D(2026, 3, 1), D(2026, 3, 31), 2, 0, 9900 + 5000, 2, 0, 14900, 9900),
        # Bea joins; three April dues, Ann's paid
        (D(2026, 4, 1), D(2026, 4, 30), 3, 0, 19900, 1, 0, 19900, 5000),
        # Bea cancelled on the 20th, her May dues voided: 5000 + 5000 + 9900 − 5000
        (D(2026, 5, 1), D(2026, 5, 31), 2, 0, 14900, 0, 1, 14900, 0),
        # Ann frozen: no dues, not in the MRR; Zoë's June dues, $49.00 of them paid
        (D(2026, 6, 1), D(2026, 6, 30), 1, 1, 9900, 0, 0, 9900, 4900)]
    t = f.totals
    assert (t.as_of, t.active, t.frozen, t.mrr_cents, t.new, t.cancelled) == (
        D(2026, 6, 30), 1, 1, 9900, 3, 1)
    assert (t.dues_invoiced_cents, t.dues_collected_cents) == (59600, 19800)
    # open dues now: Ann's March and May, Bea's April, Zoë's April, May and June (less $49)
    assert (f.overdue_count, f.overdue_cents) == (6, 5000 + 5000 + 5000 + 9900 * 3 - 4900)
    overdue = memberships.overdue_dues(members["admin"], D(2026, 7, 1))
    assert (len(overdue), sum(o.balance_cents for o in overdue)) == (f.overdue_count,
                                                                      f.overdue_cents)
    assert f.credit_held_cents == 2500  # Ann's goodwill: a liability, not a sale
    # Zoë banked 20 + 20 + 10 (capped at 50) + 0; Bea's and Ann's plan banks nothing
    assert [(b.service, b.quantity_centi, b.members) for b in f.banked] == [
        ("Botox Cosmetic", 5000, 1)]
    assert f.previous is None


def test_a_period_within_a_month_the_previous_period_and_before_anything(members):
    admin = members["admin"]
    may = mr.membership_figures(admin, Period(D(2026, 5, 10), D(2026, 5, 25)), compare=True,
                                record=False, today=D(2026, 7, 1))
    # 10–25 May: Bea's cancellation and her voided dues, Zoë's dues of the 14th
    assert [(m.as_of, m.active, m.new, m.cancelled, m.dues_invoiced_cents)
            for m in may.months] == [(D(2026, 5, 25), 2, 0, 1, 9900 - 5000)]
    assert may.previous_period == Period(D(2026, 4, 24), D(2026, 5, 9))
    p = may.previous
    # 24 April – 9 May: three members on the 9th; Ann's and Bea's May dues of the 1st
    assert (p.active, p.mrr_cents, p.new, p.cancelled, p.dues_invoiced_cents) == (
        3, 19900, 0, 0, 10000)
    assert may.credit_held_cents == 0  # the goodwill came in June
    winter = mr.membership_figures(admin, Period(D(2026, 1, 1), D(2026, 2, 28)),
                                   record=False, today=D(2026, 7, 1))
    assert [(m.active, m.mrr_cents, m.new, m.dues_invoiced_cents) for m in winter.months] == [
        (0, 0, 0, 0), (0, 0, 0, 0)]
    assert winter.banked == ()


def test_dues_are_the_closes_memberships_line_and_credit_is_not_a_sale(members):
    admin = members["admin"]
    f = mr.membership_figures(admin, SPRING, record=False, today=D(2026, 7, 1))
    report = billing_reports.sales_report(admin, SPRING.first, SPRING.last, record=False)
    assert dict(report.by_category)["Memberships"] == f.totals.dues_invoiced_cents == 59600
    assert report.sales_cents == 59600  # the goodwill credit is no sale
    assert report.credit_issued_cents == 2500
    for month in f.months:
        closes = [billing_reports.daily_close(admin, month.month + dt.timedelta(days=n),
                                              record=False)
                  for n in range((month.as_of - month.month).days + 1)]
        assert sum(dict(c.by_category).get("Memberships", 0)
                   for c in closes) == month.dues_invoiced_cents


def test_read_only_audited_and_for_the_owner(members):
    before = AuditEvent.select().count()
    mr.membership_figures(members["admin"], SPRING, today=D(2026, 7, 1))
    events = list(AuditEvent.select().order_by(AuditEvent.id).offset(before))
    assert [(e.action, e.summary) for e in events] == [("report.viewed", "Memberships")]
    with pytest.raises(PermissionDenied):
        mr.membership_figures(members["desk"], SPRING)


def test_banked_credits_stand_until_the_grace_period_after_a_cancellation_ends(admin):
    c = _club(admin)
    botox = c["botox"]
    grace = memberships.save_plan(admin, PlanInput(
        "Toxin Ten", 3000, credits=(memberships.BankedCredit(botox.id, Decimal(10), Decimal(10)),),
        credit_grace_days=30), now=_at(D(2026, 2, 1)))
    m = _enrol_at(c, "ann", grace.id, _at(D(2026, 3, 2), 11))
    memberships.cancel(c["desk"], m.id, "moving away", now=_at(D(2026, 3, 10)))

    def banked(last: dt.date):
        f = mr.membership_figures(admin, Period(last.replace(day=1), last), record=False,
                                  today=D(2026, 7, 1))
        return [(b.service, b.quantity_centi, b.members) for b in f.banked]

    # ended on 10 March: usable to 8 April (30 days), gone from the 9th
    assert banked(D(2026, 3, 31)) == [("Botox Cosmetic", 1000, 1)]
    assert banked(D(2026, 4, 8)) == [("Botox Cosmetic", 1000, 1)]
    assert banked(D(2026, 4, 9)) == []


def test_the_close_and_the_sales_report_show_dues_credit_and_members(members):
    from medspa_desktop.printouts import daily_close_pdf, sales_report_pdf
    from medspa_desktop.services.platform.vocabulary import PaymentMethod
    from tests.documents.pdftext import pdf_text

    desk = members["desk"]
    ann = members["ann"]
    march = MembershipDues.select().join(memberships.Membership).where(
        memberships.Membership.patient == ann.id, MembershipDues.month == D(2026, 3, 1)).get()
    # Ann pays $20.00 of her March dues from the $25.00 goodwill credit
    invoices.take_payment(desk, march.invoice_id, PaymentInput(
        PaymentMethod.ACCOUNT_CREDIT, 2000), now=_at(D(2026, 6, 15), 12))
    june = billing_reports.sales_report(desk, D(2026, 6, 1), D(2026, 6, 30), record=False)
    assert dict(june.by_category) == {"Memberships": 9900}  # Zoë's June dues: the only sale
    assert (june.credit_issued_cents, june.credit_used_cents, june.credit_held_cents) == (
        2500, 2000, 500)
    close = billing_reports.daily_close(desk, D(2026, 6, 15), record=False)
    assert (close.sales_cents, close.credit_issued_cents, close.credit_used_cents,
            close.credit_held_cents) == (0, 0, 2000, 500)

    text = " ".join(pdf_text(sales_report_pdf(desk, D(2026, 6, 1), D(2026, 6, 30))).split())
    for row in ("Memberships $99.00", "Sales $99.00", "Credit on account (not sales) Given "
                "$25.00", "Used to pay invoices $20.00", "Held by all patients at the end "
                "$5.00", "Active members at the end 1", "Frozen (no dues) 1",
                "MRR at the end (their fees) $99.00", "New in the period 0",
                "Cancelled in the period 0", "Dues invoiced (in the sales) $99.00",
                "Dues collected $69.00"):
        assert row in text, row
    text = " ".join(pdf_text(daily_close_pdf(desk, D(2026, 6, 15))).split())
    assert "Used to pay invoices $20.00" in text and "Account credit $20.00" in text
    assert "MRR" not in text  # the close's part is the day's money
    before = " ".join(pdf_text(sales_report_pdf(desk, D(2026, 1, 1), D(2026, 1, 31))).split())
    assert "MRR" not in before and "Credit on account" not in before


def test_a_period_compared_costs_eight_statements_however_many_months(members, statements):
    """Every membership and its events once, the dues of both periods read together (three
    ranges), the dues overdue, the credit held, the banked credits: each a round trip on a
    clinic's server (the account's check, read at most once a second, apart)."""
    admin = members["admin"]

    def sent(period) -> int:
        statements.clear()
        mr.membership_figures(admin, period, compare=True, record=False, today=D(2026, 7, 1))
        return len(but_the_account_check(statements))

    assert sent(SPRING) == sent(Period(D(2025, 7, 1), D(2026, 6, 30))) == 8
