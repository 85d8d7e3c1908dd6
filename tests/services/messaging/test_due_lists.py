"""Patients due, on a small hand-made clinic: who is on which list on which day, the
boundaries of each window, and what takes a patient off (something booked, an archived
chart)."""

from __future__ import annotations

import datetime as dt

import pytest

from medspa_desktop.services.charts import patients
from medspa_desktop.services.clinic import clinical_periods
from medspa_desktop.services.messaging import contact_consent, due_lists
from medspa_desktop.services.platform import auth
from medspa_desktop.services.scheduling import appointments, series
from medspa_desktop.store.models import Room, Service

VISIT_DAY = dt.date(2026, 3, 5)  # a Thursday: the clinic and Dr Lee work


@pytest.fixture
def lee(admin):
    return auth.create_user(admin, auth.UserInput("lee", "Mia Lee", "medical_director",
                                                  "long-enough", "Dr Lee", "MD"))


def _patient(admin, first, last="Test", email=""):
    return patients.create_patient(admin, patients.PatientInput(
        first, last, dt.date(1980, 1, 2), phone="555 010 3000",
        email=email or f"{first.lower()}@example.com"))


def _book(admin, lee, patient, service, day, hour=10, room="Room 1"):
    service = Service.get(Service.name == service)
    start = dt.datetime.combine(day, dt.time(hour))
    return appointments.book_appointment(admin, appointments.AppointmentInput(
        patient.id, service.id, lee.id, start,
        start + dt.timedelta(minutes=service.default_minutes), Room.get(Room.name == room).id))


def _came(admin, lee, patient, service, day=VISIT_DAY, hour=10, room="Room 1"):
    appt = _book(admin, lee, patient, service, day, hour, room)
    return appointments.change_status(admin, appt.id, "arrived", appt.version,
                                      now=appt.start - dt.timedelta(minutes=5))


def _names(lists, name):
    return [r.name.split(",")[1].strip() for r in lists.rows(name)]


def test_toxin_is_due_from_the_interval_to_120_days_both_counted(admin, lee):
    ann = _patient(admin, "Ann")
    _came(admin, lee, ann, "Botox Cosmetic")
    on = {days: _names(due_lists.patients_due(admin, VISIT_DAY + dt.timedelta(days=days)),
                       "toxin") for days in (89, 90, 120, 121)}
    assert on == {89: [], 90: ["Ann"], 120: ["Ann"], 121: []}
    row = due_lists.patients_due(admin, VISIT_DAY + dt.timedelta(days=100)).toxin[0]
    assert row.due == f"Botox Cosmetic, 100 days ago ({VISIT_DAY:%d %b %Y})"
    assert (row.phone, row.last_visit, row.days) == ("(555) 010-3000", VISIT_DAY, 100)
    assert not row.marketing  # no answer on file: no marketing


def test_the_clinics_own_interval_moves_the_toxin_window(admin, lee):
    ann = _patient(admin, "Ann")
    _came(admin, lee, ann, "Botox Cosmetic")
    clinical_periods.set_periods(admin, clinical_periods.intake_review_days(), 100)
    assert due_lists.patients_due(admin, VISIT_DAY + dt.timedelta(days=95)).toxin == ()
    assert _names(due_lists.patients_due(admin, VISIT_DAY + dt.timedelta(days=100)),
                  "toxin") == ["Ann"]


def test_booked_takes_a_patient_off_and_a_later_toxin_restarts_the_clock(admin, lee):
    ann, bo, cy = _patient(admin, "Ann"), _patient(admin, "Bo"), _patient(admin, "Cy")
    for i, p in enumerate((ann, bo, cy)):
        _came(admin, lee, p, "Botox Cosmetic", hour=9 + i)
    day = VISIT_DAY + dt.timedelta(days=100)
    _book(admin, lee, bo, "Botox Cosmetic", day + dt.timedelta(days=7))  # Bo rebooked
    # Cy came in again for toxin 20 days ago: not due yet
    _came(admin, lee, cy, "Botox Cosmetic", day - dt.timedelta(days=21))
    assert _names(due_lists.patients_due(admin, day), "toxin") == ["Ann"]


