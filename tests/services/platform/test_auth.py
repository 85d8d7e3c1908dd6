"""Sign-in: argon2id, lockout after five wrong passwords, re-hash, audit."""

from __future__ import annotations

import datetime as dt

import pytest
from argon2 import PasswordHasher

from medspa_desktop.services.platform import auth, permissions
from medspa_desktop.services.platform.errors import AuthError, PermissionDenied, ValidationError
from medspa_desktop.store.models import AuditEvent, User
from tests.conftest import PASSWORD


def test_the_stored_hash_is_argon2id_not_the_password(admin):
    stored = User.get(User.username == "admin").password_hash
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_right_password_signs_in_and_is_audited(admin):
    user = auth.authenticate("  Admin ", PASSWORD)
    assert user.id == admin.id
    last = AuditEvent.select().order_by(AuditEvent.id.desc()).first()
    assert (last.action, last.username) == ("login", "admin")


def test_wrong_password_and_unknown_user_get_the_same_answer(admin):
    with pytest.raises(AuthError) as wrong:
        auth.authenticate("admin", "not-the-password")
    with pytest.raises(AuthError) as unknown:
        auth.authenticate("nobody", PASSWORD)
    assert str(wrong.value) == str(unknown.value) == "Wrong user name or password."
    failed = AuditEvent.select().where(AuditEvent.action == "login.failed").count()
    assert failed == 2


def test_the_fifth_wrong_password_locks_the_account_for_five_minutes(admin):
    now = dt.datetime(2026, 11, 23, 9, 0)
    for _ in range(4):
        with pytest.raises(AuthError, match="Wrong user name or password"):
            auth.authenticate("admin", "guess", now=now)
    with pytest.raises(AuthError, match="locked after 5 wrong passwords.*09:05"):
        auth.authenticate("admin", "guess", now=now)
    # the right password does not help while locked
    with pytest.raises(AuthError, match="locked"):
        auth.authenticate("admin", PASSWORD, now=now + dt.timedelta(minutes=4))
    assert auth.authenticate("admin", PASSWORD, now=now + dt.timedelta(minutes=5, seconds=1))
    assert User.get_by_id(admin.id).failed_logins == 0


def test_a_hash_made_with_old_parameters_is_upgraded_at_sign_in(admin):
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    User.update(password_hash=weak).where(User.id == admin.id).execute()
    assert auth.hasher.check_needs_rehash(weak)
    auth.authenticate("admin", PASSWORD)
    upgraded = User.get_by_id(admin.id).password_hash
    assert upgraded != weak
    assert not auth.hasher.check_needs_rehash(upgraded)
    assert auth.authenticate("admin", PASSWORD)


def test_a_deactivated_account_cannot_sign_in(admin):
    User.update(active=False).where(User.id == admin.id).execute()
    with pytest.raises(AuthError, match="Wrong user name or password"):
        auth.authenticate("admin", PASSWORD)


@pytest.mark.parametrize(("username", "full_name", "password", "message"), [
    ("Bad Name!", "Jo Smith", "long-enough", "user name must be"),
    ("jo", "   ", "long-enough", "full name"),
    ("jo", "Jo Smith", "short", "at least 8 characters"),
    ("admin", "Another Admin", "long-enough", "is taken"),
])
def test_bad_staff_accounts_are_refused(admin, username, full_name, password, message):
    before = User.select().count()
    with pytest.raises(ValidationError, match=message):
        auth.create_user(admin, auth.UserInput(username, full_name, "provider", password))
    assert User.select().count() == before


def test_only_an_admin_adds_staff(admin):
    desk = auth.create_user(admin, auth.UserInput("desk", "Dee Desk", "front_desk", "long-enough"))
    with pytest.raises(PermissionDenied, match=r"Dee Desk \(Front desk\) may not manage staff"):
        auth.create_user(desk, auth.UserInput("x2", "X Two", "provider", "long-enough"))
    assert not permissions.allowed(desk, "users.manage")


def test_the_lock_time_is_an_admins_setting_within_bounds(admin):
    desk = auth.create_user(admin, auth.UserInput("desk", "Sam", "front_desk", "long-enough"))
    assert auth.lock_minutes() == 10
    with pytest.raises(PermissionDenied):
        auth.set_lock_minutes(desk, 5)
    with pytest.raises(ValidationError, match="after 1 to 120 idle minutes"):
        auth.set_lock_minutes(admin, 0)
    auth.set_lock_minutes(admin, 5)
    assert auth.lock_minutes() == 5
    with pytest.raises(AuthError, match="Wrong user name or password"):
        auth.unlock(desk, "not-hers")
    assert auth.unlock(desk, "long-enough").id == desk.id
