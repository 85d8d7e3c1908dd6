"""The clinic itself: its details (letterhead, tax id) and the first-run set-up."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...store.database import db
from ...store.models import User
from ..billing import invoices
from ..charts.patients import normalise_phone
from ..consents import consent_policy
from ..platform import audit, auth, backup, settings
from ..platform.errors import DomainError, ValidationError
from ..platform.permissions import require
from ..platform.settings import (
    CLINIC_ADDRESS,
    CLINIC_NAME,
    CLINIC_PHONE,
    CLINIC_TAX_ID,
    PAPER_SIZE,
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


def validate_clinic(info: ClinicInfo) -> ClinicInfo:
    name = clean_line(info.name)
    if not name:
        raise ValidationError("Enter the clinic's name.")
    if len(name) > 120:
        raise ValidationError("The clinic's name must be at most 120 characters.")
    address = clean_block(info.address)
    if len(address) > 500:
        raise ValidationError("The clinic's address must be at most 500 characters.")
    tax_id = clean_line(info.tax_id)
    if tax_id and not re.fullmatch(r"[A-Za-z0-9 ./-]{2,30}", tax_id):
        raise ValidationError("The tax id may hold letters, digits, spaces and . / - (2–30).")
    return ClinicInfo(name, address, normalise_phone(info.phone, "clinic's phone number"), tax_id)


_INFO = (CLINIC_NAME, CLINIC_ADDRESS, CLINIC_PHONE, CLINIC_TAX_ID)


def clinic_info() -> ClinicInfo:
    return ClinicInfo(*settings.get_many(*_INFO))


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
                  toxin_interval_days: int | None = None) -> None:
    """The clinic-settings screen's save: all of it, or (on any bad value) none of it.
    ``review_days`` (intake answers' review period) and ``toxin_interval_days`` (neurotoxin
    re-treatment interval) left None keep the clinic's current values."""
    with db.atomic():
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


def is_set_up() -> bool:
    return User.select().exists()


def _save_info(info: ClinicInfo) -> None:
    settings.put(dict(zip(_INFO, (info.name, info.address, info.phone, info.tax_id),
                          strict=True)))


def create_clinic(
    info: ClinicInfo, admin: auth.UserInput, *, default_catalog: bool = True
) -> User:
    """First run: the clinic's details and its first admin, in one transaction.

    Refused once the database has any staff account. Returns the admin, signed in.
    """
    info = validate_clinic(info)
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
    return user
