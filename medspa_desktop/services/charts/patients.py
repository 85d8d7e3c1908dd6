"""Patients: registration with validation, search, optimistic-concurrency edits, archiving.

Patients are never deleted; they are archived. Opening a chart is audited.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass, fields

from peewee import chunked, fn

from ...store.database import db
from ...store.models import Appointment, Patient, PatientNamePart, User
from ..platform import audit, changes, limits, stale
from ..platform.errors import NotFound, ValidationError
from ..platform.permissions import require
from ..platform.query import patient_named
from ..platform.text import clean_block, clean_line, digits, fold, name_parts
from ..platform.vocabulary import NOT_ARRIVED_STATUSES

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")
MAX_AGE_YEARS = 120
SEXES = ("", "female", "male", "intersex", "other", "undisclosed")


@dataclass
class PatientInput:
    first_name: str
    last_name: str
    dob: dt.date | None
    preferred_name: str = ""
    sex: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    emergency_contact_name: str = ""
    emergency_contact_phone: str = ""


def normalise_phone(raw: str, label: str = "phone number") -> str:
    """Digits only, 7–15 of them (E.164 allows 15); empty stays empty."""
    raw = raw.strip()
    if not raw:
        return ""
    if re.search(r"[^\d\s()+.\-/]", raw):
        raise ValidationError(f"The {label} may hold only digits, spaces and + ( ) - . /")
    number = digits(raw)
    if not 7 <= len(number) <= 15:
        raise ValidationError(f"The {label} must have 7 to 15 digits; '{raw}' has {len(number)}.")
    return number


def format_phone(number: str) -> str:
    if len(number) == 10:
        return f"({number[:3]}) {number[3:6]}-{number[6:]}"
    if len(number) == 11 and number.startswith("1"):
        return f"+1 ({number[1:4]}) {number[4:7]}-{number[7:]}"
    return number


def validate(data: PatientInput, today: dt.date | None = None) -> PatientInput:
    """A cleaned copy of ``data``, or ValidationError naming the first bad field."""
    today = today or dt.date.today()
    first = clean_line(data.first_name)
    last = clean_line(data.last_name)
    if not first:
        raise ValidationError("Enter the patient's first name.")
    if not last:
        raise ValidationError("Enter the patient's last name.")
    for label, value in (("first name", first), ("last name", last),
                         ("preferred name", clean_line(data.preferred_name))):
        if len(value) > limits.PATIENT_NAME:
            raise ValidationError(f"The {label} must be at most {limits.PATIENT_NAME} characters.")
    if data.dob is None:
        raise ValidationError("Enter the date of birth.")
    if data.dob > today:
        raise ValidationError("The date of birth cannot be in the future.")
    if data.dob < today.replace(year=today.year - MAX_AGE_YEARS):
        raise ValidationError(f"The date of birth is more than {MAX_AGE_YEARS} years ago.")
    if data.sex not in SEXES:
        raise ValidationError("Choose female, male, intersex, other or undisclosed for sex.")
    email = data.email.strip()
    if email and (len(email) > limits.EMAIL or not EMAIL_RE.match(email)):
        raise ValidationError(f"'{email}' is not an email address (like name@example.com).")
    address = clean_block(data.address)
    if len(address) > limits.ADDRESS:
        raise ValidationError(f"The address must be at most {limits.ADDRESS} characters.")
    contact = clean_line(data.emergency_contact_name)
    if len(contact) > limits.FULL_NAME:
        raise ValidationError("The emergency contact's name must be at most "
                              f"{limits.FULL_NAME} characters.")
    return PatientInput(
        first_name=first,
        last_name=last,
        dob=data.dob,
        preferred_name=clean_line(data.preferred_name),
        sex=data.sex,
        phone=normalise_phone(data.phone),
        email=email.lower(),
        address=address,
        emergency_contact_name=contact,
        emergency_contact_phone=normalise_phone(data.emergency_contact_phone,
                                                "emergency contact's phone number"),
    )


def _search_name(data: PatientInput) -> str:
    return fold(f"{data.last_name} {data.first_name} {data.preferred_name}")


def write_name_parts(patient_id: int, search_name: str) -> None:
    """Make the name-search index (``patient_name_part``) hold exactly the parts of
    ``search_name`` for this patient; call inside the transaction that saves the name."""
    PatientNamePart.delete().where(PatientNamePart.patient == patient_id).execute()
    rows = [(part, patient_id) for part in sorted(name_parts(search_name))]
    for batch in chunked(rows, 400):
        PatientNamePart.insert_many(
            batch, fields=[PatientNamePart.part, PatientNamePart.patient]).execute()


def create_patient(actor: User, data: PatientInput) -> Patient:
    require(actor, "patient.write")
    data = validate(data)
    now = dt.datetime.now()
    with db.atomic():
        patient = Patient.create(
            chart_number=f"new-{uuid.uuid4().hex[:16]}",  # fits the column; replaced below
            search_name=_search_name(data),
            created_at=now,
            updated_at=now,
            **{f.name: getattr(data, f.name) for f in fields(PatientInput)},
        )
        # The chart number follows the row id, which the database hands out uniquely even
        # when two PCs register patients at once.
        patient.chart_number = f"{patient.id:06d}"
        patient.save()
        write_name_parts(patient.id, patient.search_name)
        audit.record(actor, "patient.create", "patient", patient.id,
                     f"chart {patient.chart_number}")
        changes.note("patient", patient.id)
    return patient


def update_patient(actor: User, patient_id: int, data: PatientInput, version: int) -> Patient:
    """Save edits made to version ``version``; refused if another PC saved in between."""
    require(actor, "patient.write")
    data = validate(data)
    search_name = _search_name(data)
    with db.atomic():
        values = {f.name: getattr(data, f.name) for f in fields(PatientInput)}
        changed = (
            Patient.update(
                search_name=search_name,
                updated_at=dt.datetime.now(),
                version=Patient.version + 1,
                **values,
            )
            .where(Patient.id == patient_id, Patient.version == version)
            .execute()
        )
        if not changed:
            _raise_missing_or_stale(patient_id)
        write_name_parts(patient_id, search_name)
        audit.record(actor, "patient.update", "patient", patient_id, "details changed")
        changes.note("patient", patient_id)
    return Patient.get_by_id(patient_id)


def archive_patient(actor: User, patient_id: int, reason: str) -> None:
    """Archive a chart: it leaves the lists and cannot be booked, and everything on it stays
    readable. Refused while the patient has appointments still to come (listed), so that
    nobody arrives for a chart the desk cannot find."""
    require(actor, "patient.archive")
    reason = clean_line(reason)
    if not reason:
        raise ValidationError("Give a reason for archiving the patient.")
    if len(reason) > limits.SHORT_REASON:
        raise ValidationError(f"The reason must be at most {limits.SHORT_REASON} characters.")
    with db.atomic():
        patient = Patient.get_or_none(Patient.id == patient_id)
        if patient is None:
            raise NotFound("That patient does not exist.")
        if patient.archived:
            raise ValidationError(f"{display_name(patient)} is already archived.")
        upcoming = _upcoming(patient_id)
        if upcoming:
            listed = "; ".join(f"{a.start:%a %d %b %Y %H:%M} {a.service.name}"
                               for a in upcoming[:5])
            more = f" and {len(upcoming) - 5} more" if len(upcoming) > 5 else ""
            raise ValidationError(
                f"{display_name(patient)} still has {len(upcoming)} appointment"
                f"{'s' if len(upcoming) != 1 else ''} to come ({listed}{more}); cancel "
                "or move them before archiving the chart.")
        Patient.update(archived=True, version=Patient.version + 1,
                       updated_at=dt.datetime.now()).where(Patient.id == patient_id).execute()
        audit.record(actor, "patient.archive", "patient", patient_id,
                     f"chart {patient.chart_number}: {reason}")
        changes.note("patient", patient_id)


def unarchive_patient(actor: User, patient_id: int) -> None:
    """Bring an archived chart back to the lists and to booking. A chart merged into another
    stays archived: its rows are shown on the chart it was merged into."""
    require(actor, "patient.archive")
    with db.atomic():
        patient = Patient.get_or_none(Patient.id == patient_id)
        if patient is None:
            raise NotFound("That patient does not exist.")
        if not patient.archived:
            raise ValidationError(f"{display_name(patient)} is not archived.")
        if patient.merged_into_id is not None:
            into = Patient.get_by_id(patient.merged_into_id)
            raise ValidationError(f"Chart {patient.chart_number} was merged into chart "
                                  f"{into.chart_number}; its records are shown there, and it "
                                  "stays archived.")
        Patient.update(archived=False, version=Patient.version + 1,
                       updated_at=dt.datetime.now()).where(Patient.id == patient_id).execute()
        audit.record(actor, "patient.unarchive", "patient", patient_id,
                     f"chart {patient.chart_number} brought back")
        changes.note("patient", patient_id)


def _upcoming(patient_id: int) -> list[Appointment]:
    """The patient's appointments still to come (booked or confirmed, from now on)."""
    return list(Appointment.select().where(
        Appointment.patient == patient_id, Appointment.start >= dt.datetime.now(),
        Appointment.status.in_(NOT_ARRIVED_STATUSES)).order_by(Appointment.start))


