"""SOAP notes: started from a template per service category, a draft until signed, then never
changed — the service refuses, and so does the database (a trigger on signed rows). Corrections
are addenda (author, time, reason) shown under the original; a medical director co-signs.

A signed note carries a fingerprint: SHA-256 of its content, signer and signing time. Showing a
note recomputes it, so a note altered behind the program's back shows as not verified.

Only clinicians read or write note bodies; others see that a note exists, its date and author.

A note for a visit already charted starts from what the treatment record holds (product, lot
and expiry, units and sites, device parameters, aftercare), for the clinician to edit: nothing
is written until it is saved.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass

from ...store.database import db
from ...store.models import (
    CATEGORIES,
    Appointment,
    Note,
    NoteAddendum,
    NoteCosign,
    Patient,
    Service,
    TreatmentRecord,
    User,
)
from ..platform import audit, changes, limits, stale
from ..platform.errors import NotFound, PermissionDenied, ValidationError
from ..platform.permissions import allowed, require
from ..platform.text import clean_block, clean_line
from ..platform.vocabulary import STARTED_STATUSES, NoteStatus
from ..treatments import face_chart, treatment_records
from .patients import chart_ids, refuse_if_merged

MAX_SECTION = 20_000
MAX_REASON = limits.REASON  # of an addendum
SECTIONS = ("subjective", "objective", "assessment", "plan")

TEMPLATES: dict[str, tuple[str, str, str, str]] = {
    "neurotoxin": ("Concerns: \nPrior toxin (product, date, units, result): ",
                   "Dynamic lines at rest / animation: \nProduct, dilution (mL per 100 U), lot: \n"
                   "Sites and units: ",
                   "Candidate for neurotoxin; consent reviewed.",
                   "Review in 2 weeks; re-treatment no sooner than 90 days. Aftercare given."),
    "filler": ("Concerns: \nPrior filler (product, date, result): ",
               "Product, lot, syringes: \nSites, mL per site, needle/cannula, depth: ",
               "Candidate for filler; vascular occlusion risk discussed.",
               "Review in 2 weeks. Aftercare and warning signs given."),
    "laser_hair": ("Areas: \nLast shave / tan / medications: ",
                   "Fitzpatrick: \nDevice, wavelength, fluence, spot, pulse width: \n"
                   "Test spot result: ",
                   "Tolerated well.", "Next session in 4–6 weeks. Sun protection."),
}
GENERIC = ("Concerns: ", "Findings and parameters: ", "Assessment: ",
           "Plan and aftercare: ")


@dataclass(frozen=True)
class AddendumView:
    author: str
    at: dt.datetime
    reason: str
    text: str


@dataclass(frozen=True)
class NoteView:
    id: int
    patient_id: int
    appointment_id: int | None
    category: str
    status: str
    author_id: int
    author: str
    created_at: dt.datetime
    signed_by_id: int | None
    signed_by: str
    signed_at: dt.datetime | None
    fingerprint: str
    verified: bool  # the fingerprint matches the content now
    cosigned_by: tuple[str, ...]
    addenda: tuple[AddendumView, ...]
    sections: dict[str, str] | None  # None for someone who may not read note bodies
    version: int

    @property
    def signed(self) -> bool:
        return self.status == NoteStatus.SIGNED


def fingerprint(note: Note) -> str:
    content = [note.patient_id, note.appointment_id, note.category,
               *(getattr(note, s) for s in SECTIONS), note.author_id, note.signed_by_id,
               note.signed_at.strftime("%Y-%m-%d %H:%M:%S.%f") if note.signed_at else ""]
    payload = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def template(category: str) -> dict[str, str]:
    """The sections a new note of ``category`` starts with."""
    return dict(zip(SECTIONS, TEMPLATES.get(category, GENERIC), strict=True))


# What the examiner looks at, which no treatment record field holds: kept after the charted
# facts in a note started from a charted visit.
EXAM = {"neurotoxin": "Dynamic lines at rest / animation: ",
        "filler": "Volume loss and asymmetry: ",
        "mesotherapy": "Skin quality: "}


@dataclass(frozen=True)
class VisitChoice:
    """A visit a note may be written for: begun (in treatment or after), charted or not."""

    appointment_id: int
    start: dt.datetime
    service: str
    category: str
    charted: bool

    @property
    def label(self) -> str:
        return (f"{self.start:%Y-%m-%d %H:%M} · {self.service}"
                + (" · charted" if self.charted else ""))


def note_visits(actor: User, patient_id: int, limit: int = 30) -> list[VisitChoice]:
    """The patient's visits already begun, newest first: what a new note can be written for."""
    require(actor, "notes.write")
    rows = (Appointment.select(Appointment.id, Appointment.start, Service.name,
                               Service.category)
            .join(Service)
            .where(Appointment.patient.in_(chart_ids(patient_id)),
                   Appointment.status.in_(STARTED_STATUSES))
            .order_by(Appointment.start.desc(), Appointment.id.desc()).limit(limit).tuples())
    rows = list(rows)
    charted = {a for (a,) in TreatmentRecord.select(TreatmentRecord.appointment)
               .where(TreatmentRecord.appointment.in_([r[0] for r in rows])).tuples()}
    return [VisitChoice(a, start, name, category, a in charted)
            for a, start, name, category in rows]


