"""Appointment reminders: when they go, what they say, and keeping them true to the book.

*When*: the clinic's days before (default 2; a service category may have its own) and the
morning of (default on), both at the clinic's reminder time (default 08:00); a time already
past when the appointment is booked is left out, and so is a morning-of reminder for an
appointment that starts before it.

*What*: the clinic's templates (Settings → Messages) with the placeholders in
``PLACEHOLDERS``; ``{preparation}`` is the service's preparation instructions. An email carries
the .ics invitation (``ics.py``).

*Kept true*: booking queues the appointment's reminders, moving withdraws them and queues
new ones (the invitation's SEQUENCE grows), cancelling and no-show withdraw them — all inside
the appointment's own transaction (``services/scheduling/appointments.py`` calls in here). A
patient without an email address gets none by email; by text message when the clinic has
set one up and the chart has a phone number; none to a patient who said no to reminders
(``contact_consent``). Nothing is queued while the clinic has no way
to send (no mail server, no SMS): once it has one, the timed job
:func:`queue_missing_reminders` queues the reminders of upcoming appointments that have none.
"""

from __future__ import annotations

import datetime as dt
import string
from dataclasses import dataclass

from ...store.models import (
    Appointment,
    AppointmentChange,
    OutboxMessage,
    Patient,
    Service,
    User,
)
from ..clinic import clinic
from ..platform import audit, settings
from ..platform.errors import ValidationError
from ..platform.permissions import require
from ..platform.vocabulary import (
    NOT_ARRIVED_STATUSES,
    ContactKind,
    MessageChannel,
    MessageKind,
    MessageState,
)
from . import contact_consent, outbox, sending

PLACEHOLDERS = ("first_name", "date", "time", "provider", "service", "clinic_name",
                "clinic_address", "clinic_phone", "preparation")
AHEAD = dt.timedelta(days=15)  # the backfill job looks this far ahead (the longest reminder)
_TEMPLATES = (settings.REMINDER_SUBJECT, settings.REMINDER_BODY, settings.REMINDER_SMS)
_TIMING = (settings.REMINDER_DAYS_BEFORE, settings.REMINDER_MORNING_OF, settings.REMINDER_AT)


# -- the clinic's choices ----------------------------------------------------------------------
@dataclass(frozen=True)
class ReminderSettings:
    days_before: int
    morning_of: bool
    at: str  # "08:00"
    days_by_category: dict[str, str]  # category → "" (the clinic's) or days
    subject: str
    body: str
    sms: str


def reminder_settings() -> ReminderSettings:
    values = settings.get_many(*_TIMING, *settings.REMINDER_DAYS_BY_CATEGORY, *_TEMPLATES)
    timing, rest = values[:3], values[3:]
    categories = rest[:len(settings.REMINDER_DAYS_BY_CATEGORY)]
    templates = rest[len(settings.REMINDER_DAYS_BY_CATEGORY):]
    by_category = {s.key.removeprefix("reminders.days."): v
                   for s, v in zip(settings.REMINDER_DAYS_BY_CATEGORY, categories, strict=True)}
    return ReminderSettings(*timing, by_category, *templates)


def read_reminder_settings(actor: User) -> ReminderSettings:
    require(actor, "messages.setup")
    return reminder_settings()


def check_template(text: str, what: str) -> str:
    """The template, or ValidationError naming the placeholder it does not know."""
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    except ValueError as exc:
        raise ValidationError(f"The {what} has a {{ or }} that does not close: write "
                              "placeholders as {first_name}.") from exc
    for name in fields:
        if name not in PLACEHOLDERS:
            raise ValidationError(f"The {what} uses {{{name}}}, which is not a placeholder. "
                                  f"These are: " + ", ".join(f"{{{p}}}" for p in PLACEHOLDERS))
    return text


