"""On a shared clinic PC the clinic's files are one OS account's own: the data, photo, log and
backup folders 0700 and every file in them 0600, made that way through the program's real
paths, kept by backups and restores, and tightened on a clinic an earlier version set up.

Each test runs with the usual umask (022, which makes 0755 folders and 0644 files), so the
modes come from the program, not from the test's environment."""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from medspa_desktop import paths
from medspa_desktop.logs import PrivateRotatingFileHandler, log, setup_logging
from medspa_desktop.services.charts import patients
from medspa_desktop.services.clinic import clinic
from medspa_desktop.services.platform import audit_anchor, auth, backup
from medspa_desktop.store.database import close_database, open_database
from medspa_desktop.store.migrations import migrate
from medspa_desktop.store.opening import open_clinic_database
from tests.services.charts.test_photos import JPEG, PNG, _import
from tests.store.test_migrations import FIXTURE_DIR

pytestmark = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX; on Windows "
                                "the per-user data folder is the account's own")
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def usual_umask():
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.fixture
def home(tmp_path, monkeypatch, usual_umask) -> Path:
    """A home folder of its own: platformdirs puts the data and log folders in it."""
    for name in ("XDG_DATA_HOME", "XDG_STATE_HOME", "MEDSPA_DB", "MEDSPA_LOG_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert paths.data_dir().is_relative_to(tmp_path) and paths.log_dir().is_relative_to(tmp_path)
    yield tmp_path / "home"
    for handler in list(log.handlers):  # the log file of this test's home
        if isinstance(handler, logging.FileHandler):
            log.removeHandler(handler)
            handler.close()
    close_database()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def not_private(*folders: Path) -> list[str]:
    """Every folder (itself and below) that is not 0700 and every file that is not 0600."""
    wrong = []
    for top in folders:
        for path in [top, *top.rglob("*")]:
            want = 0o700 if path.is_dir() else 0o600
            if mode(path) != want:
                wrong.append(f"{path.relative_to(top.parent)} is {oct(mode(path))}")
    return wrong


def _set_up_clinic():
    admin = clinic.create_clinic(
        clinic.ClinicInfo("Test Clinic", "1 Main St", "555 010 0100", "12-3456789"),
        auth.UserInput("admin", "Ada Admin", "admin", "correct-horse"))
    rn = auth.create_user(admin, auth.UserInput("rn", "Jo Kim", "provider", "long-enough"))
    zoe = patients.create_patient(admin, patients.PatientInput("Zoë", "Ng", dt.date(1990, 1, 1)))
    _import(rn, zoe, PNG)
    _import(rn, zoe, JPEG, tag="after")
    return admin


def test_a_clinic_set_up_through_the_real_paths_is_the_accounts_own(home):
    target = Path(paths.default_database())
    assert open_clinic_database(str(target)) is None
    admin = _set_up_clinic()
    log_file = setup_logging()
    log.info("a line in the log")
    for handler in log.handlers:
        if isinstance(handler, PrivateRotatingFileHandler):
            handler.doRollover()  # the next log file is made owner-only too
    log.info("a line in the next log file")
    taken = backup.create_backup(admin).backup.path  # backups/ beside the database
    data, logs = paths.data_dir(), paths.log_dir()
    assert {p.name for p in data.iterdir()} >= {"clinic.db", "clinic.db-wal", "clinic.db-shm",
                                                "photos", "backups"}
    assert len(list((data / "photos").rglob("*.*"))) == 2
    assert {p.name for p in logs.iterdir()} == {log_file.name, f"{log_file.name}.1",
                                                audit_anchor.ANCHOR_FILE}
    assert len(list(taken.rglob("*"))) == 7  # db, manifest, photos/ and 2 folders, 2 photos
    assert not_private(data, logs) == []
    # the data folder's parent folders the program made are the account's own too
    assert mode(data.parent) == 0o700

    close_database()
    (data / "photos").rename(home / "photos-lost")  # a failed disk: the restore copies them
    result = backup.restore_backup(taken, target)
    assert result.photos_restored == 2 and result.replaced
    assert not_private(data, logs) == []


def test_a_clinic_an_earlier_version_set_up_is_tightened_when_it_is_opened(home):
    data = paths.data_dir()
    data.mkdir(parents=True)  # 0755, as before
    target = data / "clinic.db"
    open_database(target)
    migrate()
    _set_up_clinic()
    taken = backup.create_backup(None, now=dt.datetime(2026, 11, 23, 18, 0)).backup.path
    close_database()
    for path in [data, *data.rglob("*")]:  # the modes an earlier version left
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    open_database(target)  # the WAL is there again, 0644 (it copies the file's mode)
    close_database()
    assert open_clinic_database(str(target)) is None
    wal = Path(f"{target}-wal")
    assert (mode(data), mode(target), mode(wal)) == (0o700, 0o600, 0o600)
    assert (mode(data / "photos"), mode(data / "backups")) == (0o700, 0o700)
    # what is inside photos/ and backups/ keeps its mode, reached only through those folders
    assert mode(taken / "clinic.db") == 0o644


def test_a_backup_an_earlier_version_wrote_is_restored_owner_only(home):
    target = Path(paths.default_database())
    assert open_clinic_database(str(target)) is None
    _set_up_clinic()
    drive = home / "usb"
    taken = backup.create_backup(None, drive).backup.path
    assert not_private(taken) == []
    close_database()
    for path in [taken, *taken.rglob("*")]:  # as a backup from before modes were kept
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    (paths.data_dir() / "photos").rename(home / "photos-lost")
    backup.restore_backup(taken, target)
    assert not_private(paths.data_dir()) == []


def test_a_backup_into_a_folder_the_clinic_chose_is_owner_only_inside_it(home):
    target = Path(paths.default_database())
    assert open_clinic_database(str(target)) is None
    _set_up_clinic()
    chosen = home / "shared-drive"
    chosen.mkdir()  # 0755: the clinic's own folder, for other things too
    taken = backup.create_backup(None, chosen).backup.path
    assert mode(chosen) == 0o755  # left as the clinic made it
    assert not_private(taken) == []


def test_the_command_line_writes_owner_only_files_whatever_the_umask(home, tmp_path):
    """The program works with umask 077: even a file written by code that sets no mode (the
    copy taken before a schema upgrade) is the account's own."""
    old = tmp_path / "old.db"
    old.write_bytes((ROOT / "tests" / "fixtures" / "schema_v1.db").read_bytes())
    drive = tmp_path / "drive"
    environment = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, str(ROOT / "main.py"), *args],
                              capture_output=True, text=True, timeout=300, env=environment,
                              cwd=ROOT, umask=0o022)

    run("check", "--db", str(old))  # upgrades the schema, with a copy taken first
    upgrade_copies = tmp_path / "backups"
    assert [p.suffix for p in upgrade_copies.iterdir()] == [".db"]
    assert not_private(upgrade_copies) == []
    result = run("backup", "--db", str(old), "--to", str(drive))
    assert result.returncode == 0, result.stdout + result.stderr
    assert not_private(drive) == []
    assert not_private(paths.log_dir()) == []  # the anchor file the backup appended to


def test_the_copy_taken_before_a_schema_upgrade_is_the_accounts_own(home):
    """Opening a file an older version wrote upgrades it after copying it aside: the copy holds
    every chart, so it is owner-only like the file itself, whatever the umask."""
    data = paths.data_dir()
    data.mkdir(parents=True)
    target = data / "clinic.db"
    oldest = min(FIXTURE_DIR.glob("schema_v*.db"),
                 key=lambda p: int(p.stem.removeprefix("schema_v")))
    shutil.copy(oldest, target)
    assert open_clinic_database(str(target)) is None
    (copy,) = (data / "backups").glob("clinic-schema-v*.db")
    assert not_private(data / "backups") == []
