"""Moving in from another system: a patient list as the old system exported it (its headers,
its delimiter, its encoding, its date order), checked row by row in a dry run that writes
nothing, then written all at once or not at all; FHIR Patients from the Synthea samples as
they are."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest

from medspa_desktop.services.charts import patient_import as pi
from medspa_desktop.services.charts import patients
from medspa_desktop.services.platform.errors import PermissionDenied, ValidationError
from medspa_desktop.store.database import db
from medspa_desktop.store.models import AuditEvent, Patient
from tests.conftest import PASSWORD

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "synthea"  # as generated
TODAY = dt.date(2026, 12, 5)

# what a salon-software export looks like: semicolons, Windows-1252 (é, ü), day-first dates,
# a column we do not keep, and the mistakes of a list typed by hand over the years
OLD_SYSTEM = (
    "Client ID;First Name;Last Name;DOB;Mobile;E-mail;Gender;Last Visit\r\n"
    "C-100;Renée;Dubois;03/04/1990;0412 555 010;renee@example.com;F;01/11/2026\r\n"
    "C-101;Jürgen;Bauer;17/11/1975;;jb@example.com;M;\r\n"
    "C-102;;Nameless;01/01/1980;;;;\r\n"
    "C-103;Ann;Lee;31/02/1990;;;F;\r\n"
    "C-104;Bo;Chen;05/06/1988;;bo at example;F;\r\n"
    "C-105;Mia;Stone;12/12/2001;555 010 4477;;F;\r\n"
    "C-106;renee;DUBOIS;03/04/1990;;;F;\r\n"
    "C-107;Tess;Hart;09/09/1999;;;Q;\r\n"
)


@pytest.fixture
def clinic_with_mia(admin):
    """A clinic that already registered Mia Stone at the desk."""
    patients.create_patient(admin, patients.PatientInput("Mia", "Stone", dt.date(2001, 12, 12)))
    return admin


def _source(text: str, encoding: str = "cp1252", name: str = "clients.csv") -> pi.Source:
    return pi.read_source(name, text.encode(encoding))


def test_the_mapping_is_guessed_from_the_old_systems_headers_and_the_dates_are_asked(admin):
    source = _source(OLD_SYSTEM)
    assert source.delimiter == ";" and source.encoding == "windows-1252"
    assert source.rows[0][1] == "Renée"
    mapping = pi.guess_mapping(source.headers)
    assert mapping == {"external_id": 0, "first_name": 1, "last_name": 2, "dob": 3,
                       "phone": 4, "email": 5, "sex": 6}  # "Last Visit" is not kept
    dobs = [row[3] for row in source.rows]
    assert pi.date_orders(dobs) == ["DMY"]  # 17/11/1975 cannot be month 17
    assert pi.date_orders(["03/04/1990", "05/06/1988"]) == ["MDY", "DMY"]  # the person picks
    assert pi.date_orders(["1990-03-04"]) == ["MDY", "DMY", "YMD"]
    assert pi.parse_day("03/04/1990", "MDY") == dt.date(1990, 3, 4)
    assert pi.parse_day("03/04/1990", "DMY") == dt.date(1990, 4, 3)
    assert pi.parse_day("4 Mar 1990", "MDY") == pi.parse_day("March 4, 1990", "DMY") \
        == dt.date(1990, 3, 4)
    assert pi.parse_day("1990-03-04T00:00:00", "DMY") == dt.date(1990, 3, 4)
    assert pi.parse_day("3/4/85", "MDY", TODAY) == dt.date(1985, 3, 4)
    assert pi.parse_day("3/4/05", "MDY", TODAY) == dt.date(2005, 3, 4)


def test_the_dry_run_lists_every_refusal_and_duplicate_and_writes_nothing(clinic_with_mia):
    source = _source(OLD_SYSTEM)
    before = (Patient.select().count(), AuditEvent.select().count())
    plan = pi.plan_import(clinic_with_mia, source, pi.guess_mapping(source.headers), "DMY",
                          today=TODAY)
    assert (Patient.select().count(), AuditEvent.select().count()) == before
    refused = {r.line: r.reason for r in plan.refused}
    assert refused == {
        4: "Enter the patient's first name.",
        5: "'31/02/1990' is not a date of birth (day/month/year).",
        6: "'bo at example' is not an email address (like name@example.com).",
        9: "'Q' is not a sex this program knows (female, male, intersex, other, undisclosed).",
    }
    duplicates = {r.line: r.duplicate_of for r in plan.duplicates}
    mia = Patient.get(Patient.last_name == "Stone")
    assert duplicates == {7: f"chart {mia.chart_number} Mia Stone", 8: "line 2 of this file"}
    assert [r.line for r in plan.to_write] == [2, 3]
    assert plan.summary() == ("2 to import, 4 refused, 2 probable duplicates (2 skipped)")

    report = list(csv.reader(io.StringIO(pi.report_csv(plan).lstrip("\ufeff"))))
    assert report[0] == ["Line", "Outcome", "Why", *source.headers]
    assert [(r[0], r[1]) for r in report[1:]] == [
        ("4", "Refused"), ("5", "Refused"), ("6", "Refused"), ("7", "Probable duplicate"),
        ("8", "Probable duplicate"), ("9", "Refused")]
    assert report[2][2:5] == [
        "'31/02/1990' is not a date of birth (day/month/year).", "C-103", "Ann"]


def test_the_import_writes_the_accepted_rows_findable_and_audited_once(clinic_with_mia):
    source = _source(OLD_SYSTEM)
    plan = pi.plan_import(clinic_with_mia, source, pi.guess_mapping(source.headers), "DMY",
                          today=TODAY)
    events = AuditEvent.select().count()
    result = pi.run_import(clinic_with_mia, plan)
    assert (result.imported, result.refused, result.duplicates) == (2, 4, 2)
    renee = Patient.get(Patient.external_id == "C-100")
    assert (renee.first_name, renee.last_name, renee.dob, renee.phone, renee.email,
            renee.sex) == ("Renée", "Dubois", dt.date(1990, 4, 3), "0412555010",
                           "renee@example.com", "female")
    assert renee.chart_number == f"{renee.id:06d}" == result.first_chart
    assert [r.name for r in patients.search_patients(clinic_with_mia, "rene")] \
        == ["Dubois, Renée"]
    assert [r.name for r in patients.search_patients(clinic_with_mia, "urge")] \
        == ["Bauer, Jürgen"]
    (event,) = AuditEvent.select().where(AuditEvent.id > 0).order_by(
        AuditEvent.id.desc()).limit(1)
    assert AuditEvent.select().count() == events + 1 and event.action == "patient.import"
    assert source.sha256 in event.summary and "2 imported from clients.csv" in event.summary

    # the same file again: everything is now a duplicate of a chart here, nothing to import
    again = pi.plan_import(clinic_with_mia, _source(OLD_SYSTEM),
                           pi.guess_mapping(source.headers), "DMY", today=TODAY)
    assert again.to_write == [] and {r.line for r in again.duplicates} == {2, 3, 7, 8}
    with pytest.raises(ValidationError, match="Nothing to import"):
        pi.run_import(clinic_with_mia, again)
    assert Patient.select().count() == 3


def test_a_cancelled_import_writes_nothing(admin):
    rows = "".join(f"Pat{i};Test;01/02/1980\n" for i in range(1200))
    source = _source("First;Last;Date of birth\n" + rows, "utf-8")
    plan = pi.plan_import(admin, source, pi.guess_mapping(source.headers), "MDY", today=TODAY)
    assert len(plan.to_write) == 1200
    seen = []
    with pytest.raises(pi.ImportCancelled):
        pi.run_import(admin, plan, progress=lambda done, total: seen.append(done),
                      cancelled=lambda: len(seen) >= 2)
    assert seen == [500, 1000]  # two batches were written inside the transaction…
    assert Patient.select().count() == 0  # …and rolled back with it
    assert not AuditEvent.select().where(AuditEvent.action == "patient.import").exists()


def test_utf16_tab_separated_with_one_name_column(admin):
    text = "Patient Name\tBirth Date\tPhone Number\r\nLee, Ann\t1990-03-04\t555 010 9999\r\n" \
           "Zoë van der Berg\t1985-12-01\t\r\n"
    source = pi.read_source("export.txt", b"\xff\xfe" + text.encode("utf-16-le"))
    assert (source.delimiter, source.encoding) == ("\t", "utf-16")
    mapping = pi.guess_mapping(source.headers)
    assert mapping == {"full_name": 0, "dob": 1, "phone": 2}
    plan = pi.plan_import(admin, source, mapping, "YMD", today=TODAY)
    names = [(r.patient.first_name, r.patient.last_name) for r in plan.to_write]
    assert names == [("Ann", "Lee"), ("Zoë van der", "Berg")]


def test_a_mapping_corrected_on_the_command_line(admin):
    source = _source("Nom;Prénom;Naissance\nDubois;Renée;1990-04-03\n", "utf-8")
    assert pi.guess_mapping(source.headers) == {}
    mapping = dict(pi.parse_mapping_option(option, source.headers) for option in (
        "last name=Nom", "First name=prénom", "DOB=naissance"))
    assert mapping == {"last_name": 0, "first_name": 1, "dob": 2}
    with pytest.raises(ValidationError, match="no column named 'Geburt'"):
        pi.parse_mapping_option("dob=Geburt", source.headers)
    with pytest.raises(ValidationError, match="Choose the column with the date of birth"):
        pi.plan_import(admin, source, {"last_name": 0, "first_name": 1}, "YMD")


def test_the_front_desk_cannot_import(admin):
    from medspa_desktop.services.platform import auth

    desk = auth.create_user(admin, auth.UserInput("desk", "Sam Desk", "front_desk", PASSWORD))
    source = _source(OLD_SYSTEM)
    with pytest.raises(PermissionDenied):
        pi.plan_import(desk, source, pi.guess_mapping(source.headers), "DMY")


def test_the_synthea_samples_import_as_they_are(admin):
    """Bundles written by a generator no one here wrote: the Patient of each is imported, its
    medical record number kept, its social security number nowhere, the rest reported."""
    files = sorted(SAMPLES.glob("*.json"))
    assert len(files) >= 3
    for path in files:
        source = pi.read_source(path.name, path.read_bytes())
        assert source.kind == "fhir" and len(source.rows) == 1
        assert {"Encounter", "Observation"} <= source.left_out.keys()
        plan = pi.plan_import(admin, source, pi.FHIR_MAPPING, "YMD")
        assert plan.refused == [], plan.refused[0].reason if plan.refused else ""
        assert "left out (not kept by a medical spa):" in plan.summary()
        pi.run_import(admin, plan)
    first = Patient.get(Patient.external_id == "475d72ca-91c7-7211-97e3-f000af33fc04")
    assert (first.first_name, first.last_name, first.dob, first.sex, first.phone) == (
        "Bibi254", "Schowalter414", dt.date(2009, 4, 29), "female", "5552599533")
    assert first.address == "346 Marvin Divide Suite 33\nWestborough, Massachusetts 01581"
    assert Patient.select().count() == len(files)
    dump = "\n".join(db.connection().iterdump())
    assert "999-97-5872" not in dump  # the sample's social security number


def test_ndjson_patients_and_a_file_without_any(admin):
    lines = ('{"resourceType": "Patient", "id": "p1", "name": [{"family": "Lee", "given": '
             '["Ann", "Marie"]}], "birthDate": "1990-03-04", "gender": "unknown", '
             '"telecom": [{"system": "email", "value": "ann@example.com"}]}\n'
             '{"resourceType": "Observation", "id": "o1"}\n')
    source = pi.read_source("patients.ndjson", lines.encode())
    plan = pi.plan_import(admin, source, pi.FHIR_MAPPING, "YMD")
    (row,) = plan.to_write
    assert (row.patient.first_name, row.patient.sex, row.patient.email, row.external_id) == (
        "Ann Marie", "undisclosed", "ann@example.com", "p1")
    assert source.left_out == {"Observation": 1}
    with pytest.raises(ValidationError, match="holds no FHIR Patient resource"):
        pi.read_source("obs.ndjson", b'{"resourceType": "Observation"}\n')
    with pytest.raises(ValidationError, match="empty"):
        pi.read_source("empty.csv", b"\r\n\r\n")
