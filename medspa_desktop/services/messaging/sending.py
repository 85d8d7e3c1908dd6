"""Sending what the outbox holds: email through the clinic's own mail account (SMTP with
STARTTLS or SSL), text messages through an SMS provider's HTTP API when one is set up.

Exactly once, even across a crash:

1. a message is *claimed* in its own committed transaction: state ``sending``, its
   ``message_id`` (the email's Message-ID header) and a lease (``next_try_at`` = now + LEASE)
   written before the server is spoken to. On PostgreSQL the claim reads the row with
   ``FOR UPDATE SKIP LOCKED``, so two PCs never take the same one; on SQLite the claim's
   ``BEGIN IMMEDIATE`` lets one writer through at a time;
2. it is sent; 3. the row becomes ``sent`` (or goes back to the queue, or ``failed``).

A row found in ``sending`` after its lease ran out was cut short between 1 and 3 (the program
was killed, the PC lost power): the server may or may not have it, and we cannot ask. It is
never sent again on its own; it is marked failed, "may have been sent", for the front desk
to check the sent folder and Retry or Withdraw.

A server that cannot be reached (or answers 4xx, "try later") leaves the message queued, tried
again after 1, 2, 4 … up to 60 minutes. A permanent refusal (5xx) fails it with the server's
own words. Nothing goes out in the clinic's quiet hours (default 20:00–08:00).

The mail password and the SMS token are kept in the operating system's credential store
(``keyring``), never in the clinic database, so never in a backup or an export.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import smtplib
import ssl
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from email import policy as email_policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid

from ...store.database import db, is_sqlite
from ...store.models import OutboxMessage, User
from ..platform import audit, changes, settings
from ..platform.errors import DomainError, ValidationError
from ..platform.permissions import require
from ..platform.vocabulary import MessageChannel, MessageKind, MessageState
from . import outbox

St = MessageState
KEYRING_SERVICE = "MedSpa Desktop"
LEASE = dt.timedelta(minutes=5)  # longer than any one send may take (TIMEOUT_S and then some)
TIMEOUT_S = 60
MAX_BACKOFF_MINUTES = 60
UNSURE = ("The program stopped while sending this message, so it may have been sent. "
          "Check the clinic's sent folder, then Retry or Withdraw it.")


# -- what can go wrong, in words -----------------------------------------------------------------
class SendError(Exception):
    """A try that did not send. ``str()`` is said to the front desk."""


class TryLater(SendError):
    """Nothing was sent; the same message may be tried again later (server unreachable, busy,
    4xx)."""


class Refused(SendError):
    """The server refused this message for good (5xx): failed, with its answer."""


class MaybeSent(SendError):
    """The connection broke while the message was being handed over: it may have arrived."""


# -- settings and secrets ----------------------------------------------------------------------
def _secret_name(kind: str, user: str, host: str) -> str:
    return f"{kind}:{user}@{host}"


def stored_secret(kind: str, user: str, host: str) -> str | None:
    """A password or token from the OS credential store (None when there is none, or the
    store cannot be reached)."""
    import keyring  # the credential store: only when a secret is needed
    import keyring.errors

    try:
        return keyring.get_password(KEYRING_SERVICE, _secret_name(kind, user, host))
    except keyring.errors.KeyringError:
        return None


def _store_secret(kind: str, user: str, host: str, secret: str) -> None:
    import keyring
    import keyring.errors

    try:
        keyring.set_password(KEYRING_SERVICE, _secret_name(kind, user, host), secret)
    except keyring.errors.KeyringError as exc:
        raise ValidationError("This computer's password store could not keep the password "
                              f"({exc}). Nothing was saved.") from exc


@dataclass(frozen=True)
class MailSettings:
    host: str
    port: int
    security: str  # starttls | ssl | none
    user: str
    from_address: str


@dataclass(frozen=True)
class SmsSettings:
    provider: str  # "" = off, "twilio"
    account: str
    from_number: str
    api_url: str


@dataclass(frozen=True)
class MessageSettings:
    mail: MailSettings
    sms: SmsSettings
    quiet_from: str
    quiet_until: str


_MAIL = (settings.MAIL_HOST, settings.MAIL_PORT, settings.MAIL_SECURITY, settings.MAIL_USER,
         settings.MAIL_FROM)
# the end of a stale refusal's sentence: File → Messages and reminders… does not reload
STALE_THEN = (" since you opened Messages and reminders; nothing was saved. Cancel and open it "
              "again to see what is stored now.")
_SMS = (settings.SMS_PROVIDER, settings.SMS_ACCOUNT, settings.SMS_FROM, settings.SMS_API_URL)
MESSAGE_SETTINGS = (*_MAIL, *_SMS, settings.QUIET_FROM, settings.QUIET_UNTIL)


def message_settings(values: tuple | None = None) -> MessageSettings:
    """The clinic's sending settings (``values``: ``MESSAGE_SETTINGS``' values, read already
    with other things)."""
    values = values or settings.get_many(*MESSAGE_SETTINGS)
    return MessageSettings(MailSettings(*values[:5]), SmsSettings(*values[5:9]), *values[9:])


def read_settings(actor: User) -> MessageSettings:
    require(actor, "messages.setup")
    return message_settings()


def save_settings(actor: User, chosen: MessageSettings, *, mail_password: str | None = None,
                  sms_token: str | None = None, seen: settings.Seen | None = None) -> None:
    """Store the mail server, SMS and quiet-hour settings (audited); a password or token
    given goes to the OS credential store, never to the database. With ``seen`` (read when the
    form opened) a value left as loaded keeps another PC's change to it, and one changed here
    and there since is refused as stale, naming who (``settings.merge_seen``)."""
    require(actor, "messages.setup")
    mail, sms = chosen.mail, chosen.sms
    host = mail.host.strip()
    if host and not mail.from_address.strip():
        raise ValidationError("Enter the address messages are sent from.")
    if sms.provider and not (sms.account.strip() and sms.from_number.strip()):
        raise ValidationError("Enter the text-message account and the number it sends from.")
    values = dict(zip(_MAIL, (host, mail.port, mail.security, mail.user.strip(),
                              mail.from_address.strip()), strict=True))
    values.update(zip(_SMS, (sms.provider, sms.account.strip(), sms.from_number.strip(),
                             sms.api_url.strip()), strict=True))
    values.update({settings.QUIET_FROM: chosen.quiet_from.strip(),
                   settings.QUIET_UNTIL: chosen.quiet_until.strip()})
    settings.check(values)
    if mail_password:
        _store_secret("mail", mail.user.strip(), host, mail_password)
    if sms_token:
        _store_secret("sms", sms.account.strip(), sms.provider, sms_token)
    with db.atomic():
        settings.put(settings.merge_seen(values, seen, "the messages setup", STALE_THEN))
        audit.record(actor, "settings.messages", "clinic", "",
                     f"mail server {host or 'none'}:{mail.port} ({mail.security}), "
                     f"text messages {sms.provider or 'off'}, quiet {chosen.quiet_from}–"
                     f"{chosen.quiet_until}"
                     + ("; mail password changed" if mail_password else "")
                     + ("; text-message token changed" if sms_token else ""))


def in_quiet_hours(now: dt.datetime, quiet_from: str, quiet_until: str) -> bool:
    start, end = (dt.time.fromisoformat(t) for t in (quiet_from, quiet_until))
    t = now.time()
    if start == end:
        return False
    return start <= t < end if start < end else (t >= start or t < end)


# -- the email and its transport ----------------------------------------------------------------
def email_of(message: OutboxMessage, from_address: str, clinic_name: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = formataddr((clinic_name, from_address)) if clinic_name else from_address
    email["To"] = message.to_address
    email["Subject"] = message.subject or clinic_name or "A message from the clinic"
    email["Date"] = format_datetime(dt.datetime.now().astimezone())
    email["Message-ID"] = message.message_id
    email.set_content(message.body)
    if message.ics:
        email.add_attachment(message.ics.encode("utf-8"), maintype="text", subtype="calendar",
                             filename="appointment.ics", params={"method": _ics_method(message)})
    return email


def _ics_method(message: OutboxMessage) -> str:
    return "CANCEL" if "METHOD:CANCEL" in (message.ics or "") else "REQUEST"


def _answer(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {' '.join(text.split())}".strip()


def _refusal(code: int, text: bytes | str, what: str) -> SendError:
    said = _answer(code, text)
    if 400 <= code < 500:
        return TryLater(f"The mail server asked to try later ({what}): {said}")
    return Refused(f"The mail server refused {what}: {said}")


class SmtpTransport:
    """Email through the clinic's mail account. ``ssl_context``: the certificates trusted
    (the system's by default)."""

    def __init__(self, mail: MailSettings, password: str | None,
                 ssl_context: ssl.SSLContext | None = None) -> None:
        self.mail, self.password = mail, password
        self.context = ssl_context or ssl.create_default_context()

    def _connect(self) -> smtplib.SMTP:
        mail = self.mail
        try:
            if mail.security == "ssl":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(mail.host, mail.port, timeout=TIMEOUT_S,
                                                      context=self.context)
            else:
                smtp = smtplib.SMTP(mail.host, mail.port, timeout=TIMEOUT_S)
            smtp.ehlo()
            if mail.security == "starttls":
                smtp.starttls(context=self.context)
                smtp.ehlo()
            if mail.user:
                if not self.password:
                    raise TryLater("The mail password is not on this computer: enter it in "
                                   "Settings → Messages.")
                smtp.login(mail.user, self.password)
        except smtplib.SMTPAuthenticationError as exc:
            raise TryLater("The mail server did not accept the user name or password: "
                           f"{_answer(exc.smtp_code, exc.smtp_error)}") from exc
        except smtplib.SMTPNotSupportedError as exc:
            raise TryLater(f"The mail server does not offer {mail.security.upper()} or "
                           f"login: {exc}") from exc
        except smtplib.SMTPResponseException as exc:
            raise _refusal(exc.smtp_code, exc.smtp_error, "the connection") from exc
        except ssl.SSLError as exc:
            raise TryLater(f"A secure connection to {mail.host} could not be made: "
                           f"{exc.reason or exc}") from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise TryLater(f"The mail server {mail.host}:{mail.port} could not be reached: "
                           f"{exc or type(exc).__name__}") from exc
        return smtp

    def send(self, message: OutboxMessage, clinic_name: str) -> str:
        """Send one message; the server's answer. Raises TryLater, Refused or MaybeSent."""
        email = email_of(message, self.mail.from_address, clinic_name)
        smtp = self._connect()
        try:
            try:
                code, text = smtp.mail(self.mail.from_address)
                if code != 250:
                    raise _refusal(code, text, "the sender")
                code, text = smtp.rcpt(message.to_address)
                if code not in (250, 251):
                    raise _refusal(code, text, f"the address {message.to_address}")
            except (OSError, smtplib.SMTPServerDisconnected) as exc:
                raise TryLater(f"The mail server closed the connection: {exc}") from exc
            try:
                # CRLF line ends: smtplib hands bytes over as they are
                code, text = smtp.data(email.as_bytes(policy=email_policy.SMTP))
            except smtplib.SMTPDataError as exc:
                raise _refusal(exc.smtp_code, exc.smtp_error, "the message") from exc
            except (OSError, smtplib.SMTPServerDisconnected) as exc:
                raise MaybeSent(f"The connection broke while the message was handed over "
                                f"({exc}); it may have been sent.") from exc
            if code != 250:
                raise _refusal(code, text, "the message")
            return _answer(code, text)
        finally:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()


class SmsPort:
    """Where text messages go: ``send(to, body)`` returns the provider's answer or raises
    TryLater / Refused / MaybeSent."""

    def send(self, to: str, body: str) -> str:  # pragma: no cover - an interface
        raise NotImplementedError


class TwilioSms(SmsPort):
    """Twilio's Messages endpoint (``POST /2010-04-01/Accounts/{sid}/Messages.json``)."""

    def __init__(self, sms: SmsSettings, token: str | None) -> None:
        self.sms, self.token = sms, token

    def send(self, to: str, body: str) -> str:
        if not self.token:
            raise TryLater("The text-message token is not on this computer: enter it in "
                           "Settings → Messages.")
        base = self.sms.api_url.rstrip("/")
        account = urllib.parse.quote(self.sms.account, safe="")
        url = f"{base}/2010-04-01/Accounts/{account}/Messages.json"
        data = urllib.parse.urlencode({"To": to, "From": self.sms.from_number,
                                       "Body": body}).encode()
        request = urllib.request.Request(url, data=data, method="POST")
        basic = base64.b64encode(f"{self.sms.account}:{self.token}".encode()).decode()
        request.add_header("Authorization", f"Basic {basic}")
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
                answer = json.loads(response.read() or b"{}")
                return f"{response.status} {answer.get('sid', '')} {answer.get('status', '')}"\
                    .strip()
        except urllib.error.HTTPError as exc:
            said = _http_words(exc)
            if exc.code == 429 or exc.code >= 500:
                raise TryLater(f"The text-message service asked to try later: {said}") from exc
            raise Refused(f"The text-message service refused the message: {said}") from exc
        except (urllib.error.URLError, OSError) as exc:
            if isinstance(exc, TimeoutError):
                raise MaybeSent("The text-message service did not answer in time; the "
                                "message may have been sent.") from exc
            raise TryLater(f"The text-message service could not be reached: "
                           f"{getattr(exc, 'reason', exc)}") from exc


def _http_words(exc: urllib.error.HTTPError) -> str:
    try:
        answer = json.loads(exc.read() or b"{}")
    except ValueError:
        answer = {}
    return f"{exc.code} {answer.get('message') or exc.reason}"


# -- the round: claim, send, record -----------------------------------------------------------
@dataclass
class Round:
    """What one round of sending did."""

    sent: int = 0
    failed: int = 0
    waiting: int = 0  # tried, to be tried again later
    unsure: int = 0  # cut short earlier: marked failed "may have been sent"
    quiet: bool = False
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if self.quiet and not (self.sent or self.failed or self.unsure):
            return "quiet hours: nothing sent"
        parts = [f"{self.sent} sent"]
        if self.failed:
            parts.append(f"{self.failed} failed")
        if self.waiting:
            parts.append(f"{self.waiting} waiting for the server")
        if self.unsure:
            parts.append(f"{self.unsure} may have been sent")
        return ", ".join(parts)


@dataclass
class Transports:
    email: SmtpTransport | None = None
    sms: SmsPort | None = None

    def channels(self) -> list[str]:
        return [c for c, t in ((MessageChannel.EMAIL, self.email),
                               (MessageChannel.SMS, self.sms)) if t is not None]


def configured_transports(chosen: MessageSettings | None = None) -> Transports:
    """The ways out this clinic has set up (none: messages wait in the outbox)."""
    chosen = chosen or message_settings()
    channels = configured_channels(chosen)
    out = Transports()
    mail, sms = chosen.mail, chosen.sms
    if MessageChannel.EMAIL in channels:
        out.email = SmtpTransport(mail, stored_secret("mail", mail.user, mail.host)
                                  if mail.user else None)
    if MessageChannel.SMS in channels:
        out.sms = TwilioSms(sms, stored_secret("sms", sms.account, sms.provider))
    return out


def configured_channels(chosen: MessageSettings) -> list[str]:
    """The channels this clinic has set up, from its settings alone (queueing needs no
    password and no connection: only sending does)."""
    mail, sms = chosen.mail, chosen.sms
    return ([MessageChannel.EMAIL] if mail.host and mail.from_address else []) + (
        [MessageChannel.SMS] if sms.provider == "twilio" and sms.account and sms.from_number
        else [])


def reconcile(now: dt.datetime) -> int:
    """Messages left ``sending`` past their lease (cut short): failed, "may have been sent";
    never sent again by themselves. How many."""
    stuck = [m.id for m in OutboxMessage.select(OutboxMessage.id).where(
        OutboxMessage.state == St.SENDING, OutboxMessage.next_try_at < now)]
    count = 0
    for message_id in stuck:
        with db.atomic():
            done = (OutboxMessage.update(state=St.FAILED, last_error=UNSURE, next_try_at=None,
                                         version=OutboxMessage.version + 1)
                    .where(OutboxMessage.id == message_id, OutboxMessage.state == St.SENDING,
                           OutboxMessage.next_try_at < now).execute())
            if done:
                audit.record(None, "message.unsure", "message", message_id,
                             "cut short while sending; may have been sent")
                changes.note("outbox", message_id)
                count += 1
    return count


def claim(now: dt.datetime, channels: list[str],
          only_id: int | None = None) -> OutboxMessage | None:
    """Take the next message due (or ``only_id``) for this PC: ``sending``, its Message-ID
    and lease written and committed before anything is sent. None when nothing is due."""
    if not channels:
        return None
    with db.atomic():
        query = OutboxMessage.select().where(OutboxMessage.state == St.QUEUED,
                                             OutboxMessage.channel.in_(channels))
        if only_id is not None:
            query = query.where(OutboxMessage.id == only_id)
        else:
            query = query.where(OutboxMessage.due_at <= now,
                                OutboxMessage.next_try_at.is_null()
                                | (OutboxMessage.next_try_at <= now))
        query = query.order_by(OutboxMessage.due_at, OutboxMessage.id).limit(1)
        if not is_sqlite():
            query = query.for_update(skip_locked=True)
        message = query.first()
        if message is None:
            return None
        message_id = message.message_id or make_msgid(domain=_domain(message))
        done = (OutboxMessage.update(state=St.SENDING, message_id=message_id,
                                     attempts=OutboxMessage.attempts + 1,
                                     next_try_at=now + LEASE,
                                     version=OutboxMessage.version + 1)
                .where(OutboxMessage.id == message.id, OutboxMessage.state == St.QUEUED)
                .execute())
        if not done:
            return None
    return OutboxMessage.get_by_id(message.id)


def _domain(message: OutboxMessage) -> str:
    sender = settings.get(settings.MAIL_FROM)
    return sender.rpartition("@")[2] or "medspa.invalid"


def _stale_reminder(message: OutboxMessage, now: dt.datetime) -> str:
    """Why a reminder should no longer go out ("" when it should)."""
    if message.kind != MessageKind.REMINDER or message.appointment_id is None:
        return ""
    from ...store.models import Appointment
    from ..platform.vocabulary import NOT_ARRIVED_STATUSES

    appt = Appointment.get_or_none(Appointment.id == message.appointment_id)
    if appt is None or appt.status not in NOT_ARRIVED_STATUSES:
        return "the appointment is no longer booked"
    if appt.start <= now:
        return "the appointment has already started"
    return ""


def _finish(message: OutboxMessage, now: dt.datetime, *, state: str, error: str = "",
            retry_at: dt.datetime | None = None, action: str | None = None,
            summary: str = "") -> None:
    with db.atomic():
        OutboxMessage.update(
            state=state, last_error=error[:2000], next_try_at=retry_at,
            sent_at=now if state == St.SENT else None, version=OutboxMessage.version + 1,
        ).where(OutboxMessage.id == message.id, OutboxMessage.state == St.SENDING).execute()
        if action:
            audit.record(None, action, "message", message.id, summary[:1000])
        changes.note("outbox", message.id)


def send_one(message: OutboxMessage, transports: Transports, now: dt.datetime,
             clinic_name: str) -> str:
    """Send a claimed message and record what happened; the state it ended in."""
    stale = _stale_reminder(message, now)
    if stale:
        _finish(message, now, state=St.WITHDRAWN, error=f"Not sent: {stale}.",
                action="message.withdraw", summary=f"not sent: {stale}")
        return St.WITHDRAWN
    try:
        if message.channel == MessageChannel.EMAIL:
            answer = transports.email.send(message, clinic_name)
        else:
            answer = transports.sms.send(message.to_address, message.body)
    except TryLater as exc:
        minutes = min(MAX_BACKOFF_MINUTES, 2 ** max(0, message.attempts - 1))
        _finish(message, now, state=St.QUEUED, error=str(exc),
                retry_at=now + dt.timedelta(minutes=minutes))
        return St.QUEUED
    except (Refused, MaybeSent) as exc:
        _finish(message, now, state=St.FAILED, error=str(exc), action="message.fail",
                summary=str(exc))
        return St.FAILED
    _finish(message, now, state=St.SENT, error=answer, action="message.send",
            summary=f"{MessageKind.label_of(message.kind)} to {message.to_address}: {answer}")
    return St.SENT


def send_due(now: dt.datetime | None = None, *, transports: Transports | None = None,
             limit: int = 50) -> Round:
    """One round of the timed work: reconcile what was cut short, then (outside quiet hours)
    send up to ``limit`` messages that are due."""
    now = now or dt.datetime.now()
    result = Round()
    result.unsure = reconcile(now)
    chosen = message_settings()
    if in_quiet_hours(now, chosen.quiet_from, chosen.quiet_until):
        result.quiet = True
        return result
    transports = transports or configured_transports(chosen)
    clinic_name = settings.get(settings.CLINIC_NAME)
    for _ in range(limit):
        message = claim(now, transports.channels())
        if message is None:
            break
        state = send_one(message, transports, now, clinic_name)
        if state == St.SENT:
            result.sent += 1
        elif state == St.FAILED:
            result.failed += 1
        elif state == St.QUEUED:
            result.waiting += 1
            result.errors.append(OutboxMessage.get_by_id(message.id).last_error)
            break  # the server is not answering: the others wait for the next round too
    return result


def send_test_email(actor: User, to_address: str, *, chosen: MailSettings | None = None,
                    password: str | None = None, transports: Transports | None = None) -> str:
    """Send a test email now (quiet hours or not), through the outbox like any message; the
    server's answer in words. Refused with the reason when it could not be sent. ``chosen``
    (and ``password``): the mail settings as typed, not yet saved; by default the saved
    ones."""
    require(actor, "messages.setup")
    if transports is None and chosen is not None:
        if not (chosen.host.strip() and chosen.from_address.strip()):
            raise ValidationError("Enter the mail server and the from-address first.")
        settings.check({settings.MAIL_PORT: chosen.port, settings.MAIL_FROM:
                        chosen.from_address.strip(), settings.MAIL_SECURITY: chosen.security})
        secret = password or (stored_secret("mail", chosen.user, chosen.host)
                              if chosen.user else None)
        transports = Transports(email=SmtpTransport(chosen, secret))
    transports = transports or configured_transports()
    if transports.email is None:
        raise ValidationError("Enter the mail server and the from-address first, and save.")
    clinic_name = settings.get(settings.CLINIC_NAME)
    message_id = outbox.queue(
        actor, to_address=to_address, kind=MessageKind.TEST, subject="Test from MedSpa Desktop",
        body=f"This is a test email from {clinic_name or 'the clinic'}'s MedSpa Desktop. "
             "If you can read it, messages to patients will go out.").id
    now = dt.datetime.now()
    message = claim(now, [MessageChannel.EMAIL], only_id=message_id)
    state = send_one(message, transports, now, clinic_name)
    row = OutboxMessage.get_by_id(message_id)
    if state == St.SENT:
        return f"The mail server accepted the test email for {row.to_address}: {row.last_error}"
    if state == St.QUEUED:  # a test is not left waiting for a later round
        outbox.withdraw_quietly(actor, [message_id], "test not sent")
    raise DomainError(row.last_error)
