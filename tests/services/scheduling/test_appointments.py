"""Booking rules: nobody and nothing is in two places at once; refusals say what clashes."""

from __future__ import annotations

import datetime as dt

import pytest

from medspa_desktop.services.charts import patients
from medspa_desktop.services.clinic import catalog
from medspa_desktop.services.platform import auth
from medspa_desktop.services.platform.errors import (
    REASON,
    ConflictError,
    NeedsAnswer,
    StaleEditError,
    ValidationError,
)
from medspa_desktop.services.scheduling import appointments, availability, hours, series, waitlist
from medspa_desktop.store.models import (
    Appointment,
    AuditEvent,
    Room,
    Series,
    Service,
    WaitlistEntry,
)
from tests.conftest import give_consent

DAY = dt.date(2030, 1, 8)


def at(hhmm: str) -> dt.datetime:
    h, m = map(int, hhmm.split(":"))
    return dt.datetime.combine(DAY, dt.time(h, m))


@pytest.fixture
def clinic(admin):
    lee = auth.create_user(admin, auth.UserInput("lee", "Mia Lee", "medical_director",
                                                 "long-enough", "Dr Lee", "MD"))
    kim = auth.create_user(admin, auth.UserInput("kim", "Jo Kim", "provider", "long-enough"))
    co2 = catalog.add_device(admin, "CO2 laser", "co2", cleanup_minutes=15)
    ann = patients.create_patient(admin, patients.PatientInput("Ann", "Lee", dt.date(1980, 1, 2)))
    bo = patients.create_patient(admin, patients.PatientInput("Bo", "Kim", dt.date(1981, 2, 3)))
    return {
        "admin": admin, "lee": lee, "kim": kim, "co2": co2, "ann": ann, "bo": bo,
        "botox": Service.get(Service.name == "Botox Cosmetic"),
        "co2_service": Service.get(Service.category == "laser_resurfacing"),
        "room1": Room.get(Room.name == "Room 1"), "room2": Room.get(Room.name == "Room 2"),
        "room3": Room.get(Room.name == "Room 3"),
    }


def book(c, patient, provider, start, end, room, service="botox", device=None, reason=""):
    return appointments.book_appointment(c["admin"], appointments.AppointmentInput(
        c[patient].id, c[service].id, c[provider].id, at(start), at(end),
        room_id=c[room].id, device_id=c[device].id if device else None), override_reason=reason)


def test_a_room_is_never_double_booked_and_the_refusal_says_why(clinic):
    book(clinic, "ann", "lee", "10:00", "10:30", "room2")
    with pytest.raises(ConflictError) as refusal:
        book(clinic, "bo", "kim", "10:15", "10:45", "room2")
    assert str(refusal.value) == "Room 2 is booked 10:00–10:30 for Botox Cosmetic with Dr Lee."
    assert Appointment.select().count() == 1


def test_back_to_back_appointments_are_fine(clinic):
    book(clinic, "ann", "lee", "10:00", "10:30", "room2")
    book(clinic, "bo", "lee", "10:30", "11:00", "room2")
    assert Appointment.select().count() == 2


def test_the_patient_cannot_be_in_two_places(clinic):
    book(clinic, "ann", "lee", "10:00", "10:30", "room1")
    with pytest.raises(ConflictError, match="Lee, Ann is already booked 10:00–10:30"):
        book(clinic, "ann", "kim", "10:00", "10:30", "room2")


def test_a_devices_clean_up_buffer_counts_as_busy(clinic):
    book(clinic, "ann", "lee", "09:00", "10:30", "room1", "co2_service", "co2")
    with pytest.raises(ConflictError, match=r"CO2 laser is in use 09:00–10:30 .*15 min clean-up"):
        book(clinic, "bo", "kim", "10:40", "12:10", "room2", "co2_service", "co2")
    book(clinic, "bo", "kim", "10:45", "12:15", "room2", "co2_service", "co2")


