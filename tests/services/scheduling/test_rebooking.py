"""The next visit proposed at checkout: the same service and provider, the treatment's usual
interval after the visit, the free time nearest the visit's own; nothing proposed when the
next visit is already booked."""

from __future__ import annotations

import datetime as dt

import pytest

from medspa_desktop.services.charts import patients
from medspa_desktop.services.clinic import clinical_periods
from medspa_desktop.services.platform import auth
from medspa_desktop.services.scheduling import appointments, rebooking
from medspa_desktop.store.models import Appointment, Room, Service


def next_thursday() -> dt.date:
    day = dt.date.today() + dt.timedelta(days=1)
    while day.weekday() != 3:
        day += dt.timedelta(days=1)
    return day


@pytest.fixture
def visit(admin):
    """Ann's Botox on a Thursday at 10:00 with Dr Lee (90 days on is a Wednesday)."""
    lee = auth.create_user(admin, auth.UserInput("lee", "Mia Lee", "medical_director",
                                                 "long-enough", "Dr Lee", "MD"))
    ann = patients.create_patient(admin, patients.PatientInput("Ann", "Lee",
                                                               dt.date(1980, 1, 2)))
    start = dt.datetime.combine(next_thursday(), dt.time(10))
    return appointments.book_appointment(admin, appointments.AppointmentInput(
        ann.id, Service.get(Service.name == "Botox Cosmetic").id, lee.id, start,
        start + dt.timedelta(minutes=30), Room.get(Room.name == "Room 1").id))


def test_a_neurotoxin_is_proposed_the_clinics_interval_later_with_the_same_provider(
        admin, visit):
    proposal = rebooking.propose_next_visit(admin, visit.id)
    wanted = visit.start + dt.timedelta(days=clinical_periods.toxin_interval_days())
    assert proposal.interval_days == 90 and proposal.wanted == wanted.date()
    assert (proposal.slot.start, proposal.slot.provider_id) == (wanted, visit.provider_id)
    assert proposal.text == (f"Next Botox Cosmetic (every 3 months): {wanted:%a %d %b %Y} "
                             f"10:00 with Dr Lee, Room 1.")
    booked = rebooking.book_next_visit(admin, proposal)
    assert (booked.start, booked.provider_id, booked.service_id, booked.patient_id) == (
        wanted, visit.provider_id, visit.service_id, visit.patient_id)


def test_the_clinics_own_interval_moves_the_proposal(admin, visit):
    clinical_periods.set_periods(admin, clinical_periods.intake_review_days(), 120)
    proposal = rebooking.propose_next_visit(admin, visit.id)
    assert proposal.slot.start.date() >= visit.start.date() + dt.timedelta(days=120)


def test_a_busy_provider_gets_the_nearest_free_time_that_day(admin, visit):
    wanted = visit.start + dt.timedelta(days=90)
    other = patients.create_patient(admin, patients.PatientInput("Bo", "Kim",
                                                                 dt.date(1981, 2, 3)))
    appointments.book_appointment(admin, appointments.AppointmentInput(
        other.id, visit.service_id, visit.provider_id, wanted, wanted + dt.timedelta(minutes=30),
        Room.get(Room.name == "Room 2").id))
    slot = rebooking.propose_next_visit(admin, visit.id).slot
    assert slot.start.date() == wanted.date() and slot.start != wanted
    assert abs(slot.start - wanted) <= dt.timedelta(minutes=30)
    assert slot.provider_id == visit.provider_id


def test_nothing_is_proposed_when_the_next_visit_is_booked(admin, visit):
    later = visit.start + dt.timedelta(days=95)
    appointments.book_appointment(admin, appointments.AppointmentInput(
        visit.patient_id, visit.service_id, visit.provider_id, later,
        later + dt.timedelta(minutes=30), Room.get(Room.name == "Room 1").id))
    proposal = rebooking.propose_next_visit(admin, visit.id)
    assert proposal.slot is None and proposal.booked.start == later
    assert proposal.text.startswith("The next Botox Cosmetic is already booked: ")
    assert Appointment.select().count() == 2


def test_retail_and_unknown_categories_propose_nothing():
    assert rebooking.usual_interval_days("retail") is None
    assert rebooking.usual_interval_days("laser_hair") == 42
