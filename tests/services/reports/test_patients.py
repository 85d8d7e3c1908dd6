"""Patients, worked out by hand on a small clinic: who is new and who returns, a month's
return-rate cohort (30/60/90/180 days, counted once each window has passed), the rebooking
rate, no-show and late-cancel rates, and the patients lost.

The visits are written as a past schedule (as an import of an old system's history would
leave them): the reports read what is there."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from medspa_desktop.services.charts import patients
from medspa_desktop.services.platform import auth
from medspa_desktop.services.platform.errors import PermissionDenied
from medspa_desktop.services.reports import patients as pt
from medspa_desktop.services.reports.period import Period
from medspa_desktop.store.models import Appointment, AuditEvent, Room, Service

D = dt.date
TODAY = D(2029, 12, 20)


@pytest.fixture
def small(admin):
    rn = auth.create_user(admin, auth.UserInput("rn", "Jo Kim", "provider", "long-enough"))
    md = auth.create_user(admin, auth.UserInput("md", "Dr Ali", "medical_director",
                                                "long-enough"))
    people = {name: patients.create_patient(admin, patients.PatientInput(
        name, "Test", D(1990, 1, 1))).id for name in "ABCDEFGH"}
    return {"admin": admin, "rn": rn, "md": md, **people}


def visit(c, who: str, day: dt.date, status: str = "checked_out", *, provider: str = "rn",
          booked: dt.date | None = None, late: bool = False, hour: int = 10) -> None:
    start = dt.datetime.combine(day, dt.time(hour))
    made = dt.datetime.combine(booked or day - dt.timedelta(days=14), dt.time(9))
    Appointment.create(patient=c[who], service=Service.get(Service.name == "Botox Cosmetic"),
                       provider=c[provider], room=Room.get(Room.name == "Room 1"), start=start,
                       end=start + dt.timedelta(minutes=30), status=status, late_cancel=late,
                       created_at=made, updated_at=made)


def test_new_returning_and_a_return_rate_cohort(small):
    c = small
    visit(c, "A", D(2029, 3, 4))  # before: A returns in the period
    # first visits in June 2029: B, C, D, E
    visit(c, "B", D(2029, 6, 1))
    visit(c, "B", D(2029, 6, 1), hour=14)  # same day: not a return
    visit(c, "B", D(2029, 6, 25))  # back in 24 days
    visit(c, "C", D(2029, 6, 10))
    visit(c, "C", D(2029, 8, 20))  # back in 71 days
    visit(c, "D", D(2029, 6, 15))
    visit(c, "D", D(2029, 7, 1), "no_show")  # a missed visit is not a return
    visit(c, "D", D(2029, 12, 1))  # back in 169 days
    visit(c, "E", D(2029, 6, 30))  # never back
    visit(c, "A", D(2029, 6, 20))
    # July: F new, first seen the 20th; back the 30th
    visit(c, "F", D(2029, 7, 20))
    visit(c, "F", D(2029, 7, 30))

    flow = pt.patient_flow(c["admin"], Period(D(2029, 6, 1), D(2029, 7, 31)), today=TODAY,
                           record=False)
    june, july = flow.months
    assert (june.new, june.returning) == (4, 1)  # B C D E new; A returning
    assert (july.new, july.returning) == (1, 0)  # F new (both of F's visits are in July)
    assert (flow.new, flow.returning) == (5, 1)
    cohort = flow.cohorts[0]
    assert cohort.patients == 4
    # 30 days: B; 60: B; 90: B, C; 180: B, C, D — E's 180 days end 27 Dec: not yet judged
    assert cohort.back == (1, 1, 2, 3)
    assert cohort.judged == (4, 4, 4, 3)
    assert [cohort.share(i) for i in range(4)] == [25.0, 25.0, 50.0, 100.0]
    later = pt.patient_flow(c["admin"], Period(D(2029, 6, 1), D(2029, 7, 31)),
                            today=D(2030, 1, 1), record=False).cohorts[0]
    assert (later.back, later.judged) == ((1, 1, 2, 3), (4, 4, 4, 4))
    # F, back in ten days; 180 days after 20 July have not passed: not counted yet (counting
    # only those back would make a young cohort look better than it is)
    assert flow.cohorts[1].back == (1, 1, 1, None)


def test_the_july_return_is_counted_as_returning_only_after_the_first_month(small):
    c = small
    visit(c, "F", D(2029, 7, 20))
    visit(c, "F", D(2029, 8, 2))
    flow = pt.patient_flow(c["admin"], Period(D(2029, 7, 1), D(2029, 8, 31)), today=TODAY,
                           record=False)
    assert [(m.new, m.returning) for m in flow.months] == [(1, 0), (0, 1)]
    assert (flow.new, flow.returning) == (1, 0)  # F came for the first time in the period


def test_rebooking_no_shows_and_late_cancellations(small):
    c = small
    monday = D(2029, 11, 5)
    visit(c, "A", monday)
    visit(c, "A", D(2029, 12, 3), "booked", booked=monday)  # booked before leaving: rebooked
    visit(c, "B", monday, provider="md")
    visit(c, "B", D(2029, 12, 10), "booked", booked=monday + dt.timedelta(days=1))  # next day
    visit(c, "C", monday + dt.timedelta(days=1))  # Tuesday, nothing booked
    visit(c, "D", monday, "no_show")
    visit(c, "E", monday, "cancelled", late=True)
    visit(c, "F", monday, "cancelled")  # in good time: neither
    visit(c, "G", monday + dt.timedelta(days=1), "no_show", provider="md")
    november = Period(D(2029, 11, 1), D(2029, 11, 30))

    r = pt.rebooking(c["admin"], november, record=False)
    assert (r.total.visits, r.total.rebooked) == (3, 1)
    assert {p.label: (p.visits, p.rebooked) for p in r.providers} == {
        "Dr Ali": (1, 0), "Jo Kim": (2, 1)}
    assert r.months[0].share == pytest.approx(100 / 3)

    n = pt.no_shows(c["admin"], november, record=False)
    assert (n.total.kept, n.total.no_shows, n.total.late_cancels) == (3, 2, 1)
    assert n.total.no_show_rate == pytest.approx(100 / 3)
    mon, tue = n.weekdays[0], n.weekdays[1]
    assert (mon.kept, mon.no_shows, mon.late_cancels) == (2, 1, 1)
    assert (tue.kept, tue.no_shows) == (1, 1) and tue.no_show_rate == 50.0
    assert n.weekdays[2].no_show_rate is None  # no appointments on Wednesdays
    assert {p.label: (p.no_shows, p.late_cancels) for p in n.providers} == {
        "Dr Ali": (1, 0), "Jo Kim": (1, 1)}


def test_patients_lost_after_six_months(small):
    c = small
    visit(c, "A", D(2029, 5, 10))  # six months on: 10 November; nothing since
    visit(c, "B", D(2029, 5, 20))
    visit(c, "B", D(2029, 9, 1))  # came back: not lost
    visit(c, "C", D(2029, 5, 25))
    visit(c, "C", D(2030, 1, 15), "booked", booked=D(2029, 12, 1))  # booked ahead: not lost
    visit(c, "D", D(2029, 4, 2))  # lost in October, before the period
    visit(c, "E", D(2029, 5, 30))  # lost on 30 November
    patients.archive_patient(c["admin"], c["E"], "moved away")  # archived: left out
    lost = pt.lost_patients(c["admin"], Period(D(2029, 11, 1), D(2029, 11, 30)), today=TODAY,
                            record=False)
    names = [p.name for p in lost.patients]
    assert "Test, A" in names and "Test, B" not in names and "Test, C" not in names
    assert "Test, D" not in names and "Test, E" not in names
    a = next(p for p in lost.patients if p.name == "Test, A")
    assert (a.last_visit, a.visits) == (D(2029, 5, 10), 1)
    assert lost.months == ((D(2029, 11, 1), len(names)),)


def test_each_report_is_audited_and_refused_to_the_front_desk(small):
    c = small
    desk = auth.create_user(c["admin"], auth.UserInput("desk", "Sam", "front_desk",
                                                       "long-enough"))
    period = Period(D(2029, 11, 1), D(2029, 11, 30))
    for report in (pt.patient_flow, pt.rebooking, pt.no_shows, pt.lost_patients):
        with pytest.raises(PermissionDenied):
            report(desk, period)
        report(c["md"], period)
    looks = AuditEvent.select().where(AuditEvent.action == "report.viewed",
                                      AuditEvent.record_id == period.key())
    assert looks.count() == 4


def _plans(sent: list[tuple[str, tuple]]) -> list[str]:
    """SQLite's plan steps of each statement sent that reads appointments."""
    from medspa_desktop.store.database import db

    return [step[3] for sql, params in list(sent) if "appointment" in sql
            for step in db.execute_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall()]


