"""Patients for the Reports tab: new and returning patients per month; the return rate of
each month's new patients (the share back within 30, 60, 90 and 180 days); the rebooking
rate (the next visit booked on the visit's day); no-show and late-cancel rates by provider and
weekday; patients lost (no visit for six months).

A visit is an appointment the patient came to (arrived, in treatment, completed, checked
out). Each figure starts from a range on an indexed date (``Appointment.start``) and reads
those patients' first visit, next visit and visit count from the (patient, start, status)
index alone (schema 23), never their appointment rows: the period, not the clinic's history,
sets the cost. Nothing is written but the audit of the look."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from peewee import JOIN, fn

from ...store.database import db
from ...store.models import Appointment, User
from ..platform.permissions import require
from ..platform.query import day_bounds
from ..platform.vocabulary import CAME_IN_STATUSES, AppointmentStatus
from .period import Period, record_viewed

RETURN_DAYS = (30, 60, 90, 180)
LOST_MONTHS = 6
BATCH = 900  # ids per IN (…): under SQLite's variable limit
_DAY = "substr(CAST({} AS text), 1, 10)"  # a time's day as text, on SQLite and PostgreSQL


def _in_batches(ids, query_of):
    ids = list(ids)
    for n in range(0, len(ids), BATCH):
        yield from query_of(ids[n:n + BATCH])


def _visits_between(start: dt.datetime, end: dt.datetime):
    """(patient, start) of every visit in [start, end): a range on the start index."""
    return (Appointment.select(Appointment.patient, Appointment.start)
            .where(Appointment.start >= start, Appointment.start < end,
                   Appointment.status.in_(CAME_IN_STATUSES)).tuples())


def _first_visits(patient_ids) -> dict[int, dt.datetime]:
    """Each patient's first visit ever, through the patient index."""
    def query(ids):
        return (Appointment.select(Appointment.patient, fn.MIN(Appointment.start))
                .where(Appointment.patient.in_(ids), Appointment.status.in_(CAME_IN_STATUSES))
                .group_by(Appointment.patient).tuples())
    return {pid: _dt(at) for pid, at in _in_batches(patient_ids, query)}


def _dt(value) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))


# -- new and returning ----------------------------------------------------------------------
@dataclass(frozen=True)
class NewReturning:
    month: dt.date
    new: int  # patients whose first visit ever was in this month
    returning: int  # patients seen this month who had come before


@dataclass(frozen=True)
class Cohort:
    month: dt.date
    patients: int  # first seen in this month
    back: tuple[int | None, ...]  # per RETURN_DAYS: how many came back within; None: too soon
    judged: tuple[int, ...]  # per RETURN_DAYS: of how many (those whose window has passed)

    def share(self, i: int) -> float | None:
        if self.back[i] is None or not self.judged[i]:
            return None
        return self.back[i] * 100 / self.judged[i]


@dataclass(frozen=True)
class PatientFlow:
    period: Period
    months: tuple[NewReturning, ...]
    cohorts: tuple[Cohort, ...]
    new: int
    returning: int
    previous: PatientFlow | None = None  # the period before, when asked to compare


