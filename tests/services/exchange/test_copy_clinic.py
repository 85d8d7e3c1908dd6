"""Grow to a server: the demo clinic moved from its SQLite file into an empty PostgreSQL
database — every count equal, check clean, the chain and a signed note verify there, the
clinic books on the server with new ids; a database that already holds a clinic is refused
with nothing written; the file itself never changes."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import sqlite3
import subprocess
import sys
import uuid

import pytest

from medspa_desktop.services.charts import notes, patients, photos
from medspa_desktop.services.exchange.copy_clinic import MoveRefused, copy_clinic, masked
from medspa_desktop.services.platform import audit, auth
from medspa_desktop.services.platform.integrity import check_database
from medspa_desktop.services.platform.vocabulary import NoteStatus
from medspa_desktop.services.scheduling import appointments
from medspa_desktop.store.database import close_database, open_database
from medspa_desktop.store.models import (
    ALL_MODELS,
    Appointment,
    AuditEvent,
    Note,
    Patient,
    User,
)
from tests.conftest import PASSWORD, give_consent


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _file_counts(path) -> dict[str, int]:
    con = sqlite3.connect(path)
    try:
        return {m._meta.table_name: con.execute(
            f'SELECT COUNT(*) FROM "{m._meta.table_name}"').fetchone()[0] for m in ALL_MODELS}
    finally:
        con.close()


@pytest.fixture
def clinic_file(demo_template, tmp_path):
    path = tmp_path / "clinic.db"
    shutil.copy(demo_template, path)
    return path


@pytest.fixture
def server_url(pg_server):
    url = pg_server.url(pg_server.create_database(f"medspa_{uuid.uuid4().hex[:12]}"))
    yield url
    close_database()


def test_the_demo_clinic_moves_to_a_server_whole_and_keeps_working(clinic_file, server_url):
    con = sqlite3.connect(clinic_file)  # a chart merged into one made after it
    with con:
        first, last = con.execute("SELECT MIN(id), MAX(id) FROM patient").fetchone()
        con.execute("UPDATE patient SET merged_into_id = ? WHERE id = ?", (last, first))
    con.close()
    before = _digest(clinic_file)
    counts = _file_counts(clinic_file)
    result = copy_clinic(clinic_file, server_url)

    assert result.counts == counts
    assert counts["patient"] > 50 and counts["audit_event"] > 0 and counts["stored_file"] > 0
    assert result.documents == counts["stored_file"]
    assert {m._meta.table_name: m.select().count() for m in ALL_MODELS} == {
        table: n + (1 if table == "audit_event" else 0) for table, n in counts.items()}
    assert check_database() == []
    assert audit.verify_chain() == []
    assert Patient.get_by_id(first).merged_into_id == last
    moved = AuditEvent.select().order_by(AuditEvent.id.desc()).first()
    assert moved.action == "clinic.moved_to_server" and "patient" in moved.summary
    signed = Note.select().where(Note.status == NoteStatus.SIGNED).first()
    assert signed is not None and notes.fingerprint(signed) == signed.fingerprint
    # measured and vacuumed for the server's planner: a name search's index-only scan reads
    # the index alone, not the rows behind it
    from medspa_desktop.store.database import db

    for table in ("patient_name_part", "appointment", "audit_event"):
        visible, pages, tuples = db.execute_sql(
            "SELECT relallvisible, relpages, reltuples FROM pg_class WHERE relname = %s",
            (table,)).fetchone()
        assert pages > 0 and visible == pages and tuples > 0, table

    # the clinic goes on on the server: new rows get new ids
    admin = User.get(User.role == "admin")
    newest_patient = Patient.select().order_by(Patient.id.desc()).first().id
    zoe = patients.create_patient(admin, patients.PatientInput(
        "Zoë", "Moved", dt.date(1990, 4, 17), phone="(555) 201-3344"))
    assert zoe.id > newest_patient
    model = Appointment.select().where(Appointment.provider.is_null(False),
                                       Appointment.room.is_null(False)).first()
    start = model.start + dt.timedelta(weeks=260)
    booked = appointments.book_appointment(admin, appointments.AppointmentInput(
        zoe.id, model.service_id, model.provider_id, start, start + (model.end - model.start),
        room_id=model.room_id, device_id=model.device_id))
    assert booked.id > max(a.id for a in Appointment.select(Appointment.id)
                           .where(Appointment.id != booked.id))
    assert audit.verify_chain() == []
    close_database()
    assert _digest(clinic_file) == before  # the fallback stays as it was


def test_a_server_database_holding_a_clinic_is_refused_with_nothing_written(
        clinic_file, server_url, tmp_path):
    copy_clinic(clinic_file, server_url)
    close_database()
    open_database(server_url)
    held = {m._meta.table_name: m.select().count() for m in ALL_MODELS}
    close_database()
    other = tmp_path / "other.db"
    shutil.copy(clinic_file, other)
    with pytest.raises(MoveRefused, match=r"already holds a clinic \(\d+ patients, \d+ users"):
        copy_clinic(other, server_url)
    assert {m._meta.table_name: m.select().count() for m in ALL_MODELS} == held


def test_the_password_is_masked():
    assert masked("postgresql://medspa:s3cret@db.clinic.lan:5433/clinic?sslmode=require") == \
        "postgresql://medspa:***@db.clinic.lan:5433/clinic?sslmode=require"
    assert masked("postgresql://medspa@/clinic?host=/run/x") == \
        "postgresql://medspa@/clinic?host=/run/x"


def test_move_to_server_from_the_command_line(clinic_file, server_url, tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "medspa_desktop", "move-to-server", "--from", str(clinic_file),
         "--to", server_url], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    assert "patient" in run.stdout
    assert f"now start every PC with --db {server_url}" in run.stdout
    again = subprocess.run(
        [sys.executable, "-m", "medspa_desktop", "move-to-server", "--from", str(clinic_file),
         "--to", server_url], capture_output=True, text=True, timeout=600)
    assert again.returncode != 0
    assert again.stderr.count("\n") == 1 and "already holds a clinic" in again.stderr
    missing = subprocess.run(
        [sys.executable, "-m", "medspa_desktop", "move-to-server", "--from",
         str(tmp_path / "nope.db"), "--to", server_url], capture_output=True, text=True)
    assert missing.returncode != 0 and missing.stderr.count("\n") == 1


PNG = b"\x89PNG\r\n\x1a\n" + b"a photo's pixels " * 40


def test_photos_move_into_the_server_so_every_pc_shows_them(database, admin, tmp_path,
                                                            pg_server, monkeypatch):
    """A clinic file with a photo moved to a server: the server holds the photo's bytes, so a
    PC that never had the file (an empty photo folder) shows it, checked against its hash —
    and a photo added on the server afterwards is there for every PC as well."""
    clinician = auth.create_user(admin, auth.UserInput("lee", "Mia Lee", "medical_director",
                                                      PASSWORD))
    patient = patients.create_patient(admin, patients.PatientInput(
        "Pia", "Photo", dt.date(1988, 8, 8)))
    give_consent(clinician, patient.id, "photography")
    photo = photos.import_photo(clinician, patient.id, PNG, tag="before", area="Glabella",
                                taken_on=dt.date.today())
    close_database()
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "server-pc"))  # this PC's photo folder
    url = pg_server.url(pg_server.create_database(f"medspa_{uuid.uuid4().hex[:12]}"))
    try:
        result = copy_clinic(database, url)
        assert result.photos == 1 and check_database() == []
        shutil.rmtree(photos.photo_dir())  # another PC: nothing of its own yet
        assert photos.photo_bytes(clinician, photo.id) == PNG
        assert (photos.photo_dir() / photo.sha256[:2] / f"{photo.sha256}.png").read_bytes() == PNG
        later = photos.import_photo(clinician, patient.id, PNG + b"after", tag="after",
                                    area="Glabella", taken_on=dt.date.today())
        shutil.rmtree(photos.photo_dir())
        assert photos.photo_bytes(clinician, later.id) == PNG + b"after"
        assert check_database() == []
    finally:
        close_database()
