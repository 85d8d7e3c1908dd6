"""The round trip: the demo clinic exported and imported into a new, empty clinic file comes
back whole — every table's rows, every stored document's and photo's bytes, the invoice
numbers, the signed notes and the audit chain — and a changed export is refused."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from medspa_desktop.demo import DEMO_PASSWORD
from medspa_desktop.services.charts import merge, notes, patients, photos
from medspa_desktop.services.clinic import clinic
from medspa_desktop.services.exchange import import_clinic as importer
from medspa_desktop.services.exchange.export_clinic import export_clinic
from medspa_desktop.services.platform import audit, auth
from medspa_desktop.services.platform.errors import AuthError, ValidationError
from medspa_desktop.services.platform.integrity import check_database
from medspa_desktop.store.database import close_database, open_database
from medspa_desktop.store.migrations import SCHEMA_VERSION, migrate
from medspa_desktop.store.models import (
    ALL_MODELS,
    AuditEvent,
    Invoice,
    Note,
    Patient,
    PatientNamePart,
    Photo,
    Service,
    StoredFile,
    User,
)
from tests.conftest import give_consent, staff

PNG = b"\x89PNG\r\n\x1a\n" + b"pretend pixels " * 50


def _snapshot() -> dict:
    """What must come back: every table's count and the facts a clinic would check."""
    return {
        "counts": {m._meta.table_name: m.select().count() for m in importer.tables()},
        "stored": sorted((f.id, hashlib.sha256(bytes(f.content)).hexdigest())
                         for f in StoredFile.select()),
        "photos": sorted((p.id, _file_hash(p))
                         for p in Photo.select()),
        "invoices": sorted((i.id, i.number, i.total_cents) for i in Invoice.select()),
        "signed": sorted((n.id, n.fingerprint) for n in Note.select()
                         .where(Note.signed_at.is_null(False))),
        "audit": [(e.id, e.hash) for e in AuditEvent.select().order_by(AuditEvent.id)],
        "staff": sorted((u.id, u.username, u.role, u.active) for u in User.select()),
    }


def _file_hash(photo: Photo) -> str:
    """The photo file's own hash, read from the open clinic's photo folder."""
    path = photos.photo_dir() / photo.sha256[:2] / f"{photo.sha256}.{photo.extension}"
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def exported(demo_db, tmp_path):
    """The demo clinic (with a photo of its own, the copy has none on disk) exported."""
    clinician = User.select().where(User.role == "provider").order_by(User.id).first()
    patient = Patient.select().order_by(Patient.id).first()
    give_consent(clinician, patient.id, "photography")
    photos.import_photo(clinician, patient.id, PNG, tag="before", area="Glabella",
                        taken_on=dt.date.today())
    before = _snapshot()  # the export's own audit event comes after what it holds
    export_clinic(staff("admin"), tmp_path / "export")
    close_database()
    return tmp_path / "export", before


def test_the_demo_clinic_comes_back_whole_in_an_empty_clinic(exported, tmp_path):
    folder, before = exported
    (tmp_path / "new").mkdir()
    open_database(tmp_path / "new" / "clinic.db")
    migrate()
    steps: list[str] = []
    result = importer.import_clinic(folder, progress=steps.append)
    after = _snapshot()

    assert steps
    # every table as it was; the audit log holds one event more: the import's own
    assert after["counts"] == before["counts"] | {
        "audit_event": before["counts"]["audit_event"] + 1}
    assert before["counts"]["patient"] > 0 and before["counts"]["stored_file"] > 0
    assert after["stored"] == before["stored"]
    assert after["photos"] == before["photos"] and after["photos"]
    assert after["invoices"] == before["invoices"]
    assert after["signed"] == before["signed"] and before["signed"]
    assert after["staff"] == before["staff"]
    # the copied chain, then the import's own event
    assert after["audit"][:len(before["audit"])] == before["audit"]
    last = AuditEvent.select().order_by(AuditEvent.id.desc()).first()
    assert last.action == "clinic.import" and len(after["audit"]) == len(before["audit"]) + 1
    assert audit.verify_chain() == []
    assert check_database() == []
    # the name search works again
    assert PatientNamePart.select().count() > 0
    # staff come back without passwords: no one signs in until an admin sets one
    assert sorted(result.staff_without_password) == sorted(u[1] for u in before["staff"])
    with pytest.raises(AuthError):
        auth.authenticate("admin", DEMO_PASSWORD)
    # the photo is in the new clinic's photo folder
    assert all(p.parent.parent.parent == tmp_path / "new"
               for p in (tmp_path / "new" / "photos").rglob("*.png"))


