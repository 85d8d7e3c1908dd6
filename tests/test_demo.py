"""The demo clinic: deterministic, realistic and conflict-free."""

from __future__ import annotations

import datetime as dt

from medspa_desktop import demo
from medspa_desktop.store.database import close_database, db, open_database
from medspa_desktop.store.migrations import migrate
from medspa_desktop.store.models import Appointment, Device, Patient, Room, Service, User


def _snapshot(path, seed):
    open_database(path)
    migrate()
    demo.build_demo(seed=seed, today=dt.date(2026, 11, 23), patient_count=40, days_back=6,
                    days_ahead=3)
    patients = list(Patient.select(Patient.first_name, Patient.last_name, Patient.dob,
                                   Patient.phone).order_by(Patient.id).tuples())
    appts = list(Appointment.select(Appointment.patient, Appointment.service,
                                    Appointment.provider, Appointment.start,
                                    Appointment.status).order_by(Appointment.id).tuples())
    close_database()
    return patients, appts


def test_the_same_seed_gives_the_same_clinic(tmp_path):
    a = _snapshot(tmp_path / "a.db", 5)
    b = _snapshot(tmp_path / "b.db", 5)
    c = _snapshot(tmp_path / "c.db", 6)
    assert a == b
    assert a != c


def test_the_demo_has_the_documented_accounts_rooms_devices_and_catalog(demo_db):
    assert sorted(u.username for u in User.select()) == sorted(
        ["admin", "director", "injector", "laser1", "laser2", "frontdesk"])
    assert Room.select().count() == 5
    assert Device.select().count() == 3
    categories = {s.category for s in Service.select()}
    assert {"neurotoxin", "filler", "laser_resurfacing", "laser_hair", "ipl", "mesotherapy",
            "body_contouring", "peel_microneedling", "retail"} <= categories
    assert Patient.select().count() == 300
    names = " ".join(f"{p.first_name} {p.last_name}" for p in Patient.select())
    assert any(ch in names for ch in "éëóñ") and "'" in names and "-" in names


def test_three_months_of_appointments_past_and_upcoming(demo_db):
    today = dt.datetime.combine(dt.date.today(), dt.time())
    past = Appointment.select().where(Appointment.start < today).count()
    upcoming = Appointment.select().where(Appointment.start >= today).count()
    assert past > 1000 and upcoming > 300
    span = (Appointment.select().order_by(Appointment.start.desc()).first().start
            - Appointment.select().order_by(Appointment.start).first().start)
    assert span >= dt.timedelta(days=85)


def test_no_person_room_or_device_is_in_two_active_appointments_at_once(demo_db):
    for column in ("provider_id", "room_id", "device_id", "patient_id"):
        clash = db.execute_sql(f"""
            SELECT COUNT(*) FROM appointment a JOIN appointment b
              ON a.{column} = b.{column} AND a.id < b.id
             AND a.start < b."end" AND b.start < a."end"
             WHERE a.status NOT IN ('cancelled', 'no_show')
               AND b.status NOT IN ('cancelled', 'no_show')""").fetchone()[0]
        assert clash == 0, column


def test_only_appointments_already_begun_have_moved_past_booked(demo_db):
    """Built on the real today, the demo's "now" is the clock: nothing later has happened."""
    later = Appointment.select().where(Appointment.start >= dt.datetime.now())
    assert later.count() > 0
    assert {a.status for a in later} <= {"booked", "confirmed"}
