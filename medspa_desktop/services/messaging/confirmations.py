"""Confirmations: per appointment, whether the patient confirmed, a reminder went out, or the
desk called and nobody answered — and the front desk's "To confirm" list of a day.

Nothing new is stored for it: confirming is the appointment's own step to *confirmed*
(``appointments.change_status``); how it was confirmed and a call nobody answered are rows of
the appointment's append-only change history (``AppointmentChange``, kind ``contact``, the
words in its note); a reminder sent is the outbox's row (kind ``reminder``, sent).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import Value

from ...store.database import db
from ...store.models import Appointment, AppointmentChange, OutboxMessage, Patient, User
from ..charts import patients
from ..platform import audit, changes
from ..platform.errors import ValidationError
from ..platform.permissions import require
from ..platform.vocabulary import AppointmentStatus, MessageKind, MessageState
from ..scheduling import appointments, hours

S = AppointmentStatus
CONTACT = "contact"  # AppointmentChange.kind of a call or how a confirmation came
BY_PHONE = "Confirmed by phone"
NO_ANSWER = "Called, no answer"


@dataclass(frozen=True)
class Confirmation:
    """What the schedule marks on a block: ``kind`` confirmed | no_answer | reminder_sent."""

    kind: str
    text: str  # the tooltip's line: "Called Fri 04 Dec 14:05, no answer (Sam O'Neill)"


@dataclass(frozen=True)
class ToConfirmRow:
    appointment_id: int
    version: int
    start: dt.datetime
    patient_id: int
    patient: str
    phone: str
    service: str
    provider: str
    state: str  # "Reminder sent Thu 03 Dec 09:00", "Called …, no answer", ""


def _stamp(at: dt.datetime) -> str:
    return f"{at:%a %d %b %H:%M}"


def _as_datetime(value) -> dt.datetime:
    # a UNION's rows are converted by its first query's columns: make sure of the type
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))


def confirmations(actor: User, appointment_ids,
                  statuses: dict[int, str] | None = None) -> dict[int, Confirmation]:
    """Each appointment's confirmation state (only those with one), in a fixed number of
    queries however many. ``statuses`` (appointment id -> status), when the caller has just
    read the appointments (the schedule), saves reading them again."""
    require(actor, "schedule.read")
    ids = list(dict.fromkeys(appointment_ids))
    if not ids:
        return {}
    status = (dict(Appointment.select(Appointment.id, Appointment.status)
                   .where(Appointment.id.in_(ids)).tuples()) if statuses is None
              else {i: statuses[i] for i in ids if i in statuses})
    found: dict[int, Confirmation] = {}
    latest_at: dict[int, dt.datetime] = {}
    confirmed_how: dict[int, tuple[str, dt.datetime, str]] = {}
    # the calls and confirmations, and the reminders sent, in one query (UNION ALL; on a
    # server every query is a round trip): the history in the order it was written, then
    # the reminders in the order they went out
    history = (AppointmentChange.select(Value(0).alias("src"), AppointmentChange.id,
                                        AppointmentChange.appointment, AppointmentChange.at,
                                        AppointmentChange.note, AppointmentChange.kind,
                                        User.display_name)
               .join(User)
               .where(AppointmentChange.appointment.in_(ids),
                      (AppointmentChange.kind == CONTACT)
                      | (AppointmentChange.to_status == S.CONFIRMED)))
    sent = (OutboxMessage.select(Value(1), OutboxMessage.id, OutboxMessage.appointment,
                                 OutboxMessage.sent_at, Value(""), Value(""), Value(""))
            .where(OutboxMessage.appointment.in_(ids),
                   OutboxMessage.kind == MessageKind.REMINDER,
                   OutboxMessage.state == MessageState.SENT))
    rows = list((history + sent).tuples())
    changes_rows = sorted((r for r in rows if r[0] == 0), key=lambda r: r[1])
    for _src, _id, appt_id, written, note, kind, who in changes_rows:
        at = _as_datetime(written)
        if kind == CONTACT and note == NO_ANSWER:
            found[appt_id] = Confirmation("no_answer", f"Called {_stamp(at)}, no answer ({who})")
            latest_at[appt_id] = at
        elif kind == CONTACT:
            confirmed_how[appt_id] = (note, at, who)
        else:
            confirmed_how.setdefault(appt_id, ("Confirmed", at, who))
    reminders_sent = sorted(((r[2], _as_datetime(r[3])) for r in rows
                             if r[0] == 1 and r[3] is not None), key=lambda r: r[1])
    for appt_id, at in reminders_sent:
        if appt_id not in latest_at or at > latest_at[appt_id]:
            found[appt_id] = Confirmation("reminder_sent", f"Reminder sent {_stamp(at)}")
            latest_at[appt_id] = at
    for appt_id, state in status.items():
        if state == S.CONFIRMED:
            how, at, who = confirmed_how.get(appt_id, ("Confirmed", None, ""))
            found[appt_id] = Confirmation(
                "confirmed", f"{how} {_stamp(at)} ({who})" if at else how)
        elif state != S.BOOKED:
            found.pop(appt_id, None)  # come in, cancelled or missed: nothing to confirm
    return found


def next_open_day(today: dt.date | None = None) -> dt.date:
    """The next day the clinic opens after ``today``: the day whose visits to confirm (a
    Saturday's desk confirms Monday's when Sunday is closed)."""
    week = hours.clinic_hours()
    day = (today or dt.date.today()) + dt.timedelta(days=1)
    for _ in range(7):
        if week[day.weekday()] is not None:
            return day
        day += dt.timedelta(days=1)
    return (today or dt.date.today()) + dt.timedelta(days=1)


def to_confirm(actor: User, day: dt.date | None = None) -> list[ToConfirmRow]:
    """The appointments of ``day`` (the next day the clinic opens when not given) not yet
    confirmed, by time, with the patient's phone number and what was tried."""
    require(actor, "schedule.read")
    day = day or next_open_day()
    rows = [r for r in appointments.day_schedule(actor, day) if r.status_key == S.BOOKED]
    phones = {}
    if rows:
        phones = dict(Patient.select(Patient.id, Patient.phone)
                      .where(Patient.id.in_([r.patient_id for r in rows])).tuples())
    marks = confirmations(actor, [r.id for r in rows])
    return [ToConfirmRow(r.id, r.version, r.start, r.patient_id, r.patient,
                         patients.format_phone(phones.get(r.patient_id, "")), r.service,
                         r.provider, marks[r.id].text if r.id in marks else "")
            for r in sorted(rows, key=lambda r: (r.start, r.patient))]


