"""Making a provider bookable in a clinic that has just installed the program: the categories
they treat, their weekly hours and their time off, set by an admin, in one transaction,
audited; bad input refused with a sentence and nothing written."""

from __future__ import annotations

import datetime as dt

import pytest

from medspa_desktop.services.charts import patients
from medspa_desktop.services.clinic import catalog
from medspa_desktop.services.platform import auth
from medspa_desktop.services.platform.errors import (
    ConflictError,
    PermissionDenied,
    ValidationError,
)
from medspa_desktop.services.scheduling import appointments, availability, hours
from medspa_desktop.store.models import (
    AuditEvent,
    ProviderSkill,
    Room,
    Service,
    TimeBlock,
    User,
    WorkingHours,
)

WEEKDAYS_9_17 = {d: "09:00-17:00" for d in range(5)} | {5: "off", 6: "off"}
LASER = ["laser_hair", "laser_resurfacing"]
MONDAY = dt.date(2030, 1, 7)


def _tech(admin, categories=LASER, hours_=WEEKDAYS_9_17, username="lee") -> User:
    return hours.create_provider(
        admin, auth.UserInput(username, "Lee Tech", "provider", "long-enough",
                              credentials="LE"), categories, hours_)


def _input(patient, service_name, provider, start, device=None):
    service = Service.get(Service.name == service_name)
    return appointments.AppointmentInput(
        patient.id, service.id, provider.id if provider else None, start,
        start + dt.timedelta(minutes=service.default_minutes),
        Room.get(Room.name == "Room 1").id, device.id if device else None)


def test_a_new_provider_is_bookable_for_exactly_their_categories(admin):
    tech = _tech(admin)
    assert tech in hours.providers_for("laser_hair")
    assert tech not in hours.providers_for("filler")
    assert tech not in hours.providers_for("neurotoxin")
    assert hours.skills(tech.id) == sorted(LASER)
    assert hours.working_hours_text(tech.id) == WEEKDAYS_9_17
    # a new clinic has no laser yet: none of the tech's treatments can be booked, and a
    # filler is not offered to them instead
    assert availability.bookable_services(tech.id) == []
    catalog.add_device(admin, "GentleLase", "alexandrite")
    assert {s.category for s in availability.bookable_services(tech.id)} == {"laser_hair"}
    actions = [e.action for e in AuditEvent.select().where(AuditEvent.record_id == str(tech.id))]
    assert {"user.create", "provider.skills", "provider.hours"} <= set(actions)


def test_a_provider_is_not_booked_outside_their_hours_or_for_what_they_do_not_treat(admin):
    tech = _tech(admin)
    laser = catalog.add_device(admin, "GentleLase", "alexandrite")
    zoe = patients.create_patient(admin, patients.PatientInput("Zoë", "Ng", dt.date(1990, 1, 1)))
    with pytest.raises(ValidationError, match="Lee Tech does not do Dermal filler treatments"):
        appointments.book_appointment(admin, _input(zoe, "RHA 3", tech,
                                                    dt.datetime.combine(MONDAY, dt.time(10))))
    saturday = dt.datetime.combine(MONDAY + dt.timedelta(days=5), dt.time(10))
    checked = appointments.preview(admin, _input(zoe, "Laser hair reduction, small area", tech,
                                                 saturday, laser))
    assert checked.hour_problems == ["Lee Tech does not work on Saturdays."]
    booked = appointments.book_appointment(admin, _input(
        zoe, "Laser hair reduction, small area", tech,
        dt.datetime.combine(MONDAY, dt.time(10)), laser))
    assert booked.provider_id == tech.id


def test_unticking_every_category_is_refused_and_creates_nobody(admin):
    with pytest.raises(ValidationError, match="Tick the treatment categories"):
        _tech(admin, categories=[])
    assert not User.select().where(User.username == "lee").exists()


@pytest.mark.parametrize(("hours_", "message"), [
    ({0: "9 to 5"}, "Monday: '9 to 5' is not working hours like 09:00-17:00"),
    ({2: "17:00-09:00"}, "Wednesday: the hours 17:00-09:00 end before they start"),
    ({d: "off" for d in range(7)}, "Give at least one day with working hours"),
    ({7: "09:00-17:00"}, "per weekday"),
])
def test_bad_working_hours_are_refused_and_nothing_is_written(admin, hours_, message):
    with pytest.raises(ValidationError, match=message):
        _tech(admin, hours_=hours_)
    assert not User.select().where(User.username == "lee").exists()
    assert WorkingHours.select().count() == 0 and ProviderSkill.select().count() == 0


def test_changing_a_providers_booking_is_one_transaction(admin):
    tech = _tech(admin)
    with pytest.raises(ValidationError):
        hours.set_booking(admin, tech.id, ["neurotoxin"], {0: "nine"})
    assert hours.skills(tech.id) == sorted(LASER)  # the skills were not changed either
    hours.set_booking(admin, tech.id, None, None)  # every category, the clinic's hours
    assert hours.skills(tech.id) == [] and hours.working_hours_text(tech.id) == {}
    assert tech in hours.providers_for("filler")