def _raise_missing_or_stale(patient_id: int) -> None:
    if Patient.get_or_none(Patient.id == patient_id) is None:
        raise NotFound("That patient does not exist.")
    stale.refuse(stale.last_change("patient", patient_id, CHANGING_ACTIONS), "this patient",
                 " while you were editing. Your changes were not saved; the details now on "
                 "file are shown.")


CHANGING_ACTIONS = ("patient.update", "patient.archive", "patient.unarchive", "patient.merge")


def refuse_if_merged(patient_id: int) -> None:
    """New writing about a patient goes on the chart a duplicate was merged into, never on
    the duplicate (whose final rows stay where they were written and are read through the
    kept chart)."""
    into = (Patient.select(Patient.merged_into).where(Patient.id == patient_id)
            .scalar())
    if into is not None:
        kept = Patient.get_by_id(into)
        raise ValidationError(f"This chart was merged into chart {kept.chart_number} "
                              f"({display_name(kept)}): write there.")


def kept_chart(patient_id: int) -> int:
    """The chart a patient's new rows go on: the one a duplicate was merged into (followed to
    the end), or the chart itself."""
    seen = set()
    while patient_id not in seen:
        seen.add(patient_id)
        into = (Patient.select(Patient.merged_into).where(Patient.id == patient_id)
                .scalar())
        if into is None:
            break
        patient_id = into
    return patient_id


