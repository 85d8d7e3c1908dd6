"""The schedule's use: for each provider, room and device, the hours booked over the hours it
was available, by weekday and hour (a heat map), and the open time of the next 14 days.

Available time is what booking offers (services/scheduling): a provider is available inside
both the clinic's opening hours and their own working hours (``hours.working_span``), a room
or a device inside the clinic's hours; a provider's time off and a room's or device's blocked
time (``TimeBlock``) are not available. Booked time is the active appointments
(``ACTIVE_STATUSES``: cancelled and no-show free their slot), counted only where it falls in
available time, so a share never passes 100 %. Rooms and devices are those in use now (an
inactive one is not bookable; the clinic keeps no history of when it was retired); a
provider is listed while active, or when the period holds bookings of theirs.

Read-only; a fixed number of queries for any range (appointments and blocks by their
``start`` index), the arithmetic in minutes here."""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from dataclasses import dataclass

from ...store.database import db
from ...store.models import Appointment, TimeBlock, User, WorkingHours
from ..platform.errors import ValidationError
from ..platform.permissions import CLINICAL, require
from ..platform.vocabulary import ACTIVE_STATUSES
from ..scheduling import hours
from .period import Period, record_viewed

KINDS = {"provider": "Providers", "room": "Rooms", "device": "Devices"}
OPEN_DAYS = 14  # the open time looked ahead
MAX_DAYS = 366

Minutes = list[tuple[int, int]]  # [from, to) in minutes after midnight, sorted, disjoint


@dataclass(frozen=True)
class Use:
    """One provider's, room's or device's use of a period."""

    kind: str  # provider | room | device
    id: int
    name: str
    available_minutes: int
    booked_minutes: int
    # heat[weekday][hour] = (booked, available) minutes; Monday 0, hours 0–23
    heat: tuple[tuple[tuple[int, int], ...], ...]

    @property
    def share(self) -> float | None:
        """Booked over available, 0–1; None when it was never available."""
        return self.booked_minutes / self.available_minutes if self.available_minutes else None


@dataclass(frozen=True)
class OpenDay:
    """A day of the next two weeks: the open (available, not booked) hours per resource."""

    day: dt.date
    open_minutes: tuple[int, ...]  # in the order of ``Utilisation.ahead_names``


@dataclass(frozen=True)
class Utilisation:
    date_from: dt.date
    date_to: dt.date
    uses: tuple[Use, ...]  # providers, then rooms, then devices, each in the clinic's order
    ahead_names: tuple[tuple[str, str], ...]  # (kind, name) of the next 14 days' columns
    ahead: tuple[OpenDay, ...]

    def of_kind(self, kind: str) -> tuple[Use, ...]:
        return tuple(u for u in self.uses if u.kind == kind)

    def heat(self, kind: str | None = None, resource_id: int | None = None
             ) -> list[list[float | None]]:
        """7 × 24 shares (None where nothing was available) of one resource, one kind, or
        every resource."""
        booked = [[0] * 24 for _ in range(7)]
        available = [[0] * 24 for _ in range(7)]
        for use in self.uses:
            if (kind and use.kind != kind) or (resource_id is not None and use.id != resource_id):
                continue
            for day in range(7):
                for hour in range(24):
                    b, a = use.heat[day][hour]
                    booked[day][hour] += b
                    available[day][hour] += a
        return [[booked[d][h] / available[d][h] if available[d][h] else None
                 for h in range(24)] for d in range(7)]

    def hours_shown(self) -> range:
        """The hours of the day anything was available (the heat map's columns)."""
        used = [h for use in self.uses for day in use.heat for h in range(24) if day[h][1]]
        return range(min(used), max(used) + 1) if used else range(9, 18)

    @property
    def empty(self) -> bool:
        return not any(u.available_minutes for u in self.uses)


def _minute(t: dt.time) -> int:
    return t.hour * 60 + t.minute


def _intersect(a: Minutes, b: Minutes) -> Minutes:
    out, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if lo < hi:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def _subtract(spans: Minutes, cuts: Minutes) -> Minutes:
    out = []
    for lo, hi in spans:
        pieces = [(lo, hi)]
        for c_lo, c_hi in cuts:
            pieces = [p for a, b in pieces
                      for p in ((a, min(b, c_lo)), (max(a, c_hi), b)) if p[0] < p[1]]
        out.extend(pieces)
    return out


