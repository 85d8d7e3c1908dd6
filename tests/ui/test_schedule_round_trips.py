"""The schedule's columns cost the same number of statements for many providers as for a few:
on a clinic's server every statement is a round trip across the network (``python -m benchmarks
--postgres`` counts them), and the day view used to read each provider's hours, and the
clinic's, once per provider."""

from __future__ import annotations

import datetime as dt

import pytest

from medspa_desktop.services.platform import auth
from medspa_desktop.services.scheduling import hours
from medspa_desktop.ui.schedule.tab import ScheduleTab
from tests.conftest import but_the_account_check, staff
from tests.ui.test_schedule import quiet_weekday

PASSWORD = "correct horse battery"


def _columns(tab: ScheduleTab) -> dict[str, tuple | None]:
    return {c.title: c.working for c in tab.grid.columns}


def test_more_providers_add_columns_not_statements(qtbot, demo_db, statements):
    admin = staff("admin")
    tab = ScheduleTab(staff("frontdesk"))
    qtbot.addWidget(tab)
    tab.show()
    day = quiet_weekday()
    tab.set_day(day + dt.timedelta(days=7))
    statements.clear()
    tab.set_day(day)
    before = len(statements)
    kim = auth.create_user(admin, auth.UserInput("kim", "Jo Kim", "provider", PASSWORD,
                                                 display_name="Jo Kim"))
    auth.create_user(admin, auth.UserInput("lee", "Ann Lee", "provider", PASSWORD,
                                           display_name="Ann Lee"))
    hours.set_working_hours(admin, kim.id, {d: "10:00-14:30" for d in range(7)})
    tab.set_day(day + dt.timedelta(days=7))
    statements.clear()
    tab.set_day(day)
    assert len(statements) == before
    shown = _columns(tab)
    # her own hours, and his the clinic's (he has none of his own)
    assert shown["Jo Kim"] == (dt.time(10), dt.time(14, 30))
    assert shown["Ann Lee"] == hours.clinic_hours()[day.weekday()]
    # a provider's week reads their hours once, not once a day
    injector = staff("injector")
    hours.set_working_hours(admin, injector.id, {d: "10:00-14:30" for d in range(7)})
    tab.set_view("week", "provider", injector.id)
    statements.clear()
    tab.set_day(day + dt.timedelta(days=7))
    week = [sql for sql, _ in statements if "working_hours" in sql]
    assert len(week) == 1
    assert {c.working for c in tab.grid.columns} == {(dt.time(10), dt.time(14, 30))}


# The account check (``permissions.refresh``) is counted apart: it is read at most once a second.
# What a painted day or week reads, each once for the whole range: the appointments, the
# settings (hours, grid step, the alerts' periods), the patients with their merged charts, their
# intake answers, their last neurotoxins, the blocked time, the providers with their hours (a
# provider's week: their hours), the confirmation marks (calls and reminders sent, one UNION)
PAINT_LIMIT = 8


def _sent(statements) -> list[str]:
    return [sql for sql, _ in but_the_account_check(statements)]


def _busiest_day() -> dt.date:
    """The demo's day with the most visits that are still to come or under way (the demo is
    built around today), neurotoxins among them when it has any."""
    from medspa_desktop.store.models import Appointment

    days: dict[dt.date, list] = {}
    for a in Appointment.select().where(Appointment.status.in_(("booked", "confirmed",
                                                                  "arrived"))):
        days.setdefault(a.start.date(), []).append(a)
    return max(days, key=lambda d: (any(a.service.category == "neurotoxin" for a in days[d]),
                                    len(days[d])))


def _tables(sent: list[str]) -> list[str]:
    return [sql.split(" FROM ", 1)[1].split()[0].strip('"') for sql in sent]


