"""Start-up imports what the first window needs: reportlab (the PDFs) and the PostgreSQL
driver load when first used, not before the sign-in shows (``benchmarks``: the cold start to
the painted sign-in). Each check runs in a new process, as a person's start does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]  # the clone: its code, not an installed copy
LATE = ("reportlab", "psycopg", "PySide6.QtCharts")  # QtCharts: the Reports tab, when shown


def loaded_after(code: str) -> dict:
    """Run ``code`` in a new interpreter; then which of ``LATE`` it had imported, and what
    the code put in ``result``."""
    script = (f"import json, sys\nresult = None\n{code}\n"
              f"print(json.dumps({{'late': [m for m in {LATE!r} if m in sys.modules], "
              "'result': result}))")
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=120, cwd=ROOT, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


def test_the_sign_in_and_the_main_window_import_neither_reportlab_nor_the_driver(tmp_path):
    found = loaded_after(f"""
from medspa_desktop import app, cli
from medspa_desktop.ui import errors, first_run, login, main_window, single_instance
from medspa_desktop.store.opening import open_clinic_database
qt = app.make_application()
result = open_clinic_database({str(tmp_path / "clinic.db")!r})
""")
    assert found["result"] is None  # the clinic file opened (a new one)
    assert found["late"] == []


def test_the_first_printout_brings_reportlab_and_the_pdf_is_drawn(demo_template, tmp_path):
    copy = tmp_path / "demo.db"
    copy.write_bytes(demo_template.read_bytes())
    found = loaded_after(f"""
import datetime as dt
from medspa_desktop.store.opening import open_clinic_database
from medspa_desktop.services.platform.auth import get_user
from medspa_desktop import printouts
assert open_clinic_database({str(copy)!r}) is None
before = "reportlab" in sys.modules
pdf = printouts.day_sheet_pdf(get_user("frontdesk"), dt.date.today())
result = [before, pdf[:5].decode()]
""")
    assert found["result"] == [False, "%PDF-"]
    assert found["late"] == ["reportlab"]


def test_a_clinic_on_postgresql_gets_its_driver_when_it_opens(pg_server):
    url = pg_server.url(pg_server.create_database(f"medspa_{uuid.uuid4().hex[:12]}"))
    found = loaded_after(f"""
from medspa_desktop.store.opening import open_clinic_database
from medspa_desktop.store.database import db
before = "psycopg" in sys.modules
refusal = open_clinic_database({url!r})
with db.atomic():
    db.execute_sql("CREATE TABLE late_driver (n integer)")
    db.execute_sql("INSERT INTO late_driver VALUES (41), (1)")
result = [before, refusal, db.execute_sql("SELECT sum(n) FROM late_driver").fetchone()[0]]
""")
    assert found["result"] == [False, None, 42]
    assert "psycopg" in found["late"]
