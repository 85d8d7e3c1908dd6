"""What the chart window shows: the header with its alerts banner, and the timeline of
appointments and notes, newest first. Opening a chart is audited (``patients.open_chart``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ...store.models import Patient, User
from ..consents import signing
from ..platform.errors import NotFound
from ..platform.permissions import allowed, require
from ..scheduling import appointments
from ..treatments import treatment_records
from . import (
    alerts,
    history_import,
    intake,
    notes,
    patients,
    photos,
)


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


def header(actor: User, patient_id: int, today: dt.date | None = None, *,
           opening: bool = True) -> ChartHeader:
    """The chart's header. ``opening`` records the access; refreshing a chart that is already
    open (after saving its medical history) is not a new access and is not logged again."""
    today = today or dt.date.today()
    if opening:
        p = patients.open_chart(actor, patient_id)
    else:
        require(actor, "patient.read")
        p = Patient.get_or_none(Patient.id == patient_id)
        if p is None:
            raise NotFound("That patient does not exist.")
    answers = intake.current_answers(actor, patient_id)
    skin = answers.get("fitzpatrick")
    return ChartHeader(
        p.id, f"{p.first_name} {p.last_name}", p.preferred_name, p.chart_number, p.dob,
        patients.age_on(p.dob, today), patients.format_phone(p.phone), p.email,
        intake.FITZPATRICK.get(skin.value, "not recorded") if skin else "not recorded",
        tuple(alerts.chart_banner(actor, patient_id, today)), p.archived, p.version,
        p.merged_into.chart_number if p.merged_into_id is not None else "")


def timeline(actor: User, patient_id: int, kinds: set[str] | None = None) -> list[TimelineItem]:
    """Appointments (past and upcoming) and notes, newest first; ``kinds`` filters."""
    require(actor, "patient.read")
    items: list[TimelineItem] = []
    if kinds is None or "appointment" in kinds:
        for r in appointments.patient_schedule(actor, patient_id):
            detail = f"{r.status} · {r.provider or 'no provider'}" + (
                f" · {r.room}" if r.room else "") + (" · late cancel" if r.late_cancel else "")
            items.append(TimelineItem(r.start, "appointment", r.service, detail, r.id))
    if kinds is None or "note" in kinds:
        for n in notes.patient_notes(actor, patient_id):
            state = f"signed by {n.signed_by}" if n.signed else "draft"
            extra = f" · {len(n.addenda)} addenda" if n.addenda else ""
            items.append(TimelineItem(n.signed_at or n.created_at, "note",
                                      f"Note by {n.author}", state + extra, n.id))
    if (kinds is None or "photo" in kinds) and allowed(actor, "photos.read"):
        for ph in photos.patient_photos(actor, patient_id):
            items.append(TimelineItem(dt.datetime.combine(ph.taken_on, dt.time()), "photo",
                                      f"Photo: {ph.tag}, {ph.area}",
                                      f"imported by {ph.imported_by}", ph.id))
    if kinds is None or "consent" in kinds:
        for c in signing.patient_consents(actor, patient_id):
            items.append(TimelineItem(c.signed_at, "consent", c.form,
                                      f"{c.method} by {c.signer}; witness {c.witness}", c.id))
    if (kinds is None or "treatment" in kinds) and allowed(actor, "treatment.read"):
        for t in treatment_records.patient_treatments(actor, patient_id):
            items.append(TimelineItem(t.start, "treatment", t.title, t.detail,
                                      t.appointment_id))
    if kinds is None or "history" in kinds:
        for v in history_import.patient_history(actor, patient_id):
            detail = " · ".join(p for p in (v.status, v.provider, v.details,
                                            f"from {v.source}") if p)
            items.append(TimelineItem(v.at, "history", v.service, detail, v.id))
    return sorted(items, key=lambda i: (i.when, i.kind), reverse=True)


