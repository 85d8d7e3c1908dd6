"""Opening hours, providers' working hours and skills, time off and blocked time, and the
schedule settings a clinic chooses (grid step, late-cancel window).

Clinic hours are the settings ``hours.0`` (Monday) … ``hours.6`` (Sunday), each
``"09:00-18:00"`` or ``"closed"`` (``platform.settings.OPENING_HOURS``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import JOIN

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
from ..platform import audit, auth, changes, limits, settings
from ..platform.errors import NotFound, ValidationError
from ..platform.permissions import CLINICAL, require
from ..platform.settings import (
    INTAKE_REVIEW_DAYS,
    LATE_CANCEL_HOURS,
    OPENING_HOURS,
    SLOT_MINUTES,
    TOXIN_INTERVAL_DAYS,
)
from ..platform.text import clean_line
from ..platform.vocabulary import Role

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


def clinic_hours(rows: list | None = None) -> dict[int, Span | None]:
    """The clinic's week (``rows``: ``settings.many_query(*OPENING_HOURS)``'s, read already)."""
    texts = (settings.get_many(*OPENING_HOURS) if rows is None
             else settings.parse_many(OPENING_HOURS, rows))
    return {day: parse_span(text) for day, text in enumerate(texts)}


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


@dataclass(frozen=True)
class BookSettings:
    """The settings the schedule's book is drawn with, read together."""

    clinic: dict[int, Span | None]  # the opening hours, 0 Monday … 6
    slot_minutes: int
    review_days: int  # clinical_periods.intake_review_days
    toxin_days: int  # clinical_periods.toxin_interval_days


def book_settings() -> BookSettings:
    """The opening hours, the grid's step and the clinical periods its alerts use, in one
    query (on a server every query is a round trip)."""
    *week, slot, review, toxin = settings.get_many(*OPENING_HOURS, SLOT_MINUTES,
                                                   INTAKE_REVIEW_DAYS, TOXIN_INTERVAL_DAYS)
    return BookSettings({day: parse_span(text) for day, text in enumerate(week)}, slot,
                        review, toxin)


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
# the categories a provider may be given: every treatment category (retail is sold, not booked)
TREATMENT_CATEGORIES = {key: label for key, label in CATEGORIES.items() if key != "retail"}


def _provider(provider_id: int) -> User:
    """The account, refused unless it is one that is booked for treatments."""
    user = User.get_or_none(User.id == provider_id)
    if user is None:
        raise NotFound("That staff account does not exist.")
    if user.role not in CLINICAL:
        raise ValidationError(f"{user.display_name} is {Role.label_of(user.role).lower()} "
                              "staff: only providers and medical directors are booked for "
                              "treatments.")
    return user


def _check_hours(hours: dict[int, str]) -> dict[int, Span | None]:
    """{weekday: span or None (off)} from {weekday: "09:00-17:00" | "off" | ""}."""
    if any(day not in range(7) for day in hours):
        raise ValidationError("Working hours are given per weekday, Monday to Sunday.")
    spans = {}
    for day, text in hours.items():
        text = text.strip().lower()
        try:
            spans[day] = None if text in ("off", "closed", "") else parse_span(text)
        except ValidationError:
            if "-" in text and all(len(p.strip()) == 5 for p in text.split("-")):
                raise ValidationError(f"{WEEKDAYS[day]}: the hours {text} end before they "
                                      "start.") from None
            raise ValidationError(f"{WEEKDAYS[day]}: '{text}' is not working hours like "
                                  "09:00-17:00 (or 'off').") from None
    return spans


def _check_categories(categories: list[str]) -> list[str]:
    unknown = [c for c in categories if c not in TREATMENT_CATEGORIES]
    if unknown:
        raise ValidationError(f"Unknown service categories: {', '.join(unknown)}.")
    return sorted(set(categories))


def set_working_hours(actor: User, provider_id: int, hours: dict[int, str]) -> None:
    """Replace a provider's weekly hours; ``{}`` means "whenever the clinic is open". A day
    left out, or "off"/"closed", is a day they do not work."""
    require(actor, "catalog.write")
    spans = _check_hours(hours)
    if hours and all(span is None for span in spans.values()):
        raise ValidationError("Give at least one day with working hours, or use the clinic's "
                              "hours.")
    with db.atomic():
        _provider(provider_id)
        WorkingHours.delete().where(WorkingHours.provider == provider_id).execute()
        for day, span in spans.items():
            if span is not None:
                WorkingHours.create(provider=provider_id, weekday=day, start=span[0], end=span[1])
        audit.record(actor, "provider.hours", "user", provider_id,
                     "; ".join(f"{WEEKDAYS[d][:3]} {hours[d].strip() or 'off'}"
                               for d in sorted(hours)) or "clinic hours")
        changes.note("hours", provider_id)


