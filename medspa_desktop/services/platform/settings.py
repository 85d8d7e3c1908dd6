"""Every clinic setting, declared once: its key in the ``ClinicSetting`` table, its type, its
default and the values it accepts (with the sentence that refuses the others). Services read a
setting with :func:`get` and write one with :func:`put`; nothing else touches the table.

A stored value the declaration does not accept (written by hand, say) reads as the default.
``put`` checks the value and upserts it, nothing more: the caller checks the permission and
writes the audit event in its own transaction, as for any other change.

Choices that are not a value of their own (a backup folder must exist and take a file; opening
hours must parse) are checked by the service that owns them before it puts the value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from peewee import JOIN

from ...store.models import CATEGORIES, ClinicSetting, StoredFile
from . import changes, stale
from .errors import ValidationError

T = TypeVar("T", int, str, bool)


@dataclass(frozen=True)
class Setting(Generic[T]):
    key: str
    type: type[T]
    default: T
    accepts: Callable[[T], bool] = field(default=lambda _value: True, compare=False)
    refusal: str = ""  # said when ``put`` is given a value ``accepts`` refuses

    def check(self, value: T) -> T:
        """``value`` if this setting accepts it; otherwise ValidationError(refusal)."""
        if self.type is bool:
            return bool(value)
        if not isinstance(value, self.type) or not self.accepts(value):
            raise ValidationError(self.refusal)
        return value

    def parse(self, text: str | None) -> T:
        """The stored text as a value; the default when there is none or it is not accepted."""
        if text is None:
            return self.default
        if self.type is bool:
            value: Any = {"yes": True, "no": False}.get(text.strip())
        elif self.type is int:
            value = int(text.strip()) if text.strip().isdigit() else None
        else:
            value = text
        if value is None or not self.accepts(value):
            return self.default
        return value

    def dump(self, value: T) -> str:
        if self.type is bool:
            return "yes" if value else "no"
        return str(value)


@dataclass(frozen=True)
class IntRange(Setting[int]):
    """A whole number from ``low`` to ``high``; ``{low}`` and ``{high}`` in the refusal name
    them."""

    low: int = 0
    high: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "accepts", lambda value: self.low <= value <= self.high)
        object.__setattr__(self, "refusal", self.refusal.format(low=self.low, high=self.high))

    @property
    def bounds(self) -> tuple[int, int]:
        return self.low, self.high


def _text(key: str, default: str = "") -> Setting[str]:
    return Setting(key, str, default)


# -- the clinic --------------------------------------------------------------------------------
CLINIC_NAME = _text("clinic.name")
CLINIC_ADDRESS = _text("clinic.address")
CLINIC_PHONE = _text("clinic.phone")
CLINIC_TAX_ID = _text("clinic.tax_id")
CLINIC_EMAIL = _text("clinic.email")
CLINIC_WEBSITE = _text("clinic.website")
CLINIC_TIME_ZONE = _text("clinic.time_zone")  # an IANA name; "" = the PC's own
CURRENCY_SYMBOL = Setting("money.currency_symbol", str, "$",
                          lambda symbol: 1 <= len(symbol) <= 4 and not any(
                              c.isdigit() or c.isspace() or c in ".,-%" for c in symbol),
                          "The currency symbol is 1 to 4 characters: no digits, spaces or "
                          ". , - %.")
CLINIC_LOGO = _text("clinic.logo")  # the SHA-256 of its stored image; "" = none
PAPER_SIZES = ("letter", "a4")
PAPER_SIZE = Setting("paper.size", str, "letter", lambda size: size in PAPER_SIZES,
                     "Choose Letter or A4 paper.")

# -- the schedule ------------------------------------------------------------------------------
DEFAULT_HOURS = ("09:00-18:00", "09:00-18:00", "09:00-18:00", "09:00-19:00", "09:00-18:00",
                 "09:00-14:00", "closed")
# Monday (0) … Sunday (6): "09:00-18:00" or "closed" (scheduling.hours parses them)
OPENING_HOURS = tuple(_text(f"hours.{day}", text) for day, text in enumerate(DEFAULT_HOURS))
SLOT_CHOICES = (5, 10, 15)
SLOT_MINUTES = Setting("schedule.slot_minutes", int, 15, lambda minutes: minutes in SLOT_CHOICES,
                       "The schedule grid is 5, 10 or 15 minutes.")
LATE_CANCEL_HOURS = IntRange("policy.late_cancel_hours", int, 24, low=0, high=168,
                             refusal="The late-cancel window is between {low} and {high} hours.")

# -- before a treatment ------------------------------------------------------------------------
# intake answers that change fast (pregnancy, medications, tanning) older than this on the
# day of a treatment are flagged for re-confirmation
INTAKE_REVIEW_DAYS = IntRange("intake.review_days", int, 180, low=7, high=730,
                              refusal="Intake answers are reviewed after {low} to {high} days.")
# a neurotoxin sooner than this after the patient's last one needs a reason
TOXIN_INTERVAL_DAYS = IntRange(
    "toxin.interval_days", int, 90, low=1, high=365,
    refusal="The neurotoxin re-treatment interval is {low} to {high} days.")
CONSENT_VALID_MONTHS = IntRange("consent.valid_months", int, 12, low=1, high=120,
                                refusal="A consent stays valid between {low} and {high} months.")
CONSENT_CURRENT_VERSION_ONLY = Setting("consent.current_version_only", bool, True)

# -- money -------------------------------------------------------------------------------------
TAX_REFUSAL = "A tax rate must be between 0 % and 25 %."
# basis points: 725 = 7.25 %
TAX_SERVICES_BP = IntRange("tax.services_bp", int, 0, refusal=TAX_REFUSAL, low=0, high=2500)
TAX_RETAIL_BP = IntRange("tax.retail_bp", int, 0, refusal=TAX_REFUSAL, low=0, high=2500)
# staff commission, basis points of net sales per category (services/reports/staff_pay.py):
# each service category, "retail" for products sold, "package" for prepaid packages
COMMISSION_KEYS = (*CATEGORIES, "package", "other")
COMMISSION_BP = tuple(IntRange(f"commission.{key}_bp", int, 0, low=0, high=10000,
                               refusal="A commission is between 0 % and 100 % of net sales.")
                      for key in COMMISSION_KEYS)

# -- security and backups ----------------------------------------------------------------------
LOCK_MINUTES = IntRange("security.lock_minutes", int, 10, low=1, high=120,
                        refusal="The screen lock must come after {low} to {high} idle minutes.")
BACKUP_FOLDER = _text("backup.folder")  # "" = backups/ beside the database
# what the last good backup left (written by the backup itself, not on the settings screen)
BACKUP_LAST_OK = _text("backup.last_ok")  # ISO date and time; "" = never
BACKUP_LAST_PATH = _text("backup.last_path")
BACKUP_AUDIT_ID = Setting("backup.audit_id", int, 0)  # the newest audit event it holds
# in a clinic file left behind by a move to a server: "server address|ISO date and time"
MOVED_TO_SERVER = _text("clinic.moved_to_server")

# -- messages to patients (services/messaging) -------------------------------------------------
def _is_clock(text: str) -> bool:
    """ "08:00": a time of day, hours and minutes."""
    hours, _, minutes = text.partition(":")
    return (len(hours) == 2 and len(minutes) == 2 and hours.isdigit() and minutes.isdigit()
            and int(hours) < 24 and int(minutes) < 60)


MAIL_SECURITIES = ("starttls", "ssl", "none")
MAIL_HOST = _text("mail.host")  # "" = no mail server: messages wait in the outbox
MAIL_PORT = IntRange("mail.port", int, 587, low=1, high=65535,
                     refusal="A mail server's port is a number from {low} to {high}.")
MAIL_SECURITY = Setting("mail.security", str, "starttls", lambda v: v in MAIL_SECURITIES,
                        "Choose STARTTLS, SSL or none for the mail server.")
MAIL_USER = _text("mail.user")  # its password is in the OS credential store, never here
MAIL_FROM = Setting("mail.from", str, "", lambda v: v == "" or ("@" in v and " " not in v),
                    "The from-address must be an email address.")
QUIET_FROM = Setting("messages.quiet_from", str, "20:00", _is_clock,
                     "Quiet hours are times of day such as 20:00.")
QUIET_UNTIL = Setting("messages.quiet_until", str, "08:00", _is_clock,
                      "Quiet hours are times of day such as 08:00.")
SMS_PROVIDERS = ("", "twilio")  # "": no text messages
SMS_PROVIDER = Setting("sms.provider", str, "", lambda v: v in SMS_PROVIDERS,
                       "Choose no text messages, or Twilio.")
SMS_ACCOUNT = _text("sms.account")  # its token is in the OS credential store
SMS_FROM = _text("sms.from")
SMS_API_URL = Setting("sms.api_url", str, "https://api.twilio.com",
                      lambda v: v.startswith(("https://", "http://127.0.0.1", "http://localhost")),
                      "The text-message service's address must start with https://.")
REMINDER_DAYS_BEFORE = IntRange("reminders.days_before", int, 2, low=0, high=14,
                                refusal="A reminder goes {low} to {high} days before "
                                        "(0: none).")
REMINDER_MORNING_OF = Setting("reminders.morning_of", bool, True)
REMINDER_AT = Setting("reminders.at", str, "08:00", _is_clock,
                      "Reminders go out at a time of day such as 08:00.")
# per service category: days before, "" = the clinic's REMINDER_DAYS_BEFORE
REMINDER_DAYS_BY_CATEGORY = tuple(
    Setting(f"reminders.days.{category}", str, "",
            lambda v: v == "" or (v.isdigit() and int(v) <= 14),
            "A reminder goes 0 to 14 days before, or leave it empty for the clinic's default.")
    for category in CATEGORIES)
REMINDER_SUBJECT = _text("reminders.subject",
                         "Your appointment at {clinic_name} on {date} at {time}")
REMINDER_BODY = _text(
    "reminders.body",
    "Hello {first_name},\n\nThis is a reminder of your {service} appointment with {provider} on "
    "{date} at {time}.\n\n{preparation}\n\n{clinic_name}\n{clinic_address}\n"
    "To change or cancel, please call us on {clinic_phone}.")
REMINDER_SMS = _text("reminders.sms",
                     "{clinic_name}: reminder of your {service} on {date} at {time}. "
                     "To change, call {clinic_phone}.")


def get(setting: Setting[T]) -> T:
    row = ClinicSetting.get_or_none(ClinicSetting.key == setting.key)
    return setting.parse(row.value if row is not None else None)


def get_many(*settings: Setting) -> tuple:
    """Several settings in one query, in the order asked."""
    return parse_many(settings, many_query(*settings))


def many_query(*settings: Setting):
    """The query ``get_many`` runs: to send with others (``store.database.fetch_together``),
    its rows then given to ``parse_many``."""
    return (ClinicSetting.select(ClinicSetting.key, ClinicSetting.value)
            .where(ClinicSetting.key.in_([s.key for s in settings])).tuples())


def parse_many(settings: tuple[Setting, ...], rows) -> tuple:
    """The values of ``settings`` from ``many_query``'s rows, in the order asked."""
    stored = dict(rows)
    return tuple(s.parse(stored.get(s.key)) for s in settings)