def patient_flow(actor: User, period: Period, *, today: dt.date | None = None,
                 record: bool = True, report: str = "Patients",
                 compare: bool = False) -> PatientFlow:
    """New and returning patients per month, and each month's new patients' return rate;
    with ``compare``, the previous period's too (``previous``), from the same query."""
    require(actor, "reports.view")
    today = today or dt.date.today()
    periods = (period, period.previous()) if compare else (period,)
    ranges = [(day_bounds(q.first)[0], day_bounds(q.last)[1]) for q in periods]
    p, came = db.param, [str(s) for s in CAME_IN_STATUSES]
    came_in = f"IN ({', '.join([p] * len(came))})"
    # one query: the patients seen in each month of each period (a range on the start index
    # per period, set apart first: MATERIALIZED, CAST as in ``rebooking``), each one's first
    # visit ever and, for those first seen in a period, their next visit on a later day
    # (both index-only seeks on (patient, start, status): MIN(start) stops at the first
    # visit, however long the patient's history)
    seen = " UNION ALL ".join(
        f"SELECT DISTINCT CAST(patient_id AS INTEGER) AS pid, "
        f"substr(CAST(start AS text), 1, 7) AS month, {i} AS which FROM appointment "
        f"WHERE start >= {p} AND start < {p} AND status {came_in}" for i in range(len(ranges)))
    rows = db.execute_sql(
        f"WITH seen AS MATERIALIZED ({seen}), "
        "firsts AS MATERIALIZED (SELECT w.pid, (SELECT MIN(a.start) FROM appointment a "
        f"WHERE a.patient_id = w.pid AND a.status {came_in}) AS first "
        "FROM (SELECT DISTINCT pid FROM seen) w) "
        "SELECT seen.which, seen.pid, seen.month, f.first, CASE WHEN f.first >= "
        f"{p} THEN (SELECT MIN(b.start) FROM appointment b WHERE b.patient_id = f.pid "
        f"AND b.status {came_in} AND {_DAY.format('b.start')} > {_DAY.format('f.first')}) "
        "END FROM seen JOIN firsts f ON f.pid = seen.pid",
        [*(v for start, end in ranges for v in (start, end, *came)), *came,
         min(start for start, _end in ranges), *came])
    seen_in: list[dict[str, set[int]]] = [defaultdict(set) for _q in periods]
    first: dict[int, dt.datetime] = {}
    after: dict[int, dt.date] = {}  # a new patient's next visit on a later day
    for which, pid, month, at, following in rows:
        seen_in[which][month].add(pid)
        first[pid] = _dt(at)
        if following is not None:
            after[pid] = _dt(following).date()
    flows = [_flow(q, seen_in[i], first, after, today) for i, q in enumerate(periods)]
    if record:
        record_viewed(actor, report, period)
    if compare:
        return dataclasses.replace(flows[0], previous=flows[1])
    return flows[0]


def _flow(period: Period, seen: dict[str, set[int]], first: dict[int, dt.datetime],
          after: dict[int, dt.date], today: dt.date) -> PatientFlow:
    months, new_all, returning_all = [], set(), set()
    for month in period.months():
        here = seen[f"{month:%Y-%m}"]
        new = {p for p in here if first[p].date().replace(day=1) == month}
        months.append(NewReturning(month, len(new), len(here - new)))
        new_all |= new
        returning_all |= here - new
    cohorts = _cohorts(period, {p: first[p] for p in new_all}, after, today)
    return PatientFlow(period, tuple(months), cohorts, len(new_all),
                       len(returning_all - new_all))


def _cohorts(period: Period, first: dict[int, dt.datetime], after: dict[int, dt.date],
             today: dt.date) -> tuple[Cohort, ...]:
    """Of the patients first seen in each month, those back (a visit on a later day:
    ``after``) within 30, 60, 90 and 180 days of that first visit, counted once the window
    has passed."""
    by_month: dict[dt.date, list[int]] = defaultdict(list)
    for pid, at in first.items():
        by_month[at.date().replace(day=1)].append(pid)
    out = []
    for month in period.months():
        pids = by_month[month]
        back, judged = [], []
        for days in RETURN_DAYS:
            ready = [p for p in pids if first[p].date() + dt.timedelta(days=days) <= today]
            came = sum(1 for p in ready
                       if p in after and (after[p] - first[p].date()).days <= days)
            judged.append(len(ready))
            back.append(came if ready else None)
        out.append(Cohort(month, len(pids), tuple(back), tuple(judged)))
    return tuple(out)


# -- rebooking ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Rebooked:
    label: str  # a month ("Nov 2026") or a provider
    visits: int
    rebooked: int  # the next visit was booked on the visit's day

    @property
    def share(self) -> float | None:
        return self.rebooked * 100 / self.visits if self.visits else None


@dataclass(frozen=True)
class Rebooking:
    period: Period
    months: tuple[Rebooked, ...]
    providers: tuple[Rebooked, ...]
    total: Rebooked


