"""Signed consents: a patient (or a guardian for a minor) signs the current version of a
category's consent on screen, initialling the sections that ask for it, and a member of staff
signs as witness. Signing renders the PDF once, stores its bytes in the database with their
SHA-256, and never changes them: a reprint gives the identical bytes, and ``check`` re-hashes
every stored file. The form also carries a fingerprint of its content (the exact template
version, the patient, the time, the initials and the signatures), printed on the page.

The PDF is drawn by the documents layer; the caller passes the renderer (services do not import
documents), e.g. ``printouts.sign_consent``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

from peewee import JOIN, fn

from ...store.database import db
from ...store.models import (
    Consent,
    ConsentTemplate,
    Patient,
    StoredFile,
    User,
)
from ..charts.patients import age_on, chart_ids, refuse_if_merged
from ..platform import audit, changes, limits, stored_files
from ..platform import png as png_format
from ..platform.errors import NotFound, ValidationError
from ..platform.permissions import require
from ..platform.staff import signed_name, signed_name_of
from ..platform.text import clean_line
from ..platform.vocabulary import ConsentMethod
from . import consent_templates
from .consent_templates import KINDS, Section, Template, parse_sections

SCAN_TYPES = {b"%PDF-": "application/pdf", b"\xff\xd8\xff": "image/jpeg",
              png_format.SIGNATURE: "image/png"}
MAX_SIGNATURE = 2 * 1024 * 1024
MAX_SCAN = 25 * 1024 * 1024
ADULT_AGE = 18


@dataclass(frozen=True)
class SigningInput:
    patient_id: int
    template_id: int  # the version the patient read
    initials: tuple[str, ...]  # per section; "" where the section asks for none
    signature_png: bytes  # the patient's, or the guardian's
    witness_signature_png: bytes  # the member of staff signing (the acting user)
    guardian_name: str = ""  # for a minor: who signs for them
    guardian_relation: str = ""
    appointment_id: int | None = None


@dataclass(frozen=True)
class ConsentSheet:
    """Everything the consent PDF shows (plain data for the documents layer)."""

    title: str
    category: str  # label
    template_id: int
    version: int
    sections: tuple[Section, ...]
    initials: tuple[str, ...]
    patient: str  # "" on a blank form
    dob: dt.date | None
    chart_number: str
    signed_at: dt.datetime  # when printed, on a form to sign on paper
    signer: str
    guardian_relation: str
    signature_png: bytes  # b"" on a form to sign on paper
    witness: str
    witness_signature_png: bytes
    fingerprint: str  # SHA-256 of the content; "" on a form to sign on paper


Renderer = Callable[[ConsentSheet], bytes]


def _signature(png: bytes, whose: str) -> bytes:
    if not png or not png.startswith(png_format.SIGNATURE):
        raise ValidationError(f"The {whose} signature is missing; please sign in the box.")
    if len(png) > MAX_SIGNATURE:
        raise ValidationError(f"The {whose} signature image is too large.")
    return png


def _initials(sections: tuple[Section, ...], given: tuple[str, ...]) -> tuple[str, ...]:
    if len(given) != len(sections):
        raise ValidationError("The initials do not match the form's sections; reopen the form.")
    out = []
    for section, typed in zip(sections, given, strict=True):
        typed = clean_line(typed or "").upper()
        if section.initials:
            if not typed:
                raise ValidationError(f"Please initial the section '{section.heading}'.")
            if len(typed) > 5 or not all(ch.isalpha() or ch in ".-'" for ch in typed):
                raise ValidationError(f"Initials are letters only, at most 5 "
                                      f"('{section.heading}').")
        elif typed:
            raise ValidationError(f"The section '{section.heading}' asks for no initials.")
        out.append(typed)
    return tuple(out)


def fingerprint(sheet_fields: dict) -> str:
    """SHA-256 of the content, as canonical JSON (signatures by their own hashes)."""
    canonical = json.dumps(sheet_fields, sort_keys=True, ensure_ascii=False,
                           separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def sign(actor: User, data: SigningInput, render: Renderer,
         now: dt.datetime | None = None) -> Consent:
    """Record the consent signed on screen: the PDF is made, stored and fingerprinted in one
    transaction; any refusal leaves nothing behind."""
    require(actor, "consent.sign")
    now = (now or dt.datetime.now()).replace(microsecond=0)
    patient, template, witness = _signing_rows(actor, data)
    initials = _initials(template.sections, data.initials)
    signature = _signature(data.signature_png, "patient's")
    witness_signature = _signature(data.witness_signature_png, "witness's")
    guardian = clean_line(data.guardian_name)
    relation = clean_line(data.guardian_relation)
    name = f"{patient.first_name} {patient.last_name}"
    if age_on(patient.dob, now.date()) < ADULT_AGE:
        if not guardian or not relation:
            raise ValidationError(f"{name} is under {ADULT_AGE}: a parent or guardian signs, "
                                  "giving their name and relation.")
    elif guardian or relation:
        raise ValidationError(f"{name} is an adult and signs for themselves.")
    if len(guardian) > limits.GUARDIAN or len(relation) > limits.RELATION:
        raise ValidationError("The guardian's name or relation is too long.")
    signer = guardian or name
    content = {
        "template": {"id": template.id, "category": template.category,
                     "version": template.version, "title": template.title,
                     "body": template.body},
        "patient": {"id": patient.id, "name": name, "dob": patient.dob,
                    "chart": patient.chart_number},
        "signed_at": now, "signer": signer, "guardian_relation": relation,
        "initials": initials, "witness": {"id": actor.id, "name": witness},
        "signature_sha256": hashlib.sha256(signature).hexdigest(),
        "witness_signature_sha256": hashlib.sha256(witness_signature).hexdigest(),
        "appointment": data.appointment_id,
    }
    sheet = ConsentSheet(template.title, KINDS[template.category], template.id,
                         template.version, template.sections, initials, name, patient.dob,
                         patient.chart_number, now, signer, relation, signature,
                         witness, witness_signature, fingerprint(content))
    pdf = render(sheet)
    with db.atomic():
        stored = stored_files.keep(pdf, "application/pdf", now)[0]
        consent = Consent.create(
            patient=patient.id, template=template.id, category=template.category,
            appointment=data.appointment_id, method=ConsentMethod.SCREEN, signed_at=now,
            signer_name=signer, guardian_relation=relation, witness=actor,
            content_sha256=sheet.fingerprint, document=stored.id, recorded_by=actor,
            recorded_at=dt.datetime.now())
        audit.record(actor, "consent.sign", "patient", patient.id,
                     f"{template.category} v{template.version} signed by {signer}; "
                     f"pdf sha256 {stored.sha256}")
        changes.note("consent", patient.id)
    return consent


def _signing_rows(actor: User, data: SigningInput) -> tuple[Patient, Template, str]:
    """The patient, the consent form (refused unless it is still the version in force) and
    the witness's signed name as the account reads now ("Dr Vasquez, MD"), not as it read at
    sign-in: one query (on a clinic's server every query is a round trip); a refusal may
    take more."""
    creator, witness, newer = User.alias(), User.alias(), ConsentTemplate.alias()
    newest = (newer.select(fn.MAX(newer.version))
              .where(newer.category == ConsentTemplate.category))
    row = (Patient.select(Patient.id, Patient.first_name, Patient.last_name, Patient.dob,
                          Patient.chart_number, Patient.merged_into, ConsentTemplate.id,
                          ConsentTemplate.category, ConsentTemplate.version,
                          ConsentTemplate.title, ConsentTemplate.body,
                          ConsentTemplate.created_at, creator.display_name, newest,
                          witness.display_name, witness.credentials)
           .join(ConsentTemplate, on=(ConsentTemplate.id == data.template_id))
           .join(creator, JOIN.LEFT_OUTER, on=(ConsentTemplate.created_by == creator.id))
           .switch(Patient).join(witness, on=(witness.id == actor.id))
           .where(Patient.id == data.patient_id).tuples().first())
    if row is None:
        if not Patient.select().where(Patient.id == data.patient_id).exists():
            raise NotFound("That patient does not exist.")
        raise NotFound("That consent form does not exist.")
    (pid, first, last, dob, chart_number, merged_into, tid, category, version, title, body,
     created_at, created_by, newest_version, witness_name, credentials) = row
    if merged_into is not None:
        refuse_if_merged(pid)
    if newest_version != version:
        raise ValidationError(f"The consent form was changed (now version {newest_version}) "
                              "while it was open; please open it again.")
    patient = Patient(id=pid, first_name=first, last_name=last, dob=dob,
                      chart_number=chart_number)
    template = Template(tid, category, version, title, body, parse_sections(body),
                        created_by or "", created_at)
    return patient, template, signed_name(witness_name, credentials or "")


class DocumentDamaged(ValidationError):
    """A stored document no longer matches its SHA-256."""


def document(actor: User, consent_id: int) -> bytes:
    """The consent's stored PDF (or scan), byte for byte, after checking its hash. Reading it
    is a chart access and is audited."""
    return document_and_type(actor, consent_id)[0]


def document_and_type(actor: User, consent_id: int) -> tuple[bytes, str]:
    """As ``document``, with the stored file's media type (a scan may be an image)."""
    require(actor, "consent.read")
    consent = Consent.get_or_none(Consent.id == consent_id)
    if consent is None:
        raise NotFound("That consent does not exist.")
    stored = consent.document
    content = stored_files.verified(stored)
    if content is None:
        raise DocumentDamaged("This consent's stored document has been altered; it cannot be "
                              "shown. Restore it from a backup.")
    with db.atomic():
        audit.record(actor, "consent.view", "patient", consent.patient_id,
                     f"consent {consent.id} ({consent.category})")
    return content, stored.media_type


def damaged_documents() -> list[str]:
    """Stored files whose bytes no longer match their SHA-256 (for ``check``)."""
    return [f"stored file {f.id} ({f.media_type}) does not match its fingerprint"
            for f in StoredFile.select().iterator()
            if hashlib.sha256(bytes(f.content)).hexdigest() != f.sha256]


@dataclass(frozen=True)
class ConsentRow:
    id: int
    category: str  # key
    form: str  # "Dermal filler consent, version 2"
    signed_at: dt.datetime
    method: str  # "signed on screen" | "signed on paper"
    signer: str
    witness: str


def patient_consents(actor: User, patient_id: int) -> list[ConsentRow]:
    """The patient's consents, newest first."""
    require(actor, "consent.read")
    witness = User.alias()
    query = (Consent.select(Consent, ConsentTemplate, witness)
             .join(ConsentTemplate)
             .switch(Consent).join(witness, on=(Consent.witness == witness.id), attr="by")
             .where(Consent.patient.in_(chart_ids(patient_id)))
             .order_by(Consent.signed_at.desc(), Consent.id.desc()))
    return [consent_row(c.id, c.category, c.template.version, c.signed_at, c.method,
                        c.signer_name, c.guardian_relation, signed_name_of(c.by))
            for c in query]


def consent_row(consent_id: int, category: str, version: int, signed_at: dt.datetime,
                method: str, signer_name: str, guardian_relation: str | None,
                witness: str) -> ConsentRow:
    """A consent as the chart lists it (the chart's timeline reads these in its own query,
    ``services/charts/chart.py``)."""
    return ConsentRow(consent_id, category,
                      f"{KINDS.get(category, category)} consent, version {version}", signed_at,
                      "signed on screen" if method == ConsentMethod.SCREEN
                      else "signed on paper",
                      signer_name + (f" ({guardian_relation})" if guardian_relation else ""),
                      witness)



# -- the paper path ----------------------------------------------------------------------------
def paper_sheet(actor: User, category: str, patient_id: int | None = None) -> ConsentSheet:
    """The current form of a category to print and sign on paper: blank, or with the
    patient's name, birthday and chart number filled in."""
    require(actor, "consent.read")
    template = consent_templates.current(actor, category)
    name, dob, chart = "", None, ""
    if patient_id is not None:
        patient = Patient.get_or_none(Patient.id == patient_id)
        if patient is None:
            raise NotFound("That patient does not exist.")
        name, dob, chart = (f"{patient.first_name} {patient.last_name}", patient.dob,
                            patient.chart_number)
    return ConsentSheet(template.title, KINDS[category], template.id, template.version,
                        template.sections, tuple("" for _ in template.sections), name, dob,
                        chart, dt.datetime.now().replace(microsecond=0), "", "", b"",
                        actor.display_name, b"", "")


def _scan_type(scan: bytes) -> str:
    if not scan:
        raise ValidationError("Attach the scan of the signed paper form.")
    if len(scan) > MAX_SCAN:
        raise ValidationError("The scan is larger than 25 MB; scan at a lower resolution.")
    for magic, media_type in SCAN_TYPES.items():
        if scan.startswith(magic):
            return media_type
    raise ValidationError("The scan must be a PDF, JPEG or PNG file.")


def record_paper(actor: User, patient_id: int, template_id: int, signed_at: dt.datetime,
                 scan: bytes, *, guardian_name: str = "", guardian_relation: str = "",
                 appointment_id: int | None = None) -> Consent:
    """A consent signed on paper is received: the scan is kept as its document (for paper,
    the scan is what was signed; the template names the form it was printed from)."""
    require(actor, "consent.sign")
    patient = Patient.get_or_none(Patient.id == patient_id)
    if patient is None:
        raise NotFound("That patient does not exist.")
    refuse_if_merged(patient.id)
    template = ConsentTemplate.get_or_none(ConsentTemplate.id == template_id)
    if template is None:
        raise NotFound("That consent form does not exist.")
    signed_at = signed_at.replace(microsecond=0)
    if signed_at > dt.datetime.now() + dt.timedelta(minutes=5):
        raise ValidationError("A consent cannot be signed in the future.")
    media_type = _scan_type(scan)
    name = f"{patient.first_name} {patient.last_name}"
    guardian, relation = clean_line(guardian_name), clean_line(guardian_relation)
    if age_on(patient.dob, signed_at.date()) < ADULT_AGE and not (guardian and relation):
        raise ValidationError(f"{name} was under {ADULT_AGE}: give the name and relation of "
                              "the parent or guardian who signed.")
    if len(guardian) > limits.GUARDIAN or len(relation) > limits.RELATION:
        raise ValidationError("The guardian's name or relation is too long.")
    signer = guardian or name
    content = {"template": template.id, "patient": patient.id, "signed_at": signed_at,
               "signer": signer, "guardian_relation": relation, "received_by": actor.id,
               "scan_sha256": hashlib.sha256(scan).hexdigest(), "appointment": appointment_id}
    with db.atomic():
        stored = stored_files.keep(scan, media_type)[0]
        consent = Consent.create(
            patient=patient.id, template=template.id, category=template.category,
            appointment=appointment_id, method=ConsentMethod.PAPER, signed_at=signed_at,
            signer_name=signer, guardian_relation=relation, witness=actor,
            content_sha256=fingerprint(content), document=stored.id, recorded_by=actor,
            recorded_at=dt.datetime.now())
        audit.record(actor, "consent.paper", "patient", patient.id,
                     f"{template.category} v{template.version} signed on paper by {signer} "
                     f"{signed_at:%Y-%m-%d}; scan sha256 {stored.sha256}")
        changes.note("consent", patient.id)
    return consent