def get_many_with_file(file_setting: Setting[str], *settings: Setting
                       ) -> tuple[tuple, bytes | None]:
    """Several settings and the stored file ``file_setting`` names by its SHA-256 (the
    clinic's logo), in one query: the settings in the order asked (``file_setting``'s value
    among them if asked), and the file's content as stored (None: no such setting or file;
    the caller checks the hash)."""
    keys = {s.key for s in settings} | {file_setting.key}
    stored: dict[str, str] = {}
    content = None
    for key, value, data in (
            ClinicSetting.select(ClinicSetting.key, ClinicSetting.value, StoredFile.content)
            .join(StoredFile, JOIN.LEFT_OUTER,
                  on=((ClinicSetting.key == file_setting.key)
                      & (StoredFile.sha256 == ClinicSetting.value)))
            .where(ClinicSetting.key.in_(sorted(keys))).tuples()):
        stored[key] = value
        if key == file_setting.key and data is not None:
            content = bytes(data)
    return tuple(s.parse(stored.get(s.key)) for s in settings), content


def check(values: dict[Setting, Any]) -> None:
    """Refuse the first value its setting does not accept (in the order given)."""
    for setting, value in values.items():
        setting.check(value)


def put(values: dict[Setting, Any]) -> None:
    """Check every value first, then store them all (inside the caller's transaction); a
    key whose value changes gets its next version. The change bus hears "settings" when it
    commits."""
    checked = {setting: setting.check(value) for setting, value in values.items()}
    for setting, value in checked.items():
        text = setting.dump(value)
        ClinicSetting.insert(key=setting.key, value=text).on_conflict(
            conflict_target=[ClinicSetting.key],
            update={ClinicSetting.value: text, ClinicSetting.version: ClinicSetting.version + 1},
            where=(ClinicSetting.value != text)).execute()
    if checked:
        changes.note("settings")


