"""The waitlist: patients who want a slot sooner, or a particular kind of slot. When one opens
(a cancellation, a no-show), the entries it suits are offered, and one is booked in one step."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ...store.database import db
from ...store.models import Appointment, Patient, Service, User, WaitlistEntry
from ..charts.patients import display_name
from ..platform import audit, changes, limits, stale
from ..platform.errors import ConflictError, NotFound, ValidationError
from ..platform.permissions import require
from ..platform.text import clean_block, clean_line
from ..platform.vocabulary import WaitlistStatus
from . import appointments, hours
from .availability import pick_room_and_device, resources_for
from .occupancy import Occupancy

DAY_PART_LABELS = {"any": "Any time", "morning": "Morning", "afternoon": "Afternoon",
                   "evening": "Evening"}


@dataclass
class WaitlistInput:
    patient_id: int | None
    service_id: int | None
    earliest: dt.date | None
    latest: dt.date | None
    provider_id: int | None = None
    day_part: str = "any"
    notes: str = ""


@dataclass(frozen=True)
class WaitlistRow:
    id: int
    patient_id: int
    patient: str
    service_id: int
    service: str
    minutes: int
    category: str
    provider_id: int | None
    provider: str
    earliest: dt.date
    latest: dt.date
    day_part: str
    notes: str
    version: int


def add(actor: User, data: WaitlistInput, today: dt.date | None = None) -> WaitlistEntry:
    require(actor, "schedule.write")
    today = today or dt.date.today()
    patient = Patient.get_or_none(Patient.id == data.patient_id) if data.patient_id else None
    if patient is None:
        raise ValidationError("Choose the patient.")
    if patient.archived:
        raise ValidationError(f"{display_name(patient)} is archived; restore the chart first.")
    service = Service.get_or_none(Service.id == data.service_id) if data.service_id else None
    if service is None or service.category == "retail":
        raise ValidationError("Choose the treatment the patient is waiting for.")
    if data.earliest is None or data.latest is None:
        raise ValidationError("Enter the dates the patient could come.")
    if data.latest < data.earliest:
        raise ValidationError("The last date is before the first date.")
    if data.latest < today:
        raise ValidationError("The dates are all in the past.")
    if data.day_part not in DAY_PART_LABELS:
        raise ValidationError("Choose any time, morning, afternoon or evening.")
    if data.provider_id is not None and not hours.treats(data.provider_id, service.category):
        raise ValidationError("That provider does not do this treatment.")
    notes = clean_block(data.notes)
    if len(notes) > limits.WAITLIST_NOTES:
        raise ValidationError(f"Notes must be at most {limits.WAITLIST_NOTES} characters.")
    with db.atomic():
        entry = WaitlistEntry.create(
            patient=patient, service=service, provider=data.provider_id,
            earliest=data.earliest, latest=data.latest, day_part=data.day_part, notes=notes,
            created_by=actor, created_at=dt.datetime.now())
        audit.record(actor, "waitlist.add", "waitlist_entry", entry.id,
                     f"{service.name} {data.earliest}..{data.latest} chart {patient.chart_number}")
        changes.note("waitlist", entry.id)
    return entry


def waiting(actor: User) -> list[WaitlistRow]:
    require(actor, "schedule.read")
    query = (WaitlistEntry.select(WaitlistEntry, Patient, Service)
             .join(Patient).switch(WaitlistEntry).join(Service)
             # an archived chart is not offered a slot (its entries come back with it)
             .where(WaitlistEntry.status == WaitlistStatus.WAITING, ~Patient.archived)
             .order_by(WaitlistEntry.created_at, WaitlistEntry.id))
    names = {u.id: u.display_name for u in User.select()}
    return [WaitlistRow(e.id, e.patient_id, display_name(e.patient), e.service_id, e.service.name,
                        e.service.default_minutes, e.service.category, e.provider_id,
                        names.get(e.provider_id, ""), e.earliest, e.latest, e.day_part, e.notes,
                        e.version) for e in query]


def offers_for(actor: User, start: dt.datetime, end: dt.datetime,
               provider_id: int | None) -> list[WaitlistRow]:
    """Waiting entries this free slot suits: in their dates and day part, long enough for the
    treatment, with their provider (or any) if that provider treats it — and only those that
    could be booked there: the patient is not booked elsewhere then, and a room and a device
    the treatment needs (clean-up included) are free, by the same ``Occupancy`` rules booking
    applies."""
    occ = Occupancy.load(start, end)
    resources: dict[int, tuple] = {}
    offers = []
    for row in waiting(actor):
        if not row.earliest <= start.date() <= row.latest:
            continue
        part_from, part_to = hours.DAY_PARTS[row.day_part]
        if not part_from <= start.time() < part_to:
            continue
        if end - start < dt.timedelta(minutes=row.minutes):
            continue
        if row.provider_id is not None and row.provider_id != provider_id:
            continue
        if provider_id is not None and not hours.treats(provider_id, row.category):
            continue
        until = start + dt.timedelta(minutes=row.minutes)
        if not occ.is_free(start, until, patient_id=row.patient_id, provider_id=provider_id):
            continue
        if row.service_id not in resources:
            resources[row.service_id] = resources_for(Service.get_by_id(row.service_id))
        if pick_room_and_device(occ, start, until, *resources[row.service_id]) is None:
            continue
        offers.append(row)
    return offers


def book(actor: User, entry_id: int, version: int, start: dt.datetime,
         provider_id: int | None, *, override_reason: str = "", answers=None) -> Appointment:
    """Book the waiting patient at ``start`` (any free room and device) and close the entry."""
    require(actor, "schedule.write")
    with db.atomic():
        entry = WaitlistEntry.get_or_none(WaitlistEntry.id == entry_id)
        if entry is None:
            raise NotFound("That waitlist entry does not exist.")
        if entry.version != version or entry.status != WaitlistStatus.WAITING:
            _refuse_stale(entry_id)
        service = entry.service
        end = start + dt.timedelta(minutes=service.default_minutes)
        picked = pick_room_and_device(Occupancy.load(start, end), start, end,
                                      *resources_for(service))
        if picked is None:
            raise ConflictError(f"No room or device for {service.name} is free "
                                f"{start:%H:%M}–{end:%H:%M}.")
        room, device = picked
        appt = appointments.book_appointment(actor, appointments.AppointmentInput(
            entry.patient_id, service.id, provider_id, start, end,
            room.id if room else None, device.id if device else None, entry.notes),
            override_reason=override_reason, answers=answers)
        WaitlistEntry.update(status=WaitlistStatus.BOOKED, appointment=appt.id,
                             version=WaitlistEntry.version + 1).where(
            WaitlistEntry.id == entry_id).execute()
        audit.record(actor, "waitlist.book", "waitlist_entry", entry_id,
                     f"appointment {appt.id}")
        changes.note("waitlist", entry_id)
    return appt


def remove(actor: User, entry_id: int, version: int, reason: str) -> None:
    require(actor, "schedule.write")
    with db.atomic():
        changed = (WaitlistEntry.update(status=WaitlistStatus.REMOVED,
                                        version=WaitlistEntry.version + 1)
                   .where(WaitlistEntry.id == entry_id, WaitlistEntry.version == version)
                   .execute())
        if not changed:
            _refuse_stale(entry_id)
        audit.record(actor, "waitlist.remove", "waitlist_entry", entry_id,
                     clean_line(reason)[:200] or "removed")
        changes.note("waitlist", entry_id)


def _refuse_stale(entry_id: int) -> None:
    """Booked, removed or changed elsewhere since the list was read: say who, when, where."""
    stale.refuse(stale.last_change("waitlist_entry", entry_id), "this waitlist entry",
                 ". Nothing was saved; the waitlist shows it as it is now.",
                 nobody="This waitlist entry was changed on another workstation")
