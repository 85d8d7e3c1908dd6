"""The command line, run as a separate process exactly as a person would run it."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from medspa_desktop import __version__

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    environment = {**os.environ, "QT_QPA_PLATFORM": "offscreen", **(env or {})}
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True,
                          text=True, timeout=300, env=environment, cwd=ROOT)


def one_line_error(result: subprocess.CompletedProcess, fragment: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("medspa-desktop: error: ") and fragment in lines[0]


@pytest.fixture
def closed_demo(demo_template, tmp_path):
    """A private copy of the demo database, not opened in this process."""
    path = tmp_path / "demo.db"
    path.write_bytes(demo_template.read_bytes())
    return path


def test_version():
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"MedSpa Desktop {__version__}"


def test_check_passes_on_a_healthy_database(closed_demo):
    result = run("check", "--db", str(closed_demo))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith(": OK")


def test_check_reports_a_tampered_audit_row(closed_demo):
    con = sqlite3.connect(closed_demo)
    con.execute("DROP TRIGGER audit_event_no_update")
    con.execute("UPDATE audit_event SET username = 'nobody' WHERE id = 42")
    con.commit()
    con.close()
    result = run("check", "--db", str(closed_demo))
    assert result.returncode == 1
    assert "PROBLEM: audit event 42: its content was changed after it was written" in result.stdout
    assert "PROBLEM: audit_event has lost its append-only trigger" in result.stdout


def test_check_reads_the_database_from_medspa_db(closed_demo):
    result = run("check", env={"MEDSPA_DB": str(closed_demo)})
    assert result.returncode == 0 and str(closed_demo) in result.stdout


def test_a_missing_file_is_one_line(tmp_path):
    one_line_error(run("check", "--db", str(tmp_path / "nope.db")), "no such database file")


def test_a_file_that_is_not_a_database_is_one_line(tmp_path):
    text = tmp_path / "letter.db"
    text.write_text("Dear patient,\n" * 50)
    one_line_error(run("check", "--db", str(text)), "is not a MedSpa database")


def test_another_programs_database_is_one_line(tmp_path):
    other = tmp_path / "other.db"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE t (x)")
    con.close()
    one_line_error(run("check", "--db", str(other)), "is not a MedSpa database")


def test_a_bad_argument_is_one_line():
    one_line_error(run("check", "--frobnicate"), "unrecognized arguments: --frobnicate")
    one_line_error(run("demo", "--db", "x.db", "--seed", "many"), "invalid int value")


def test_the_benchmark_is_not_a_subcommand_and_bench_says_where_it_is():
    result = run("bench", "--quick")
    one_line_error(result, "python -m benchmarks")
    assert "bench" not in run("--help").stdout


def test_python_m_medspa_desktop_is_the_same_command():
    result = subprocess.run([sys.executable, "-m", "medspa_desktop", "--version"],
                            capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"MedSpa Desktop {__version__}"


def test_demo_writes_a_new_file_and_refuses_to_overwrite(tmp_path):
    path = tmp_path / "small.db"
    result = run("demo", "--db", str(path), "--seed", "3", "--patients", "15",
                 "--today", "2026-11-23")
    assert result.returncode == 0, result.stderr
    assert "15 patients" in result.stdout and "medspa-demo" in result.stdout
    assert run("check", "--db", str(path)).returncode == 0
    one_line_error(run("demo", "--db", str(path)), "already exists")


def test_screenshot_renders_the_main_window(closed_demo, tmp_path):
    out = tmp_path / "window.png"
    result = run("screenshot", "--db", str(closed_demo), "--user", "frontdesk",
                 "--tab", "patients", "--out", str(out), "--size", "1000x700")
    assert result.returncode == 0, result.stderr
    from PySide6.QtGui import QImage

    image = QImage(str(out))
    assert (image.width(), image.height()) == (1000, 700)


def test_screenshot_of_an_unknown_user_is_one_line(closed_demo, tmp_path):
    one_line_error(run("screenshot", "--db", str(closed_demo), "--user", "ghost",
                       "--out", str(tmp_path / "x.png")), "no active user named 'ghost'")


def test_day_sheet_writes_the_days_pdf(closed_demo, tmp_path):
    import io

    from pypdf import PdfReader

    from tests.conftest import busy_weekday

    out = tmp_path / "sheet.pdf"
    result = run("day-sheet", "--db", str(closed_demo), "--user", "frontdesk", "--date",
                 busy_weekday().isoformat(), "--provider", "director", "--out", str(out))
    assert result.returncode == 0, result.stderr
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(out.read_bytes())).pages)
    assert "Dr Vasquez —" in text and f"{busy_weekday():%A %d %B %Y}" in text
    assert "Priya Shah" not in text


def test_day_sheet_for_someone_who_is_not_a_provider_is_one_line(closed_demo, tmp_path):
    one_line_error(run("day-sheet", "--db", str(closed_demo), "--user", "frontdesk",
                       "--provider", "frontdesk", "--out", str(tmp_path / "x.pdf")),
                   "no provider named 'frontdesk'")


def test_backup_then_restore_from_the_command_line(closed_demo, tmp_path):
    drive = tmp_path / "usb"
    saved = run("backup", "--db", str(closed_demo), "--to", str(drive))
    assert saved.returncode == 0, saved.stderr
    assert "checked" in saved.stdout and "backup: 100%" in saved.stderr
    (taken,) = [p for p in drive.iterdir() if p.name.startswith("medspa-")]
    con = sqlite3.connect(closed_demo)
    before = con.execute("SELECT COUNT(*) FROM appointment").fetchone()[0]
    con.execute("DROP TRIGGER appointment_change_no_delete")  # a careless tool wipes history
    con.execute("DELETE FROM appointment_change")
    con.commit()
    con.close()
    assert run("check", "--db", str(closed_demo)).returncode == 1
    restored = run("restore", "--from", str(taken), "--db", str(closed_demo))
    assert restored.returncode == 0, restored.stderr
    assert "the replaced database is kept as" in restored.stdout
    assert run("check", "--db", str(closed_demo)).returncode == 0
    con = sqlite3.connect(closed_demo)
    assert con.execute("SELECT COUNT(*) FROM appointment").fetchone()[0] == before
    assert con.execute("SELECT COUNT(*) FROM appointment_change").fetchone()[0] > 0
    con.close()
    aside = list(tmp_path.glob("demo.db.replaced-*"))
    assert len(aside) == 1


def test_a_damaged_backup_is_not_restored(closed_demo, tmp_path):
    drive = tmp_path / "usb"
    assert run("backup", "--db", str(closed_demo), "--to", str(drive)).returncode == 0
    (taken,) = drive.iterdir()
    (taken / "clinic.db").write_bytes(b"SQLite format 3\x00" + b"\x00" * 4096)
    before = closed_demo.read_bytes()
    one_line_error(run("restore", "--from", str(taken), "--db", str(closed_demo)),
                   "cannot be restored: the database file changed")
    assert closed_demo.read_bytes() == before


def _clinic_file(tmp_path: Path) -> Path:
    """A clinic that has just been installed (its name and admin), closed."""
    from medspa_desktop.services.clinic import clinic
    from medspa_desktop.services.platform import auth
    from medspa_desktop.store.database import close_database, open_database
    from medspa_desktop.store.migrations import migrate

    path = tmp_path / "clinic.db"
    open_database(path)
    migrate()
    clinic.create_clinic(clinic.ClinicInfo("New Clinic"),
                         auth.UserInput("owner", "Olive Owner", "admin", "long-enough"),
                         default_catalog=False)
    close_database()
    return path


def _patients(path: Path) -> list[tuple]:
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT first_name, last_name, dob, external_id FROM patient "
                           "ORDER BY id").fetchall()
    finally:
        con.close()


def test_import_patients_from_the_command_line(tmp_path):
    clinic_file = _clinic_file(tmp_path)
    export = tmp_path / "old system.csv"
    export.write_text("Client ID,Given,Surname,Birth,Mobile\n"
                      "7,Ann,Lee,03/04/1990,555 010 1234\n"
                      "8,,Nobody,04/05/1991,\n"
                      "9,Bo,Chen,05/06/1992,\n", encoding="utf-8")
    ambiguous = run("import-patients", "--db", str(clinic_file), "--from", str(export),
                    "--map", "surname=Surname", "--map", "first name=Given",
                    "--map", "dob=Birth")
    one_line_error(ambiguous, "dates like 03/04/1990 could be month/day or day/month: give "
                              "--date-order MDY or DMY")
    report = tmp_path / "refused.csv"
    args = ("import-patients", "--db", str(clinic_file), "--from", str(export), "--map",
            "last name=surname", "--map", "first name=given", "--map", "DOB=birth",
            "--date-order", "DMY", "--report", str(report))
    dry = run(*args, "--dry-run")
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert "refused line 3: Enter the patient's first name." in dry.stdout
    assert "dry run, nothing written: 2 to import, 1 refused, 0 probable duplicates" \
        in dry.stdout
    assert _patients(clinic_file) == []
    assert "Nobody" in report.read_text(encoding="utf-8-sig")

    done = run(*args)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().splitlines()[-1] == (
        "imported 2 patients (charts 000001 to 000002); 1 refused, 0 probable duplicates "
        "skipped")
    assert _patients(clinic_file) == [("Ann", "Lee", "1990-04-03", "7"),
                                      ("Bo", "Chen", "1992-06-05", "9")]
    again = run(*args)  # everyone is here now: nothing imported, and the exit says so
    assert again.returncode == 1
    assert "nothing imported: 0 to import, 1 refused, 2 probable duplicates" in again.stdout
    assert len(_patients(clinic_file)) == 2


def test_import_patients_from_a_synthea_bundle_and_bad_input(tmp_path):
    clinic_file = _clinic_file(tmp_path)
    sample = next((ROOT / "tests" / "fixtures" / "synthea").glob("*.json"))
    done = run("import-patients", "--db", str(clinic_file), "--from", str(sample))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "imported 1 patient (chart 000001);" in done.stdout
    assert len(_patients(clinic_file)) == 1
    one_line_error(run("import-patients", "--db", str(clinic_file), "--from",
                       str(tmp_path / "missing.csv")), "missing.csv: no such file")
    (tmp_path / "notes.txt").write_text("just some text\nno columns here\n")
    nothing = run("import-patients", "--db", str(clinic_file), "--from",
                  str(tmp_path / "notes.txt"))
    one_line_error(nothing, "Choose the columns with the first and last name")


def test_resources_lists_the_guide_and_the_icons_the_bundle_must_carry():
    result = run("resources")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "help: Backing up and restoring" in result.stdout
    assert "icons: 8 of 8" in result.stdout


def test_the_bundle_carries_resources_whole_and_its_smoke_check_reads_them():
    spec = (ROOT / "build.spec").read_text()
    assert '(str(ROOT / "resources"), "resources")' in spec
    dist = (ROOT / "Makefile").read_text().split("\ndist:", 1)[1].split("\n\n", 1)[0]
    assert "medspa-desktop resources" in dist
