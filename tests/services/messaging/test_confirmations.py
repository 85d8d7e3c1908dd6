"""Confirmations: tomorrow's list to confirm, confirmed by phone in one step, a call nobody
answered kept, a reminder sent shown — all from the appointment's own history."""

from __future__ import annotations

import datetime as dt

import pytest

from medspa_desktop.services.charts import patients
from medspa_desktop.services.messaging import confirmations, outbox
from medspa_desktop.services.platform import auth
from medspa_desktop.services.platform.errors import StaleEditError, ValidationError
from medspa_desktop.services.scheduling import appointments
from medspa_desktop.store.models import AppointmentChange, AuditEvent, OutboxMessage, Room, Service
from tests.conftest import but_the_account_check


def _open_day_ahead() -> dt.date:
    day = dt.date.today() + dt.timedelta(days=1)
    while day.weekday() == 6:
        day += dt.timedelta(days=1)
    return day


@pytest.fixture
def day_booked(admin):
    lee = auth.create_user(admin, auth.UserInput("lee", "Mia Lee", "medical_director",
                                                 "long-enough", "Dr Lee", "MD"))
    day = _open_day_ahead()
    botox = Service.get(Service.name == "Botox Cosmetic")
    made = []
    for hour, first in ((11, "Bo"), (9, "Ann"), (13, "Cy")):
        p = patients.create_patient(admin, patients.PatientInput(
            first, "Ng", dt.date(1980, 1, 2), phone=f"555 010 20{hour:02d}",
            email=f"{first.lower()}@example.com"))
        start = dt.datetime.combine(day, dt.time(hour))
        made.append(appointments.book_appointment(admin, appointments.AppointmentInput(
            p.id, botox.id, lee.id, start, start + dt.timedelta(minutes=30),
            Room.get(Room.name == "Room 1").id)))
    return day, made


def test_the_list_has_the_days_unconfirmed_visits_by_time_with_phone_numbers(admin,
                                                                               day_booked):
    day, (bo, ann, cy) = day_booked
    rows = confirmations.to_confirm(admin, day)
    assert [(r.patient, r.phone) for r in rows] == [
        ("Ng, Ann", "(555) 010-2009"), ("Ng, Bo", "(555) 010-2011"), ("Ng, Cy", "(555) 010-2013")]
    assert all(r.state == "" for r in rows)


def test_confirmed_by_phone_leaves_the_list_and_says_how(admin, day_booked):
    day, (bo, ann, cy) = day_booked
    confirmations.confirm_by_phone(admin, ann.id, ann.version)
    assert [r.patient for r in confirmations.to_confirm(admin, day)] == ["Ng, Bo", "Ng, Cy"]
    mark = confirmations.confirmations(admin, [ann.id])[ann.id]
    assert mark.kind == "confirmed" and mark.text.startswith("Confirmed by phone ")
    assert mark.text.endswith(f"({admin.display_name})")
    assert appointments.get_appointment(admin, ann.id).status_key == "confirmed"
    assert [h.text for h in appointments.history(admin, ann.id)][-2:] == [
        "Confirmed", "Confirmed by phone"]
    assert AuditEvent.select().where(AuditEvent.action == "appointment.contact").count() == 1


def test_a_stale_confirm_is_refused_and_writes_nothing(admin, day_booked):
    _day, (bo, _ann, _cy) = day_booked
    appointments.change_status(admin, bo.id, "confirmed", bo.version)  # on another PC
    before = AppointmentChange.select().count()
    with pytest.raises(StaleEditError):
        confirmations.confirm_by_phone(admin, bo.id, bo.version)
    assert AppointmentChange.select().count() == before


def test_no_answer_is_kept_and_shown_and_a_later_reminder_wins(admin, day_booked):
    day, (bo, _ann, _cy) = day_booked
    confirmations.no_answer(admin, bo.id)
    row = next(r for r in confirmations.to_confirm(admin, day) if r.appointment_id == bo.id)
    assert row.state.startswith("Called ") and row.state.endswith(
        f", no answer ({admin.display_name})")
    assert confirmations.confirmations(admin, [bo.id])[bo.id].kind == "no_answer"

    message = outbox.queue(admin, to_address="bo@example.com", kind="reminder",
                           body="See you tomorrow.", appointment_id=bo.id)
    OutboxMessage.update(state="sent", sent_at=dt.datetime.now() + dt.timedelta(minutes=1)) \
        .where(OutboxMessage.id == message.id).execute()
    assert confirmations.confirmations(admin, [bo.id])[bo.id].kind == "reminder_sent"


def test_nothing_to_confirm_once_come_in_or_cancelled(admin, day_booked):
    _day, (bo, ann, _cy) = day_booked
    appointments.change_status(admin, ann.id, "cancelled", ann.version, reason="Unwell")
    with pytest.raises(ValidationError, match="nothing to confirm"):
        confirmations.no_answer(admin, ann.id)
    assert confirmations.confirmations(admin, [ann.id]) == {}


def test_the_list_is_for_the_next_day_the_clinic_opens(admin):
    saturday = dt.date(2026, 12, 5)
    assert confirmations.next_open_day(saturday) == dt.date(2026, 12, 7)  # closed Sundays
    assert confirmations.next_open_day(dt.date(2026, 12, 3)) == dt.date(2026, 12, 4)


def test_the_marks_of_many_visits_cost_the_same_as_of_one(demo_db, statements):
    from medspa_desktop.store.models import Appointment
    from tests.conftest import staff

    desk = staff("frontdesk")
    ids = [a.id for a in Appointment.select(Appointment.id).where(
        Appointment.status.in_(("booked", "confirmed")))]
    def sent():
        return but_the_account_check(statements)

    statements.clear()
    confirmations.confirmations(desk, ids[:1])
    one = len(sent())
    statements.clear()
    marks = confirmations.confirmations(desk, ids)
    assert len(sent()) == one <= 3  # statuses, history, outbox
    assert any(m.kind == "confirmed" for m in marks.values())
