"""Export everything: the whole clinic, in open formats, in one folder the clinic owns.

::

    <folder>/
      manifest.json           every file with its SHA-256 and size, the counts per kind
      fhir/<Type>.ndjson      FHIR R4 resources, one JSON object a line (as FHIR Bulk Data)
      csv/<table>.csv         every table, one row a record (UTF-8 with BOM, formula-safe)
      files/consents/<chart no> <Last> <First>/<date> <category> consent <id>.pdf|.jpg|.png
                              (a DocumentReference's attachment names its file in the
                              ``path`` extension: FHIR's ``url`` must be absolute)
      files/photos/<chart no> <Last> <First>/<date> <tag> <area> <id>.jpg|.png
      files/stored/<id> <sha256 start>.png|.jpg|.pdf
                              the stored documents no consent points to (the clinic's logo)

FHIR resources: Patient, Practitioner (staff), Location (rooms), Device, HealthcareService
(the catalog), Appointment (its history as ``appointment-change`` extensions), Procedure (a
charted treatment: parameters as JSON in an extension, amendments as notes), Medication (a
lot: ``batch.lotNumber``, ``batch.expirationDate``), MedicationAdministration (stock drawn for
a patient), QuestionnaireResponse (a patient's intake answers given on one day),
Consent (with its document as a DocumentReference), DocumentReference (signed consents, notes,
addenda — ``relatesTo`` ``appends`` — and photos), Invoice with a ChargeItem per line,
PaymentReconciliation (one per payment or refund: FHIR R4 has no Payment resource a clinic's
till fits better; a refund's amount is negative), AuditEvent (the hash chain in extensions).
What FHIR has no element for is in extensions under ``EXT``; every resource's id is the
record's id in the clinic's database (``csv/`` has the same ids).

Stored times are the clinic's wall clock: FHIR instants get this computer's UTC offset.
Amounts are decimals in the clinic's currency: the manifest has its symbol and its ISO 4217
code (``currency``), which every FHIR ``Money`` carries too. The program keeps only the
symbol, so the code is worked out from it (``currency_code``: "$" is the US dollar unless the
clinic's time zone says Canada, Australia…); a symbol that does not say ("kr") leaves it
out. Staff password hashes are not exported.

The folder is written under a temporary name beside the destination and renamed when
complete: a failure or a cancel leaves nothing. Reading happens in one read transaction (a
consistent snapshot, no lock on writers), in batches, so memory stays flat however large the
clinic. One audit event records the export (who, where, the counts): not one per chart.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from peewee import (
    JOIN,
    BlobField,
    BooleanField,
    CharField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from ... import __version__
from ...store.database import db, is_sqlite
from ...store.migrations import SCHEMA_VERSION
from ...store.models import (
    ALL_MODELS,
    Appointment,
    AppointmentChange,
    AuditEvent,
    ChangeSignal,
    Consent,
    ConsentTemplate,
    Device,
    Invoice,
    InvoiceLine,
    Lot,
    MedicalAnswer,
    Note,
    NoteAddendum,
    NoteCosign,
    Patient,
    PatientNamePart,
    Payment,
    Photo,
    Presence,
    Product,
    Room,
    SchemaMeta,
    Service,
    StockMovement,
    StoredFile,
    TreatmentAmendment,
    TreatmentRecord,
    User,
)
from ..charts import intake
from ..platform import audit, settings
from ..platform.errors import DomainError, ValidationError
from ..platform.exports import FORMULA_STARTS
from ..platform.permissions import require
from ..platform.vocabulary import Role

FORMAT = "medspa-desktop-export"
FORMAT_VERSION = 1
FHIR_VERSION = "4.0.1"
EXT = "https://medspa-desktop.invalid/fhir/StructureDefinition/"
SYSTEM = "urn:medspa-desktop:"
BATCH = 500
BOM = "\ufeff"

# A text cell a spreadsheet would run as a formula gets a leading apostrophe; so does a text
# that itself begins with one, so that taking one apostrophe off gives the text back exactly
# (a spreadsheet shows '=1+1 as '=1+1 and ''quoted as ''quoted). The manifest says so.
GUARDED = (*FORMULA_STARTS, "'")
FORMULA_GUARD = "one apostrophe before a text starting with = + - @ tab, carriage return or '"

# columns a copy of the clinic must not carry
LEFT_OUT = {User: {"password_hash", "failed_logins", "locked_until"},
            StoredFile: {"content"}}
# tables that are not the clinic's data: the schema's own facts, the name-search index, the
# signals that tell other PCs to refresh and who is signed in where (both gone in days)
NOT_EXPORTED = (SchemaMeta, PatientNamePart, ChangeSignal, Presence)

APPOINTMENT_STATUS = {"booked": "booked", "confirmed": "booked", "arrived": "arrived",
                      "in_treatment": "arrived", "completed": "fulfilled",
                      "checked_out": "fulfilled", "cancelled": "cancelled",
                      "no_show": "noshow"}
GENDER = {"female": "female", "male": "male", "intersex": "other", "other": "other",
          "undisclosed": "unknown"}
INVOICE_STATUS = {"open": "issued", "paid": "balanced", "void": "cancelled"}
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}

# what the progress says while a resource type is written
STEP_NAMES = {"Patient": "patients", "Practitioner": "staff", "Location": "rooms",
              "Device": "devices", "HealthcareService": "services",
              "Appointment": "appointments", "Procedure": "treatments", "Medication": "lots",
              "MedicationAdministration": "injectables given",
              "QuestionnaireResponse": "intake answers", "Consent": "consents and their documents",
              "DocumentReference": "notes, documents and photos", "Invoice": "invoices",
              "ChargeItem": "invoice lines", "PaymentReconciliation": "payments",
              "AuditEvent": "the audit log"}


class ExportCancelled(DomainError):
    """The export was cancelled; nothing was left behind."""


@dataclass
class ExportResult:
    path: Path
    counts: dict[str, dict[str, int]]
    files: int
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        fhir = self.counts["fhir"]
        return (f"{fhir.get('Patient', 0)} patients, {fhir.get('Appointment', 0)} "
                f"appointments, {fhir.get('Procedure', 0)} treatments, "
                f"{fhir.get('Invoice', 0)} invoices, {self.counts['files'].get('consents', 0)} "
                f"consent documents, {self.counts['files'].get('photos', 0)} photos "
                f"({self.files} files)")


def folder_name(clinic_name: str, at: dt.datetime) -> str:
    """The name of an export's folder: the clinic's name and when, e.g.
    ``Glow Clinic export 2026-12-05 0930``."""
    return f"{_safe(clinic_name) or 'Clinic'} export {at:%Y-%m-%d %H%M}"


def export_clinic(actor: User | None, dest_dir: str | os.PathLike, *,
                  progress: Callable[[str], None] | None = None,
                  cancelled: Callable[[], bool] | None = None) -> ExportResult:
    """Write the whole clinic to the new folder ``dest_dir`` (which must not exist yet; its
    parent must). ``actor`` None is the command line (the computer's own account, which holds
    the database file itself). ``progress(text)`` is told each step; ``cancelled()`` True
    stops the export and leaves nothing behind (``ExportCancelled``)."""
    if actor is not None:
        require(actor, "data.export")
    started = time.monotonic()
    dest = Path(dest_dir).absolute()
    if dest.exists():
        raise ValidationError(f"{dest} already exists: choose a new folder for the export.")
    if not dest.parent.is_dir():
        raise ValidationError(f"The folder {dest.parent} does not exist.")
    try:
        temporary = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".part",
                                          dir=dest.parent))
    except OSError as exc:
        raise ValidationError(f"Nothing can be written in {dest.parent}: {exc.strerror}.") \
            from None
    try:
        writer = _Writer(temporary, progress, cancelled)
        with _snapshot():
            writer.write_all()
        writer.manifest(actor)
        os.rename(temporary, dest)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    result = ExportResult(dest, writer.counts, len(writer.entries) + 1, writer.problems,
                          time.monotonic() - started)
    try:
        with db.atomic():
            audit.record(actor, "data.export", "clinic", "",
                         f"to {dest}: {result.summary()}"[:1000])
    except BaseException:
        shutil.rmtree(dest, ignore_errors=True)  # an export no one can account for
        raise
    return result


@contextmanager
def _snapshot() -> Iterator[None]:
    """One read transaction: every table as it was at the first read, and no write lock
    (SQLite's deferred transaction in WAL mode; PostgreSQL's repeatable read)."""
    if is_sqlite():
        with db.transaction(lock_type="DEFERRED"):
            yield
    else:
        with db.transaction(isolation_level="REPEATABLE READ"):
            yield


# -- files with their fingerprints --------------------------------------------------------------
class _Out:
    """A file being written, hashed as it goes."""

    def __init__(self, root: Path, relative: str, made: set[Path]) -> None:
        self.relative = relative
        path = root / relative
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        self._fh = open(path, "wb")  # noqa: SIM115 (closed by close())
        self._sha = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> None:
        self._sha.update(data)
        self._fh.write(data)
        self.size += len(data)

    def close(self) -> dict:
        self._fh.close()
        return {"path": self.relative, "sha256": self._sha.hexdigest(), "bytes": self.size}


class _Writer:
    def __init__(self, root: Path, progress, cancelled) -> None:
        self.root = root
        self.progress = progress or (lambda _text: None)
        self.cancelled = cancelled or (lambda: False)
        self.entries: list[dict] = []
        self.counts: dict[str, dict[str, int]] = {"fhir": {}, "csv": {}, "files": {}}
        self.problems: list[str] = []
        self.empty_text: dict[str, dict[str, list]] = {}  # table → column → ids holding ""
        self._rows = 0
        self._used_names: set[str] = set()
        self._made: set[Path] = set()  # folders made so far
        self.currency = currency_code(settings.get(settings.CURRENCY_SYMBOL),
                                      settings.get(settings.CLINIC_TIME_ZONE))

    # -- plumbing ---------------------------------------------------------------------------
    def money(self, cents: int) -> dict:
        """A FHIR Money: the amount, and the clinic's ISO currency code where it is known."""
        return _money(cents, self.currency)

    def tick(self) -> None:
        self._rows += 1
        if self._rows % BATCH == 0 and self.cancelled():
            raise ExportCancelled("The export was cancelled; nothing was written.")

    def step(self, text: str) -> None:
        if self.cancelled():
            raise ExportCancelled("The export was cancelled; nothing was written.")
        self.progress(text)

    def _done(self, out: _Out, kind: str) -> None:
        entry = out.close()
        entry["kind"] = kind
        self.entries.append(entry)

    def ndjson(self, resource_type: str, resources) -> None:
        self.step(f"Writing {STEP_NAMES.get(resource_type, resource_type)} (FHIR)…")
        out = _Out(self.root, f"fhir/{resource_type}.ndjson", self._made)
        encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
        count, chunk = 0, []
        for resource in resources:
            resource = _pruned(resource)
            chunk.append(encode(resource))
            count += 1
            if len(chunk) >= BATCH:
                out.write(("\n".join(chunk) + "\n").encode("utf-8"))
                chunk = []
            self.tick()
        if chunk:
            out.write(("\n".join(chunk) + "\n").encode("utf-8"))
        self._done(out, "fhir")
        self.counts["fhir"][resource_type] = self.counts["fhir"].get(resource_type, 0) + count

    def table_csv(self, model) -> None:
        table = model._meta.table_name
        self.step(f"Writing the spreadsheets: {table.replace('_', ' ')}…")
        left_out = LEFT_OUT.get(model, set())
        fields = [f for f in model._meta.sorted_fields if f.name not in left_out]
        headers = [f.column_name for f in fields]
        out = _Out(self.root, f"csv/{table}.csv", self._made)
        buffer = io.StringIO()
        buffer.write(BOM)
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(headers)
        # Only texts (the guard), booleans and blobs need turning into cells: the csv module
        # writes the rest as they come (None empty, numbers as str(), a PostgreSQL datetime
        # as its isoformat(" "), SQLite's stored dates already as ISO text) — a value at a
        # time in Python was a quarter of the export's work
        texts = [i for i, f in enumerate(fields) if isinstance(f, CharField | TextField)
                 or (isinstance(f, ForeignKeyField) and not isinstance(f.rel_field,
                                                                        IntegerField))]
        booleans = [i for i, f in enumerate(fields) if isinstance(f, BooleanField)]
        blobs = [i for i, f in enumerate(fields) if isinstance(f, BlobField)]
        # an empty cell is NULL; where a column may be NULL, a text that is empty ("") is
        # named in the manifest's emptyText (ids per column), so it comes back as ""
        optional = [(i, f.column_name) for i, f in enumerate(fields)
                    if f.null and isinstance(f, CharField | TextField)]
        pk = fields.index(model._meta.primary_key) if optional else 0
        # the driver's own values, without peewee's conversions (SQLite's stored text is
        # already the ISO form a spreadsheet reads), a batch at a time
        sql, params = model.select(*fields).order_by(*_key(model)).sql()
        cursor = db.execute_sql(sql, params)
        count = 0
        for row in _batches(cursor):
            row = list(row)
            for i in texts:
                value = row[i]
                if type(value) is str and value.startswith(GUARDED):
                    row[i] = "'" + value
            for i in booleans:
                if row[i] is not None:
                    row[i] = "true" if row[i] else "false"
            for i in blobs:
                if row[i] is not None:
                    row[i] = hashlib.sha256(bytes(row[i])).hexdigest()
            writer.writerow(row)
            for i, column in optional:
                if row[i] == "":
                    self.empty_text.setdefault(table, {}).setdefault(column, []).append(row[pk])
            count += 1
            if buffer.tell() > 1 << 16:
                out.write(buffer.getvalue().encode("utf-8"))
                buffer.seek(0)
                buffer.truncate()
            self.tick()
        out.write(buffer.getvalue().encode("utf-8"))
        self._done(out, "csv")
        self.counts["csv"][table] = count

    def file(self, folder: str, name: str, data: bytes, kind: str) -> str:
        relative = self._unique(f"files/{folder}/{name}")
        out = _Out(self.root, relative, self._made)
        out.write(data)
        self._done(out, kind)
        self.counts["files"][kind] = self.counts["files"].get(kind, 0) + 1
        return relative

    def _unique(self, relative: str) -> str:
        stem, dot, ext = relative.rpartition(".")
        candidate, n = relative, 2
        while candidate.lower() in self._used_names:
            candidate = f"{stem} ({n}){dot}{ext}"
            n += 1
        self._used_names.add(candidate.lower())
        return candidate

    # -- the whole clinic -------------------------------------------------------------------
    def write_all(self) -> None:
        self.users = {u.id: u for u in User.select()}  # staff: a few dozen rows
        self.ndjson("Patient", self.patients())
        self.ndjson("Practitioner", self.practitioners())
        self.ndjson("Location", self.locations())
        self.ndjson("Device", self.devices())
        self.ndjson("HealthcareService", self.services())
        self.ndjson("Appointment", self.appointments())
        self.ndjson("Procedure", self.procedures())
        self.ndjson("Medication", self.medications())
        self.ndjson("MedicationAdministration", self.administrations())
        self.ndjson("QuestionnaireResponse", self.questionnaire_responses())
        consent_documents: list[dict] = []
        self.ndjson("Consent", self.consents(consent_documents))
        self.ndjson("DocumentReference", self.document_references(consent_documents))
        self.other_stored_files()
        self.ndjson("Invoice", self.invoices())
        self.ndjson("ChargeItem", self.charge_items())
        self.ndjson("PaymentReconciliation", self.payments())
        self.ndjson("AuditEvent", self.audit_events())
        for model in ALL_MODELS:
            if model not in NOT_EXPORTED:
                self.table_csv(model)
        if "consents" not in self.counts["files"]:
            self.counts["files"]["consents"] = 0
        if "photos" not in self.counts["files"]:
            self.counts["files"]["photos"] = 0

    def manifest(self, actor: User | None) -> None:
        self.step("Writing the manifest…")
        data = {
            "format": FORMAT,
            "formatVersion": FORMAT_VERSION,
            "fhirVersion": FHIR_VERSION,
            "program": f"MedSpa Desktop {__version__}",
            "schemaVersion": SCHEMA_VERSION,  # an older export's missing tables/columns: empty
            "clinic": settings.get(settings.CLINIC_NAME),
            "currencySymbol": settings.get(settings.CURRENCY_SYMBOL),
            "currency": self.currency or None,  # ISO 4217, from the symbol (and time zone)
            "exportedAt": _instant(dt.datetime.now()),
            "exportedBy": actor.username if actor is not None else audit.SYSTEM_USERNAME,
            "counts": self.counts,
            "formulaGuard": FORMULA_GUARD,
            "emptyText": self.empty_text,
            "files": self.entries,
            "problems": self.problems,
        }
        text = json.dumps(data, ensure_ascii=False, indent=1)
        (self.root / "manifest.json").write_text(text + "\n", encoding="utf-8")

    # -- FHIR resources ---------------------------------------------------------------------
    def patients(self):
        for p in Patient.select().order_by(Patient.id).iterator():
            names = [{"use": "official", "family": p.last_name, "given": [p.first_name]}]
            if p.preferred_name:
                names.append({"use": "usual", "given": [p.preferred_name],
                              "family": p.last_name})
            telecom = []
            if p.phone:
                telecom.append({"system": "phone", "value": p.phone})
            if p.email:
                telecom.append({"system": "email", "value": p.email})
            resource = {
                "resourceType": "Patient", "id": str(p.id),
                "identifier": [{"system": SYSTEM + "chart-number", "value": p.chart_number}]
                + ([{"system": SYSTEM + "external-id", "value": p.external_id}]
                   if p.external_id else []),
                "active": not p.archived,
                "name": names, "telecom": telecom,
                "gender": GENDER.get(p.sex),
                "birthDate": p.dob.isoformat(),
                "address": [{"text": p.address}] if p.address else [],
                "extension": [_ext("sex", "valueString", p.sex),
                              _ext("created", "valueDateTime", _instant(p.created_at)),
                              _ext("updated", "valueDateTime", _instant(p.updated_at))],
            }
            if p.emergency_contact_name or p.emergency_contact_phone:
                contact = {"relationship": [{"text": "Emergency contact"}]}
                if p.emergency_contact_name:
                    contact["name"] = {"text": p.emergency_contact_name}
                if p.emergency_contact_phone:
                    contact["telecom"] = [{"system": "phone",
                                           "value": p.emergency_contact_phone}]
                resource["contact"] = [contact]
            if p.merged_into_id:
                resource["link"] = [{"other": _ref("Patient", p.merged_into_id),
                                     "type": "replaced-by"}]
            yield resource

    def practitioners(self):
        for u in sorted(self.users.values(), key=lambda u: u.id):
            yield {
                "resourceType": "Practitioner", "id": str(u.id),
                "identifier": [{"system": SYSTEM + "username", "value": u.username}],
                "active": bool(u.active),
                "name": [{"text": u.full_name}, {"use": "usual", "text": u.display_name}],
                "qualification": ([{"code": {"text": u.credentials}}] if u.credentials
                                  else []),
                "extension": [_ext("role", "valueString", u.role),
                              _ext("role-label", "valueString", Role.label_of(u.role)),
                              _ext("created", "valueDateTime", _instant(u.created_at))],
            }

    def locations(self):
        for room in Room.select().order_by(Room.id).iterator():
            yield {"resourceType": "Location", "id": str(room.id), "name": room.name,
                   "status": "active" if room.active else "inactive", "mode": "instance",
                   "physicalType": {"text": "Room"},
                   "extension": [_ext("position", "valueInteger", room.position)]}

    def devices(self):
        for device in Device.select().order_by(Device.id).iterator():
            yield {"resourceType": "Device", "id": str(device.id),
                   "deviceName": [{"name": device.name, "type": "user-friendly-name"}],
                   "type": {"text": device.kind},
                   "status": "active" if device.active else "inactive",
                   "extension": [_ext("cleanup-minutes", "valueInteger",
                                      device.cleanup_minutes)]}

    def services(self):
        for s in Service.select().order_by(Service.id).iterator():
            yield {"resourceType": "HealthcareService", "id": str(s.id), "name": s.name,
                   "active": bool(s.active), "category": [{"text": s.category}],
                   "extension": [
                       _ext("default-minutes", "valueInteger", s.default_minutes),
                       _ext("price", "valueMoney", self.money(s.price_cents)),
                       _ext("pricing-unit", "valueString", s.pricing_unit),
                       _ext("device-kind", "valueString", s.device_kind),
                       _ext("consent-category", "valueString", s.consent_category),
                       _ext("tax-exempt", "valueBoolean", bool(s.tax_exempt))]}

    def appointments(self):
        history = _grouped(AppointmentChange.select().order_by(
            AppointmentChange.appointment, AppointmentChange.id).iterator(),
            lambda c: c.appointment_id)
        pending = next(history, None)
        for a in Appointment.select().order_by(Appointment.id).iterator():
            changes = []
            while pending is not None and pending[0] <= a.id:
                if pending[0] == a.id:
                    changes = pending[1]
                pending = next(history, None)
            participants = [{"actor": _ref("Patient", a.patient_id), "status": "accepted"},
                            {"actor": _ref("HealthcareService", a.service_id),
                             "status": "accepted"}]
            for kind, key in (("Practitioner", a.provider_id), ("Location", a.room_id),
                              ("Device", a.device_id)):
                if key:
                    participants.append({"actor": _ref(kind, key), "status": "accepted"})
            resource = {
                "resourceType": "Appointment", "id": str(a.id),
                "status": APPOINTMENT_STATUS.get(a.status, "booked"),
                "start": _instant(a.start), "end": _instant(a.end),
                "minutesDuration": max(1, int((a.end - a.start).total_seconds() // 60)),
                "created": _instant(a.created_at),
                "comment": a.notes, "participant": participants,
                "extension": [_ext("status", "valueString", a.status),
                              _ext("late-cancel", "valueBoolean", bool(a.late_cancel)),
                              _ext("series", "valueString",
                                   str(a.series_id) if a.series_id else None)]
                + [self._change(c) for c in changes],
            }
            if a.cancel_reason:
                resource["cancelationReason"] = {"text": a.cancel_reason}
            yield resource

    def _change(self, c: AppointmentChange) -> dict:
        parts = [_ext("at", "valueDateTime", _instant(c.at)),
                 _ext("by", "valueReference", _ref("Practitioner", c.user_id)),
                 _ext("kind", "valueString", c.kind),
                 _ext("from-status", "valueString", c.from_status),
                 _ext("to-status", "valueString", c.to_status),
                 _ext("old-start", "valueDateTime", _instant(c.old_start)),
                 _ext("old-end", "valueDateTime", _instant(c.old_end)),
                 _ext("new-start", "valueDateTime", _instant(c.new_start)),
                 _ext("new-end", "valueDateTime", _instant(c.new_end)),
                 _ext("note", "valueString", c.note)]
        return {"url": EXT + "appointment-change",
                "extension": [p for p in parts if p is not None]}

    def procedures(self):
        amendments = _grouped(TreatmentAmendment.select().order_by(
            TreatmentAmendment.record, TreatmentAmendment.id).iterator(),
            lambda m: m.record_id)
        pending = next(amendments, None)
        query = (TreatmentRecord.select(TreatmentRecord, Appointment.id, Appointment.start,
                                        Appointment.end, Service.id, Service.name)
                 .join(Appointment).join(Service).order_by(TreatmentRecord.id))
        for r in query.iterator():
            notes = []
            while pending is not None and pending[0] <= r.id:
                if pending[0] == r.id:
                    notes = pending[1]
                pending = next(amendments, None)
            appt = r.appointment
            annotations = ([{"text": f"Aftercare: {r.aftercare}",
                             "authorReference": _ref("Practitioner", r.charted_by_id),
                             "time": _instant(r.charted_at)}] if r.aftercare else [])
            annotations += [{"text": f"Amendment ({m.reason}): {m.text}",
                             "authorReference": _ref("Practitioner", m.author_id),
                             "time": _instant(m.at)} for m in notes]
            yield {
                "resourceType": "Procedure", "id": str(r.id), "status": "completed",
                "code": {"text": appt.service.name},
                "category": {"text": r.modality},
                "subject": _ref("Patient", r.patient_id),
                "performedPeriod": {"start": _instant(appt.start), "end": _instant(appt.end)},
                "performer": [{"actor": _ref("Practitioner", r.provider_id)}],
                "recorder": _ref("Practitioner", r.charted_by_id),
                "note": annotations,
                "extension": [_ext("appointment", "valueReference",
                                   _ref("Appointment", r.appointment_id)),
                              _ext("parameters", "valueString", r.parameters),
                              _ext("aftercare", "valueString", r.aftercare),
                              _ext("charted-at", "valueDateTime", _instant(r.charted_at))],
            }

    def medications(self):
        query = Lot.select(Lot, Product).join(Product).order_by(Lot.id)
        for lot in query.iterator():
            product = lot.product
            yield {"resourceType": "Medication", "id": str(lot.id),
                   "code": {"text": product.name},
                   "status": "active" if product.active else "inactive",
                   "form": {"text": product.kind},
                   "batch": {"lotNumber": lot.lot_number,
                             "expirationDate": _instant_of_day(lot.expiry)},
                   "extension": [_ext("product", "valueString", str(product.id)),
                                 _ext("unit", "valueString", product.unit),
                                 _ext("received-on", "valueDate", lot.received_on.isoformat()),
                                 _ext("received", "valueDecimal", _quantity(lot.received_centi)),
                                 _ext("remaining", "valueDecimal",
                                      _quantity(lot.remaining_centi)),
                                 _ext("cost", "valueMoney", self.money(lot.cost_cents))]}

    def administrations(self):
        # the treatment record of the visit, joined (not a query per row)
        query = (StockMovement.select(StockMovement, Lot.id, Product.id, Product.unit,
                                      TreatmentRecord.id)
                 .join(Lot).join(Product)
                 .switch(StockMovement)
                 .join(TreatmentRecord, JOIN.LEFT_OUTER,
                       on=(TreatmentRecord.appointment == StockMovement.appointment),
                       attr="record")
                 .where(StockMovement.kind == "use", StockMovement.patient.is_null(False))
                 .order_by(StockMovement.id))
        for m in query.iterator():
            resource = {
                "resourceType": "MedicationAdministration", "id": str(m.id),
                "status": "completed",
                "medicationReference": _ref("Medication", m.lot_id),
                "subject": _ref("Patient", m.patient_id),
                "effectiveDateTime": _instant(m.at),
                "performer": [{"actor": _ref("Practitioner", m.user_id)}],
                "dosage": {"dose": {"value": _quantity(-m.change_centi),
                                    "unit": m.lot.product.unit}},
            }
            if m.reason:
                resource["note"] = [{"text": m.reason}]
            if m.appointment_id:
                if m.record is not None and m.record.id:
                    resource["partOf"] = [_ref("Procedure", m.record.id)]
                resource["extension"] = [_ext("appointment", "valueReference",
                                              _ref("Appointment", m.appointment_id))]
            yield resource

    def questionnaire_responses(self):
        kinds = {q.key: q for q in intake.QUESTIONS}
        query = (MedicalAnswer.select()
                 .order_by(MedicalAnswer.patient, MedicalAnswer.answered_on, MedicalAnswer.id))
        day_key = None
        items: list[dict] = []
        first = None
        for answer in query.iterator():
            key = (answer.patient_id, answer.answered_on)
            if key != day_key and items:
                yield _questionnaire_response(first, items)
                items = []
            if key != day_key:
                day_key, first = key, answer
            items.append(_item(answer, kinds.get(answer.question)))
        if items:
            yield _questionnaire_response(first, items)

    def consents(self, documents: list[dict]):
        """The consents; each one's document is written under files/consents/ and its
        DocumentReference kept (in ``documents``) for the DocumentReference file."""
        query = (Consent.select(Consent, Patient, ConsentTemplate, StoredFile)
                 .join(Patient, on=(Consent.patient == Patient.id))
                 .switch(Consent).join(ConsentTemplate)
                 .switch(Consent).join(StoredFile)
                 .order_by(Consent.id))
        for c in query.iterator():
            p, stored = c.patient, c.document
            extension = EXTENSIONS.get(stored.media_type, "bin")
            content = bytes(stored.content)
            if hashlib.sha256(content).hexdigest() != stored.sha256:
                self.problems.append(f"consent {c.id}: its stored document does not match its "
                                     "fingerprint (exported as it is)")
            relative = self.file(
                f"consents/{_person(p)}",
                _safe(f"{c.signed_at:%Y-%m-%d} {c.category} consent {c.id}") + f".{extension}",
                content, "consents")
            documents.append({
                "resourceType": "DocumentReference", "id": f"consent-{c.id}",
                "status": "current", "docStatus": "final",
                "type": {"text": "Signed consent"},
                "category": [{"text": "consent"}],
                "subject": _ref("Patient", p.id),
                "date": _instant(c.recorded_at),
                "description": f"{c.template.title} (version {c.template.version})",
                "content": [{"attachment": {
                    "contentType": stored.media_type, "size": len(content),
                    "hash": _sha1(content), "title": Path(relative).name,
                    "creation": _instant(c.signed_at),
                    "extension": [_ext("path", "valueString", relative)]}}],
                "identifier": [{"system": SYSTEM + "sha256", "value": stored.sha256}],
            })
            resource = {
                "resourceType": "Consent", "id": str(c.id), "status": "active",
                "scope": {"coding": [{"system":
                                      "http://terminology.hl7.org/CodeSystem/consentscope",
                                      "code": "treatment"}]},
                "category": [{"text": c.category}],
                "patient": _ref("Patient", p.id),
                "dateTime": _instant(c.signed_at),
                "performer": [{"display": c.signer_name}],
                "policyRule": {"text": f"{c.template.title} (version {c.template.version})"},
                "sourceReference": {"reference": f"DocumentReference/consent-{c.id}"},
                "extension": [
                    _ext("method", "valueString", c.method),
                    _ext("guardian-relation", "valueString", c.guardian_relation),
                    _ext("witness", "valueReference", _ref("Practitioner", c.witness_id)),
                    _ext("recorded-by", "valueReference",
                         _ref("Practitioner", c.recorded_by_id)),
                    _ext("recorded-at", "valueDateTime", _instant(c.recorded_at)),
                    _ext("content-sha256", "valueString", c.content_sha256),
                    _ext("template", "valueString", str(c.template_id)),
                    _ext("appointment", "valueReference",
                         _ref("Appointment", c.appointment_id) if c.appointment_id else None)],
            }
            if c.category == "photography":
                resource["scope"]["coding"][0]["code"] = "patient-privacy"
            yield resource

    def other_stored_files(self) -> None:
        """The stored documents no consent points to (the clinic's logo, a scan kept aside):
        under files/stored/, so the round trip finds every stored file's bytes."""
        self.step("Writing the other stored documents…")
        query = (StoredFile.select(StoredFile.id, StoredFile.sha256, StoredFile.media_type)
                 .where(StoredFile.id.not_in(Consent.select(Consent.document)),
                        # a server's copy of a photo: the photo's own file carries it
                        StoredFile.sha256.not_in(Photo.select(Photo.sha256)))
                 .order_by(StoredFile.id).tuples())
        for key, sha, media_type in query.iterator():
            content = bytes(StoredFile.select(StoredFile.content)
                            .where(StoredFile.id == key).scalar())
            name = f"{key} {sha[:12]}.{EXTENSIONS.get(media_type, 'bin')}"
            self.file("stored", name, content, "stored")
            self.tick()

    def document_references(self, consent_documents: list[dict]):
        yield from consent_documents
        consent_documents.clear()
        yield from self.notes()
        yield from self.photos()

    def notes(self):
        cosigns = _grouped(NoteCosign.select().order_by(NoteCosign.note, NoteCosign.id)
                           .iterator(), lambda c: c.note_id)
        pending = next(cosigns, None)
        for n in Note.select().order_by(Note.id).iterator():
            signed = []
            while pending is not None and pending[0] <= n.id:
                if pending[0] == n.id:
                    signed = pending[1]
                pending = next(cosigns, None)
            fields = {"category": n.category, "subjective": n.subjective,
                      "objective": n.objective, "assessment": n.assessment, "plan": n.plan}
            text = "\n\n".join(f"{name.capitalize()}:\n{value}"
                               for name, value in fields.items() if value)
            authenticators = ([_ref("Practitioner", n.signed_by_id)] if n.signed_by_id else [])
            authenticators += [_ref("Practitioner", c.user_id) for c in signed]
            resource = {
                "resourceType": "DocumentReference", "id": f"note-{n.id}",
                "status": "current",
                "docStatus": "final" if n.status == "signed" else "preliminary",
                "type": {"text": "Clinical note"},
                "category": [{"text": n.category or "note"}],
                "subject": _ref("Patient", n.patient_id),
                "date": _instant(n.signed_at or n.updated_at),
                "author": [_ref("Practitioner", n.author_id)],
                "content": [
                    {"attachment": {"contentType": "text/plain; charset=utf-8",
                                    "data": _b64(text), "title": "Note",
                                    "creation": _instant(n.created_at)}},
                    {"attachment": {"contentType": "application/json",
                                    "data": _b64(json.dumps(fields, ensure_ascii=False)),
                                    "title": "Note fields"}}],
                "extension": [
                    _ext("status", "valueString", n.status),
                    _ext("fingerprint", "valueString", n.fingerprint),
                    _ext("signed-at", "valueDateTime", _instant(n.signed_at)),
                    _ext("updated-at", "valueDateTime", _instant(n.updated_at)),
                    _ext("appointment", "valueReference",
                         _ref("Appointment", n.appointment_id) if n.appointment_id else None)]
                + [{"url": EXT + "cosign", "extension": [
                    _ext("by", "valueReference", _ref("Practitioner", c.user_id)),
                    _ext("at", "valueDateTime", _instant(c.at))]} for c in signed],
            }
            if authenticators:
                resource["authenticator"] = authenticators[0]
            yield resource
        for a in NoteAddendum.select(NoteAddendum, Note.id, Note.patient).join(Note) \
                .order_by(NoteAddendum.id).iterator():
            yield {
                "resourceType": "DocumentReference", "id": f"addendum-{a.id}",
                "status": "current", "docStatus": "amended",
                "type": {"text": "Addendum to a clinical note"},
                "subject": _ref("Patient", a.note.patient_id),
                "date": _instant(a.at),
                "author": [_ref("Practitioner", a.author_id)],
                "description": a.reason,
                "relatesTo": [{"code": "appends",
                               "target": {"reference": f"DocumentReference/note-{a.note_id}"}}],
                "content": [{"attachment": {"contentType": "text/plain; charset=utf-8",
                                            "data": _b64(a.text), "title": "Addendum"}}],
            }

    def photos(self):
        from ..charts.photos import PhotoDamaged, _path, stored_photo  # the photo store

        query = (Photo.select(Photo, Patient)
                 .join(Patient, JOIN.INNER, on=(Photo.patient == Patient.id))
                 .order_by(Photo.id))
        for photo in query.iterator():
            try:  # this PC's file, or a server's copy in the database
                data = stored_photo(photo)
            except PhotoDamaged:
                source = _path(photo.sha256, photo.extension)
                try:
                    data = source.read_bytes()
                except OSError:
                    self.problems.append(f"photo {photo.id}: its file is missing ({source})")
                    data = None
                else:
                    self.problems.append(f"photo {photo.id}: its file has changed since it "
                                         "was imported (exported as it is)")
            p = photo.patient
            attachment = {"contentType": f"image/{'png' if photo.extension == 'png' else 'jpeg'}",
                          "title": f"{photo.tag} {photo.area}",
                          "creation": _instant_of_day(photo.taken_on)}
            if data is not None:
                relative = self.file(
                    f"photos/{_person(p)}",
                    _safe(f"{photo.taken_on:%Y-%m-%d} {photo.tag} {photo.area} {photo.id}")
                    + f".{photo.extension}", data, "photos")
                attachment.update({"size": len(data), "hash": _sha1(data),
                                   "extension": [_ext("path", "valueString", relative)]})
            yield {
                "resourceType": "DocumentReference", "id": f"photo-{photo.id}",
                "status": "current", "type": {"text": "Clinical photo"},
                "category": [{"text": photo.tag}],
                "subject": _ref("Patient", photo.patient_id),
                "date": _instant(photo.imported_at),
                "author": [_ref("Practitioner", photo.imported_by_id)],
                "description": photo.area,
                "identifier": [{"system": SYSTEM + "sha256", "value": photo.sha256}],
                "content": [{"attachment": attachment}],
                "extension": [
                    _ext("archived", "valueBoolean", bool(photo.archived)),
                    _ext("consent-note", "valueString", photo.consent_note),
                    _ext("appointment", "valueReference",
                         _ref("Appointment", photo.appointment_id)
                         if photo.appointment_id else None)],
            }

    def invoices(self):
        lines = _grouped(InvoiceLine.select().order_by(InvoiceLine.invoice,
                                                       InvoiceLine.position).iterator(),
                         lambda line: line.invoice_id)
        pending = next(lines, None)
        for inv in Invoice.select().order_by(Invoice.id).iterator():
            own = []
            while pending is not None and pending[0] <= inv.id:
                if pending[0] == inv.id:
                    own = pending[1]
                pending = next(lines, None)
            resource = {
                "resourceType": "Invoice", "id": str(inv.id),
                "identifier": [{"system": SYSTEM + "invoice-number", "value": str(inv.number)}],
                "status": INVOICE_STATUS.get(inv.status, "issued"),
                "subject": _ref("Patient", inv.patient_id),
                "date": _instant(inv.issued_at),
                "lineItem": [{
                    "sequence": line.position + 1,
                    "chargeItemReference": _ref("ChargeItem", line.id),
                    "priceComponent": [
                        {"type": "base", "amount": self.money(line.gross_cents)},
                        {"type": "discount", "amount": self.money(line.discount_cents)},
                        {"type": "tax", "amount": self.money(line.tax_cents)}]} for line in own],
                "totalPriceComponent": [
                    {"type": "base", "amount": self.money(inv.subtotal_cents)},
                    {"type": "discount", "amount": self.money(inv.discount_cents)},
                    {"type": "tax", "amount": self.money(inv.tax_cents)},
                    {"type": "surcharge", "code": {"text": "tip"},
                     "amount": self.money(inv.tip_cents)}],
                "totalNet": self.money(inv.subtotal_cents - inv.discount_cents),
                "totalGross": self.money(inv.total_cents),
                "extension": [_ext("created-by", "valueReference",
                                   _ref("Practitioner", inv.created_by_id)),
                              _ext("discount-reason", "valueString", inv.discount_reason),
                              _ext("voided-at", "valueDateTime", _instant(inv.voided_at))],
            }
            if inv.provider_id:
                resource["participant"] = [{"actor": _ref("Practitioner", inv.provider_id)}]
            if inv.status == "void":
                resource["cancelledReason"] = inv.void_reason or "void"
            if inv.appointment_id:
                resource["extension"].append(
                    _ext("appointment", "valueReference", _ref("Appointment",
                                                               inv.appointment_id)))
            yield resource

    def charge_items(self):
        query = (InvoiceLine.select(InvoiceLine, Invoice.id, Invoice.patient, Invoice.issued_at)
                 .join(Invoice).order_by(InvoiceLine.id))
        for line in query.iterator():
            yield {
                "resourceType": "ChargeItem", "id": str(line.id), "status": "billed",
                "code": {"text": line.description},
                "subject": _ref("Patient", line.invoice.patient_id),
                "occurrenceDateTime": _instant(line.invoice.issued_at),
                "quantity": {"value": _quantity(line.quantity_centi)},
                "priceOverride": self.money(line.unit_price_cents),
                "extension": [
                    _ext("invoice", "valueReference", _ref("Invoice", line.invoice_id)),
                    _ext("kind", "valueString", line.kind),
                    _ext("gross", "valueMoney", self.money(line.gross_cents)),
                    _ext("discount", "valueMoney", self.money(line.discount_cents)),
                    _ext("discount-reason", "valueString", line.discount_reason),
                    _ext("tax-category", "valueString", line.tax_category),
                    _ext("tax-rate-basis-points", "valueInteger", line.tax_rate_bp),
                    _ext("tax", "valueMoney", self.money(line.tax_cents)),
                    _ext("service", "valueReference",
                         _ref("HealthcareService", line.service_id) if line.service_id
                         else None),
                    _ext("product", "valueString",
                         str(line.product_id) if line.product_id else None)],
            }

    def payments(self):
        for pay in Payment.select().order_by(Payment.id).iterator():
            sign = -1 if pay.kind == "refund" else 1
            yield {
                "resourceType": "PaymentReconciliation", "id": str(pay.id),
                "status": "active", "created": _instant(pay.at),
                "paymentDate": pay.at.date().isoformat(),
                "paymentAmount": self.money(sign * pay.amount_cents),
                "disposition": pay.reason or None,
                "detail": [{"type": {"text": pay.kind},
                            "request": _ref("Invoice", pay.invoice_id),
                            "amount": self.money(sign * pay.amount_cents),
                            "date": pay.at.date().isoformat(),
                            "responsible": None}],
                "extension": [
                    _ext("kind", "valueString", pay.kind),
                    _ext("method", "valueString", pay.method),
                    _ext("taken-by", "valueReference", _ref("Practitioner", pay.user_id)),
                    _ext("tendered", "valueMoney", self.money(pay.tendered_cents)),
                    _ext("change", "valueMoney", self.money(pay.change_cents)),
                    _ext("card-last4", "valueString", pay.card_last4),
                    _ext("auth-code", "valueString", pay.auth_code),
                    _ext("check-number", "valueString", pay.check_number),
                    _ext("refund-of", "valueString",
                         str(pay.refund_of_id) if pay.refund_of_id else None),
                    _ext("gift-card", "valueString",
                         str(pay.gift_card_id) if pay.gift_card_id else None)],
            }

    def audit_events(self):
        # plain rows: the log is the largest table (millions of rows at a busy clinic)
        query = (AuditEvent.select(AuditEvent.id, AuditEvent.at, AuditEvent.user,
                                   AuditEvent.username, AuditEvent.action,
                                   AuditEvent.record_type, AuditEvent.record_id,
                                   AuditEvent.summary, AuditEvent.prev_hash, AuditEvent.hash)
                 .order_by(AuditEvent.id).tuples())
        for key, at, user_id, username, action, record_type, record_id, summary, prev, digest \
                in query.iterator():
            who = (_ref("Practitioner", user_id) if user_id else {"display": username})
            resource = {
                "resourceType": "AuditEvent", "id": str(key),
                "type": {"system": SYSTEM + "audit-action", "code": action},
                "recorded": _instant(at),
                "agent": [{"who": who, "name": username, "requestor": True}],
                "source": {"observer": {"display": "MedSpa Desktop"}},
                "extension": [_ext("summary", "valueString", summary),
                              _ext("prev-hash", "valueString", prev),
                              _ext("hash", "valueString", digest)],
            }
            if record_type:
                what = ({"reference": f"Patient/{record_id}"}
                        if record_type == "patient" and record_id.isdigit()
                        else {"identifier": {"system": SYSTEM + record_type,
                                             "value": record_id or "-"}})
                resource["entity"] = [{"what": what, "name": record_type}]
            yield resource


# -- helpers ------------------------------------------------------------------------------------
def _key(model) -> list:
    return [model._meta.primary_key]


def _batches(cursor) -> Iterator[tuple]:
    while True:
        rows = cursor.fetchmany(BATCH)
        if not rows:
            cursor.close()
            return
        yield from rows


def _grouped(rows, key) -> Iterator[tuple[int, list]]:
    """(key, [rows]) for rows already ordered by key."""
    current, group = None, []
    for row in rows:
        k = key(row)
        if k != current and group:
            yield current, group
            group = []
        current = k
        group.append(row)
    if group:
        yield current, group


_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


def _safe(text: str) -> str:
    """A file or folder name a person can read, valid on Windows, macOS and Linux."""
    text = _UNSAFE.sub(" ", text)
    text = re.sub(r"\s+", " ", text).strip().strip(".")
    return text[:120]


def _person(p: Patient) -> str:
    return _safe(f"{p.chart_number} {p.last_name} {p.first_name}") or f"patient {p.id}"


class _Clean(dict):
    """An element built without empty parts (a reference, an amount, a filled extension):
    ``_pruned`` keeps it as it is instead of walking it again, which was the largest single
    cost of the export (millions of small elements)."""

    __slots__ = ()


def _ref(resource_type: str, key) -> dict | None:
    """A reference; None (pruned) where there is no record to point to (no witness)."""
    if key is None:
        return None
    return _Clean(reference=f"{resource_type}/{key}")


def _ext(name: str, value_type: str, value) -> dict | None:
    """One extension; None (pruned) for an empty value."""
    if value is None or value == "":
        return None
    if type(value) is dict:  # a value built here with an empty part (none so far)
        value = _pruned(value)
    return _Clean({"url": EXT + name, value_type: value})


def _pruned(value):
    """Without the empty elements FHIR does not allow (None, "", [], {})."""
    kind = type(value)
    if kind is dict:
        out = {}
        for key, item in value.items():
            of = type(item)
            if of is _Clean:
                out[key] = item
            elif of is dict or of is list:
                item = _pruned(item)
                if item:
                    out[key] = item
            elif item is not None and item != "":
                out[key] = item
        return out
    if kind is list:
        items = []
        for item in value:
            of = type(item)
            if of is _Clean:
                items.append(item)
            elif of is dict or of is list:
                item = _pruned(item)
                if item:
                    items.append(item)
            elif item is not None and item != "":
                items.append(item)
        return items
    return value


def _instant(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):  # a value SQLite gave back as text
        value = dt.datetime.fromisoformat(value)
    return value.astimezone().isoformat()


def _instant_of_day(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _money(cents: int, currency: str = "") -> dict:
    return (_Clean(value=_decimal(cents), currency=currency) if currency
            else _Clean(value=_decimal(cents)))


# ISO 4217 codes for the symbols a clinic is likely to set (a symbol that is itself a code,
# "CHF", is taken as it is); "$" alone is the US dollar unless the clinic's time zone is in
# a country whose dollar it more likely is.
SYMBOL_CODES = {"€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "₩": "KRW", "₪": "ILS",
                "฿": "THB", "₱": "PHP", "₺": "TRY", "₫": "VND", "zł": "PLN", "R$": "BRL",
                "C$": "CAD", "CA$": "CAD", "A$": "AUD", "AU$": "AUD", "NZ$": "NZD",
                "US$": "USD", "S$": "SGD", "HK$": "HKD", "MX$": "MXN", "R": "ZAR",
                "Fr": "CHF", "Kč": "CZK", "Ft": "HUF", "lei": "RON", "د.إ": "AED"}
DOLLAR_ZONES = {"Australia/": "AUD", "Pacific/Auckland": "NZD", "Asia/Singapore": "SGD",
                "Asia/Hong_Kong": "HKD", "America/Mexico_City": "MXN",
                "America/Cancun": "MXN", "America/Monterrey": "MXN", "America/Tijuana": "MXN",
                **{f"America/{city}": "CAD" for city in (
                    "Toronto", "Vancouver", "Edmonton", "Winnipeg", "Halifax", "St_Johns",
                    "Regina", "Montreal", "Moncton", "Whitehorse", "Yellowknife",
                    "Iqaluit")}}


def currency_code(symbol: str, time_zone: str = "") -> str:
    """The ISO 4217 code of the clinic's currency, from its symbol (and, for "$", its time
    zone); "" when the symbol does not say (e.g. "kr", which three countries use)."""
    symbol = symbol.strip()
    if len(symbol) == 3 and symbol.isascii() and symbol.isalpha() and symbol.isupper():
        return symbol
    if symbol == "$":
        return next((code for zone, code in DOLLAR_ZONES.items()
                     if time_zone == zone or (zone.endswith("/")
                                              and time_zone.startswith(zone))), "USD")
    return SYMBOL_CODES.get(symbol, "")


def _quantity(centi: int) -> float | int:
    return _decimal(centi)


def _decimal(hundredths: int):
    return hundredths // 100 if hundredths % 100 == 0 else hundredths / 100


def _b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def _sha1(data: bytes) -> str:
    """``Attachment.hash``: FHIR R4 asks for the base64 of its SHA-1 (the manifest has the
    SHA-256 of every file)."""
    return base64.b64encode(hashlib.sha1(data).digest()).decode("ascii")


def _item(answer: MedicalAnswer, question) -> dict:
    item = {"linkId": answer.question, "text": question.label if question else None}
    try:
        value = json.loads(answer.value) if answer.value else None
    except ValueError:
        value = answer.value
    if isinstance(value, bool):
        item["answer"] = [{"valueBoolean": value}]
    elif isinstance(value, int):
        item["answer"] = [{"valueInteger": value}]
    elif isinstance(value, float):
        item["answer"] = [{"valueDecimal": value}]
    elif isinstance(value, str) and value:
        if question is not None and question.kind == "date" and _is_date(value):
            item["answer"] = [{"valueDate": value}]
        else:
            item["answer"] = [{"valueString": value}]
    elif value is not None and value != "":
        item["answer"] = [{"valueString": json.dumps(value, ensure_ascii=False)}]
    return item


def _is_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _questionnaire_response(first: MedicalAnswer, items: list[dict]) -> dict:
    return {
        "resourceType": "QuestionnaireResponse",
        "id": f"{first.patient_id}-{first.answered_on:%Y%m%d}",
        "status": "completed",
        "subject": _ref("Patient", first.patient_id),
        "authored": first.answered_on.isoformat(),
        "author": _ref("Practitioner", first.recorded_by_id),
        "item": items,
    }

