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
from dataclasses import dataclass, field

from peewee import fn

from ...store.database import fetch_together, for_update, is_sqlite
from ...store.models import (
    Appointment,
    AppointmentChange,
    OutboxMessage,
    Patient,
    Service,
    User,
)
from ..clinic import clinic
from ..platform import audit, changes, settings
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
    return _reminder_settings_from(
        settings.get_many(*_TIMING, *settings.REMINDER_DAYS_BY_CATEGORY, *_TEMPLATES))


def _reminder_settings_from(values: tuple) -> ReminderSettings:
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


def save_reminder_settings(actor: User, chosen: ReminderSettings, *,
                           seen: settings.Seen | None = None) -> None:
    """Store when reminders go and what they say (audited). Reminders already queued keep
    their time and text. ``seen``: as ``sending.save_settings``."""
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
        settings.put(settings.merge_seen(values, seen, "the messages setup",
                                         sending.STALE_THEN))
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


# every setting File → Messages and reminders… shows: what it keeps from when it opened
SETUP_SETTINGS = (*sending.MESSAGE_SETTINGS, *_TIMING, *settings.REMINDER_DAYS_BY_CATEGORY,
                  *_TEMPLATES)


def save_setup(actor: User, chosen: sending.MessageSettings, timing: ReminderSettings,
               preparations: dict[int, str], *, mail_password: str | None = None,
               sms_token: str | None = None, seen: settings.Seen | None = None) -> None:
    """What File → Messages and reminders… saves: the sending settings, the reminders' timing
    and texts, and the services' preparation instructions that changed — all or nothing. With
    ``seen`` (``settings.seen(*SETUP_SETTINGS)`` read when the form opened) only what its user
    changed is written, and a setting another PC changed too is refused as stale."""
    require(actor, "messages.setup")
    from ...store.database import db

    with db.atomic():
        sending.save_settings(actor, chosen, mail_password=mail_password, sms_token=sms_token,
                              seen=seen)
        save_reminder_settings(actor, timing, seen=seen)
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
# what planning reads of the settings, in one query: the sending, the reminders, the clinic
_CLINIC = (*SETUP_SETTINGS, settings.CLINIC_NAME, settings.CLINIC_ADDRESS, settings.CLINIC_PHONE,
           settings.CLINIC_TIME_ZONE)


@dataclass(frozen=True)
class _Known:
    """What the clinic's settings say about its reminders (``_CLINIC``, read in one query)."""

    messages: sending.MessageSettings
    chosen: ReminderSettings
    name: str
    address: str
    phone: str
    zone: str  # the clinic's time zone; "": the PC's (told only when an invitation is made)

    @property
    def channels(self) -> list[str]:
        return sending.configured_channels(self.messages)


def _known_from(rows) -> _Known:
    values = settings.parse_many(_CLINIC, rows)
    sent, ours = len(sending.MESSAGE_SETTINGS), len(SETUP_SETTINGS)
    name, address, phone, zone = values[ours:]
    return _Known(sending.message_settings(values[:sent]),
                  _reminder_settings_from(values[sent:ours]), name, address, phone, zone)


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def _fill(template: str, values: dict[str, str]) -> str:
    try:
        return string.Formatter().vformat(template, (), _Blank(values))
    except (ValueError, IndexError, KeyError):
        return template  # a template that does not parse goes out as written


def _values(start: dt.datetime, patient: Patient, service: Service, provider: str,
            known: _Known) -> dict[str, str]:
    return {"first_name": patient.preferred_name or patient.first_name,
            "date": f"{start:%A} {start.day} {start:%B %Y}",
            "time": f"{start:%H:%M}", "provider": provider or "us",
            "service": service.name, "clinic_name": known.name,
            "clinic_address": known.address, "clinic_phone": known.phone,
            "preparation": service.preparation}


def _channel(patient: Patient, channels: list[str]) -> tuple[str, str] | None:
    """(channel, address) this patient's reminders go by, or None: a number no SMS provider
    takes (an imported "ext. 12") gets no text reminder, rather than refusing the booking."""
    if MessageChannel.EMAIL in channels and patient.email and outbox.valid_email(patient.email):
        return MessageChannel.EMAIL, patient.email
    if MessageChannel.SMS in channels and outbox.valid_mobile(patient.phone):
        return MessageChannel.SMS, patient.phone
    return None


def _moves_query(appointment_id: int):
    return AppointmentChange.select(fn.COUNT(AppointmentChange.id)).where(
        AppointmentChange.appointment == appointment_id,
        AppointmentChange.kind == "moved").tuples()


def _invitation(known: _Known, appointment_id: int, start: dt.datetime, end: dt.datetime,
                service: Service, sequence: int, method: str = "REQUEST", **extra) -> str:
    """The .ics text of the appointment's invitation (``method`` CANCEL takes it back)."""
    from . import ics  # icalendar: only when an invitation is made

    mail = known.messages.mail
    return ics.invitation_text(ics.Invitation(
        appointment_id, start, end, known.zone or clinic.pc_time_zone(),
        f"{service.name} at {known.name}" if known.name else service.name, known.address,
        organizer=mail.from_address, organizer_name=known.name, sequence=sequence,
        domain=mail.from_address.rpartition("@")[2], **extra), method=method)