def test_a_changed_export_is_refused_and_nothing_is_written(exported, tmp_path):
    folder, _before = exported
    csv_file = folder / "csv" / "patient.csv"
    data = bytearray(csv_file.read_bytes())
    data[-5] = ord("X") if data[-5] != ord("X") else ord("Y")
    csv_file.write_bytes(bytes(data))
    (tmp_path / "new").mkdir()
    open_database(tmp_path / "new" / "clinic.db")
    migrate()
    with pytest.raises(ValidationError, match="changed after it was written"):
        importer.import_clinic(folder)
    assert all(m.select().count() == 0 for m in ALL_MODELS if m._meta.table_name != "schema_meta")
    assert not (tmp_path / "new" / "photos").exists()


def test_a_clinic_in_use_is_refused(exported, tmp_path):
    folder, _before = exported
    open_database(tmp_path / "demo.db")  # the demo clinic itself
    events = AuditEvent.select().count()
    with pytest.raises(ValidationError, match="only into a new, empty clinic"):
        importer.import_clinic(folder)
    assert AuditEvent.select().count() == events


def test_the_command_line_imports_into_a_new_file_and_check_is_clean(exported, tmp_path):
    folder, before = exported
    target = tmp_path / "moved" / "clinic.db"
    target.parent.mkdir()
    run = subprocess.run([sys.executable, "-m", "medspa_desktop", "import", "--from",
                          str(folder), "--db", str(target), "--admin", "admin"],
                         input="a-new-password\n", capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert f"{before['counts']['patient']} patients" in run.stdout
    others = sorted(u[1] for u in before["staff"] if u[1] != "admin")
    assert "without a password yet: " + ", ".join(others) in run.stdout
    check = subprocess.run([sys.executable, "-m", "medspa_desktop", "check", "--db",
                            str(target)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    again = subprocess.run([sys.executable, "-m", "medspa_desktop", "import", "--from",
                            str(folder), "--db", str(target)], capture_output=True, text=True)
    assert again.returncode != 0 and "already" in again.stderr
    # the admin named on the import signs in with the new password; the others cannot yet
    open_database(target)
    assert auth.authenticate("admin", "a-new-password").username == "admin"
    with pytest.raises(AuthError):
        auth.authenticate(others[0], DEMO_PASSWORD)


def test_a_refused_import_leaves_no_new_file(exported, tmp_path):
    folder, _before = exported
    (folder / "csv" / "invoice.csv").unlink()
    target = tmp_path / "clinic.db"
    run = subprocess.run([sys.executable, "-m", "medspa_desktop", "import", "--from",
                          str(folder), "--db", str(target)], capture_output=True, text=True)
    assert run.returncode != 0 and "incomplete" in run.stderr
    assert "Traceback" not in run.stderr
    assert not target.exists()


def test_a_note_still_verifies_after_the_trip(exported, tmp_path):
    folder, _before = exported
    (tmp_path / "new").mkdir()
    open_database(tmp_path / "new" / "clinic.db")
    migrate()
    importer.import_clinic(folder)
    for note in Note.select().where(Note.signed_at.is_null(False)):
        assert notes.fingerprint(note) == note.fingerprint


def test_a_postgresql_clinic_takes_the_export_and_goes_on_numbering(exported, pg_server,
                                                                     tmp_path, monkeypatch):
    folder, before = exported
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # the photo folder
    open_database(pg_server.url(pg_server.create_database("medspa_round_trip")))
    try:
        migrate()
        importer.import_clinic(folder)
        after = _snapshot()
        assert after["counts"] == before["counts"] | {
            "audit_event": before["counts"]["audit_event"] + 1,
            # on a server each photo is in the database too, for every PC
            "stored_file": before["counts"]["stored_file"] + len(before["photos"])}
        assert after["invoices"] == before["invoices"]
        assert after["photos"] == before["photos"]
        assert check_database() == []
        # another PC (no photo folder of its own yet) shows the photo from the server
        shutil.rmtree(photos.photo_dir())
        clinician = User.select().where(User.role == "provider").order_by(User.id).first()
        shown = photos.photo_bytes(clinician, Photo.select().first().id)
        assert hashlib.sha256(shown).hexdigest() == before["photos"][0][1]
        # the sequences moved past the imported ids: the next patient gets a new one
        newest = Patient.select().order_by(Patient.id.desc()).first().id
        zoe = patients.create_patient(staff("admin"),
                                      patients.PatientInput("Zoë", "Ng", dt.date(1990, 1, 1)))
        assert zoe.id > newest
    finally:
        close_database()


def test_a_clinic_that_just_installed_goes_round_too(admin, tmp_path):
    before = _snapshot()  # the export's own audit event comes after what it holds
    export_clinic(admin, tmp_path / "export")
    close_database()
    (tmp_path / "new").mkdir()
    open_database(tmp_path / "new" / "clinic.db")
    migrate()
    result = importer.import_clinic(tmp_path / "export", admin=("admin", "a-new-password"))
    after = _snapshot()
    assert after["counts"] == before["counts"] | {
        "audit_event": before["counts"]["audit_event"] + 1}
    assert result.staff_without_password == [] and result.photos == 0
    assert auth.authenticate("admin", "a-new-password").id == admin.id
    assert check_database() == []


def test_texts_come_back_exactly_apostrophes_and_empty_texts_too(admin, tmp_path):
    """A text that began with an apostrophe keeps it, a formula-like text comes back without
    the guard, and an empty optional text comes back empty, not missing."""
    texts = ["'=1+1", "'plain", "''twice", "=SUM(A1)", "-dash", "@home", "O'Brien", "'"]
    made = [patients.create_patient(admin, patients.PatientInput(
        "Ann", last, dt.date(1980, 1, 1), address=f"{last}\n12 Main St"))
        for last in texts]
    Service.update(device_kind="").where(Service.id == Service.select().first().id).execute()
    with_null = Service.select().order_by(Service.id.desc()).first()
    assert with_null.device_kind is None
    export_clinic(admin, tmp_path / "export")
    # a spreadsheet never sees a cell starting with a formula character
    sheet = (tmp_path / "export" / "csv" / "patient.csv").read_text(encoding="utf-8-sig")
    assert "''=1+1" in sheet and "'=SUM(A1)" in sheet and "''plain" in sheet
    close_database()
    (tmp_path / "new").mkdir()
    open_database(tmp_path / "new" / "clinic.db")
    migrate()
    importer.import_clinic(tmp_path / "export")
    back = {p.id: (p.last_name, p.address) for p in Patient.select()}
    assert [back[p.id] for p in made] == [(t, f"{t}\n12 Main St") for t in texts]
    assert Service.select().first().device_kind == ""
    assert Service.get_by_id(with_null.id).device_kind is None


def test_self_references_that_point_ahead_come_back(admin, tmp_path):
    """A chart merged into a newer chart (its reference points to a larger id) and a refund
    (pointing back) both come back as they were."""
    older = patients.create_patient(admin, patients.PatientInput("Bo", "Old", dt.date(1970, 1, 1)))
    newer = patients.create_patient(admin, patients.PatientInput("Bo", "Old", dt.date(1970, 1, 1)))
    keep_chart = patients.create_patient(admin, patients.PatientInput(
        "Cy", "Kept", dt.date(1971, 1, 1)))
    merge.merge_patients(admin, newer.id, older.id, keep_version=newer.version,
                         other_version=older.version)
    newer = Patient.get_by_id(newer.id)
    merge.merge_patients(admin, keep_chart.id, newer.id, keep_version=keep_chart.version,
                         other_version=newer.version)
    before = sorted((p.id, p.merged_into_id) for p in Patient.select())
    assert dict(before)[older.id] == keep_chart.id and dict(before)[newer.id] == keep_chart.id
    export_clinic(admin, tmp_path / "export")
    close_database()
    (tmp_path / "new").mkdir()
    open_database(tmp_path / "new" / "clinic.db")
    migrate()
    importer.import_clinic(tmp_path / "export")
    assert sorted((p.id, p.merged_into_id) for p in Patient.select()) == before
    assert check_database() == []


def test_the_clinics_logo_goes_round_too(admin, tmp_path):
    """A stored document no consent points to (the letterhead's logo) is exported as a file
    and comes back with the same bytes."""
    sha = clinic.set_logo(admin, PNG)
    export_clinic(admin, tmp_path / "export")
    assert [p.name for p in (tmp_path / "export" / "files" / "stored").iterdir()] == \
        [f"{StoredFile.get(StoredFile.sha256 == sha).id} {sha[:12]}.png"]
    close_database()
    (tmp_path / "new").mkdir()
    open_database(tmp_path / "new" / "clinic.db")
    migrate()
    importer.import_clinic(tmp_path / "export")
    assert clinic.logo() == PNG


OLD_EXPORT = Path(__file__).parents[2] / "fixtures" / "export_schema17"


def test_an_export_of_an_older_version_imports_with_what_it_did_not_have_left_empty(
        database, tmp_path):
    """An export written by schema 17 (a frozen copy in tests/fixtures: no outbox, no contact
    answers, no preparation instructions, no schemaVersion in its manifest) still moves in:
    the tables it lacked stay empty, the columns it lacked take their defaults."""
    preview = importer.preview(OLD_EXPORT)
    assert preview.clinic == "Old Version Clinic" and preview.admins == [("admin", "Ada Admin")]
    result = importer.import_clinic(OLD_EXPORT, admin=("admin", "a-new-password"))
    assert result.counts["patient"] == 2 and result.counts["outbox_message"] == 0
    assert sorted(p.last_name for p in Patient.select()) == ["O'Brien", "Oldexport"]
    assert {s.preparation for s in Service.select()} == {""}
    assert auth.authenticate("admin", "a-new-password").username == "admin"
    assert check_database() == []


def test_an_export_of_a_newer_version_is_refused_with_nothing_written(database, tmp_path):
    copy = tmp_path / "newer"
    shutil.copytree(OLD_EXPORT, copy)
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    manifest["schemaVersion"] = SCHEMA_VERSION + 1
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(ValidationError, match="newer version"):
        importer.import_clinic(copy)
    assert not Patient.select().exists() and not User.select().exists()


def test_a_current_export_missing_a_table_is_still_refused(admin, tmp_path):
    """Leaving a table out is forgiven only to an older version's export."""
    export_clinic(admin, tmp_path / "export")
    manifest_path = tmp_path / "export" / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    assert manifest["schemaVersion"] == SCHEMA_VERSION
    manifest["files"] = [e for e in manifest["files"] if e["path"] != "csv/outbox_message.csv"]
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    (tmp_path / "export" / "csv" / "outbox_message.csv").unlink()
    close_database()
    (tmp_path / "new").mkdir()
    open_database(tmp_path / "new" / "clinic.db")
    migrate()
    with pytest.raises(ValidationError, match="no csv/outbox_message.csv"):
        importer.import_clinic(tmp_path / "export")
    assert not User.select().exists()
