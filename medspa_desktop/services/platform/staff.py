"""Staff accounts, for an admin: the list, roles changed, passwords reset, accounts locked out
by wrong passwords opened again, and people who leave deactivated (never deleted: their
name stays on everything they did). Every change is audited, and the clinic always keeps an
active admin. Anyone changes their own password with the old one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ...store.database import db
from ...store.models import User
from . import audit, auth, changes, limits, stale
from .errors import AuthError, ConflictError, NotFound, ValidationError
from .permissions import require
from .text import clean_line
from .vocabulary import Role


@dataclass(frozen=True)
class StaffRow:
    id: int
    username: str
    full_name: str
    display_name: str
    credentials: str
    role: str  # label
    role_key: str
    active: bool
    locked_until: dt.datetime | None
    version: int = 1  # the account as this row read it (an admin's edits count, not sign-ins)


def staff(actor: User, now: dt.datetime | None = None) -> list[StaffRow]:
    require(actor, "users.manage")
    now = now or dt.datetime.now()
    return [StaffRow(u.id, u.username, u.full_name, u.display_name, u.credentials,
                     Role.label_of(u.role), u.role, u.active,
                     u.locked_until if u.locked_until and u.locked_until > now else None,
                     u.version)
            for u in User.select().order_by(~User.active, User.full_name)]


def staff_row(actor: User, user_id: int, now: dt.datetime | None = None) -> StaffRow:
    """One account's row as stored now (a form reloads it when its save was refused as
    stale)."""
    require(actor, "users.manage")
    now = now or dt.datetime.now()
    u = _target(user_id)
    return StaffRow(u.id, u.username, u.full_name, u.display_name, u.credentials,
                    Role.label_of(u.role), u.role, u.active,
                    u.locked_until if u.locked_until and u.locked_until > now else None,
                    u.version)


def signed_name(display_name: str, credentials: str) -> str:
    """The name a provider signs records with: "Dr Vasquez, MD"; the credential line is not
    repeated when the name shown already ends with it ("Priya Shah, RN")."""
    credentials = credentials.strip()
    if not credentials or display_name.rstrip().endswith(credentials):
        return display_name
    return f"{display_name}, {credentials}"


def signed_name_of(user: User) -> str:
    return signed_name(user.display_name, user.credentials or "")


_ACCOUNT_CHANGES = ("user.details", "user.role", "user.activate", "user.deactivate")


def _refuse_if_stale(user: User, version: int | None) -> None:
    """Refuse an edit of ``user``'s account made from what was read at ``version`` (None: no
    check) when another admin saved it since, naming who, when and at which PC."""
    if version is not None and user.version != version:
        stale.refuse(stale.last_change("user", user.id, _ACCOUNT_CHANGES),
                     f"{user.full_name}'s account", " since you opened it; nothing was "
                     "saved. What is stored now is shown.",
                     nobody=f"{user.full_name}'s account was changed by someone else")


def change_details(actor: User, user_id: int, display_name: str, credentials: str,
                   version: int | None = None) -> User:
    """The name shown on the schedule and paperwork, and the credential line (MD, RN, NP,
    LE…) printed after it on treatment records and consents. Refused when another admin
    saved the account since ``version`` was read."""
    require(actor, "users.manage")
    display_name, credentials = clean_line(display_name), clean_line(credentials)
    if not display_name:
        raise ValidationError("Enter the name shown on the schedule and paperwork.")
    if len(display_name) > limits.DISPLAY_NAME:
        raise ValidationError(f"The name shown must be at most {limits.DISPLAY_NAME} "
                              "characters.")
    if len(credentials) > limits.CREDENTIALS:
        raise ValidationError(f"The credentials must be at most {limits.CREDENTIALS} "
                              "characters (e.g. MD, RN).")
    with db.atomic():
        user = _target(user_id)
        _refuse_if_stale(user, version)
        if (user.display_name, user.credentials) == (display_name, credentials):
            return user
        User.update(display_name=display_name, credentials=credentials,
                    version=User.version + 1).where(User.id == user.id).execute()
        audit.record(actor, "user.details", "user", user.id,
                     f"{user.username}: shown as {display_name}"
                     + (f", credentials {credentials}" if credentials else ", no credentials"))
        changes.note("staff", user.id)
    return User.get_by_id(user_id)


def _target(user_id: int) -> User:
    user = User.get_or_none(User.id == user_id)
    if user is None:
        raise NotFound("That staff account does not exist.")
    return user


def _keeps_an_admin(user: User, role: str, active: bool) -> None:
    """Refuse a change that would leave the clinic without an active admin."""
    if user.role == Role.ADMIN and user.active and (role != Role.ADMIN or not active):
        others = User.select().where(User.role == Role.ADMIN, User.active,
                                     User.id != user.id).count()
        if others == 0:
            raise ConflictError(f"{user.display_name} is the clinic's only active admin; make "
                                "someone else an admin first.")


def change_role(actor: User, user_id: int, role: str, version: int | None = None) -> User:
    """A new role; refused when another admin saved the account since ``version`` (the
    list's row) was read."""
    require(actor, "users.manage")
    if not Role.has(role):
        raise ValidationError(f"Choose a role: {', '.join(Role.labels().values())}.")
    with db.atomic():
        user = _target(user_id)
        if user.role == role:
            return user
        _refuse_if_stale(user, version)
        _keeps_an_admin(user, role, user.active)
        before = user.role
        User.update(role=role, version=User.version + 1).where(User.id == user.id).execute()
        audit.record(actor, "user.role", "user", user.id,
                     f"{user.username}: {Role(before).label} → {Role(role).label}")
        changes.note("staff", user.id)
    return User.get_by_id(user_id)


def set_active(actor: User, user_id: int, active: bool, reason: str = "",
               version: int | None = None) -> User:
    """Deactivate someone who left (they can no longer sign in; their records keep their
    name), or reactivate them. Refused when another admin saved the account since
    ``version`` (the list's row) was read."""
    require(actor, "users.manage")
    reason = " ".join(reason.split())
    if not active and not reason:
        raise ValidationError("Give the reason the account is deactivated (e.g. left the "
                              "clinic).")
    if len(reason) > limits.SHORT_REASON:
        raise ValidationError(f"The reason must be at most {limits.SHORT_REASON} characters.")
    with db.atomic():
        user = _target(user_id)
        if user.id == actor.id and not active:
            raise ConflictError("You cannot deactivate your own account.")
        if user.active == active:
            return user
        _refuse_if_stale(user, version)
        _keeps_an_admin(user, user.role, active)
        User.update(active=active, version=User.version + 1).where(User.id == user.id).execute()
        audit.record(actor, "user.activate" if active else "user.deactivate", "user", user.id,
                     user.username + (f": {reason}" if reason else ""))
        changes.note("staff", user.id)
    return User.get_by_id(user_id)


def reset_password(actor: User, user_id: int, new_password: str) -> None:
    """An admin sets a new password (for someone who forgot theirs); it also opens an
    account locked by wrong passwords."""
    require(actor, "users.manage")
    auth.validate_password(new_password)
    with db.atomic():
        user = _target(user_id)
        User.update(password_hash=auth.hash_password(new_password), failed_logins=0,
                    locked_until=None).where(User.id == user.id).execute()
        audit.record(actor, "user.password_reset", "user", user.id, user.username)
        changes.note("staff", user.id)


def unlock_account(actor: User, user_id: int) -> None:
    """Open an account locked by wrong passwords before its five minutes are up."""
    require(actor, "users.manage")
    with db.atomic():
        user = _target(user_id)
        User.update(failed_logins=0, locked_until=None).where(User.id == user.id).execute()
        audit.record(actor, "user.unlock", "user", user.id, user.username)
        changes.note("staff", user.id)


def change_own_password(user: User, old_password: str, new_password: str) -> None:
    if not auth.password_matches(user, old_password):
        with db.atomic():
            audit.record(user, "user.password_change_failed", "user", user.id, "wrong password")
        raise AuthError("The current password is wrong.")
    auth.validate_password(new_password)
    if new_password == old_password:
        raise ValidationError("Choose a password different from the current one.")
    with db.atomic():
        User.update(password_hash=auth.hash_password(new_password)).where(
            User.id == user.id).execute()
        audit.record(user, "user.password_change", "user", user.id, user.username)