def rebooking(actor: User, period: Period, *, record: bool = True,
              report: str = "Patients: rebooking") -> Rebooking:
    """Of the visits in ``period``, those after which the patient's next appointment was
    booked the same day (before leaving): made that day, for a later day."""
    require(actor, "reports.view")
    start, end = day_bounds(period.first)[0], day_bounds(period.last)[1]
    p, came = db.param, [str(s) for s in CAME_IN_STATUSES]
    # one query: the visits of the period by month and provider, each with whether the
    # patient booked, that day, an appointment for a later day. Both sides are ranges on
    # the start index (a booking made in the period starts after the period began): the
    # bookings made apart first (MATERIALIZED, and the CAST keeps SQLite off the patient
    # index there, which would read every appointment of the busiest patients once per
    # visit of theirs, while the join still finds them by patient and day).
    made, on = _DAY.format("b.created_at"), _DAY.format("v.start")
    rows = db.execute_sql(
        "WITH booked AS MATERIALIZED (SELECT DISTINCT CAST(b.patient_id AS INTEGER) "
        "AS patient_id, "
        + made + " AS day "
        f"FROM appointment b WHERE b.start >= {p} AND b.created_at >= {p} "
        f"AND b.created_at < {p} AND {_DAY.format('b.start')} > {made}) "
        f"SELECT substr(CAST(v.start AS text), 1, 7), u.display_name, COUNT(*), "
        "SUM(CASE WHEN k.patient_id IS NULL THEN 0 ELSE 1 END) "
        f"FROM appointment v LEFT JOIN booked k ON k.patient_id = v.patient_id AND k.day = {on} "
        'LEFT JOIN "user" u ON u.id = v.provider_id '
        f"WHERE v.start >= {p} AND v.start < {p} "
        f"AND v.status IN ({', '.join([p] * len(came))}) GROUP BY 1, 2",
        [start, start, end, start, end, *came])
    months: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    providers: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    total = [0, 0]
    for month, who, visits, hits in rows:
        for tally in (months[month], providers[who or "No provider"], total):
            tally[0] += visits
            tally[1] += hits
    if record:
        record_viewed(actor, report, period)
    return Rebooking(
        period, tuple(Rebooked(f"{m:%b %Y}", *months[f"{m:%Y-%m}"]) for m in period.months()),
        tuple(Rebooked(k, *v) for k, v in sorted(providers.items())), Rebooked("Total", *total))


# -- no-shows and late cancellations --------------------------------------------------------
@dataclass(frozen=True)
class Attendance:
    label: str  # a weekday or a provider
    kept: int  # visits the patient came to
    no_shows: int
    late_cancels: int  # cancelled inside the clinic's notice period

    @property
    def booked(self) -> int:
        return self.kept + self.no_shows + self.late_cancels

    @property
    def no_show_rate(self) -> float | None:
        return self.no_shows * 100 / self.booked if self.booked else None

    @property
    def late_cancel_rate(self) -> float | None:
        return self.late_cancels * 100 / self.booked if self.booked else None


@dataclass(frozen=True)
class NoShows:
    period: Period
    weekdays: tuple[Attendance, ...]  # Monday first
    providers: tuple[Attendance, ...]
    total: Attendance


WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def no_shows(actor: User, period: Period, *, record: bool = True,
             report: str = "Patients: no-shows and late cancellations") -> NoShows:
    """No-show and late-cancel rates of the appointments in ``period``: of those kept, missed
    or cancelled late (a cancellation in good time, or a visit still to come, is neither)."""
    require(actor, "reports.view")
    start, end = day_bounds(period.first)[0], day_bounds(period.last)[1]
    provider = User.alias()
    rows = (Appointment.select(Appointment.start, Appointment.status, Appointment.late_cancel,
                               provider.display_name)
            .join(provider, JOIN.LEFT_OUTER, on=Appointment.provider == provider.id)
            .where(Appointment.start >= start, Appointment.start < end).tuples())
    days: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    who: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    total = [0, 0, 0]
    for at, status, late, name in rows:
        if status in CAME_IN_STATUSES:
            i = 0
        elif status == AppointmentStatus.NO_SHOW:
            i = 1
        elif status == AppointmentStatus.CANCELLED and late:
            i = 2
        else:
            continue
        for tally in (days[_dt(at).weekday()], who[name or "No provider"], total):
            tally[i] += 1
    if record:
        record_viewed(actor, report, period)
    return NoShows(period, tuple(Attendance(WEEKDAYS[d], *days[d]) for d in range(7)),
                   tuple(Attendance(k, *v) for k, v in sorted(who.items())),
                   Attendance("Total", *total))


# -- patients lost --------------------------------------------------------------------------
@dataclass(frozen=True)
class LostPatient:
    patient_id: int
    name: str
    chart_number: str
    last_visit: dt.date
    visits: int  # visits ever


