"""Sending through a real mail server on loopback: the reminder arrives with its invitation,
a server that is down holds the messages until it is back, nothing goes out twice (not even
when the sender is killed mid-send), quiet hours hold, the password stays out of the
database."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import icalendar
import pytest

from medspa_desktop.services.messaging import outbox, sending
from medspa_desktop.services.platform.errors import DomainError
from medspa_desktop.services.scheduling import appointments
from medspa_desktop.store.models import AuditEvent, OutboxMessage
from tests.services.messaging.conftest import (
    FROM,
    AuthResult,
    MailServer,
    free_port,
    use_mail_server,
)

DAY = dt.date(2030, 1, 8)  # a Tuesday
TWO_DAYS_BEFORE = dt.datetime(2030, 1, 6, 8, 0)
MORNING_OF = dt.datetime(2030, 1, 8, 8, 0)


def book(c, start=dt.time(10, 0), minutes=30):
    begin = dt.datetime.combine(DAY, start)
    return appointments.book_appointment(c["admin"], appointments.AppointmentInput(
        c["ann"].id, c["botox"].id, c["lee"].id, begin, begin + dt.timedelta(minutes=minutes),
        room_id=c["room"].id))


def parsed(envelope) -> email.message.EmailMessage:
    return email.message_from_bytes(envelope.original_content, policy=email.policy.default)


def test_the_reminder_arrives_with_an_invitation_in_the_clinics_time_zone(glow, mail_server):
    use_mail_server(glow["admin"], mail_server.port)
    appt = book(glow)
    assert [m.due_at for m in OutboxMessage.select().order_by(OutboxMessage.due_at)] == [
        TWO_DAYS_BEFORE, MORNING_OF]

    assert sending.send_due(TWO_DAYS_BEFORE).sent == 1
    [envelope] = mail_server.inbox.envelopes
    assert envelope.rcpt_tos == ["ann@patients.example"] and envelope.mail_from == FROM
    message = parsed(envelope)
    assert message["Subject"] == "Your appointment at Glow Med Spa on Tuesday 8 January 2030 " \
                                 "at 10:00"
    text = message.get_body(("plain",)).get_content()
    assert "Hello Ann" in text and "Botox Cosmetic appointment with Dr Lee" in text
    assert "Avoid blood thinners for 7 days before." in text and "312 555 0100" in text
    stored = OutboxMessage.get(OutboxMessage.due_at == TWO_DAYS_BEFORE)
    assert message["Message-ID"] == stored.message_id and stored.state == "sent"
    assert stored.last_error.startswith("250") and stored.sent_at == TWO_DAYS_BEFORE

    [attachment] = [p for p in message.iter_attachments()
                    if p.get_content_type() == "text/calendar"]
    calendar = icalendar.Calendar.from_ical(attachment.get_content())
    assert calendar["METHOD"] == "REQUEST"
    [zone] = calendar.walk("VTIMEZONE")
    assert zone["TZID"] == "America/Chicago"
    [event] = calendar.walk("VEVENT")
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert (start.replace(tzinfo=None), end.replace(tzinfo=None)) == (
        dt.datetime(2030, 1, 8, 10, 0), dt.datetime(2030, 1, 8, 10, 30))
    assert event["DTSTART"].params["TZID"] == "America/Chicago"
    assert start.utcoffset() == dt.timedelta(hours=-6)  # CST in January
    assert str(event["SUMMARY"]) == "Botox Cosmetic at Glow Med Spa"
    assert str(event["LOCATION"]) == "12 Lake St, Chicago IL 60601"
    assert str(event["UID"]) == f"appointment-{appt.id}@glow.example"
    assert [e.action for e in AuditEvent.select().where(
        AuditEvent.action.startswith("message."))] == ["message.queue"] * 2 + ["message.send"]


def test_moving_re_times_the_reminders_and_cancelling_withdraws_them(glow, mail_server):
    use_mail_server(glow["admin"], mail_server.port)
    appt = book(glow)
    moved = appointments.move_appointment(
        glow["admin"], appt.id, appt.version, dt.datetime(2030, 1, 10, 14, 0),
        dt.datetime(2030, 1, 10, 14, 30))
    rows = list(OutboxMessage.select().order_by(OutboxMessage.id))
    assert [(r.state, r.due_at) for r in rows] == [
        ("withdrawn", TWO_DAYS_BEFORE), ("withdrawn", MORNING_OF),
        ("queued", dt.datetime(2030, 1, 8, 8, 0)), ("queued", dt.datetime(2030, 1, 10, 8, 0))]
    invite = icalendar.Calendar.from_ical(rows[-1].ics)
    [event] = invite.walk("VEVENT")
    assert event["SEQUENCE"] == 1  # the same event, moved: calendars update it
    appointments.change_status(glow["admin"], appt.id, "cancelled", moved.version,
                               reason="patient is travelling")
    assert {r.state for r in OutboxMessage.select()} == {"withdrawn"}
    assert sending.send_due(dt.datetime(2030, 1, 10, 9, 0)).sent == 0
    assert mail_server.inbox.envelopes == []


def test_a_server_that_is_down_holds_the_messages_then_each_goes_once(glow, mail_server):
    use_mail_server(glow["admin"], mail_server.port)
    mail_server.stop()
    first = outbox.enqueue(glow["admin"], to_address="ann@patients.example", kind="recall",
                           body="Time for a touch-up", due_at=dt.datetime(2030, 1, 1, 9, 0))
    second = outbox.enqueue(glow["admin"], to_address="bo@patients.example", kind="recall",
                            body="Time for a touch-up", due_at=dt.datetime(2030, 1, 1, 9, 0))
    now = dt.datetime(2030, 1, 1, 9, 0)
    held = sending.send_due(now)
    assert (held.sent, held.waiting) == (0, 1) and "could not be reached" in held.errors[0]
    assert {m.state for m in OutboxMessage.select()} == {"queued"}
    assert sending.send_due(now + dt.timedelta(seconds=30)).waiting == 1  # still down

    back = MailServer(mail_server.port).start()
    try:
        later = now + dt.timedelta(minutes=5)
        assert sending.send_due(later).sent == 2
        assert sending.send_due(later + dt.timedelta(hours=1)).sent == 0
        assert sorted(e.rcpt_tos[0] for e in back.inbox.envelopes) == [
            "ann@patients.example", "bo@patients.example"]
    finally:
        back.stop()
    assert {OutboxMessage.get_by_id(i).state for i in (first, second)} == {"sent"}


def test_a_permanent_refusal_fails_the_message_with_the_servers_words(glow, mail_server):
    use_mail_server(glow["admin"], mail_server.port)
    message_id = outbox.enqueue(glow["admin"], to_address="gone@nobody.example", kind="recall",
                                body="Hello")
    assert sending.send_due(dt.datetime(2030, 1, 1, 10, 0)).failed == 1
    row = OutboxMessage.get_by_id(message_id)
    assert row.state == "failed" and "550 5.1.1" in row.last_error
    assert "User unknown" in row.last_error
    assert outbox.failed_count(glow["admin"]) == 1


def test_quiet_hours_hold_the_messages_until_morning(glow, mail_server):
    use_mail_server(glow["admin"], mail_server.port)
    outbox.enqueue(glow["admin"], to_address="ann@patients.example", kind="recall",
                   body="Hello", due_at=dt.datetime(2030, 1, 1, 19, 0))
    for night in (dt.datetime(2030, 1, 1, 20, 0), dt.datetime(2030, 1, 1, 23, 59),
                  dt.datetime(2030, 1, 2, 7, 59)):
        assert sending.send_due(night).quiet
    assert mail_server.inbox.envelopes == []
    assert sending.send_due(dt.datetime(2030, 1, 2, 8, 0)).sent == 1
    assert len(mail_server.inbox.envelopes) == 1


CHILD = Path(__file__).with_name("sender_child.py")


def test_a_sender_killed_after_the_servers_250_does_not_send_twice(glow, mail_server,
                                                                   database):
    """The child process sends; the server accepts (250) and at once takes the database's
    write lock, so the child cannot record "sent"; the child is killed there."""
    use_mail_server(glow["admin"], mail_server.port)
    message_id = outbox.enqueue(glow["admin"], to_address="ann@patients.example",
                                kind="recall", body="Once only",
                                due_at=dt.datetime(2030, 1, 1, 9, 0))
    holder: dict = {}
    locked = threading.Event()

    def lock_the_database(_envelope):
        con = sqlite3.connect(database, timeout=30, check_same_thread=False)
        con.execute("BEGIN IMMEDIATE")
        holder["con"] = con
        locked.set()

    mail_server.inbox.on_data = lock_the_database
    child = subprocess.Popen([sys.executable, str(CHILD), str(database), "2030-01-01T09:00"],
                             env={**os.environ, "PYTHONPATH": os.getcwd()})
    try:
        assert locked.wait(60), "the message never reached the server"
        assert mail_server.inbox.received.wait(5)
        while OutboxMessage.get_by_id(message_id).state != "sending":  # pragma: no cover
            pass
        child.kill()
        child.wait(30)
    finally:
        if child.poll() is None:
            child.kill()
        con = holder.get("con")
        if con is not None:
            con.rollback()
            con.close()
    assert OutboxMessage.get_by_id(message_id).state == "sending"

    # the next round, on this PC or another, once the claim's lease is over: not sent again
    later = dt.datetime(2030, 1, 1, 9, 0) + sending.LEASE + dt.timedelta(minutes=1)
    after = sending.send_due(later)
    assert (after.sent, after.unsure) == (0, 1)
    row = OutboxMessage.get_by_id(message_id)
    assert row.state == "failed" and "may have been sent" in row.last_error
    assert sending.send_due(later + dt.timedelta(hours=2)).sent == 0
    assert len(mail_server.inbox.envelopes) == 1
    assert AuditEvent.select().where(AuditEvent.action == "message.unsure").count() == 1


def test_the_password_goes_to_the_credential_store_not_the_database(glow, database,
                                                                    credential_store):
    accepted = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (auth_data.login, auth_data.password) == (b"desk", b"s3cret-Pa55word")
        accepted.append(ok)
        return AuthResult(success=ok)

    server = MailServer(free_port(), authenticator).start()
    try:
        use_mail_server(glow["admin"], server.port, user="desk", password="s3cret-Pa55word")
        answer = sending.send_test_email(glow["admin"], "owner@glow.example")
        assert answer.startswith("The mail server accepted the test email for "
                                 "owner@glow.example: 250")
        assert accepted == [True] and len(server.inbox.envelopes) == 1
    finally:
        server.stop()
    assert sending.stored_secret("mail", "desk", "127.0.0.1") == "s3cret-Pa55word"
    for path in Path(database).parent.glob("clinic.db*"):
        assert b"s3cret-Pa55word" not in path.read_bytes()
    assert "s3cret" not in " ".join(e.summary for e in AuditEvent.select())


def test_a_test_email_that_cannot_go_says_why(glow, mail_server):
    port = mail_server.port
    mail_server.stop()
    use_mail_server(glow["admin"], port)
    with pytest.raises(DomainError, match="could not be reached"):
        sending.send_test_email(glow["admin"], "owner@glow.example")
    assert [m.state for m in OutboxMessage.select()] == ["withdrawn"]


def test_cancelling_after_the_invitation_went_out_sends_a_cancellation(glow, mail_server):
    use_mail_server(glow["admin"], mail_server.port)
    appt = book(glow)
    assert sending.send_due(TWO_DAYS_BEFORE).sent == 1
    appointments.change_status(glow["admin"], appt.id, "cancelled", appt.version,
                               reason="patient is unwell")
    assert sending.send_due(TWO_DAYS_BEFORE + dt.timedelta(hours=2)).sent == 1
    invitation, cancellation = (parsed(e) for e in mail_server.inbox.envelopes)
    assert cancellation["Subject"] == "Cancelled: your appointment at Glow Med Spa on " \
                                      "Tuesday 8 January 2030"
    [part] = [p for p in cancellation.iter_attachments()
              if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "CANCEL"
    calendar = icalendar.Calendar.from_ical(part.get_content())
    [event] = calendar.walk("VEVENT")
    [first] = icalendar.Calendar.from_ical(
        next(p for p in invitation.iter_attachments()).get_content()).walk("VEVENT")
    assert calendar["METHOD"] == "CANCEL" and event["UID"] == first["UID"]
    assert event["SEQUENCE"] > first["SEQUENCE"] and event["STATUS"] == "CANCELLED"
    # the morning-of reminder was withdrawn: nothing else goes out
    assert sending.send_due(MORNING_OF).sent == 0 and len(mail_server.inbox.envelopes) == 2


def _self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key (the test's own little CA of one)."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def test_starttls_goes_secure_before_the_message_and_an_untrusted_server_is_refused(
        glow, tmp_path):
    import ssl

    from aiosmtpd.controller import Controller

    cert, key = _self_signed(tmp_path)
    server_side = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_side.load_cert_chain(cert, key)
    inbox = MailServer(free_port()).inbox
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, tls_context=server_side,
                            require_starttls=True)
    controller.start()
    try:
        mail = sending.MailSettings("127.0.0.1", port, "starttls", "", FROM)
        trusting = ssl.create_default_context(cafile=str(cert))
        answer = sending.send_test_email(glow["admin"], "owner@glow.example", transports=(
            sending.Transports(email=sending.SmtpTransport(mail, None, trusting))))
        assert "250" in answer and len(inbox.envelopes) == 1
        # the system's certificates do not vouch for this server: nothing is sent
        with pytest.raises(DomainError, match="secure connection to 127.0.0.1"):
            sending.send_test_email(glow["admin"], "owner@glow.example", transports=(
                sending.Transports(email=sending.SmtpTransport(mail, None))))
        assert len(inbox.envelopes) == 1
    finally:
        controller.stop()
