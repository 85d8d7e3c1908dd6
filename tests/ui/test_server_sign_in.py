"""The sign-in of a clinic on a server, on a real PostgreSQL server (tests/pgserver.py): the
dialog is on screen while the server is still opening behind it, Sign in pressed too early
waits with "Connecting to the clinic's server…" and signs in by itself once the server is
open; a server that cannot be reached says so in words with Retry, and Retry opens it once it
answers; a server that wants a password not kept on this PC asks for it. Pictures of both states go to ``shots()``."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
import uuid
from pathlib import Path

import psycopg
import pytest
from PySide6.QtWidgets import QApplication

from medspa_desktop import APP_NAME
from medspa_desktop.services.clinic import clinic
from medspa_desktop.services.platform import auth
from medspa_desktop.store.database import close_database, db
from medspa_desktop.store.opening import open_clinic_database
from medspa_desktop.ui.login import CONNECTING, LoginDialog
from tests.conftest import shots
from tests.ui.modal import answer_next_modal


@pytest.fixture
def server_clinic(pg_server):
    """A clinic set up on the server (its schema current, one admin), then closed: the
    sign-in opens it as a PC starting does. Its database's name."""
    name = pg_server.create_database(f"medspa_{uuid.uuid4().hex[:12]}")
    assert open_clinic_database(pg_server.url(name)) is None
    clinic.create_clinic(clinic.ClinicInfo("Harbour Skin Clinic"),
                         auth.UserInput("owner", "Olive Owner", "admin", "long-enough"),
                         default_catalog=False)
    close_database()
    yield name
    if db.obj is not None:
        close_database()


