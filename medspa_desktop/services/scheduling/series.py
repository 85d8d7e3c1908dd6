"""A course of treatments booked at once: N sessions every K days (laser hair 6–8 sessions
every 4–6 weeks, mesotherapy 6–10 weekly). Each session is its own appointment, linked to
the series.

``plan_series`` shows, per session, whether the wanted time is free and, if not, what clashes
and the nearest free alternative; ``book_series`` books the chosen times all together or
nothing at all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ...store.database import db
from ...store.models import Appointment, Series, User
from ..platform import audit, changes
from ..platform.errors import ConflictError, NotFound, ValidationError
from ..platform.permissions import require
from ..platform.vocabulary import AppointmentStatus
from . import appointments
from .availability import Slot, find_slots
from .occupancy import Busy, Occupancy

MAX_SESSIONS = 20
MAX_INTERVAL_DAYS = 365
NEAREST_CANDIDATES = 80


@dataclass(frozen=True)
class PlannedSession:
    number: int
    start: dt.datetime
    end: dt.datetime
    problems: list[str]  # empty: the wanted time is free
    alternative: Slot | None  # the nearest free slot with the same provider, when not


def _validate(sessions: int, interval_days: int) -> None:
    if not 2 <= sessions <= MAX_SESSIONS:
        raise ValidationError(f"A series has 2 to {MAX_SESSIONS} sessions.")
    if not 1 <= interval_days <= MAX_INTERVAL_DAYS:
        raise ValidationError("Sessions are 1 to 365 days apart.")


def plan_series(actor: User, first: appointments.AppointmentInput, sessions: int,
                interval_days: int) -> list[PlannedSession]:
    require(actor, "schedule.read")
    _validate(sessions, interval_days)
    appointments.check(first)  # input errors surface before any planning
    length = first.end - first.start
    step = dt.timedelta(days=interval_days)
    last_end = first.start + step * (sessions - 1) + length
    occ = Occupancy.load(first.start, last_end + dt.timedelta(days=7))
    plan = []
    for i in range(sessions):
        start = first.start + step * i
        data = appointments.AppointmentInput(first.patient_id, first.service_id, first.provider_id,
                                             start, start + length, first.room_id, first.device_id)
        checked = appointments.check(data, occupancy=occ)
        problems = [c.message for c in checked.conflicts] + checked.hour_problems
        alternative = None
        if problems:
            alternative = _nearest_free(actor, first, start, interval_days)
        chosen = alternative if problems else None
        occ.add(Busy(chosen.start if chosen else start, chosen.end if chosen else start + length,
                     appointment_id=-(i + 1), patient_id=first.patient_id,
                     provider_id=chosen.provider_id if chosen else first.provider_id,
                     room_id=chosen.room_id if chosen else first.room_id,
                     device_id=chosen.device_id if chosen else first.device_id,
                     service="this series", patient="the patient"))
        plan.append(PlannedSession(i + 1, start, start + length, problems, alternative))
    return plan


def _nearest_free(actor: User, first: appointments.AppointmentInput, wanted: dt.datetime,
                  interval_days: int) -> Slot | None:
    """The free slot closest in time to ``wanted`` with the same provider, from that morning up
    to two weeks (or one interval) on; the earlier of two equally close ones."""
    found = find_slots(actor, first.service_id,
                       after=dt.datetime.combine(wanted.date(), dt.time()),
                       provider_id=first.provider_id, patient_id=first.patient_id,
                       limit=NEAREST_CANDIDATES, horizon_days=min(interval_days, 14))
    return min(found, key=lambda slot: abs(slot.start - wanted), default=None)


def book_series(actor: User, patient_id: int, service_id: int,
                sessions: list[appointments.AppointmentInput], interval_days: int) -> Series:
    """Book every session (e.g. the plan with its alternatives accepted). If any session
    clashes, nothing is booked and the refusal lists each clash by session."""
    require(actor, "schedule.write")
    _validate(len(sessions), interval_days)
    with db.atomic():
        series = Series.create(patient=patient_id, service=service_id, sessions=len(sessions),
                               interval_days=interval_days, created_by=actor,
                               created_at=dt.datetime.now())
        problems = []
        for n, data in enumerate(sessions, start=1):
            if data.patient_id != patient_id or data.service_id != service_id:
                raise ValidationError("Every session of a series is for one patient and service.")
            try:
                appointments.book_appointment(actor, data, series_id=series.id)
            except ConflictError as exc:
                problems.append(f"Session {n} ({data.start:%a %d %b %H:%M}): {exc}")
        if problems:
            raise ConflictError(" ".join(problems))  # rolls the whole series back
        audit.record(actor, "series.book", "series", series.id,
                     f"{len(sessions)} sessions every {interval_days} days")
        changes.note("appointment")
    return series


def cancel_series_from(actor: User, appointment_id: int, reason: str) -> int:
    """Cancel this session and every later one still to come; returns how many."""
    require(actor, "schedule.write")
    with db.atomic():
        appt = Appointment.get_or_none(Appointment.id == appointment_id)
        if appt is None:
            raise NotFound("That appointment does not exist.")
        if appt.series_id is None:
            raise ValidationError("This appointment is not part of a series.")
        later = (Appointment.select()
                 .where(Appointment.series == appt.series_id, Appointment.start >= appt.start,
                        Appointment.status.in_(appointments.MOVABLE))
                 .order_by(Appointment.start))
        count = 0
        for a in later:
            appointments.change_status(actor, a.id, AppointmentStatus.CANCELLED, a.version,
                                           reason=reason)
            count += 1
        if count == 0:
            raise ValidationError("No session of this series is left to cancel.")
    return count