def chart_ids(patient_id: int) -> list[int]:
    """The charts whose rows are this patient's: the chart itself and every duplicate merged
    into it. Records that are final (signed notes, charted treatments, consents, photos,
    invoices, packages, intake answers, stock drawn) stay on the chart they were written on and
    are read through this (docs/domain.md, "Merging duplicate charts")."""
    merged = Patient.select(Patient.id).where(Patient.merged_into == patient_id).tuples()
    return [patient_id, *sorted(pid for (pid,) in merged)]


def chart_owners(patient_ids) -> dict[int, int]:
    """``chart_ids`` of many patients in one query: each chart (the patients' own and the
    duplicates merged into them) -> the patient whose rows it holds."""
    ids = list(dict.fromkeys(patient_ids))
    owners = {pid: pid for pid in ids}
    if ids:
        for chart_id, into in (Patient.select(Patient.id, Patient.merged_into)
                               .where(Patient.merged_into.in_(ids)).tuples()):
            owners[chart_id] = into
    return owners


def patient_details(actor: User, patient_id: int) -> Patient:
    """The patient's details as they are on file now (to edit them; not a chart opening)."""
    require(actor, "patient.read")
    patient = Patient.get_or_none(Patient.id == patient_id)
    if patient is None:
        raise NotFound("That patient does not exist.")
    return patient


def open_chart(actor: User, patient_id: int) -> Patient:
    """The patient's record, for viewing; the access is audited."""
    require(actor, "patient.read")
    with db.atomic():
        patient = Patient.get_or_none(Patient.id == patient_id)
        if patient is None:
            raise NotFound("That patient does not exist.")
        audit.record(actor, "patient.open", "patient", patient_id, "chart opened")
    return patient


