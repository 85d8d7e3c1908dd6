"""Patient search through the name-search index (``patient_name_part``): the same patients as a
``LIKE '%word%'`` over every name, whichever way a query is answered, in a fixed number of
statements, and through the index rather than a scan of every patient."""

from __future__ import annotations

import datetime as dt

import pytest

from medspa_desktop.services.charts import patients
from medspa_desktop.services.charts.patients import name_parts
from medspa_desktop.services.platform import query
from medspa_desktop.services.platform.query import patient_named, search_words
from medspa_desktop.services.platform.text import NAME_PART_MAX, fold
from medspa_desktop.store.database import db
from medspa_desktop.store.models import MedicalAnswer, Patient, PatientNamePart
from tests.conftest import but_the_account_check

# 80 characters, the most a name may have, that fold to 100: one word longer than the parts
LONG = "Groß" * 20

PEOPLE = [  # first, last, preferred
    ("John", "Smith", ""),
    ("Johnny", "Appleseed", ""),
    ("Zoë", "O'Brien-Żółć", ""),
    ("Zoe", "Garcia", ""),
    ("Maria", "García López", "Mari"),
    ("Ana", "Lee", "Annie"),
    ("Under_score", "Per%cent", ""),
    ("Plain", "Underscore", ""),
    ("Hubert", LONG, ""),
    ("Æsa", "Østergaard", "Straße"),
]

QUERIES = ["ohn", "john", "JOHN smith", "zoe", "ZOË", "Żółć", "o'brien", "garcia", "garc lop",
           "mari garcia", "a", "e a", "ann lee", "%", "_", "r%c", "r_s", "er_s", "underscore",
           "zz", "xq", "strasse", "aesa", "oster", LONG, fold(LONG)[:NAME_PART_MAX + 3],
           fold(LONG)[3:], "ssgro" * 17, "hubert " + LONG[8:], "ee ee", "smith smith", " ", ""]


def _person(first: str, last: str, preferred: str = "") -> patients.PatientInput:
    return patients.PatientInput(first_name=first, last_name=last, preferred_name=preferred,
                                 dob=dt.date(1985, 6, 1))


@pytest.fixture
def people(admin) -> dict[str, int]:
    return {f"{first} {last}": patients.create_patient(admin, _person(first, last, pref)).id
            for first, last, pref in PEOPLE}


@pytest.fixture(params=["index", "intersection", "walk"])
def path(request, monkeypatch) -> str:
    """Answer each query the given way: one word's patients from the index, two words'
    patients as the intersection of their index rows, or a walk of every patient by name."""
    rare, pair = {"index": (10**9, 10**9), "intersection": (0, 10**9),
                  "walk": (0, 0)}[request.param]
    monkeypatch.setattr(query, "RARE_ROWS", rare)
    monkeypatch.setattr(query, "PAIR_ROWS", pair)
    return request.param


def _as_before(text: str, include_archived: bool = False) -> list[int]:
    """What search answered before the index: every word a LIKE '%word%' on every name."""
    q = Patient.select(Patient.id)
    if not include_archived:
        q = q.where(~Patient.archived)
    for word in fold(text).split():
        q = q.where(Patient.search_name.contains(word))
    return [i for (i,) in q.order_by(Patient.search_name, Patient.id).tuples()]


def _found(admin, text: str, **kwargs) -> list[int]:
    return [r.id for r in patients.search_patients(admin, text, **kwargs)]


def test_name_parts_are_every_suffix_of_every_word():
    assert name_parts("lee ann") == {"lee", "ee", "e", "ann", "nn", "n"}
    assert name_parts("anna anna") == {"anna", "nna", "na", "a"}  # once each
    assert name_parts("") == set()
    long_parts = name_parts("x" * 100)
    assert max(map(len, long_parts)) == NAME_PART_MAX and len(long_parts) == NAME_PART_MAX


def test_words_inside_other_words_ask_nothing_more():
    assert search_words("Gar  GARCIA mar") == ["garcia", "mar"]
    assert search_words("zoë zoe") == ["zoe"]
    assert search_words(" ") == []


def test_a_patients_index_rows_are_the_parts_of_their_name(admin, people):
    for p in Patient.select():
        rows = {r.part for r in PatientNamePart.select().where(PatientNamePart.patient == p)}
        assert rows == name_parts(p.search_name)


@pytest.mark.parametrize("text", QUERIES)
def test_search_finds_the_same_patients_as_before_whichever_way_it_is_answered(
        admin, people, path, text):
    assert _found(admin, text) == _as_before(text)


