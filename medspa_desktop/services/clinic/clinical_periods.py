"""Two clinical periods a clinic sets for itself (docs/domain.md):

- ``intake.review_days`` (default 180): intake answers that change fast (pregnancy,
  medications, tanning) older than this on the day of a treatment are flagged for
  re-confirmation;
- ``toxin.interval_days`` (default 90): a neurotoxin sooner than this after the patient's last
  one needs a reason (the rule itself lives with the treatment records).

This module reads and writes only ``ClinicSetting``, so any service may import it."""

from __future__ import annotations

from ...store.database import db
from ...store.models import ClinicSetting, User
from ..platform import audit
from ..platform.errors import ValidationError
from ..platform.permissions import require

REVIEW_KEY = "intake.review_days"
DEFAULT_REVIEW_DAYS = 180
REVIEW_RANGE = (7, 730)
TOXIN_INTERVAL_KEY = "toxin.interval_days"
DEFAULT_TOXIN_INTERVAL_DAYS = 90
TOXIN_INTERVAL_RANGE = (1, 365)


def _days(key: str, default: int, bounds: tuple[int, int]) -> int:
    row = ClinicSetting.get_or_none(ClinicSetting.key == key)
    value = row.value.strip() if row is not None else ""
    if value.isdigit() and bounds[0] <= int(value) <= bounds[1]:
        return int(value)
    return default


def intake_review_days() -> int:
    """Days an intake answer stays fresh before a treatment (the clinic's review period)."""
    return _days(REVIEW_KEY, DEFAULT_REVIEW_DAYS, REVIEW_RANGE)


def toxin_interval_days() -> int:
    """Days between two neurotoxin treatments below which a reason is asked for."""
    return _days(TOXIN_INTERVAL_KEY, DEFAULT_TOXIN_INTERVAL_DAYS, TOXIN_INTERVAL_RANGE)


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
    low, high = REVIEW_RANGE
    if not low <= review_days <= high:
        raise ValidationError(f"Intake answers are reviewed after {low} to {high} days.")
    low, high = TOXIN_INTERVAL_RANGE
    if not low <= toxin_days <= high:
        raise ValidationError(f"The neurotoxin re-treatment interval is {low} to {high} days.")
    changes = [(key, value, text) for key, value, now, text in (
        (REVIEW_KEY, review_days, intake_review_days(),
         f"intake answers reviewed after {review_days} days"),
        (TOXIN_INTERVAL_KEY, toxin_days, toxin_interval_days(),
         f"neurotoxin re-treatment interval {toxin_days} days"),
    ) if value != now]
    if not changes:
        return
    with db.atomic():
        for key, value, _text in changes:
            ClinicSetting.insert(key=key, value=str(value)).on_conflict(
                conflict_target=[ClinicSetting.key],
                update={ClinicSetting.value: str(value)}).execute()
        audit.record(actor, "settings.clinical_periods", "clinic", "",
                     "; ".join(text for _key, _value, text in changes))