@dataclass(frozen=True)
class Lost:
    period: Period
    months: tuple[tuple[dt.date, int], ...]  # month -> patients who went six months unseen then
    patients: tuple[LostPatient, ...]  # newest last visit first
    previous: Lost | None = None  # the period before, when asked to compare


def _months_back(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    try:
        return day.replace(year=year, month=month + 1)
    except ValueError:  # the 31st of a shorter month
        return (dt.date(year, month + 1, 1) + dt.timedelta(days=31)).replace(day=1) \
            - dt.timedelta(days=1)


def lost_patients(actor: User, period: Period, *, today: dt.date | None = None,
                  record: bool = True, report: str = "Patients: lost",
                  compare: bool = False) -> Lost:
    """Patients who went six months without a visit during ``period`` (their last visit six
    months before one of its days) and have not come since, nor booked, up to ``today``;
    archived charts left out. With ``compare``, the previous period's too (``previous``), from
    the same query."""
    require(actor, "reports.view")
    today = today or dt.date.today()
    periods = (period, period.previous()) if compare else (period,)
    # per period: the window whose last visits went six months unseen during it
    windows = [(day_bounds(_months_back(q.first, LOST_MONTHS))[0],
                day_bounds(_months_back(q.last, LOST_MONTHS))[1]) for q in periods]
    p, came = db.param, [str(s) for s in CAME_IN_STATUSES]
    ahead = [str(s) for s in (AppointmentStatus.BOOKED, AppointmentStatus.CONFIRMED)]
    came_in = f"IN ({', '.join([p] * len(came))})"
    # one query, each part a range on the start index: the patients seen in each period's
    # window (their last visit there), less those seen after that window or booked from
    # today on (their latest such appointment, from the earliest window's end: MATERIALIZED,
    # and the CAST keeps SQLite from driving those through the patient index); the visits
    # ever of those left, counted from the (patient, start, status) index alone
    seen = " UNION ALL ".join(
        f"SELECT CAST(patient_id AS INTEGER) AS patient_id, {i} AS which, MAX(start) AS "
        f"last_visit FROM appointment WHERE start >= {p} AND start < {p} "
        f"AND status {came_in} GROUP BY 1" for i in range(len(windows)))
    ended = " ".join(f"WHEN {i} THEN {p}" for i in range(len(windows)))
    now = day_bounds(today)[0]
    rows = db.execute_sql(
        f"WITH seen AS MATERIALIZED ({seen}), "
        "since AS MATERIALIZED (SELECT CAST(patient_id AS INTEGER) AS patient_id, "
        f"MAX(start) AS back FROM appointment WHERE start >= {p} AND (status {came_in} OR "
        f"(start >= {p} AND status IN ({', '.join([p] * len(ahead))}))) GROUP BY 1) "
        "SELECT seen.which, t.id, t.last_name, t.first_name, t.chart_number, seen.last_visit, "
        "(SELECT COUNT(*) FROM appointment a WHERE a.patient_id = t.id "
        f"AND a.status {came_in}) FROM seen JOIN patient t ON t.id = seen.patient_id "
        "LEFT JOIN since s ON s.patient_id = seen.patient_id "
        f"WHERE t.archived = {p} AND (s.back IS NULL OR s.back < CASE seen.which {ended} END)",
        [*(v for start, end in windows for v in (start, end, *came)),
         min(end for _start, end in windows), *came, now, *ahead, *came, False,
         *(end for _start, end in windows)])
    found: list[list[LostPatient]] = [[] for _q in periods]
    for which, pid, last_name, first_name, chart, at, n in rows:
        found[which].append(LostPatient(pid, f"{last_name}, {first_name}", chart,
                                        _dt(at).date(), n))
    lost = [_lost(q, found[i]) for i, q in enumerate(periods)]
    if record:
        record_viewed(actor, report, period)
    if compare:
        return dataclasses.replace(lost[0], previous=lost[1])
    return lost[0]


def _lost(period: Period, out: list[LostPatient]) -> Lost:
    out.sort(key=lambda p: (p.last_visit, p.name, p.patient_id), reverse=True)
    per_month: dict[dt.date, int] = defaultdict(int)
    for p in out:
        went = _months_back(p.last_visit, -LOST_MONTHS)
        per_month[went.replace(day=1)] += 1
    return Lost(period, tuple((m, per_month[m]) for m in period.months()), tuple(out))