# -- a form's save over settings another PC may have saved meanwhile ---------------------------
# Each key has its own version, so two PCs changing different settings both save; a form keeps
# what it loaded (``seen``) and its save (``merge_seen``) writes only what its user changed.
Seen = dict[str, tuple[int, str]]  # key: (version, stored text); (0, "") when never stored

# which audited change writes a key (by its first part), to say who changed it
_AUDITED_BY = {"clinic": ("clinic.details",), "money": ("clinic.details",),
               "paper": ("settings.paper", "clinic.details"),
               "hours": ("settings.hours",), "schedule": ("settings.schedule",),
               "policy": ("settings.schedule",), "intake": ("settings.clinical_periods",),
               "toxin": ("settings.clinical_periods",), "consent": ("settings.consent",),
               "tax": ("settings.tax",), "commission": ("settings.commission",),
               "security": ("settings.lock",), "backup": ("backup.folder",),
               "mail": ("settings.messages",), "sms": ("settings.messages",),
               "messages": ("settings.messages",), "reminders": ("settings.messages",)}


def seen(*settings: Setting) -> Seen:
    """The version and stored text of each setting as read now (one query): what a form
    keeps from when it loaded, for ``merge_seen`` at its save. A key never stored is version
    0 with no text."""
    stored = {key: (version, value) for key, value, version in
              ClinicSetting.select(ClinicSetting.key, ClinicSetting.value,
                                   ClinicSetting.version)
              .where(ClinicSetting.key.in_([s.key for s in settings])).tuples()}
    return {s.key: stored.get(s.key, (0, "")) for s in settings}