def _sites_text(points, unit: str) -> str:
    """ "Glabella 20 U, crow's feet (left) 12 U": the face chart's doses added up per site, in
    the order the sites were first injected."""
    totals: dict[str, object] = {}
    for point in points:
        totals[point.site] = totals.get(point.site, 0) + point.amount
    return ", ".join(f"{site} {face_chart.amount_text(amount, unit)}"
                     for site, amount in totals.items())


def visit_sections(actor: User, appointment_id: int) -> dict[str, str]:
    """The sections a note for this visit starts with: its category's template, and, once
    the visit is charted, what the treatment record holds in place of the blanks. Reads only;
    nothing is written until the note is saved."""
    require(actor, "notes.write")
    appt = Appointment.get_or_none(Appointment.id == appointment_id)
    if appt is None:
        raise NotFound("That appointment does not exist.")
    category = appt.service.category
    content = template(category)
    if not TreatmentRecord.select().where(TreatmentRecord.appointment == appt.id).exists():
        return content
    record = treatment_records.record_view(actor, appt.id)
    facts = [f"{record.service} on {record.start:%Y-%m-%d %H:%M}, {record.provider} "
             "(as charted):"]
    for label, value in record.parameters:
        if label == "Product" and record.lot:
            value = f"{value}, lot {record.lot}" + (
                f", expires {record.expiry}" if record.expiry else "")
        facts.append(f"{label}: {value}")
    if record.points:
        facts.append(f"Sites: {_sites_text(record.points, record.unit)}")
    for amendment in record.amendments:
        facts.append(f"Amended ({amendment.reason}): {amendment.text}")
    if category in EXAM:
        facts.append(EXAM[category])
    content["objective"] = "\n".join(facts)
    if record.aftercare:
        content["plan"] = f"{content['plan']}\nAftercare given: {record.aftercare}".strip()
    return content