def test_a_provider_double_booking_needs_a_reason_and_is_audited(clinic):
    book(clinic, "ann", "lee", "10:00", "10:30", "room1")
    with pytest.raises(ConflictError, match="Dr Lee is booked 10:00–10:30 for Botox Cosmetic in "
                                            "Room 1. Give a reason to book it anyway."):
        book(clinic, "bo", "lee", "10:10", "10:25", "room2")
    appt = book(clinic, "bo", "lee", "10:10", "10:25", "room2", reason="quick touch-up")
    override = AuditEvent.get(AuditEvent.action == "appointment.override")
    assert override.record_id == str(appt.id)
    assert override.summary == ("Dr Lee is booked 10:00–10:30 for Botox Cosmetic in Room 1. "
                                "Reason: quick touch-up")


def test_a_double_booking_asks_for_the_reason_by_key_not_by_its_words(clinic):
    book(clinic, "ann", "lee", "10:00", "10:30", "room1")
    data = appointments.AppointmentInput(clinic["bo"].id, clinic["botox"].id, clinic["lee"].id,
                                         at("10:10"), at("10:25"), room_id=clinic["room2"].id)
    with pytest.raises(NeedsAnswer) as asked:
        appointments.book_appointment(clinic["admin"], data)
    assert asked.value.key == "booking.override" and asked.value.kind == REASON
    appt = appointments.book_appointment(clinic["admin"], data,
                                         answers={asked.value.key: "quick touch-up"})
    assert AuditEvent.get(AuditEvent.action == "appointment.override").record_id == str(appt.id)


def test_a_refusal_nobody_can_answer_asks_nothing(clinic):
    book(clinic, "ann", "lee", "10:00", "10:30", "room1")
    with pytest.raises(ConflictError) as refused:
        book(clinic, "bo", "kim", "10:00", "10:30", "room1")
    assert not isinstance(refused.value, NeedsAnswer)


def test_a_room_clash_cannot_be_overridden(clinic):
    book(clinic, "ann", "lee", "10:00", "10:30", "room1")
    with pytest.raises(ConflictError, match="Room 1 is booked"):
        book(clinic, "bo", "kim", "10:00", "10:30", "room1", reason="please")


def test_a_cancelled_appointment_frees_its_slot(clinic):
    first = book(clinic, "ann", "lee", "10:00", "10:30", "room1")
    appointments.change_status(clinic["admin"], first.id, "cancelled", first.version,
                               reason="unwell")
    book(clinic, "bo", "lee", "10:00", "10:30", "room1")


@pytest.mark.parametrize(("start", "end", "message"), [
    ("10:30", "10:00", "must end after it starts"),
    ("10:00", "10:00", "must end after it starts"),
])
def test_end_before_start_is_refused_and_nothing_written(clinic, start, end, message):
    events = AuditEvent.select().count()
    with pytest.raises(ValidationError, match=message):
        book(clinic, "ann", "lee", start, end, "room1")
    assert Appointment.select().count() == 0
    assert AuditEvent.select().count() == events


def test_a_laser_service_needs_its_device(clinic):
    with pytest.raises(ValidationError, match="Choose a device"):
        book(clinic, "ann", "lee", "09:00", "10:30", "room1", "co2_service")


def test_the_status_flow_and_a_stale_change(clinic):
    appt = book(clinic, "ann", "lee", "10:00", "10:30", "room1")
    arrived = appointments.change_status(clinic["admin"], appt.id, "arrived", appt.version)
    with pytest.raises(ValidationError, match="arrived cannot be marked checked out"):
        appointments.change_status(clinic["admin"], appt.id, "checked_out", arrived.version)
    with pytest.raises(StaleEditError) as stale:
        appointments.change_status(clinic["admin"], appt.id, "in_treatment", appt.version)
    assert str(stale.value) == (
        "This appointment was changed on another workstation ("
        f"{clinic['admin'].display_name} marked it arrived at {dt.datetime.now():%H:%M}). "
        "Nothing was saved; the schedule has been refreshed.")
    give_consent(clinic["admin"], appt.patient_id, appt.service.category)
    appointments.change_status(clinic["admin"], appt.id, "in_treatment", arrived.version)
    assert Appointment.get_by_id(appt.id).status == "in_treatment"
    changes = AuditEvent.select().where(AuditEvent.action == "appointment.status").count()
    assert changes == 2


