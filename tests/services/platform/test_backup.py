"""Backups: written through SQLite's backup API with the photos, checked before they count,
rotated 7 daily / 4 weekly / 12 monthly, and restored only after a check, keeping the
replaced database aside."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medspa_desktop.services.charts import patients
from medspa_desktop.services.platform import auth, backup
from medspa_desktop.services.platform.backup import BackupError
from medspa_desktop.services.platform.errors import PermissionDenied, ValidationError
from medspa_desktop.services.platform.integrity import check_database
from medspa_desktop.store.database import close_database, open_database
from medspa_desktop.store.migrations import SCHEMA_VERSION, migrate
from medspa_desktop.store.models import AuditEvent, Patient
from tests.services.charts.test_photos import JPEG, PNG, _import
from tests.services.charts.test_photos import clinic as people  # noqa: F401 (fixture)

NOW = dt.datetime(2026, 11, 23, 18, 0)


@pytest.fixture
def office(people, tmp_path):  # noqa: F811
    rn, desk, zoe = people
    _import(rn, zoe, PNG)
    _import(rn, zoe, JPEG, tag="after")
    return {"rn": rn, "desk": desk, "zoe": zoe, "drive": tmp_path / "usb"}


def test_a_backup_holds_the_database_and_photos_and_passes_its_check(office, admin):
    steps = []
    result = backup.create_backup(office["desk"], office["drive"], now=NOW,
                                  progress=lambda done, total: steps.append((done, total)))
    folder = office["drive"] / "medspa-20261123-180000"
    assert result.backup.path == folder and result.backup.photos == 2
    assert sorted(p.name for p in folder.iterdir()) == ["clinic.db", "manifest.json", "photos"]
    assert backup.verify_backup(folder) == []
    assert steps and steps[-1] == (2, 2)  # the pages, then the photos, counted up
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["schema_version"] == SCHEMA_VERSION and manifest["reason"] == "manual"
    with (folder / "clinic.db").open("rb") as fh:  # one self-contained file, not WAL
        assert fh.read(20)[18:20] == b"\x01\x01"
    state = backup.state()
    assert (state.last_ok, state.last_path, state.changed_since) == (NOW, str(folder), False)
    assert not state.due(NOW + dt.timedelta(hours=23)) and state.due(NOW + dt.timedelta(days=1))
    patients.create_patient(admin, patients.PatientInput("Ann", "Lee", dt.date(1980, 2, 2)))
    assert backup.state().changed_since
    assert AuditEvent.select().where(AuditEvent.action == "backup.create").count() == 1

    second = backup.create_backup(office["desk"], office["drive"],
                                  now=NOW + dt.timedelta(minutes=5))
    assert second.linked_photos == 2  # hard links to the first backup's files
    # the newest of a day is that day's backup: the earlier one was rotated out
    assert [b.path.name for b in backup.list_backups(office["drive"])] == [
        "medspa-20261123-180500"]
    assert second.removed == (office["drive"] / "medspa-20261123-180000",)
    assert backup.verify_backup(second.backup.path) == []  # its linked photos outlived it


def test_a_restore_checks_the_backup_and_keeps_the_replaced_database(office, admin, database):
    taken = backup.create_backup(admin, office["drive"], now=NOW).backup.path
    later = patients.create_patient(admin, patients.PatientInput("Late", "Comer",
                                                                 dt.date(1980, 2, 2)))
    (database.parent / "photos").rename(database.parent / "photos-lost")  # a failed disk
    close_database()
    result = backup.restore_backup(taken, database, now=NOW + dt.timedelta(hours=1))
    assert result.photos_restored == 2 and result.schema_version == SCHEMA_VERSION
    assert result.replaced[0].name == "clinic.db.replaced-20261123-190000"
    open_database(database)
    migrate()
    assert check_database() == []
    assert Patient.get_or_none(Patient.id == later.id) is None  # written after the backup
    open_database(result.replaced[0])  # the replaced database is whole, kept aside
    assert Patient.get_or_none(Patient.id == later.id) is not None


def test_a_damaged_backup_is_refused_and_nothing_is_replaced(office, admin, database):
    taken = backup.create_backup(admin, office["drive"], now=NOW).backup.path
    photo = next((taken / "photos").rglob("*.png"))
    photo.write_bytes(b"\x89PNG\r\n\x1a\nrotten")
    assert backup.verify_backup(taken) == [
        f"photo {photo.parent.name}/{photo.name} does not match its fingerprint"]
    data = bytearray((taken / "clinic.db").read_bytes())
    data[5000] ^= 0xFF
    (taken / "clinic.db").write_bytes(bytes(data))
    assert backup.verify_backup(taken) == [
        "the database file changed after the backup was written"]
    close_database()
    before = database.read_bytes()
    with pytest.raises(BackupError, match="cannot be restored: the database file changed"):
        backup.restore_backup(taken, database)
    assert database.read_bytes() == before
    assert backup.verify_backup(office["drive"]) == [
        f"{office['drive']} is not a MedSpa backup (it needs clinic.db and manifest.json)."]


def test_only_an_admin_chooses_the_backup_folder_and_it_must_take_files(office, admin, tmp_path):
    with pytest.raises(PermissionDenied):
        backup.set_backup_folder(office["desk"], str(tmp_path))
    with pytest.raises(ValidationError, match="full path"):
        backup.set_backup_folder(admin, "backups")
    with pytest.raises(ValidationError, match="does not exist"):
        backup.set_backup_folder(admin, str(tmp_path / "E"))
    (tmp_path / "E").mkdir()
    assert backup.set_backup_folder(admin, str(tmp_path / "E")) == tmp_path / "E"
    assert backup.backup_folder() == tmp_path / "E"
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")
    with pytest.raises(BackupError, match="cannot be used"):
        backup.create_backup(admin, blocked / "sub", now=NOW)
    nurse = auth.create_user(admin, auth.UserInput("nn", "Nat", "provider", "long-enough"))
    assert backup.create_backup(nurse, now=NOW).backup.path.parent == tmp_path / "E"


def test_rotation_keeps_7_daily_4_weekly_and_12_monthly(office, admin):
    start = dt.datetime(2025, 1, 1, 12)
    for day in range(0, 420, 3):  # a backup every third day for fourteen months
        backup.create_backup(admin, office["drive"], now=start + dt.timedelta(days=day))
    kept = [b.taken_at for b in backup.list_backups(office["drive"])]
    newest = start + dt.timedelta(days=417)
    assert kept[0] == newest
    assert kept[:7] == [newest - dt.timedelta(days=3 * n) for n in range(7)]  # 7 daily
    assert len({t.isocalendar()[:2] for t in kept[:9]}) == 4  # and the 4th week back's newest
    assert len({(t.year, t.month) for t in kept}) == 12  # and the newest of 12 months
    assert len(kept) == 7 + 1 + 11  # the rest were in the days (and weeks) already


@given(st.lists(st.datetimes(min_value=dt.datetime(2020, 1, 1),
                             max_value=dt.datetime(2030, 1, 1)), min_size=1, max_size=60))
def test_rotation_keeps_the_newest_and_at_most_23(times):
    kept = backup.to_keep(times)
    assert max(times) in kept and len(kept) <= 7 + 4 + 12
    assert len({t.date() for t in kept}) >= min(7, len({t.date() for t in times}))

