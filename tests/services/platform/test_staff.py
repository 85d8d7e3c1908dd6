"""Staff accounts by an admin: roles, deactivation, password resets, unlocking — audited,
never deleted, and never leaving the clinic without an active admin."""

from __future__ import annotations

import datetime as dt

import pytest

from medspa_desktop.services.platform import auth, staff
from medspa_desktop.services.platform.errors import (
    AuthError,
    ConflictError,
    PermissionDenied,
    ValidationError,
)
from medspa_desktop.store.models import AuditEvent, User
from tests.conftest import PASSWORD


@pytest.fixture
def people(admin):
    desk = auth.create_user(admin, auth.UserInput("desk", "Sam Desk", "front_desk",
                                                  "long-enough"))
    rn = auth.create_user(admin, auth.UserInput("rn", "Jo Kim", "provider", "long-enough"))
    return admin, desk, rn


def _actions() -> list[str]:
    return [e.action for e in AuditEvent.select().where(AuditEvent.action.startswith("user."))]


def test_roles_change_and_the_clinic_keeps_an_admin(people):
    admin, desk, rn = people
    with pytest.raises(PermissionDenied):
        staff.change_role(desk, rn.id, "admin")
    with pytest.raises(ConflictError, match="only active admin"):
        staff.change_role(admin, admin.id, "provider")
    staff.change_role(admin, desk.id, "admin")
    assert User.get_by_id(desk.id).role == "admin"
    staff.change_role(admin, admin.id, "medical_director")  # another admin exists now
    event = AuditEvent.select().where(AuditEvent.action == "user.role").order_by(
        AuditEvent.id.desc()).first()
    assert event.summary == "admin: Admin → Medical director"


def test_someone_who_left_is_deactivated_not_deleted(people):
    admin, desk, rn = people
    with pytest.raises(ValidationError, match="reason"):
        staff.set_active(admin, rn.id, False)
    staff.set_active(admin, rn.id, False, "left the clinic")
    with pytest.raises(AuthError):
        auth.authenticate("rn", "long-enough")
    with pytest.raises(PermissionDenied, match="deactivated"):
        staff.staff(User.get_by_id(rn.id))
    with pytest.raises(ConflictError, match="your own account"):
        staff.set_active(admin, admin.id, False, "x")
    rows = staff.staff(admin)
    assert rows[-1].username == "rn" and not rows[-1].active  # still listed, last
    staff.set_active(admin, rn.id, True)
    assert auth.authenticate("rn", "long-enough").id == rn.id
    assert "user.deactivate" in _actions() and "user.activate" in _actions()


def test_a_forgotten_password_is_reset_and_a_lockout_opened(people):
    admin, desk, _rn = people
    now = dt.datetime.now()
    for _ in range(5):
        with pytest.raises(AuthError):
            auth.authenticate("desk", "nope-nope", now)
    locked = {r.username: r.locked_until for r in staff.staff(admin, now)}
    assert locked["desk"] is not None
    staff.unlock_account(admin, desk.id)
    assert auth.authenticate("desk", "long-enough", now).id == desk.id
    with pytest.raises(ValidationError, match="at least 8"):
        staff.reset_password(admin, desk.id, "short")
    staff.reset_password(admin, desk.id, "brand-new-one")
    assert auth.authenticate("desk", "brand-new-one").id == desk.id
    assert _actions()[-2:] == ["user.unlock", "user.password_reset"]


def test_anyone_changes_their_own_password_with_the_old_one(people):
    admin, desk, _rn = people
    with pytest.raises(AuthError, match="current password is wrong"):
        staff.change_own_password(desk, "guess-guess", "another-one")
    with pytest.raises(ValidationError, match="different"):
        staff.change_own_password(desk, "long-enough", "long-enough")
    staff.change_own_password(desk, "long-enough", "another-one")
    assert auth.authenticate("desk", "another-one").id == desk.id
    assert auth.authenticate("admin", PASSWORD).id == admin.id


def test_the_name_shown_and_the_credential_line_are_changed_by_an_admin(people):
    admin, desk, rn = people
    with pytest.raises(PermissionDenied):
        staff.change_details(desk, rn.id, "Jo Kim", "RN")
    with pytest.raises(ValidationError, match="Enter the name shown"):
        staff.change_details(admin, rn.id, "   ", "RN")
    with pytest.raises(ValidationError, match="at most 40 characters"):
        staff.change_details(admin, rn.id, "Jo Kim", "X" * 41)
    assert User.get_by_id(rn.id).credentials == ""  # nothing written
    staff.change_details(admin, rn.id, "  Jo  Kim ", "NP")
    row = User.get_by_id(rn.id)
    assert (row.display_name, row.credentials) == ("Jo Kim", "NP")
    assert staff.signed_name_of(row) == "Jo Kim, NP"
    assert _actions()[-1] == "user.details"


@pytest.mark.parametrize(("shown", "credentials", "signed"), [
    ("Dr Vasquez", "MD", "Dr Vasquez, MD"),
    ("Priya Shah, RN", "RN", "Priya Shah, RN"),  # not printed twice
    ("Sam Desk", "", "Sam Desk"),
])
def test_the_signed_name_carries_the_credential_line_once(shown, credentials, signed):
    assert staff.signed_name(shown, credentials) == signed
