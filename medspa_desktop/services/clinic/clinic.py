"""The clinic itself: its details (letterhead, tax id) and the first-run set-up."""

from __future__ import annotations

import functools
import hashlib
import os
import re
import zoneinfo
from dataclasses import dataclass
from pathlib import Path

from ...store.database import db
from ...store.models import StoredFile, User
from ..billing import invoices, money
from ..charts.patients import normalise_phone
from ..consents import consent_policy
from ..platform import audit, auth, backup, limits, settings, stored_files
from ..platform.errors import DomainError, ValidationError
from ..platform.permissions import require
from ..platform.settings import (
    BACKUP_FOLDER,
    CLINIC_ADDRESS,
    CLINIC_EMAIL,
    CLINIC_LOGO,
    CLINIC_NAME,
    CLINIC_PHONE,
    CLINIC_TAX_ID,
    CLINIC_TIME_ZONE,
    CLINIC_WEBSITE,
    CONSENT_CURRENT_VERSION_ONLY,
    CONSENT_VALID_MONTHS,
    CURRENCY_SYMBOL,
    INTAKE_REVIEW_DAYS,
    LATE_CANCEL_HOURS,
    LOCK_MINUTES,
    OPENING_HOURS,
    PAPER_SIZE,
    SLOT_MINUTES,
    TAX_RETAIL_BP,
    TAX_SERVICES_BP,
    TOXIN_INTERVAL_DAYS,
)
from ..platform.text import clean_block, clean_line
from ..platform.vocabulary import Role
from ..scheduling import hours
from . import catalog, clinical_periods

DEFAULT_ROOMS = ("Room 1", "Room 2", "Room 3")


@dataclass
class ClinicInfo:
    name: str
    address: str = ""
    phone: str = ""
    tax_id: str = ""
    email: str = ""
    website: str = ""
    time_zone: str = ""  # an IANA name ("America/New_York"); "" = the PC's own
    currency: str = "$"


MAX_LOGO_BYTES = 2 * 1024 * 1024
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_WEBSITE = re.compile(r"(https?://)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(/\S*)?")


@functools.cache
def _installed_zones() -> frozenset[str]:
    """The time zones this PC knows: read from disk once (a walk of the tz database, several
    milliseconds, that every email reminder's invitation paid while the clinic's zone is the
    PC's)."""
    return frozenset(zoneinfo.available_timezones())


def pc_time_zone() -> str:
    """This PC's IANA time zone name, or "UTC" when it cannot be told."""
    name = os.environ.get("TZ", "").lstrip(":")
    if name in _installed_zones():
        return name
    for source in (Path("/etc/timezone"),):
        try:
            text = source.read_text().strip()
        except OSError:
            continue
        if text in _installed_zones():
            return text
    try:
        target = str(Path("/etc/localtime").resolve())
    except OSError:
        target = ""
    if "zoneinfo/" in target:
        candidate = target.split("zoneinfo/", 1)[1]
        if candidate in _installed_zones():
            return candidate
    return "UTC"


def validate_clinic(info: ClinicInfo) -> ClinicInfo:
    name = clean_line(info.name)
    if not name:
        raise ValidationError("Enter the clinic's name.")
    if len(name) > limits.CLINIC_NAME:
        raise ValidationError(f"The clinic's name must be at most {limits.CLINIC_NAME} "
                              "characters.")
    address = clean_block(info.address)
    if len(address) > limits.ADDRESS:
        raise ValidationError(f"The clinic's address must be at most {limits.ADDRESS} "
                              "characters.")
    tax_id = clean_line(info.tax_id)
    if tax_id and not re.fullmatch(r"[A-Za-z0-9 ./-]{2,30}", tax_id):
        raise ValidationError("The tax id may hold letters, digits, spaces and . / - (2–30).")
    email = clean_line(info.email)
    if email and (len(email) > limits.EMAIL or not _EMAIL.fullmatch(email)):
        raise ValidationError("Enter the clinic's email as name@example.com.")
    website = clean_line(info.website)
    if website and (len(website) > limits.WEBSITE or not _WEBSITE.fullmatch(website)):
        raise ValidationError("Enter the clinic's website as www.example.com.")
    time_zone = clean_line(info.time_zone)
    if time_zone and time_zone not in _installed_zones():
        raise ValidationError(f"'{time_zone}' is not a time zone; choose one from the list "
                              "(e.g. America/New_York).")
    currency = clean_line(info.currency) or "$"
    CURRENCY_SYMBOL.check(currency)
    return ClinicInfo(name, address, normalise_phone(info.phone, "clinic's phone number"), tax_id,
                      email, website, time_zone, currency)


