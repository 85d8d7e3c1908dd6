"""Who and what is busy when: the one place the double-booking rules live.

``Occupancy.load(start, end)`` reads the active appointments and blocked time around a window
in one query each; ``conflicts(...)`` then says, in words for the front desk, everything a
proposed appointment would clash with. Booking, moving, walk-ins, find-next-available and
series all ask the same object, so they cannot disagree about what "free" means.

The rules:

* a provider, a room, a device and the patient are each in at most one active appointment
  at a time (cancelled and no-show appointments free their slot);
* a device's clean-up buffer after each use is busy time for that device;
* a provider's time off and a room's or device's blocked time are busy time.

Two PCs booking the same slot at once: on SQLite a write transaction already lets one writer
through at a time; on PostgreSQL ``load`` inside a transaction first takes the schedule's
lock (``pg_advisory_xact_lock``, held to the commit), so the second PC's check waits for the
first's booking and then sees it. The lock and the three reads go in one round trip
(``fetch_together``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from peewee import JOIN

from ...store.database import db, fetch_together, is_sqlite
from ...store.models import (
    Appointment,
    Device,
    Patient,
    Room,
    Service,
    TimeBlock,
    User,
)
from ..charts.patients import listed_name
from ..platform.vocabulary import ACTIVE_STATUSES

SCHEDULE_LOCK = 7_318_204  # the advisory lock's key: one booking or move at a time (PostgreSQL)
MAX_CLEANUP = dt.timedelta(minutes=240)  # the longest clean-up a device may have (catalog)

# Conflict kinds; only a provider double-booking may be overridden (with a reason).
OVERRIDABLE = frozenset({"provider"})


@dataclass(frozen=True)
class Conflict:
    kind: str  # provider | room | device | patient | provider_off | room_off | device_off
    message: str
    appointment_id: int | None = None

    @property
    def overridable(self) -> bool:
        return self.kind in OVERRIDABLE


@dataclass(frozen=True)
class Busy:
    """One appointment or one block, with what the messages need to name it."""

    start: dt.datetime
    end: dt.datetime
    appointment_id: int | None = None
    patient_id: int | None = None
    provider_id: int | None = None
    room_id: int | None = None
    device_id: int | None = None
    service: str = ""
    patient: str = ""
    provider: str = ""
    room: str = ""
    reason: str = ""  # blocks only

    @property
    def is_block(self) -> bool:
        return self.appointment_id is None and not self.service


def _hm(t: dt.datetime) -> str:
    return t.strftime("%H:%M")


def _block_span(b: Busy) -> str:
    """ "10:00–12:00", or for whole days off "on Tue 8 Dec" / "Tue 8 Dec – Fri 11 Dec"."""
    midnight = dt.time(0, 0)
    if b.start.time() != midnight or b.end.time() != midnight:
        return f"{_hm(b.start)}–{_hm(b.end)}"
    first, last = b.start.date(), (b.end - dt.timedelta(days=1)).date()
    if last == first:
        return f"on {first:%a} {first.day} {first:%b}"
    return f"{first:%a} {first.day} {first:%b} – {last:%a} {last.day} {last:%b}"


def joined_appointments():
    """Appointments with their patient, service, provider, room and device in one query, as
    named tuples (plain values, no model objects: a busy day or a long history reads fast)."""
    provider = User.alias()
    return (
        Appointment.select(
            Appointment.id, Appointment.start, Appointment.end,
            Appointment.patient.alias("patient_id"), Patient.first_name, Patient.last_name,
            Patient.preferred_name, Appointment.service.alias("service_id"),
            Service.name.alias("service"), Service.category, Service.colour,
            Service.consent_category,
            Appointment.provider.alias("provider_id"), provider.display_name.alias("provider"),
            Appointment.room.alias("room_id"), Room.name.alias("room"),
            Appointment.device.alias("device_id"), Device.name.alias("device"),
            Appointment.status, Appointment.notes, Appointment.late_cancel,
            Appointment.series.alias("series_id"), Appointment.version)
        .join(Patient, on=Appointment.patient == Patient.id)
        .switch(Appointment).join(Service, on=Appointment.service == Service.id)
        .switch(Appointment).join(provider, JOIN.LEFT_OUTER,
                                  on=Appointment.provider == provider.id)
        .switch(Appointment).join(Room, JOIN.LEFT_OUTER, on=Appointment.room == Room.id)
        .switch(Appointment).join(Device, JOIN.LEFT_OUTER, on=Appointment.device == Device.id)
        .namedtuples()
    )


MAX_DURATION = dt.timedelta(hours=12)  # the longest appointment the schedule accepts


@dataclass
class Occupancy:
    items: list[Busy] = field(default_factory=list)
    cleanup: dict[int, dt.timedelta] = field(default_factory=dict)  # device id -> buffer
    names: dict[tuple[str, int], str] = field(default_factory=dict)  # ("device", 3) -> name

    also: list[list] = field(default_factory=list)  # the rows of ``load``'s ``also`` queries

    @classmethod
    def load(cls, start: dt.datetime, end: dt.datetime, *also) -> Occupancy:
        """Everything that can clash with anything inside [start, end); ``also``: queries
        whose rows the caller wants read in the same round trip (in ``also``)."""
        # every device's clean-up is at most MAX_CLEANUP: the appointments read are those
        # within it of the window (``conflicts`` applies each device's own)
        pad = MAX_CLEANUP
        query = joined_appointments().where(
            Appointment.status.in_(ACTIVE_STATUSES),
            Appointment.start < end + pad,
            Appointment.end > start - pad,
            # no appointment is longer than MAX_DURATION, so this bounds the scan of the start
            # index to a day or so instead of every appointment since the clinic opened
            Appointment.start > start - pad - MAX_DURATION,
        )
        blocks = TimeBlock.select().where(TimeBlock.active, TimeBlock.start < end,
                                          TimeBlock.end > start)
        devices = Device.select(Device.id, Device.name, Device.cleanup_minutes).tuples()
        # one round trip on a server, the schedule's lock first inside a booking's transaction
        locking = [] if is_sqlite() or not db.in_transaction() else [
            (f"SELECT pg_advisory_xact_lock({SCHEDULE_LOCK})", ())]
        found = fetch_together(*locking, devices, query, blocks, *also)[len(locking):]
        devices, appointments, blocks = found[:3]
        occ = cls(cleanup={key: dt.timedelta(minutes=minutes) for key, _n, minutes in devices},
                  also=found[3:])
        occ.names.update({("device", key): name for key, name, _m in devices})
        for a in appointments:
            occ.items.append(Busy(
                a.start, a.end, a.id, a.patient_id, a.provider_id, a.room_id, a.device_id,
                a.service, listed_name(a.first_name, a.last_name, a.preferred_name),
                a.provider or "", a.room or "",
            ))
        for b in blocks:
            occ.items.append(Busy(b.start, b.end, provider_id=b.provider_id, room_id=b.room_id,
                                  device_id=b.device_id, reason=b.reason))
        return occ

    def add(self, busy: Busy) -> None:
        """Count a planned appointment as busy (planning several at once, e.g. a series)."""
        self.items.append(busy)

    def conflicts(
        self,
        start: dt.datetime,
        end: dt.datetime,
        *,
        patient_id: int | None = None,
        provider_id: int | None = None,
        room_id: int | None = None,
        device_id: int | None = None,
        exclude_id: int | None = None,
    ) -> list[Conflict]:
        found: list[Conflict] = []
        buffer = self.cleanup.get(device_id, dt.timedelta()) if device_id else dt.timedelta()
        for b in sorted(self.items, key=lambda b: (b.start, b.appointment_id or 0)):
            if exclude_id is not None and b.appointment_id == exclude_id:
                continue
            overlaps = b.start < end and b.end > start
            span = f"{_hm(b.start)}–{_hm(b.end)}"
            if b.is_block:
                if not overlaps:
                    continue
                span = _block_span(b)
                if provider_id and b.provider_id == provider_id:
                    found.append(Conflict("provider_off", f"{self._name('provider', provider_id)}"
                                                          f" is off {span} ({b.reason})."))
                if room_id and b.room_id == room_id:
                    found.append(Conflict("room_off", f"{self._name('room', room_id)} is "
                                                      f"blocked {span} ({b.reason})."))
                if device_id and b.device_id == device_id:
                    found.append(Conflict("device_off", f"The {self._name('device', device_id)}"
                                                        f" is out of use {span} ({b.reason})."))
                continue
            what = f"{span} for {b.service}"
            if overlaps and provider_id and b.provider_id == provider_id:
                where = f" in {b.room}" if b.room else ""
                found.append(Conflict("provider", f"{b.provider} is booked {what}{where}.",
                                      b.appointment_id))
            with_whom = f" with {b.provider}" if b.provider else ""
            if overlaps and room_id and b.room_id == room_id:
                found.append(Conflict("room", f"{b.room} is booked {what}{with_whom}.",
                                      b.appointment_id))
            if device_id and b.device_id == device_id and \
                    b.start < end + buffer and b.end + buffer > start:
                cleanup = f" (plus {buffer.seconds // 60} min clean-up)" if buffer else ""
                found.append(Conflict(
                    "device", f"The {self._name('device', device_id)} is in use "
                              f"{what}{with_whom}{cleanup}.", b.appointment_id))
            if overlaps and patient_id and b.patient_id == patient_id:
                found.append(Conflict("patient", f"{b.patient} is already booked {what}"
                                                 f"{with_whom}.", b.appointment_id))
        return found

    def is_free(self, start: dt.datetime, end: dt.datetime, **resources) -> bool:
        return not self.conflicts(start, end, **resources)

    def _name(self, kind: str, pk: int) -> str:
        """A device's, room's or provider's name, read only when a message needs it."""
        if (kind, pk) not in self.names:
            if kind == "room":
                row = Room.get_or_none(Room.id == pk)
                self.names[(kind, pk)] = row.name if row else f"room {pk}"
            else:
                row = User.get_or_none(User.id == pk)
                self.names[(kind, pk)] = row.display_name if row else f"provider {pk}"
        return self.names[(kind, pk)]
