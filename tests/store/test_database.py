"""The connection settings and the database's own refusals."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from peewee import IntegrityError

from medspa_desktop.services.charts import patients
from medspa_desktop.services.scheduling import appointments
from medspa_desktop.store import database as store_database
from medspa_desktop.store.database import (
    DamageCheck,
    NotAMedSpaDatabase,
    close_database,
    damage_in_file,
    damage_note,
    db,
    make_database,
    open_database,
)
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


def _another_program_opens_and_quits(path: Path) -> None:
    subprocess.run([sys.executable, "-c", "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]);"
                    " c.execute('SELECT COUNT(*) FROM patient').fetchone(); c.close()",
                    str(path)], check=True, timeout=60)


@pytest.mark.parametrize("look", ["the background check", "a second opening's header check"])
def test_looking_at_the_open_file_keeps_the_lock_that_keeps_its_wal(admin, database, look):
    """SQLite's locks are per process: a plain open() and close() of the file by this program
    would drop them all, and the next program to quit would believe it was alone, checkpoint
    and delete the WAL that holds this program's newest commits."""
    patients.create_patient(admin, patients.PatientInput("Ann", "Lee", dt.date(1980, 1, 1)))
    if look == "the background check":
        check = DamageCheck(database)
        check.run()
        assert check.problems == []
    else:
        make_database(database)
    _another_program_opens_and_quits(database)
    assert Path(f"{database}-wal").exists()  # still this program's: it has the file open
    patients.create_patient(admin, patients.PatientInput("Bo", "Lee", dt.date(1980, 1, 1)))
    other = sqlite3.connect(database)
    try:
        assert other.execute("SELECT COUNT(*) FROM patient").fetchone()[0] == 2
    finally:
        other.close()


def test_damage_is_found_in_a_folder_whose_name_has_uri_characters(tmp_path):
    folder = tmp_path / "Clinic #2 100%"
    folder.mkdir()
    path = folder / "clinic.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t (x)")
    con.executemany("INSERT INTO t VALUES (?)", [("x" * 500,)] * 200)
    con.commit()
    root = con.execute("SELECT rootpage FROM sqlite_master WHERE name = 't'").fetchone()[0]
    size = con.execute("PRAGMA page_size").fetchone()[0]
    con.close()
    data = bytearray(path.read_bytes())
    for offset in range(8):
        data[(root - 1) * size + offset] ^= 0xA5
    path.write_bytes(bytes(data))
    assert damage_in_file(path)
    assert damage_in_file(path, whole=False)


def test_a_damaged_first_page_is_damage_not_another_kind_of_file(tmp_path):
    path = tmp_path / "clinic.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    data = bytearray(path.read_bytes())
    data[16:18] = b"\x00\x07"  # a page size that cannot be
    path.write_bytes(bytes(data))
    assert damage_in_file(path) == ["file is not a database"]
    letter = tmp_path / "letter.db"
    letter.write_text("Dear patient,\n" * 300)
    with pytest.raises(NotAMedSpaDatabase, match="not an SQLite file"):
        damage_in_file(letter)


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
    appointments.book_appointment(admin, appointments.AppointmentInput(
        p.id, Service.get(Service.name == "Botox Cosmetic").id, director.id, start,
        start + dt.timedelta(minutes=30), room_id=1))
    with pytest.raises(IntegrityError):
        Patient.delete().where(Patient.id == p.id).execute()
    assert Patient.get_by_id(p.id).last_name == "Lee"


def test_damage_found_in_a_file_restored_away_meanwhile_is_not_pinned_on_the_new_one(
        tmp_path, monkeypatch):
    """The whole check runs beside the work; when a backup is put in place before it ends,
    what it found belongs to the file moved aside: the next start must not refuse the
    restored one."""
    path = tmp_path / "clinic.db"
    sqlite3.connect(path).close()

    def found_damage_while_a_backup_was_restored(checked, live):
        restored = tmp_path / "restored.db"
        sqlite3.connect(restored).close()
        restored.replace(checked)
        return ["*** in database main ***"]

    monkeypatch.setattr(store_database, "damage_in_file", found_damage_while_a_backup_was_restored)
    check = DamageCheck(path)
    check.run()
    assert check.problems and not damage_note(path).exists()
    monkeypatch.setattr(store_database, "damage_in_file", lambda checked, live: ["still damaged"])
    check.run()
    assert damage_note(path).read_text(encoding="utf-8") == "still damaged\n"