@dataclass(frozen=True)
class PatientRow:
    id: int
    chart_number: str
    name: str  # "Last, First (Preferred)"
    dob: dt.date
    phone: str  # formatted
    email: str
    next_appointment: dt.datetime | None
    archived: bool

    @property
    def age(self) -> int:
        return age_on(self.dob, dt.date.today())


def age_on(dob: dt.date, day: dt.date) -> int:
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


def display_name(p: Patient) -> str:
    return listed_name(p.first_name, p.last_name, p.preferred_name)


def listed_name(first: str, last: str, preferred: str) -> str:
    """How lists show a patient: "Last, First (Preferred)"."""
    return f"{last}, {first}" + (f" ({preferred})" if preferred else "")


DATE_FORMATS_HINT = "YYYY-MM-DD, MM/DD/YYYY or DD.MM.YYYY"


def parse_date(text: str) -> dt.date | None:
    """A date typed as 2001-04-17, 04/17/2001 or 17.04.2001; None if it is none of those."""
    text = text.strip()
    for pattern in ("%Y-%m-%d", "%m/%d/%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def search_patients(
    actor: User, query: str = "", *, limit: int = 200, offset: int = 0,
    include_archived: bool = False,
) -> list[PatientRow]:
    """Patients matching ``query``: every word a part of the name (accents and case ignored;
    answered through the name-search index, see ``query.name_condition``), or phone digits /
    chart number, or a date of birth (2001-04-17, 04/17/2001, 17.04.2001). Three statements
    at most, whatever the number of rows."""
    require(actor, "patient.read")
    q = Patient.select()
    if not include_archived:
        q = q.where(~Patient.archived)
    text = query.strip()
    day = parse_date(text)
    if day is not None:
        q = q.where(Patient.dob == day)
    elif text and digits(text) and not re.search(r"[^\d\s()+.\-/]", text):
        number = digits(text)
        q = q.where(Patient.phone.contains(number) | (Patient.chart_number == number.zfill(6)))
    else:
        q = patient_named(q, text)
    patients = list(q.order_by(Patient.search_name, Patient.id).offset(offset).limit(limit))
    upcoming = _next_appointments([p.id for p in patients])
    return [
        PatientRow(p.id, p.chart_number, display_name(p), p.dob, format_phone(p.phone),
                   p.email, upcoming.get(p.id), p.archived)
        for p in patients
    ]


def _next_appointments(patient_ids: list[int]) -> dict[int, dt.datetime]:
    if not patient_ids:
        return {}
    rows = (
        Appointment.select(Appointment.patient, fn.MIN(Appointment.start).alias("next_start"))
        .where(
            Appointment.patient.in_(patient_ids),
            Appointment.start >= dt.datetime.now(),
            Appointment.status.in_(NOT_ARRIVED_STATUSES),
        )
        .group_by(Appointment.patient)
        .tuples()
    )
    result = {}
    for pid, start in rows:
        result[pid] = start if isinstance(start, dt.datetime) else dt.datetime.fromisoformat(start)
    return result


def possible_duplicates(actor: User, data: PatientInput) -> list[PatientRow]:
    """Patients who may be the same person: the same name (accents and case aside) and date
    of birth, or the same phone number. Archived charts count too."""
    require(actor, "patient.read")
    first, last = fold(clean_line(data.first_name)), fold(clean_line(data.last_name))
    conditions = []
    if first and last and data.dob is not None:
        conditions.append((Patient.dob == data.dob)
                          & Patient.search_name.startswith(f"{last} {first}"))
    try:
        phone = normalise_phone(data.phone)
    except ValidationError:
        phone = ""
    if phone:
        conditions.append(Patient.phone == phone)
    if not conditions:
        return []
    where = conditions[0] if len(conditions) == 1 else conditions[0] | conditions[1]
    found = list(Patient.select().where(where).order_by(Patient.id).limit(20))
    found = [p for p in found if p.phone == phone or (
        fold(p.first_name) == first and fold(p.last_name) == last and p.dob == data.dob)]
    upcoming = _next_appointments([p.id for p in found])
    return [PatientRow(p.id, p.chart_number, display_name(p), p.dob, format_phone(p.phone),
                       p.email, upcoming.get(p.id), p.archived) for p in found]