SHOWN_AGAIN = " since you opened them; nothing was saved. What is stored now is shown."


def merge_seen(values: dict[Setting, Any], seen_then: Seen | None,
               what: str, then: str = SHOWN_AGAIN) -> dict[Setting, Any]:
    """A form's values to save, given what it loaded (``seen_then``; None: no check): a
    value its user left as loaded becomes the value stored now (another PC's change to it
    stays); a value its user changed is refused as stale when another PC changed that same
    setting since — naming who — and nothing is written (call it before any write, inside
    the save's transaction). ``what`` names the form ("the clinic settings"); ``then`` ends
    the refusal's sentence (a form that does not reload says how to see what is stored)."""
    if seen_then is None:
        return dict(values)
    now = seen(*values)
    merged: dict[Setting, Any] = {}
    clashes: list[Setting] = []
    for setting, value in values.items():
        version, text = seen_then.get(setting.key, now[setting.key])
        loaded = setting.parse(text if version else None)
        stored_version, stored_text = now[setting.key]
        stored = setting.parse(stored_text if stored_version else None)
        if value == loaded:
            merged[setting] = stored
        elif (stored_version != version and stored != value
              and not (version == 0 and stored == loaded)):  # a first store of the default
            clashes.append(setting)
        else:
            merged[setting] = value
    if clashes:
        actions = sorted({a for s in clashes for a in _AUDITED_BY.get(s.key.split(".")[0], ())})
        stale.refuse(stale.last_change("clinic", "", actions or None), what, then)
    return merged


def declared() -> list[Setting]:
    """Every setting this module declares, in order."""
    out: list[Setting] = []
    for value in globals().values():
        if isinstance(value, Setting):
            out.append(value)
        elif isinstance(value, tuple) and value and isinstance(value[0], Setting):
            out.extend(value)
    return out