def test_first_visits_and_visit_counts_are_read_from_the_index_alone(small, statements):
    """A patient's first visit ever, next visit and visits ever are index-only seeks on
    (patient, start, status): their cost does not follow the length of each patient's
    history (every appointment row of it was read before schema 23)."""
    c = small
    visit(c, "A", D(2029, 3, 4))
    visit(c, "A", D(2029, 6, 20))
    visit(c, "B", D(2029, 5, 1))
    period = Period(D(2029, 6, 1), D(2029, 11, 30))
    for report in (pt.patient_flow, pt.lost_patients):
        statements.clear()
        report(c["admin"], period, today=TODAY, record=False)
        per_patient = [s for s in _plans(statements)
                       if s.startswith(("SEARCH a ", "SEARCH b ")) and "patient_id=" in s]
        assert per_patient and all(
            "USING COVERING INDEX appointment_patient_id_start_status" in s
            for s in per_patient), per_patient


def test_compared_with_the_previous_period_in_the_same_query(small, statements):
    """The pages' "compared with the previous period": the same figures as the previous
    period asked on its own, from one statement instead of two."""
    from tests.conftest import but_the_account_check

    c = small
    visit(c, "A", D(2029, 3, 4))  # new in March, back in June
    visit(c, "A", D(2029, 6, 20))
    visit(c, "B", D(2029, 4, 1))  # new in April, back in April and July
    visit(c, "B", D(2029, 4, 20))
    visit(c, "B", D(2029, 7, 2))
    visit(c, "C", D(2029, 7, 10))  # new in July
    visit(c, "D", D(2029, 5, 5), "no_show")  # never came
    period = Period(D(2029, 6, 1), D(2029, 8, 31))
    statements.clear()
    flow = pt.patient_flow(c["admin"], period, today=TODAY, record=False, compare=True)
    sent = [sql for sql, _params in but_the_account_check(statements)]
    assert len(sent) == 1 and "appointment" in sent[0]
    alone = pt.patient_flow(c["admin"], period, today=TODAY, record=False)
    before = pt.patient_flow(c["admin"], period.previous(), today=TODAY, record=False)
    assert flow.previous == before and dataclasses.replace(flow, previous=None) == alone
    assert (before.new, before.returning) == (2, 0)  # A in March, B in April
    assert [(m.new, m.returning) for m in before.months] == [(1, 0), (1, 0), (0, 0)]
    assert (flow.new, flow.returning) == (1, 2)  # C new; A and B back
    assert before.cohorts[1].back == (1, 1, 1, 1)  # B back in 19 days
    assert before.cohorts[0].back == (0, 0, 0, 1)  # A back after 108 days
    # a period to date: the same days of the month before, even within one month's rows
    part = Period(D(2029, 7, 1), D(2029, 7, 25))
    flow = pt.patient_flow(c["admin"], part, today=TODAY, record=False, compare=True)
    assert flow.previous == pt.patient_flow(c["admin"], part.previous(), today=TODAY,
                                            record=False)
    assert (flow.new, flow.returning, flow.previous.new, flow.previous.returning) == (
        1, 1, 0, 1)  # July 1-25: C new, B back; June 1-25: A back