class _Forwarder:
    """A TCP port that forwards to the server's socket once :meth:`start` is called (before
    that, nothing listens there: a server not yet switched on), each chunk ``delay_s`` late
    (a slow server)."""

    def __init__(self, upstream: str, delay_s: float = 0.0) -> None:
        self.upstream = upstream
        self.delay_s = delay_s
        probe = socket.create_server(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()  # free: a connection there is refused
        self._listener: socket.socket | None = None

    def start(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            server = socket.socket(socket.AF_UNIX)
            server.connect(self.upstream)
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while chunk := source.recv(65536):
                time.sleep(self.delay_s)
                sink.sendall(chunk)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)

    def close(self) -> None:
        if self._listener is not None:
            self._listener.close()


def _socket(pg_server) -> str:
    return str(pg_server.socket_dir / f".s.PGSQL.{pg_server.port or 5432}")


def _shot(dialog: LoginDialog, name: str) -> None:
    QApplication.processEvents()
    dialog.grab().save(str(shots() / f"sign_in_{name}.png"))


def test_the_sign_in_shows_before_a_slow_server_opens_and_signs_in_when_it_is_ready(
        qtbot, pg_server, server_clinic):
    slow = _Forwarder(_socket(pg_server), delay_s=0.1)  # every round trip 200 ms late
    slow.start()
    try:
        dialog = LoginDialog(APP_NAME, server=pg_server.url(server_clinic, port=slow.port))
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        # on screen and usable while the server is still being opened behind it
        assert dialog.server_state == "connecting"
        assert dialog.sign_in.isEnabled() and not dialog.waiting.isVisible()
        assert APP_NAME in dialog.heading.text()  # the clinic's name is not known yet
        qtbot.keyClicks(dialog.username, "owner")
        qtbot.keyClicks(dialog.password, "long-enough")
        dialog.sign_in.click()
        assert dialog.server_state == "connecting" and dialog.user is None
        assert dialog.waiting.isVisible() and dialog.waiting.text() == CONNECTING
        assert not dialog.sign_in.isEnabled()  # one press is enough: it waits
        _shot(dialog, "connecting")
        qtbot.waitUntil(lambda: dialog.user is not None, timeout=30000)
        assert dialog.user.username == "owner"
        assert dialog.result() == LoginDialog.DialogCode.Accepted
        assert "Harbour Skin Clinic" in dialog.heading.text()
        assert not dialog.waiting.isVisible()
        # the connection the opening made serves this thread now (no second connect)
        assert not db.obj.is_closed()
        assert clinic.clinic_info().name == "Harbour Skin Clinic"
    finally:
        slow.close()


def test_a_server_that_cannot_be_reached_says_so_and_retry_opens_it_once_it_answers(
        qtbot, pg_server, server_clinic):
    later = _Forwarder(_socket(pg_server))
    try:
        dialog = LoginDialog(APP_NAME, server=pg_server.url(server_clinic, port=later.port))
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.keyClicks(dialog.username, "owner")
        qtbot.keyClicks(dialog.password, "long-enough")
        qtbot.waitUntil(lambda: dialog.server_state == "failed", timeout=15000)
        text = dialog.message.text()
        assert dialog.message.isVisible() and text.startswith("The server did not answer.")
        assert "switched on" in text and "clinic's network" in text
        assert dialog.retry.isVisible() and not dialog.sign_in.isEnabled()
        assert dialog.isVisible() and dialog.user is None  # still there, never frozen
        _shot(dialog, "cannot_reach")

        later.start()  # the server is switched on
        dialog.retry.click()
        assert dialog.server_state == "connecting" and not dialog.retry.isVisible()
        qtbot.waitUntil(lambda: dialog.server_state == "ready", timeout=15000)
        assert "Harbour Skin Clinic" in dialog.heading.text()
        assert not dialog.message.isVisible()
        dialog.sign_in.click()
        assert dialog.user is not None and dialog.user.username == "owner"
    finally:
        later.close()


def test_a_server_without_a_clinic_yet_asks_for_the_first_run(qtbot, pg_server):
    name = pg_server.create_database(f"medspa_{uuid.uuid4().hex[:12]}")
    dialog = LoginDialog(APP_NAME, server=pg_server.url(name))
    qtbot.addWidget(dialog)
    dialog.show()
    try:
        qtbot.waitUntil(lambda: dialog.server_state != "connecting", timeout=30000)
        assert dialog.server_state == "ready" and dialog.needs_first_run
        assert dialog.result() == LoginDialog.DialogCode.Rejected and dialog.user is None
        assert not clinic.is_set_up()  # the schema was made there: the first run can go on
    finally:
        close_database()


def test_a_server_that_wants_a_password_asks_for_it_and_signs_in_with_it(qtbot, pg_server):
    """No password kept for the server on this PC: the server's refusal asks for it (the
    sign-in stays on screen behind the question), and the server then opens with it."""
    role, secret = f"pc_{uuid.uuid4().hex[:8]}", "Harbour-pw-42"
    with psycopg.connect(host=str(pg_server.socket_dir), port=pg_server.port or 5432,
                         user=pg_server.user, dbname="postgres", autocommit=True) as con:
        con.execute(f"CREATE ROLE {role} LOGIN PASSWORD '{secret}'")
        name = f"medspa_{uuid.uuid4().hex[:12]}"
        con.execute(f'CREATE DATABASE "{name}" OWNER {role}')
        hba = con.execute("SHOW hba_file").fetchone()[0]
    url = f"postgresql://{role}@/{name}?host={pg_server.socket_dir}" + (
        f"&port={pg_server.port}" if pg_server.port else "")
    assert open_clinic_database(url) is None  # set up while the server still trusts it
    clinic.create_clinic(clinic.ClinicInfo("Harbour Skin Clinic"),
                         auth.UserInput("owner", "Olive Owner", "admin", "long-enough"),
                         default_catalog=False)
    close_database()
    lines = Path(hba).read_text()
    Path(hba).write_text(f"local all {role} scram-sha-256\n" + lines)  # this role only
    _reload(pg_server)
    asked = []

    def type_password(box) -> None:
        asked.append(box.labelText())
        box.setTextValue(secret)
        box.accept()

    try:
        dialog = LoginDialog(APP_NAME, server=url)
        qtbot.addWidget(dialog)
        answer_next_modal(type_password)
        dialog.show()
        qtbot.waitUntil(lambda: bool(asked), timeout=20000)
        assert "password for the clinic's server" in asked[0] and secret not in asked[0]
        qtbot.waitUntil(lambda: dialog.server_state == "ready", timeout=20000)
        assert "Harbour Skin Clinic" in dialog.heading.text()
        assert secret in dialog.opened_target  # what run_gui goes on with
        qtbot.keyClicks(dialog.username, "owner")
        qtbot.keyClicks(dialog.password, "long-enough")
        dialog.sign_in.click()
        assert dialog.user is not None and dialog.user.username == "owner"
    finally:
        Path(hba).write_text(lines)
        _reload(pg_server)
        close_database()


def _reload(pg_server) -> None:
    with psycopg.connect(host=str(pg_server.socket_dir), port=pg_server.port or 5432,
                         user=pg_server.user, dbname="postgres", autocommit=True) as con:
        con.execute("SELECT pg_reload_conf()")