def start_note(actor: User, patient_id: int, appointment_id: int | None = None,
               category: str | None = None, sections: dict[str, str] | None = None,
               now: dt.datetime | None = None) -> Note:
    """A new draft, filled from the appointment's treatment record and template (see
    ``visit_sections``) or the given category's template, or with ``sections`` as typed (a
    note first saved from the screen: nothing is written before that, so a note begun and
    left leaves no empty draft). ``now``: the clock unless given (the demo writes its notes
    at the visits' time)."""
    require(actor, "notes.write")
    if Patient.get_or_none(Patient.id == patient_id) is None:
        raise NotFound("That patient does not exist.")
    refuse_if_merged(patient_id)
    if appointment_id is not None:
        appt = Appointment.get_or_none(Appointment.id == appointment_id)
        if appt is None or appt.patient_id != patient_id:
            raise ValidationError("That appointment is not this patient's.")
        category = category or appt.service.category
    category = category or ""
    if category and category not in CATEGORIES:
        raise ValidationError("Unknown service category.")
    content = template(category)
    if sections is None and appointment_id is not None and category == appt.service.category:
        content = visit_sections(actor, appointment_id)
    if sections is not None:
        content = {k: clean_block(sections.get(k, "")) for k in SECTIONS}
        for key, text in content.items():
            if len(text) > MAX_SECTION:
                raise ValidationError(
                    f"The {key} section must be at most {MAX_SECTION} characters.")
    now = now or dt.datetime.now()
    with db.atomic():
        note = Note.create(patient=patient_id, appointment=appointment_id, category=category,
                           author=actor, created_at=now, updated_at=now, **content)
        audit.record(actor, "note.start", "note", note.id, f"patient {patient_id}")
        changes.note("note", note.id)
    return note


def _editable(actor: User, note_id: int, version: int) -> Note:
    note = Note.get_or_none(Note.id == note_id)
    if note is None:
        raise NotFound("That note does not exist.")
    if note.status == NoteStatus.SIGNED:
        raise ValidationError("A signed note cannot be changed; add an addendum instead.")
    if note.author_id != actor.id:
        raise PermissionDenied("Only the note's author can change or sign a draft.")
    if note.version != version:
        _refuse_stale(note_id)
    return note


_NOTE_CHANGES = ("note.start", "note.save", "note.sign", "note.addendum", "note.cosign")


def _refuse_stale(note_id: int) -> None:
    """Saved elsewhere since this draft was read: say who, when and where."""
    stale.refuse(stale.last_change("note", note_id, _NOTE_CHANGES), "this note",
                 " while you were editing it; your changes were not saved. The latest "
                 "version is shown.", nobody="This note was changed on another workstation")


def save_draft(actor: User, note_id: int, version: int, sections: dict[str, str],
               now: dt.datetime | None = None) -> Note:
    require(actor, "notes.write")
    cleaned = {k: clean_block(sections.get(k, "")) for k in SECTIONS}
    for key, text in cleaned.items():
        if len(text) > MAX_SECTION:
            raise ValidationError(f"The {key} section must be at most {MAX_SECTION} characters.")
    with db.atomic():
        _editable(actor, note_id, version)
        changed = (Note.update(updated_at=now or dt.datetime.now(), version=Note.version + 1,
                               **cleaned)
                   .where(Note.id == note_id, Note.version == version).execute())
        if not changed:
            _refuse_stale(note_id)
        audit.record(actor, "note.save", "note", note_id, "draft saved")
        changes.note("note", note_id)
    return Note.get_by_id(note_id)


def sign(actor: User, note_id: int, version: int, now: dt.datetime | None = None) -> Note:
    """Sign the draft (at ``now``, the clock unless given). From now on it never changes."""
    require(actor, "notes.write")
    with db.atomic():
        note = _editable(actor, note_id, version)
        if not any(getattr(note, s).strip() for s in SECTIONS):
            raise ValidationError("An empty note cannot be signed.")
        note.status, note.signed_by = NoteStatus.SIGNED, actor
        note.signed_at = now or dt.datetime.now()
        note.version += 1
        note.fingerprint = fingerprint(note)
        note.save()
        audit.record(actor, "note.sign", "note", note_id, f"sha256 {note.fingerprint}")
        changes.note("note", note_id)
    return note


