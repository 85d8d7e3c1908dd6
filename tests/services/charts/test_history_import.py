"""Moving in the history: the old system's visit list matched to the charts its patient list
brought in (by its id, by chart number, by name and birth date), kept as it was written, shown
on the chart's timeline, never twice, all or nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from medspa_desktop.services.charts import chart, history_import, merge, patients
from medspa_desktop.services.charts import patient_import as pi
from medspa_desktop.services.platform import auth
from medspa_desktop.services.platform.errors import PermissionDenied, ValidationError
from medspa_desktop.store.database import db
from medspa_desktop.store.models import AuditEvent, ImportedVisit, Patient
from tests.conftest import PASSWORD

TODAY = dt.date(2026, 12, 5)
PATIENTS = ("Client ID,First Name,Last Name,DOB\n"
            "C-1,Ann,Lee,1990-03-04\nC-2,Bo,Chen,1985-06-07\nC-3,Bo,Chen,1985-06-07\n")
VISITS = (
    "Client ID,First Name,Last Name,DOB,Visit Date,Time,Treatment,Staff,Status,Product,"
    "Units,Areas,Lot,Notes\n"
    "C-1,,,,2025-01-15,2:30 PM,Botox,Dr Kay,Completed,Botox Cosmetic,20,Glabella,C123,"
    "Mild headache after\n"
    ",Ann,Lee,1990-03-04,2025-04-20 10:00,,Laser hair,Nina RN,Completed,,,Underarms,,\n"
    "C-9,,,,2025-02-01,,Peel,,,,,,,\n"
    ",Bo,Chen,1985-06-07,2025-03-01,,Filler,,,,,,,\n"
    "C-2,,,,2025-13-01,,Filler,,,,,,,\n"
    "C-2,,,,2025-05-05,25:00,Filler,,,,,,,\n"
    "C-2,,,,2025-05-06,,,,,,,,,\n"
    "C-2,,,,2027-01-01,,Filler,,,,,,,\n"
    "C-1,,,,2025-01-15,14:30,Botox,,,,,,,\n"
)


@pytest.fixture
def moved_in(admin):
    """The old system's patient list, imported."""
    source = pi.read_source("patients.csv", PATIENTS.encode())
    plan = pi.plan_import(admin, source, pi.guess_mapping(source.headers), "YMD",
                          include_duplicates=True, today=TODAY)
    pi.run_import(admin, plan)
    return admin


def _plan(actor, text: str = VISITS):
    source = pi.read_source("visits.csv", text.encode())
    mapping = pi.guess_mapping(source.headers, history_import.SYNONYMS)
    return history_import.plan_history(actor, source, mapping, "YMD", today=TODAY)


def test_every_visit_finds_its_chart_or_is_refused_with_why(moved_in):
    source = pi.read_source("visits.csv", VISITS.encode())
    assert pi.guess_mapping(source.headers, history_import.SYNONYMS) == {
        "patient_id": 0, "first_name": 1, "last_name": 2, "dob": 3, "date": 4, "time": 5,
        "service": 6, "provider": 7, "status": 8, "product": 9, "units": 10, "areas": 11,
        "lot": 12, "details": 13}
    before = ImportedVisit.select().count()
    plan = _plan(moved_in)
    assert ImportedVisit.select().count() == before == 0  # a dry run writes nothing
    ann = Patient.get(Patient.external_id == "C-1")
    assert {r.line: r.reason for r in plan.refused} == {
        4: "No chart here matches id C-9: import the patient list first, or correct the row.",
        5: f"2 charts are Bo Chen born 07 Jun 1985 ({Patient.get(Patient.external_id == 'C-2').chart_number}, "
           f"{Patient.get(Patient.external_id == 'C-3').chart_number}): give the chart number "
           "in the id column.",
        6: "'2025-13-01' is not a date (year-month-day).",
        7: "'25:00' is not a time (like 14:30 or 2:30 PM).",
        8: "The visit has no service or treatment.",
        9: "01 Jan 2027 is still to come: book visits to come on the schedule, not as history.",
    }
    assert {r.line: r.duplicate_of for r in plan.duplicates} == {10: "line 2 of this file"}
    first, second = plan.to_write
    assert first.chart == f"{ann.chart_number} Ann Lee" and second.chart == first.chart
    assert first.visit["at"] == dt.datetime(2025, 1, 15, 14, 30)
    assert first.visit["details"] == ("Product: Botox Cosmetic · Units: 20 · Areas: Glabella "
                                      "· Lot: C123 · Mild headache after")
    assert second.visit["at"] == dt.datetime(2025, 4, 20, 10, 0)  # the time inside the date
    assert plan.summary() == "2 visits to import onto 1 chart, 6 refused, 1 already imported"