def test_only_clinicians_are_given_categories_and_hours(admin):
    desk = auth.create_user(admin, auth.UserInput("desk", "Sam Desk", "front_desk",
                                                  "long-enough"))
    with pytest.raises(ValidationError, match="Sam Desk is front desk staff"):
        hours.set_skills(admin, desk.id, ["filler"])
    with pytest.raises(ValidationError, match="Only providers and medical directors"):
        hours.create_provider(admin, auth.UserInput("d2", "Dee", "front_desk", "long-enough"),
                              ["filler"], None)
    with pytest.raises(ValidationError, match="Unknown service categories: retail"):
        hours.set_skills(admin, _tech(admin).id, ["retail"])


def test_only_an_admin_sets_up_providers(admin):
    tech = _tech(admin)
    with pytest.raises(PermissionDenied):
        hours.set_booking(tech, tech.id, ["filler"], None)
    with pytest.raises(PermissionDenied):
        hours.create_provider(tech, auth.UserInput("x2", "X", "provider", "long-enough"),
                              ["filler"], None)
    assert hours.skills(tech.id) == sorted(LASER)


def test_time_off_stops_bookings_on_those_days_and_can_be_lifted(admin):
    tech = _tech(admin)
    laser = catalog.add_device(admin, "GentleLase", "alexandrite")
    zoe = patients.create_patient(admin, patients.PatientInput("Zoë", "Ng", dt.date(1990, 1, 1)))
    tuesday = MONDAY + dt.timedelta(days=1)
    block = hours.add_time_off(admin, tech.id, tuesday, tuesday + dt.timedelta(days=1),
                               "training course", today=MONDAY)
    assert hours.off_on(tech.id, tuesday) == "training course"
    assert hours.off_on(tech.id, MONDAY) is None
    hours.add_block(admin, hours.BlockInput(dt.datetime.combine(MONDAY, dt.time(13)),
                                            dt.datetime.combine(MONDAY, dt.time(14)),
                                            "lunch meeting", provider_id=tech.id))
    assert [(t.first, t.last, t.days, t.reason) for t in hours.upcoming_time_off(
        admin, tech.id, today=MONDAY)] == [
        (MONDAY, MONDAY, "Mon 7 Jan 2030 13:00–14:00", "lunch meeting"),
        (tuesday, tuesday + dt.timedelta(days=1), "Tue 8 Jan – Wed 9 Jan 2030",
         "training course")]
    with pytest.raises(ConflictError, match="Lee Tech is off Tue 8 Jan – Wed 9 Jan "
                                            r"\(training course\)"):
        appointments.book_appointment(admin, _input(
            zoe, "Laser hair reduction, small area", tech,
            dt.datetime.combine(tuesday, dt.time(10)), laser), override_reason="please")
    hours.lift_block(admin, block.id)
    assert hours.off_on(tech.id, tuesday) is None
    assert [t.reason for t in hours.upcoming_time_off(admin, tech.id, today=MONDAY)] == [
        "lunch meeting"]
    assert TimeBlock.get_by_id(block.id).active is False  # lifted, kept on record
    actions = [e.action for e in AuditEvent.select().where(
        AuditEvent.record_type == "time_block").order_by(AuditEvent.id)]
    assert actions == ["block.create", "block.create", "block.lift"]


@pytest.mark.parametrize(("first", "last", "reason", "message"), [
    (MONDAY, MONDAY - dt.timedelta(days=1), "holiday", "end on or after the day it starts"),
    (MONDAY - dt.timedelta(days=3), MONDAY - dt.timedelta(days=1), "holiday", "already over"),
    (MONDAY, MONDAY, "  ", "Give a reason"),
    (MONDAY, MONDAY + dt.timedelta(days=400), "sabbatical", "at most a year"),
])
def test_bad_time_off_is_refused_and_nothing_written(admin, first, last, reason, message):
    tech = _tech(admin)
    with pytest.raises(ValidationError, match=message):
        hours.add_time_off(admin, tech.id, first, last, reason, today=MONDAY)
    assert TimeBlock.select().count() == 0


def test_a_booking_that_cannot_be_made_yet_says_what_is_missing(admin):
    zoe = patients.create_patient(admin, patients.PatientInput("Zoë", "Ng", dt.date(1990, 1, 1)))
    start = dt.datetime.combine(MONDAY, dt.time(10))
    with pytest.raises(ValidationError, match="No provider does Dermal filler treatments yet"):
        appointments.preview(admin, _input(zoe, "RHA 3", None, start))
    tech = _tech(admin)
    with pytest.raises(ValidationError, match="needs a 755 nm alexandrite laser, and the "
                                              "clinic has none in use yet"):
        appointments.preview(admin, _input(zoe, "Laser hair reduction, small area", tech,
                                           start))


def test_the_weekly_hours_read_as_a_line():
    assert hours.hours_summary(WEEKDAYS_9_17) == "Mon–Fri 09:00–17:00"
    week = {0: "09:00-17:00", 1: "off", 2: "09:00-17:00", 5: "10:00-14:00"}
    assert hours.hours_summary(week) == "Mon 09:00–17:00, Wed 09:00–17:00, Sat 10:00–14:00"
    assert hours.hours_summary({}) == "clinic hours"
