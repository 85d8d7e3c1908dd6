"""One program per database per PC: a second start brings the running window to the front and
quits without opening the database, also after the first program crashed. Real processes
started as a person starts them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from PySide6.QtWidgets import QMainWindow

from medspa_desktop.services.platform import backup
from medspa_desktop.store.database import close_database, open_database
from medspa_desktop.ui import single_instance

ROOT = Path(__file__).resolve().parents[2]
LISTENING = "Other starts on"
RAISED = "brought the window to the front"


def _start(db: Path, home: Path) -> subprocess.Popen:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "MEDSPA_LOG_DIR": str(home / "log"),
           "XDG_STATE_HOME": str(home / "state"), "XDG_CONFIG_HOME": str(home / "config")}
    return subprocess.Popen([sys.executable, str(ROOT / "main.py"), "--db", str(db)], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _log(home: Path) -> str:
    return "".join(p.read_text(encoding="utf-8") for p in home.rglob("medspa-desktop.log"))


def _wait_for(home: Path, text: str, count: int, program: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while _log(home).count(text) < count:
        assert program.poll() is None, program.communicate()
        assert time.monotonic() < deadline, f"no {text!r} in the log:\n{_log(home)}"
        time.sleep(0.1)


def _second_start_comes_back_at_once(db: Path, home: Path) -> None:
    started = time.monotonic()
    second = _start(db, home)
    try:
        out, err = second.communicate(timeout=30)
    except subprocess.TimeoutExpired:  # it opened a window of its own
        second.kill()
        _out, err = second.communicate()
        raise AssertionError(f"the second start opened a second window:\n{err}\n"
                             f"the log:\n{_log(home)}") from None
    assert second.returncode == 0 and "Traceback" not in err, err
    assert time.monotonic() - started < 30


def test_a_second_start_brings_the_window_to_the_front_even_after_a_crash(clinic_file,
                                                                          tmp_path):
    home = tmp_path / "home"
    first = _start(clinic_file, home)
    try:
        # it holds the database and answers later starts (a WAL file beside the database is no
        # sign of that: this process may still have the file open, and two starts that race
        # are settled by the lock, either way round)
        _wait_for(home, LISTENING, 1, first)
        _second_start_comes_back_at_once(clinic_file, home)
        _wait_for(home, RAISED, 1, first)
        assert "is open in a window already" in _log(home)
        assert first.poll() is None
    finally:
        first.send_signal(signal.SIGKILL)  # a crash: its lock and socket are left behind
        first.communicate()

    again = _start(clinic_file, home)
    try:
        _wait_for(home, LISTENING, 2, again)  # the leftovers of the crash do not stop it
        _second_start_comes_back_at_once(clinic_file, home)
        _wait_for(home, RAISED, 2, again)
    finally:
        again.send_signal(signal.SIGKILL)
        again.communicate()


def test_another_database_opens_a_window_of_its_own(clinic_file, tmp_path):
    assert single_instance.instance_key(str(clinic_file)) != single_instance.instance_key(
        str(tmp_path / "other.db"))
    assert single_instance.instance_key(str(clinic_file)) == single_instance.instance_key(
        str(clinic_file.parent / "." / clinic_file.name))


def test_the_raise_request_shows_the_minimised_window(qtbot, tmp_path):
    target = str(tmp_path / "clinic.db")
    first = single_instance.claim(target)
    assert first is not None
    window = QMainWindow()
    qtbot.addWidget(window)
    window.showMinimized()
    qtbot.waitUntil(window.isMinimized)
    try:
        with qtbot.waitSignal(first.raise_requested, timeout=5000):
            assert single_instance.claim(target) is None  # a second start, in short
        assert not window.isMinimized()
    finally:
        first.server.close()
        first.lock.unlock()


def test_a_restore_waits_until_the_window_on_the_file_is_closed(clinic_file, tmp_path):
    """Replacing the file under a running window would send all it saves next to the file
    moved aside: the command refuses, and the file stays as it is, until the window closes."""
    open_database(clinic_file)
    taken = backup.create_backup(None, tmp_path / "usb").backup.path
    close_database()
    window = subprocess.Popen([sys.executable, "-m", "tests.reliability.worker", "window",
                               str(clinic_file), "3"], cwd=ROOT, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    restore = [sys.executable, str(ROOT / "main.py"), "restore", "--from", str(taken), "--db",
               str(clinic_file)]
    try:
        while window.stdout.readline() != "WAITING\n":  # five patients saved, and open
            assert window.poll() is None, window.communicate()
        refused = subprocess.run(restore, capture_output=True, text=True, cwd=ROOT, timeout=120)
        assert refused.returncode == 2, refused.stdout + refused.stderr
        assert refused.stderr.strip() == (f"medspa-desktop: error: {clinic_file} is open in "
                                          "MedSpa Desktop (or a backup or check is running on "
                                          "it): close it first")
        assert sorted(p.name for p in clinic_file.parent.glob("clinic.db*")) == [
            "clinic.db", "clinic.db-shm", "clinic.db-wal"]  # nothing moved aside
    finally:
        window.communicate("")  # it closes the file and quits
    assert window.returncode == 0
    done = subprocess.run(restore, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert list(clinic_file.parent.glob("clinic.db.replaced-*"))