# -- cancelling ---------------------------------------------------------------------------------
def test_cancelling_needs_a_reason_and_changes_nothing_without_one(clinic):
    appt = book(clinic, "ann", "lee", "10:00", "10:30", "room1")
    with pytest.raises(ValidationError, match="Give a reason for cancelling"):
        appointments.change_status(clinic["admin"], appt.id, "cancelled", appt.version)
    assert Appointment.get_by_id(appt.id).status == "booked"


@pytest.mark.parametrize(("hours_before", "late"), [(2, True), (23, True), (25, False)])
def test_a_cancellation_inside_the_policy_window_is_flagged_late(clinic, hours_before, late):
    appt = book(clinic, "ann", "lee", "10:00", "10:30", "room1")
    now = at("10:00") - dt.timedelta(hours=hours_before)
    appointments.change_status(clinic["admin"], appt.id, "cancelled", appt.version,
                               reason="car trouble", now=now)
    saved = Appointment.get_by_id(appt.id)
    assert (saved.status, saved.late_cancel, saved.cancel_reason) == (
        "cancelled", late, "car trouble")
    last = appointments.history(clinic["admin"], appt.id)[-1].text
    assert last == ("Cancelled: late cancel: car trouble" if late else "Cancelled: car trouble")


# -- hours ----------------------------------------------------------------------------------------
def test_outside_clinic_hours_needs_an_override_reason(clinic):
    with pytest.raises(ConflictError, match="The clinic is open 09:00–18:00 on Tuesdays. "
                                            "Give a reason to book it anyway."):
        book(clinic, "ann", "lee", "17:45", "18:15", "room1")
    appt = book(clinic, "ann", "lee", "17:45", "18:15", "room1", reason="VIP after work")
    assert AuditEvent.get(AuditEvent.action == "appointment.override",
                          AuditEvent.record_id == str(appt.id)).summary.endswith("VIP after work")


def test_the_clinic_is_closed_on_sundays_by_default(clinic):
    sunday = dt.datetime(2030, 1, 6, 10, 0)
    with pytest.raises(ConflictError, match="The clinic is closed on Sundays"):
        appointments.book_appointment(clinic["admin"], appointments.AppointmentInput(
            clinic["ann"].id, clinic["botox"].id, clinic["lee"].id, sunday,
            sunday + dt.timedelta(minutes=30), room_id=clinic["room1"].id))


def test_a_providers_own_working_days_count(clinic):
    hours.set_working_hours(clinic["admin"], clinic["kim"].id,
                            {0: "09:00-17:00", 1: "12:00-17:00"})
    with pytest.raises(ConflictError, match="Jo Kim works 12:00–17:00 on Tuesdays"):
        book(clinic, "ann", "kim", "10:00", "10:30", "room1")
    book(clinic, "ann", "kim", "12:00", "12:30", "room1")
    thursday = dt.datetime(2030, 1, 10, 12, 0)
    with pytest.raises(ConflictError, match="Jo Kim does not work on Thursdays"):
        appointments.book_appointment(clinic["admin"], appointments.AppointmentInput(
            clinic["bo"].id, clinic["botox"].id, clinic["kim"].id, thursday,
            thursday + dt.timedelta(minutes=30), room_id=clinic["room1"].id))


def test_time_off_and_blocked_rooms_cannot_be_overridden(clinic):
    hours.add_block(clinic["admin"], hours.BlockInput(at("13:00"), at("14:00"), "lunch",
                                                      provider_id=clinic["lee"].id))
    hours.add_block(clinic["admin"], hours.BlockInput(at("15:00"), at("16:00"), "deep clean",
                                                      room_id=clinic["room2"].id))
    with pytest.raises(ConflictError, match=r"^Dr Lee is off 13:00–14:00 \(lunch\)\.$"):
        book(clinic, "ann", "lee", "13:30", "14:00", "room1", reason="please")
    with pytest.raises(ConflictError, match=r"^Room 2 is blocked 15:00–16:00 \(deep clean\)\.$"):
        book(clinic, "ann", "kim", "15:15", "15:45", "room2", reason="please")
    assert Appointment.select().count() == 0


