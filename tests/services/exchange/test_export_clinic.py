"""Export everything: the demo clinic and an empty one, read back with the FHIR R4 models,
counted against the database, every file against its fingerprint; admin only; a cancel
leaves nothing."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest
from fhir.resources import get_fhir_model_class

from medspa_desktop.services.charts import notes, patients, photos
from medspa_desktop.services.exchange.export_clinic import (
    ExportCancelled,
    currency_code,
    export_clinic,
)
from medspa_desktop.services.platform import auth, settings
from medspa_desktop.services.platform.errors import PermissionDenied
from medspa_desktop.store.database import db
from medspa_desktop.store.models import (
    Appointment,
    AuditEvent,
    Consent,
    Invoice,
    InvoiceLine,
    Note,
    NoteAddendum,
    Patient,
    Payment,
    Photo,
    StoredFile,
    TreatmentRecord,
    User,
)
from tests.conftest import give_consent, staff

PNG = b"\x89PNG\r\n\x1a\n" + b"pretend pixels " * 50


def _read_fhir(folder: Path) -> dict[str, list]:
    """Every line of every NDJSON file, parsed by the FHIR R4 model of its type."""
    read: dict[str, list] = {}
    for path in sorted((folder / "fhir").glob("*.ndjson")):
        for line in path.read_text(encoding="utf-8").splitlines():
            data = json.loads(line)
            assert data["resourceType"] == path.stem
            read.setdefault(path.stem, []).append(
                get_fhir_model_class(data["resourceType"]).parse_obj(data))
    return read


def _references_resolve(folder: Path) -> None:
    """Every reference names a resource the export holds."""
    ids, references = set(), []

    def walk(value) -> None:
        if isinstance(value, dict):
            if isinstance(value.get("reference"), str):
                references.append(value["reference"])
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for path in (folder / "fhir").glob("*.ndjson"):
        for line in path.read_text(encoding="utf-8").splitlines():
            data = json.loads(line)
            ids.add(f"{data['resourceType']}/{data['id']}")
            walk(data)
    assert references and set(references) <= ids


def _manifest_holds_every_file(folder: Path) -> dict:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    listed = {entry["path"] for entry in manifest["files"]}
    on_disk = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert on_disk - {"manifest.json"} == listed
    for entry in manifest["files"]:
        data = (folder / entry["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], entry["path"]
        assert len(data) == entry["bytes"]
    return manifest


def _csv_rows(folder: Path, table: str) -> list[dict]:
    raw = (folder / "csv" / f"{table}.csv").read_bytes()
    assert raw.startswith("\ufeff".encode())  # UTF-8 with BOM: Excel reads the accents
    return list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))


def test_the_demo_clinic_exports_in_fhir_r4_and_csv_with_every_count_and_hash(demo_db,
                                                                               tmp_path):
    admin = staff("admin")
    events_before = AuditEvent.select().count()
    steps: list[str] = []
    result = export_clinic(admin, tmp_path / "export", progress=steps.append)
    folder = tmp_path / "export"
    assert result.path == folder and steps

    manifest = _manifest_holds_every_file(folder)
    resources = _read_fhir(folder)
    _references_resolve(folder)
    counts = manifest["counts"]
    for kind, items in resources.items():
        assert counts["fhir"][kind] == len(items)
    documents = (Consent.select().count() + Note.select().count()
                 + NoteAddendum.select().count() + Photo.select().count())
    assert counts["fhir"] == counts["fhir"] | {
        "Patient": Patient.select().count(), "Appointment": Appointment.select().count(),
        "Practitioner": User.select().count(), "Procedure": TreatmentRecord.select().count(),
        "Consent": Consent.select().count(), "DocumentReference": documents,
        "Invoice": Invoice.select().count(), "ChargeItem": InvoiceLine.select().count(),
        "PaymentReconciliation": Payment.select().count(), "AuditEvent": events_before}
    assert counts["fhir"]["Patient"] == 300 and counts["fhir"]["Appointment"] > 0
    assert counts["files"]["consents"] == Consent.select().count() > 0
    assert len(_csv_rows(folder, "patient")) == counts["csv"]["patient"] == 300
    assert len(_csv_rows(folder, "invoice")) == Invoice.select().count()
    assert "password_hash" not in _csv_rows(folder, "user")[0]

    # a consent's document: the same bytes, named so a person finds it
    consent = Consent.select().order_by(Consent.id.desc()).first()
    patient, stored = consent.patient, StoredFile.get_by_id(consent.document_id)
    folder_of = folder / "files" / "consents" / (
        f"{patient.chart_number} {patient.last_name} {patient.first_name}")
    [pdf] = [p for p in folder_of.iterdir() if p.stem.endswith(f" consent {consent.id}")]
    assert pdf.name.startswith(f"{consent.signed_at:%Y-%m-%d} {consent.category}")
    assert pdf.read_bytes() == bytes(stored.content)
    reference = next(d for d in resources["DocumentReference"] if d.id == f"consent-{consent.id}")
    assert reference.content[0].attachment.extension[0].valueString == \
        pdf.relative_to(folder).as_posix()
    fhir_consent = next(c for c in resources["Consent"] if c.id == str(consent.id))
    assert fhir_consent.sourceReference.reference == f"DocumentReference/consent-{consent.id}"

    # lots travel with the injections
    injected = resources["MedicationAdministration"][0]
    lot_id = injected.medicationReference.reference.split("/")[1]
    medication = next(m for m in resources["Medication"] if m.id == lot_id)
    assert medication.batch.lotNumber and medication.batch.expirationDate

    # one audit event for the whole export, not one per chart
    new = list(AuditEvent.select().where(AuditEvent.id > 0).order_by(AuditEvent.id)
               .offset(events_before))
    assert [e.action for e in new] == ["data.export"]
    assert str(folder) in new[0].summary and "300 patients" in new[0].summary


def test_an_empty_clinic_exports_too(admin, tmp_path):
    result = export_clinic(admin, tmp_path / "empty export")
    manifest = _manifest_holds_every_file(result.path)
    resources = _read_fhir(result.path)
    assert manifest["counts"]["fhir"]["Patient"] == 0
    assert manifest["counts"]["fhir"]["Practitioner"] == 1 == len(resources["Practitioner"])
    assert manifest["counts"]["files"] == {"consents": 0, "photos": 0}
    assert _csv_rows(result.path, "patient") == []


def test_photos_notes_and_addenda_go_out_as_files_and_document_references(admin, tmp_path):
    rn = auth.create_user(admin, auth.UserInput("rn", "Jo Kim", "provider", "long-enough"))
    zoe = patients.create_patient(admin, patients.PatientInput("Zoë", "Ng", dt.date(1990, 1, 1)))
    give_consent(rn, zoe.id, "photography")
    photo = photos.import_photo(rn, zoe.id, PNG, tag="before", area="Glabella / forehead",
                                taken_on=dt.date(2026, 11, 1))
    note = notes.start_note(rn, zoe.id, category="neurotoxin")
    note = notes.sign(rn, note.id, note.version)
    notes.add_addendum(rn, note.id, "Dose was misread", "20 U, not 2 U.")

    result = export_clinic(admin, tmp_path / "out")
    _manifest_holds_every_file(result.path)
    documents = {d.id: d for d in _read_fhir(result.path)["DocumentReference"]}
    _references_resolve(result.path)

    copied = result.path / "files" / "photos" / "000001 Ng Zoë" / \
        f"2026-11-01 before Glabella forehead {photo.id}.png"
    assert copied.read_bytes() == PNG
    assert documents[f"photo-{photo.id}"].identifier[0].value == photo.sha256
    signed = documents[f"note-{note.id}"]
    assert signed.docStatus == "final"
    assert {e.url.rsplit("/", 1)[1]: e.valueString for e in signed.extension
            if e.valueString}["fingerprint"] == Note.get_by_id(note.id).fingerprint
    [addendum] = [d for d in documents.values() if d.id.startswith("addendum-")]
    assert addendum.relatesTo[0].code == "appends"
    assert addendum.relatesTo[0].target.reference == f"DocumentReference/note-{note.id}"


def test_a_cell_a_spreadsheet_would_run_is_written_as_text(admin, tmp_path):
    patients.create_patient(admin, patients.PatientInput(
        "=HYPERLINK(\"http://x\")", "+Smith", dt.date(1980, 5, 6)))
    result = export_clinic(admin, tmp_path / "out")
    [row] = _csv_rows(result.path, "patient")
    assert row["first_name"] == "'=HYPERLINK(\"http://x\")"
    assert row["last_name"] == "'+Smith"
    assert row["dob"] == "1980-05-06"


def test_a_cancelled_export_leaves_nothing(demo_db, tmp_path):
    target = tmp_path / "exports"
    target.mkdir()
    asked = []

    def cancelled() -> bool:
        asked.append(1)
        return len(asked) > 6  # a few resource types in

    with pytest.raises(ExportCancelled):
        export_clinic(staff("admin"), target / "clinic", cancelled=cancelled)
    assert list(target.iterdir()) == []
    assert not AuditEvent.select().where(AuditEvent.action == "data.export").exists()


def test_only_an_admin_may_export(demo_db, tmp_path):
    for username in ("frontdesk", "director", "injector"):
        with pytest.raises(PermissionDenied, match="may not export all of the clinic's data"):
            export_clinic(staff(username), tmp_path / "out")
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith(demo_db.name)] == []


def test_an_existing_folder_is_never_written_into(admin, tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("mine")
    with pytest.raises(Exception, match="already exists"):
        export_clinic(admin, tmp_path / "out")
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["keep.txt"]


def test_money_carries_the_clinics_iso_currency_code(admin, tmp_path):
    dollars = export_clinic(admin, tmp_path / "dollars")
    assert json.loads((dollars.path / "manifest.json").read_text("utf-8"))["currency"] == "USD"
    with db.atomic():
        settings.put({settings.CURRENCY_SYMBOL: "€"})
    result = export_clinic(admin, tmp_path / "euros")
    manifest = _manifest_holds_every_file(result.path)
    assert (manifest["currencySymbol"], manifest["currency"]) == ("€", "EUR")
    [service, *_] = _read_fhir(result.path)["HealthcareService"]
    [price] = [e.valueMoney for e in service.extension if e.url.endswith("/price")]
    assert price.currency == "EUR" and price.value > 0


def test_the_currency_code_is_worked_out_from_the_symbol_and_time_zone():
    assert currency_code("$") == "USD"
    assert currency_code("$", "America/Toronto") == "CAD"
    assert currency_code("$", "Australia/Sydney") == "AUD"
    assert currency_code("$", "America/New_York") == "USD"
    assert currency_code("£") == "GBP" and currency_code("CHF") == "CHF"
    assert currency_code("kr") == ""  # Sweden, Norway and Denmark all write kr
