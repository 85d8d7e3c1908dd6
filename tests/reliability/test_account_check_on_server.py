"""The account check on a clinic's server (a real PostgreSQL): the PC's listening thread reads
the accounts in use about twice a second on its own connection, so an action sends no read of
its account — and still a deactivation is refused within the second, with no action needed to
notice it, and once the listener stops or loses the server the actions ask again themselves."""

from __future__ import annotations

import datetime as dt
import time

import psycopg
import pytest

from medspa_desktop.services.clinic import clinic
from medspa_desktop.services.platform import auth, listen, permissions
from medspa_desktop.services.platform.errors import PermissionDenied
from medspa_desktop.services.scheduling import appointments
from medspa_desktop.store.database import db
from medspa_desktop.store.models import User
from tests.conftest import ACCOUNT_CHECK, PASSWORD


@pytest.fixture
def desk(pg_database) -> User:
    admin = clinic.create_clinic(clinic.ClinicInfo("Two-PC Clinic"),
                                 auth.UserInput("admin", "Ada Admin", "admin", PASSWORD))
    return auth.create_user(admin, auth.UserInput("desk", "Dee Desk", "front_desk", PASSWORD))


@pytest.fixture
def listener(pg_database):
    real = db.obj
    heard = listen.Listener(dict(real.connect_params, dbname=real.database), lambda: None)
    heard.start()
    assert heard.connected.wait(5)
    yield heard
    heard.stop()


@pytest.fixture
def other_pc(pg_server, pg_database):
    con = psycopg.connect(host=str(pg_server.socket_dir), user=pg_server.user,
                          dbname=pg_database, autocommit=True)
    yield con
    con.close()


def _account_reads(statements) -> int:
    return sum(sql.startswith(ACCOUNT_CHECK) for sql, _ in statements)


def _in_use(listener: listen.Listener, user: User) -> None:
    """``user`` acts once (its account is now in use); wait for the listener's next read."""
    permissions.require(user, "schedule.read")
    reads = listener.accounts_read
    deadline = time.monotonic() + 3
    while listener.accounts_read == reads and time.monotonic() < deadline:
        time.sleep(0.02)
    assert user.id in listener.accounts_in_use


def test_with_the_listener_running_actions_send_no_read_of_the_account(desk, listener,
                                                                      statements):
    _in_use(listener, desk)
    statements.clear()
    started = time.monotonic()
    for _ in range(10):  # over two seconds: twice what one read is trusted for
        appointments.day_schedule(desk, dt.date.today())
        time.sleep(0.2)
    assert time.monotonic() - started > 2 * permissions.FRESH_FOR
    assert statements  # the actions did read the schedule
    assert _account_reads(statements) == 0


def test_a_deactivation_by_another_pc_is_refused_within_the_second_without_an_action(
        desk, listener, other_pc, statements):
    told: list[int] = []
    permissions.watch(told.append)
    try:
        _in_use(listener, desk)
        # written where this program hears nothing (no change signal): only a read finds it
        other_pc.execute('UPDATE "user" SET active = false WHERE id = %s', (desk.id,))
        written = time.monotonic()
        while not told and time.monotonic() - written < 3:
            time.sleep(0.02)
        noticed = time.monotonic() - written
    finally:
        permissions.unwatch(told.append)
    assert told == [desk.id]  # the window is told (it signs out), no action needed
    assert noticed < 1.5 * permissions.FRESH_FOR
    statements.clear()
    with pytest.raises(PermissionDenied, match="account is deactivated"):
        appointments.day_schedule(desk, dt.date.today())
    assert _account_reads(statements) == 0  # refused from the listener's read
    assert not desk.active


def test_a_lowered_role_is_followed_from_the_listeners_read(desk, listener, other_pc):
    admin = User.get(User.username == "admin")
    _in_use(listener, admin)
    assert permissions.allowed(admin, "users.manage")
    other_pc.execute('UPDATE "user" SET role = %s WHERE id = %s', ("front_desk", admin.id))
    time.sleep(permissions.FRESH_FOR)
    assert not permissions.allowed(admin, "users.manage")
    assert admin.role == "front_desk"


def test_once_the_listener_stops_the_actions_read_the_account_again(desk, listener,
                                                                   statements):
    _in_use(listener, desk)
    listener.stop()
    time.sleep(permissions.FRESH_FOR)
    statements.clear()
    appointments.day_schedule(desk, dt.date.today())
    appointments.day_schedule(desk, dt.date.today())
    assert _account_reads(statements) == 1  # the first reads, the second trusts it


def test_a_listener_that_loses_the_server_makes_the_next_action_ask_it(
        desk, listener, other_pc, statements, monkeypatch):
    monkeypatch.setattr(listen, "BACKOFF_S", (30.0,))  # it stays away for the test
    _in_use(listener, desk)
    own = db.execute_sql("SELECT pg_backend_pid()").fetchone()[0]
    other_pc.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                     "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                     "AND pid <> %s", (own,))
    deadline = time.monotonic() + 3
    while listener.connected.is_set() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not listener.connected.is_set()
    statements.clear()
    appointments.day_schedule(desk, dt.date.today())  # well within the second of its last read
    assert _account_reads(statements) == 1


def test_an_account_no_longer_used_is_no_longer_read(desk, listener, monkeypatch):
    """Switching user (or a long lock): the account that stopped acting drops out of the
    listener's reads once it has not acted for ``IN_USE_FOR``; the one acting stays in."""
    monkeypatch.setattr(permissions, "IN_USE_FOR", 1.0)
    admin = User.get(User.username == "admin")
    _in_use(listener, admin)
    admin_acted = time.monotonic()
    _in_use(listener, desk)
    assert {admin.id, desk.id} <= set(listener.accounts_in_use)
    while admin.id in listener.accounts_in_use and time.monotonic() - admin_acted < 8:
        permissions.require(desk, "schedule.read")
        time.sleep(0.1)
    assert listener.accounts_in_use == [desk.id]
    assert time.monotonic() - admin_acted >= permissions.IN_USE_FOR


def test_a_deactivated_persons_window_signs_out_within_the_second(qtbot, desk, other_pc):
    """The window's own check runs every 10 s; the listener's read tells it at once."""
    from medspa_desktop.ui.bus import bus
    from medspa_desktop.ui.main_window import MainWindow
    from tests.ui.modal import answer_next_modal

    window = MainWindow(desk, remember=False)
    qtbot.addWidget(window)
    window.show()
    window.account_timer.stop()  # only the listener can tell the window now
    qtbot.waitUntil(lambda: bus()._listener is not None and bus()._listener.connected.is_set()
                    and desk.id in bus()._listener.accounts_in_use, timeout=5000)
    said: list[str] = []

    def read(box) -> None:
        said.append(box.text())
        box.accept()

    answer_next_modal(read)
    other_pc.execute('UPDATE "user" SET active = false WHERE id = %s', (desk.id,))
    written = time.monotonic()
    qtbot.waitUntil(lambda: window.signed_out, timeout=5000)
    assert time.monotonic() - written < 2 * permissions.FRESH_FOR
    assert said and "deactivated the account of Dee Desk" in said[0]
