"""Patients due: the lists the front desk calls from (or sends a recall email to), not to be
confused with a lot recall (``treatments/inventory.recall``: everyone who received a lot).

Four lists, each of patients with an open chart and nothing booked for what they are due:

* **toxin** — last neurotoxin visit between the clinic's re-treatment interval
  (``clinical_periods.toxin_interval_days``, 90 days unless set) and 120 days ago, both days
  counted;
* **filler** — last filler visit between 9 and 12 months ago (the filler review interval of
  ``scheduling/rebooking.py``, 270 days, to 365);
* **series** — a course with sessions left and none of them booked;
* **lapsed** — no visit in 6 months (182 days) but one within 2 years (730 days: a patient
  gone longer is lost, not lapsed — the Reports tab counts them) and nothing booked at all;
  the most recently lapsed first (the likeliest to come back); a patient already on
  the toxin, filler or series list is called for that and not listed again here. Visits
  imported from the system the clinic moved in from count (except those it marked cancelled
  or missed), so a clinic that just moved in has its lapsed patients from the first day.

A visit is an appointment the patient came to (arrived and on). "Booked" is an appointment
still to come (booked or confirmed, from today on). Each list is read in a fixed number of
queries however many patients the clinic has.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from peewee import fn

from ...store.models import Appointment, ImportedVisit, Patient, Series, Service, User
from ..charts import patients
from ..clinic import clinical_periods
from ..platform import exports
from ..platform.permissions import require
from ..platform.vocabulary import CAME_IN_STATUSES, NOT_ARRIVED_STATUSES
from ..scheduling.rebooking import USUAL_INTERVAL_DAYS
from . import contact_consent

TOXIN_DUE_UNTIL_DAYS = 120  # past this the patient is lapsed from toxin, not "due"
FILLER_DUE_FROM_DAYS = USUAL_INTERVAL_DAYS["filler"]  # 9 months
FILLER_DUE_UNTIL_DAYS = 365  # 12 months
LAPSED_DAYS = 182  # no visit in 6 months
LAPSED_UNTIL_DAYS = 730  # …but one within 2 years: past that a recall call is a cold call

LISTS = {"toxin": "Toxin due", "filler": "Filler due", "series": "Unfinished series",
         "lapsed": "Lapsed"}


@dataclass(frozen=True)
class DueRow:
    list: str  # toxin | filler | series | lapsed (LISTS)
    patient_id: int
    name: str  # "Last, First (Preferred)"
    chart_number: str
    phone: str  # formatted
    email: str
    last_visit: dt.date | None  # the patient's last visit of any kind
    due: str  # what is due, in words
    days: int  # days since the visit that makes them due (for sorting)
    marketing: bool  # may be sent a recall email (agreed to marketing, has an email address)
    service: str = ""  # the treatment due ("" for lapsed)
    since: dt.date | None = None  # the visit that makes them due
    left: int = 0  # sessions left (series)


@dataclass(frozen=True)
class DueLists:
    day: dt.date
    toxin: tuple[DueRow, ...]
    filler: tuple[DueRow, ...]
    series: tuple[DueRow, ...]
    lapsed: tuple[DueRow, ...]

    def rows(self, name: str) -> tuple[DueRow, ...]:
        return getattr(self, name)

    def all_rows(self) -> list[DueRow]:
        return [row for name in LISTS for row in self.rows(name)]


def toxin_window() -> tuple[int, int]:
    """(from, until) days since the last neurotoxin visit, both counted."""
    low = clinical_periods.toxin_interval_days()
    return low, max(TOXIN_DUE_UNTIL_DAYS, low + 30)


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time())


def _last_visits(category: str | None) -> dict[int, tuple[dt.datetime, str]]:
    """Per patient: the start of their last visit (of ``category``, or any) and its service."""
    query = (Appointment.select(Appointment.patient, fn.MAX(Appointment.start))
             .join(Service).where(Appointment.status.in_(CAME_IN_STATUSES)))
    if category is not None:
        query = query.where(Service.category == category)
    last = {pid: at for pid, at in query.group_by(Appointment.patient).tuples()}
    if category is None:
        for pid, at in _imported_visits().items():  # the system the clinic moved in from
            if pid not in last or at > last[pid]:
                last[pid] = at
        return {pid: (at, "") for pid, at in last.items()}
    names = {}
    if last:
        rows = (Appointment.select(Appointment.patient, Appointment.start, Service.name)
                .join(Service)
                .where(Appointment.status.in_(CAME_IN_STATUSES), Service.category == category,
                       Appointment.start.in_(list(set(last.values()))))
                .tuples())
        names = {pid: name for pid, at, name in rows if last.get(pid) == at}
    return {pid: (at, names.get(pid, "")) for pid, at in last.items()}


def _imported_visits() -> dict[int, dt.datetime]:
    """Per patient: their last visit in the history imported from the system the clinic
    moved in from (not one the old system marked cancelled or missed), on the chart it now
    belongs to (a merged duplicate's on the kept chart)."""
    status = ImportedVisit.status
    rows = (ImportedVisit.select(ImportedVisit.patient, fn.MAX(ImportedVisit.at))
            .where(~status.contains("cancel"), ~status.contains("no show"),
                   ~status.contains("no-show"), ~status.contains("noshow"),
                   ~status.contains("missed"))
            .group_by(ImportedVisit.patient).tuples())
    last = dict(rows)
    owners = dict(Patient.select(Patient.id, Patient.merged_into)
                  .where(Patient.merged_into.is_null(False)).tuples()) if last else {}
    found: dict[int, dt.datetime] = {}
    for chart_id, at in last.items():
        pid = owners.get(chart_id, chart_id)
        if pid not in found or at > found[pid]:
            found[pid] = at
    return found


def _booked(day: dt.date, category: str | None) -> set[int]:
    """Patients with something still to come from ``day`` on (of ``category``, or any)."""
    query = (Appointment.select(Appointment.patient).distinct().join(Service)
             .where(Appointment.status.in_(NOT_ARRIVED_STATUSES),
                    Appointment.start >= _start_of(day)))
    if category is not None:
        query = query.where(Service.category == category)
    return {pid for (pid,) in query.tuples()}


def _open_charts(ids: Iterable[int]) -> dict[int, Patient]:
    ids = list(set(ids))
    found: dict[int, Patient] = {}
    for start in range(0, len(ids), 500):
        for p in Patient.select().where(Patient.id.in_(ids[start:start + 500]),
                                        Patient.archived == False,  # noqa: E712 (SQL)
                                        Patient.merged_into.is_null()):
            found[p.id] = p
    return found


def patients_due(actor: User, day: dt.date | None = None) -> DueLists:
    """The four lists as of ``day`` (today when not given)."""
    require(actor, "patient.read")
    day = day or dt.date.today()
    every_last = _last_visits(None)
    # list -> (patient, days since, what is due, service, since, sessions left)
    candidates: dict[str, list[tuple]] = {name: [] for name in LISTS}

    for name, category, (low, high) in (
            ("toxin", "neurotoxin", toxin_window()),
            ("filler", "filler", (FILLER_DUE_FROM_DAYS, FILLER_DUE_UNTIL_DAYS))):
        booked = _booked(day, category)
        for pid, (at, service) in _last_visits(category).items():
            days = (day - at.date()).days
            if low <= days <= high and pid not in booked:
                candidates[name].append((pid, days, f"{service}, {days} days ago "
                                         f"({at:%d %b %Y})", service, at.date(), 0))

    candidates["series"] = _unfinished_series(day)

    called = {row[0] for name in ("toxin", "filler", "series") for row in candidates[name]}
    anything_booked = _booked(day, None)
    for pid, (at, _s) in every_last.items():
        days = (day - at.date()).days
        if (LAPSED_DAYS <= days <= LAPSED_UNTIL_DAYS and pid not in anything_booked
                and pid not in called):
            candidates["lapsed"].append((pid, days, f"No visit since {at:%d %b %Y} "
                                         f"({days} days)", "", at.date(), 0))

    charts = _open_charts(row[0] for rows in candidates.values() for row in rows)
    marketing = contact_consent.agreeing(list(charts), "marketing")
    lists = {}
    for name, rows in candidates.items():
        out = []
        for pid, days, what, service, since, left in rows:
            p = charts.get(pid)
            if p is None:
                continue
            last = every_last.get(pid)
            out.append(DueRow(name, pid, patients.listed_name(p.first_name, p.last_name,
                                                              p.preferred_name),
                              p.chart_number, patients.format_phone(p.phone), p.email,
                              last[0].date() if last else None, what, days,
                              pid in marketing and bool(p.email), service, since, left))
        # the most overdue first (about to leave the list), lapsed the most recent first
        out.sort(key=lambda r: (r.days if name == "lapsed" else -r.days, r.name.casefold()))
        lists[name] = tuple(out)
    return DueLists(day, **lists)


def _unfinished_series(day: dt.date) -> list[tuple]:
    """(patient, days since the last session, what, service, last session, sessions left)
    for courses with sessions left and none booked."""
    done: dict[int, tuple[int, dt.datetime]] = {}
    for sid, count, last in (Appointment.select(Appointment.series, fn.COUNT(Appointment.id),
                                                fn.MAX(Appointment.start))
                             .where(Appointment.series.is_null(False),
                                    Appointment.status.in_(CAME_IN_STATUSES))
                             .group_by(Appointment.series).tuples()):
        done[sid] = (count, last)
    booked = {sid for (sid,) in Appointment.select(Appointment.series).distinct().where(
        Appointment.series.is_null(False), Appointment.status.in_(NOT_ARRIVED_STATUSES),
        Appointment.start >= _start_of(day)).tuples()}
    rows = []
    for series in (Series.select(Series, Service.name).join(Service)
                   .where(Series.id.in_(list(done)))):
        count, last = done[series.id]
        if count >= series.sessions or series.id in booked:
            continue
        days = (day - last.date()).days
        left = series.sessions - count
        rows.append((series.patient_id, days,
                     f"{series.service.name}: {count} of {series.sessions} sessions done, "
                     f"{left} left, none booked; last {last:%d %b %Y}",
                     series.service.name, last.date(), left))
    return rows


def due_csv(lists: DueLists) -> str:
    """Every list as one CSV (``exports``' guard against cells read as formulas)."""
    return exports.csv_text(
        ("List", "Patient", "Chart", "Phone", "Email", "Last visit", "What is due",
         "Agreed to recall emails"),
        ((LISTS[r.list], r.name, r.chart_number, r.phone, r.email, r.last_visit, r.due,
          "yes" if r.marketing else "no") for r in lists.all_rows()))
