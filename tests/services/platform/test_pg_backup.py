"""Backups of a clinic on a PostgreSQL server (pg_dump, checked with pg_restore --list) and the
restore into an empty server database: the demo clinic backed up and restored whole, every
count equal and check clean; a damaged dump, a non-empty target and a missing pg_dump refused
in words."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
import uuid

import pytest

from medspa_desktop import paths
from medspa_desktop.services.charts import photos
from medspa_desktop.services.exchange.copy_clinic import copy_clinic
from medspa_desktop.services.platform import backup, pg_backup
from medspa_desktop.services.platform.backup import BackupError
from medspa_desktop.services.platform.errors import PermissionDenied, ValidationError
from medspa_desktop.services.platform.integrity import check_database
from medspa_desktop.store.database import close_database, db, open_database
from medspa_desktop.store.models import ALL_MODELS, AuditEvent, Patient, User
from tests.services.charts.test_photos import PNG

NOW = dt.datetime(2026, 11, 23, 18, 0)


def _counts() -> dict[str, int]:
    return {m._meta.table_name: m.select().count() for m in ALL_MODELS}


@pytest.fixture
def pc_data(tmp_path, monkeypatch):
    """This PC's data folder (photos on a server clinic, the usual backup folder), for the
    programs a test starts too."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "pc-data"))
    return paths.data_dir()


@pytest.fixture
def server_clinic(demo_template, pg_server, tmp_path, pc_data):
    """The demo clinic on the server (moved there from its file), open, with one photo."""
    clinic_file = tmp_path / "clinic.db"
    shutil.copy(demo_template, clinic_file)
    url = pg_server.url(pg_server.create_database(f"medspa_{uuid.uuid4().hex[:12]}"))
    copy_clinic(clinic_file, url)
    provider = User.get(User.role == "provider")
    patient = Patient.select().order_by(Patient.id).first()
    photos.import_photo(provider, patient.id, PNG, tag="before", area="Glabella",
                        taken_on=dt.date(2026, 11, 1), consent_note="Signed paper consent")
    yield url
    close_database()


def test_a_server_clinic_backs_up_with_pg_dump_and_restores_into_an_empty_database(
        server_clinic, pg_server, tmp_path, pc_data):
    admin = User.get(User.role == "admin")
    counts = _counts()  # what the dump holds
    steps = []
    result = backup.create_backup(admin, tmp_path / "usb", now=NOW,
                                  progress=lambda done, total: steps.append((done, total)))
    folder = tmp_path / "usb" / "medspa-20261123-180000"
    assert result.backup.path == folder and result.backup.photos == 1
    assert sorted(p.name for p in folder.iterdir()) == ["clinic.dump", "manifest.json",
                                                        "photos"]
    assert steps and steps[-1] == (1, 1)
    assert backup.verify_backup(folder) == []
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["engine"] == "postgresql"
    assert manifest["audit_head"]["last_id"] == AuditEvent.select().count() - 1  # + backup.create
    assert (folder / "clinic.dump").stat().st_mode & 0o077 == 0
    assert backup.list_backups(tmp_path / "usb")[0].path == folder
    event = AuditEvent.select().order_by(AuditEvent.id.desc()).first()
    assert event.action == "backup.create" and event.username == "admin"
    assert backup.state().last_ok == NOW
    # unless the clinic chose a folder: this PC's own, apart from a clinic file's backups/
    assert backup.backup_folder() == pc_data / "server-backups"

    # another PC (empty photo folder) restores it into a new database
    shutil.rmtree(pc_data / "photos")
    close_database()
    target = pg_server.url(pg_server.create_database(f"restored_{uuid.uuid4().hex[:8]}"))
    restored = pg_backup.restore_to_server(folder, target, username="ops")
    assert restored.photos_restored == 1
    assert check_database() == []
    after = _counts()
    assert after.pop("audit_event") == counts.pop("audit_event") + 1  # backup.restored
    assert after == counts
    assert AuditEvent.select().order_by(AuditEvent.id.desc()).first().action == \
        "backup.restored"

    # a database that holds a clinic is never restored over
    with pytest.raises(BackupError, match="already holds .* tables; restore only into an "
                                          "empty database"):
        pg_backup.restore_to_server(folder, target)


