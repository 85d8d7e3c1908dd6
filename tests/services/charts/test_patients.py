"""Registering, finding and editing patients; bad input is refused and writes nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from medspa_desktop.services.charts import patients
from medspa_desktop.services.platform import auth
from medspa_desktop.services.platform.errors import (
    PermissionDenied,
    StaleEditError,
    ValidationError,
)
from medspa_desktop.store.models import AuditEvent, Patient, User

TODAY = dt.date.today()


def _input(**changes) -> patients.PatientInput:
    base = dict(first_name="Zoë", last_name="O'Brien-Żółć", dob=dt.date(1990, 4, 17),
                phone="(555) 201-3344", email="zoe@example.com")
    base.update(changes)
    return patients.PatientInput(**base)


def test_a_new_patient_gets_a_chart_number_and_a_normalised_phone(admin):
    p = patients.create_patient(admin, _input())
    assert p.chart_number == f"{p.id:06d}"
    assert p.phone == "5552013344"
    assert patients.format_phone(p.phone) == "(555) 201-3344"
    assert AuditEvent.select().where(AuditEvent.action == "patient.create",
                                     AuditEvent.record_id == str(p.id)).exists()


@pytest.mark.parametrize(("changes", "message"), [
    ({"first_name": "  "}, "first name"),
    ({"last_name": ""}, "last name"),
    ({"dob": TODAY + dt.timedelta(days=1)}, "cannot be in the future"),
    ({"dob": dt.date(1850, 1, 1)}, "more than 120 years ago"),
    ({"dob": None}, "date of birth"),
    ({"email": "zoe@example"}, "not an email address"),
    ({"email": "two@@example.com"}, "not an email address"),
    ({"phone": "555-CALL-NOW"}, "only digits"),
    ({"phone": "12345"}, "7 to 15 digits"),
    ({"first_name": "x" * 81}, "at most 80 characters"),
    ({"sex": "robot"}, "Choose female"),
])
def test_bad_input_is_refused_with_a_clear_message_and_nothing_written(admin, changes, message):
    patients_before = Patient.select().count()
    events_before = AuditEvent.select().count()
    with pytest.raises(ValidationError, match=message):
        patients.create_patient(admin, _input(**changes))
    assert Patient.select().count() == patients_before
    assert AuditEvent.select().count() == events_before


@pytest.mark.parametrize("query", ["zoe", "ZOË", "brien", "zolc", "o'brien-zolc zoe",
                                   "201-3344", "(555) 2013344", "1990-04-17", "04/17/1990"])
def test_search_finds_the_patient_from_any_part_of_name_phone_or_birthday(admin, query):
    p = patients.create_patient(admin, _input())
    patients.create_patient(admin, _input(first_name="Ann", last_name="Lee", phone="5559990000",
                                          dob=dt.date(1971, 1, 1), email=""))
    found = patients.search_patients(admin, query)
    assert [r.id for r in found] == [p.id]


def test_search_by_chart_number(admin):
    p = patients.create_patient(admin, _input())
    assert [r.id for r in patients.search_patients(admin, str(p.id))] == [p.id]


def test_a_stale_edit_from_another_pc_is_refused(admin):
    p = patients.create_patient(admin, _input())
    patients.update_patient(admin, p.id, _input(preferred_name="Zo"), version=p.version)
    with pytest.raises(StaleEditError, match="changed this patient at .* while you were editing"):
        patients.update_patient(admin, p.id, _input(preferred_name="Zed"), version=p.version)
    assert Patient.get_by_id(p.id).preferred_name == "Zo"


def test_archived_patients_leave_the_list_but_stay_in_the_database(admin):
    p = patients.create_patient(admin, _input())
    patients.archive_patient(admin, p.id, "moved away")
    assert patients.search_patients(admin, "zoe") == []
    assert [r.id for r in patients.search_patients(admin, "zoe", include_archived=True)] == [p.id]


def test_front_desk_may_not_archive(admin):
    desk = auth.create_user(admin, auth.UserInput("desk", "Dee Desk", "front_desk", "long-enough"))
    p = patients.create_patient(desk, _input())
    with pytest.raises(PermissionDenied, match="may not archive patients"):
        patients.archive_patient(desk, p.id, "duplicate")
    assert not Patient.get_by_id(p.id).archived


def test_opening_a_chart_is_audited(admin):
    p = patients.create_patient(admin, _input())
    patients.open_chart(admin, p.id)
    last = AuditEvent.select().order_by(AuditEvent.id.desc()).first()
    assert (last.action, last.record_id, last.username) == ("patient.open", str(p.id), "admin")


def test_a_stale_edit_says_who_saved_first(admin):
    desk = auth.create_user(admin, auth.UserInput("desk", "Dee Desk", "front_desk", "long-enough"))
    p = patients.create_patient(admin, _input())
    patients.update_patient(desk, p.id, _input(phone="555 201 9999"), version=p.version)
    with pytest.raises(StaleEditError,
                       match=r"Dee Desk changed this patient at \d\d:\d\d while you were"):
        patients.update_patient(admin, p.id, _input(email="z@example.com"), version=p.version)
    assert Patient.get_by_id(p.id).email == "zoe@example.com"


def _book(actor, patient_id: int, start: dt.datetime):
    from medspa_desktop.services.scheduling import appointments
    from medspa_desktop.store.models import Room, Service

    rn = User.get_or_none(User.username == "rn") or auth.create_user(
        actor, auth.UserInput("rn", "Jo Kim", "provider", "long-enough"))
    botox = Service.get(Service.category == "neurotoxin")
    return appointments.book_appointment(actor, appointments.AppointmentInput(
        patient_id, botox.id, rn.id, start, start + dt.timedelta(minutes=botox.default_minutes),
        room_id=Room.select().first().id), override_reason="test")


def test_archiving_is_refused_while_appointments_are_to_come_and_lists_them(admin):
    p = patients.create_patient(admin, _input())
    soon = dt.datetime.combine(TODAY + dt.timedelta(days=3), dt.time(10, 0))
    _book(admin, p.id, soon)
    events = AuditEvent.select().count()
    with pytest.raises(ValidationError, match=rf"still has 1 appointment to come \(.*{soon:%H:%M}"):
        patients.archive_patient(admin, p.id, "moved away")
    assert not Patient.get_by_id(p.id).archived
    assert AuditEvent.select().count() == events


def test_an_archived_patient_is_not_offered_for_booking_and_comes_back_when_restored(admin):
    from medspa_desktop.services.scheduling import waitlist
    from medspa_desktop.store.models import Service

    p = patients.create_patient(admin, _input())
    service = Service.select().where(Service.category == "neurotoxin").first()
    waitlist.add(admin, waitlist.WaitlistInput(p.id, service.id, TODAY,
                                               TODAY + dt.timedelta(days=20)))
    patients.archive_patient(admin, p.id, "duplicate registration")
    assert waitlist.waiting(admin) == []  # not offered a free slot
    with pytest.raises(ValidationError, match="is archived; restore the chart first"):
        _book(admin, p.id, dt.datetime.combine(TODAY + dt.timedelta(days=3), dt.time(10)))
    with pytest.raises(ValidationError, match="is archived; restore the chart first"):
        waitlist.add(admin, waitlist.WaitlistInput(p.id, service.id, TODAY, TODAY))
    with pytest.raises(ValidationError, match="already archived"):
        patients.archive_patient(admin, p.id, "again")
    assert patients.search_patients(admin, "zoe") == []
    # the chart itself stays readable
    assert patients.open_chart(admin, p.id).archived

    patients.unarchive_patient(admin, p.id)
    assert [r.id for r in patients.search_patients(admin, "zoe")] == [p.id]
    assert [r.patient_id for r in waitlist.waiting(admin)] == [p.id]
    _book(admin, p.id, dt.datetime.combine(TODAY + dt.timedelta(days=3), dt.time(10)))
    actions = [e.action for e in AuditEvent.select().where(
        AuditEvent.record_type == "patient", AuditEvent.record_id == str(p.id),
        AuditEvent.action != "patient.open")]
    assert actions[-2:] == ["patient.archive", "patient.unarchive"]
    with pytest.raises(ValidationError, match="is not archived"):
        patients.unarchive_patient(admin, p.id)


def test_front_desk_may_not_bring_back_an_archived_chart(admin):
    desk = auth.create_user(admin, auth.UserInput("desk", "Dee Desk", "front_desk", "long-enough"))
    p = patients.create_patient(desk, _input())
    patients.archive_patient(admin, p.id, "duplicate")
    with pytest.raises(PermissionDenied, match="may not archive patients"):
        patients.unarchive_patient(desk, p.id)
    assert Patient.get_by_id(p.id).archived