def test_the_history_shows_on_the_chart_and_is_never_imported_twice(moved_in):
    plan = _plan(moved_in)
    result = history_import.run_history(moved_in, plan)
    assert (result.imported, result.charts) == (2, 1)
    ann = Patient.get(Patient.external_id == "C-1")
    items = [i for i in chart.timeline(moved_in, ann.id) if i.kind == "history"]
    assert [(i.when, i.title) for i in items] == [
        (dt.datetime(2025, 4, 20, 10, 0), "Laser hair"),
        (dt.datetime(2025, 1, 15, 14, 30), "Botox")]
    assert items[1].detail == ("Completed · Dr Kay · Product: Botox Cosmetic · Units: 20 · "
                               "Areas: Glabella · Lot: C123 · Mild headache after · from "
                               "visits.csv")
    event = AuditEvent.select().order_by(AuditEvent.id.desc()).first()
    assert event.action == "patient.import_history" and plan.source.sha256 in event.summary

    again = _plan(moved_in)
    assert again.to_write == [] and len(again.duplicates) == 3
    with pytest.raises(ValidationError, match="Nothing to import"):
        history_import.run_history(moved_in, again)
    assert ImportedVisit.select().count() == 2
    with pytest.raises(Exception, match="append-only"):  # history is never rewritten
        db.execute_sql("UPDATE imported_visit SET service = 'x'")


def test_the_front_desk_sees_the_visit_but_not_what_was_injected(moved_in):
    history_import.run_history(moved_in, _plan(moved_in))
    desk = auth.create_user(moved_in, auth.UserInput("desk", "Sam", "front_desk", PASSWORD))
    ann = Patient.get(Patient.external_id == "C-1")
    botox = [i for i in chart.timeline(desk, ann.id, {"history"}) if i.title == "Botox"][0]
    assert botox.detail == "Completed · Dr Kay · from visits.csv"
    with pytest.raises(PermissionDenied):
        _plan(desk)


def test_a_merged_duplicate_brings_its_history_to_the_kept_chart(moved_in):
    """The two Bo Chen charts: the history goes on the one named by id, and after the merge
    it shows on the kept chart."""
    history_import.run_history(moved_in, _plan(
        moved_in, "Client ID,Date,Service\nC-3,2024-06-01,Filler\n"))
    keep, other = (Patient.get(Patient.external_id == e) for e in ("C-2", "C-3"))
    director = auth.create_user(moved_in, auth.UserInput("md", "Dr Who", "medical_director",
                                                         PASSWORD))
    merge.merge_patients(director, keep.id, other.id, keep_version=keep.version,
                         other_version=other.version)
    assert [i.title for i in chart.timeline(moved_in, keep.id, {"history"})] == ["Filler"]
    # a later file naming the merged chart's id lands on the kept chart
    plan = _plan(moved_in, "Client ID,Date,Service\nC-3,2024-07-01,Peel\n")
    assert plan.to_write[0].visit["patient"] == keep.id
    assert patients.chart_ids(keep.id) == [keep.id, other.id]
