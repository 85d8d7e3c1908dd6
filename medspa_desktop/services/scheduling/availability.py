"""Finding free time: the next open slots for a service, and walk-ins.

A slot is free when the provider (one who treats the service's category and works then), a
room (if the service needs one) and a device of the right kind (clean-up buffer included) are
all free, inside the clinic's hours — the same ``Occupancy`` rules booking applies.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ...store.database import db
from ...store.models import Appointment, Device, Room, Service, User
from ..platform.errors import ConflictError, NotFound, ValidationError
from ..platform.permissions import CLINICAL, require
from ..platform.vocabulary import AppointmentStatus
from . import appointments, hours
from .occupancy import Occupancy

DEFAULT_HORIZON_DAYS = 60


@dataclass(frozen=True)
class Slot:
    start: dt.datetime
    end: dt.datetime
    provider_id: int | None
    provider: str
    room_id: int | None
    room: str
    device_id: int | None
    device: str

    def as_input(self, patient_id: int, service_id: int, notes: str = ""):
        return appointments.AppointmentInput(patient_id, service_id, self.provider_id, self.start,
                                             self.end, self.room_id, self.device_id, notes)


def bookable_services(provider_id: int | None = None) -> list[Service]:
    """Services the clinic can book now: someone treats them (``provider_id`` if given) and a
    device of the kind they need exists. Retail items are not appointments."""
    kinds = {d.kind for d in Device.select(Device.kind).where(Device.active)}
    staff = [provider_id] if provider_id is not None else \
        [u.id for u in User.select(User.id).where(
            User.active, User.role.in_(sorted(CLINICAL)))]
    result = []
    for service in Service.select().where(Service.active, Service.category != "retail") \
            .order_by(Service.category, Service.name):
        if service.device_kind and service.device_kind not in kinds:
            continue
        if service.needs_provider and not any(hours.treats(pid, service.category)
                                              for pid in staff):
            continue
        result.append(service)
    return result


def _ceil(t: dt.datetime, minutes: int) -> dt.datetime:
    t = t.replace(second=0, microsecond=0)
    extra = (t.hour * 60 + t.minute) % minutes
    return t + dt.timedelta(minutes=(minutes - extra) % minutes)


def _candidates(service: Service, provider_id: int | None):
    if provider_id is not None:
        provider = User.get_or_none(User.id == provider_id)
        if provider is None:
            raise NotFound("That provider does not exist.")
        if not hours.treats(provider.id, service.category):
            raise ValidationError(f"{provider.display_name} does not do this treatment.")
        providers = [provider]
    elif service.needs_provider:
        providers = hours.providers_for(service.category)
    else:
        providers = [None]
    return (providers, *resources_for(service))


def find_slots(
    actor: User, service_id: int, *, after: dt.datetime, before: dt.datetime | None = None,
    provider_id: int | None = None, patient_id: int | None = None, day_part: str = "any",
    weekdays: set[int] | None = None, limit: int = 10,
    horizon_days: int = DEFAULT_HORIZON_DAYS, first_at: dt.datetime | None = None,
) -> list[Slot]:
    """The next ``limit`` free start times for the service (one slot per start time, the first
    free provider, room and device in name order). ``first_at`` adds one off-grid candidate
    (a walk-in starting right now)."""
    require(actor, "schedule.read")
    service = Service.get_or_none(Service.id == service_id)
    if service is None:
        raise NotFound("That service does not exist.")
    if day_part not in hours.DAY_PARTS:
        raise ValidationError("Choose any time, morning, afternoon or evening.")
    providers, rooms, devices = _candidates(service, provider_id)
    if service.device_kind and devices == []:
        raise ValidationError(f"The clinic has no device for {service.name}.")
    length = dt.timedelta(minutes=service.default_minutes)
    step = hours.slot_minutes()
    clinic = hours.clinic_hours()
    part_from, part_to = hours.DAY_PARTS[day_part]
    slots: list[Slot] = []
    for offset in range(horizon_days + 1):
        day = after.date() + dt.timedelta(days=offset)
        if before is not None and dt.datetime.combine(day, dt.time()) >= before:
            break
        span = clinic[day.weekday()]
        if span is None or (weekdays and day.weekday() not in weekdays):
            continue
        open_at = dt.datetime.combine(day, max(span[0], part_from))
        close_at = dt.datetime.combine(day, min(span[1], part_to))
        occ = Occupancy.load(open_at, close_at)
        spans = {p.id: hours.working_span(p.id, day) for p in providers if p is not None}
        times = []
        if first_at is not None and first_at.date() == day:
            times.append(first_at.replace(second=0, microsecond=0))
        t = _ceil(max(open_at, after), step)
        while t + length <= close_at:
            times.append(t)
            t += dt.timedelta(minutes=step)
        for start in sorted(set(times)):
            end = start + length
            if start < after or end > close_at or start < open_at or \
                    (before is not None and start > before):
                continue
            slot = _first_free(occ, start, end, providers, rooms, devices, spans, patient_id)
            if slot is not None:
                slots.append(slot)
                if len(slots) >= limit:
                    return slots
    return slots


def resources_for(service: Service):
    """The rooms and devices a service could use, in the order they are tried."""
    rooms = list(Room.select().where(Room.active).order_by(Room.position, Room.name)) \
        if service.needs_room else [None]
    devices = list(Device.select().where(Device.active, Device.kind == service.device_kind)
                   .order_by(Device.name)) if service.device_kind else [None]
    return rooms, devices


def pick_room_and_device(occ: Occupancy, start: dt.datetime, end: dt.datetime, rooms, devices):
    """The first free room and device (None where the service needs none), or None when either
    is all taken."""
    room = next((r for r in rooms if r is None or occ.is_free(start, end, room_id=r.id)), False)
    device = next((d for d in devices
                   if d is None or occ.is_free(start, end, device_id=d.id)), False)
    if room is False or device is False:
        return None
    return room, device


def free_room_and_device(service_id: int, start: dt.datetime, end: dt.datetime, *,
                         exclude_id: int | None = None) -> tuple[int | None, int | None]:
    """The first room and device (in the order they are tried) free for the service from
    ``start`` to ``end`` — what the booking form proposes. None where the service needs none,
    or where every one is taken (the form then says what clashes)."""
    service = Service.get_or_none(Service.id == service_id)
    if service is None or end <= start:
        return None, None
    rooms, devices = resources_for(service)
    occ = Occupancy.load(start, end)
    room = next((r for r in rooms if r is not None
                 and occ.is_free(start, end, room_id=r.id, exclude_id=exclude_id)), None)
    device = next((d for d in devices if d is not None
                   and occ.is_free(start, end, device_id=d.id, exclude_id=exclude_id)), None)
    return (room.id if room else None), (device.id if device else None)


def _first_free(occ, start, end, providers, rooms, devices, spans, patient_id) -> Slot | None:
    if patient_id is not None and not occ.is_free(start, end, patient_id=patient_id):
        return None
    for provider in providers:
        if provider is not None:
            span = spans[provider.id]
            if span is None or not (span[0] <= start.time() and end.time() <= span[1]):
                continue
            if not occ.is_free(start, end, provider_id=provider.id):
                continue
        picked = pick_room_and_device(occ, start, end, rooms, devices)
        if picked is None:
            return None  # rooms and devices do not depend on the provider
        room, device = picked
        return Slot(start, end, provider.id if provider else None,
                    provider.display_name if provider else "",
                    room.id if room else None, room.name if room else "",
                    device.id if device else None, device.name if device else "")
    return None


def walk_in(actor: User, patient_id: int, service_id: int, *, within_minutes: int = 30,
            now: dt.datetime | None = None, notes: str = "") -> Appointment:
    """Book the first provider, room and device free from now (or within the next
    ``within_minutes``) and mark the patient arrived, in one step."""
    require(actor, "schedule.write")
    now = (now or dt.datetime.now()).replace(second=0, microsecond=0)
    with db.atomic():
        slots = find_slots(actor, service_id, after=now,
                           before=now + dt.timedelta(minutes=within_minutes),
                           patient_id=patient_id, limit=1, horizon_days=0, first_at=now)
        if not slots:
            service = Service.get_by_id(service_id)
            later = find_slots(actor, service_id, after=now, patient_id=patient_id, limit=1,
                               horizon_days=14)
            hint = (f" The next opening is {later[0].start:%a %d %b %H:%M} with "
                    f"{later[0].provider}." if later else "")
            raise ConflictError(f"Nobody is free for {service.name} in the next "
                                f"{within_minutes} minutes.{hint}")
        appt = appointments.book_appointment(actor, slots[0].as_input(patient_id, service_id,
                                                                      notes))
        return appointments.change_status(actor, appt.id, AppointmentStatus.ARRIVED, appt.version)
