"""What the chart window shows: the header with its alerts banner, and the timeline of
appointments, notes, photos, consents, treatments and old-system visits, newest first.
Opening a chart is audited.

On a clinic's server every statement is a round trip, so ``open_chart`` reads what the window
shows as it opens in a handful: the patient with the charts merged into it and the clinic's
review period for its alerts (one query, once
per opening, passed down to every part and never kept across openings), the medical
history's answers, and the whole
timeline in ONE query (a UNION ALL with one arm per kind, each worded as that kind's own
listing words it); the opening and the portrait's photo are audited in one transaction.
``tests/services/charts/test_chart_round_trips.py`` pins the count and the wording."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import operator
from dataclasses import dataclass

from peewee import JOIN, SQL, Case, Value, fn

from ...store.database import db, is_sqlite
from ...store.models import (
    Appointment,
    ClinicSetting,
    Consent,
    ConsentTemplate,
    ImportedVisit,
    Note,
    NoteAddendum,
    Patient,
    Photo,
    Room,
    Service,
    TreatmentRecord,
    User,
)
from ..consents import signing
from ..platform import audit
from ..platform.errors import DomainError, NotFound
from ..platform.permissions import allowed, require
from ..platform.settings import INTAKE_REVIEW_DAYS
from ..platform.staff import signed_name
from ..platform.vocabulary import AppointmentStatus, NoteStatus
from ..treatments import treatment_records
from . import alerts, intake, patients, photos


@dataclass(frozen=True)
class ChartHeader:
    patient_id: int
    name: str
    preferred_name: str
    chart_number: str
    dob: dt.date
    age: int
    phone: str
    email: str
    fitzpatrick: str
    alerts: tuple[str, ...]
    archived: bool
    version: int
    merged_into: str = ""  # the chart number this one was merged into


@dataclass(frozen=True)
class TimelineItem:
    when: dt.datetime
    kind: str  # appointment | note | photo | consent | treatment (ref_id: its appointment)
    #            | history (a visit imported from the old system)
    title: str
    detail: str
    ref_id: int


@dataclass(frozen=True)
class ChartOpen:
    """Everything a chart window shows as it opens, read in a handful of queries: the
    header with its alerts, the timeline (``kinds`` of it), and the newest photo's bytes for
    the portrait (None: no photo, not asked for, not allowed, or its file is damaged)."""

    header: ChartHeader
    timeline: list[TimelineItem]
    charts: tuple[int, ...]  # the chart and those merged into it (read for this opening)
    portrait: bytes | None = None


@dataclass(frozen=True)
class _Charts:
    """A patient and the charts whose records are theirs, read in one query for one opening
    of the chart (never kept across openings: a merge made since must show)."""

    patient: Patient
    ids: tuple[int, ...]  # the patient's own chart first, then those merged into it
    into_number: str  # the chart number this one was merged into, or ""
    review_days: int  # the clinic's review period of the medical history (read with it)


def _charts(patient_id: int) -> _Charts:
    """The patient, the charts merged into it, the chart it was merged into and the clinic's
    review period its alerts need: one query (``patients.chart_ids``, ``merge.merged_into``
    and ``clinical_periods.intake_review_days`` in one)."""
    into = Patient.alias()
    review = (ClinicSetting.select(ClinicSetting.value)
              .where(ClinicSetting.key == INTAKE_REVIEW_DAYS.key))
    rows = list(Patient.select(Patient, into.chart_number.alias("into_number"),
                               review.alias("review_days"))
                .join(into, JOIN.LEFT_OUTER, on=(Patient.merged_into == into.id))
                .where((Patient.id == patient_id) | (Patient.merged_into == patient_id))
                .objects())
    patient = next((p for p in rows if p.id == patient_id), None)
    if patient is None:
        raise NotFound("That patient does not exist.")
    merged = sorted(p.id for p in rows if p.id != patient_id)
    return _Charts(patient, (patient_id, *merged), patient.into_number or "",
                   INTAKE_REVIEW_DAYS.parse(patient.review_days))


def _header(actor: User, found: _Charts, today: dt.date) -> ChartHeader:
    p = found.patient
    answers = intake.current_answers(actor, p.id, found.ids)
    skin = answers.get("fitzpatrick")
    return ChartHeader(
        p.id, f"{p.first_name} {p.last_name}", p.preferred_name, p.chart_number, p.dob,
        patients.age_on(p.dob, today), patients.format_phone(p.phone), p.email,
        intake.FITZPATRICK.get(skin.value, "not recorded") if skin else "not recorded",
        tuple(alerts.banner_of(p, answers, today, found.into_number, found.review_days)),
        p.archived, p.version,
        found.into_number)


def header(actor: User, patient_id: int, today: dt.date | None = None, *,
           opening: bool = True) -> ChartHeader:
    """The chart's header. ``opening`` records the access; refreshing a chart that is already
    open (after saving its medical history) is not a new access and is not logged again."""
    require(actor, "patient.read")
    today = today or dt.date.today()
    found = _charts(patient_id)
    if opening:
        with db.atomic():
            audit.record(actor, "patient.open", "patient", patient_id, "chart opened")
    return _header(actor, found, today)


def open_chart(actor: User, patient_id: int, kinds: set[str] | None = None, *,
               portrait: bool = False, today: dt.date | None = None,
               opening: bool = True) -> ChartOpen:
    """Open a chart: the header, alerts and timeline (and the portrait, when asked for and
    allowed) with the patient's merged charts resolved once for all of them. The opening is
    audited, and so is the portrait's photo, both in one transaction. ``opening=False``
    re-reads a chart already open (after a change to it): not a new access, not logged again
    (the portrait is not read then)."""
    require(actor, "patient.read")
    today = today or dt.date.today()
    found = _charts(patient_id)
    head = _header(actor, found, today)
    items, files = _read_timeline(actor, patient_id, found.ids, kinds)
    picture, photo_id = None, None
    if not opening:
        return ChartOpen(head, items, found.ids, None)
    if portrait and allowed(actor, "photos.read"):
        shown = _newest_photo(found.ids, kinds, files)
        if shown is not None:
            with contextlib.suppress(DomainError):
                picture, photo_id = photos.checked_bytes(shown), shown.id
    with db.atomic():
        audit.record(actor, "patient.open", "patient", patient_id, "chart opened")
        if photo_id is not None:
            photos.record_view(actor, shown)
    return ChartOpen(head, items, found.ids, picture)


def _newest_photo(ids: tuple[int, ...], kinds: set[str] | None,
                  files: dict[int, tuple[dt.date, int, str, str]]) -> Photo | None:
    """The newest photo (by the day it was taken, then the last imported): the timeline's
    when it lists photos, else read."""
    if kinds is None or "photo" in kinds:
        if not files:
            return None
        newest = max(files, key=lambda pid: (files[pid][0], pid))
        _taken, chart_id, sha, extension = files[newest]
        return Photo(id=newest, patient=chart_id, sha256=sha, extension=extension)
    return (Photo.select().where(Photo.patient.in_(ids), ~Photo.archived)
            .order_by(Photo.taken_on.desc(), Photo.id.desc()).first())


def timeline(actor: User, patient_id: int, kinds: set[str] | None = None) -> list[TimelineItem]:
    """Appointments (past and upcoming), notes, photos, consents, treatments and old-system
    visits, newest first; ``kinds`` filters. Two queries: the merged charts, the rows."""
    require(actor, "patient.read")
    return _read_timeline(actor, patient_id, tuple(patients.chart_ids(patient_id)), kinds)[0]


STATUS_LABELS = AppointmentStatus.labels()
_NULL = SQL("NULL")
_TEXTS = 6  # text columns of a timeline row


def _row(kind: str, at, at2, ref, n, *texts) -> list:
    """One arm of the timeline's query: kind, when, a second date (a note's creation), the
    row's id, a number, and up to six texts, the same columns in every arm."""
    return [Value(kind), at, at2, ref, n, *texts, *[_NULL] * (_TEXTS - len(texts))]