def _day_pieces(start: dt.datetime, end: dt.datetime, first: dt.date, last: dt.date):
    """(day, from minute, to minute) of [start, end) on each day of first … last."""
    day = max(start.date(), first)
    while day <= min(end.date(), last):
        midnight = dt.datetime.combine(day, dt.time())
        lo = max(0, int((start - midnight).total_seconds() // 60))
        hi = min(24 * 60, int((end - midnight).total_seconds() // 60))
        if lo < hi:
            yield day, lo, hi
        day += dt.timedelta(days=1)


@functools.lru_cache(maxsize=256)
def _hours_of(spans: tuple[tuple[int, int], ...]) -> tuple[tuple[int, int], ...]:
    """``_by_hour`` of a day's available spans, which repeat week after week."""
    return tuple(_by_hour(spans))


def _by_hour(spans: Minutes):
    """(hour, minutes) of the spans in each hour of the day."""
    for lo, hi in spans:
        t = lo
        while t < hi:
            edge = min(hi, (t // 60 + 1) * 60)
            yield t // 60, edge - t
            t = edge


Range = tuple[dt.date, dt.date]  # first, last (inclusive)


@dataclass
class _Read:
    """What the schedule's use of one or more ranges reads, read once for all of them: six
    queries however many providers, rooms and devices (on a server every query is a round
    trip)."""

    resources: dict[Range, list[tuple[str, int, str]]]
    weekly: dict[int, dict[int, Minutes]]  # provider -> weekday -> available spans
    open_minutes: dict[int, Minutes]  # the clinic's, per weekday
    blocked: dict[tuple[str, int, dt.date], Minutes]
    booked: dict[tuple[str, int, dt.date], Minutes]


def _bounds(r: Range) -> tuple[dt.datetime, dt.datetime]:
    return (dt.datetime.combine(r[0], dt.time()),
            dt.datetime.combine(r[1] + dt.timedelta(days=1), dt.time()))


def _read(ranges: list[Range]) -> _Read:
    """The resources of each range (rooms and devices in use now; providers active, or
    booked in the range), their hours, and the blocked and booked time of every range."""
    bounds = [_bounds(r) for r in ranges]
    first, last = min(r[0] for r in ranges), max(r[1] for r in ranges)
    booked_in = [User.id.in_(Appointment.select(Appointment.provider).where(
        Appointment.start >= start, Appointment.start < end,
        Appointment.provider.is_null(False))) for start, end in bounds]
    anywhere = User.active
    for one in booked_in:
        anywhere |= one
    staff = list(User.select(User.id, User.display_name, User.active, *booked_in)
                 .where(User.role.in_(sorted(CLINICAL)) & anywhere)
                 .order_by(User.display_name).tuples())
    things = db.execute_sql(  # rooms in the clinic's order, then devices by name
        "SELECT 'room', id, name, position FROM room WHERE active UNION ALL "
        "SELECT 'device', id, name, 0 FROM device WHERE active ORDER BY 1 DESC, 4, 3"
    ).fetchall()
    resources = {r: [("provider", pid, name) for pid, name, active, *booked in staff
                     if active or booked[n]] + [(kind, rid, name) for kind, rid, name, _ in things]
                 for n, r in enumerate(ranges)}
    clinic = hours.clinic_hours()
    open_minutes = {wd: [(_minute(span[0]), _minute(span[1]))] if span else []
                    for wd, span in clinic.items()}
    # a provider's hours depend only on the weekday (their own, else the clinic's:
    # ``hours.weekly_spans``), read for every provider at once
    own: dict[int, dict[int, tuple[dt.time, dt.time]]] = {}
    for pid, wd, start, end in (WorkingHours.select(
            WorkingHours.provider, WorkingHours.weekday, WorkingHours.start, WorkingHours.end)
            .where(WorkingHours.provider.in_([row[0] for row in staff])).tuples()):
        own.setdefault(pid, {})[wd] = (_as_time(start), _as_time(end))
    weekly = {}
    for pid, *_rest in staff:
        spans = ({wd: own[pid].get(wd) for wd in range(7)} if pid in own else clinic)
        weekly[pid] = {wd: _intersect(open_minutes[wd], [(_minute(spans[wd][0]),
                                                          _minute(spans[wd][1]))]
                                      if spans[wd] else []) for wd in range(7)}
    within = None
    for start, end in bounds:
        one = (TimeBlock.start < end) & (TimeBlock.end > start)
        within = one if within is None else within | one
    blocked: dict[tuple[str, int, dt.date], Minutes] = defaultdict(list)
    for pid, rid, did, b_start, b_end in (TimeBlock.select(
            TimeBlock.provider, TimeBlock.room, TimeBlock.device, TimeBlock.start, TimeBlock.end)
            .where(TimeBlock.active & within).tuples()):
        key = ("provider", pid) if pid else ("room", rid) if rid else ("device", did)
        for day, lo, hi in _day_pieces(b_start, b_end, first, last):
            blocked[(*key, day)].append((lo, hi))
    starting = None
    for start, end in bounds:
        one = (Appointment.start >= start) & (Appointment.start < end)
        starting = one if starting is None else starting | one
    booked: dict[tuple[str, int, dt.date], Minutes] = defaultdict(list)
    # the times as text ("2026-12-07 09:30:00" on SQLite and PostgreSQL alike): a year of a
    # busy clinic is tens of thousands of rows, and turning each into datetimes costs more
    # than the query
    days_text = {}
    for pid, rid, did, a_start, a_end in (Appointment.select(
            Appointment.provider, Appointment.room, Appointment.device,
            Appointment.start.cast("text"), Appointment.end.cast("text"))
            .where(Appointment.status.in_(ACTIVE_STATUSES) & starting).tuples()):
        if a_start[:10] == a_end[:10]:  # booking keeps an appointment to one day
            day = days_text.get(a_start[:10])
            if day is None:
                day = days_text[a_start[:10]] = dt.date.fromisoformat(a_start[:10])
            pieces = [(day, int(a_start[11:13]) * 60 + int(a_start[14:16]),
                       int(a_end[11:13]) * 60 + int(a_end[14:16]))]
        else:
            pieces = list(_day_pieces(dt.datetime.fromisoformat(a_start),
                                      dt.datetime.fromisoformat(a_end), first, last))
        for kind, rid_ in (("provider", pid), ("room", rid), ("device", did)):
            if rid_ is not None:
                for day, lo, hi in pieces:
                    booked[(kind, rid_, day)].append((lo, hi))
    return _Read(resources, weekly, open_minutes, blocked, booked)


def _as_time(value) -> dt.time:
    return value if isinstance(value, dt.time) else dt.time.fromisoformat(str(value))


def _measure(read: _Read, first: dt.date, last: dt.date, after: dt.datetime | None = None):
    """Per resource: {day: (available spans, booked spans)} over first … last, from ``after``
    on when given (the rest of today is still open; its past is not)."""
    cut_from = (after.date(), _minute(after.time())) if after else None
    dates = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    out = []
    for kind, rid, name in read.resources[(first, last)]:
        base = read.weekly[rid] if kind == "provider" else read.open_minutes
        days = {}
        for day in dates:
            spans = base[day.weekday()]
            cuts = read.blocked.get((kind, rid, day))
            if cuts:
                spans = _subtract(spans, cuts)
            if cut_from and day == cut_from[0]:
                spans = _subtract(spans, [(0, cut_from[1])])
            taken = read.booked.get((kind, rid, day))
            days[day] = (spans, _intersect(spans, _merge(taken)) if taken and spans else [])
        out.append((kind, rid, name, days))
    return out


def _merge(spans: Minutes) -> Minutes:
    """Overlapping spans (a provider double-booked with an override) counted once."""
    out: Minutes = []
    for lo, hi in sorted(spans):
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def _total(spans: Minutes) -> int:
    return sum(hi - lo for lo, hi in spans)


def utilisation(actor: User, date_from: dt.date, date_to: dt.date,
                now: dt.datetime | None = None, *, report: str = "") -> Utilisation:
    """The use of ``date_from`` … ``date_to`` (inclusive), and the open time of the 14 days
    from ``now`` (the clock unless given). ``report``: the page's title, audited as
    looked at."""
    require(actor, "reports.view")
    if date_to < date_from:
        raise ValidationError("The end date is before the start date. Choose an end date on or "
                              "after the start date.")
    if (date_to - date_from).days + 1 > MAX_DAYS:
        raise ValidationError("The schedule's use covers at most a year. Choose a shorter "
                              "period.")
    viewed(actor, report, date_from, date_to)
    now = (now or dt.datetime.now()).replace(second=0, microsecond=0)
    coming = (now.date(), now.date() + dt.timedelta(days=OPEN_DAYS - 1))
    read = _read([(date_from, date_to), coming])
    uses = []
    for kind, rid, name, days in _measure(read, date_from, date_to):
        heat = [[[0, 0] for _ in range(24)] for _ in range(7)]
        available = booked = 0
        for day, (spans, taken) in days.items():
            row = heat[day.weekday()]
            for hour, minutes in _hours_of(tuple(spans)):
                row[hour][1] += minutes
                available += minutes
            for hour, minutes in _by_hour(taken):
                row[hour][0] += minutes
                booked += minutes
        uses.append(Use(kind, rid, name, available, booked,
                        tuple(tuple((b, a) for b, a in row) for row in heat)))
    ahead = _measure(read, *coming, after=now)
    open_days = []
    for n in range(OPEN_DAYS):
        day = now.date() + dt.timedelta(days=n)
        open_days.append(OpenDay(day, tuple(_total(days[day][0]) - _total(days[day][1])
                                            for _kind, _rid, _name, days in ahead)))
    return Utilisation(date_from, date_to, tuple(uses),
                       tuple((kind, name) for kind, _rid, name, _days in ahead),
                       tuple(open_days))


def viewed(actor: User, report: str, first: dt.date, last: dt.date) -> None:
    """Audit that ``actor`` looked at ``report`` (the page's title) for first … last;
    nothing when ``report`` is empty (figures read for another purpose)."""
    if report:
        record_viewed(actor, report, Period(first, last))


def hours_text(minutes: int) -> str:
    """600 -> "10 h", 90 -> "1.5 h", 0 -> "0 h"."""
    value = round(minutes / 60, 1)
    return f"{value:g} h"


def share_text(share: float | None) -> str:
    return "—" if share is None else f"{round(share * 100)}%"