_INFO = (CLINIC_NAME, CLINIC_ADDRESS, CLINIC_PHONE, CLINIC_TAX_ID, CLINIC_EMAIL,
         CLINIC_WEBSITE, CLINIC_TIME_ZONE, CURRENCY_SYMBOL)


def clinic_info() -> ClinicInfo:
    return ClinicInfo(*settings.get_many(*_INFO))


@dataclass(frozen=True)
class PrintDetails:
    """What every printout's page needs of the clinic: its details (the letterhead), its
    logo and its paper."""

    info: ClinicInfo
    logo: bytes | None
    paper: str


def print_details() -> PrintDetails:
    """The clinic's details, logo and paper size read together (one query: on a clinic's
    server a setting read per key is a round trip each), with the currency symbol the
    amounts are shown with put in effect (as ``apply_preferences``)."""
    values, content = settings.get_many_with_file(CLINIC_LOGO, *_INFO, CLINIC_LOGO,
                                                   PAPER_SIZE)
    *info, sha, paper = values
    details = PrintDetails(ClinicInfo(*info), _checked_logo(sha, content), paper)
    money.use_currency_symbol(details.info.currency)
    return details


def time_zone() -> str:
    """The clinic's time zone: the one chosen in its setup, else the PC's."""
    return settings.get(CLINIC_TIME_ZONE) or pc_time_zone()


def apply_preferences() -> None:
    """Make the open database's choices that formatting needs without it (the currency
    symbol) take effect in this process: at start, and after they change."""
    money.use_currency_symbol(settings.get(CURRENCY_SYMBOL))


DETAILS_SETTINGS = (*_INFO, PAPER_SIZE)


def save_details(actor: User, info: ClinicInfo, paper: str | None = None, *,
                 seen: settings.Seen | None = None) -> ClinicInfo:
    """The clinic's details (and ``paper``, its paper size) from its setup window: all of
    them, or (on a bad value) none. With ``seen`` (``settings.seen(*DETAILS_SETTINGS)`` read
    when the page loaded) only what the user changed is saved — another PC's change to a
    detail left alone stays — and a detail another PC changed too is refused as stale."""
    require(actor, "catalog.write")
    info = validate_clinic(info)
    if paper is not None:
        settings.check({PAPER_SIZE: paper})
    with db.atomic():
        values = dict(zip(_INFO, (getattr(info, f) for f in ClinicInfo.__dataclass_fields__),
                          strict=True))
        if paper is not None:
            values[PAPER_SIZE] = paper
        merged = settings.merge_seen(values, seen, "the clinic's details")
        info = ClinicInfo(*(merged[s] for s in _INFO))
        paper = merged.get(PAPER_SIZE, paper)
        if paper is not None and paper != paper_size():
            set_paper_size(actor, paper)
        before = clinic_info()
        _save_info(info)
        changed = [f"{field}: {getattr(before, field)!r} -> {getattr(info, field)!r}"
                   for field in ClinicInfo.__dataclass_fields__
                   if getattr(before, field) != getattr(info, field)]
        if changed:
            audit.record(actor, "clinic.details", "clinic", "", "; ".join(changed)[:2000])
    apply_preferences()
    return info


def _image_type(data: bytes) -> str:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    raise ValidationError("The logo must be a PNG or JPEG picture.")