def test_a_damaged_dump_is_refused(server_clinic, pg_server, tmp_path):
    result = backup.create_backup(None, tmp_path / "usb", now=NOW)
    folder = result.backup.path
    dump = folder / "clinic.dump"
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))
    assert backup.verify_backup(folder) == [
        "the database dump changed after the backup was written"]
    # cut short, its manifest rewritten to match: pg_restore itself cannot read it
    dump.write_bytes(bytes(data[:200]))
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["database_sha256"] = paths.sha256_of(dump)
    (folder / "manifest.json").write_text(json.dumps(manifest))
    problems = backup.verify_backup(folder)
    assert len(problems) == 1 and problems[0].startswith("pg_restore cannot read the dump")
    close_database()
    target = pg_server.url(pg_server.create_database(f"restored_{uuid.uuid4().hex[:8]}"))
    with pytest.raises(BackupError, match="cannot be restored: pg_restore cannot read"):
        pg_backup.restore_to_server(folder, target)
    open_database(target)
    assert db.execute_sql("SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public'"
                          ).fetchone() == (0,)  # nothing written


def test_without_pg_dump_the_backup_says_what_to_install(server_clinic, tmp_path,
                                                         monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr(pg_backup.glob, "glob", lambda _pattern: [])
    with pytest.raises(BackupError, match="pg_dump is not installed on this computer"):
        backup.create_backup(None, tmp_path / "usb", now=NOW)
    assert not any((tmp_path / "usb").iterdir())  # no partial folder left


def test_the_password_reaches_pg_dump_through_the_environment_only():
    env = pg_backup.tool_environment({"host": "db.clinic.lan", "port": 5433, "user": "medspa",
                                      "password": "s3cret", "sslmode": "require"})
    assert (env["PGHOST"], env["PGPORT"], env["PGUSER"], env["PGPASSWORD"],
            env["PGSSLMODE"]) == ("db.clinic.lan", "5433", "medspa", "s3cret", "require")


def test_the_command_line_backs_up_and_restores_a_server_clinic(server_clinic, pg_server,
                                                                tmp_path, pc_data):
    close_database()
    env = dict(os.environ, MEDSPA_DB="", PYTHONPATH=os.getcwd())
    run = [sys.executable, "-m", "medspa_desktop"]
    done = subprocess.run([*run, "backup", "--db", server_clinic, "--to", str(tmp_path / "b")],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Backed up" in done.stdout and "checked" in done.stdout
    (folder,) = (tmp_path / "b").iterdir()
    target = pg_server.url(pg_server.create_database(f"restored_{uuid.uuid4().hex[:8]}"))
    done = subprocess.run([*run, "restore", "--from", str(folder), "--db", target],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Restored" in done.stdout and "check: OK" in done.stdout
    again = subprocess.run([*run, "restore", "--from", str(folder), "--db", target],
                           capture_output=True, text=True, env=env, timeout=120)
    assert again.returncode == 2 and "restore only into an empty database" in again.stderr


RACE = """
import datetime as dt, sys, time
from pathlib import Path
from medspa_desktop.store.database import open_database
from medspa_desktop.services.platform import pg_backup
open_database(sys.argv[1])
start = float(sys.argv[3])
while time.time() < start:
    time.sleep(0.005)
result = pg_backup.daily_backup(None, dt.datetime(2026, 11, 24, 8, 0), folder=Path(sys.argv[2]))
print("took" if result is not None else "skipped")
"""


def test_two_pcs_racing_for_the_daily_backup_take_one(server_clinic, tmp_path, pc_data):
    """Two PCs (processes, each its own connection) start the day's backup at the same
    moment, each into its own folder: one backup is taken, audited once."""
    close_database()
    env = dict(os.environ, MEDSPA_DB="", PYTHONPATH=os.getcwd())
    start = f"{time.time() + 4:.3f}"
    procs = [subprocess.Popen([sys.executable, "-c", RACE, server_clinic,
                               str(tmp_path / pc), start], env=env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for pc in ("pc1", "pc2")]
    said = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), said
    assert sorted(out.strip() for out, _err in said) == ["skipped", "took"]
    taken = [b for pc in ("pc1", "pc2") for b in backup.list_backups(tmp_path / pc)]
    assert len(taken) == 1 and taken[0].taken_at == dt.datetime(2026, 11, 24, 8, 0)
    open_database(server_clinic)
    daily = AuditEvent.select().where(AuditEvent.action == "backup.create",
                                      AuditEvent.summary.startswith("daily"))
    assert daily.count() == 1
    # later that day nobody takes another; the next day the first to ask does
    assert pg_backup.daily_backup(None, dt.datetime(2026, 11, 24, 17, 0),
                                  folder=tmp_path / "pc3") is None
    assert pg_backup.daily_backup(None, dt.datetime(2026, 11, 25, 8, 1),
                                  folder=tmp_path / "pc3") is not None


def test_a_pc_that_finds_the_daily_backup_under_way_leaves_it(server_clinic, pg_server,
                                                              tmp_path):
    import psycopg

    name = db.obj.database
    with psycopg.connect(host=str(pg_server.socket_dir), port=pg_server.port or 5432,
                         user=pg_server.user, dbname=name, autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s)", (pg_backup.DAILY_LOCK,))
        assert pg_backup.daily_backup(None, NOW, folder=tmp_path / "mine") is None
        assert not (tmp_path / "mine").exists()
        other.execute("SELECT pg_advisory_unlock(%s)", (pg_backup.DAILY_LOCK,))
    result = pg_backup.daily_backup(None, NOW, folder=tmp_path / "mine")  # released: taken
    assert result is not None and result.backup.path.parent == tmp_path / "mine"
    # the lock is released after it (another PC may take the next day's)
    assert db.execute_sql("SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND "
                          "database = (SELECT oid FROM pg_database WHERE datname = "
                          "current_database())").fetchone() == (0,)


def test_a_restore_into_a_new_database_on_the_same_server_counts_every_row(
        server_clinic, pg_server, tmp_path, pc_data):
    admin = User.get(User.role == "admin")
    counts = _counts()
    folder = backup.create_backup(admin, tmp_path / "usb", now=NOW).backup.path
    live = db.obj.database
    receptionist = User.get(User.role == "front_desk")
    with pytest.raises(PermissionDenied, match="may not choose the backup folder and restore"):
        pg_backup.create_restore_database(receptionist, folder, "medspa_new")
    with pytest.raises(ValidationError, match="NEW database"):
        pg_backup.create_restore_database(admin, folder, live)
    with pytest.raises(ValidationError, match="small letters"):
        pg_backup.create_restore_database(admin, folder, "Robert'); DROP")
    url = pg_backup.create_restore_database(admin, folder, "medspa_new")
    assert url == pg_server.url("medspa_new")
    last = AuditEvent.select().order_by(AuditEvent.id.desc()).first()
    assert (last.action, last.username) == ("backup.restore", "admin")
    close_database()
    env = dict(os.environ, MEDSPA_DB="", PYTHONPATH=os.getcwd())
    done = subprocess.run([sys.executable, "-m", "medspa_desktop", "restore", "--from",
                           str(folder), "--db", url], capture_output=True, text=True, env=env,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert f"rows: {sum(counts.values()) + 1}, as many in every table as the backup" \
        in done.stdout and "check: OK" in done.stdout
    open_database(url)
    after = _counts()
    # a restore that lost a row would be said, table by table
    manifest = pg_backup.manifest_of(folder)
    short = {**manifest, "counts": {**manifest["counts"],
                                    "patient": manifest["counts"]["patient"] + 1}}
    patients = after["patient"]
    assert pg_backup.count_problems(short)[1] == [
        f"patient holds {patients:,} rows; the backup holds {patients + 1:,}"]
    assert after.pop("audit_event") == counts.pop("audit_event") + 1
    assert after == counts
    # an account the server does not let create databases is told what to ask for; a new,
    # empty database made for it by whoever set up the server is then taken
    import psycopg

    with psycopg.connect(host=str(pg_server.socket_dir), port=pg_server.port or 5432,
                         user=pg_server.user, dbname=live, autocommit=True) as con:
        con.execute("CREATE ROLE clerk LOGIN NOCREATEDB")
        con.execute("GRANT ALL ON ALL TABLES IN SCHEMA public TO clerk")
        con.execute("GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO clerk")
    open_database(pg_server.url(live).replace(f"{pg_server.user}@", "clerk@"))
    with pytest.raises(BackupError, match="does not let this account create databases. Ask "
                                          "whoever set up the server to create an empty "
                                          "database named medspa_asked"):
        pg_backup.create_restore_database(admin, folder, "medspa_asked")
    pg_server.create_database("medspa_asked")
    assert pg_backup.create_restore_database(admin, folder, "medspa_asked") == \
        pg_server.url("medspa_asked").replace(f"{pg_server.user}@", "clerk@")