def test_patients_lost_compared_with_the_previous_period_in_the_same_query(small, statements):
    """Each period's lost patients as asked on its own (seen since the end of each one's own
    window, or booked ahead), from one statement instead of two."""
    from tests.conftest import but_the_account_check

    c = small
    visit(c, "A", D(2029, 4, 10))  # lost in October
    visit(c, "B", D(2029, 4, 20))  # unseen in October, but back since: lost in neither
    visit(c, "B", D(2029, 12, 1))
    visit(c, "C", D(2029, 5, 3))  # lost in November
    visit(c, "D", D(2029, 4, 5))  # unseen through October, booked ahead: not lost
    visit(c, "D", D(2030, 1, 10), "booked", booked=D(2029, 12, 15))
    visit(c, "E", D(2029, 4, 25))  # unseen in October, but back in May:
    visit(c, "E", D(2029, 5, 28))  # lost on 28 November only
    period = Period(D(2029, 11, 1), D(2029, 11, 30))
    statements.clear()
    lost = pt.lost_patients(c["admin"], period, today=TODAY, record=False, compare=True)
    sent = [sql for sql, _params in but_the_account_check(statements)]
    assert len(sent) == 1 and "appointment" in sent[0]
    before = pt.lost_patients(c["admin"], period.previous(), today=TODAY, record=False)
    assert lost.previous == before
    assert dataclasses.replace(lost, previous=None) == pt.lost_patients(
        c["admin"], period, today=TODAY, record=False)
    assert [p.name for p in before.patients] == ["Test, A"]
    assert [p.name for p in lost.patients] == ["Test, E", "Test, C"]
    assert next(p for p in lost.patients if p.name == "Test, E").visits == 2