def confirm_by_phone(actor: User, appointment_id: int, version: int) -> Appointment:
    """The patient confirmed on the phone: the appointment is confirmed, and how is kept."""
    require(actor, "schedule.write")
    with db.atomic():
        appt = appointments.change_status(actor, appointment_id, S.CONFIRMED, version)
        AppointmentChange.create(appointment=appointment_id, at=dt.datetime.now(), user=actor,
                                 kind=CONTACT, note=BY_PHONE)
        audit.record(actor, "appointment.contact", "appointment", appointment_id, BY_PHONE)
    return appt


def no_answer(actor: User, appointment_id: int) -> None:
    """The desk called about the appointment and nobody answered: kept, to try again."""
    require(actor, "schedule.write")
    with db.atomic():
        appt = Appointment.get_or_none(Appointment.id == appointment_id)
        if appt is None:
            raise ValidationError("That appointment does not exist.")
        if appt.status != S.BOOKED:
            raise ValidationError(
                f"This appointment is {S.label_of(appt.status).lower()}: there is nothing "
                "to confirm.")
        AppointmentChange.create(appointment=appointment_id, at=dt.datetime.now(), user=actor,
                                 kind=CONTACT, note=NO_ANSWER)
        audit.record(actor, "appointment.contact", "appointment", appointment_id, NO_ANSWER)
        changes.note("appointment", appointment_id)
