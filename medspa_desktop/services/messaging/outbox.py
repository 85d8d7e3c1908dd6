"""The outbox: every message to a patient (or a test to the clinic) is a row here first, and
the timed work (``sending.send_due``) sends what is due when the PC can reach the server.

A row is never deleted and its address and text never change (a guard trigger refuses it): a
message no longer wanted is *withdrawn*; a moved appointment's reminders are withdrawn and
queued anew. States: queued → sending → sent; or failed (with the server's answer, for the
front desk to retry or withdraw); or withdrawn.

Every queue, send, failure, retry and withdrawal is audited (record type ``message``), and
noted on the change bus as ``outbox`` (the message's id).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from peewee import JOIN

from ...store.database import db, is_sqlite
from ...store.models import Appointment, OutboxMessage, Patient, User
from ..charts.patients import listed_name
from ..platform import audit, changes
from ..platform.errors import NotFound, ValidationError
from ..platform.permissions import require
from ..platform.text import clean_block, clean_line
from ..platform.vocabulary import MessageChannel, MessageKind, MessageState

St = MessageState
MAX_SUBJECT = 200
MAX_BODY = 20_000
MAX_ICS = 50_000
EMAIL = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+$")
# a message that may still go out: the ones withdrawing or retrying is about
OPEN_STATES = (St.QUEUED, St.FAILED)


def valid_email(address: str) -> bool:
    return bool(EMAIL.match(address)) and len(address) <= 254


def phone_digits(text: str) -> str:
    """A phone number as it is sent to an SMS provider: ``+`` and digits only."""
    text = text.strip()
    digits = re.sub(r"\D", "", text)
    return ("+" if text.startswith("+") else "") + digits


def valid_mobile(text: str) -> bool:
    """A number an SMS provider can take: 7 to 15 digits (E.164), an optional leading +."""
    return 7 <= len(phone_digits(text or "").lstrip("+")) <= 15


def _checked_address(channel: str, to_address: str) -> str:
    address = (to_address or "").strip()
    if channel == MessageChannel.EMAIL:
        if not valid_email(address):
            raise ValidationError(f"“{address}” is not an email address." if address
                                  else "There is no email address to send to.")
        return address
    digits = phone_digits(address)
    if not valid_mobile(digits):
        raise ValidationError(f"“{address}” is not a mobile number." if address
                              else "There is no mobile number to send to.")
    return digits


def checked(*, to_address: str, kind: str, body: str, channel: str = MessageChannel.EMAIL,
            subject: str = "", due_at: dt.datetime | None = None, ics: str | None = None,
            **keys) -> dict:
    """One message's row as it is stored (``keys``: its patient and appointment ids), or
    ValidationError saying what is wrong with it. Reads nothing."""
    if not MessageChannel.has(channel):
        raise ValidationError("A message goes by email or by text message.")
    if not MessageKind.has(kind):
        raise ValidationError(f"“{kind}” is not a kind of message.")
    address = _checked_address(channel, to_address)
    subject = clean_line(subject or "")
    if len(subject) > MAX_SUBJECT:
        raise ValidationError(f"A subject is at most {MAX_SUBJECT} characters.")
    body = clean_block(body or "")
    if not body:
        raise ValidationError("A message needs some text.")
    if len(body) > MAX_BODY:
        raise ValidationError(f"A message is at most {MAX_BODY} characters.")
    if ics is not None and len(ics) > MAX_ICS:
        raise ValidationError("The calendar invitation is too long.")
    return {"to_address": address, "channel": channel, "kind": kind, "subject": subject,
            "body": body, "ics": ics, "due_at": due_at, "patient": keys.get("patient_id"),
            "appointment": keys.get("appointment_id"), "state": St.QUEUED}


def _queued_summary(row: dict) -> str:
    return (f"{MessageKind.label_of(row['kind'])} by "
            f"{MessageChannel.label_of(row['channel']).lower()} to {row['to_address']}, due "
            f"{row['due_at']:%Y-%m-%d %H:%M}"
            + (f", appointment {row['appointment']}" if row["appointment"] else ""))


def queue(actor: User | None, *, to_address: str, kind: str, body: str,
          channel: str = MessageChannel.EMAIL, subject: str = "", patient_id: int | None = None,
          appointment_id: int | None = None, due_at: dt.datetime | None = None,
          ics: str | None = None) -> OutboxMessage:
    """:func:`enqueue` without the permission check, for a service that has made its own
    (booking an appointment queues its reminders). Runs inside the caller's transaction."""
    row = checked(to_address=to_address, kind=kind, body=body, channel=channel,
                  subject=subject, due_at=due_at, ics=ics, patient_id=patient_id,
                  appointment_id=appointment_id)
    if patient_id is not None and not Patient.select().where(Patient.id == patient_id).exists():
        raise NotFound("That patient does not exist.")
    if appointment_id is not None and not Appointment.select().where(
            Appointment.id == appointment_id).exists():
        raise NotFound("That appointment does not exist.")
    now = dt.datetime.now()
    row["due_at"] = row["due_at"] or now
    with db.atomic():
        message = OutboxMessage.create(**row, created_by=actor, created_at=now)
        audit.record(actor, "message.queue", "message", message.id, _queued_summary(row))
        changes.note("outbox", message.id)
    return message