def save_reminder_settings(actor: User, chosen: ReminderSettings) -> None:
    """Store when reminders go and what they say (audited). Reminders already queued keep
    their time and text."""
    require(actor, "messages.setup")
    subject = check_template(" ".join(chosen.subject.split()), "subject")
    body = check_template(chosen.body.replace("\r\n", "\n").strip(), "email text")
    sms = check_template(" ".join(chosen.sms.split()), "text message")
    if not body:
        raise ValidationError("The reminder email needs some text.")
    values = {settings.REMINDER_DAYS_BEFORE: chosen.days_before,
              settings.REMINDER_MORNING_OF: chosen.morning_of,
              settings.REMINDER_AT: chosen.at.strip(),
              settings.REMINDER_SUBJECT: subject, settings.REMINDER_BODY: body,
              settings.REMINDER_SMS: sms}
    for setting in settings.REMINDER_DAYS_BY_CATEGORY:
        category = setting.key.removeprefix("reminders.days.")
        values[setting] = chosen.days_by_category.get(category, "").strip()
    settings.check(values)
    from ...store.database import db

    with db.atomic():
        settings.put(values)
        audit.record(actor, "settings.messages", "clinic", "",
                     f"reminders {chosen.days_before} days before"
                     + (", and the morning of" if chosen.morning_of else "")
                     + f", at {chosen.at}")


def set_preparation(actor: User, service_id: int, text: str) -> None:
    """A service's preparation instructions, for its reminders' ``{preparation}``."""
    require(actor, "messages.setup")
    text = text.replace("\r\n", "\n").strip()
    if len(text) > 2000:
        raise ValidationError("Preparation instructions are at most 2000 characters.")
    service = Service.get_or_none(Service.id == service_id)
    if service is None:
        raise ValidationError("That service does not exist.")
    from ...store.database import db
    from ..platform import changes

    with db.atomic():
        Service.update(preparation=text, version=Service.version + 1).where(
            Service.id == service_id).execute()
        audit.record(actor, "service.update", "service", service_id,
                     "preparation instructions changed")
        changes.note("catalog", service_id)


def save_setup(actor: User, chosen: sending.MessageSettings, timing: ReminderSettings,
               preparations: dict[int, str], *, mail_password: str | None = None,
               sms_token: str | None = None) -> None:
    """What File → Messages and reminders… saves: the sending settings, the reminders' timing
    and texts, and the services' preparation instructions that changed — all or nothing."""
    require(actor, "messages.setup")
    from ...store.database import db

    with db.atomic():
        sending.save_settings(actor, chosen, mail_password=mail_password, sms_token=sms_token)
        save_reminder_settings(actor, timing)
        for service_id, text in preparations.items():
            set_preparation(actor, service_id, text)


def reminder_times(start: dt.datetime, category: str, chosen: ReminderSettings,
                   now: dt.datetime) -> list[dt.datetime]:
    """When an appointment starting at ``start`` gets its reminders (none already past)."""
    at = dt.time.fromisoformat(chosen.at)
    own = chosen.days_by_category.get(category, "")
    days = int(own) if own else chosen.days_before
    times = set()
    if days:
        times.add(dt.datetime.combine(start.date() - dt.timedelta(days=days), at))
    if chosen.morning_of and at < start.time():
        times.add(dt.datetime.combine(start.date(), at))
    return sorted(t for t in times if now < t < start)


# -- queueing them -----------------------------------------------------------------------------
class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def _fill(template: str, values: dict[str, str]) -> str:
    try:
        return string.Formatter().vformat(template, (), _Blank(values))
    except (ValueError, IndexError, KeyError):
        return template  # a template that does not parse goes out as written


def _values(appt: Appointment, patient: Patient, service: Service,
            info: clinic.ClinicInfo) -> dict[str, str]:
    provider = (User.get_or_none(User.id == appt.provider_id)
                if appt.provider_id is not None else None)
    start = appt.start
    return {"first_name": patient.preferred_name or patient.first_name,
            "date": f"{start:%A} {start.day} {start:%B %Y}",
            "time": f"{start:%H:%M}", "provider": provider.display_name if provider else "us",
            "service": service.name, "clinic_name": info.name,
            "clinic_address": info.address, "clinic_phone": info.phone,
            "preparation": service.preparation}


def _channel(patient: Patient, ways: sending.Transports) -> tuple[str, str] | None:
    """(channel, address) this patient's reminders go by, or None."""
    if ways.email is not None and patient.email and outbox.valid_email(patient.email):
        return MessageChannel.EMAIL, patient.email
    if ways.sms is not None and patient.phone:
        return MessageChannel.SMS, patient.phone
    return None