def working_hours_text(provider_id: int) -> dict[int, str]:
    """The provider's own weekly hours, {0: "09:00-17:00", 5: "off", …}; {} when they work
    the clinic's hours."""
    rows = {r.weekday: r for r in WorkingHours.select().where(
        WorkingHours.provider == provider_id)}
    if not rows:
        return {}
    return {d: f"{_as_time(rows[d].start):%H:%M}-{_as_time(rows[d].end):%H:%M}" if d in rows
            else "off" for d in range(7)}


def hours_summary(hours: dict[int, str]) -> str:
    """ "Mon–Fri 09:00–17:00, Sat 10:00–14:00" from {weekday: span or "off"}; "clinic hours"
    for {}."""
    if not hours:
        return "clinic hours"
    parts: list[tuple[int, int, str]] = []
    for day in range(7):
        text = hours.get(day, "off")
        if text == "off":
            continue
        if parts and parts[-1][1] == day - 1 and parts[-1][2] == text:
            parts[-1] = (parts[-1][0], day, text)
        else:
            parts.append((day, day, text))
    return ", ".join(
        (WEEKDAYS[a][:3] if a == b else f"{WEEKDAYS[a][:3]}–{WEEKDAYS[b][:3]}")
        + " " + text.replace("-", "–") for a, b, text in parts) or "no hours"


def working_span(provider_id: int, day: dt.date) -> Span | None:
    """When the provider works on ``day``: their own hours if they have any, else the clinic's."""
    return weekly_spans(provider_id)[day.weekday()]


def weekly_spans(provider_id: int, clinic: dict[int, Span | None] | None = None
                 ) -> dict[int, Span | None]:
    """When the provider works each weekday (0 Monday … 6): their own hours if they have any,
    else the clinic's (``clinic``, when the caller has read them already); one query."""
    rows = list(WorkingHours.select().where(WorkingHours.provider == provider_id))
    if not rows:
        return dict(clinic if clinic is not None else clinic_hours())
    own = {row.weekday: (_as_time(row.start), _as_time(row.end)) for row in rows}
    return {day: own.get(day) for day in range(7)}


def working_spans(provider_ids: list[int], day: dt.date,
                  clinic: dict[int, Span | None] | None = None) -> dict[int, Span | None]:
    """``working_span`` of several providers on ``day`` in one query (the clinic's hours read
    once, or given as ``clinic``): the schedule's columns cost the same for eight providers as
    for one, which counts on a server, where every query is a round trip."""
    clinic = clinic if clinic is not None else clinic_hours()
    own: dict[int, dict[int, Span]] = {}
    for row in WorkingHours.select().where(WorkingHours.provider.in_(provider_ids)):
        own.setdefault(row.provider_id, {})[row.weekday] = (_as_time(row.start),
                                                            _as_time(row.end))
    return {pid: own[pid].get(day.weekday()) if pid in own else clinic[day.weekday()]
            for pid in provider_ids}


def providers_on(day: dt.date, clinic: dict[int, Span | None]
                 ) -> list[tuple[User, Span | None]]:
    """``auth.providers()`` (active staff who treat patients, in display order), each with
    ``working_span`` on ``day`` (their own hours, else the clinic's, ``clinic``), in one
    query: the day's columns."""
    found: dict[int, tuple[User, dict[int, Span]]] = {}
    rows = (User.select(User, WorkingHours.weekday.alias("wh_weekday"),
                        WorkingHours.start.alias("wh_start"), WorkingHours.end.alias("wh_end"))
            .join(WorkingHours, JOIN.LEFT_OUTER, on=WorkingHours.provider == User.id)
            .where(User.active, User.role.in_(sorted(CLINICAL)))
            .order_by(User.display_name).objects())
    for row in rows:
        _user, own = found.setdefault(row.id, (row, {}))
        if row.wh_weekday is not None:
            own[row.wh_weekday] = (_as_time(row.wh_start), _as_time(row.wh_end))
    return [(user, own.get(day.weekday()) if own else clinic[day.weekday()])
            for user, own in found.values()]


def _as_time(value) -> dt.time:
    # SQLite hands TimeField values back as text when they carry no seconds.
    return value if isinstance(value, dt.time) else dt.time.fromisoformat(str(value))