def test_filler_is_due_between_9_and_12_months(admin, lee):
    di = _patient(admin, "Di")
    _came(admin, lee, di, "Juvederm Ultra XC")
    on = {days: _names(due_lists.patients_due(admin, VISIT_DAY + dt.timedelta(days=days)),
                       "filler") for days in (269, 270, 365, 366)}
    assert on == {269: [], 270: ["Di"], 365: ["Di"], 366: []}


def test_lapsed_after_6_months_unless_booked_or_due_on_another_list(admin, lee):
    peel = Service.select().where(Service.category == "peel_microneedling").first().name
    eve, fay, gus = _patient(admin, "Eve"), _patient(admin, "Fay"), _patient(admin, "Gus")
    _came(admin, lee, eve, peel, hour=9)
    _came(admin, lee, fay, peel, hour=11)
    _came(admin, lee, gus, "Botox Cosmetic", hour=13)
    day = VISIT_DAY + dt.timedelta(days=182)
    assert _names(due_lists.patients_due(admin, day - dt.timedelta(days=1)), "lapsed") == []
    _book(admin, lee, fay, peel, day + dt.timedelta(days=4))
    lists = due_lists.patients_due(admin, day)
    assert sorted(_names(lists, "lapsed")) == ["Eve", "Gus"]
    assert lists.lapsed[0].due == f"No visit since {VISIT_DAY:%d %b %Y} (182 days)"
    patients.archive_patient(admin, eve.id, "moved away")
    assert _names(due_lists.patients_due(admin, day), "lapsed") == ["Gus"]
    # (Fay's booking long past and never kept) two years on, both are lost rather than
    # lapsed: a call then is a cold call
    on = {days: _names(due_lists.patients_due(admin, VISIT_DAY + dt.timedelta(days=days)),
                       "lapsed") for days in (730, 731)}
    assert on == {730: ["Fay", "Gus"], 731: []}


def test_the_most_recently_lapsed_come_first(admin, lee):
    peel = Service.select().where(Service.category == "peel_microneedling").first().name
    old, new = _patient(admin, "Olga"), _patient(admin, "Nell")
    _came(admin, lee, old, peel, hour=9)
    _came(admin, lee, new, peel, hour=11, day=VISIT_DAY + dt.timedelta(days=100))
    lists = due_lists.patients_due(admin, VISIT_DAY + dt.timedelta(days=400))
    assert [r.days for r in lists.lapsed] == [300, 400]


def test_a_series_with_sessions_left_and_none_booked(admin, lee):
    hal = _patient(admin, "Hal")
    service = Service.select().where(Service.category == "peel_microneedling").first()
    sessions = []
    for i in range(3):  # every fourth Thursday
        start = dt.datetime.combine(VISIT_DAY + dt.timedelta(days=28 * i), dt.time(10))
        sessions.append(appointments.AppointmentInput(
            hal.id, service.id, lee.id, start,
            start + dt.timedelta(minutes=service.default_minutes),
            Room.get(Room.name == "Room 1").id))
    made = series.book_series(admin, hal.id, service.id, sessions, 28)
    rows = sorted(made.appointments, key=lambda a: a.start)
    appointments.change_status(admin, rows[0].id, "arrived", rows[0].version,
                               now=rows[0].start)
    day = rows[1].start.date() - dt.timedelta(days=1)
    assert due_lists.patients_due(admin, day).series == ()  # the other two are booked
    for appt in rows[1:]:
        appointments.change_status(admin, appt.id, "cancelled", appt.version,
                                   reason="Patient travelling",
                                   now=rows[0].start + dt.timedelta(days=1))
    lists = due_lists.patients_due(admin, day)
    assert _names(lists, "series") == ["Hal"]
    assert "1 of 3 sessions done, 2 left, none booked" in lists.series[0].due
    assert lists.lapsed == ()


def test_marketing_shown_only_for_patients_who_agreed_and_have_an_email(admin, lee):
    ann, bo = _patient(admin, "Ann"), _patient(admin, "Bo")
    _came(admin, lee, ann, "Botox Cosmetic", hour=9)
    _came(admin, lee, bo, "Botox Cosmetic", hour=11)
    for p in (ann, bo):
        contact_consent.record_answers(admin, p.id, {"marketing": True})
    contact_consent.record_answers(admin, bo.id, {"marketing": False})
    rows = due_lists.patients_due(admin, VISIT_DAY + dt.timedelta(days=95)).toxin
    assert {r.name.split(", ")[1]: r.marketing for r in rows} == {"Ann": True, "Bo": False}


