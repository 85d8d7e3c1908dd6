"""The consent policy: how long a signed consent stays valid and whether it must be on the
current form version (clinic settings), which consent is valid for a treatment, and the guard
as a treatment starts — refused without a valid consent unless a provider overrides with a
reason, which is kept and audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ...store.database import db
from ...store.models import (
    Appointment,
    Consent,
    ConsentOverride,
    ConsentTemplate,
    Service,
    User,
)
from ..charts.patients import chart_ids
from ..platform import audit, changes, settings
from ..platform.errors import NeedsAnswer, PermissionDenied
from ..platform.permissions import allowed, require
from ..platform.settings import CONSENT_CURRENT_VERSION_ONLY, CONSENT_VALID_MONTHS
from ..platform.text import clean_line
from . import consent_templates
from .consent_templates import KINDS, NO_CONSENT


@dataclass(frozen=True)
class Policy:
    valid_months: int = CONSENT_VALID_MONTHS.default
    current_version_only: bool = CONSENT_CURRENT_VERSION_ONLY.default


def policy() -> Policy:
    return Policy(*settings.get_many(CONSENT_VALID_MONTHS, CONSENT_CURRENT_VERSION_ONLY))


def set_policy(actor: User, valid_months: int, current_version_only: bool) -> None:
    require(actor, "catalog.write")
    settings.check({CONSENT_VALID_MONTHS: valid_months})
    with db.atomic():
        settings.put({CONSENT_VALID_MONTHS: valid_months,
                      CONSENT_CURRENT_VERSION_ONLY: current_version_only})
        audit.record(actor, "settings.consent", "clinic", "",
                     f"valid {valid_months} months; current version only: "
                     f"{current_version_only}")


def _months_before(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    for candidate in range(day.day, 0, -1):  # 31 March less a month is 28/29 February
        try:
            return dt.date(year, month, candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable")


class ConsentRequired(NeedsAnswer):
    """No valid signed consent for the treatment: sign one, or a provider overrides with a
    reason (the answer)."""

    key = "consent.missing"
    title = "Start without a valid consent"
    prompt = "Why may the treatment go ahead?"


def _newest(patient_id: int, category: str) -> Consent | None:
    return (Consent.select(Consent, ConsentTemplate).join(ConsentTemplate)
            .where(Consent.patient.in_(chart_ids(patient_id)), Consent.category == category)
            .order_by(Consent.signed_at.desc()).first())


def valid_consent(actor: User, patient_id: int, category: str,
                  on: dt.datetime) -> Consent | None:
    """The consent that makes ``category`` valid on ``on``, or None."""
    problem, newest = _judge(actor, patient_id, category, on)
    return None if problem else newest


def missing_consent(actor: User, patient_id: int, category: str,
                    on: dt.datetime) -> str:
    """Why the patient's consent for ``category`` is not valid on ``on`` ("" when it is)."""
    return _judge(actor, patient_id, category, on)[0]


def _judge(actor: User, patient_id: int, category: str,
           on: dt.datetime) -> tuple[str, Consent | None]:
    """(why the newest consent does not count, "" when it does; that consent)."""
    if category not in KINDS:
        return "", None
    rules = policy()
    template = consent_templates.current(actor, category)
    since = dt.datetime.combine(_months_before(on.date(), rules.valid_months), dt.time())
    newest = _newest(patient_id, category)
    label = KINDS[category].lower()
    if newest is None:
        return f"There is no signed {label} consent on file.", None
    if newest.signed_at < since:
        return (f"The {label} consent was signed on {newest.signed_at:%Y-%m-%d}, more than "
                f"{rules.valid_months} months ago."), newest
    if rules.current_version_only and newest.template_id != template.id:
        return (f"The {label} consent on file is version {newest.template.version}; the form "
                f"is now version {template.version}."), newest
    return "", newest


def category_for(service: Service) -> str | None:
    """The consent a service needs before treatment, or None: the one chosen for it in the
    clinic's setup, else its own category's (none for retail)."""
    return category_of(service.consent_category, service.category)


def category_of(consent_category: str, service_category: str) -> str | None:
    chosen = consent_category or service_category
    return chosen if chosen != NO_CONSENT and chosen in KINDS else None


def check_before_treatment(actor: User, appt: Appointment, override: str,
                           now: dt.datetime) -> None:
    """Called as a treatment starts: refuse without a valid consent unless a provider
    overrides with a reason, which is kept and audited."""
    category = category_for(appt.service)
    if category is None:
        return
    problem = missing_consent(actor, appt.patient_id, category, now)
    if not problem:
        return
    override = clean_line(override)
    if not override:
        raise ConsentRequired(f"{problem} Sign the consent now, or a provider may go ahead "
                              "with a reason.")
    if not allowed(actor, "consent.override"):
        raise PermissionDenied("Only a provider can start a treatment without a valid "
                               "consent.")
    ConsentOverride.create(appointment=appt.id, category=category, reason=override[:500],
                           user=actor, at=dt.datetime.now())
    audit.record(actor, "consent.override", "appointment", appt.id,
                 f"{problem} Reason: {override}"[:1000])
    changes.note("appointment", appt.id)
