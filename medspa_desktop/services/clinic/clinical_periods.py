"""Two clinical periods a clinic sets for itself (docs/domain.md):

- ``intake.review_days`` (default 180): intake answers that change fast (pregnancy,
  medications, tanning) older than this on the day of a treatment are flagged for
  re-confirmation;
- ``toxin.interval_days`` (default 90): a neurotoxin sooner than this after the patient's last
  one needs a reason (the rule itself lives with the treatment records).

This module reads and writes only clinic settings, so any service may import it."""

from __future__ import annotations

from ...store.database import db
from ...store.models import User
from ..platform import audit, settings
from ..platform.permissions import require
from ..platform.settings import INTAKE_REVIEW_DAYS, TOXIN_INTERVAL_DAYS


def intake_review_days() -> int:
    """Days an intake answer stays fresh before a treatment (the clinic's review period)."""
    return settings.get(INTAKE_REVIEW_DAYS)


def toxin_interval_days() -> int:
    """Days between two neurotoxin treatments below which a reason is asked for."""
    return settings.get(TOXIN_INTERVAL_DAYS)


def describe_days(days: int) -> str:
    """180 -> "6 months", 365 -> "1 year", 45 -> "45 days": how a period is said to staff."""
    if days % 365 == 0:
        years = days // 365
        return f"{years} year{'s' if years != 1 else ''}"
    if days % 30 == 0:
        months = days // 30
        return f"{months} month{'s' if months != 1 else ''}"
    return f"{days} day{'s' if days != 1 else ''}"


def set_periods(actor: User, review_days: int, toxin_days: int) -> None:
    """Both periods, checked; the ones that changed are saved and audited together."""
    require(actor, "catalog.write")
    settings.check({INTAKE_REVIEW_DAYS: review_days, TOXIN_INTERVAL_DAYS: toxin_days})
    updated = [(setting, value, text) for setting, value, text in (
        (INTAKE_REVIEW_DAYS, review_days, f"intake answers reviewed after {review_days} days"),
        (TOXIN_INTERVAL_DAYS, toxin_days, f"neurotoxin re-treatment interval {toxin_days} days"),
    ) if value != settings.get(setting)]
    if not updated:
        return
    with db.atomic():
        settings.put({setting: value for setting, value, _text in updated})
        audit.record(actor, "settings.clinical_periods", "clinic", "",
                     "; ".join(text for _setting, _value, text in updated))
