"""The audit chain anchored outside the database: someone with the file who rewrites a row and
re-chains every event after it (putting the triggers back) passes the chain check, but not
the anchors in the backups' manifests, the anchor file and the printed daily close."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

from medspa_desktop import app
from medspa_desktop.printouts import daily_close_pdf
from medspa_desktop.services.charts import patients
from medspa_desktop.services.clinic import clinic
from medspa_desktop.services.platform import audit, audit_anchor, auth, backup
from medspa_desktop.services.platform.integrity import check_database
from medspa_desktop.store.database import close_database, db, is_sqlite, open_database
from medspa_desktop.store.migrations import migrate
from tests.documents.pdftext import pdf_text

ROOT = Path(__file__).resolve().parents[3]
NOW = dt.datetime(2026, 11, 23, 18, 0)


def _people(admin, *names: str) -> None:
    for name in names:
        patients.create_patient(admin, patients.PatientInput(name, "Ng", dt.date(1990, 1, 1)))


def _rewrite(from_id: int, summary: str) -> None:
    """What an attacker with the file does: drop the guard, change a row, re-chain every row
    after it so the chain follows again, and put the guard back (SQLite)."""
    if is_sqlite():
        guard = db.execute_sql("SELECT sql FROM sqlite_master WHERE name = "
                               "'audit_event_no_update'").fetchone()[0]
        db.execute_sql("DROP TRIGGER audit_event_no_update")
    else:
        guard = None
        db.execute_sql("DROP TRIGGER audit_event_append_only ON audit_event")
    db.execute_sql(f"UPDATE audit_event SET summary = {db.param} WHERE id = {db.param}", (summary, from_id))
    _rechain(from_id)
    if guard:
        db.execute_sql(guard)


def _rechain(from_id: int) -> None:
    prev = db.execute_sql(f"SELECT hash FROM audit_event WHERE id < {db.param} ORDER BY id DESC "
                          "LIMIT 1", (from_id,)).fetchone()
    prev = prev[0] if prev else audit.GENESIS_HASH
    rows = db.execute_sql("SELECT id, at, username, action, record_type, record_id, summary "
                          f"FROM audit_event WHERE id >= {db.param} ORDER BY id", (from_id,)).fetchall()
    for row_id, at, *fields in rows:
        digest = audit._chain_hash(prev, audit._stored_timestamp(at), *fields)
        db.execute_sql(f"UPDATE audit_event SET prev_hash = {db.param}, hash = {db.param} WHERE id = {db.param}",
                       (prev, digest, row_id))
        prev = digest


def _remove_from(from_id: int) -> None:
    guard = db.execute_sql("SELECT sql FROM sqlite_master WHERE name = "
                           "'audit_event_no_delete'").fetchone()[0]
    db.execute_sql("DROP TRIGGER audit_event_no_delete")
    db.execute_sql("DELETE FROM audit_event WHERE id >= ?", (from_id,))
    db.execute_sql(guard)


def _last_id() -> int:
    return audit_anchor.head().last_id


def check(database: Path, *args: str) -> subprocess.CompletedProcess:
    """``medspa-desktop check``, run as a person runs it (the log folder is the test's)."""
    return subprocess.run([sys.executable, str(ROOT / "main.py"), "check", "--db",
                           str(database), *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}, cwd=ROOT)


def test_a_backup_records_the_head_in_its_manifest_and_the_anchor_file(admin, tmp_path):
    _people(admin, "Ann", "Bo")
    copy_head = audit_anchor.head()
    taken = backup.create_backup(admin, tmp_path / "usb", now=NOW).backup.path
    manifest = json.loads((taken / "manifest.json").read_text())
    assert manifest["audit_head"] == copy_head.as_dict()  # the copy's head: before the event
    assert manifest["database"] == audit_anchor.identity()
    [line] = audit_anchor.anchor_file().read_text().splitlines()
    assert json.loads(line) == {"at": NOW.isoformat(), "database": audit_anchor.identity(),
                                "reason": "backup", **audit_anchor.head().as_dict()}
    assert audit_anchor.head().last_id == copy_head.last_id + 1  # its own backup.create
    report = audit_anchor.compare([tmp_path / "usb"])
    assert report.problems == [] and report.matched == 2


def test_a_chain_rewritten_whole_passes_the_chain_check_but_not_its_anchors(admin, tmp_path,
                                                                          database):
    _people(admin, "Ann", "Bo", "Cy")
    changed = _last_id() - 1  # Bo's creation
    backup.create_backup(admin, now=NOW)  # backups/ beside the database
    _people(admin, "Di", "Ed")
    audit_anchor.anchor_now("quit")
    _rewrite(changed, "patient created (nothing else)")
    assert audit.verify_chain() == [] and check_database() == []  # the chain follows again
    report = audit_anchor.compare()
    assert len(report.problems) == 1
    assert report.problems[0].startswith(f"audit event {changed}: no longer as it was when "
                                         "the backup medspa-20261123-180000 was taken")
    assert "2 later anchor(s) no longer match either" in report.problems[0]

    close_database()
    result = check(database)
    assert result.returncode == 1, result.stdout
    assert f"PROBLEM: audit event {changed}: no longer as it was" in result.stdout


def test_without_a_backup_the_anchor_file_names_the_events_that_changed(admin, tmp_path):
    _people(admin, "Ann")
    audit_anchor.anchor_now("quit")
    first = _last_id()
    _people(admin, "Bo", "Cy")
    audit_anchor.anchor_now("quit")
    second = _last_id()
    _rewrite(first + 1, "nothing happened")
    [problem] = audit_anchor.compare([]).problems
    assert problem.startswith(f"audit event {second}: its hash no longer matches the anchor "
                              f"written at quit on ")
    assert f"an event after event {first} (the last that matches an anchor) up to it" in problem


def test_a_chain_shorter_than_an_anchor_says_rows_were_removed(admin, tmp_path, database):
    _people(admin, "Ann", "Bo", "Cy")
    kept = _last_id() - 2
    backup.create_backup(admin, tmp_path / "usb", now=NOW)
    _people(admin, "Di")
    anchored = audit_anchor.anchor_now("quit")
    _remove_from(kept + 1)  # the tail: the chain still follows row to row
    assert audit.verify_chain() == []
    [problem] = audit_anchor.compare([tmp_path / "usb"]).problems
    assert problem.startswith(f"audit log: rows were removed: it ends at event {kept} ({kept} "
                              "events), but the anchor written at quit on ")
    assert problem.endswith(f"({audit_anchor.anchor_file()}, line 2) records event "
                            f"{anchored.last_id} ({anchored.count} events)")
    close_database()
    result = check(database)
    assert result.returncode == 1 and "PROBLEM: audit log: rows were removed" in result.stdout


def test_a_restore_is_not_taken_for_tampering_but_later_tampering_is(admin, tmp_path,
                                                                   database):
    drive = tmp_path / "usb"
    _people(admin, "Ann")
    taken = backup.create_backup(admin, drive, now=NOW).backup.path
    _people(admin, "Bo", "Cy", "Di")
    backup.create_backup(admin, drive, now=NOW + dt.timedelta(days=1))
    audit_anchor.anchor_now("quit", NOW + dt.timedelta(days=1, hours=1))
    close_database()
    result = backup.restore_backup(taken, database, now=NOW + dt.timedelta(days=2))
    open_database(database)
    migrate()
    backup.record_restore("admin", result, taken)
    _people(admin, "Ed")  # the same ids as the history the restore replaced, other events
    audit_anchor.anchor_now("quit", NOW + dt.timedelta(days=2, hours=1))
    report = audit_anchor.compare([drive])
    assert report.problems == []
    assert any("before the restore of 2026-11-25 18:00" in n and "history that restore "
               "replaced" in n for n in report.notes), report.notes
    _rewrite(_last_id(), "nothing happened")  # after the restore, anchors bind again
    assert audit_anchor.compare([drive]).problems


def test_a_restore_in_the_same_second_as_the_backup_is_still_a_restore(admin, tmp_path,
                                                                      database):
    """A backup taken and restored within one second (a quick undo, a script): the backup's
    anchor, which counts the backup's own event, is before the restore, not after it."""
    _people(admin, "Ann")
    taken = backup.create_backup(admin, tmp_path / "usb",
                                 now=NOW.replace(microsecond=200_000)).backup.path
    close_database()
    backup.restore_backup(taken, database, now=NOW.replace(microsecond=700_000))
    open_database(database)
    report = audit_anchor.compare([tmp_path / "usb"])
    assert report.problems == []


def test_the_daily_close_prints_the_head_and_check_compares_it(admin, database):
    _people(admin, "Ann", "Bo")
    text = pdf_text(daily_close_pdf(admin, dt.date.today()))
    printed = audit_anchor.head()  # the close itself is the last event
    assert f"Last event {printed.last_id:,} ({printed.count:,} events), SHA-256: " \
           f"{printed.hash}" in text
    assert f"medspa-desktop check --anchor {printed.last_id}:<the SHA-256 above>" in text
    line = audit_anchor.anchor_file().read_text().splitlines()[-1]
    assert json.loads(line)["reason"] == "daily close"
    audit_anchor.anchor_file().unlink()  # only the paper is left
    _people(admin, "Cy")
    close_database()
    ok = check(database, "--anchor", f"{printed.last_id}:{printed.hash}")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    open_database(database)
    _rewrite(printed.last_id - 1, "nothing happened")
    close_database()
    bad = check(database, "--anchor", f"{printed.last_id}:{printed.hash}")
    assert bad.returncode == 1
    assert (f"PROBLEM: audit event {printed.last_id}: its hash no longer matches the head "
            "typed from a printout (--anchor)") in bad.stdout
    typo = check(database, "--anchor", f"{printed.last_id}:abc")
    assert typo.returncode == 2 and "is not an anchor like 1234:" in typo.stderr


def test_quitting_at_the_sign_in_anchors_the_head(admin, database, qapp, monkeypatch):
    import logging

    from medspa_desktop.ui import login

    class QuitAtSignIn:
        def __init__(self, *args) -> None:
            pass

        def exec(self) -> int:
            return 0

    monkeypatch.setattr(login, "LoginDialog", QuitAtSignIn)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    handlers = list(logging.getLogger("medspa_desktop").handlers)
    close_database()
    assert app.run_gui(str(database)) == 0
    for handler in logging.getLogger("medspa_desktop").handlers:
        if handler not in handlers:
            logging.getLogger("medspa_desktop").removeHandler(handler)
            handler.close()
    [line] = audit_anchor.anchor_file().read_text().splitlines()
    open_database(database)
    assert json.loads(line) | {"at": ""} == {
        "at": "", "database": audit_anchor.identity(), "reason": "quit",
        **audit_anchor.head().as_dict()}


def test_lines_that_cannot_be_read_are_named_but_a_line_cut_by_a_crash_is_not(admin):
    _people(admin, "Ann")
    audit_anchor.anchor_now("quit")
    file = audit_anchor.anchor_file()
    with file.open("a") as fh:
        fh.write("not json\n")
        fh.write('{"at": "2026-11-23T18:00:00", "database": ')  # the crash
    assert audit_anchor.compare([]).problems == [
        f"audit anchors: line 2 of {file} cannot be read"]


def test_check_looks_up_each_anchor_once_and_does_not_rehash(admin, statements):
    _people(admin, "Ann")
    for _ in range(30):
        audit_anchor.anchor_now("quit")  # the same head thirty times
        _people(admin, "Bo")
    statements.clear()
    report = audit_anchor.compare([])
    assert report.problems == [] and report.matched == 30
    reads = [sql for sql, _ in statements if "audit_event" in sql]
    assert len(reads) <= 30 + 2  # one lookup by id per anchor, and the head


def test_an_anchor_for_another_database_is_not_compared(admin, tmp_path):
    _people(admin, "Ann")
    audit_anchor.append(audit_anchor.Head(999, "f" * 64, 999), "quit",
                        str(tmp_path / "elsewhere.db"))
    report = audit_anchor.compare([])
    assert report.problems == [] and report.matched == 0


def test_on_postgresql_the_anchor_file_holds_the_servers_head(pg_database):
    admin = clinic.create_clinic(
        clinic.ClinicInfo("Test Clinic", "1 Main St", "555 010 0100", "12-3456789"),
        auth.UserInput("admin", "Ada Admin", "admin", "correct-horse"))
    _people(admin, "Ann", "Bo")
    audit_anchor.anchor_now("quit")
    [line] = audit_anchor.anchor_file().read_text().splitlines()
    assert json.loads(line)["database"].startswith("PostgreSQL ")
    assert audit_anchor.compare().problems == []
    anchored = _last_id()
    _rewrite(anchored - 1, "nothing happened")
    assert audit.verify_chain() == []
    [problem] = audit_anchor.compare().problems
    assert problem.startswith(f"audit event {anchored}: its hash no longer matches the anchor "
                              "written at quit on ")
