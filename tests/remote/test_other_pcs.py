"""Several windows on one clinic's data: what another process commits (another PC on the
server, a command line beside the window) is on this window's screen within two seconds,
without F5 — on the SQLite file and on a real PostgreSQL server, with real processes."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time
from pathlib import Path

import pytest

from medspa_desktop.services.charts import patients
from medspa_desktop.services.platform import changes, remote
from medspa_desktop.store.database import db
from medspa_desktop.store.models import ChangeSignal, Invoice, Patient
from medspa_desktop.ui.bus import bus
from medspa_desktop.ui.main_window import MainWindow
from tests.conftest import staff
from tests.remote.other_pc import DAY

ROOT = Path(__file__).resolve().parents[2]


class OtherPc:
    """``tests/remote/other_pc.py`` running in a process of its own."""

    def __init__(self, target: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.remote.other_pc", target], cwd=ROOT, text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self._expect("READY")

    def _expect(self, word: str) -> str:
        line = self.process.stdout.readline()
        assert line.startswith(word), line + self.process.stderr.read()
        return line.split()[-1]

    def do(self, command: str) -> tuple[int, float]:
        """Send a command; the id it made and the moment it was committed."""
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        made = int(self._expect("DONE"))
        return made, time.monotonic()

    def close(self) -> None:
        self.process.communicate("", timeout=60)


def _window(qtbot, who: str = "frontdesk") -> MainWindow:
    window = MainWindow(staff(who), remember=False)
    qtbot.addWidget(window)
    window.show()
    return window


def _shown_within(qtbot, condition, since: float, limit_s: float = 2.0) -> float:
    qtbot.waitUntil(condition, timeout=int(limit_s * 1000) + 3000)
    waited = time.monotonic() - since
    assert waited <= limit_s, f"on screen after {waited:.2f} s"
    return waited


def test_a_booking_and_a_registration_elsewhere_show_here_within_two_seconds(qtbot, demo_db):
    window = _window(qtbot)
    window.schedule.set_day(DAY)
    other = OtherPc(str(demo_db))
    try:
        booked, at = other.do("book 10:00")
        _shown_within(qtbot, lambda: booked in {r.id for r in window.schedule.rows}, at)
        window.show_tab("patients")
        window.patients.search.setText("Zed")
        made, at = other.do("patient Zed")
        _shown_within(qtbot, lambda: any(r.id == made for r in window.patients.model.rows()), at)
    finally:
        other.close()


def test_a_window_that_stopped_hearing_catches_up_on_everything_it_missed(qtbot, demo_db):
    window = _window(qtbot)
    window.schedule.set_day(DAY)
    other = OtherPc(str(demo_db))
    try:
        bus().watch_others(False)  # this window hears nothing for a while…
        missed = [other.do(f"book {hour}:00")[0] for hour in (10, 11, 12)]
        time.sleep(1.5)
        qtbot.wait(100)
        assert not set(missed) & {r.id for r in window.schedule.rows}
        bus().watch_others(True)  # …then hears again: all three, from the last one it saw
        qtbot.waitUntil(lambda: set(missed) <= {r.id for r in window.schedule.rows},
                        timeout=3000)
    finally:
        other.close()


def test_the_signal_is_written_with_the_commit_and_never_for_a_rollback(database, admin):
    start = ChangeSignal.select().count()
    with pytest.raises(RuntimeError), db.atomic():
        patients.create_patient(admin, patients.PatientInput("Gone", "Never", dt.date(1990, 1, 1)))
        raise RuntimeError("the operation failed after writing")
    assert ChangeSignal.select().count() == start
    made = patients.create_patient(admin, patients.PatientInput("Kept", "Here",
                                                                dt.date(1990, 1, 1)))
    (signal,) = ChangeSignal.select().where(ChangeSignal.id > 0).order_by(
        ChangeSignal.id.desc()).limit(1)
    assert (signal.kind, signal.ids, signal.origin) == ("patient", str(made.id),
                                                          changes.ORIGIN)
    # this process heard itself already: its own signals are not heard twice
    watcher = remote.Watcher()
    assert not watcher.poll()  # the first poll of a database starts after what is there
    patients.create_patient(admin, patients.PatientInput("Also", "Mine", dt.date(1990, 1, 1)))
    assert not watcher.poll()


def test_old_signals_are_forgotten(database, admin):
    patients.create_patient(admin, patients.PatientInput("Old", "News", dt.date(1990, 1, 1)))
    assert remote.purge(dt.datetime.now() + dt.timedelta(days=remote.KEEP_DAYS + 1)) >= 1
    assert ChangeSignal.select().count() == 0
    assert Patient.select().count() == 1  # only the signal, never what it told of


def test_several_pcs_on_postgresql(qtbot, pg_server, pg_database):
    """Two real processes on a real server: the other PC books and checks out, this PC's
    schedule and Billing list show it within two seconds."""
    from medspa_desktop.demo import build_demo

    build_demo(seed=3, patient_count=20, days_back=2, days_ahead=2)
    window = _window(qtbot)
    window.schedule.set_day(DAY)
    other = OtherPc(pg_server.url(pg_database))
    try:
        booked, at = other.do("book 09:30")
        _shown_within(qtbot, lambda: booked in {r.id for r in window.schedule.rows}, at)
        sold, at = other.do("sell")
        number = Invoice.get_by_id(sold).number
        _shown_within(qtbot, lambda: window.billing.model.row_at(0).number == number, at)
    finally:
        other.close()
