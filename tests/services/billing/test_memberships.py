"""Memberships: plans versioned, patients enrolled with a signed agreement kept with its hash,
monthly dues issued exactly once (two real processes at the same minute, on SQLite and on
PostgreSQL), banked credits capped, freezes, cancellations with notice and minimum term, reactivation, overdue dues."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
import subprocess
import sys
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest

from medspa_desktop.services.billing import invoices, memberships
from medspa_desktop.services.billing.invoices import PaymentInput
from medspa_desktop.services.billing.memberships import BankedCredit, EnrolInput, PlanInput
from medspa_desktop.services.charts import patients
from medspa_desktop.services.platform import auth
from medspa_desktop.services.platform.errors import (
    ConflictError,
    PermissionDenied,
    ValidationError,
)
from medspa_desktop.services.platform.png import grey_png
from medspa_desktop.store.models import (
    AuditEvent,
    Invoice,
    InvoiceLine,
    Membership,
    MembershipCredit,
    MembershipDues,
    MembershipPlan,
    Service,
)
from tests.documents.pdftext import pdf_text
from tests.services.billing.test_invoices import shop  # noqa: F401 (fixture)
from tests.services.treatments.test_treatment_records import clinic  # noqa: F401 (fixture)

ENROLLED = dt.datetime(2026, 3, 14, 11, 0)
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def club(admin):
    return _club(admin)


def _club(admin):
    desk = auth.create_user(admin, auth.UserInput("desk", "Sam Desk", "front_desk",
                                                  "long-enough"))
    zoe = patients.create_patient(admin, patients.PatientInput("Zoë", "Ng", dt.date(1990, 1, 1)))
    ann = patients.create_patient(admin, patients.PatientInput("Ann", "Lee", dt.date(1985, 5, 5)))
    botox = Service.get(Service.name == "Botox Cosmetic")
    plan = memberships.save_plan(admin, PlanInput(
        "Glow Club", 9900, billing_day=0, min_term_months=6, notice_days=30,
        category_discounts_bp=(("neurotoxin", 1000),), member_prices=((botox.id, 1100),),
        credits=(BankedCredit(botox.id, Decimal(20), Decimal(50)),),
        retail_discount_bp=1500), now=ENROLLED - dt.timedelta(days=30))
    return {"admin": admin, "desk": desk, "zoe": zoe, "ann": ann, "botox": botox,
            "plan": plan}


def _enrol_at(c, who, plan_id, now):
    from medspa_desktop.documents.membership_agreement import render_agreement
    from medspa_desktop.printouts import _letterhead

    return memberships.enrol(c["desk"], EnrolInput(
        c[who].id, plan_id or c["plan"].id, grey_png(40, 20), grey_png(40, 20)),
        lambda sheet: render_agreement(sheet, _letterhead()), now=now)


def _dues(m_id):
    return [(d.month, d.invoice.total_cents) for d in MembershipDues.select()
            .where(MembershipDues.membership == m_id).order_by(MembershipDues.month)]


def _banked(c, m_id):
    return memberships.credits_banked(m_id).get(c["botox"].id, 0) / 100


def test_enrolling_keeps_the_signed_agreement_and_issues_the_first_dues(club):
    m = _enrol_at(club, "zoe", None, ENROLLED)
    assert (m.started_on, m.billing_day) == (ENROLLED.date(), 14)
    pdf = memberships.agreement_pdf(club["desk"], m.id)
    assert hashlib.sha256(pdf).hexdigest() == m.document.sha256
    text = pdf_text(pdf)
    for words in ("Membership agreement: Glow Club", "Zoë Ng", "$99.00 a month",
                  "day 14", "minimum term is 6 months", "14 September 2026",
                  "at least 30 days", "10 % off Neurotoxin", "Botox Cosmetic at $11.00",
                  "20 × Botox Cosmetic banked each month", "15 % off retail",
                  m.content_sha256):
        assert words in " ".join(text.split()), words
    (month, total), = _dues(m.id)
    assert (month, total) == (dt.date(2026, 3, 1), 9900)
    line = InvoiceLine.get(InvoiceLine.invoice == MembershipDues.get().invoice_id)
    assert (line.kind, line.description) == ("membership",
                                             "Membership dues: Glow Club, March 2026")
    assert _banked(club, m.id) == 20
    assert AuditEvent.select().where(AuditEvent.action == "membership.enrol").count() == 1
    view = memberships.current_membership(club["desk"], club["zoe"].id, ENROLLED.date())
    assert (view.state, view.overdue_cents) == ("active", 9900)


def test_a_member_is_refused_a_second_membership_and_nothing_is_written(club):
    _enrol_at(club, "zoe", None, ENROLLED)
    invoices_before = Invoice.select().count()
    with pytest.raises(ConflictError, match="member already"):
        _enrol_at(club, "zoe", None, ENROLLED + dt.timedelta(hours=1))
    assert (Membership.select().count(), Invoice.select().count()) == (1, invoices_before)


def test_a_bad_signature_or_an_old_plan_version_is_refused(club):
    with pytest.raises(ValidationError, match="signature is missing"):
        memberships.enrol(club["desk"], EnrolInput(club["zoe"].id, club["plan"].id, b"",
                                                   grey_png(4, 4)), lambda s: b"%PDF-",
                          now=ENROLLED)
    memberships.save_plan(club["admin"], PlanInput("Glow Club", 10900), code=club["plan"].code)
    with pytest.raises(ConflictError, match="changed while the agreement was open"):
        _enrol_at(club, "zoe", None, ENROLLED)
    assert Membership.select().count() == 0 and Invoice.select().count() == 0


def test_plans_are_versioned_and_members_keep_the_version_they_enrolled_on(club):
    m = _enrol_at(club, "zoe", None, ENROLLED)
    new = memberships.save_plan(club["admin"], club["plan"].as_input().__class__(
        "Glow Club", 12900), code=club["plan"].code, now=ENROLLED + dt.timedelta(days=1))
    assert (new.version, new.fee_cents) == (2, 12900)
    assert [p.version for p in memberships.plans(club["desk"])] == [2]
    memberships.issue_due(dt.datetime(2026, 4, 14, 8, 0))
    assert _dues(m.id)[-1] == (dt.date(2026, 4, 1), 9900)  # her version's fee
    ann = _enrol_at(club, "ann", new.id, ENROLLED + dt.timedelta(days=2))
    assert _dues(ann.id) == [(dt.date(2026, 3, 1), 12900)]
    memberships.retire_plan(club["admin"], club["plan"].code)
    assert memberships.plans(club["desk"]) == []
    with pytest.raises(PermissionDenied):
        memberships.save_plan(club["desk"], PlanInput("Desk plan", 100))


def test_plan_refusals_say_what_is_wrong_and_write_nothing(club):
    bad = [PlanInput("", 100), PlanInput("X", 0), PlanInput("X", 100, billing_day=31),
           PlanInput("X", 100, category_discounts_bp=(("neurotoxin", 10_001),)),
           PlanInput("X", 100, credits=(BankedCredit(club["botox"].id, Decimal(20),
                                                     Decimal(10)),)),
           PlanInput("Glow Club", 100)]
    for data in bad:
        with pytest.raises((ValidationError, ConflictError)):
            memberships.save_plan(club["admin"], data)
    assert MembershipPlan.select().count() == 1


def test_dues_come_on_the_billing_day_once_with_credits_up_to_the_cap(club):
    m = _enrol_at(club, "zoe", None, ENROLLED)
    memberships.issue_due(dt.datetime(2026, 4, 13, 23, 0))  # the day before: nothing
    assert len(_dues(m.id)) == 1
    for _ in range(2):  # twice on the day: once
        memberships.issue_due(dt.datetime(2026, 4, 14, 8, 0))
    assert [d for d, _t in _dues(m.id)] == [dt.date(2026, 3, 1), dt.date(2026, 4, 1)]
    assert _banked(club, m.id) == 40
    memberships.issue_due(dt.datetime(2026, 5, 20, 8, 0))  # late: the program was closed
    assert _banked(club, m.id) == 50  # 60 would pass the cap of 50
    memberships.issue_due(dt.datetime(2026, 6, 14, 8, 0))
    assert _banked(club, m.id) == 50 and len(_dues(m.id)) == 4


def test_a_frozen_month_has_no_dues_and_no_credits(club):
    m = _enrol_at(club, "zoe", None, ENROLLED)
    memberships.freeze(club["desk"], m.id, dt.date(2026, 4, 1), 2, "travelling",
                       now=ENROLLED + dt.timedelta(days=3))
    view = memberships.current_membership(club["desk"], club["zoe"].id, dt.date(2026, 4, 20))
    assert view.state_words == "Frozen to the end of May 2026"
    for month in (4, 5, 6):
        memberships.issue_due(dt.datetime(2026, month, 14, 9, 0))
    assert [d.month for d, _t in _dues(m.id)] == [3, 6]
    assert _banked(club, m.id) == 40
    with pytest.raises(ConflictError, match="issued already"):
        memberships.freeze(club["desk"], m.id, dt.date(2026, 6, 1), 1, "again",
                           now=dt.datetime(2026, 6, 15, 9, 0))


def test_cancelling_honours_the_minimum_term_and_the_notice(club):
    m = _enrol_at(club, "zoe", None, ENROLLED)
    # asked in April: the 6-month minimum term runs to 14 September
    effective = memberships.cancel(club["desk"], m.id, "moving away",
                                   now=dt.datetime(2026, 4, 2, 10, 0))
    assert effective == dt.date(2026, 9, 14)
    view = memberships.current_membership(club["desk"], club["zoe"].id, dt.date(2026, 4, 3))
    assert (view.state, view.cancel_on) == ("cancelling", dt.date(2026, 9, 14))
    for month in range(4, 11):
        memberships.issue_due(dt.datetime(2026, month, 14, 9, 0))
    assert [d.month for d, _t in _dues(m.id)] == [3, 4, 5, 6, 7, 8]
    assert memberships.current_membership(club["desk"], club["zoe"].id,
                                          dt.date(2026, 9, 20)) is None
    # after the minimum term only the notice counts
    ann = _enrol_at(club, "ann", None, dt.datetime(2025, 1, 5, 10, 0))
    assert memberships.cancel(club["desk"], ann.id, "no longer needed",
                              now=dt.datetime(2026, 3, 20, 10, 0)) == dt.date(2026, 4, 19)
    with pytest.raises(ValidationError):
        memberships.cancel(club["desk"], ann.id, " ", now=dt.datetime(2026, 3, 21))


def test_reactivating_withdraws_a_cancellation_or_restarts_the_dues(club):
    m = _enrol_at(club, "zoe", None, ENROLLED)
    memberships.cancel(club["desk"], m.id, "budget", now=dt.datetime(2026, 4, 2, 10, 0))
    memberships.reactivate(club["desk"], m.id, now=dt.datetime(2026, 4, 3, 10, 0))
    for month in range(4, 11):
        memberships.issue_due(dt.datetime(2026, month, 14, 9, 0))
    assert len(_dues(m.id)) == 8
    with pytest.raises(ConflictError, match="nothing to reactivate"):
        memberships.reactivate(club["desk"], m.id, now=dt.datetime(2026, 10, 15))
    memberships.cancel(club["desk"], m.id, "budget", now=dt.datetime(2026, 10, 15, 10, 0))
    memberships.issue_due(dt.datetime(2026, 11, 14, 9, 0))
    memberships.issue_due(dt.datetime(2026, 12, 14, 9, 0))
    # 30 days' notice from 15 October: it ends on 14 November, before that month's dues
    assert len(_dues(m.id)) == 8
    assert memberships.patient_memberships(club["desk"], club["zoe"].id,
                                           dt.date(2026, 12, 1))[0].state == "cancelled"
    memberships.reactivate(club["desk"], m.id, now=dt.datetime(2027, 1, 10, 9, 0))
    memberships.issue_due(dt.datetime(2027, 1, 14, 9, 0))
    assert _dues(m.id)[-1][0] == dt.date(2027, 1, 1) and len(_dues(m.id)) == 9


def test_overdue_dues_are_listed_until_paid(club):
    m = _enrol_at(club, "zoe", None, ENROLLED)
    memberships.issue_due(dt.datetime(2026, 4, 14, 8, 0))
    overdue = memberships.overdue_dues(club["desk"], dt.date(2026, 4, 20))
    assert [(o.patient, o.month.month, o.balance_cents) for o in overdue] == [
        ("Zoë Ng", 3, 9900), ("Zoë Ng", 4, 9900)]
    invoices.take_payment(club["desk"], overdue[0].invoice_id,
                          PaymentInput("card", 9900, card_last4="4242", auth_code="T1"))
    assert [o.month.month for o in memberships.overdue_dues(club["desk"],
                                                            dt.date(2026, 4, 20))] == [4]
    assert memberships.patient_memberships(club["desk"], club["zoe"].id,
                                           dt.date(2026, 4, 20))[0].overdue_cents == 9900
    assert m.id


WORKER = textwrap.dedent("""
    import datetime as dt, sys, time
    from medspa_desktop.store.database import open_database
    from medspa_desktop.services.billing import memberships
    open_database(sys.argv[1])
    start = float(sys.argv[2])
    while time.time() < start:
        time.sleep(0.001)
    print(memberships.issue_due(dt.datetime(2026, 4, 14, 8, 0)))