def _when(value) -> dt.datetime:
    """A date or time as the union returns it (a string on SQLite)."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    return value


def _read_timeline(actor: User, patient_id: int, ids: tuple[int, ...],
                   kinds: set[str] | None
                   ) -> tuple[list[TimelineItem], dict[int, tuple[dt.date, int, str, str]]]:
    """The timeline in ONE query (a UNION ALL of one arm per kind, for the patient and the
    charts merged into it), worded as each kind's own listing words it; and the photos'
    files (id -> taken on, its chart, sha256, extension) for the portrait."""
    def wanted(kind: str) -> bool:
        return kinds is None or kind in kinds

    arms = []
    if wanted("appointment"):
        require(actor, "schedule.read")
        provider = User.alias()
        arms.append(Appointment.select(*_row(
            "appointment", Appointment.start, _NULL, Appointment.id,
            Case(None, ((Appointment.late_cancel, 1),), 0), Service.name, Appointment.status,
            provider.display_name, Room.name))
            .join(Service, on=(Appointment.service == Service.id))
            .switch(Appointment).join(provider, JOIN.LEFT_OUTER,
                                      on=(Appointment.provider == provider.id))
            .switch(Appointment).join(Room, JOIN.LEFT_OUTER, on=(Appointment.room == Room.id))
            .where(Appointment.patient == patient_id))
    readable = allowed(actor, "notes.read")
    clinical = allowed(actor, "treatment.read")
    if wanted("note"):
        author, signer = User.alias(), User.alias()
        addenda = (NoteAddendum.select(fn.COUNT(NoteAddendum.id))
                   .where(NoteAddendum.note == Note.id))
        arms.append(Note.select(*_row(
            "note", fn.COALESCE(Note.signed_at, Note.created_at), Note.created_at, Note.id,
            addenda, author.display_name, Note.status, signer.display_name))
            .join(author, on=(Note.author == author.id))
            .switch(Note).join(signer, JOIN.LEFT_OUTER, on=(Note.signed_by == signer.id))
            .where(Note.patient.in_(ids)))
    if wanted("photo") and allowed(actor, "photos.read"):
        importer = User.alias()
        taken = Photo.taken_on if is_sqlite() else Photo.taken_on.cast("timestamp")
        arms.append(Photo.select(*_row(
            "photo", taken, _NULL, Photo.id, Photo.patient, Photo.tag, Photo.area,
            importer.display_name, Photo.sha256, Photo.extension))
            .join(importer, JOIN.LEFT_OUTER, on=(Photo.imported_by == importer.id))
            .where(Photo.patient.in_(ids), ~Photo.archived))
    if wanted("consent"):
        require(actor, "consent.read")
        witness = User.alias()
        arms.append(Consent.select(*_row(
            "consent", Consent.signed_at, _NULL, Consent.id, ConsentTemplate.version,
            Consent.category, Consent.method, Consent.signer_name, Consent.guardian_relation,
            witness.display_name, witness.credentials))
            .join(ConsentTemplate, on=(Consent.template == ConsentTemplate.id))
            .switch(Consent).join(witness, on=(Consent.witness == witness.id))
            .where(Consent.patient.in_(ids)))
    if wanted("treatment") and clinical:
        provider = User.alias()
        arms.append(TreatmentRecord.select(*_row(
            "treatment", Appointment.start, _NULL, TreatmentRecord.appointment, _NULL,
            TreatmentRecord.modality, Service.name, TreatmentRecord.parameters,
            provider.display_name))
            .join(Appointment, on=(TreatmentRecord.appointment == Appointment.id))
            .join(Service, on=(Appointment.service == Service.id))
            .switch(TreatmentRecord).join(provider,
                                          on=(TreatmentRecord.provider == provider.id))
            .where(TreatmentRecord.patient.in_(ids)))
    if wanted("history"):
        arms.append(ImportedVisit.select(*_row(
            "history", ImportedVisit.at, _NULL, ImportedVisit.id, _NULL, ImportedVisit.service,
            ImportedVisit.provider, ImportedVisit.status, ImportedVisit.details,
            ImportedVisit.source))
            .where(ImportedVisit.patient.in_(ids)))
    if not arms:
        return [], {}
    rows = list(functools.reduce(operator.add, arms).tuples())
    by_kind: dict[str, list] = {}
    for kind, at, at2, ref, n, *texts in rows:
        by_kind.setdefault(kind, []).append((_when(at), _when(at2) if at2 else None, ref, n,
                                             texts))
    items: list[TimelineItem] = []
    files: dict[int, tuple[dt.date, int, str, str]] = {}
    # each kind in the order its own listing gives, then all of them newest first
    for at, _at2, ref, late, (service, status, provider, room, *_) in sorted(
            by_kind.get("appointment", ()), key=lambda r: (r[0], r[2]), reverse=True):
        detail = f"{STATUS_LABELS.get(status, status)} · {provider or 'no provider'}" + (
            f" · {room}" if room else "") + (" · late cancel" if late else "")
        items.append(TimelineItem(at, "appointment", service, detail, ref))
    for at, _created, ref, count, (author, status, signer, *_) in sorted(
            by_kind.get("note", ()), key=lambda r: (r[1], r[2]), reverse=True):
        state = f"signed by {signer or ''}" if status == NoteStatus.SIGNED else "draft"
        extra = f" · {count} addenda" if readable and count else ""
        items.append(TimelineItem(at, "note", f"Note by {author}", state + extra, ref))
    for at, _at2, ref, chart_id, (tag, area, importer, sha, extension, _) in sorted(
            by_kind.get("photo", ()), key=lambda r: (r[0], r[2]), reverse=True):
        files[ref] = (at.date(), chart_id, sha, extension)
        items.append(TimelineItem(at, "photo", f"Photo: {tag}, {area}",
                                  f"imported by {importer or ''}", ref))
    for at, _at2, ref, version, texts in sorted(
            by_kind.get("consent", ()), key=lambda r: (r[0], r[2]), reverse=True):
        category, method, signer, guardian, name, credentials = texts
        c = signing.consent_row(ref, category, version, at, method, signer, guardian,
                                signed_name(name, credentials or ""))
        items.append(TimelineItem(c.signed_at, "consent", c.form,
                                  f"{c.method} by {c.signer}; witness {c.witness}", c.id))
    for at, _at2, ref, _n, (modality, service, raw, who, *_) in sorted(
            by_kind.get("treatment", ()), key=lambda r: (r[0], r[2]), reverse=True):
        t = treatment_records.brief_of(ref, at, modality, service, raw, who)
        items.append(TimelineItem(t.start, "treatment", t.title, t.detail, ref))
    for at, _at2, ref, _n, (service, provider, status, details, source, _) in sorted(
            by_kind.get("history", ()), key=lambda r: (r[0], r[2]), reverse=True):
        detail = " · ".join(p for p in (status, provider, details if clinical else "",
                                        f"from {source}") if p)
        items.append(TimelineItem(at, "history", service, detail, ref))
    return sorted(items, key=lambda i: (i.when, i.kind), reverse=True), files
