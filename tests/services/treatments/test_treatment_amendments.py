"""Charted records are final: the database refuses changing or deleting a treatment record or
a photo (but a photo's archiving); a correction is an amendment, shown under the original."""

from __future__ import annotations

import datetime as dt

import pytest
from peewee import IntegrityError

from medspa_desktop.printouts import treatment_record_pdf
from medspa_desktop.services.charts import photos
from medspa_desktop.services.platform.errors import NotFound, PermissionDenied, ValidationError
from medspa_desktop.services.platform.integrity import check_database
from medspa_desktop.services.treatments import treatment_amendments, treatment_records
from medspa_desktop.store import migrations
from medspa_desktop.store.database import db
from medspa_desktop.store.models import (
    AuditEvent,
    Photo,
    TreatmentAmendment,
    TreatmentRecord,
)
from tests.documents.pdftext import pdf_text
from tests.services.treatments.test_treatment_records import (  # noqa: F401 (fixture)
    TODAY,
    TOXIN,
    _started,
    clinic,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"pretend pixels " * 50


@pytest.fixture
def charted(clinic):  # noqa: F811
    appt = _started(clinic, "Botox Cosmetic", "rn")
    treatment_records.record_treatment(
        clinic["rn"], appt.id, {**TOXIN, "product_id": clinic["botox"].id},
        aftercare="No lying down for 4 hours.", today=TODAY)
    return appt


def _record(appt) -> TreatmentRecord:
    return TreatmentRecord.get(TreatmentRecord.appointment == appt.id)


def test_the_database_refuses_changing_or_deleting_a_charted_record(charted):
    record = _record(charted)
    with pytest.raises(IntegrityError, match="treatment_record is append-only"):
        db.execute_sql("UPDATE treatment_record SET parameters = '{}' WHERE id = ?",
                       (record.id,))
    with pytest.raises(IntegrityError, match="treatment_record is append-only"):
        TreatmentRecord.update(aftercare="forged").where(TreatmentRecord.id == record.id).execute()
    with pytest.raises(IntegrityError, match="treatment_record is append-only"):
        db.execute_sql("DELETE FROM treatment_record WHERE id = ?", (record.id,))
    kept = _record(charted)
    assert kept.parameters == record.parameters and kept.aftercare == record.aftercare


def test_an_amendment_is_shown_under_the_unchanged_original_and_audited(clinic, charted):  # noqa: F811
    before = _record(charted).parameters
    amendment = treatment_amendments.amend(
        clinic["rn"], charted.id, "  Wrong dilution  entered ",
        "Dilution was 2.0 mL per 100 U,\nnot 2.5 mL.")
    assert amendment.reason == "Wrong dilution entered"  # one line, as for notes
    view = treatment_records.record_view(clinic["admin"], charted.id)
    (shown,) = view.amendments
    assert (shown.author, shown.reason) == ("Jo Kim", "Wrong dilution entered")
    assert shown.text == "Dilution was 2.0 mL per 100 U,\nnot 2.5 mL."
    assert abs(shown.at - dt.datetime.now()) < dt.timedelta(minutes=1)
    assert ("Dilution (saline per 100 U)", "2.5 mL") in view.parameters  # the original stays
    assert _record(charted).parameters == before
    event = AuditEvent.select().where(AuditEvent.action == "treatment.amend").get()
    assert (event.username, event.record_type, event.record_id) == ("rn", "appointment",
                                                                  str(charted.id))
    assert event.summary == "Wrong dilution entered"


def test_amendments_print_under_the_record_oldest_first(clinic, charted):  # noqa: F811
    pdf_before = pdf_text(treatment_record_pdf(clinic["rn"], charted.id))
    assert "Amendment" not in pdf_before
    treatment_amendments.amend(clinic["rn"], charted.id, "Lot <b>typo</b> & slip",
                               "Lot was C1-B, not C1.")
    treatment_amendments.amend(clinic["le"], charted.id, "Added aftercare",
                               "Told to avoid the gym for 24 h.")
    text = pdf_text(treatment_record_pdf(clinic["rn"], charted.id))
    assert "Dilution (saline per 100 U) 2.5 mL" in text  # the original, as charted
    assert "The record above is as it was charted" in text
    first, second = text.index("Amendment 1"), text.index("Amendment 2")
    assert text.index("Charted by Jo Kim") < first < second
    for expected in ("Reason Lot <b>typo</b> & slip", "Lot was C1-B, not C1.",
                     "Reason Added aftercare", "Told to avoid the gym for 24 h."):
        assert expected in text, expected
    assert f"Amendment 1 Jo Kim, {dt.date.today():%Y-%m-%d}" in text
    assert f"Amendment 2 Lee Tech, {dt.date.today():%Y-%m-%d}" in text


@pytest.mark.parametrize(("reason", "text", "message"), [
    ("", "Dilution was 2.0 mL.", "Give the reason"),
    ("   ", "Dilution was 2.0 mL.", "Give the reason"),
    ("Wrong dilution", "  \n ", "Write the amendment"),
    ("x" * 501, "Dilution was 2.0 mL.", "at most 500 characters"),
    ("Wrong dilution", "x" * 4001, "at most 4000 characters"),
])
def test_an_amendment_needs_a_reason_and_a_text(clinic, charted, reason, text, message):  # noqa: F811
    with pytest.raises(ValidationError, match=message):
        treatment_amendments.amend(clinic["rn"], charted.id, reason, text)
    assert TreatmentAmendment.select().count() == 0
    assert not AuditEvent.select().where(AuditEvent.action == "treatment.amend").exists()


@pytest.mark.parametrize("who", ["desk", "admin"])
def test_only_clinicians_amend_a_record(clinic, charted, who):  # noqa: F811
    with pytest.raises(PermissionDenied, match="may not chart treatments"):
        treatment_amendments.amend(clinic[who], charted.id, "Wrong dilution", "2.0 mL")
    assert TreatmentAmendment.select().count() == 0


def test_an_uncharted_visit_cannot_be_amended(clinic):  # noqa: F811
    appt = _started(clinic, "Botox Cosmetic", "rn")
    with pytest.raises(NotFound, match="no treatment record yet"):
        treatment_amendments.amend(clinic["rn"], appt.id, "Wrong dilution", "2.0 mL")
    assert TreatmentAmendment.select().count() == 0


def test_amendments_are_append_only_too(clinic, charted):  # noqa: F811
    amendment = treatment_amendments.amend(clinic["rn"], charted.id, "Wrong dilution",
                                           "2.0 mL")
    with pytest.raises(IntegrityError, match="treatment_amendment is append-only"):
        db.execute_sql("UPDATE treatment_amendment SET text = 'forged' WHERE id = ?",
                       (amendment.id,))
    with pytest.raises(IntegrityError, match="treatment_amendment is append-only"):
        db.execute_sql("DELETE FROM treatment_amendment WHERE id = ?", (amendment.id,))
    assert TreatmentAmendment.get_by_id(amendment.id).text == "2.0 mL"


@pytest.fixture
def photo(clinic):  # noqa: F811
    return photos.import_photo(clinic["rn"], clinic["zoe"].id, PNG, tag="before",
                               area="Glabella", taken_on=dt.date(2026, 11, 1),
                               consent_note="Signed paper consent today")


@pytest.mark.parametrize(("column", "value"), [
    ("area", "Forehead"), ("tag", "after"), ("sha256", "0" * 64), ("taken_on", "2020-01-01"),
    ("patient_id", None), ("consent_note", ""), ("imported_at", "2020-01-01 00:00:00"),
])
def test_the_database_refuses_changing_a_photo(photo, column, value):
    with pytest.raises(IntegrityError, match="a photo cannot be changed, only archived"):
        db.execute_sql(f"UPDATE photo SET {column} = ? WHERE id = ?", (value, photo.id))
    kept = Photo.get_by_id(photo.id)
    assert (kept.area, kept.tag, kept.sha256) == ("Glabella", "before", photo.sha256)


def test_a_photo_is_never_deleted_but_may_be_archived_and_brought_back(photo):
    with pytest.raises(IntegrityError, match="photo rows are never deleted"):
        db.execute_sql("DELETE FROM photo WHERE id = ?", (photo.id,))
    Photo.update(archived=True).where(Photo.id == photo.id).execute()
    assert Photo.get_by_id(photo.id).archived
    Photo.update(archived=False).where(Photo.id == photo.id).execute()
    assert not Photo.get_by_id(photo.id).archived


def test_the_photo_guard_covers_every_column_but_archived():
    """A column added to Photo later must be guarded too (or deliberately left changeable)."""
    columns = {f.column_name for f in Photo._meta.sorted_fields}
    assert set(migrations.ARCHIVABLE_TABLES["photo"]) == columns - {"archived"}


@pytest.mark.parametrize(("trigger", "problem"), [
    ("treatment_record_no_update", "treatment_record has lost its append-only trigger"),
    ("treatment_record_no_delete", "treatment_record has lost its append-only trigger"),
    ("treatment_amendment_no_update", "treatment_amendment has lost its append-only trigger"),
    ("photo_fixed_no_update", "photo has lost its fixed-row trigger"),
    ("photo_no_delete", "photo has lost its fixed-row trigger"),
])
def test_check_reports_a_dropped_guard(charted, trigger, problem):
    assert check_database() == []
    db.execute_sql(f"DROP TRIGGER {trigger}")
    assert problem in check_database()
    migrations.install_guards()  # what the next upgrade would put back
    assert check_database() == []