def set_skills(actor: User, provider_id: int, categories: list[str]) -> None:
    """The categories a provider treats; an empty list means all of them."""
    require(actor, "catalog.write")
    categories = _check_categories(categories)
    with db.atomic():
        _provider(provider_id)
        ProviderSkill.delete().where(ProviderSkill.provider == provider_id).execute()
        for category in categories:
            ProviderSkill.create(provider=provider_id, category=category)
        audit.record(actor, "provider.skills", "user", provider_id,
                     ", ".join(categories) or "all categories")
        changes.note("hours", provider_id)


def skills(provider_id: int) -> list[str]:
    """The categories the provider treats; [] when they treat every one."""
    return sorted(s.category for s in ProviderSkill.select().where(
        ProviderSkill.provider == provider_id))


def _require_choice(categories: list[str]) -> None:
    # a form that leaves every box unticked means "not decided", not "every category"
    if not categories:
        raise ValidationError("Tick the treatment categories this provider does (or 'every "
                              "category').")


def set_booking(actor: User, provider_id: int, categories: list[str] | None,
                hours: dict[int, str] | None) -> None:
    """A provider's categories (``None``: every category) and weekly hours (``None``: the
    clinic's), in one transaction."""
    require(actor, "catalog.write")
    if categories is not None:
        _require_choice(categories)
    with db.atomic():
        set_skills(actor, provider_id, list(categories or ()))
        set_working_hours(actor, provider_id, hours or {})


def create_provider(actor: User, data: auth.UserInput, categories: list[str] | None,
                    hours: dict[int, str] | None) -> User:
    """A new provider's account with what makes them bookable, in one transaction: from
    then on the booking dialog offers them for exactly these categories, on these hours."""
    require(actor, "users.manage")
    if data.role not in CLINICAL:
        raise ValidationError("Only providers and medical directors are booked for "
                              "treatments.")
    if categories is not None:
        _require_choice(categories)
    _check_categories(list(categories or ()))
    _check_hours(hours or {})
    with db.atomic():
        user = auth.create_user(actor, data)
        set_booking(actor, user.id, categories, hours)
    return user


@dataclass(frozen=True)
class Bookable:
    """A staff account as booking checks it: the account, the categories it treats ([]:
    every one) and its own weekly hours ({}: the clinic's)."""

    user: User
    skills: tuple[str, ...]
    own_hours: dict[int, Span]

    def treats(self, category: str) -> bool:
        return not self.skills or category in self.skills

    def span(self, day: dt.date, clinic: dict[int, Span | None]) -> Span | None:
        """``working_span`` on ``day``, the clinic's hours given."""
        if not self.own_hours:
            return clinic[day.weekday()]
        return self.own_hours.get(day.weekday())


def bookable(user_id: int) -> Bookable | None:
    """The account with its skills and weekly hours in one query (on a server every query is
    a round trip); None when there is no such account."""
    return bookable_from(list(bookable_query(user_id)))


def bookable_query(user_id: int):
    """The query ``bookable`` runs (to send with others: ``fetch_together``)."""
    return (User.select(User, ProviderSkill.category.alias("skill"),
                        WorkingHours.weekday.alias("wh_weekday"),
                        WorkingHours.start.alias("wh_start"),
                        WorkingHours.end.alias("wh_end"))
            .join(ProviderSkill, JOIN.LEFT_OUTER, on=ProviderSkill.provider == User.id)
            .switch(User)
            .join(WorkingHours, JOIN.LEFT_OUTER, on=WorkingHours.provider == User.id)
            .where(User.id == user_id).objects())


def bookable_from(rows: list) -> Bookable | None:
    """``bookable`` from its query's rows."""
    if not rows:
        return None
    skills = sorted({r.skill for r in rows if r.skill is not None})
    own = {r.wh_weekday: (_as_time(r.wh_start), _as_time(r.wh_end)) for r in rows
           if r.wh_weekday is not None}
    return Bookable(rows[0], tuple(skills), own)


def treats(provider_id: int, category: str) -> bool:
    skills = [s.category for s in ProviderSkill.select().where(
        ProviderSkill.provider == provider_id)]
    return not skills or category in skills


def providers_for(category: str) -> list[User]:
    """Active providers who treat ``category``, in display order."""
    staff = list(User.select().where(User.active, User.role.in_(sorted(CLINICAL)))
                 .order_by(User.display_name))
    return [u for u in staff if treats(u.id, category)]


