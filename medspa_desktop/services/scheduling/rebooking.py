"""Booking the next visit at checkout: the same service, with the same provider, at the
treatment's usual interval after this visit (docs/domain.md, "Intervals"), on the first free
slot on or after that day, as near the visit's time of day as there is. The desk books it with
one click through ``appointments.book_appointment``, or skips it.

A neurotoxin's interval is the clinic's re-treatment period (``clinical_periods``), so the
proposal is never inside it; the other treatments' usual intervals are below."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ...store.models import Appointment, User
from ..clinic import clinical_periods
from ..platform.errors import ValidationError
from ..platform.permissions import require
from ..platform.vocabulary import ACTIVE_STATUSES
from . import appointments, availability
from .availability import Slot

# The usual days between two visits of a course or a maintenance routine, by category
# (docs/domain.md): laser hair 4–8 weeks (face 4–6, body 6–8), IPL 3–4 weeks, peels and
# microneedling 4–6 weeks, mesotherapy every 1–2 weeks, filler reviewed at 9–12 months.
USUAL_INTERVAL_DAYS = {
    "filler": 270,
    "laser_resurfacing": 42,
    "laser_hair": 42,
    "ipl": 28,
    "acne_light": 14,
    "pigment_vascular": 35,
    "body_contouring": 56,
    "mesotherapy": 14,
    "peel_microneedling": 35,
}
SEARCH_DAYS = 14  # how far past the wanted day a free slot is looked for
CANDIDATES = 60  # free start times weighed (a day's worth for one provider)


def usual_interval_days(category: str) -> int | None:
    """Days from one visit to the next for a treatment category; None for retail and
    anything without a usual interval."""
    if category == "neurotoxin":
        return clinical_periods.toxin_interval_days()
    return USUAL_INTERVAL_DAYS.get(category)


@dataclass(frozen=True)
class NextVisit:
    patient_id: int
    service_id: int
    service: str
    interval_days: int
    wanted: dt.date  # the visit's day plus the interval
    slot: Slot | None  # the proposal; None: nothing free near that day
    booked: appointments.AppointmentRow | None = None  # already booked: nothing to propose

    @property
    def text(self) -> str:
        """What the desk reads: the proposal, or why there is none."""
        every = clinical_periods.describe_days(self.interval_days)
        if self.booked is not None:
            b = self.booked
            return (f"The next {b.service} is already booked: {b.start:%a %d %b %Y %H:%M}"
                    + (f" with {b.provider}." if b.provider else "."))
        if self.slot is None:
            return (f"Nothing is free for {self.service} within {SEARCH_DAYS} days of "
                    f"{self.wanted:%a %d %b %Y} (every {every}): book it from the schedule.")
        s = self.slot
        return (f"Next {self.service} (every {every}): {s.start:%a %d %b %Y %H:%M}"
                + (f" with {s.provider}" if s.provider else "")
                + (f", {s.room}" if s.room else "") + ".")


def _booked_later(actor: User,
                  row: appointments.AppointmentRow) -> appointments.AppointmentRow | None:
    later = (Appointment.select(Appointment.id)
             .where(Appointment.patient == row.patient_id, Appointment.service == row.service_id,
                    Appointment.start > row.start, Appointment.status.in_(ACTIVE_STATUSES))
             .order_by(Appointment.start).first())
    return appointments.get_appointment(actor, later.id) if later else None


def _nearest(actor: User, row: appointments.AppointmentRow, wanted: dt.date,
             provider_id: int | None) -> Slot | None:
    """The first day on or after ``wanted`` with a free slot, at the time nearest the visit's."""
    try:
        found = availability.find_slots(
            actor, row.service_id, after=dt.datetime.combine(wanted, dt.time()),
            provider_id=provider_id, patient_id=row.patient_id, limit=CANDIDATES,
            horizon_days=SEARCH_DAYS)
    except ValidationError:  # the provider no longer does this treatment
        return None
    if not found:
        return None
    day = found[0].start.date()
    at = dt.datetime.combine(day, row.start.time())
    return min((s for s in found if s.start.date() == day), key=lambda s: abs(s.start - at))


def propose_next_visit(actor: User, appointment_id: int,
                       today: dt.date | None = None) -> NextVisit | None:
    """The next visit to offer at checkout, or None when the treatment has no usual interval
    (retail, a service the clinic has not given one)."""
    require(actor, "schedule.read")
    row = appointments.get_appointment(actor, appointment_id)
    days = usual_interval_days(row.category_key)
    if days is None:
        return None
    wanted = max(row.start.date() + dt.timedelta(days=days),
                 (today or dt.date.today()) + dt.timedelta(days=1))
    booked = _booked_later(actor, row)
    if booked is not None:
        return NextVisit(row.patient_id, row.service_id, row.service, days, wanted, None, booked)
    slot = None
    if row.provider_id is not None:
        slot = _nearest(actor, row, wanted, row.provider_id)
    if slot is None:  # the same provider is not free (or gone): whoever is
        slot = _nearest(actor, row, wanted, None)
    return NextVisit(row.patient_id, row.service_id, row.service, days, wanted, slot)


def book_next_visit(actor: User, proposal: NextVisit) -> Appointment:
    """Book the proposed slot (refused, as any booking, if it was taken meanwhile)."""
    if proposal.slot is None:
        raise ValidationError("There is no proposed time to book.")
    return appointments.book_appointment(
        actor, proposal.slot.as_input(proposal.patient_id, proposal.service_id))