def _moves(appointment_id: int) -> int:
    return AppointmentChange.select().where(AppointmentChange.appointment == appointment_id,
                                            AppointmentChange.kind == "moved").count()


def plan_for(appointment_id: int, now: dt.datetime | None = None, *,
             ways: sending.Transports | None = None,
             chosen_messages: sending.MessageSettings | None = None) -> list[dict]:
    """The reminders an appointment would get now (the keyword arguments of
    ``outbox.queue`` for each), reading only: none when the clinic cannot send, the patient
    cannot be reached or said no, or every time is past."""
    now = now or dt.datetime.now()
    chosen_messages = chosen_messages or sending.message_settings()
    ways = ways or sending.configured_transports(chosen_messages)
    if not ways.channels():
        return []
    appt = Appointment.get_by_id(appointment_id)
    if appt.status not in NOT_ARRIVED_STATUSES:
        return []
    patient = Patient.get_by_id(appt.patient_id)
    how = _channel(patient, ways)
    if how is None or not contact_consent.may_contact(patient.id, ContactKind.REMINDERS):
        return []  # no way to reach them, or they asked for no reminders (or archived)
    service = Service.get_by_id(appt.service_id)
    chosen = reminder_settings()
    times = reminder_times(appt.start, service.category, chosen, now)
    if not times:
        return []
    info = clinic.clinic_info()
    values = _values(appt, patient, service, info)
    channel, address = how
    invitation = None
    if channel == MessageChannel.EMAIL:
        from . import ics  # icalendar: only when an invitation is made

        mail = chosen_messages.mail
        invitation = ics.invitation_text(ics.Invitation(
            appt.id, appt.start, appt.end, clinic.time_zone(),
            f"{service.name} at {info.name}" if info.name else service.name, info.address,
            description=service.preparation, organizer=mail.from_address,
            organizer_name=info.name, sequence=_moves(appt.id),
            domain=mail.from_address.rpartition("@")[2]))
        subject, body = _fill(chosen.subject, values), _fill(chosen.body, values)
        body = "\n".join(line.rstrip() for line in body.splitlines())
        while "\n\n\n" in body:  # an empty {preparation} leaves no gap
            body = body.replace("\n\n\n", "\n\n")
    else:
        subject, body = "", _fill(chosen.sms, values)
    return [{"to_address": address, "channel": channel, "kind": MessageKind.REMINDER,
             "subject": subject, "body": body, "patient_id": patient.id,
             "appointment_id": appt.id, "due_at": at, "ics": invitation} for at in times]


def queue_for(actor: User | None, appointment_id: int, now: dt.datetime | None = None,
              *, ways: sending.Transports | None = None,
              chosen_messages: sending.MessageSettings | None = None) -> list[int]:
    """Queue an appointment's reminders (inside the caller's transaction); their ids."""
    return [outbox.queue(actor, **message).id
            for message in plan_for(appointment_id, now, ways=ways,
                                    chosen_messages=chosen_messages)]


def _open_reminders_query(appointment_id: int):
    return OutboxMessage.select(OutboxMessage.id).where(
        OutboxMessage.appointment == appointment_id,
        OutboxMessage.kind == MessageKind.REMINDER,
        OutboxMessage.state.in_(outbox.OPEN_STATES)).tuples()


def _open_reminders(appointment_id: int) -> list[int]:
    return [key for key, in _open_reminders_query(appointment_id)]


def on_booked(actor: User, appointment_id: int) -> None:
    """Booking: queue the reminders (the booking's transaction)."""
    queue_for(actor, appointment_id)


def on_moved(actor: User, appointment_id: int) -> None:
    """Moving: the old reminders are withdrawn, new ones queued for the new time (the open
    reminders and the sending settings read in one round trip)."""
    from ...store.database import fetch_together

    waiting, values = fetch_together(_open_reminders_query(appointment_id),
                                     settings.many_query(*sending.MESSAGE_SETTINGS))
    outbox.withdraw_quietly(actor, [key for key, in waiting], "the appointment moved")
    queue_for(actor, appointment_id, chosen_messages=sending.message_settings(
        settings.parse_many(sending.MESSAGE_SETTINGS, values)))


