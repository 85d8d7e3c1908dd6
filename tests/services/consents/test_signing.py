"""Consents: versioned templates, signing that stores an unchanging PDF with its hash, reprint,
and the check that catches a changed byte."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from medspa_desktop.printouts import sign_consent
from medspa_desktop.services.charts import patients
from medspa_desktop.services.consents import (
    consent_policy,
    consent_templates,
    signing,
)
from medspa_desktop.services.platform import auth
from medspa_desktop.services.platform.errors import PermissionDenied, ValidationError
from medspa_desktop.services.platform.integrity import check_database
from medspa_desktop.services.platform.png import grey_png
from medspa_desktop.store.database import db
from medspa_desktop.store.models import AuditEvent, Consent, ConsentTemplate, StoredFile


def png(ink: int = 0) -> bytes:
    """A small real PNG with a stroke, as the signature pad would give."""
    return grey_png(40, 12, background=255, ink_row=6, ink=ink)


@pytest.fixture
def people(admin):
    rn = auth.create_user(admin, auth.UserInput("rn", "Jo Kim", "provider", "long-enough",
                                                "Jo Kim, RN"))
    desk = auth.create_user(admin, auth.UserInput("desk", "Sam", "front_desk", "long-enough"))
    adult = patients.create_patient(admin, patients.PatientInput(
        "Ann <b>&", "O'Brien-Żółć", dt.date(1990, 4, 17)))
    minor = patients.create_patient(admin, patients.PatientInput(
        "Mia", "Lee", dt.date.today().replace(year=dt.date.today().year - 16)))
    return {"admin": admin, "rn": rn, "desk": desk, "adult": adult, "minor": minor}


def _input(template, patient_id, **changes):
    initials = tuple("AO" if s.initials else "" for s in template.sections)
    return signing.SigningInput(**{
        "patient_id": patient_id, "template_id": template.id, "initials": initials,
        "signature_png": png(), "witness_signature_png": png(ink=80), **changes})


def test_the_shipped_text_is_version_1_and_an_edit_adds_a_version(people):
    first = consent_templates.current(people["desk"], "neurotoxin")
    assert (first.version, first.created_by) == (1, "")
    assert [s.heading for s in first.sections][:3] == [
        "The procedure and how it works", "Expected benefits", "Risks and side effects"]
    assert "ptosis" in first.sections[2].text and first.sections[2].initials
    with pytest.raises(PermissionDenied):
        consent_templates.save_version(people["rn"], "neurotoxin", first.title, first.body)
    with pytest.raises(ValidationError, match="Nothing has changed"):
        consent_templates.save_version(people["admin"], "neurotoxin", first.title, first.body)
    with pytest.raises(ValidationError, match="Start the consent text with a section heading"):
        consent_templates.save_version(people["admin"], "neurotoxin", first.title, "Just text")
    with pytest.raises(ValidationError, match="at least one section"):
        consent_templates.save_version(people["admin"], "neurotoxin", first.title, "  ")
    with pytest.raises(ValidationError, match="The section 'Cost' has no text"):
        consent_templates.save_version(people["admin"], "neurotoxin", first.title,
                                       first.body + "\n## Cost\n")
    second = consent_templates.save_version(
        people["admin"], "neurotoxin", first.title,
        first.body + "\n\n## Cost [initials]\nI know what this treatment costs.")
    assert second.version == 2 and second.sections[-1] == consent_templates.Section(
        "Cost", "I know what this treatment costs.", True)
    assert consent_templates.current(people["desk"], "neurotoxin").id == second.id
    assert [t.version for t in consent_templates.history(people["desk"], "neurotoxin")] == [2, 1]
    assert ConsentTemplate.get_by_id(first.id).body == first.body  # kept as it was


def test_every_category_and_photography_ship_a_readable_template(people):
    for category in consent_templates.KINDS:
        template = consent_templates.current(people["desk"], category)
        assert template.title and len(template.sections) >= 4, category
        assert any(s.initials for s in template.sections), category


def test_signing_stores_the_pdf_with_its_hash_and_a_reprint_is_identical(people):
    template = consent_templates.current(people["rn"], "filler")
    consent = sign_consent(people["rn"], _input(template, people["adult"].id))
    stored = StoredFile.get_by_id(consent.document_id)
    pdf = bytes(stored.content)
    assert pdf.startswith(b"%PDF") and hashlib.sha256(pdf).hexdigest() == stored.sha256
    assert (consent.method, consent.signer_name, consent.template_id) == (
        "screen", "Ann <b>& O'Brien-Żółć", template.id)
    assert signing.document(people["desk"], consent.id) == pdf
    assert signing.document(people["rn"], consent.id) == pdf
    assert AuditEvent.select().where(AuditEvent.action == "consent.sign").count() == 1
    assert AuditEvent.select().where(AuditEvent.action == "consent.view").count() == 2
    assert check_database() == []


def test_a_changed_byte_is_caught_by_check_and_on_reading(people):
    template = consent_templates.current(people["rn"], "neurotoxin")
    consent = sign_consent(people["rn"], _input(template, people["adult"].id))
    stored = StoredFile.get_by_id(consent.document_id)
    damaged = bytearray(stored.content)
    damaged[len(damaged) // 2] ^= 0x01
    with pytest.raises(Exception, match="append-only"):  # the database refuses the change
        StoredFile.update(content=bytes(damaged)).where(StoredFile.id == stored.id).execute()
    db.execute_sql("DROP TRIGGER stored_file_no_update")  # an attacker with file access
    StoredFile.update(content=bytes(damaged)).where(StoredFile.id == stored.id).execute()
    assert f"stored file {stored.id} (application/pdf) does not match its fingerprint" in \
        check_database()
    with pytest.raises(signing.DocumentDamaged, match="altered"):
        signing.document(people["rn"], consent.id)


@pytest.mark.parametrize(("changes", "message"), [
    ({"signature_png": b""}, "The patient's signature is missing"),
    ({"witness_signature_png": b"not a png"}, "The witness's signature is missing"),
    ({"initials": None}, "Please initial the section 'Risks and side effects'"),
    ({"guardian_name": "Bo O'Brien", "guardian_relation": "father"},
     "is an adult and signs for themselves"),
])
def test_an_incomplete_form_is_refused_and_leaves_nothing(people, changes, message):
    template = consent_templates.current(people["rn"], "neurotoxin")
    if changes.get("initials", ()) is None:
        changes["initials"] = tuple("" for _ in template.sections)
    with pytest.raises(ValidationError, match=message):
        sign_consent(people["rn"], _input(template, people["adult"].id, **changes))
    assert Consent.select().count() == 0 and StoredFile.select().count() == 0


def test_a_guardian_signs_for_a_minor(people):
    template = consent_templates.current(people["rn"], "laser_hair")
    with pytest.raises(ValidationError, match="Mia Lee is under 18: a parent or guardian"):
        sign_consent(people["rn"], _input(template, people["minor"].id))
    consent = sign_consent(people["rn"], _input(template, people["minor"].id,
                                                guardian_name="Kim Lee",
                                                guardian_relation="mother"))
    assert (consent.signer_name, consent.guardian_relation) == ("Kim Lee", "mother")


def test_a_form_changed_while_open_must_be_reopened(people):
    template = consent_templates.current(people["rn"], "ipl")
    consent_templates.save_version(people["admin"], "ipl", "New IPL consent", template.body)
    with pytest.raises(ValidationError, match="changed \\(now version 2\\)"):
        sign_consent(people["rn"], _input(template, people["adult"].id))


def _arrived(people, when: dt.datetime | None = None):
    from medspa_desktop.services.scheduling import appointments
    from medspa_desktop.store.models import Room, Service

    start = when or dt.datetime.combine(dt.date(2030, 1, 8), dt.time(10))
    appt = appointments.book_appointment(people["admin"], appointments.AppointmentInput(
        people["adult"].id, Service.get(Service.name == "Botox Cosmetic").id, people["rn"].id,
        start, start + dt.timedelta(minutes=30), Room.get(Room.name == "Room 1").id))
    return appointments.change_status(people["desk"], appt.id, "arrived", appt.version)


def _start(people, appt, actor="rn", **kwargs):
    from medspa_desktop.services.scheduling import appointments

    return appointments.change_status(people[actor], appt.id, "in_treatment", appt.version,
                                      **kwargs)


def test_a_treatment_without_consent_needs_a_providers_override(people):
    from medspa_desktop.store.models import ConsentOverride

    appt = _arrived(people)
    with pytest.raises(consent_policy.ConsentRequired,
                       match="There is no signed neurotoxin consent on file. Sign the "
                             "consent now, or a provider may go ahead with a reason."):
        _start(people, appt)
    with pytest.raises(PermissionDenied, match="Only a provider can start a treatment"):
        _start(people, appt, "desk", consent_override="She signed on paper at home")
    assert ConsentOverride.select().count() == 0
    started = _start(people, appt, consent_override="Paper form signed; scanner broken")
    assert started.status == "in_treatment"
    override = ConsentOverride.get()
    assert (override.user_id, override.category) == (people["rn"].id, "neurotoxin")
    assert "scanner broken" in AuditEvent.get(AuditEvent.action == "consent.override").summary


def test_a_signed_consent_opens_the_way_until_it_expires_or_the_form_changes(people):
    template = consent_templates.current(people["rn"], "neurotoxin")
    sign_consent(people["rn"], _input(template, people["adult"].id))
    now = dt.datetime.now()
    assert consent_policy.missing_consent(people["rn"], people["adult"].id, "neurotoxin", now) == ""
    later = now + dt.timedelta(days=380)
    assert "more than 12 months ago" in consent_policy.missing_consent(
        people["rn"], people["adult"].id, "neurotoxin", later)
    consent_policy.set_policy(people["admin"], 24, True)
    assert consent_policy.missing_consent(people["rn"], people["adult"].id, "neurotoxin",
                                    later) == ""
    consent_templates.save_version(people["admin"], "neurotoxin", "Toxin consent (2027)",
                                   template.body)
    assert consent_policy.missing_consent(people["rn"], people["adult"].id, "neurotoxin", now) == (
        "The neurotoxin consent on file is version 1; the form is now version 2.")
    consent_policy.set_policy(people["admin"], 24, False)  # the clinic accepts older versions
    assert consent_policy.missing_consent(people["rn"], people["adult"].id, "neurotoxin", now) == ""
    assert _start(people, _arrived(people)).status == "in_treatment"
    with pytest.raises(ValidationError, match="between 1 and 120 months"):
        consent_policy.set_policy(people["admin"], 0, True)
    with pytest.raises(PermissionDenied):
        consent_policy.set_policy(people["rn"], 6, True)


def test_a_paper_consent_is_received_with_its_scan(people):
    template = consent_templates.current(people["desk"], "filler")
    signed = dt.datetime.now() - dt.timedelta(hours=1)
    for scan, message in ((b"", "Attach the scan"), (b"GIF89a...", "PDF, JPEG or PNG")):
        with pytest.raises(ValidationError, match=message):
            signing.record_paper(people["desk"], people["adult"].id, template.id, signed, scan)
    with pytest.raises(ValidationError, match="was under 18: give the name and relation"):
        signing.record_paper(people["desk"], people["minor"].id, template.id, signed, png())
    scan = b"%PDF-1.4 scanned form"
    consent = signing.record_paper(people["desk"], people["adult"].id, template.id, signed,
                                   scan)
    assert (consent.method, consent.witness_id) == ("paper", people["desk"].id)
    assert signing.document(people["rn"], consent.id) == scan
    rows = signing.patient_consents(people["desk"], people["adult"].id)
    assert [(r.form, r.method) for r in rows] == [("Dermal filler consent, version 1",
                                                   "signed on paper")]
    assert consent_policy.missing_consent(people["rn"], people["adult"].id, "filler",
                                    dt.datetime.now()) == ""


def test_the_witness_signs_with_their_credential_line(people):
    from medspa_desktop.services.platform import staff
    from tests.documents.pdftext import pdf_text

    staff.change_details(people["admin"], people["rn"].id, "Jo Kim", "NP")
    template = consent_templates.current(people["rn"], "filler")
    consent = sign_consent(people["rn"], _input(template, people["adult"].id))
    assert "Jo Kim, NP" in pdf_text(bytes(StoredFile.get_by_id(consent.document_id).content))
    assert signing.patient_consents(people["rn"], people["adult"].id)[0].witness == "Jo Kim, NP"