def _read(*queries, when_sending=()) -> tuple[str, _Known, list, list]:
    """The audit chain's last hash (``audit.last_hash_with``), the clinic's settings, the
    rows of ``queries``, and those of ``when_sending`` — what only a clinic that can send
    needs (else empty). On a server all of it in ONE round trip; on SQLite (no network) what
    is not needed is not read."""
    if is_sqlite():
        last, (rows, *found) = audit.last_hash_with(settings.many_query(*_CLINIC), *queries)
        known = _known_from(rows)
        more = (fetch_together(*when_sending) if known.channels
                else [[] for _ in when_sending])
        return last, known, found, more
    last, (rows, *found) = audit.last_hash_with(settings.many_query(*_CLINIC), *queries,
                                                *when_sending)
    return last, _known_from(rows), found[:len(queries)], found[len(queries):]


def _planned(known: _Known, appointment_id: int, start: dt.datetime, end: dt.datetime,
             patient: Patient, service: Service, provider: str, said: list, moves: list | int,
             now: dt.datetime) -> list[dict]:
    """The reminders of an appointment that has not begun (the keyword arguments of
    ``outbox.queue`` for each), from what the caller has in hand: none when the clinic cannot
    send, the patient cannot be reached or said no (``said``: ``contact_consent.
    said_query``'s rows), or every time is past. ``moves``: how many times it was moved
    (``_moves_query``'s rows)."""
    if not known.channels:
        return []
    how = _channel(patient, known.channels)
    if how is None or not contact_consent.may_contact_from(patient, ContactKind.REMINDERS,
                                                           said):
        return []  # no way to reach them, or they asked for no reminders (or archived)
    moves = moves if isinstance(moves, int) else moves[0][0]
    times = reminder_times(start, service.category, known.chosen, now)
    if not times:
        return []
    values = _values(start, patient, service, provider, known)
    channel, address = how
    invitation = None
    chosen = known.chosen
    if channel == MessageChannel.EMAIL:
        invitation = _invitation(known, appointment_id, start, end, service, moves,
                                 description=service.preparation)
        subject, body = _fill(chosen.subject, values), _fill(chosen.body, values)
        body = "\n".join(line.rstrip() for line in body.splitlines())
        while "\n\n\n" in body:  # an empty {preparation} leaves no gap
            body = body.replace("\n\n\n", "\n\n")
    else:
        subject, body = "", _fill(chosen.sms, values)
    return [{"to_address": address, "channel": channel, "kind": MessageKind.REMINDER,
             "subject": subject, "body": body, "patient_id": patient.id,
             "appointment_id": appointment_id, "due_at": at, "ics": invitation}
            for at in times]


def plan_for(appointment_id: int, now: dt.datetime | None = None) -> list[dict]:
    """The reminders an appointment would get now (see ``_planned``), reading only: none for
    one that has begun or ended."""
    now = now or dt.datetime.now()
    appt = Appointment.get_by_id(appointment_id)
    if appt.status not in NOT_ARRIVED_STATUSES:
        return []
    rows, patients, services, providers, said, moves = fetch_together(
        settings.many_query(*_CLINIC), Patient.select().where(Patient.id == appt.patient_id),
        Service.select().where(Service.id == appt.service_id),
        User.select(User.display_name).where(User.id == appt.provider_id).tuples(),
        contact_consent.said_query(appt.patient_id, ContactKind.REMINDERS),
        _moves_query(appointment_id))
    return _planned(_known_from(rows), appt.id, appt.start, appt.end, patients[0],
                    services[0], providers[0][0] if providers else "", said, moves, now)


def _open_reminders_query(appointment_id: int):
    """The appointment's reminders that may still go out, locked until the change that reads
    them commits (a PC sending one waits, then finds it withdrawn)."""
    return for_update(OutboxMessage.select(OutboxMessage.id).where(
        OutboxMessage.appointment == appointment_id,
        OutboxMessage.kind == MessageKind.REMINDER,
        OutboxMessage.state.in_(outbox.OPEN_STATES)).tuples())


@dataclass
class Work:
    """The reminders' part of an appointment's change, all inside its transaction: read in ONE
    round trip with the audit chain's last hash (``audit.last_hash_with``), the new reminders
    inserted in one more when there are any; the rest — the withdrawals, the events auditing
    all of it, the ``outbox`` signal — for the change to send with its own writes
    (:meth:`queries`, in one ``write_together``)."""

    last_hash: str
    writes: list = field(default_factory=list)
    events: list[audit.Event] = field(default_factory=list)
    outbox_ids: list[int] = field(default_factory=list)

    def queries(self, actor: User | None, events: list[audit.Event]) -> list:
        """The withdrawals, the audit rows of the change's ``events`` and then the reminders'
        (one chain, from ``last_hash``), and the ``outbox`` signal: queries not yet run."""
        return [*self.writes, *audit.chained(actor, self.last_hash, [*events, *self.events]),
                *([changes.note_query("outbox", *self.outbox_ids)] if self.outbox_ids else [])]


