"""Proof that committed records survive: a writer killed at random moments, two PCs writing
one SQLite file at once, and a backup taken under load. Each runs real processes against a
real database file."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from medspa_desktop.services.platform import backup
from medspa_desktop.services.platform.integrity import check_database
from medspa_desktop.store.database import close_database, db, open_database
from medspa_desktop.store.models import Appointment, Invoice, Patient

ROOT = Path(__file__).resolve().parents[2]
CRASH_ROUNDS = 30


def _worker(*args: str, stdin=None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tests.reliability.worker", *args],
                            cwd=ROOT, stdin=stdin, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})


def _overlaps(column: str) -> int:
    return db.execute_sql(f"""
        SELECT COUNT(*) FROM appointment a JOIN appointment b
          ON a.{column} = b.{column} AND a.id < b.id
         AND datetime(a.start) < datetime(b."end") AND datetime(b.start) < datetime(a."end")
         WHERE a.status NOT IN ('cancelled', 'no_show')
           AND b.status NOT IN ('cancelled', 'no_show')""").fetchone()[0]


def test_a_writer_killed_at_random_loses_no_acknowledged_commit(clinic_file):
    rng = random.Random(20261123)
    acked: dict[str, set[int]] = {"patient": set(), "appointment": set(), "invoice": set()}
    for round_ in range(CRASH_ROUNDS):
        child = _worker("crash", str(clinic_file), str(round_))
        wanted = rng.randint(1, 7)
        seen = 0
        while seen < wanted:
            line = child.stdout.readline()
            assert line, child.stderr.read()
            kind, number = line.split()[1:]
            acked[kind].add(int(number))
            seen += 1
        time.sleep(rng.uniform(0, 0.03))  # often in the middle of the next transaction
        child.send_signal(signal.SIGKILL)
        rest, _ = child.communicate()
        for line in rest.splitlines():  # printed after a commit returned: acknowledged too
            kind, number = line.split()[1:]
            acked[kind].add(int(number))
        open_database(clinic_file)
        try:
            assert db.execute_sql("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert acked["patient"] <= {p for (p,) in Patient.select(Patient.id).tuples()}
            assert acked["appointment"] <= {a for (a,) in Appointment.select(Appointment.id)
                                            .tuples()}
            numbers = sorted(n for (n,) in Invoice.select(Invoice.number).tuples())
            assert acked["invoice"] <= set(numbers)
            assert numbers == list(range(1, len(numbers) + 1))  # no gap, even when killed
            assert check_database() == [], f"round {round_}"
        finally:
            close_database()
    assert sum(len(v) for v in acked.values()) >= CRASH_ROUNDS


def test_two_pcs_on_one_file_never_double_book_or_lose_a_number(clinic_file):
    pcs = [_worker("desk", str(clinic_file), str(seed), "300") for seed in (1, 2)]
    results = []
    for pc in pcs:
        out, err = pc.communicate(timeout=240)
        assert pc.returncode == 0 and "Traceback" not in err, err
        results.append(json.loads(out))
    for r in results:  # every operation ran; some won, some were refused by the other PC
        assert r["booked"] + r["moved"] + r["cancelled"] + len(r["invoices"]) + r["refused"] \
            >= 290
        assert r["booked"] > 15 and r["moved"] > 5 and r["refused"] > 5, r
    open_database(clinic_file)
    try:
        for column in ("provider_id", "room_id", "patient_id"):
            assert _overlaps(column) == 0, column
        numbers = sorted(results[0]["invoices"] + results[1]["invoices"])
        assert numbers == list(range(1, len(numbers) + 1))
        assert Invoice.select().count() == len(numbers)
        assert check_database() == []
    finally:
        close_database()


def test_a_backup_taken_while_writers_run_restores_to_a_sound_database(clinic_file, tmp_path):
    pc = _worker("desk", str(clinic_file), "7", "300")
    open_database(clinic_file)
    taken = []
    try:
        while pc.poll() is None and len(taken) < 3:
            taken.append(backup.create_backup(None, tmp_path / "usb",
                                              now=dt.datetime(2026, 11, 20 + len(taken), 12))
                         .backup.path)
    finally:
        close_database()
    out, err = pc.communicate(timeout=240)
    assert pc.returncode == 0, err
    assert taken, "the writer finished before a backup could be taken"
    for path in taken:
        assert backup.verify_backup(path) == []
        restored = tmp_path / f"restored-{path.name}" / "clinic.db"
        backup.restore_backup(path, restored)
        open_database(restored)
        try:
            assert check_database() == []
        finally:
            close_database()


def _acks_until_waiting(window: subprocess.Popen, acked: set[int]) -> None:
    while (line := window.stdout.readline()) != "WAITING\n":
        assert line.startswith("ACK patient "), line + window.stderr.read()
        acked.add(int(line.split()[2]))


def test_a_second_program_on_the_file_never_costs_the_first_its_commits(clinic_file, tmp_path):
    """The first program writes; a second one opens the same file the same way and quits
    (as at the sign-in), then `check` and `backup` run beside it; the first is killed. Every commit it
    acknowledged is there: nothing the first program did let the others believe they were
    alone with the file and remove the WAL its latest commits were in."""
    window = _worker("window", str(clinic_file), "5", stdin=subprocess.PIPE)
    window_in = window.stdin
    acked: set[int] = set()
    try:
        _acks_until_waiting(window, acked)
        second = _worker("open-and-quit", str(clinic_file))
        out, err = second.communicate(timeout=120)
        assert second.returncode == 0, err
        window_in.write("go on\n")
        window_in.flush()
        _acks_until_waiting(window, acked)
        check = subprocess.run([sys.executable, str(ROOT / "main.py"), "check", "--db",
                                str(clinic_file)], capture_output=True, text=True, cwd=ROOT,
                               timeout=120)
        assert check.returncode == 0, check.stdout + check.stderr
        window_in.write("go on\n")
        window_in.flush()
        _acks_until_waiting(window, acked)
        saved = subprocess.run([sys.executable, str(ROOT / "main.py"), "backup", "--db",
                                str(clinic_file), "--to", str(tmp_path / "usb")],
                               capture_output=True, text=True, cwd=ROOT, timeout=120)
        assert saved.returncode == 0, saved.stdout + saved.stderr
        window_in.write("go on\n")
        window_in.flush()
        _acks_until_waiting(window, acked)  # five more, after all the others have quit
    finally:
        window.send_signal(signal.SIGKILL)
        window.communicate()
    assert len(acked) == 20
    open_database(clinic_file)
    try:
        kept = {p for (p,) in Patient.select(Patient.id).tuples()}
        assert acked <= kept, f"lost: {sorted(acked - kept)}"
        assert check_database() == []
    finally:
        close_database()