""")


@pytest.fixture(params=["sqlite", "postgresql"])
def shared_club(request):
    """The club in a clinic file (SQLite) or on a PostgreSQL server (CI runs both), and how
    another process opens it."""
    if request.param == "sqlite":
        return request.getfixturevalue("club"), str(request.getfixturevalue("database"))
    server = request.getfixturevalue("pg_server")
    name = request.getfixturevalue("pg_database")
    from medspa_desktop.services.clinic import clinic as setup
    from tests.conftest import PASSWORD

    admin = setup.create_clinic(setup.ClinicInfo("Test Clinic", "1 Main St", "555 010 0100",
                                                   "12-3456789"),
                                auth.UserInput("admin", "Ada Admin", "admin", PASSWORD))
    return _club(admin), server.url(name)


def test_two_processes_at_the_same_minute_issue_each_members_dues_once(shared_club):
    import time

    club, database = shared_club
    members = [_enrol_at(club, who, None, ENROLLED) for who in ("zoe", "ann")]
    numbers_before = Invoice.select().count()
    start = time.time() + 2.0
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, str(database), str(start)],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    for m in members:
        assert [d.month for d, _t in _dues(m.id)] == [3, 4]
    numbers = sorted(i.number for i in Invoice.select())
    assert len(numbers) == numbers_before + 2
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))  # no gap
    issued = [int(re.match(r"(\d+) dues issued", o).group(1)) for o, _e in outs]
    assert sum(issued) == 2  # each member's dues once, whichever process wrote them


def test_the_unique_key_refuses_a_months_dues_twice_and_leaves_no_invoice(club):
    from peewee import IntegrityError

    from medspa_desktop.store.database import db

    m = _enrol_at(club, "zoe", None, ENROLLED)
    before = (Invoice.select().count(), AuditEvent.select().count())
    with pytest.raises(IntegrityError), db.atomic():
        memberships._issue_dues(m, memberships._view(m.plan), dt.date(2026, 3, 1),
                                ENROLLED, None)
    assert (Invoice.select().count(), AuditEvent.select().count()) == before
    assert len(_dues(m.id)) == 1


# -- at checkout -------------------------------------------------------------------------------
def _member_shop(shop, credits=True):  # noqa: F811
    from tests.services.treatments.test_treatment_records import TODAY

    botox = Service.get(Service.name == "Botox Cosmetic")
    plan = memberships.save_plan(shop["admin"], PlanInput(
        "Glow Club", 9900, member_prices=((botox.id, 1100),),
        credits=(BankedCredit(botox.id, Decimal(20), Decimal(50)),) if credits else ()))
    from medspa_desktop.documents.membership_agreement import render_agreement
    from medspa_desktop.printouts import _letterhead

    when = dt.datetime.combine(TODAY - dt.timedelta(days=3), dt.time(9))
    return memberships.enrol(shop["desk"], EnrolInput(
        shop["zoe"].id, plan.id, grey_png(40, 20), grey_png(40, 20)),
        lambda sheet: render_agreement(sheet, _letterhead()), now=when)


def test_a_member_pays_the_member_price_and_the_invoice_shows_the_saving(shop):  # noqa: F811
    from tests.services.billing.test_invoices import _charted_visit

    _member_shop(shop, credits=False)
    appt = _charted_visit(shop, 44)
    (line,) = invoices.draft_for_appointment(shop["desk"], appt.id)
    assert (line.unit_price_cents, line.discount.amount_cents, line.discount.reason) == (
        1400, 44 * 300, "Glow Club member price")
    invoice = invoices.issue_invoice(shop["desk"], invoices.CheckoutInput(
        shop["zoe"].id, (line,), appointment_id=appt.id))
    view = invoices.invoice_view(shop["desk"], invoice.id)
    assert (view.lines[0].discount_cents, view.lines[0].discount_reason) == (
        13200, "Glow Club member price")
    assert view.total_cents == 44 * 1100


def test_banked_credits_are_drawn_first_the_rest_at_member_price_and_a_void_returns_them(
        shop):  # noqa: F811
    from tests.services.billing.test_invoices import _charted_visit

    m = _member_shop(shop)
    assert memberships.credits_banked(m.id)[Service.get(Service.name == "Botox Cosmetic").id] \
        == 2000
    appt = _charted_visit(shop, 44)
    assert len(invoices.draft_for_appointment(shop["desk"], appt.id,
                                              member_credits=False)) == 1  # the desk chose not
    banked, rest = invoices.draft_for_appointment(shop["desk"], appt.id)
    assert (banked.quantity, banked.unit_price_cents, banked.membership_id) == (20, 0, m.id)
    assert (rest.quantity, rest.discount.amount_cents) == (24, 24 * 300)
    invoice = invoices.issue_invoice(shop["desk"], invoices.CheckoutInput(
        shop["zoe"].id, (banked, rest), appointment_id=appt.id))
    view = invoices.invoice_view(shop["desk"], invoice.id)
    assert view.lines[0].description.endswith("banked membership credits (0 left)")
    assert view.lines[0].tax_category == "prepaid" and view.total_cents == 24 * 1100
    assert memberships.credits_banked(m.id).get(banked.service_id, 0) == 0
    invoices.void_invoice(shop["admin"], invoice.id, "wrong patient")
    assert memberships.credits_banked(m.id)[banked.service_id] == 2000
    with pytest.raises(ValidationError, match="banked membership credits costs nothing"):
        invoices.preview(shop["desk"], invoices.CheckoutInput(shop["zoe"].id, (
            invoices.LineDraft("service", "x", Decimal(1), 500, service_id=banked.service_id,
                               membership_id=m.id),)))


# -- banked credits after the membership ends --------------------------------------------------
def _grace_plan(c, grace_days=30):
    return memberships.save_plan(c["admin"], PlanInput(
        "Glow Plus", 12900, credits=(BankedCredit(c["botox"].id, Decimal(20), Decimal(50)),),
        credit_grace_days=grace_days), now=dt.datetime(2027, 1, 1, 9, 0))


def _draw(c, m, units, on):
    from medspa_desktop.store.database import db

    with db.atomic():
        return memberships.draw(c["desk"], m.id, m.patient_id, c["botox"].id, units * 100, None,
                                on, dt.datetime.combine(on, dt.time(10)))


def test_banked_credits_stay_usable_for_the_grace_period_then_expire_kept_in_history(club):
    plan = _grace_plan(club)
    assert plan.credit_grace_days == 30
    m = _enrol_at(club, "zoe", plan.id, dt.datetime(2027, 1, 10, 10, 0))  # 20 banked
    memberships.issue_due(dt.datetime(2027, 2, 10, 9, 0))  # 40 banked
    # no notice, no minimum term: it ends the day it is cancelled, 20 February 2027
    assert memberships.cancel(club["desk"], m.id, "moving away",
                              now=dt.datetime(2027, 2, 20, 12, 0)) == dt.date(2027, 2, 20)
    # 20 Feb + 30 days = 22 March (8 days left in February, 22 in March)
    view = memberships.patient_memberships(club["desk"], club["zoe"].id, dt.date(2027, 3, 1))[0]
    assert (view.state, view.credits_expire_on) == ("cancelled", dt.date(2027, 3, 22))
    assert [(name, q) for _s, name, q in view.credits] == [("Botox Cosmetic", 4000)]
    # in the grace period: credits yes, member prices no
    assert memberships.member_discount(club["zoe"].id, club["botox"].id, 100, 1400,
                                       dt.date(2027, 3, 1)) is None
    assert memberships.banked_for(club["zoe"].id, club["botox"].id,
                                  dt.date(2027, 3, 1)) == (m.id, 4000)
    assert _draw(club, m, 5, dt.date(2027, 3, 1)) == 3500
    assert memberships.banked_for(club["zoe"].id, club["botox"].id,
                                  dt.date(2027, 3, 21)) == (m.id, 3500)  # the last day
    assert memberships.banked_for(club["zoe"].id, club["botox"].id,
                                  dt.date(2027, 3, 22)) is None
    with pytest.raises(ConflictError, match="ended on 20 Feb 2027: its banked credits expired "
                                            "on 22 Mar 2027"):
        _draw(club, m, 5, dt.date(2027, 3, 22))
    # the timed job writes them down as expired on that day, once; nothing is deleted
    assert memberships.expire_credits(dt.datetime(2027, 3, 21, 23, 59)) == \
        "0 memberships' banked credits expired"
    assert memberships.expire_credits(dt.datetime(2027, 3, 22, 6, 0)) == \
        "1 memberships' banked credits expired"
    assert memberships.expire_credits(dt.datetime(2027, 3, 22, 6, 1)) == \
        "0 memberships' banked credits expired"
    assert memberships.credits_banked(m.id) == {club["botox"].id: 0}
    kinds = [(r.kind, r.quantity_centi) for r in MembershipCredit.select()
             .where(MembershipCredit.membership == m.id).order_by(MembershipCredit.id)]
    assert kinds == [("grant", 2000), ("grant", 2000), ("use", 500), ("expire", 3500)]
    view = memberships.patient_memberships(club["desk"], club["zoe"].id, dt.date(2027, 4, 1))[0]
    assert (view.credits, view.expired) == ((), ((dt.date(2027, 3, 22), "Botox Cosmetic",
                                                  3500),))
    event = AuditEvent.select().where(AuditEvent.action == "membership.credits_expire").get()
    assert "35 × Botox Cosmetic" in event.summary and event.user_id is None


def test_credits_expired_before_a_reactivation_stay_gone_even_if_the_job_never_ran(club):
    plan = _grace_plan(club, grace_days=10)
    m = _enrol_at(club, "zoe", plan.id, dt.datetime(2027, 1, 10, 10, 0))
    memberships.cancel(club["desk"], m.id, "budget", now=dt.datetime(2027, 1, 31, 12, 0))
    # 31 Jan + 10 days = 10 February: shown expired before anything is written
    view = memberships.patient_memberships(club["desk"], club["zoe"].id, dt.date(2027, 2, 10))[0]
    assert (view.credits, view.expired) == ((), ((dt.date(2027, 2, 10), "Botox Cosmetic",
                                                  2000),))
    memberships.reactivate(club["desk"], m.id, now=dt.datetime(2027, 3, 1, 9, 0))
    assert memberships.credits_banked(m.id) == {club["botox"].id: 0}
    memberships.issue_due(dt.datetime(2027, 3, 10, 9, 0))
    assert _banked(club, m.id) == 20  # this month's only


def test_reactivating_within_the_grace_period_keeps_the_credits(club):
    plan = _grace_plan(club)
    m = _enrol_at(club, "zoe", plan.id, dt.datetime(2027, 1, 10, 10, 0))
    memberships.cancel(club["desk"], m.id, "budget", now=dt.datetime(2027, 1, 31, 12, 0))
    memberships.reactivate(club["desk"], m.id, now=dt.datetime(2027, 2, 5, 9, 0))
    assert memberships.expire_credits(dt.datetime(2027, 6, 1, 9, 0)) == \
        "0 memberships' banked credits expired"
    assert _banked(club, m.id) == 20


def test_without_a_grace_period_the_credits_end_with_the_membership(club):
    m = _enrol_at(club, "zoe", None, ENROLLED)  # Glow Club: 6 months' term, 30 days' notice
    assert memberships.cancel(club["desk"], m.id, "moving", now=dt.datetime(2026, 9, 1, 9)) \
        == dt.date(2026, 10, 1)
    assert memberships.banked_for(club["zoe"].id, club["botox"].id, dt.date(2026, 9, 30))
    assert memberships.banked_for(club["zoe"].id, club["botox"].id,
                                  dt.date(2026, 10, 1)) is None
    assert memberships.expire_credits(dt.datetime(2026, 10, 1, 0, 1)) == \
        "1 memberships' banked credits expired"


def test_the_agreement_states_the_grace_period_and_a_bad_one_is_refused(club):
    plan = _grace_plan(club)
    terms = dict(memberships.agreement_terms(plan, 10, dt.date(2027, 1, 10)))
    assert "After the membership ends they can still be used for 30 days; then they expire." \
        in terms["Member benefits"]
    old = dict(memberships.agreement_terms(club["plan"], 14, ENROLLED.date()))
    assert old["Member benefits"].endswith("have no cash value and end with the membership.")
    # a new version keeps it; a year is the most
    again = memberships.save_plan(club["admin"], plan.as_input(), plan.code)
    assert (again.version, again.credit_grace_days) == (2, 30)
    before = MembershipPlan.select().count()
    with pytest.raises(ValidationError, match="0 to 365 days after a membership ends"):
        memberships.save_plan(club["admin"], dataclasses.replace(plan.as_input(),
                                                                 credit_grace_days=366))
    assert MembershipPlan.select().count() == before


def test_a_visit_checked_out_after_enrolling_gets_the_member_price_a_later_start_does_not(club):
    today = dt.date.today()
    plan = _grace_plan(club)
    m = _enrol_at(club, "zoe", plan.id, dt.datetime.combine(today, dt.time(9)))
    yesterday = today - dt.timedelta(days=1)  # the visit was yesterday, checked out today
    assert memberships.banked_for(club["zoe"].id, club["botox"].id, yesterday) == (m.id, 2000)
    assert _draw(club, m, 5, yesterday) == 1500
    # enrolled for a start still to come: nothing before it
    later = _enrol_at(club, "ann", club["plan"].id,
                      dt.datetime.combine(today + dt.timedelta(days=3), dt.time(9)))
    assert later.started_on > today
    assert memberships.member_discount(club["ann"].id, club["botox"].id, 100, 1400,
                                       today) is None
