"""Several PCs on a real PostgreSQL server: another PC's commit is pushed (LISTEN/NOTIFY), not
waited for; a server that goes away is said at once, saves are refused in plain words, and
when it is back every change made meanwhile is shown."""

from __future__ import annotations

import datetime as dt
import statistics
import time

import pytest
from PySide6.QtWidgets import QMessageBox

from medspa_desktop.demo import build_demo
from medspa_desktop.services.charts import patients
from medspa_desktop.services.platform import remote
from medspa_desktop.store.database import db
from medspa_desktop.ui import errors
from medspa_desktop.ui.bus import OTHERS_POLL_MS, bus
from medspa_desktop.ui.ops import op
from medspa_desktop.ui.widgets.messages import ErrorLabel
from tests.conftest import staff
from tests.remote.other_pc import DAY
from tests.remote.test_other_pcs import OtherPc, _shown_within, _window

PUSHES = 8


def _listening(qtbot) -> None:
    qtbot.waitUntil(lambda: bus()._listening_to is db.obj and bus()._listener.connected.is_set(),
                    timeout=5000)
    qtbot.wait(200)  # what the window heard before is drawn


def test_another_pcs_booking_is_pushed_within_two_seconds_without_polling(
        qtbot, pg_server, pg_database):
    build_demo(seed=3, patient_count=10, days_back=1, days_ahead=1)
    window = _window(qtbot)
    window.schedule.set_day(DAY)
    _listening(qtbot)
    bus()._timer.setInterval(600_000)  # no polling: only the push can bring it in time
    other = OtherPc(pg_server.url(pg_database))
    latencies = []
    try:
        for n in range(PUSHES):
            booked, at = other.do(f"book {9 + n:02d}:00")
            latencies.append(_shown_within(
                qtbot, lambda booked=booked: booked in {r.id for r in window.schedule.rows},
                at))
    finally:
        bus()._timer.setInterval(OTHERS_POLL_MS)
        other.close()
    latencies.sort()
    print(f"\ncommit on another PC -> on this PC's schedule, {PUSHES} bookings on loopback: "
          f"median {statistics.median(latencies) * 1000:.0f} ms, "
          f"max {latencies[-1] * 1000:.0f} ms")


def test_a_lost_server_is_said_at_once_saves_are_refused_and_the_return_catches_up(
        qtbot, pg_server, pg_database, monkeypatch):
    build_demo(seed=3, patient_count=10, days_back=1, days_ahead=1)
    window = _window(qtbot)
    window.schedule.set_day(DAY)
    _listening(qtbot)
    shown = {r.id for r in window.schedule.rows}
    director = staff("director")
    pg_server.stop()
    try:
        qtbot.waitUntil(lambda: window.server_banner.isVisible(), timeout=3000)
        assert "cannot be reached" in window.server_banner.text()
        assert {r.id for r in window.schedule.rows} == shown  # what was on screen stays
        said = ErrorLabel()
        outcome = op(window, lambda: patients.create_patient(director, patients.PatientInput(
            "Never", "Saved", dt.date(1990, 1, 1))), error_label=said)
        assert not outcome
        assert said.text() == remote.SERVER_LOST and "nothing was saved" in said.text()
        # F5 while it is gone: the program's error hook says nothing more than the banner
        shown_errors = []
        monkeypatch.setattr(QMessageBox, "critical", lambda *a: shown_errors.append(a))
        with pytest.raises(Exception) as raised:  # noqa: PT011 (the driver's own error)
            window.refresh()
        assert remote.server_lost(raised.value)
        errors._excepthook(raised.type, raised.value, raised.tb)
        assert shown_errors == [] and window.server_banner.isVisible()
        time.sleep(1.5)  # the window keeps trying, quietly
        qtbot.wait(100)
        assert window.server_banner.isVisible()
    finally:
        pg_server.resume()
    other = OtherPc(pg_server.url(pg_database))  # another PC books as soon as it is back
    try:
        missed = [other.do(f"book {hour}:00")[0] for hour in (10, 11, 12)]
        qtbot.waitUntil(lambda: not window.server_banner.isVisible(), timeout=10_000)
        qtbot.waitUntil(lambda: set(missed) <= {r.id for r in window.schedule.rows},
                        timeout=3000)
    finally:
        other.close()
    # and saving works again
    outcome = op(window, lambda: patients.create_patient(director, patients.PatientInput(
        "Saved", "Again", dt.date(1990, 1, 1))))
    assert outcome and not bus().lost
    assert remote.server_lost(RuntimeError("not a connection error")) is False
