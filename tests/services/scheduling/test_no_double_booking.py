"""Whatever the front desk does, in whatever order, nobody and nothing is double-booked."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medspa_desktop.services.charts import patients
from medspa_desktop.services.clinic import catalog, clinic
from medspa_desktop.services.platform import auth
from medspa_desktop.services.platform.errors import DomainError
from medspa_desktop.services.scheduling import appointments
from medspa_desktop.store.database import close_database, db, open_database
from medspa_desktop.store.migrations import migrate
from medspa_desktop.store.models import Appointment, Room, Service, User

DAY = dt.date(2030, 1, 8)  # a Tuesday, clinic open 09:00–18:00
SLOTS = 34  # 15-minute starts from 09:00


@pytest.fixture(scope="module")
def template():
    folder = Path(tempfile.mkdtemp(prefix="medspa-hyp-"))
    path = folder / "template.db"
    open_database(path)
    migrate()
    admin = clinic.create_clinic(clinic.ClinicInfo("Property Clinic"),
                                 auth.UserInput("admin", "Ada Admin", "admin", "long-enough"))
    for username in ("lee", "kim"):
        auth.create_user(admin, auth.UserInput(username, username.title(), "provider",
                                               "long-enough"))
    catalog.add_device(admin, "CO2 laser", "co2", cleanup_minutes=15)
    for name in ("Ann", "Bo", "Cy"):
        patients.create_patient(admin, patients.PatientInput(name, "Test", dt.date(1980, 1, 1)))
    db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    close_database()
    yield path
    shutil.rmtree(folder, ignore_errors=True)


def _at(slot: int) -> dt.datetime:
    return dt.datetime.combine(DAY, dt.time(9)) + dt.timedelta(minutes=15 * slot)


book_op = st.tuples(st.just("book"), st.integers(0, 2), st.integers(0, 1), st.integers(0, 2),
                    st.booleans(), st.integers(0, SLOTS), st.sampled_from([15, 30, 45, 60, 90]))
move_op = st.tuples(st.just("move"), st.integers(0, 40), st.integers(0, SLOTS),
                    st.sampled_from([15, 30, 60]), st.integers(0, 2))
cancel_op = st.tuples(st.just("cancel"), st.integers(0, 40))


def _overlaps(column: str, buffer_minutes: int = 0) -> int:
    pad = f"+{buffer_minutes} minutes"
    return db.execute_sql(f"""
        SELECT COUNT(*) FROM appointment a JOIN appointment b
          ON a.{column} = b.{column} AND a.id < b.id
         AND datetime(a.start) < datetime(b."end", '{pad}')
         AND datetime(b.start) < datetime(a."end", '{pad}')
         WHERE a.status NOT IN ('cancelled', 'no_show')
           AND b.status NOT IN ('cancelled', 'no_show')""").fetchone()[0]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=st.lists(st.one_of(book_op, move_op, cancel_op), min_size=1, max_size=25))
def test_no_sequence_of_book_move_cancel_double_books(template, ops, tmp_path_factory):
    path = tmp_path_factory.mktemp("hyp") / "clinic.db"
    shutil.copy(template, path)
    open_database(path)
    try:
        actor = User.get(User.username == "admin")
        providers = list(User.select().where(User.role == "provider").order_by(User.id))
        rooms = list(Room.select().order_by(Room.id))
        botox = Service.get(Service.name == "Botox Cosmetic")
        co2 = Service.get(Service.category == "laser_resurfacing")
        device = co2.device_kind and catalog.devices()[0]
        patient_ids = [p.id for p in patients.search_patients(actor, "test")]
        booked: list[int] = []
        for op in ops:
            try:
                if op[0] == "book":
                    _, patient, provider, room, laser, slot, minutes = op
                    service = co2 if laser else botox
                    appt = appointments.book_appointment(actor, appointments.AppointmentInput(
                        patient_ids[patient], service.id, providers[provider].id, _at(slot),
                        _at(slot) + dt.timedelta(minutes=minutes), rooms[room].id,
                        device.id if laser else None))
                    booked.append(appt.id)
                elif op[0] == "move" and booked:
                    _, which, slot, minutes, room = op
                    appt = Appointment.get_by_id(booked[which % len(booked)])
                    appointments.move_appointment(actor, appt.id, appt.version, _at(slot),
                                                  _at(slot) + dt.timedelta(minutes=minutes),
                                                  room_id=rooms[room].id)
                elif op[0] == "cancel" and booked:
                    appt = Appointment.get_by_id(booked[op[1] % len(booked)])
                    appointments.change_status(actor, appt.id, "cancelled", appt.version,
                                               reason="test")
            except DomainError:
                pass  # refused: fine, as long as nothing double-booked slipped through
        for column in ("provider_id", "room_id", "patient_id"):
            assert _overlaps(column) == 0, column
        assert _overlaps("device_id", buffer_minutes=15) == 0
    finally:
        close_database()
