"""Appointments: book, move, change status, cancel; and the lists the schedule shows.

Every rule is checked here (see ``occupancy`` for the double-booking rules):

* a refusal names what clashes: "Room 2 is booked 10:00–10:30 for Botox with Dr Lee";
* outside the clinic's or the provider's hours, and a provider double-booking, may be booked
  anyway only with an override reason, which is audited; nothing else may be overridden;
* a provider books only the categories they treat;
* a stale edit (another PC saved first) is refused;
* each change leaves an ``AppointmentChange`` row (the history shown with the appointment)
  and an audit event, in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import JOIN

from ...store.database import db, fetch_together, write_together
from ...store.models import (
    CATEGORIES,
    Appointment,
    AppointmentChange,
    ContraindicationAck,
    Device,
    Invoice,
    Patient,
    Room,
    Service,
    TimeBlock,
    User,
)
from ..charts import alerts
from ..charts.patients import display_name, listed_name
from ..clinic.catalog import DEVICE_KINDS
from ..consents import consent_policy
from ..messaging import reminders
from ..platform import audit, changes, limits, settings, stale
from ..platform.errors import (
    ConflictError,
    ContraindicationError,
    NotFound,
    OverrideNeeded,
    StaleEditError,
    ValidationError,
    answer,
)
from ..platform.permissions import require, treats_patients
from ..platform.text import clean_block, clean_line
from ..platform.vocabulary import (
    FREED_STATUSES,
    NOT_ARRIVED_STATUSES,
    AppointmentStatus,
    InvoiceStatus,
)
from . import hours
from .occupancy import MAX_DURATION, Conflict, Occupancy, joined_appointments

MAX_NOTES = limits.APPOINTMENT_NOTES

S = AppointmentStatus
STATUS_LABELS = AppointmentStatus.labels()
TRANSITIONS = {
    S.BOOKED: (S.CONFIRMED, S.ARRIVED, S.CANCELLED, S.NO_SHOW),
    S.CONFIRMED: (S.ARRIVED, S.CANCELLED, S.NO_SHOW),
    S.ARRIVED: (S.IN_TREATMENT, S.CANCELLED),
    S.IN_TREATMENT: (S.COMPLETED,),
    S.COMPLETED: (S.CHECKED_OUT,),
    S.CHECKED_OUT: (),
    S.CANCELLED: (),
    S.NO_SHOW: (),
}
MOVABLE = NOT_ARRIVED_STATUSES


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
class Checked:
    """A validated proposal: its rows, and what an override would have to cover."""

    patient: Patient
    service: Service
    provider: User | None
    room: Room | None
    device: Device | None
    start: dt.datetime
    end: dt.datetime
    notes: str
    conflicts: list[Conflict]
    hour_problems: list[str]

    @property
    def needs_override(self) -> bool:
        return bool(self.conflicts or self.hour_problems)

    @property
    def refusal(self) -> str:
        return " ".join([c.message for c in self.conflicts] + self.hour_problems)


def _get(model, pk, what: str):
    if pk is None:
        raise ValidationError(f"Choose a {what}.")
    row = model.get_or_none(model.id == pk)
    if row is None:
        raise NotFound(f"That {what} does not exist.")
    return row


def _proposed(data: AppointmentInput
              ) -> tuple[Patient, Service, Room | None, list | None]:
    """The proposal's patient, service and room in one query, with the provider's account,
    skills and hours (``hours.bookable_query``'s rows; None when not read) in the same round
    trip; when one is missing, read one by one to say which."""
    if None not in (data.patient_id, data.service_id):
        query = (Patient.select(Patient, Service, Room)
                 .join(Service, on=Service.id == data.service_id, attr="_service")
                 .switch(Patient)
                 .join(Room, JOIN.LEFT_OUTER, on=Room.id == data.room_id, attr="_room")
                 .where(Patient.id == data.patient_id).limit(1))
        with_provider = [] if data.provider_id is None else [
            hours.bookable_query(data.provider_id)]
        rows, *staff_rows = fetch_together(query, *with_provider)
        found = rows[0] if rows else None
        if found is not None:
            room = getattr(found, "_room", None)
            if room is not None and room.id is None:
                room = None
            if data.room_id is None or room is not None:
                return found, found._service, room, staff_rows[0] if staff_rows else None
    return (_get(Patient, data.patient_id, "patient"), _get(Service, data.service_id, "service"),
            _get(Room, data.room_id, "room") if data.room_id is not None else None, None)


def check(data: AppointmentInput, *, exclude_id: int | None = None,
          occupancy: Occupancy | None = None) -> Checked:
    """Validate a proposal and find its conflicts and hour problems; raises ValidationError for
    input that can never be booked. Nothing is written."""
    patient, service, proposed_room, staff_rows = _proposed(data)
    if patient.archived:
        raise ValidationError(f"{display_name(patient)} is archived; restore the chart first.")
    if not service.active:
        raise ValidationError(f"{service.name} is no longer offered.")
    if service.category == "retail":
        raise ValidationError(f"{service.name} is a product, not an appointment.")
    provider = staff = None
    if service.needs_provider and data.provider_id is None \
            and not hours.providers_for(service.category):
        raise ValidationError(f"No provider does {CATEGORIES[service.category]} treatments "
                              "yet: tick the category for a provider in Staff accounts.")
    if service.needs_provider or data.provider_id is not None:
        if data.provider_id is None:
            raise ValidationError("Choose a provider.")
        # the account, its skills and its hours in one query (read with the patient's)
        staff = (hours.bookable_from(staff_rows) if staff_rows is not None
                 else hours.bookable(data.provider_id))
        if staff is None:
            raise NotFound("That provider does not exist.")
        provider = staff.user
        if not treats_patients(provider):
            raise ValidationError(f"{provider.display_name} does not see patients.")
        if not staff.treats(service.category):
            raise ValidationError(f"{provider.display_name} does not do "
                                  f"{CATEGORIES[service.category]} treatments.")
    room = None
    if service.needs_room or data.room_id is not None:
        room = proposed_room or _get(Room, data.room_id, "room")
        if not room.active:
            raise ValidationError(f"{room.name} is out of use.")
    device = None
    if service.device_kind and data.device_id is None and not Device.select().where(
            Device.active, Device.kind == service.device_kind).exists():
        raise ValidationError(f"{service.name} needs a "
                              f"{DEVICE_KINDS.get(service.device_kind, service.device_kind)}, "
                              "and the clinic has none in use yet (add it in Clinic setup).")
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
    week = None
    if occupancy is None:  # the clinic's hours read in the same round trip
        occupancy = Occupancy.load(data.start, data.end,
                                   settings.many_query(*hours.OPENING_HOURS))
        week = hours.clinic_hours(occupancy.also[0])
    conflicts = occupancy.conflicts(
        data.start, data.end, patient_id=patient.id, provider_id=provider.id if provider else None,
        room_id=room.id if room else None, device_id=device.id if device else None,
        exclude_id=exclude_id)
    return Checked(patient, service, provider, room, device, data.start, data.end, notes,
                   conflicts, hours.outside_hours(data.start, data.end, provider, staff,
                                                  week))


def preview(actor: User, data: AppointmentInput, *,
            exclude_id: int | None = None) -> Checked:
    """What booking ``data`` would run into, for a dialog to show while the user types."""
    require(actor, "schedule.read")
    return check(data, exclude_id=exclude_id)


def _refuse_unless_overridden(checked: Checked, reason: str) -> None:
    if not checked.needs_override:
        return
    if any(not c.overridable for c in checked.conflicts):
        raise ConflictError(checked.refusal)
    if not reason:
        raise OverrideNeeded(f"{checked.refusal} Give a reason to book it anyway.")


def _override_events(appt_id: int, checked: Checked, reason: str) -> list[audit.Event]:
    if not checked.needs_override:
        return []
    return [("appointment.override", "appointment", appt_id,
             f"{checked.refusal} Reason: {reason}"[:1000])]


def _change_query(actor: User, appt: Appointment, kind: str, *, from_status: str = "",
                  to_status: str = "", old: tuple | None = None, new: tuple | None = None,
                  note: str = ""):
    """The appointment's history line, as a query not yet run."""
    return AppointmentChange.insert(
        appointment=appt.id, at=dt.datetime.now(), user=actor, kind=kind,
        from_status=from_status, to_status=to_status,
        old_start=old[0] if old else None, old_end=old[1] if old else None,
        new_start=new[0] if new else None, new_end=new[1] if new else None, note=note)


def book_appointment(actor: User, data: AppointmentInput, *, override_reason: str = "",
                     series_id: int | None = None, answers=None) -> Appointment:
    """Book, or raise ConflictError naming every clash and hour problem. Only a provider
    double-booking and booking outside hours may be overridden, with ``override_reason``
    (or ``answers={"booking.override": reason}``; refused with ``OverrideNeeded``)."""
    require(actor, "schedule.write")
    reason = clean_line(override_reason or answer(answers, OverrideNeeded.key))
    with db.atomic():
        checked = check(data)
        _refuse_unless_overridden(checked, reason)
        now = dt.datetime.now()
        appt = Appointment.create(
            patient=checked.patient, service=checked.service, provider=checked.provider,
            room=checked.room, device=checked.device, start=checked.start, end=checked.end,
            notes=checked.notes, series=series_id, created_at=now, updated_at=now)
        # its reminders (read with the audit chain's end); then its history line, the audit
        # of both and the change signals go to the server together
        work = reminders.booked(actor, appt, checked.patient, checked.service,
                                checked.provider)
        write_together(
            _change_query(actor, appt, "booked", to_status=S.BOOKED, new=(appt.start, appt.end)),
            *work.queries(actor, [
                ("appointment.book", "appointment", appt.id,
                 f"{checked.service.name} {checked.start:%Y-%m-%d %H:%M} "
                 f"chart {checked.patient.chart_number}"),
                *_override_events(appt.id, checked, reason)]),
            changes.note_query("appointment", appt.id))
    return appt


def _at_version(appointment_id: int, version: int) -> Appointment:
    """The appointment as the caller last saw it: refused when it is gone or another PC
    saved it since (its version moved on). Takes no lock: the save itself (``_bump``)
    updates only where the version still matches."""
    appt = Appointment.get_or_none(Appointment.id == appointment_id)
    if appt is None:
        raise NotFound("That appointment does not exist.")
    if appt.version != version:
        _refuse_stale(appointment_id)
    return appt


def _refuse_stale(appointment_id: int) -> None:
    """Another workstation saved the appointment since this one read it: say who did what,
    from the appointment's own history."""
    last = (AppointmentChange.select(AppointmentChange, User).join(User)
            .where(AppointmentChange.appointment == appointment_id)
            .order_by(AppointmentChange.id.desc()).first())
    said, by = "", None
    if last is not None:
        what = {"moved": f"moved it to {last.new_start:%a %d %b %H:%M}"
                if last.new_start else "moved it",
                "cancelled": "cancelled it",
                "status": f"marked it {AppointmentStatus.label_of(last.to_status).lower()}"
                if last.to_status else "changed it"}.get(last.kind, "changed it")
        by = stale.change_by(last.user_id, last.user.display_name, last.at)
        where = f" on {by.workstation}" if by.workstation else ""
        said = f" ({by.name} {what} at {last.at:%H:%M}{where})"
    raise StaleEditError(f"This appointment was changed on another workstation{said}. "
                         "Nothing was saved; the schedule has been refreshed.",
                         changed_by=by)


def _bump(appointment_id: int, version: int, history=None, **values) -> dt.datetime:
    """Save ``values`` where the version still matches, and the ``history`` line with them
    (one round trip on a server); when it was saved."""
    now = dt.datetime.now()
    update = (Appointment.update(version=Appointment.version + 1, updated_at=now, **values)
              .where(Appointment.id == appointment_id, Appointment.version == version))
    changed, *_history = write_together(update, *([history] if history is not None else []))
    if not changed:  # another PC saved between our read and our write (the line goes too)
        _refuse_stale(appointment_id)
    return now


_KEEP = object()


def move_appointment(
    actor: User, appointment_id: int, version: int, start: dt.datetime, end: dt.datetime,
    *, provider_id=_KEEP, room_id=_KEEP, device_id=_KEEP, override_reason: str = "",
    answers=None,
) -> Appointment:
    """Reschedule (drag, resize, or another provider/room/device) under the booking rules.
    The history keeps the old slot. Overridable like :func:`book_appointment`."""
    require(actor, "schedule.write")
    reason = clean_line(override_reason or answer(answers, OverrideNeeded.key))
    with db.atomic():
        appt = _at_version(appointment_id, version)
        if appt.status not in MOVABLE:
            raise ValidationError(f"An appointment that is {STATUS_LABELS[appt.status].lower()} "
                                  "cannot be moved.")
        data = AppointmentInput(
            appt.patient_id, appt.service_id,
            appt.provider_id if provider_id is _KEEP else provider_id, start, end,
            appt.room_id if room_id is _KEEP else room_id,
            appt.device_id if device_id is _KEEP else device_id, appt.notes)
        checked = check(data, exclude_id=appt.id)
        _refuse_unless_overridden(checked, reason)
        old = (appt.start, appt.end)
        saved = _bump(appt.id, version, _change_query(actor, appt, "moved", old=old,
                                                     new=(start, end)),
                      start=start, end=end, provider=data.provider_id, room=data.room_id,
                      device=data.device_id)
        # new time, provider or room: its reminders said anew
        work = reminders.moved(actor, appt.id, start, end, checked.patient, checked.service,
                               checked.provider)
        write_together(*work.queries(actor, [
            ("appointment.move", "appointment", appt.id,
             f"{old[0]:%Y-%m-%d %H:%M} -> {start:%Y-%m-%d %H:%M}"),
            *_override_events(appt.id, checked, reason)]),
            changes.note_query("appointment", appt.id))
    # as saved (not read back: on a server that is one more round trip)
    appt.start, appt.end, appt.version, appt.updated_at = start, end, version + 1, saved
    appt.provider_id, appt.room_id, appt.device_id = (data.provider_id, data.room_id,
                                                      data.device_id)
    return appt


def change_status(actor: User, appointment_id: int, status: str, version: int, *,
                  reason: str = "", acknowledge: str = "", consent_override: str = "",
                  now: dt.datetime | None = None, answers=None) -> Appointment:
    """Move an appointment along the status flow. Cancelling needs a reason and is flagged
    late inside the clinic's policy window (default 24 hours before the start). Starting a
    treatment the patient's history contraindicates needs a provider's ``acknowledge``
    reason, and starting one without a valid signed consent a provider's
    ``consent_override`` reason; both are recorded and audited. Both may come as
    ``answers`` to the refusals that ask for them (``ContraindicationError``,
    ``ConsentRequired``)."""
    require(actor, "schedule.write")
    acknowledge = acknowledge or answer(answers, ContraindicationError.key)
    consent_override = consent_override or answer(answers, consent_policy.ConsentRequired.key)
    now = now or dt.datetime.now()
    reason = clean_line(reason)
    with db.atomic():
        appt = _at_version(appointment_id, version)
        if status not in TRANSITIONS.get(appt.status, ()):
            raise ValidationError(
                f"An appointment that is {STATUS_LABELS[appt.status].lower()} cannot be marked "
                f"{STATUS_LABELS.get(status, status).lower()}.")
        if status == S.IN_TREATMENT:
            _acknowledge_contraindications(actor, appt, clean_line(acknowledge))
            consent_policy.check_before_treatment(actor, appt, consent_override, now)
        values: dict = {"status": status}
        note = ""
        if status == S.CANCELLED:
            if not reason:
                raise ValidationError("Give a reason for cancelling.")
            late = appt.start - now < hours.late_cancel_window()
            values.update(cancel_reason=reason[:500], late_cancel=late)
            note = ("late cancel: " if late else "") + reason[:500]
        _bump(appt.id, version, _change_query(
            actor, appt, "cancelled" if status == S.CANCELLED else "status",
            from_status=appt.status, to_status=status, note=note), **values)
        # a cancel or no-show withdraws its reminders (read with the audit chain's end)
        work = (reminders.ended(actor, appt, status) if status in FREED_STATUSES
                else reminders.Work(audit.last_hash_with()[0]))
        write_together(*work.queries(actor, [
            ("appointment.status", "appointment", appt.id,
             f"{appt.status} -> {status}" + (f" ({note})" if note else ""))]),
            changes.note_query("appointment", appt.id))
        if status == S.COMPLETED and _paid(appt.id):
            # paid during the treatment: nothing waits at the desk, the visit is checked out
            return change_status(actor, appt.id, S.CHECKED_OUT, version + 1, now=now)
    for key, value in values.items():
        setattr(appt, key, value)
    appt.version = version + 1
    return appt


def _paid(appointment_id: int) -> bool:
    """The visit's invoice is issued and paid in full (billing marks it so)."""
    return Invoice.select().where(Invoice.appointment == appointment_id,
                                  Invoice.status == InvoiceStatus.PAID).exists()


def _acknowledge_contraindications(actor: User, appt: Appointment, reason: str) -> None:
    blocking = [f.message for f in alerts.patient_findings(
        actor, appt.patient_id, appt.service.category, appt.start.date()) if f.blocking]
    if not blocking:
        return
    text = " ".join(blocking)
    if not reason:
        raise ContraindicationError(
            f"{text} A provider may go ahead only by acknowledging this with a reason.")
    require(actor, "contraindication.acknowledge")
    ContraindicationAck.create(appointment=appt.id, findings=text, reason=reason[:500],
                               user=actor, at=dt.datetime.now())
    audit.record(actor, "treatment.acknowledge", "appointment", appt.id,
                 f"{text} Reason: {reason}"[:1000])
    changes.note("appointment", appt.id)


# -- what the schedule shows ------------------------------------------------------------------
@dataclass(frozen=True)
class AppointmentRow:
    id: int
    start: dt.datetime
    end: dt.datetime
    patient_id: int
    patient: str
    service_id: int
    service: str
    category_key: str
    category: str  # label
    provider_id: int | None
    provider: str
    room_id: int | None
    room: str
    device_id: int | None
    device: str
    status_key: str
    status: str  # label
    notes: str
    late_cancel: bool
    series_id: int | None
    version: int
    colour: str = ""  # the service's own colour on the schedule; "": its category's
    consent_key: str | None = None  # the consent the service needs, or None

    @property
    def active(self) -> bool:
        return self.status_key not in FREED_STATUSES


def rows_of(query) -> list[AppointmentRow]:
    """AppointmentRows for a ``joined_appointments()`` query."""
    return [
        AppointmentRow(
            a.id, a.start, a.end, a.patient_id,
            listed_name(a.first_name, a.last_name, a.preferred_name), a.service_id, a.service,
            a.category, CATEGORIES.get(a.category, a.category), a.provider_id, a.provider or "",
            a.room_id, a.room or "", a.device_id, a.device or "", a.status,
            STATUS_LABELS.get(a.status, a.status), a.notes, a.late_cancel, a.series_id,
            a.version, a.colour, consent_policy.category_of(a.consent_category, a.category),
        )
        for a in query
    ]


def schedule_between(actor: User, start: dt.datetime, end: dt.datetime) -> list[AppointmentRow]:
    """Appointments starting in [start, end), cancelled ones included, in start order."""
    require(actor, "schedule.read")
    query = (joined_appointments()
             .where(Appointment.start >= start, Appointment.start < end)
             .order_by(Appointment.start, Appointment.id))
    return rows_of(query)


def day_schedule(actor: User, day: dt.date) -> list[AppointmentRow]:
    start = dt.datetime.combine(day, dt.time())
    return schedule_between(actor, start, start + dt.timedelta(days=1))


def patient_schedule(actor: User, patient_id: int) -> list[AppointmentRow]:
    """Every appointment of one patient, newest first."""
    require(actor, "schedule.read")
    return rows_of(joined_appointments().where(Appointment.patient == patient_id)
                   .order_by(Appointment.start.desc()))


def series_schedule(actor: User, series_id: int) -> list[AppointmentRow]:
    """Every session of a series, in order."""
    require(actor, "schedule.read")
    return rows_of(joined_appointments().where(Appointment.series == series_id)
                 .order_by(Appointment.start))


def get_appointment(actor: User, appointment_id: int) -> AppointmentRow:
    require(actor, "schedule.read")
    rows = rows_of(joined_appointments().where(Appointment.id == appointment_id))
    if not rows:
        raise NotFound("That appointment does not exist.")
    return rows[0]


@dataclass(frozen=True)
class BlockRow:
    id: int
    start: dt.datetime
    end: dt.datetime
    provider_id: int | None
    room_id: int | None
    device_id: int | None
    reason: str


def blocks_between(actor: User, start: dt.datetime, end: dt.datetime) -> list[BlockRow]:
    require(actor, "schedule.read")
    query = (TimeBlock.select()
             .where(TimeBlock.active, TimeBlock.start < end, TimeBlock.end > start)
             .order_by(TimeBlock.start))
    return [BlockRow(b.id, b.start, b.end, b.provider_id, b.room_id, b.device_id, b.reason)
            for b in query]


@dataclass(frozen=True)
class ChangeRow:
    at: dt.datetime
    user: str
    text: str


def history(actor: User, appointment_id: int) -> list[ChangeRow]:
    """The appointment's changes, oldest first, in words."""
    require(actor, "schedule.read")
    rows = []
    query = (AppointmentChange.select(AppointmentChange, User).join(User)
             .where(AppointmentChange.appointment == appointment_id)
             .order_by(AppointmentChange.at, AppointmentChange.id))
    for c in query:
        if c.kind == "booked":
            text = f"Booked for {c.new_start:%a %d %b %Y %H:%M}–{c.new_end:%H:%M}"
        elif c.kind == "moved":
            text = (f"Moved from {c.old_start:%a %d %b %H:%M}–{c.old_end:%H:%M} "
                    f"to {c.new_start:%a %d %b %H:%M}–{c.new_end:%H:%M}")
        elif c.kind == "cancelled":
            text = f"Cancelled: {c.note}"
        elif c.kind == "contact":  # a call about it (messaging/confirmations.py)
            text = c.note
        else:
            text = f"{STATUS_LABELS.get(c.to_status, c.to_status)}"
        rows.append(ChangeRow(c.at, c.user.display_name, text))
    return rows