def test_what_search_finds(admin, people, path):
    assert _found(admin, "ohn") == [people["Johnny Appleseed"], people["John Smith"]]
    assert _found(admin, "zoe") == [people["Zoe Garcia"], people["Zoë O'Brien-Żółć"]]
    assert _found(admin, "garcia mari") == [people["Maria García López"]]
    assert _found(admin, "%") == [people["Under_score Per%cent"]]  # a plain character
    assert _found(admin, "r_s") == [people["Under_score Per%cent"]]
    assert _found(admin, "r%c") == [people["Under_score Per%cent"]]
    assert len(fold(LONG)) > NAME_PART_MAX
    assert _found(admin, LONG[5:].upper()) == [people[f"Hubert {LONG}"]]
    assert _found(admin, fold(LONG) + "s") == []
    assert _found(admin, "nobody") == []


def test_a_renamed_patient_is_found_by_the_new_name_only(admin, people, path):
    pid = people["John Smith"]
    version = Patient.get_by_id(pid).version
    patients.update_patient(admin, pid, _person("Jonathan", "Smythe"), version)
    assert _found(admin, "smythe jonat") == [pid]
    assert pid not in _found(admin, "smith")
    assert _found(admin, "ohn") == [people["Johnny Appleseed"]]
    rows = {r.part for r in PatientNamePart.select().where(PatientNamePart.patient == pid)}
    assert rows == name_parts("smythe jonathan")


def test_archived_patients_are_found_only_when_asked_for(admin, people, path):
    patients.archive_patient(admin, people["Zoe Garcia"], "moved away")
    assert _found(admin, "zoe") == [people["Zoë O'Brien-Żółć"]]
    assert _found(admin, "zoe", include_archived=True) == _as_before("zoe", True)
    assert len(_found(admin, "zoe", include_archived=True)) == 2


def test_pages_follow_the_name_order(admin, people, path):
    everyone = _as_before("e")
    assert _found(admin, "e", limit=3) == everyone[:3]
    assert _found(admin, "e", limit=3, offset=3) == everyone[3:6]


def test_patient_named_limits_a_joined_query(admin, people, path):
    for pid in people.values():
        MedicalAnswer.create(patient=pid, question="allergies", value="false",
                             answered_on=dt.date(2026, 1, 5), recorded_by=admin,
                             recorded_at=dt.datetime(2026, 1, 5, 9, 0))
    joined = (MedicalAnswer.select(MedicalAnswer.id, Patient.id)
              .join(Patient, on=MedicalAnswer.patient == Patient.id))
    for text in ("ohn", "zoe garcia", "%", "nobody", ""):
        named = patient_named(joined, text).order_by(Patient.search_name, Patient.id)
        assert [pid for _answer, pid in named.tuples()] == _as_before(text)


@pytest.mark.parametrize("path", ["index", "intersection", "walk"], indirect=True)
def test_a_search_sends_three_statements_however_many_patients_it_finds(
        admin, path, statements):
    for n in range(60):
        patients.create_patient(admin, _person(f"Kim{n:02d}", "Nakamura"))
    counts = {}
    for text, limit in (("nakamura", 1), ("nakamura", 200), ("nakamura kim", 200),
                        ("kim07", 200), ("nobody", 200)):
        statements.clear()
        found = _found(admin, text, limit=limit)
        counts[text, limit] = (len(found), len(but_the_account_check(statements)))
    # the word counts, the page of patients, their next appointments (none when none found)
    assert counts == {("nakamura", 1): (1, 3), ("nakamura", 200): (60, 3),
                      ("nakamura kim", 200): (60, 3), ("kim07", 200): (1, 3),
                      ("nobody", 200): (0, 2)}


def _plan_of_search(admin, statements, text: str) -> list[str]:
    """How SQLite reads the page of patients that searching ``text`` asks for."""
    statements.clear()
    patients.search_patients(admin, text)
    sql, params = next((sql, params) for sql, params in statements
                       if sql.startswith('SELECT "t1"."id", "t1"."chart_number"'))
    assert "patient_name_part" in sql
    return [row[-1] for row in db.execute_sql("EXPLAIN QUERY PLAN " + sql, params)]


@pytest.mark.parametrize("path", ["index", "intersection"], indirect=True)
def test_a_search_reads_the_name_index_not_every_patient(admin, path, statements):
    for n in range(300):  # enough patients that a scan would cost something
        patients.create_patient(admin, _person(f"Pat{n:03d}", f"Family{n % 40:02d}"))
    patients.create_patient(admin, _person("Zebedee", "Quixley"))
    plan = _plan_of_search(admin, statements, "quix zeb")
    assert any(step.startswith("SEARCH") and "patient_name_part" in step
               and "INDEX sqlite_autoindex_patient_name_part_1 (part>? AND part<?)" in step
               for step in plan), plan
    assert not any(step.startswith("SCAN") for step in plan), plan
    assert any("INTEGER PRIMARY KEY" in step for step in plan), plan  # patients by id