def add_addendum(actor: User, note_id: int, reason: str, text: str) -> NoteAddendum:
    """Correct or add to a signed note, saying why; the original stays as it was."""
    require(actor, "notes.write")
    reason, text = clean_line(reason), clean_block(text)
    if not reason:
        raise ValidationError("Give the reason for the addendum.")
    if not text:
        raise ValidationError("Write the addendum.")
    if len(text) > MAX_SECTION or len(reason) > MAX_REASON:
        raise ValidationError("The addendum is too long.")
    with db.atomic():
        note = Note.get_or_none(Note.id == note_id)
        if note is None:
            raise NotFound("That note does not exist.")
        if note.status != NoteStatus.SIGNED:
            raise ValidationError("A draft is changed directly; addenda are for signed notes.")
        addendum = NoteAddendum.create(note=note_id, author=actor, at=dt.datetime.now(),
                                       reason=reason, text=text)
        audit.record(actor, "note.addendum", "note", note_id, reason[:200])
        changes.note("note", note_id)
    return addendum


def cosign(actor: User, note_id: int) -> NoteCosign:
    require(actor, "notes.cosign")
    with db.atomic():
        note = Note.get_or_none(Note.id == note_id)
        if note is None:
            raise NotFound("That note does not exist.")
        if note.status != NoteStatus.SIGNED:
            raise ValidationError("Only a signed note can be co-signed.")
        if note.signed_by_id == actor.id:
            raise ValidationError("A note is co-signed by someone other than its signer.")
        if NoteCosign.select().where(NoteCosign.note == note_id,
                                     NoteCosign.user == actor.id).exists():
            raise ValidationError("You have already co-signed this note.")
        row = NoteCosign.create(note=note_id, user=actor, at=dt.datetime.now())
        audit.record(actor, "note.cosign", "note", note_id, "co-signed")
        changes.note("note", note_id)
    return row


def _views(actor: User, notes: list[Note]) -> list[NoteView]:
    """The notes as their reader may see them, with addenda and co-signers: three queries
    however many notes there are."""
    readable = allowed(actor, "notes.read")
    names = {u.id: u.display_name for u in User.select()}
    ids = [n.id for n in notes]
    addenda: dict[int, list[AddendumView]] = defaultdict(list)
    cosigners: dict[int, list[str]] = defaultdict(list)
    if readable and ids:
        for a in (NoteAddendum.select().where(NoteAddendum.note.in_(ids))
                  .order_by(NoteAddendum.at, NoteAddendum.id)):
            addenda[a.note_id].append(AddendumView(names.get(a.author_id, ""), a.at, a.reason,
                                                   a.text))
    if ids:
        for note_id, user_id in (NoteCosign.select(NoteCosign.note, NoteCosign.user)
                                 .where(NoteCosign.note.in_(ids))
                                 .order_by(NoteCosign.at, NoteCosign.id).tuples()):
            cosigners[note_id].append(names.get(user_id, ""))
    return [NoteView(
        note.id, note.patient_id, note.appointment_id, note.category, note.status,
        note.author_id, names.get(note.author_id, ""), note.created_at, note.signed_by_id,
        names.get(note.signed_by_id, ""),
        note.signed_at, note.fingerprint,
        note.status == NoteStatus.SIGNED and fingerprint(note) == note.fingerprint,
        tuple(cosigners[note.id]), tuple(addenda[note.id]),
        {s: getattr(note, s) for s in SECTIONS} if readable else None, note.version)
        for note in notes]


def open_note(actor: User, note_id: int) -> NoteView:
    """A note as its reader may see it (bodies for clinicians only); reading is audited."""
    require(actor, "patient.read")
    note = Note.get_or_none(Note.id == note_id)
    if note is None:
        raise NotFound("That note does not exist.")
    with db.atomic():
        audit.record(actor, "note.open", "note", note_id,
                     "read" if allowed(actor, "notes.read") else "listed only")
    return _views(actor, [note])[0]


def patient_notes(actor: User, patient_id: int) -> list[NoteView]:
    """The patient's notes, newest first; bodies only for those who may read them."""
    require(actor, "patient.read")
    return _views(actor, list(Note.select().where(Note.patient.in_(chart_ids(patient_id)))
                              .order_by(Note.created_at.desc(), Note.id.desc())))