def on_ended(actor: User, appointment_id: int, status: str) -> None:
    """Cancelled or no-show: its reminders still waiting are withdrawn. A cancelled one whose
    invitation already went out gets a cancellation (``METHOD:CANCEL``), so the patient's
    calendar drops the event."""
    outbox.withdraw_quietly(actor, _open_reminders(appointment_id),
                            f"the appointment is {status.replace('_', '-')}")
    if status == "cancelled":
        _queue_cancellation(actor, appointment_id)


CANCELLATION_BODY = ("Hello {first_name},\n\nYour {service} appointment on {date} at {time} "
                     "is cancelled.\n\nTo book again, please call us on {clinic_phone}.\n\n"
                     "{clinic_name}")


def _queue_cancellation(actor: User, appointment_id: int) -> None:
    sent = (OutboxMessage.select().where(
        OutboxMessage.appointment == appointment_id,
        OutboxMessage.kind == MessageKind.REMINDER, OutboxMessage.state == MessageState.SENT,
        OutboxMessage.channel == MessageChannel.EMAIL, OutboxMessage.ics.is_null(False))
        .order_by(OutboxMessage.id.desc()).first())
    if sent is None:
        return
    from . import ics

    appt = Appointment.get_by_id(appointment_id)
    patient, service = Patient.get_by_id(appt.patient_id), Service.get_by_id(appt.service_id)
    info = clinic.clinic_info()
    mail = sending.message_settings().mail
    values = _values(appt, patient, service, info)
    invitation = ics.invitation_text(ics.Invitation(
        appt.id, appt.start, appt.end, clinic.time_zone(),
        f"{service.name} at {info.name}" if info.name else service.name, info.address,
        organizer=mail.from_address, organizer_name=info.name,
        sequence=_moves(appt.id) + 1, domain=mail.from_address.rpartition("@")[2]),
        method="CANCEL")
    outbox.queue(actor, to_address=sent.to_address, kind=MessageKind.CANCELLATION,
                 subject=_fill("Cancelled: your appointment at {clinic_name} on {date}", values),
                 body=_fill(CANCELLATION_BODY, values), patient_id=patient.id,
                 appointment_id=appt.id, ics=invitation)


def queue_missing_reminders(now: dt.datetime) -> str:
    """The timed job: upcoming appointments (next ``AHEAD``) still to come that have no
    reminder at all yet (booked before the clinic could send, or imported) get theirs.
    Idempotent: one that has any reminder row, in any state, is left alone."""
    ways = sending.configured_transports()
    if not ways.channels():
        return "no way to send set up"
    from ...store.database import db, for_update

    has_any = OutboxMessage.select(OutboxMessage.appointment).where(
        OutboxMessage.kind == MessageKind.REMINDER, OutboxMessage.appointment.is_null(False))
    waiting = [a.id for a in Appointment.select(Appointment.id).where(
        Appointment.start > now, Appointment.start < now + AHEAD,
        Appointment.status.in_(NOT_ARRIVED_STATUSES), Appointment.id.not_in(has_any))]
    queued = 0
    for appointment_id in waiting:
        planned = plan_for(appointment_id, now, ways=ways)  # read first: most get none
        if not planned:
            continue
        with db.atomic():
            # another PC may have queued them since the list was read: on PostgreSQL the
            # appointment's row lock makes the second PC wait, then see them
            for_update(Appointment.select().where(Appointment.id == appointment_id)).first()
            if OutboxMessage.select().where(OutboxMessage.appointment == appointment_id,
                                            OutboxMessage.kind == MessageKind.REMINDER).exists():
                continue
            queued += len([outbox.queue(None, **message) for message in planned])
    return f"{queued} reminders queued"


def state_of(appointment_id: int) -> str:
    """What the reminders of one appointment did: "sent", "waiting", "failed" or ""."""
    states = {m.state for m in OutboxMessage.select(OutboxMessage.state).where(
        OutboxMessage.appointment == appointment_id,
        OutboxMessage.kind == MessageKind.REMINDER)}
    for state, word in ((MessageState.SENT, "sent"), (MessageState.FAILED, "failed"),
                        (MessageState.QUEUED, "waiting"), (MessageState.SENDING, "waiting")):
        if state in states:
            return word
    return ""