def test_a_provider_books_only_what_they_treat(clinic):
    hours.set_skills(clinic["admin"], clinic["kim"].id, ["laser_hair", "ipl"])
    with pytest.raises(ValidationError, match="Jo Kim does not do Neurotoxin treatments"):
        book(clinic, "ann", "kim", "10:00", "10:30", "room1")


# -- moving -----------------------------------------------------------------------------------
def test_moving_keeps_the_old_slot_in_the_history(clinic):
    appt = book(clinic, "ann", "lee", "10:00", "10:30", "room1")
    moved = appointments.move_appointment(clinic["admin"], appt.id, appt.version, at("11:00"),
                                          at("11:45"), room_id=clinic["room2"].id)
    assert (moved.start, moved.end, moved.room_id, moved.version) == (
        at("11:00"), at("11:45"), clinic["room2"].id, appt.version + 1)
    texts = [c.text for c in appointments.history(clinic["admin"], appt.id)]
    assert texts == ["Booked for Tue 08 Jan 2030 10:00–10:30",
                     "Moved from Tue 08 Jan 10:00–10:30 to Tue 08 Jan 11:00–11:45"]


def test_a_move_onto_a_clash_or_from_a_stale_copy_changes_nothing(clinic):
    first = book(clinic, "ann", "lee", "10:00", "10:30", "room1")
    second = book(clinic, "bo", "kim", "11:00", "11:30", "room2")
    with pytest.raises(ConflictError, match="Room 2 is booked 11:00–11:30"):
        appointments.move_appointment(clinic["admin"], first.id, first.version, at("11:15"),
                                      at("11:45"), room_id=clinic["room2"].id)
    appointments.move_appointment(clinic["admin"], first.id, first.version, at("09:00"),
                                  at("09:30"))
    with pytest.raises(StaleEditError, match=r"changed on another workstation \(.* moved it "
                       rf"to {at('09:00'):%a %d %b} 09:00 at"):
        appointments.move_appointment(clinic["admin"], first.id, first.version, at("12:00"),
                                      at("12:30"))
    assert Appointment.get_by_id(first.id).start == at("09:00")
    assert Appointment.get_by_id(second.id).start == at("11:00")


def test_an_appointment_under_way_cannot_be_moved(clinic):
    appt = book(clinic, "ann", "lee", "10:00", "10:30", "room1")
    arrived = appointments.change_status(clinic["admin"], appt.id, "arrived", appt.version)
    with pytest.raises(ValidationError, match="arrived cannot be moved"):
        appointments.move_appointment(clinic["admin"], appt.id, arrived.version, at("11:00"),
                                      at("11:30"))


# -- finding free time ------------------------------------------------------------------------
def test_find_next_available_skips_what_is_taken(clinic):
    book(clinic, "ann", "lee", "09:00", "10:30", "room1")
    slots = availability.find_slots(clinic["admin"], clinic["botox"].id, after=at("09:00"),
                                    provider_id=clinic["lee"].id, limit=3)
    assert [s.start for s in slots] == [at("10:30"), at("10:45"), at("11:00")]
    assert all(s.provider == "Dr Lee" and s.room for s in slots)


def test_find_next_available_by_day_part_and_weekday(clinic):
    slots = availability.find_slots(clinic["admin"], clinic["botox"].id, after=at("09:00"),
                                    day_part="afternoon", weekdays={3}, limit=2)
    assert [s.start for s in slots] == [dt.datetime(2030, 1, 10, 12, 0)] * 1 + [
        dt.datetime(2030, 1, 10, 12, 15)]


def test_find_next_available_counts_the_devices_clean_up(clinic):
    book(clinic, "ann", "lee", "09:00", "10:30", "room1", "co2_service", "co2")
    slots = availability.find_slots(clinic["admin"], clinic["co2_service"].id,
                                    after=at("09:00"), limit=1)
    assert slots[0].start == at("10:45") and slots[0].device == "CO2 laser"


