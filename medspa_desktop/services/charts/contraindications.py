"""Contraindication rules per service category (docs/domain.md), checked against the
patient's current intake answers and age.

A finding is a ``warn`` (shown when booking) or a ``block`` (also shown when booking; starting
the treatment then needs a provider's acknowledgement with a reason, which is audited).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .intake import BY_KEY, Answer

ISOTRETINOIN_WINDOW = dt.timedelta(days=183)  # six months
# The answers that change fast (docs/domain.md), with how the banner names them when they
# are older than the clinic's review period and must be re-confirmed before a treatment.
FAST_CHANGING = {
    "pregnant_or_nursing": "pregnancy",
    "medications": "medications",
    "isotretinoin_last_dose": "isotretinoin",
    "anticoagulants": "blood thinners",
    "topical_retinoids": "retinoids",
    "photosensitising_medication": "photosensitising medication",
    "recent_tan": "recent tan",
}
REVIEW_PREFIX = "Re-confirm before treating"
LASER_LIKE = ("laser_resurfacing", "laser_hair", "ipl", "pigment_vascular")


@dataclass(frozen=True)
class Finding:
    severity: str  # warn | block
    message: str

    @property
    def blocking(self) -> bool:
        return self.severity == "block"


def _yes(answers: dict[str, Answer], key: str) -> bool:
    answer = answers.get(key)
    return answer is not None and answer.value is True


def _isotretinoin_recent(answers: dict[str, Answer], on: dt.date) -> dt.date | None:
    answer = answers.get("isotretinoin_last_dose")
    last = answer.value if answer is not None else None
    return last if isinstance(last, dt.date) and on - last < ISOTRETINOIN_WINDOW else None


# (categories, answer key, severity, message)
RULES: tuple[tuple[tuple[str, ...], str, str, str], ...] = (
    (("neurotoxin",), "pregnant_or_nursing", "block", "Pregnant or nursing: no neurotoxin."),
    (("neurotoxin",), "neuromuscular_disease", "block",
     "Neuromuscular disease: neurotoxin is contraindicated."),
    (("neurotoxin", "filler", "mesotherapy", "peel_microneedling"), "active_infection",
     "block", "Infection or inflammation at the treatment area."),
    (("filler",), "anaphylaxis_history", "block", "History of anaphylaxis or severe allergy."),
    (("filler",), "lidocaine_allergy", "block", "Allergic to lidocaine."),
    (("filler", "peel_microneedling", *LASER_LIKE), "keloids", "warn",
     "Keloid tendency: consider a test spot."),
    (("filler", "peel_microneedling", *LASER_LIKE), "herpes_history", "warn",
     "Cold-sore history: antiviral prophylaxis."),
    (LASER_LIKE + ("body_contouring", "mesotherapy", "acne_light"), "pregnant_or_nursing",
     "block", "Pregnant or nursing."),
    (LASER_LIKE, "recent_tan", "block", "Sunburn or recent tan: no laser or IPL."),
    (LASER_LIKE + ("acne_light",), "photosensitising_medication", "block",
     "Photosensitising medication."),
    (LASER_LIKE, "topical_retinoids", "warn", "Topical retinoids in the last 2 weeks."),
    (LASER_LIKE, "tattoos_in_area", "warn", "Tattoos in the treatment area."),
    (LASER_LIKE + ("filler", "mesotherapy", "peel_microneedling"), "anticoagulants", "warn",
     "Takes blood thinners: bruising and bleeding risk."),
    (("mesotherapy", "filler"), "bleeding_disorder", "block", "Bleeding disorder."),
    (("mesotherapy",), "diabetes", "warn", "Diabetes: caution."),
    (("body_contouring",), "implanted_devices", "block",
     "Pacemaker or implanted device: no radio-frequency device."),
)
ADULT_ONLY = ("neurotoxin", "filler", "mesotherapy")


def findings(answers: dict[str, Answer], category: str, age: int,
             on: dt.date) -> list[Finding]:
    """What the patient's history says about a treatment of ``category`` on ``on``."""
    found = [Finding(severity, message) for categories, key, severity, message in RULES
             if category in categories and _yes(answers, key)]
    if category in ADULT_ONLY and age < 18:
        found.insert(0, Finding("block", f"Under 18 ({age}): not for minors."))
    recent = _isotretinoin_recent(answers, on)
    if recent and category in LASER_LIKE + ("peel_microneedling",):
        found.append(Finding("block", f"Isotretinoin within 6 months (last dose {recent})."))
    return found


def banner(answers: dict[str, Answer], on: dt.date) -> list[str]:
    """The chart's alerts banner: what every clinician should see whatever the treatment."""
    items = []
    allergies = answers.get("allergies")
    if allergies is not None and allergies.value:
        items.append(f"Allergies: {allergies.value}")
    for key, text in (("pregnant_or_nursing", "Pregnant or nursing"),
                      ("anticoagulants", "Blood thinners"),
                      ("herpes_history", "Cold-sore history"),
                      ("implanted_devices", "Implanted device"),
                      ("anaphylaxis_history", "Anaphylaxis history"),
                      ("neuromuscular_disease", "Neuromuscular disease"),
                      ("bleeding_disorder", "Bleeding disorder")):
        if _yes(answers, key):
            items.append(text)
    recent = _isotretinoin_recent(answers, on)
    if recent:
        items.append(f"Isotretinoin within 6 months (last dose {recent})")
    return items


def stale_answers(answers: dict[str, Answer], on: dt.date,
                  review_days: int) -> list[Answer]:
    """The fast-changing answers given more than ``review_days`` before ``on``. A yes/no left
    at "—" was not answered; a blank date or text was ("never", "none")."""
    return [answers[key] for key in FAST_CHANGING
            if key in answers
            and not (answers[key].value is None and BY_KEY[key].kind == "yes_no")
            and (on - answers[key].answered_on).days > review_days]


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def review_notice(answers: dict[str, Answer], on: dt.date, review_days: int,
                  period: str) -> str | None:
    """"Re-confirm before treating (over 6 months old): pregnancy, medications given
    3 Jan 2025", or None when every fast-changing answer is fresh. ``period`` is the review
    period said in words."""
    stale = stale_answers(answers, on, review_days)
    if not stale:
        return None
    by_day: dict[dt.date, list[str]] = {}
    for answer in sorted(stale, key=lambda a: a.answered_on, reverse=True):
        by_day.setdefault(answer.answered_on, []).append(FAST_CHANGING[answer.question])
    return f"{REVIEW_PREFIX} (over {period} old): " + "; ".join(
        f"{', '.join(names)} given {_day(day)}" for day, names in by_day.items())
