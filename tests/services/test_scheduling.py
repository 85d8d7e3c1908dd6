"""Booking rules: nobody and nothing is in two places at once; refusals say what clashes."""

from __future__ import annotations

import datetime as dt

import pytest

from medspa_desktop.services import auth, catalog, patients, scheduling
from medspa_desktop.services.errors import ConflictError, StaleEditError, ValidationError
from medspa_desktop.store.models import Appointment, AuditEvent, Room, Service

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
    }


def book(c, patient, provider, start, end, room, service="botox", device=None, reason=""):
    return scheduling.book_appointment(c["admin"], scheduling.AppointmentInput(
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
                                            "Room 1. Give a reason"):
        book(clinic, "bo", "lee", "10:10", "10:25", "room2")
    appt = book(clinic, "bo", "lee", "10:10", "10:25", "room2", reason="quick touch-up")
    override = AuditEvent.get(AuditEvent.action == "appointment.override")
    assert override.record_id == str(appt.id) and "quick touch-up" in override.summary


def test_a_room_clash_cannot_be_overridden(clinic):
    book(clinic, "ann", "lee", "10:00", "10:30", "room1")
    with pytest.raises(ConflictError, match="Room 1 is booked"):
        book(clinic, "bo", "kim", "10:00", "10:30", "room1", reason="please")


def test_a_cancelled_appointment_frees_its_slot(clinic):
    first = book(clinic, "ann", "lee", "10:00", "10:30", "room1")
    scheduling.change_status(clinic["admin"], first.id, "cancelled", first.version)
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
    arrived = scheduling.change_status(clinic["admin"], appt.id, "arrived", appt.version)
    with pytest.raises(ValidationError, match="arrived cannot be marked checked out"):
        scheduling.change_status(clinic["admin"], appt.id, "checked_out", arrived.version)
    with pytest.raises(StaleEditError, match="changed on another workstation"):
        scheduling.change_status(clinic["admin"], appt.id, "in_treatment", appt.version)
    scheduling.change_status(clinic["admin"], appt.id, "in_treatment", arrived.version)
    assert Appointment.get_by_id(appt.id).status == "in_treatment"
    changes = AuditEvent.select().where(AuditEvent.action == "appointment.status").count()
    assert changes == 2