def set_logo(actor: User, data: bytes) -> str:
    """The clinic's logo (PNG or JPEG), kept in the database so every PC and every backup
    has it, drawn on every letterhead. Returns its SHA-256."""
    require(actor, "catalog.write")
    media_type = _image_type(data)
    if len(data) > MAX_LOGO_BYTES:
        raise ValidationError("The logo is too large (2 MB at most); save it smaller.")
    with db.atomic():
        sha = stored_files.keep(data, media_type)[0].sha256
        settings.put({CLINIC_LOGO: sha})
        audit.record(actor, "clinic.logo", "clinic", "", f"{media_type}, {len(data)} bytes, "
                     f"sha256 {sha}")
    return sha


def remove_logo(actor: User) -> None:
    """No logo on the letterhead any more (the image stays stored, as every stored file)."""
    require(actor, "catalog.write")
    with db.atomic():
        if not settings.get(CLINIC_LOGO):
            return
        settings.put({CLINIC_LOGO: ""})
        audit.record(actor, "clinic.logo", "clinic", "", "removed")


def logo() -> bytes | None:
    """The clinic's logo image, or None (none chosen, or its stored copy is damaged)."""
    sha = settings.get(CLINIC_LOGO)
    if not sha:
        return None
    row = StoredFile.get_or_none(StoredFile.sha256 == sha)
    return _checked_logo(sha, None if row is None else bytes(row.content))


def _checked_logo(sha: str, content: bytes | None) -> bytes | None:
    """``content`` when it is the logo named ``sha`` (not a damaged copy), else None."""
    if not sha or content is None:
        return None
    return content if hashlib.sha256(content).hexdigest() == sha else None


def paper_size() -> str:
    """The paper the clinic prints on: "letter" (default) or "a4"."""
    return settings.get(PAPER_SIZE)


def set_paper_size(actor: User, size: str) -> None:
    require(actor, "catalog.write")
    settings.check({PAPER_SIZE: size})
    with db.atomic():
        settings.put({PAPER_SIZE: size})
        audit.record(actor, "settings.paper", "clinic", "", size)


