"""Moving in the history: the visits and treatments another system exported (a CSV a row per
visit), matched to the charts already here — by the old system's id (kept on each chart its
patient list brought in) or the chart number, else by name and date of birth — and kept as
that system wrote them (``ImportedVisit``: free text, shown on the chart's timeline, never on
the schedule, never billed).

The same three steps as the patient list (``patient_import``): read the file
(``patient_import.read_source``), a dry run that refuses rows with a reason (no chart matches,
two charts match, a date that is none) and lists rows already imported, then every accepted
row in one transaction or none, audited once with the file's SHA-256.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from peewee import chunked

from ...store.database import db
from ...store.models import ImportedVisit, Patient, User
from ..platform import audit, changes
from ..platform.errors import ValidationError
from ..platform.permissions import allowed, require
from ..platform.text import clean_block, clean_line, fold
from .patient_import import (
    BATCH,
    DATE_ORDERS,
    ImportCancelled,
    Source,
    insert_many,
    parse_day,
    row_names,
    row_value,
)
from .patients import chart_ids

FIELDS: dict[str, str] = {
    "patient_id": "Patient's id (old system or chart no.)",
    "first_name": "First name",
    "last_name": "Last name",
    "full_name": "Full name (when there is no first/last)",
    "dob": "Date of birth",
    "date": "Date of the visit",
    "time": "Time",
    "service": "Service / treatment",
    "provider": "Provider",
    "status": "Status",
    "product": "Product",
    "units": "Units / amount",
    "areas": "Areas",
    "lot": "Lot",
    "details": "Notes / details",
}
SYNONYMS: dict[str, tuple[str, ...]] = {
    "patient_id": ("patient id", "patientid", "client id", "customer id", "id", "chart",
                   "chart number", "chart no", "mrn", "medical record number", "account",
                   "account number", "client", "patient number"),
    "first_name": ("first name", "firstname", "first", "given name", "given", "fname"),
    "last_name": ("last name", "lastname", "last", "surname", "family name", "family",
                  "lname"),
    "full_name": ("name", "full name", "patient name", "patient", "client name",
                  "customer name"),
    "dob": ("dob", "d o b", "date of birth", "birth date", "birthdate", "birthday"),
    "date": ("date", "visit date", "appointment date", "service date", "date of service",
             "treatment date", "appointment", "visit", "start date"),
    "time": ("time", "start", "start time", "appointment time", "visit time"),
    "service": ("service", "treatment", "procedure", "appointment type", "service name",
                "treatment name", "item", "type"),
    "provider": ("provider", "staff", "practitioner", "injector", "employee", "with",
                 "clinician", "provider name", "staff member"),
    "status": ("status", "appointment status", "visit status", "outcome"),
    "product": ("product", "products", "product used", "brand"),
    "units": ("units", "amount", "quantity", "qty", "dose", "syringes"),
    "areas": ("area", "areas", "sites", "site", "treatment area", "treatment areas", "zone"),
    "lot": ("lot", "lot number", "lot no", "batch"),
    "details": ("notes", "details", "comments", "comment", "description", "note",
                "treatment notes"),
}
DETAIL_FIELDS = (("product", "Product"), ("units", "Units"), ("areas", "Areas"),
                 ("lot", "Lot"), ("details", ""))
_TIME = re.compile(r"(\d{1,2})[:.h](\d{2})(?::\d{2}(?:\.\d+)?)?\s*([AaPp]\.?[Mm]\.?)?")


def parse_time(text: str) -> dt.time | None:
    """A time as files write it: 14:30, 2:30 PM, 9.15, 14h30, or at the end of a date."""
    found = list(_TIME.finditer(text))  # the last: "2024-03-05 14:30" holds no other
    if not found:
        return None
    match = found[-1]
    hour, minute, half = int(match.group(1)), int(match.group(2)), match.group(3)
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half[0] in "Pp" else 0)
    if hour > 23 or minute > 59:
        return None
    return dt.time(hour, minute)


@dataclass
class VisitRow:
    line: int
    raw: list[str]
    visit: dict | None  # the ImportedVisit's values, or None when refused
    chart: str = ""  # "000123 Ann Lee": the chart it goes on
    reason: str = ""
    duplicate_of: str = ""  # "already imported" or "line 14 of this file"

    @property
    def is_refused(self) -> bool:
        return self.visit is None


@dataclass
class HistoryPlan:
    source: Source
    mapping: dict[str, int]
    date_order: str
    rows: list[VisitRow]
    include_duplicates: bool = False  # a visit already imported is never imported twice

    @property
    def refused(self) -> list[VisitRow]:
        return [r for r in self.rows if r.visit is None]

    @property
    def duplicates(self) -> list[VisitRow]:
        return [r for r in self.rows if r.visit is not None and r.duplicate_of]

    @property
    def to_write(self) -> list[VisitRow]:
        return [r for r in self.rows if r.visit is not None and not r.duplicate_of]

    def summary(self) -> str:
        charts, count = len({r.chart for r in self.to_write}), len(self.to_write)
        return (f"{count:,} visit{'s' if count != 1 else ''} to import onto {charts:,} chart"
                f"{'s' if charts != 1 else ''}, {len(self.refused):,} refused, "
                f"{len(self.duplicates):,} already imported")


class _Charts:
    """The charts here, by the old system's id, by chart number and by name and birth date
    (a chart merged into another leads to the kept one)."""

    def __init__(self) -> None:
        self.by_id: dict[str, tuple[int, str]] = {}
        self.by_name: dict[tuple, list[tuple[int, str]]] = {}
        query = Patient.select(Patient.id, Patient.chart_number, Patient.first_name,
                               Patient.last_name, Patient.dob, Patient.external_id,
                               Patient.merged_into).tuples()
        rows = list(query.iterator())
        kept = {pid: (pid, f"{chart} {first} {last}")
                for pid, chart, first, last, _dob, _ext, into in rows if into is None}
        for pid, chart, first, last, dob, external, into in rows:
            target = kept.get(into if into is not None else pid)
            if target is None:
                continue
            self.by_id.setdefault(chart, target)
            if external:
                self.by_id.setdefault(external, target)
            if into is None:
                self.by_name.setdefault((fold(last), fold(first), dob), []).append(target)

    def find(self, row: list[str], mapping: dict[str, int], order: str,
             today: dt.date) -> tuple[int, str]:
        wanted = row_value(row, mapping, "patient_id")
        if wanted:
            found = self.by_id.get(wanted) or self.by_id.get(wanted.zfill(6))
            if found is not None:
                return found
        first, last = row_names(row, mapping)
        dob_text = row_value(row, mapping, "dob")
        dob = parse_day(dob_text, order, today) if dob_text else None
        if first and last and dob is not None:
            matches = self.by_name.get((fold(last), fold(first), dob), [])
            if len(matches) == 1:
                return matches[0]
            if len(matches) > 1:
                raise ValidationError(
                    f"{len(matches)} charts are {first} {last} born {dob:%d %b %Y} ("
                    + ", ".join(m[1].split()[0] for m in matches)
                    + "): give the chart number in the id column.")
        who = (f"id {wanted}" if wanted else "") + (
            " or " if wanted and (first or last) else "") + (
            f"{first} {last}".strip() + (f" born {dob:%d %b %Y}" if dob else "")
            if first or last else "")
        raise ValidationError(f"No chart here matches {who or 'this row'}: import the "
                              "patient list first, or correct the row.")


def _visit(row: list[str], mapping: dict[str, int], order: str, today: dt.date) -> dict:
    date_text = row_value(row, mapping, "date")
    if not date_text:
        raise ValidationError("The visit has no date.")
    day = parse_day(date_text, order, today)
    if day is None:
        raise ValidationError(f"'{date_text}' is not a date "
                              f"({DATE_ORDERS[order].split(' (')[0]}).")
    if day > today:
        raise ValidationError(f"{day:%d %b %Y} is still to come: book visits to come on the "
                              "schedule, not as history.")
    time_text = row_value(row, mapping, "time")
    at = parse_time(time_text) if time_text else (parse_time(date_text) or dt.time(0, 0))
    if at is None:
        raise ValidationError(f"'{time_text}' is not a time (like 14:30 or 2:30 PM).")
    service = clean_line(row_value(row, mapping, "service"))
    if not service:
        raise ValidationError("The visit has no service or treatment.")
    details = " · ".join(
        f"{label}: {value}" if label else value
        for key, label in DETAIL_FIELDS
        if (value := clean_block(row_value(row, mapping, key)) if key == "details"
            else clean_line(row_value(row, mapping, key))))
    for value, limit, what in ((service, 120, "service"),
                               (clean_line(row_value(row, mapping, "provider")), 120, "provider"),
                               (clean_line(row_value(row, mapping, "status")), 40, "status"),
                               (details, 4000, "details")):
        if len(value) > limit:
            raise ValidationError(f"The {what} is longer than {limit} characters.")
    return {"at": dt.datetime.combine(day, at), "service": service,
            "provider": clean_line(row_value(row, mapping, "provider")),
            "status": clean_line(row_value(row, mapping, "status")), "details": details}


def plan_history(actor: User, source: Source, mapping: dict[str, int],
                 date_order: str, *, today: dt.date | None = None) -> HistoryPlan:
    """The dry run: every row matched to its chart and checked, or refused with why; rows
    imported before (same chart, time and service) listed. Writes nothing."""
    require(actor, "patient.import")
    if date_order not in DATE_ORDERS:
        raise ValidationError("Choose how the dates are written: " + ", ".join(DATE_ORDERS))
    if "date" not in mapping or "service" not in mapping:
        raise ValidationError("Choose the columns with the visit's date and its service.")
    if "patient_id" not in mapping and not (
            ({"first_name", "last_name"} <= mapping.keys() or "full_name" in mapping)
            and "dob" in mapping):
        raise ValidationError("Choose the column with the patient's id, or the columns with "
                              "the name and date of birth: each visit must find its chart.")
    today = today or dt.date.today()
    charts = _Charts()
    before = {(pid, at, service) for pid, at, service in ImportedVisit.select(
        ImportedVisit.patient, ImportedVisit.at, ImportedVisit.service).tuples().iterator()}
    seen: dict[tuple, int] = {}
    rows = []
    for number, raw in enumerate(source.rows, start=2):
        try:
            patient_id, chart = charts.find(raw, mapping, date_order, today)
            visit = _visit(raw, mapping, date_order, today)
        except ValidationError as refusal:
            rows.append(VisitRow(number, raw, None, reason=str(refusal)))
            continue
        visit["patient"] = patient_id
        row = VisitRow(number, raw, visit, chart)
        key = (patient_id, visit["at"], visit["service"])
        if key in before:
            row.duplicate_of = "a visit already imported"
        elif key in seen:
            row.duplicate_of = f"line {seen[key]} of this file"
        seen.setdefault(key, number)
        rows.append(row)
    return HistoryPlan(source, dict(mapping), date_order, rows)


@dataclass(frozen=True)
class HistoryResult:
    imported: int
    charts: int
    refused: int
    duplicates: int


def run_history(actor: User, plan: HistoryPlan, *,
                progress: Callable[[int, int], None] | None = None,
                cancelled: Callable[[], bool] | None = None) -> HistoryResult:
    """Every accepted visit in one transaction, or none."""
    require(actor, "patient.import")
    chosen = plan.to_write
    if not chosen:
        raise ValidationError("Nothing to import: every row was refused"
                              + (" or is already imported." if plan.duplicates else "."))
    now = dt.datetime.now()
    with db.atomic():
        for done, batch in enumerate(chunked(chosen, BATCH)):
            if cancelled is not None and cancelled():
                raise ImportCancelled("The import was cancelled; nothing was imported.")
            insert_many(ImportedVisit, [
                {**row.visit, "source": plan.source.name[:200],
                 "source_sha256": plan.source.sha256,
                 "imported_by": actor.id, "imported_at": now}
                for row in batch])
            if progress is not None:
                progress(min((done + 1) * BATCH, len(chosen)), len(chosen))
        charts = {row.visit["patient"] for row in chosen}
        audit.record(actor, "patient.import_history", "patient", "",
                     f"{len(chosen)} visits onto {len(charts)} charts imported from "
                     f"{plan.source.name} (sha256 {plan.source.sha256}); "
                     f"{len(plan.refused)} refused, {len(plan.duplicates)} already imported")
        changes.note("history", *sorted(charts))
    return HistoryResult(len(chosen), len(charts), len(plan.refused), len(plan.duplicates))


@dataclass(frozen=True)
class HistoryItem:
    id: int
    at: dt.datetime
    service: str
    provider: str
    status: str
    details: str
    source: str


def patient_history(actor: User, patient_id: int) -> list[HistoryItem]:
    """The visits imported onto this chart (and the charts merged into it), newest first.
    What was done (the details) is for those who may read treatment records."""
    require(actor, "patient.read")
    clinical = allowed(actor, "treatment.read")
    query = (ImportedVisit.select().where(ImportedVisit.patient.in_(chart_ids(patient_id)))
             .order_by(ImportedVisit.at.desc(), ImportedVisit.id.desc()))
    return [HistoryItem(v.id, v.at, v.service, v.provider, v.status,
                        v.details if clinical else "", v.source) for v in query]
