"""Access that outlives a change: a window signed in before an admin deactivates the account
or lowers its role holds a ``User`` object read at sign-in. Its very next action is judged
by the account as it is in the database now, for every role."""

from __future__ import annotations

import sqlite3
import time

import pytest

from medspa_desktop.services.billing import invoices
from medspa_desktop.services.charts import notes
from medspa_desktop.services.platform import auth, permissions, staff
from medspa_desktop.services.platform.errors import PermissionDenied
from medspa_desktop.services.scheduling import appointments
from medspa_desktop.store.models import Note, Payment, User
from tests.conftest import busy_weekday
from tests.conftest import staff as demo_staff


def _reads_note_bodies(user: User) -> bool:
    note = Note.select().where(Note.status == "signed").first()
    try:
        return notes.open_note(user, note.id).sections is not None
    except PermissionDenied:  # not even the list
        return False


def _refunds(user: User) -> bool:
    payment = (Payment.select().where(Payment.kind == "payment", Payment.method == "cash",
                                      Payment.amount_cents > 100)
               .order_by(Payment.id).first())
    try:
        invoices.refund(user, payment.id, 1, "overcharged a cent")
    except PermissionDenied:
        return False
    return True


def _sees_the_schedule(user: User) -> bool:
    try:
        appointments.day_schedule(user, busy_weekday())
    except PermissionDenied:
        return False
    return True


@pytest.fixture
def second_admin(demo_db) -> User:
    """Another admin, so that even the demo admin can be deactivated or lowered."""
    return auth.create_user(demo_staff("admin"), auth.UserInput(
        "boss", "Bo Boss", "admin", "boss-password-1"))


# (held account, what it may do at sign-in, the role an admin lowers it to)
LOWERED = [
    ("admin", _refunds, "provider"),
    ("director", _refunds, "provider"),
    ("director", _reads_note_bodies, "front_desk"),
    ("injector", _reads_note_bodies, "front_desk"),
    ("injector", _reads_note_bodies, "admin"),
]
HELD = [("admin", _refunds), ("director", _refunds), ("director", _reads_note_bodies),
        ("injector", _reads_note_bodies), ("frontdesk", _sees_the_schedule)]


@pytest.mark.parametrize(("username", "action"), HELD,
                         ids=[f"{u}-{a.__name__}" for u, a in HELD])
def test_a_deactivated_account_is_refused_at_its_next_action(second_admin, username, action):
    held = demo_staff(username)  # signed in before the change
    assert action(held)
    staff.set_active(second_admin, held.id, False, "left the clinic")
    assert not action(held)
    with pytest.raises(PermissionDenied, match="account is deactivated"):
        permissions.require(held, "patient.read")
    assert not held.active  # the held object follows the database


@pytest.mark.parametrize(("username", "action", "role"), LOWERED,
                         ids=[f"{u}-{a.__name__}-{r}" for u, a, r in LOWERED])
def test_a_lowered_role_is_refused_at_its_next_action(second_admin, username, action, role):
    held = demo_staff(username)
    assert action(held)
    staff.change_role(second_admin, held.id, role)
    assert not action(held)
    assert held.role == role


def test_a_reactivated_account_works_again(second_admin):
    held = demo_staff("frontdesk")
    staff.set_active(second_admin, held.id, False, "on leave")
    assert not _sees_the_schedule(held)
    staff.set_active(second_admin, held.id, True)
    assert _sees_the_schedule(held)


def test_the_check_is_one_read_of_the_account_by_its_key(demo_db, statements):
    held = demo_staff("frontdesk")
    statements.clear()
    permissions.require(held, "schedule.read")
    (sql, params), = statements
    assert sql.startswith('SELECT "t1"."active", "t1"."role" FROM "user"')
    assert params[0] == held.id


def test_whoever_watches_hears_of_a_change_once(second_admin):
    heard: list[int] = []
    permissions.watch(heard.append)
    try:
        held = demo_staff("injector")
        assert permissions.allowed(held, "notes.read") and heard == []
        staff.change_role(second_admin, held.id, "front_desk")
        assert not permissions.allowed(held, "notes.read")
        assert not permissions.allowed(held, "photos.read")
        assert heard == [held.id]
    finally:
        permissions.unwatch(heard.append)


def test_an_account_is_read_once_a_moment_and_a_change_never_missed_for_long(demo_db,
                                                                           statements):
    """A chart open calls a dozen services: the account is read for the first and trusted for
    the others (on a clinic's server each read is a round trip). A change written where this
    program cannot hear it (another program on the file) is still honoured within a second."""
    held = demo_staff("frontdesk")
    statements.clear()
    for _ in range(5):
        permissions.require(held, "schedule.read")
    assert len([sql for sql, _ in statements if 'FROM "user"' in sql]) == 1
    other = sqlite3.connect(demo_db)
    with other:
        other.execute("UPDATE user SET active = 0 WHERE id = ?", (held.id,))
    other.close()
    time.sleep(permissions.FRESH_FOR)
    with pytest.raises(PermissionDenied, match="account is deactivated"):
        permissions.require(held, "schedule.read")


def test_a_check_the_window_makes_on_its_timer_always_reads(demo_db, statements):
    held = demo_staff("frontdesk")
    permissions.require(held, "schedule.read")
    other = sqlite3.connect(demo_db)
    with other:
        other.execute("UPDATE user SET role = 'provider' WHERE id = ?", (held.id,))
    other.close()
    assert permissions.refresh(held, reread=True)
    assert held.role == "provider"