def inserted(actor: User | None, rows: list[dict]) -> tuple[list[int], list[audit.Event]]:
    """``checked`` rows whose patient and appointment the caller has in hand (its own
    transaction read or wrote them), inserted in one statement (one round trip on a server):
    their ids, and the events that audit them for the caller to write with its own
    (``audit.chained``; it signals ``outbox`` with the ids)."""
    if not rows:
        return [], []
    now = dt.datetime.now()
    rows = [{**row, "due_at": row["due_at"] or now, "created_by": actor, "created_at": now}
            for row in rows]
    if is_sqlite():  # no network: one by one
        ids = [OutboxMessage.insert(**row).execute() for row in rows]
    else:
        ids = [key for key, in OutboxMessage.insert_many(rows)
               .returning(OutboxMessage.id).tuples().execute()]
    return ids, [("message.queue", "message", key, _queued_summary(row))
                 for key, row in zip(ids, rows, strict=True)]


def enqueue(actor: User, *, to_address: str, kind: str, body: str,
            channel: str = MessageChannel.EMAIL, subject: str = "",
            patient_id: int | None = None, appointment_id: int | None = None,
            due_at: dt.datetime | None = None, ics: str | None = None) -> int:
    """Queue one message to go out at ``due_at`` (now when None); returns its id. Refused,
    with nothing written, for an address that is not one, an unknown kind or channel, an
    empty text. Whether the patient agreed to be sent it is the caller's to check."""
    require(actor, "messages.send")
    return queue(actor, to_address=to_address, kind=kind, body=body, channel=channel,
                 subject=subject, patient_id=patient_id, appointment_id=appointment_id,
                 due_at=due_at, ics=ics).id


def _set_state(actor: User | None, message_id: int, allowed: tuple[str, ...], action: str,
               summary: str, **values) -> None:
    """Move one message on, only from the ``allowed`` states (another PC may have sent it
    since it was read: then say so and change nothing)."""
    with db.atomic():
        message = OutboxMessage.get_or_none(OutboxMessage.id == message_id)
        if message is None:
            raise NotFound("That message does not exist.")
        done = (OutboxMessage.update(version=OutboxMessage.version + 1, **values)
                .where(OutboxMessage.id == message_id, OutboxMessage.state.in_(allowed))
                .execute())
        if not done:
            now_state = OutboxMessage.get_by_id(message_id).state
            raise ValidationError(f"This message is {St.label_of(now_state).lower()}; "
                                  "it can no longer be changed.")
        audit.record(actor, action, "message", message_id, summary)
        changes.note("outbox", message_id)


