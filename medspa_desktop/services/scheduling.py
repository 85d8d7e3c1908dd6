"""Appointments: booking with conflict rules, status changes, day and history listings.

Rules (all checked here, none in a widget):

* a provider, a room and a device are never in two active appointments at once; a device's
  clean-up buffer after each use counts as busy time;
* the patient cannot be in two appointments at once;
* only a provider double-booking may be overridden, with a reason, and the override is audited;
* a refusal names what conflicts: "Room 2 is booked 10:00–10:30 for Botox with Dr Lee".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import JOIN

from ..store.database import db
from ..store.models import (
    ACTIVE_STATUSES,
    CATEGORIES,
    Appointment,
    Device,
    Patient,
    Room,
    Service,
    User,
)
from . import audit
from .errors import ConflictError, NotFound, StaleEditError, ValidationError
from .patients import display_name
from .permissions import require
from .text import clean_block

MAX_DURATION = dt.timedelta(hours=12)
MAX_NOTES = 2000

STATUS_LABELS = {
    "booked": "Booked",
    "confirmed": "Confirmed",
    "arrived": "Arrived",
    "in_treatment": "In treatment",
    "completed": "Completed",
    "checked_out": "Checked out",
    "cancelled": "Cancelled",
    "no_show": "No-show",
}
TRANSITIONS = {
    "booked": ("confirmed", "arrived", "cancelled", "no_show"),
    "confirmed": ("arrived", "cancelled", "no_show"),
    "arrived": ("in_treatment", "cancelled"),
    "in_treatment": ("completed",),
    "completed": ("checked_out",),
    "checked_out": (),
    "cancelled": (),
    "no_show": (),
}


@dataclass
class AppointmentInput:
    patient_id: int | None
    service_id: int | None
    provider_id: int | None
    start: dt.datetime | None
    end: dt.datetime | None
    room_id: int | None = None
    device_id: int | None = None
    notes: str = ""


@dataclass(frozen=True)
class Conflict:
    kind: str  # provider | room | device | patient
    message: str
    appointment_id: int

    @property
    def overridable(self) -> bool:
        return self.kind == "provider"


def _hm(t: dt.datetime) -> str:
    return t.strftime("%H:%M")


def _describe(appt: Appointment, *, with_provider: bool = True) -> str:
    text = f"{_hm(appt.start)}–{_hm(appt.end)} for {appt.service.name}"
    if with_provider and appt.provider_id:
        text += f" with {appt.provider.display_name}"
    elif appt.room_id:
        text += f" in {appt.room.name}"
    return text


def find_conflicts(
    start: dt.datetime,
    end: dt.datetime,
    *,
    patient_id: int | None = None,
    provider_id: int | None = None,
    room_id: int | None = None,
    device_id: int | None = None,
    exclude_id: int | None = None,
) -> list[Conflict]:
    """Every active appointment that clashes with the proposed one, explained."""
    conflicts: list[Conflict] = []
    device = Device.get_or_none(Device.id == device_id) if device_id else None
    buffer = dt.timedelta(minutes=device.cleanup_minutes if device else 0)
    # A device's buffer can stretch a clash by that much on either side.
    q = (
        Appointment.select()
        .where(
            Appointment.status.in_(ACTIVE_STATUSES),
            Appointment.start < end + buffer,
            Appointment.end > start - buffer,
        )
        .order_by(Appointment.start)
    )
    if exclude_id is not None:
        q = q.where(Appointment.id != exclude_id)
    for appt in q:
        overlaps = appt.start < end and appt.end > start
        if overlaps and provider_id and appt.provider_id == provider_id:
            conflicts.append(Conflict(
                "provider", f"{appt.provider.display_name} is booked {_describe(appt, with_provider=False)}.",
                appt.id))
        if overlaps and room_id and appt.room_id == room_id:
            conflicts.append(Conflict(
                "room", f"{appt.room.name} is booked {_describe(appt)}.", appt.id))
        if device and appt.device_id == device.id:
            cleanup = f" (plus {device.cleanup_minutes} min clean-up)" if buffer else ""
            conflicts.append(Conflict(
                "device", f"The {device.name} is in use {_describe(appt)}{cleanup}.", appt.id))
        if overlaps and patient_id and appt.patient_id == patient_id:
            conflicts.append(Conflict(
                "patient",
                f"{display_name(appt.patient)} is already booked {_describe(appt)}.", appt.id))
    return conflicts


def _get(model, pk, what: str):
    if pk is None:
        raise ValidationError(f"Choose a {what}.")
    row = model.get_or_none(model.id == pk)
    if row is None:
        raise NotFound(f"That {what} does not exist.")
    return row


def _validate(data: AppointmentInput) -> tuple[Patient, Service, User | None, Room | None,
                                               Device | None, str]:
    patient = _get(Patient, data.patient_id, "patient")
    if patient.archived:
        raise ValidationError(f"{display_name(patient)} is archived; restore the chart first.")
    service = _get(Service, data.service_id, "service")
    if not service.active:
        raise ValidationError(f"{service.name} is no longer offered.")
    provider = None
    if service.needs_provider or data.provider_id is not None:
        provider = _get(User, data.provider_id, "provider")
        if not provider.active or provider.role not in ("medical_director", "provider"):
            raise ValidationError(f"{provider.display_name} does not see patients.")
    room = None
    if service.needs_room or data.room_id is not None:
        room = _get(Room, data.room_id, "room")
        if not room.active:
            raise ValidationError(f"{room.name} is out of use.")
    device = None
    if service.device_kind or data.device_id is not None:
        device = _get(Device, data.device_id, "device")
        if not device.active:
            raise ValidationError(f"The {device.name} is out of use.")
        if service.device_kind and device.kind != service.device_kind:
            raise ValidationError(f"{service.name} cannot be done with the {device.name}.")
    if data.start is None or data.end is None:
        raise ValidationError("Enter the start and end time.")
    if data.end <= data.start:
        raise ValidationError("The appointment must end after it starts.")
    if data.end - data.start > MAX_DURATION:
        raise ValidationError("An appointment can last at most 12 hours.")
    notes = clean_block(data.notes)
    if len(notes) > MAX_NOTES:
        raise ValidationError(f"Notes must be at most {MAX_NOTES} characters.")
    return patient, service, provider, room, device, notes


def book_appointment(
    actor: User, data: AppointmentInput, *, override_reason: str = ""
) -> Appointment:
    """Book, or raise ConflictError listing every clash. A provider double-booking alone may
    be overridden by giving ``override_reason``."""
    require(actor, "schedule.write")
    patient, service, provider, room, device, notes = _validate(data)
    reason = " ".join(override_reason.split())
    with db.atomic():
        conflicts = find_conflicts(
            data.start, data.end, patient_id=patient.id,
            provider_id=provider.id if provider else None,
            room_id=room.id if room else None, device_id=device.id if device else None,
        )
        _refuse(conflicts, reason)
        now = dt.datetime.now()
        appt = Appointment.create(
            patient=patient, service=service, provider=provider, room=room, device=device,
            start=data.start, end=data.end, notes=notes, created_at=now, updated_at=now,
        )
        audit.record(actor, "appointment.book", "appointment", appt.id,
                     f"{service.name} {data.start:%Y-%m-%d %H:%M} chart {patient.chart_number}")
        if conflicts:
            audit.record(actor, "appointment.override", "appointment", appt.id,
                         f"provider double-booked: {reason}"[:500])
    return appt


def _refuse(conflicts: list[Conflict], reason: str) -> None:
    if not conflicts:
        return
    text = " ".join(c.message for c in conflicts)
    if any(not c.overridable for c in conflicts):
        raise ConflictError(text)
    if not reason:
        raise ConflictError(f"{text} Give a reason to double-book the provider anyway.")


def change_status(actor: User, appointment_id: int, status: str, version: int) -> Appointment:
    """Move an appointment along the status flow; refused if the step is not allowed or the
    appointment changed on another PC since ``version`` was read."""
    require(actor, "schedule.write")
    with db.atomic():
        appt = Appointment.get_or_none(Appointment.id == appointment_id)
        if appt is None:
            raise NotFound("That appointment does not exist.")
        if appt.version != version:
            raise StaleEditError(
                "This appointment was changed on another workstation. "
                "Nothing was saved; the schedule has been refreshed."
            )
        if status not in TRANSITIONS.get(appt.status, ()):
            raise ValidationError(
                f"An appointment that is {STATUS_LABELS[appt.status].lower()} cannot be marked "
                f"{STATUS_LABELS.get(status, status).lower()}."
            )
        old = appt.status
        changed = (
            Appointment.update(status=status, version=Appointment.version + 1,
                               updated_at=dt.datetime.now())
            .where(Appointment.id == appointment_id, Appointment.version == version)
            .execute()
        )
        if not changed:  # another PC won the race between our read and our write
            raise StaleEditError("This appointment was changed on another workstation.")
        audit.record(actor, "appointment.status", "appointment", appointment_id,
                     f"{old} -> {status}")
    appt.status, appt.version = status, version + 1
    return appt


@dataclass(frozen=True)
class AppointmentRow:
    id: int
    start: dt.datetime
    end: dt.datetime
    patient_id: int
    patient: str
    service: str
    category: str  # label
    provider: str
    room: str
    device: str
    status: str  # label
    version: int


def _rows(query) -> list[AppointmentRow]:
    rows = []
    for a in query:
        rows.append(AppointmentRow(
            a.id, a.start, a.end, a.patient_id, display_name(a.patient), a.service.name,
            CATEGORIES.get(a.service.category, a.service.category),
            a.provider.display_name if a.provider_id else "",
            a.room.name if a.room_id else "", a.device.name if a.device_id else "",
            STATUS_LABELS.get(a.status, a.status), a.version,
        ))
    return rows


def _joined():
    Provider = User.alias()
    return (
        Appointment.select(Appointment, Patient, Service, Provider, Room, Device)
        .join(Patient, on=Appointment.patient == Patient.id)
        .switch(Appointment).join(Service, on=Appointment.service == Service.id)
        .switch(Appointment).join(Provider, on=Appointment.provider == Provider.id,
                                  join_type=JOIN.LEFT_OUTER, attr="provider")
        .switch(Appointment).join(Room, on=Appointment.room == Room.id,
                                  join_type=JOIN.LEFT_OUTER, attr="room")
        .switch(Appointment).join(Device, on=Appointment.device == Device.id,
                                  join_type=JOIN.LEFT_OUTER, attr="device")
    )


def day_schedule(actor: User, day: dt.date) -> list[AppointmentRow]:
    """Every appointment starting on ``day``, cancelled ones included, in start order."""
    require(actor, "schedule.read")
    start = dt.datetime.combine(day, dt.time())
    query = (
        _joined()
        .where(Appointment.start >= start, Appointment.start < start + dt.timedelta(days=1))
        .order_by(Appointment.start, Appointment.id)
    )
    return _rows(query)


def treatment_history(actor: User, *, limit: int = 200, offset: int = 0) -> list[AppointmentRow]:
    """Treatments given (completed or checked out), newest first."""
    require(actor, "treatment.read")
    query = (
        _joined()
        .where(Appointment.status.in_(("completed", "checked_out")))
        .order_by(Appointment.start.desc(), Appointment.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return _rows(query)
