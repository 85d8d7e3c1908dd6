"""Patient search on a real PostgreSQL server reads the name index, not every patient, even
with the plan the server keeps for a prepared statement.

psycopg prepares a statement on the server once its text has run five times, and the server
may then plan it once for every value (a "generic plan"). For ``part LIKE $1`` that plan
cannot bound an index range by the pattern's prefix: every keystroke scanned the whole name
index (94 ms at 40,000 patients instead of 2 ms). And written as ``id IN (…)``, the planner
could walk every patient in name order, looking each one up in the name index (3.6 s for
"thom" at 40,000 patients). The server is told to use generic plans from the first run here
(``plan_cache_mode``), and each statement the search sends is planned that way and run."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from peewee import chunked

from medspa_desktop.services.charts import patients
from medspa_desktop.services.charts.patients import name_parts
from medspa_desktop.services.clinic import clinic
from medspa_desktop.services.platform import auth, query
from medspa_desktop.services.platform.text import fold
from medspa_desktop.store.database import db
from medspa_desktop.store.models import Patient, PatientNamePart
from tests.conftest import PASSWORD

SURNAMES = ["Adams", "Baker", "Clark", "Davis", "Evans", "Fisher", "Garcia", "Harris", "Irwin",
            "Jones", "King", "Lopez", "Miller", "Nguyen", "Owens", "Parker", "Quinn", "Reyes",
            "Scott"]
FIRST = ["Ana", "Ben", "Cara", "Dan", "Eve", "Finn", "Gia", "Hal", "Ivy", "Joe"]


@pytest.fixture
def crowded_clinic(pg_database):
    """A clinic of 3,040 patients on the server; the 40 Thomases sort after everyone else
    (a walk of the patients in name order meets them last)."""
    admin = clinic.create_clinic(clinic.ClinicInfo("Crowded Clinic"),
                                 auth.UserInput("admin", "Ada Admin", "admin", PASSWORD))
    now = dt.datetime(2026, 1, 5, 9, 0)
    names = [(f"{FIRST[n % 10]}{n}", SURNAMES[n % len(SURNAMES)]) for n in range(3000)]
    names += [(f"{FIRST[n % 10]}{n}", "Thomas") for n in range(40)]
    with db.atomic():
        people = [{"chart_number": f"{n + 1:06d}", "first_name": first, "last_name": last,
                   "dob": dt.date(1980, 1, 1), "search_name": fold(f"{last} {first}"),
                   "created_at": now, "updated_at": now}
                  for n, (first, last) in enumerate(names)]
        for batch in chunked(people, 500):
            Patient.insert_many(batch).execute()
        parts = [{"part": part, "patient": p.id} for p in Patient.select()
                 for part in name_parts(p.search_name)]
        for batch in chunked(parts, 1000):
            PatientNamePart.insert_many(batch).execute()
    db.execute_sql("ANALYZE patient")
    db.execute_sql("ANALYZE patient_name_part")
    return admin


def _explained(sql: str, params: tuple) -> list[dict]:
    """Every node of the plan the server keeps for ``sql`` as a prepared statement, run."""
    import psycopg

    numbers = iter(range(1, len(params) + 1))
    text = re.sub(r"%%|%s", lambda m: "%" if m.group() == "%%" else f"${next(numbers)}", sql)
    db.execute_sql(f"PREPARE probe AS {text}".replace("%", "%%"))
    try:
        arguments = psycopg.ClientCursor(db.connection()).mogrify(
            ", ".join(["%s"] * len(params)), params)
        execute = f"EXECUTE probe({arguments})" if params else "EXECUTE probe"
        (plan,), = db.execute_sql(
            f"EXPLAIN (ANALYZE, FORMAT JSON) {execute}".replace("%", "%%")).fetchall()
    finally:
        db.execute_sql("DEALLOCATE probe")
    plan = json.loads(plan) if isinstance(plan, str) else plan
    nodes, waiting = [], [plan[0]["Plan"]]
    while waiting:
        node = waiting.pop()
        nodes.append(node)
        waiting.extend(node.get("Plans", []))
    return nodes


def _read(nodes: list[dict], table: str) -> int:
    """How many of ``table``'s rows the plan's scans of it read (kept or filtered out)."""
    return sum((n.get("Actual Rows", 0) + n.get("Rows Removed by Filter", 0))
               * n.get("Actual Loops", 1) for n in nodes if n.get("Relation Name") == table)


@pytest.mark.parametrize(("typed", "found", "rare_rows"), [
    ("thom", 40, query.RARE_ROWS), ("THOMAS ana", 4, query.RARE_ROWS),
    ("thomas joe9", 1, query.RARE_ROWS), ("thomas ana", 4, 0)],
    ids=["one word", "two words", "a second word of many", "intersection"])
def test_a_search_reads_the_name_index_even_with_a_generic_plan(
        crowded_clinic, statements, monkeypatch, typed, found, rare_rows):
    monkeypatch.setattr(query, "RARE_ROWS", rare_rows)
    db.execute_sql("SET plan_cache_mode = force_generic_plan")
    statements.clear()
    rows = patients.search_patients(crowded_clinic, typed, limit=50)
    assert len(rows) == found and all(r.name.startswith("Thomas, ") for r in rows)
    searched = [(sql, params) for sql, params in statements if "patient_name_part" in sql]
    assert len(searched) == 2  # how common each word is; the page of patients
    for sql, params in searched:
        nodes = _explained(sql, params)
        scans = {n["Node Type"] for n in nodes
                 if n.get("Relation Name") == "patient_name_part"}
        assert scans and scans <= {"Index Only Scan", "Index Scan", "Bitmap Heap Scan"}, (
            scans, sql)
        # the parts beginning with the words looked up (Thomas, and "ana": 300 Anas)
        assert _read(nodes, "patient_name_part") <= 500, sql
        # the Thomases alone, not a walk through the 3,000 patients before them
        assert _read(nodes, "patient") <= 2 * 40, sql