def withdraw(actor: User, message_id: int, reason: str = "") -> None:
    """Take back a message that has not gone out (queued or failed). It stays on record."""
    require(actor, "messages.send")
    reason = clean_line(reason or "")[:300]
    _set_state(actor, message_id, OPEN_STATES, "message.withdraw",
               reason or "withdrawn at the desk", state=St.WITHDRAWN, next_try_at=None)


def withdraw_quietly(actor: User | None, message_ids: list[int], reason: str) -> int:
    """Withdraw the messages still open among ``message_ids`` inside the caller's transaction
    (a cancelled or moved appointment's reminders); how many were withdrawn."""
    count = 0
    for message_id in message_ids:
        done = (OutboxMessage.update(state=St.WITHDRAWN, next_try_at=None,
                                     version=OutboxMessage.version + 1)
                .where(OutboxMessage.id == message_id, OutboxMessage.state.in_(OPEN_STATES))
                .execute())
        if done:
            audit.record(actor, "message.withdraw", "message", message_id, reason[:300])
            changes.note("outbox", message_id)
            count += 1
    return count


def withdrawn(message_ids: list[int], reason: str) -> tuple[list, list[audit.Event]]:
    """``withdraw_quietly`` of messages the caller has read open in its transaction and locked
    (``store.database.for_update``), so each is withdrawn: the write and the events that audit
    it, for the caller to send with its own (``audit.chained``; it signals ``outbox``)."""
    if not message_ids:
        return [], []
    write = (OutboxMessage.update(state=St.WITHDRAWN, next_try_at=None,
                                  version=OutboxMessage.version + 1)
             .where(OutboxMessage.id.in_(message_ids), OutboxMessage.state.in_(OPEN_STATES)))
    return [write], [("message.withdraw", "message", key, reason[:300]) for key in message_ids]


def retry(actor: User, message_id: int) -> None:
    """Send a failed message again at the next round (the desk has fixed the address or the
    server, or checked that one that "may have been sent" was not)."""
    require(actor, "messages.send")
    _set_state(actor, message_id, (St.FAILED,), "message.retry", "to be tried again",
               state=St.QUEUED, next_try_at=None)


@dataclass(frozen=True)
class OutboxRow:
    id: int
    due_at: dt.datetime
    state_key: str
    state: str  # label
    kind_key: str
    kind: str  # label
    channel: str  # label
    to_address: str
    patient: str  # "" for none
    subject: str
    attempts: int
    last_error: str
    sent_at: dt.datetime | None
    appointment_id: int | None
    version: int

    @property
    def open(self) -> bool:
        return self.state_key in OPEN_STATES


def outbox_rows(actor: User, state: str | None = None, limit: int = 500,
                offset: int = 0) -> list[OutboxRow]:
    """The outbox, newest due first: every message, or those in one ``state``."""
    require(actor, "messages.read")
    query = (OutboxMessage.select(OutboxMessage, Patient.first_name, Patient.last_name,
                                  Patient.preferred_name)
             .join(Patient, join_type=JOIN.LEFT_OUTER, on=OutboxMessage.patient == Patient.id))
    if state is not None:
        if not MessageState.has(state):
            raise ValidationError(f"“{state}” is not a message state.")
        query = query.where(OutboxMessage.state == state)
    query = query.order_by(OutboxMessage.due_at.desc(), OutboxMessage.id.desc()) \
        .limit(limit).offset(offset)
    rows = []
    for m in query.objects():
        patient = (listed_name(m.first_name, m.last_name, m.preferred_name)
                   if m.patient_id else "")
        rows.append(OutboxRow(
            m.id, m.due_at, m.state, St.label_of(m.state), m.kind, MessageKind.label_of(m.kind),
            MessageChannel.label_of(m.channel), m.to_address, patient, m.subject, m.attempts,
            m.last_error, m.sent_at, m.appointment_id, m.version))
    return rows


def failed_count(actor: User) -> int:
    """How many messages failed and wait for the desk (the status bar says so)."""
    require(actor, "messages.read")
    return OutboxMessage.select().where(OutboxMessage.state == St.FAILED).count()
