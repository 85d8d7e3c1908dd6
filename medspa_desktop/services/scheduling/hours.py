"""Opening hours, providers' working hours and skills, time off and blocked time, and the
schedule settings a clinic chooses (grid step, late-cancel window).

Clinic hours are the settings ``hours.0`` (Monday) … ``hours.6`` (Sunday), each
``"09:00-18:00"`` or ``"closed"`` (``platform.settings.OPENING_HOURS``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ...store.database import db
from ...store.models import (
    CATEGORIES,
    Device,
    ProviderSkill,
    Room,
    TimeBlock,
    User,
    WorkingHours,
)
from ..platform import audit, changes, settings
from ..platform.errors import ValidationError
from ..platform.permissions import CLINICAL, require
from ..platform.settings import LATE_CANCEL_HOURS, OPENING_HOURS, SLOT_MINUTES
from ..platform.text import clean_line

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DAY_PARTS = {"any": (dt.time(0, 0), dt.time(23, 59, 59)),
             "morning": (dt.time(0, 0), dt.time(12, 0)),
             "afternoon": (dt.time(12, 0), dt.time(17, 0)),
             "evening": (dt.time(17, 0), dt.time(23, 59, 59))}

Span = tuple[dt.time, dt.time]


def parse_span(text: str) -> Span | None:
    """ "09:00-18:00" -> (09:00, 18:00); "closed" -> None."""
    text = text.strip().lower()
    if text in ("", "closed"):
        return None
    try:
        first, last = (dt.datetime.strptime(p.strip(), "%H:%M").time() for p in text.split("-"))
    except ValueError:
        raise ValidationError(f"'{text}' is not opening hours like 09:00-18:00.") from None
    if last <= first:
        raise ValidationError(f"Opening hours {text} close before they open.")
    return first, last


def clinic_hours() -> dict[int, Span | None]:
    return {day: parse_span(text) for day, text in enumerate(settings.get_many(*OPENING_HOURS))}


def set_clinic_hours(actor: User, hours: dict[int, str]) -> None:
    require(actor, "catalog.write")
    for text in hours.values():
        parse_span(text)
    with db.atomic():
        settings.put({OPENING_HOURS[day]: text.strip().lower() or "closed"
                      for day, text in hours.items()})
        audit.record(actor, "settings.hours", "clinic", "",
                     "; ".join(f"{WEEKDAYS[d][:3]} {t}" for d, t in sorted(hours.items())))
        changes.note("hours")


def clinic_hours_text() -> dict[int, str]:
    """The opening hours as typed in settings: {0: "09:00-18:00", …, 6: "closed"}."""
    return {d: "closed" if span is None else f"{span[0]:%H:%M}-{span[1]:%H:%M}"
            for d, span in clinic_hours().items()}


def slot_minutes() -> int:
    return settings.get(SLOT_MINUTES)


def late_cancel_window() -> dt.timedelta:
    return dt.timedelta(hours=settings.get(LATE_CANCEL_HOURS))


def set_schedule_settings(actor: User, *, slot: int | None = None,
                          late_cancel_hours: int | None = None) -> None:
    require(actor, "catalog.write")
    values = {setting: value for setting, value in ((SLOT_MINUTES, slot),
                                                    (LATE_CANCEL_HOURS, late_cancel_hours))
              if value is not None}
    settings.check(values)
    with db.atomic():
        settings.put(values)
        audit.record(actor, "settings.schedule", "clinic", "",
                     f"slot={slot} late_cancel_hours={late_cancel_hours}")
        changes.note("hours")


# -- providers ----------------------------------------------------------------------------------
def set_working_hours(actor: User, provider_id: int, hours: dict[int, str]) -> None:
    """Replace a provider's weekly hours; ``{}`` means "whenever the clinic is open"."""
    require(actor, "catalog.write")
    spans = {day: parse_span(text) for day, text in hours.items()}
    with db.atomic():
        WorkingHours.delete().where(WorkingHours.provider == provider_id).execute()
        for day, span in spans.items():
            if span is not None:
                WorkingHours.create(provider=provider_id, weekday=day, start=span[0], end=span[1])
        audit.record(actor, "provider.hours", "user", provider_id,
                     "; ".join(f"{WEEKDAYS[d][:3]} {t}" for d, t in sorted(hours.items()))
                     or "clinic hours")
        changes.note("hours", provider_id)


def working_span(provider_id: int, day: dt.date) -> Span | None:
    """When the provider works on ``day``: their own hours if they have any, else the clinic's."""
    rows = list(WorkingHours.select().where(WorkingHours.provider == provider_id))
    if not rows:
        return clinic_hours()[day.weekday()]
    for row in rows:
        if row.weekday == day.weekday():
            return _as_time(row.start), _as_time(row.end)
    return None