def test_a_walk_in_is_booked_now_and_arrived(clinic):
    appt = availability.walk_in(clinic["admin"], clinic["ann"].id, clinic["botox"].id,
                                now=at("10:07"))
    assert (appt.start, appt.status) == (at("10:07"), "arrived")
    assert appt.provider_id in (clinic["lee"].id, clinic["kim"].id)


def test_a_walk_in_with_nobody_free_says_when_the_next_opening_is(clinic):
    hours.set_skills(clinic["admin"], clinic["kim"].id, ["laser_hair"])
    book(clinic, "bo", "lee", "10:00", "11:00", "room1")
    with pytest.raises(ConflictError, match="Nobody is free for Botox Cosmetic in the next 30 "
                                            "minutes. The next opening is Tue 08 Jan 11:00 "
                                            "with Dr Lee."):
        availability.walk_in(clinic["admin"], clinic["ann"].id, clinic["botox"].id,
                             now=at("10:05"))


# -- series -----------------------------------------------------------------------------------
def _first_session(c, start="10:00", end="10:30"):
    return appointments.AppointmentInput(c["ann"].id, c["botox"].id, c["lee"].id, at(start),
                                         at(end), room_id=c["room1"].id)


def test_a_series_plan_shows_each_clash_with_the_nearest_free_alternative(clinic):
    week2 = dt.datetime(2030, 1, 15, 10, 0)
    appointments.book_appointment(clinic["admin"], appointments.AppointmentInput(
        clinic["bo"].id, clinic["botox"].id, clinic["lee"].id, week2,
        week2 + dt.timedelta(minutes=30), room_id=clinic["room2"].id))
    plan = series.plan_series(clinic["admin"], _first_session(clinic), 3, 7)
    assert [p.start for p in plan] == [at("10:00"), week2, week2 + dt.timedelta(days=7)]
    assert [bool(p.problems) for p in plan] == [False, True, False]
    assert plan[1].problems == ["Dr Lee is booked 10:00–10:30 for Botox Cosmetic in Room 2."]
    # the nearest free time: 09:30 and 10:30 are both 30 minutes off; the earlier wins
    assert plan[1].alternative.start == dt.datetime(2030, 1, 15, 9, 30)


def test_a_series_with_a_clash_books_nothing(clinic):
    week2 = dt.datetime(2030, 1, 15, 10, 0)
    book(clinic, "bo", "lee", "10:00", "10:30", "room2")  # nothing to do with week 2
    appointments.book_appointment(clinic["admin"], appointments.AppointmentInput(
        clinic["bo"].id, clinic["botox"].id, clinic["lee"].id, week2,
        week2 + dt.timedelta(minutes=30), room_id=clinic["room2"].id))
    before = Appointment.select().count()
    sessions = [_first_session(clinic, "11:00", "11:30")]
    sessions += [appointments.AppointmentInput(clinic["ann"].id, clinic["botox"].id,
                                               clinic["lee"].id, week2,
                                               week2 + dt.timedelta(minutes=30),
                                               room_id=clinic["room1"].id)]
    with pytest.raises(ConflictError, match=r"Session 2 \(Tue 15 Jan 10:00\): Dr Lee is booked"):
        series.book_series(clinic["admin"], clinic["ann"].id, clinic["botox"].id, sessions, 7)
    assert Appointment.select().count() == before
    assert Series.select().count() == 0


def test_a_booked_series_links_its_sessions_and_cancels_all_following(clinic):
    plan = series.plan_series(clinic["admin"], _first_session(clinic), 4, 14)
    sessions = [appointments.AppointmentInput(clinic["ann"].id, clinic["botox"].id,
                                              clinic["lee"].id, p.start, p.end,
                                              room_id=clinic["room1"].id) for p in plan]
    course = series.book_series(clinic["admin"], clinic["ann"].id, clinic["botox"].id,
                                sessions, 14)
    rows = appointments.series_schedule(clinic["admin"], course.id)
    assert [r.start for r in rows] == [p.start for p in plan]
    assert series.cancel_series_from(clinic["admin"], rows[2].id, "moving away") == 2
    statuses = [r.status_key for r in appointments.series_schedule(clinic["admin"], course.id)]
    assert statuses == ["booked", "booked", "cancelled", "cancelled"]