def test_a_painted_day_or_week_reads_each_kind_once(qtbot, demo_db, statements):
    """Day by provider, a provider's week, and the change bus's refresh: at most eight
    statements besides the account check, each kind of row read once for the whole range
    (never per column or per appointment), and what is shown is all there."""
    tab = ScheduleTab(staff("frontdesk"))
    qtbot.addWidget(tab)
    tab.resize(1280, 800)
    tab.show()
    day = _busiest_day()
    tab.set_day(day - dt.timedelta(days=7))
    statements.clear()
    tab.set_day(day)
    tab.grab()
    day_sent = _sent(statements)
    assert len(day_sent) <= PAINT_LIMIT, "\n".join(day_sent)
    assert len(set(_tables(day_sent))) == len(day_sent), "\n".join(day_sent)
    active = [r for r in tab.rows if r.active]
    assert active and tab.shown_alerts.keys() == {r.id for r in active}
    assert {c.resource_id for c in tab.grid.columns} >= {r.provider_id for r in active}
    # another PC's booking: the bus refreshes the tab, no more than a day costs
    statements.clear()
    tab.refresh()
    assert len(_sent(statements)) == len(day_sent)
    # a provider's week
    injector = staff("injector")
    tab.set_view("week", "provider", injector.id)
    tab.set_day(day + dt.timedelta(days=7))
    statements.clear()
    tab.set_day(day)
    tab.grab()
    week_sent = _sent(statements)
    assert len(week_sent) <= PAINT_LIMIT, "\n".join(week_sent)
    assert len(set(_tables(week_sent))) == len(week_sent), "\n".join(week_sent)
    assert all(r.provider_id == injector.id for r in tab.rows)


def test_booking_and_moving_send_a_fixed_number_of_statements(demo_db, statements):
    """A booking's checks read the patient, service and room in one query and the provider
    with their skills and hours in another, and a move returns the appointment as saved
    instead of reading it back: 12 statements to book and 14 to move besides the account
    check (its checks, the write, the reminders' reads with the audit chain's end, its
    history, the audit, the change signal). On a server the reads, and then the writes, go
    together: fewer round trips than statements (counted in
    tests/services/messaging/test_reminder_round_trips.py). Pinned so they cannot creep back;
    a clash is still refused inside the transaction."""
    from medspa_desktop.services.platform.errors import ConflictError
    from medspa_desktop.services.scheduling import appointments
    from medspa_desktop.store.models import Patient, Room, Service

    desk, injector = staff("frontdesk"), staff("injector")
    service = Service.get(Service.name == "Botox Cosmetic")
    room = Room.select().order_by(Room.id).first()
    patients = [p.id for p in Patient.select().where(~Patient.archived)
                .order_by(Patient.id.desc()).limit(2)]
    day = quiet_weekday(120)
    start = dt.datetime.combine(day, dt.time(10))
    data = appointments.AppointmentInput(patients[0], service.id, injector.id, start,
                                         start + dt.timedelta(minutes=30), room_id=room.id)
    statements.clear()
    appt = appointments.book_appointment(desk, data)
    assert len(_sent(statements)) <= 12, "\n".join(_sent(statements))
    statements.clear()
    moved = appointments.move_appointment(desk, appt.id, appt.version,
                                          start + dt.timedelta(minutes=30),
                                          start + dt.timedelta(minutes=60))
    assert len(_sent(statements)) <= 14, "\n".join(_sent(statements))
    # what the move returns is what was saved
    from medspa_desktop.store.models import Appointment

    saved = Appointment.get_by_id(appt.id)
    assert (moved.start, moved.end, moved.version, moved.provider_id, moved.room_id) == (
        saved.start, saved.end, saved.version, saved.provider_id, saved.room_id)
    # the provider's hours still count: outside them, the booking needs a reason
    late = dt.datetime.combine(day, dt.time(6))
    other = appointments.AppointmentInput(patients[1], service.id, injector.id, late,
                                          late + dt.timedelta(minutes=30), room_id=room.id)
    assert appointments.preview(desk, other).hour_problems
    # and a clash is refused
    clash = appointments.AppointmentInput(patients[1], service.id, injector.id, moved.start,
                                          moved.end, room_id=room.id)
    with pytest.raises(ConflictError):
        appointments.book_appointment(desk, clash)