def _as_time(value) -> dt.time:
    # SQLite hands TimeField values back as text when they carry no seconds.
    return value if isinstance(value, dt.time) else dt.time.fromisoformat(str(value))


def set_skills(actor: User, provider_id: int, categories: list[str]) -> None:
    """The categories a provider treats; an empty list means all of them."""
    require(actor, "catalog.write")
    unknown = [c for c in categories if c not in CATEGORIES]
    if unknown:
        raise ValidationError(f"Unknown service categories: {', '.join(unknown)}.")
    with db.atomic():
        ProviderSkill.delete().where(ProviderSkill.provider == provider_id).execute()
        for category in sorted(set(categories)):
            ProviderSkill.create(provider=provider_id, category=category)
        audit.record(actor, "provider.skills", "user", provider_id,
                     ", ".join(sorted(set(categories))) or "all categories")
        changes.note("hours", provider_id)


def treats(provider_id: int, category: str) -> bool:
    skills = [s.category for s in ProviderSkill.select().where(
        ProviderSkill.provider == provider_id)]
    return not skills or category in skills


def providers_for(category: str) -> list[User]:
    """Active providers who treat ``category``, in display order."""
    staff = list(User.select().where(User.active, User.role.in_(sorted(CLINICAL)))
                 .order_by(User.display_name))
    return [u for u in staff if treats(u.id, category)]


# -- hours check used when booking ------------------------------------------------------------
def outside_hours(start: dt.datetime, end: dt.datetime, provider: User | None) -> list[str]:
    """Why [start, end) is outside the clinic's or the provider's hours; empty when it is not."""
    problems = []
    day = start.date()
    if end.date() != day:
        return ["The appointment runs past midnight."]
    clinic = clinic_hours()[day.weekday()]
    if clinic is None:
        problems.append(f"The clinic is closed on {WEEKDAYS[day.weekday()]}s.")
    elif not _within(start, end, clinic):
        problems.append(f"The clinic is open {_span_text(clinic)} on "
                        f"{WEEKDAYS[day.weekday()]}s.")
    if provider is not None and not problems:
        span = working_span(provider.id, day)
        if span is None:
            problems.append(f"{provider.display_name} does not work on "
                            f"{WEEKDAYS[day.weekday()]}s.")
        elif not _within(start, end, span):
            problems.append(f"{provider.display_name} works {_span_text(span)} on "
                            f"{WEEKDAYS[day.weekday()]}s.")
    return problems


def _within(start: dt.datetime, end: dt.datetime, span: Span) -> bool:
    """Both ends on one day (checked by the caller) and inside the span."""
    return span[0] <= start.time() and end.time() <= span[1]


def _span_text(span: Span) -> str:
    return f"{span[0]:%H:%M}–{span[1]:%H:%M}"


# -- time off and blocked time ----------------------------------------------------------------
@dataclass(frozen=True)
class BlockInput:
    start: dt.datetime
    end: dt.datetime
    reason: str
    provider_id: int | None = None
    room_id: int | None = None
    device_id: int | None = None


def add_block(actor: User, data: BlockInput) -> TimeBlock:
    """Mark a provider off, or a room or device out of use. Existing appointments are not
    moved; the block only stops new bookings."""
    require(actor, "schedule.write")
    reason = clean_line(data.reason)
    if not reason:
        raise ValidationError("Give a reason for the blocked time (e.g. lunch, maintenance).")
    if len(reason) > 200:
        raise ValidationError("The reason must be at most 200 characters.")
    if data.end <= data.start:
        raise ValidationError("Blocked time must end after it starts.")
    targets = [x for x in (data.provider_id, data.room_id, data.device_id) if x is not None]
    if len(targets) != 1:
        raise ValidationError("Block time for one provider, one room or one device.")
    for model, pk, what in ((User, data.provider_id, "provider"), (Room, data.room_id, "room"),
                            (Device, data.device_id, "device")):
        if pk is not None and model.get_or_none(model.id == pk) is None:
            raise ValidationError(f"That {what} does not exist.")
    with db.atomic():
        block = TimeBlock.create(
            provider=data.provider_id, room=data.room_id, device=data.device_id,
            start=data.start, end=data.end, reason=reason, created_by=actor,
            created_at=dt.datetime.now())
        audit.record(actor, "block.create", "time_block", block.id,
                     f"{data.start:%Y-%m-%d %H:%M}–{data.end:%H:%M} {reason}")
        changes.note("block", block.id)
    return block


def lift_block(actor: User, block_id: int) -> None:
    require(actor, "schedule.write")
    with db.atomic():
        if not TimeBlock.update(active=False).where(TimeBlock.id == block_id).execute():
            raise ValidationError("That blocked time does not exist.")
        audit.record(actor, "block.lift", "time_block", block_id, "lifted")
        changes.note("block", block_id)
