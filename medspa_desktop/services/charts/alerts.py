"""Alerts shown before booking or treating: the chart's alerts banner (allergies, pregnancy,
isotretinoin, blood thinners, …) and the contraindications of this service's category for
this patient (``contraindications.RULES``), worded for the person at the desk.

Two items are notices rather than alerts (``tone``): a patient with no medical history on
file (never "no alerts": nobody has asked), and fast-changing answers older than the clinic's
review period, to re-confirm before treating."""

from __future__ import annotations

import datetime as dt

from ...store.models import Patient, Service, User
from ..clinic import clinical_periods
from ..platform.permissions import require
from . import contraindications, intake
from .patients import age_on

NO_HISTORY = "No medical history on file"


def is_notice(item: str) -> bool:
    """A notice asks for the history to be taken or re-confirmed; it is not a finding."""
    return item == NO_HISTORY or item.startswith(contraindications.REVIEW_PREFIX)


def tone(items: list[str] | tuple[str, ...]) -> str:
    """How a list of alerts is shown: "alert" (red) when anything is a finding, "notice"
    (amber) when all are notices, "clear" (green) only when there is nothing to say, which
    a patient without a medical history never is."""
    if not items:
        return "clear"
    return "notice" if all(is_notice(i) for i in items) else "alert"


def _record(actor: User, patient_id: int) -> tuple[Patient | None, dict]:
    """The patient and their current answers, read once for everything below."""
    require(actor, "patient.read")
    patient = Patient.get_or_none(Patient.id == patient_id)
    return patient, (intake.current_answers(actor, patient_id) if patient else {})


def _history_notice(answers: dict, on: dt.date, days: int | None = None) -> str | None:
    if not intake.has_history(answers):
        return NO_HISTORY
    days = clinical_periods.intake_review_days() if days is None else days
    return contraindications.review_notice(answers, on, days,
                                           clinical_periods.describe_days(days))


def _findings(patient: Patient, answers: dict, category: str,
              on: dt.date) -> list[contraindications.Finding]:
    return contraindications.findings(answers, category, age_on(patient.dob, on), on)


def _banner(patient: Patient, answers: dict, on: dt.date,
            review_days: int | None = None, into_number: str | None = None) -> list[str]:
    items = contraindications.banner(answers, on)
    if patient.merged_into_id is not None:
        if into_number is None:
            into_number = Patient.get_by_id(patient.merged_into_id).chart_number
        items.insert(0, f"This chart was merged into chart {into_number}: its records "
                        "are shown there.")
    elif patient.archived:
        items.insert(0, "This chart is archived.")
    age = age_on(patient.dob, on)
    if age < 18:
        items.append(f"Minor ({age}): a guardian must consent.")
    notice = _history_notice(answers, on, review_days)
    if notice:
        items.append(notice)
    return items


def patient_findings(actor: User, patient_id: int, category: str,
                     on: dt.date | None = None) -> list[contraindications.Finding]:
    patient, answers = _record(actor, patient_id)
    return _findings(patient, answers, category, on or dt.date.today()) if patient else []


def chart_banner(actor: User, patient_id: int, on: dt.date | None = None) -> list[str]:
    """The alerts banner shown on the chart and in the booking dialog."""
    patient, answers = _record(actor, patient_id)
    return _banner(patient, answers, on or dt.date.today()) if patient else []


def banner_of(patient: Patient, answers: dict, on: dt.date, into_number: str,
              review_days: int) -> list[str]:
    """``chart_banner`` from what a chart's opening has read already (the patient, its
    answers, the number of the chart it was merged into, the clinic's review period): no
    query."""
    return _banner(patient, answers, on, review_days, into_number=into_number or None)


def history_notice(actor: User, patient_id: int, on: dt.date | None = None) -> str | None:
    """The medical history's notice alone (none on file, or answers to re-confirm), or None
    when it is current: what check-in asks the desk to have reviewed."""
    patient, answers = _record(actor, patient_id)
    return _history_notice(answers, on or dt.date.today()) if patient else None


def booking_alerts(actor: User, patient_id: int, service_id: int | None,
                   on: dt.date | None = None) -> list[str]:
    """The banner plus this service's contraindications, each said once."""
    on = on or dt.date.today()
    patient, answers = _record(actor, patient_id)
    if patient is None:
        return []
    items = _banner(patient, answers, on)
    service = Service.get_or_none(Service.id == service_id) if service_id else None
    if service is not None:
        _add_findings(items, patient, answers, service.category, on)
        # the re-treatment interval (a neurotoxin too soon)
        from ..treatments import treatment_records
        items += treatment_records.interval_alerts(actor, patient_id, service.category, on)
    return items


def _add_findings(items: list[str], patient: Patient, answers: dict, category: str,
                  on: dt.date) -> None:
    for finding in _findings(patient, answers, category, on):
        if finding.message not in items:
            items.append(("Contraindicated: " if finding.blocking else "Caution: ")
                         + finding.message)


def visit_alerts(actor: User, visits, *, review_days: int | None = None,
                 toxin_days: int | None = None) -> dict[int, tuple[str, ...]]:
    """``booking_alerts`` of many booked visits at once (the schedule's day or week, the day
    sheet), read in a handful of queries whatever their number: appointment id -> its
    alerts. ``visits`` are ``appointments.AppointmentRow``s (id, patient_id, category_key,
    start). The clinic's periods (``clinical_periods``) are read here unless given: the
    schedule reads them with its other settings, in one query (on a server every query is
    a round trip)."""
    require(actor, "patient.read")
    visits = list(visits)
    if not visits:
        return {}
    from ..treatments import treatment_records

    ids = sorted({v.patient_id for v in visits})
    # the patients and the duplicates merged into them (whose answers and treatments are
    # theirs, ``patients.chart_owners``) in one query
    wanted = set(ids)
    patients, owners = {}, {pid: pid for pid in ids}
    for p in Patient.select().where(Patient.id.in_(ids) | Patient.merged_into.in_(ids)):
        if p.id in wanted:
            patients[p.id] = p
        if p.merged_into_id in wanted:
            owners[p.id] = p.merged_into_id
    answers = intake.current_answers_of(actor, ids, owners=owners)
    if review_days is None:
        review_days = clinical_periods.intake_review_days()
    toxins = treatment_records.interval_alerts_of(
        actor, [(v.patient_id, v.start.date()) for v in visits
                if v.category_key == "neurotoxin"], owners=owners, days=toxin_days)
    found = {}
    for v in visits:
        patient, on = patients.get(v.patient_id), v.start.date()
        if patient is None:
            found[v.id] = ()
            continue
        mine = answers.get(v.patient_id, {})
        items = _banner(patient, mine, on, review_days)
        _add_findings(items, patient, mine, v.category_key, on)
        items += toxins.get((v.patient_id, on), [])
        found[v.id] = tuple(items)
    return found