def save_settings(actor: User, opening_hours: dict[int, str], slot: int,
                  late_cancel_hours: int, paper: str,
                  consent_rules: consent_policy.Policy | None = None,
                  tax: invoices.TaxRates | None = None,
                  backup_folder: str | None = None, lock_minutes: int | None = None,
                  review_days: int | None = None,
                  toxin_interval_days: int | None = None, *,
                  seen: settings.Seen | None = None) -> None:
    """The clinic-settings screen's save: all of it, or (on any bad value) none of it.
    ``review_days`` (intake answers' review period) and ``toxin_interval_days`` (neurotoxin
    re-treatment interval) left None keep the clinic's current values. With ``seen``
    (``settings.seen(*SETTINGS_SCREEN)`` read when the screen opened) a value the user left
    as it was keeps what is stored now (another PC may have changed it), and a value the
    user changed that another PC changed too refuses the save as stale, naming who."""
    with db.atomic():
        if seen is not None:
            typed: dict[settings.Setting, object] = {
                OPENING_HOURS[day]: _hours_text(text) for day, text in opening_hours.items()}
            typed.update({SLOT_MINUTES: slot, LATE_CANCEL_HOURS: late_cancel_hours,
                          PAPER_SIZE: paper})
            if consent_rules is not None:
                typed.update({CONSENT_VALID_MONTHS: consent_rules.valid_months,
                              CONSENT_CURRENT_VERSION_ONLY: consent_rules.current_version_only})
            if tax is not None:
                typed.update({TAX_SERVICES_BP: tax.services_bp, TAX_RETAIL_BP: tax.retail_bp})
            for setting, value in ((BACKUP_FOLDER, backup_folder), (LOCK_MINUTES, lock_minutes),
                                   (INTAKE_REVIEW_DAYS, review_days),
                                   (TOXIN_INTERVAL_DAYS, toxin_interval_days)):
                if value is not None:
                    typed[setting] = value
            merged = settings.merge_seen(typed, seen, "the clinic settings")
            opening_hours = {day: merged[OPENING_HOURS[day]] for day in opening_hours}
            slot, late_cancel_hours = merged[SLOT_MINUTES], merged[LATE_CANCEL_HOURS]
            paper = merged[PAPER_SIZE]
            if consent_rules is not None:
                consent_rules = consent_policy.Policy(merged[CONSENT_VALID_MONTHS],
                                                      merged[CONSENT_CURRENT_VERSION_ONLY])
            if tax is not None:
                tax = invoices.TaxRates(merged[TAX_SERVICES_BP], merged[TAX_RETAIL_BP])
            backup_folder = merged.get(BACKUP_FOLDER, backup_folder)
            lock_minutes = merged.get(LOCK_MINUTES, lock_minutes)
            review_days = merged.get(INTAKE_REVIEW_DAYS, review_days)
            toxin_interval_days = merged.get(TOXIN_INTERVAL_DAYS, toxin_interval_days)
        if review_days is not None or toxin_interval_days is not None:
            clinical_periods.set_periods(
                actor, review_days if review_days is not None
                else clinical_periods.intake_review_days(),
                toxin_interval_days if toxin_interval_days is not None
                else clinical_periods.toxin_interval_days())
        if lock_minutes is not None and lock_minutes != auth.lock_minutes():
            auth.set_lock_minutes(actor, lock_minutes)
        if backup_folder is not None and backup_folder.strip() != str(backup.backup_folder()):
            backup.set_backup_folder(actor, backup_folder)
        if tax is not None and tax != invoices.tax_rates():
            invoices.set_tax_rates(actor, tax)
        hours.set_clinic_hours(actor, opening_hours)
        hours.set_schedule_settings(actor, slot=slot, late_cancel_hours=late_cancel_hours)
        set_paper_size(actor, paper)
        if consent_rules is not None:
            consent_policy.set_policy(actor, consent_rules.valid_months,
                                      consent_rules.current_version_only)


SETTINGS_SCREEN = (*OPENING_HOURS, SLOT_MINUTES, LATE_CANCEL_HOURS, PAPER_SIZE,
                   CONSENT_VALID_MONTHS, CONSENT_CURRENT_VERSION_ONLY, TAX_SERVICES_BP,
                   TAX_RETAIL_BP, BACKUP_FOLDER, LOCK_MINUTES, INTAKE_REVIEW_DAYS,
                   TOXIN_INTERVAL_DAYS)


def _hours_text(text: str) -> str:
    """Opening hours as the settings screen shows them ("09:00-18:00", "closed"); text that
    does not read as hours is kept for the hours service to refuse."""
    try:
        span = hours.parse_span(text)
    except DomainError:
        return text
    return "closed" if span is None else f"{span[0]:%H:%M}-{span[1]:%H:%M}"


def is_set_up() -> bool:
    return User.select().exists()


def _save_info(info: ClinicInfo) -> None:
    settings.put(dict(zip(_INFO, (info.name, info.address, info.phone, info.tax_id,
                                  info.email, info.website, info.time_zone, info.currency),
                          strict=True)))


def create_clinic(
    info: ClinicInfo, admin: auth.UserInput, *, default_catalog: bool = True
) -> User:
    """First run: the clinic's details and its first admin, in one transaction.

    Refused once the database has any staff account. Returns the admin, signed in.
    """
    info = validate_clinic(info)
    info.time_zone = info.time_zone or pc_time_zone()
    admin.role = Role.ADMIN
    with db.atomic():
        if is_set_up():
            raise DomainError("This database already belongs to a clinic.")
        user = auth.create_user(None, admin)
        _save_info(info)
        audit.record(user, "clinic.create", "clinic", "", info.name)
        if default_catalog:
            for name in DEFAULT_ROOMS:
                catalog.add_room(user, name)
            catalog.install_default_services(user)
    apply_preferences()
    return user