# -- waitlist ---------------------------------------------------------------------------------
def test_a_cancellation_offers_the_slot_to_the_waitlist_and_books_in_one_step(clinic):
    taken = book(clinic, "bo", "lee", "10:00", "10:30", "room1")
    entry = waitlist.add(clinic["admin"], waitlist.WaitlistInput(
        clinic["ann"].id, clinic["botox"].id, DAY, DAY + dt.timedelta(days=3),
        day_part="morning", notes="can come any morning"), today=DAY)
    waitlist.add(clinic["admin"], waitlist.WaitlistInput(
        clinic["ann"].id, clinic["botox"].id, DAY, DAY, day_part="afternoon"), today=DAY)
    appointments.change_status(clinic["admin"], taken.id, "cancelled", taken.version,
                               reason="unwell")
    offers = waitlist.offers_for(clinic["admin"], at("10:00"), at("10:30"), clinic["lee"].id)
    assert [o.id for o in offers] == [entry.id]
    appt = waitlist.book(clinic["admin"], entry.id, entry.version, at("10:00"),
                         clinic["lee"].id)
    assert (appt.patient_id, appt.start, appt.room_id) == (
        clinic["ann"].id, at("10:00"), clinic["room1"].id)
    assert WaitlistEntry.get_by_id(entry.id).status == "booked"
    assert waitlist.offers_for(clinic["admin"], at("10:00"), at("10:30"),
                               clinic["lee"].id) == []
    with pytest.raises(StaleEditError):
        waitlist.book(clinic["admin"], entry.id, entry.version, at("11:00"), clinic["lee"].id)


def test_a_freed_slot_is_offered_only_to_those_who_could_be_booked_in_it(clinic):
    """Not to a patient already booked then, nor for a treatment whose device is busy (its
    clean-up included): offering them the slot would end in a refused booking."""
    admin = clinic["admin"]
    cy = patients.create_patient(admin, patients.PatientInput("Cy", "Ng", dt.date(1990, 3, 4)))
    di = patients.create_patient(admin, patients.PatientInput("Di", "Ro", dt.date(1991, 4, 5)))
    clinic.update(cy=cy, di=di)
    freed = book(clinic, "di", "lee", "10:00", "11:30", "room1")
    appointments.change_status(admin, freed.id, "cancelled", freed.version, reason="unwell")

    def wait(patient, service):
        return waitlist.add(admin, waitlist.WaitlistInput(
            clinic[patient].id, clinic[service].id, DAY, DAY), today=DAY).id

    ann, bo, cy_entry = wait("ann", "botox"), wait("bo", "co2_service"), wait("cy", "botox")

    def offered():
        return [o.id for o in waitlist.offers_for(admin, at("10:00"), at("11:30"),
                                                  clinic["lee"].id)]

    assert offered() == [ann, bo, cy_entry]  # all free: each could be booked
    book(clinic, "ann", "kim", "10:15", "10:45", "room2")  # Ann is busy then
    book(clinic, "di", "kim", "09:00", "09:50", "room3", "co2_service", "co2")  # +15 clean-up
    assert offered() == [cy_entry]
    appt = waitlist.book(admin, cy_entry, WaitlistEntry.get_by_id(cy_entry).version,
                         at("10:00"), clinic["lee"].id)
    assert appt.patient_id == cy.id


@pytest.mark.parametrize(("first", "last", "message"), [
    (DAY, DAY - dt.timedelta(days=1), "before the first date"),
    (DAY - dt.timedelta(days=9), DAY - dt.timedelta(days=2), "all in the past"),
])
def test_bad_waitlist_dates_are_refused(clinic, first, last, message):
    with pytest.raises(ValidationError, match=message):
        waitlist.add(clinic["admin"], waitlist.WaitlistInput(
            clinic["ann"].id, clinic["botox"].id, first, last), today=DAY)
    assert WaitlistEntry.select().count() == 0