def off_on(provider_id: int, day: dt.date) -> str | None:
    """The reason of the time off that covers the provider's whole working day ``day`` (or
    the whole day, when they do not work it); None when they are not off all day."""
    span = working_span(provider_id, day) or (dt.time(0, 0), dt.time(23, 59))
    start, end = dt.datetime.combine(day, span[0]), dt.datetime.combine(day, span[1])
    block = (TimeBlock.select().where(TimeBlock.provider == provider_id, TimeBlock.active,
                                      TimeBlock.start <= start, TimeBlock.end >= end)
             .order_by(TimeBlock.start).first())
    return block.reason if block else None


# -- hours check used when booking ------------------------------------------------------------
def outside_hours(start: dt.datetime, end: dt.datetime, provider: User | None,
                  bookable: Bookable | None = None,
                  week: dict[int, Span | None] | None = None) -> list[str]:
    """Why [start, end) is outside the clinic's or the provider's hours; empty when it is not.
    ``bookable``: the provider's hours read already (``bookable``); ``week``: the clinic's."""
    problems = []
    day = start.date()
    if end.date() != day:
        return ["The appointment runs past midnight."]
    week = week or clinic_hours()
    clinic = week[day.weekday()]
    if clinic is None:
        problems.append(f"The clinic is closed on {WEEKDAYS[day.weekday()]}s.")
    elif not _within(start, end, clinic):
        problems.append(f"The clinic is open {_span_text(clinic)} on "
                        f"{WEEKDAYS[day.weekday()]}s.")
    if provider is not None and not problems:
        span = (bookable.span(day, week) if bookable is not None
                else working_span(provider.id, day))
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
    if len(reason) > limits.SHORT_REASON:
        raise ValidationError(f"The reason must be at most {limits.SHORT_REASON} characters.")
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


# -- a provider's time off --------------------------------------------------------------------
@dataclass(frozen=True)
class TimeOff:
    id: int
    start: dt.datetime
    end: dt.datetime
    reason: str

    @property
    def first(self) -> dt.date:
        return self.start.date()

    @property
    def last(self) -> dt.date:
        """The last day it touches (a block ending at midnight ends the day before)."""
        return (self.end - dt.timedelta(microseconds=1)).date()

    @property
    def days(self) -> str:
        """ "Tue 8 Dec 2026", "Tue 8 Dec – Fri 11 Dec 2026", or "Tue 8 Dec 2026 13:00–14:00"
        for part of a day."""
        midnight = dt.time(0, 0)
        if self.start.time() != midnight or self.end.time() != midnight:
            if self.first == self.last:
                return (f"{day_text(self.first)} {self.first.year} "
                        f"{self.start:%H:%M}–{self.end:%H:%M}")
            return (f"{day_text(self.first)} {self.start:%H:%M} – {day_text(self.last)} "
                    f"{self.end:%H:%M}")
        if self.first == self.last:
            return f"{day_text(self.first)} {self.first.year}"
        return f"{day_text(self.first)} – {day_text(self.last)} {self.last.year}"


def day_text(day: dt.date) -> str:
    """ "Tue 8 Dec" """
    return f"{day:%a} {day.day} {day:%b}"


def add_time_off(actor: User, provider_id: int, first: dt.date, last: dt.date, reason: str,
                 today: dt.date | None = None) -> TimeBlock:
    """Days a provider is off (holiday, training), ``first`` to ``last`` inclusive: they are
    not offered for booking then. Appointments already booked are not moved."""
    today = today or dt.date.today()
    if last < first:
        raise ValidationError("Time off must end on or after the day it starts.")
    if last < today:
        raise ValidationError("That time off is already over; choose days from today on.")
    if (last - first).days > 366:
        raise ValidationError("Time off can be at most a year at a time.")
    _provider(provider_id)
    return add_block(actor, BlockInput(dt.datetime.combine(first, dt.time(0, 0)),
                                       dt.datetime.combine(last + dt.timedelta(days=1),
                                                           dt.time(0, 0)),
                                       reason, provider_id=provider_id))


def upcoming_time_off(actor: User, provider_id: int,
                      today: dt.date | None = None) -> list[TimeOff]:
    """The provider's time off (and other blocked time) that has not ended, soonest first."""
    require(actor, "schedule.read")
    today = today or dt.date.today()
    start = dt.datetime.combine(today, dt.time(0, 0))
    rows = (TimeBlock.select().where(TimeBlock.provider == provider_id, TimeBlock.active,
                                     TimeBlock.end > start)
            .order_by(TimeBlock.start))
    return [TimeOff(b.id, b.start, b.end, b.reason) for b in rows]