def test_a_new_clinic_has_empty_lists(admin):
    lists = due_lists.patients_due(admin)
    assert lists.all_rows() == []


def test_recall_emails_go_only_to_patients_who_agreed_each_with_how_to_stop(admin, lee):
    from medspa_desktop.services.clinic import clinic
    from medspa_desktop.services.messaging import recall_emails
    from medspa_desktop.store.models import OutboxMessage

    ann, bo, cy = _patient(admin, "Ann"), _patient(admin, "Bo"), _patient(admin, "Cy")
    dee = _patient(admin, "Dee")  # not due: came in last week
    for i, p in enumerate((ann, bo, cy)):
        _came(admin, lee, p, "Botox Cosmetic", hour=9 + i)
    day = VISIT_DAY + dt.timedelta(days=98)
    _came(admin, lee, dee, "Botox Cosmetic", day - dt.timedelta(days=7))
    contact_consent.record_answers(admin, ann.id, {"marketing": True})
    contact_consent.record_answers(admin, bo.id, {"marketing": True})
    contact_consent.record_answers(admin, bo.id, {"marketing": False})  # asked to stop
    contact_consent.record_answers(admin, dee.id, {"marketing": True})
    # cy never answered: no

    outcome = recall_emails.send_recall_emails(admin, [ann.id, bo.id, cy.id, dee.id], day)
    assert outcome.queued == ("Test, Ann",)
    assert dict(outcome.skipped) == {"Test, Bo": "has not agreed to marketing emails",
                                     "Test, Cy": "has not agreed to marketing emails",
                                     "Test, Dee": "not due"}
    sent = list(OutboxMessage.select())
    assert [(m.to_address, m.kind, m.patient_id) for m in sent] == [
        ("ann@example.com", "recall", ann.id)]
    info = clinic.clinic_info()
    body = sent[0].body
    assert body.startswith("Hello Ann,") and "Botox Cosmetic" in sent[0].subject
    assert "reply STOP" in body and "(555) 010-0100" in body and info.name in body
    # pressed again: nothing is sent twice
    again = recall_emails.send_recall_emails(admin, [ann.id], day)
    assert again.queued == () and "in the last 30 days" in again.text()
    assert OutboxMessage.select().count() == 1


def test_the_lists_cost_a_fixed_number_of_queries_on_the_demo(demo_db, statements):
    from tests.conftest import staff

    statements.clear()
    lists = due_lists.patients_due(staff("frontdesk"))
    assert lists.toxin and len(statements) <= 20  # however many patients: none per row


def test_visits_imported_from_the_old_system_count_for_lapsed(admin):
    from medspa_desktop.services.charts import history_import, patient_import

    source = patient_import.read_source(
        "old.csv", b"Client ID,First Name,Last Name,DOB\r\n"
        b"C-1,Ivy,Old,1990-04-03\r\nC-2,Jo,Old,1975-11-17\r\nC-3,Kai,Old,1970-01-01\r\n")
    patient_import.run_import(admin, patient_import.plan_import(
        admin, source, patient_import.guess_mapping(source.headers), "YMD"))
    visits = patient_import.read_source(
        "old-visits.csv", b"Client ID,Date,Service,Provider,Status\r\n"
        b"C-1,2025-06-01,Botox,Dr Kay,Completed\r\n"
        b"C-2,2025-06-01,Peel,Nina,Completed\r\nC-2,2025-11-01,Peel,Nina,Cancelled\r\n"
        b"C-3,2025-06-01,Peel,Nina,No Show\r\n")
    history_import.run_history(admin, history_import.plan_history(
        admin, visits, patient_import.guess_mapping(visits.headers, history_import.SYNONYMS),
        "YMD"))
    lists = due_lists.patients_due(admin, dt.date(2026, 1, 10))
    assert {r.name: r.last_visit for r in lists.lapsed} == {
        "Old, Ivy": dt.date(2025, 6, 1), "Old, Jo": dt.date(2025, 6, 1)}
