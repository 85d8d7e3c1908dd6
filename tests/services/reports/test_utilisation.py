"""The schedule's use, worked out by hand on a small clinic: a provider with her own hours and
an hour off, a room blocked after a booking, a device out of use for a day."""

from __future__ import annotations

import datetime as dt

import pytest

from medspa_desktop.services.charts import patients
from medspa_desktop.services.clinic import catalog
from medspa_desktop.services.platform import auth
from medspa_desktop.services.platform.errors import PermissionDenied, ValidationError
from medspa_desktop.services.reports import utilisation
from medspa_desktop.services.scheduling import appointments, hours
from medspa_desktop.store.models import Room, Service

# a Monday a few weeks ahead: bookings and blocks there are ordinary future ones
MONDAY = dt.date.today() + dt.timedelta(days=21 - dt.date.today().weekday())
SUNDAY = MONDAY + dt.timedelta(days=6)


def at(day: dt.date, hh: int, mm: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hh, mm))


@pytest.fixture
def week(admin):
    rn = auth.create_user(admin, auth.UserInput("rn", "Jo Kim", "provider", "long-enough"))
    hours.set_working_hours(admin, rn.id, {0: "09:00-13:00"})  # Mondays 9 to 1 only
    laser = catalog.add_device(admin, "Alex laser", "alexandrite", 0)
    zoe = patients.create_patient(admin, patients.PatientInput("Zoë", "Ng", dt.date(1990, 1, 1)))
    botox = Service.get(Service.name == "Botox Cosmetic")
    room1, room2 = (Room.get(Room.name == n).id for n in ("Room 1", "Room 2"))
    for start, end, room in ((at(MONDAY, 9), at(MONDAY, 10), room1),
                             (at(MONDAY, 11), at(MONDAY, 11, 30), room2)):
        appointments.book_appointment(admin, appointments.AppointmentInput(
            zoe.id, botox.id, rn.id, start, end, room))
    hours.add_block(admin, hours.BlockInput(at(MONDAY, 10), at(MONDAY, 11), "dentist",
                                            provider_id=rn.id))
    # blocked after the 9 o'clock was booked: only its first half hour was available
    hours.add_block(admin, hours.BlockInput(at(MONDAY, 9, 30), at(MONDAY, 18), "leak",
                                            room_id=room1))
    tuesday = MONDAY + dt.timedelta(days=1)
    hours.add_block(admin, hours.BlockInput(at(tuesday, 0), at(tuesday + dt.timedelta(days=1), 0),
                                            "service visit", device_id=laser.id))
    return {"admin": admin, "rn": rn, "laser": laser, "room1": room1, "room2": room2}


def test_booked_over_available_with_time_off_and_blocked_time(week):
    report = utilisation.utilisation(week["admin"], MONDAY, SUNDAY, now=at(MONDAY, 10, 30))
    uses = {(u.kind, u.name): u for u in report.uses}
    rn = uses[("provider", "Jo Kim")]
    # Monday 9–13 less the hour off: 3 h; booked 9–10 and 11–11:30
    assert (rn.available_minutes, rn.booked_minutes) == (180, 90)
    assert rn.share == 0.5
    assert [rn.heat[0][h] for h in (8, 9, 10, 11, 12, 13)] == [
        (0, 0), (60, 60), (0, 0), (30, 60), (0, 60), (0, 0)]
    assert all(rn.heat[d][h] == (0, 0) for d in range(1, 7) for h in range(24))
    # the clinic's week (Mon–Fri 9, Thu 10, Sat 5 hours): 51 h; Room 1 loses Monday 9:30–18
    room1 = uses[("room", "Room 1")]
    assert (room1.available_minutes, room1.booked_minutes) == (51 * 60 - 510, 30)
    assert room1.heat[0][9] == (30, 30) and room1.heat[0][10] == (0, 0)
    assert uses[("room", "Room 2")].available_minutes == 51 * 60
    assert uses[("room", "Room 2")].booked_minutes == 30
    laser = uses[("device", "Alex laser")]
    assert (laser.available_minutes, laser.booked_minutes) == (42 * 60, 0)
    assert laser.share == 0.0
    assert [k for k, _n in report.ahead_names][:1] == ["provider"]
    # the heat map of every provider: Monday 9 o'clock full, 11 o'clock half
    heat = report.heat("provider")
    assert heat[0][9] == 1.0 and heat[0][11] == 0.5 and heat[0][10] is None
    assert report.hours_shown() == range(9, 19)  # Thursday to 19:00


def test_the_open_time_of_the_next_two_weeks_starts_now(week):
    report = utilisation.utilisation(week["admin"], MONDAY, SUNDAY, now=at(MONDAY, 10, 30))
    column = report.ahead_names.index(("provider", "Jo Kim"))
    open_rn = {d.day: d.open_minutes[column] for d in report.ahead}
    assert len(report.ahead) == 14 and report.ahead[0].day == MONDAY
    # today from 10:30: 10:30–11 is time off, 11–11:30 booked, 11:30–13 open
    assert open_rn[MONDAY] == 90
    assert open_rn[MONDAY + dt.timedelta(days=7)] == 240
    assert sum(open_rn.values()) == 330


def test_an_empty_clinic_and_who_may_see_it(admin):
    report = utilisation.utilisation(admin, MONDAY, SUNDAY)
    assert report.empty is False  # rooms are open even before anyone is booked
    assert all(u.booked_minutes == 0 for u in report.uses)
    assert [u.kind for u in report.uses] == ["room"] * 3
    desk = auth.create_user(admin, auth.UserInput("desk", "Sam", "front_desk", "long-enough"))
    with pytest.raises(PermissionDenied):
        utilisation.utilisation(desk, MONDAY, SUNDAY)
    with pytest.raises(ValidationError, match="before the start date"):
        utilisation.utilisation(admin, SUNDAY, MONDAY)
