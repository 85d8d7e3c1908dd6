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


def test_a_clinic_on_a_server_signs_in_through_the_sign_in_that_showed_first(pg_server,
                                                                             tmp_path):
    """``app.run_gui`` on a ``postgresql://`` clinic: the sign-in is on screen before the
    server is open (it opens behind it, the driver imported there); signing in on it brings
    the main window on the server's clinic, and quitting anchors the audit head as ever."""
    url = pg_server.url(pg_server.create_database(f"medspa_{uuid.uuid4().hex[:12]}"))
    found = loaded_after(f"""
import os
os.environ["XDG_DATA_HOME"] = {str(tmp_path / "pc")!r}
from medspa_desktop.store.opening import open_clinic_database
from medspa_desktop.store.database import close_database
from medspa_desktop.services.clinic import clinic
from medspa_desktop.services.platform import auth
assert open_clinic_database({url!r}) is None
clinic.create_clinic(clinic.ClinicInfo("Harbour Skin Clinic"),
                     auth.UserInput("owner", "Olive Owner", "admin", "long-enough"),
                     default_catalog=False)
close_database()
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from medspa_desktop import app
from medspa_desktop.ui import login
qt = app.make_application()
seen = {{}}
def look():
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, login.LoginDialog) and widget.isVisible() and "first" not in seen:
            seen["first"] = [widget.server_state, "psycopg" in sys.modules]
            widget.username.setText("owner")
            widget.password.setText("long-enough")
            widget.sign_in.click()
        if type(widget).__name__ == "MainWindow" and widget.isVisible():
            seen["main"] = [widget.user.username, widget.windowTitle()]
            QApplication.quit()
timer = QTimer()
timer.timeout.connect(look)
timer.start(5)
code = app.run_gui({url!r})
result = [code, seen]
""")
    code, seen = found["result"]
    assert code == 0
    assert seen["first"][0] in ("connecting", "ready")  # on screen whichever came first
    assert seen["main"][0] == "owner" and "Harbour Skin Clinic" in seen["main"][1]
    assert "psycopg" in found["late"]