def _queued(actor: User | None, last_hash: str, planned: list[dict], writes=(),
            events=()) -> Work:
    ids, queued = outbox.inserted(actor, [outbox.checked(**message) for message in planned])
    return Work(last_hash, list(writes), [*events, *queued], ids)


def booked(actor: User, appt: Appointment, patient: Patient, service: Service,
           provider: User | None, now: dt.datetime | None = None) -> Work:
    """Booking: the appointment's reminders, from the rows the booking has in hand (the
    settings and the patient's answer read with the chain's last hash)."""
    last, known, _, (said,) = _read(
        when_sending=[contact_consent.said_query(patient.id, ContactKind.REMINDERS)])
    return _queued(actor, last, _planned(
        known, appt.id, appt.start, appt.end, patient, service,
        provider.display_name if provider else "", said, 0, now or dt.datetime.now()))


def moved(actor: User, appointment_id: int, start: dt.datetime, end: dt.datetime,
          patient: Patient, service: Service, provider: User | None,
          now: dt.datetime | None = None) -> Work:
    """Moving (after the move and its history line are written): the old reminders are
    withdrawn, new ones made for the new time, provider or room (the invitation's SEQUENCE
    is how many times it was moved)."""
    last, known, (waiting,), (said, moves) = _read(
        _open_reminders_query(appointment_id),
        when_sending=[contact_consent.said_query(patient.id, ContactKind.REMINDERS),
                      _moves_query(appointment_id)])
    writes, events = outbox.withdrawn([key for key, in waiting], "the appointment moved")
    planned = _planned(known, appointment_id, start, end, patient, service,
                       provider.display_name if provider else "", said, moves,
                       now or dt.datetime.now())
    return _queued(actor, last, planned, writes, events)


CANCELLATION_BODY = ("Hello {first_name},\n\nYour {service} appointment on {date} at {time} "
                     "is cancelled.\n\nTo book again, please call us on {clinic_phone}.\n\n"
                     "{clinic_name}")


def ended(actor: User, appt: Appointment, status: str) -> Work:
    """Cancelled or no-show (``appt`` as read before the change): its reminders still waiting
    are withdrawn. A cancelled one whose invitation already went out gets a cancellation
    (``METHOD:CANCEL``), so the patient's calendar drops the event."""
    reads = [_open_reminders_query(appt.id)]
    if status == "cancelled":  # what a cancellation needs, read with them
        reads += [
            OutboxMessage.select(OutboxMessage.to_address).where(
                OutboxMessage.appointment == appt.id,
                OutboxMessage.kind == MessageKind.REMINDER,
                OutboxMessage.state == MessageState.SENT,
                OutboxMessage.channel == MessageChannel.EMAIL,
                OutboxMessage.ics.is_null(False)).order_by(OutboxMessage.id.desc())
            .limit(1).tuples(),
            settings.many_query(*_CLINIC), Patient.select().where(Patient.id == appt.patient_id),
            Service.select().where(Service.id == appt.service_id),
            User.select(User.display_name).where(User.id == appt.provider_id).tuples(),
            _moves_query(appt.id)]
    last, (waiting, *found) = audit.last_hash_with(*reads)
    writes, events = outbox.withdrawn([key for key, in waiting],
                                      f"the appointment is {status.replace('_', '-')}")
    planned = []
    if found and found[0]:  # an invitation went out: take it back
        (address,), rows, (patient,), (service,), providers, moves = (
            found[0][0], *found[1:])
        known = _known_from(rows)
        values = _values(appt.start, patient, service, providers[0][0] if providers else "",
                         known)
        invitation = _invitation(known, appt.id, appt.start, appt.end, service,
                                 moves[0][0] + 1, method="CANCEL")
        planned = [{"to_address": address, "kind": MessageKind.CANCELLATION,
                    "subject": _fill("Cancelled: your appointment at {clinic_name} on {date}",
                                     values),
                    "body": _fill(CANCELLATION_BODY, values), "patient_id": patient.id,
                    "appointment_id": appt.id, "ics": invitation}]
    return _queued(actor, last, planned, writes, events)


def queue_missing_reminders(now: dt.datetime) -> str:
    """The timed job: upcoming appointments (next ``AHEAD``) still to come that have no
    reminder at all yet (booked before the clinic could send, or imported) get theirs.
    Idempotent: one that has any reminder row, in any state, is left alone."""
    if not sending.configured_channels(sending.message_settings()):
        return "no way to send set up"
    from ...store.database import db

    has_any = OutboxMessage.select(OutboxMessage.appointment).where(
        OutboxMessage.kind == MessageKind.REMINDER, OutboxMessage.appointment.is_null(False))
    waiting = [a.id for a in Appointment.select(Appointment.id).where(
        Appointment.start > now, Appointment.start < now + AHEAD,
        Appointment.status.in_(NOT_ARRIVED_STATUSES), Appointment.id.not_in(has_any))]
    queued = 0
    for appointment_id in waiting:
        planned = plan_for(appointment_id, now)  # read first: most get none
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
