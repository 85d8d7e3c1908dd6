"""The connection settings and the database's own refusals."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from peewee import IntegrityError

from medspa_desktop.services import patients, scheduling
from medspa_desktop.store.database import NotAMedSpaDatabase, close_database, db, open_database
from medspa_desktop.store.migrations import NewerDatabaseError, migrate
from medspa_desktop.store.models import AuditEvent, Patient, SchemaMeta, Service, User


def test_sqlite_runs_with_wal_full_sync_foreign_keys_and_busy_timeout(database):
    pragma = lambda name: db.execute_sql(f"PRAGMA {name}").fetchone()[0]  # noqa: E731
    assert pragma("journal_mode") == "wal"
    assert pragma("synchronous") == 2  # FULL
    assert pragma("foreign_keys") == 1
    assert pragma("busy_timeout") >= 5000


def test_writes_take_the_write_lock_at_begin(database, tmp_path):
    """BEGIN IMMEDIATE: a second writer waits for the lock instead of failing half-way."""
    other = sqlite3.connect(database, timeout=0)
    try:
        with db.atomic():
            SchemaMeta.select().count()  # a read, yet the write lock is already held
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
    finally:
        other.close()


def test_a_text_file_is_not_a_medspa_database(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("shopping list: milk, eggs\n" * 10)
    with pytest.raises(NotAMedSpaDatabase, match="not a MedSpa database"):
        open_database(path)


def test_another_programs_sqlite_file_is_refused(tmp_path):
    path = tmp_path / "other.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE contacts (name TEXT)")
    con.commit()
    con.close()
    open_database(path)
    try:
        with pytest.raises(NotAMedSpaDatabase, match="not a MedSpa database"):
            migrate()
    finally:
        close_database()


def test_a_database_from_a_newer_version_is_refused_untouched(database):
    SchemaMeta.update(value="99").where(SchemaMeta.key == "schema_version").execute()
    with pytest.raises(NewerDatabaseError, match="newer MedSpa Desktop"):
        migrate()
    assert SchemaMeta.get_by_id("schema_version").value == "99"


def test_the_audit_log_refuses_update_and_delete(admin):
    event = AuditEvent.select().first()
    with pytest.raises(IntegrityError, match="append-only"):
        AuditEvent.update(summary="nothing happened").where(AuditEvent.id == event.id).execute()
    with pytest.raises(IntegrityError, match="append-only"):
        AuditEvent.delete().where(AuditEvent.id == event.id).execute()
    assert AuditEvent.get_by_id(event.id).summary == event.summary


def test_a_patient_with_appointments_cannot_be_deleted_by_a_cascade(admin):
    director = User.create(username="dr", full_name="Dr D", display_name="Dr D",
                           role="medical_director", password_hash="x",
                           created_at=dt.datetime.now())
    p = patients.create_patient(admin, patients.PatientInput("Ann", "Lee", dt.date(1980, 1, 1)))
    start = dt.datetime(2030, 1, 7, 10)
    scheduling.book_appointment(admin, scheduling.AppointmentInput(
        p.id, Service.get(Service.name == "Botox Cosmetic").id, director.id, start,
        start + dt.timedelta(minutes=30), room_id=1))
    with pytest.raises(IntegrityError):
        Patient.delete().where(Patient.id == p.id).execute()
    assert Patient.get_by_id(p.id).last_name == "Lee"
