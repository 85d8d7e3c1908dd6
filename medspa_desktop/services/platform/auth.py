"""Staff accounts and sign-in: argon2id hashes, re-hash on parameter change, lockout, and the
screen lock (after the clinic's idle minutes, or at once).

Five wrong passwords in a row lock the account for five minutes — at sign-in and at the lock
screen alike. Every sign-in, lock and unlock, failed or not, is audited.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ...store.database import db
from ...store.models import User
from . import audit, changes, limits, settings
from .errors import AuthError, ValidationError
from .permissions import CLINICAL, require
from .settings import LOCK_MINUTES
from .vocabulary import Role

MAX_FAILED_LOGINS = 5
LOCKOUT = dt.timedelta(minutes=5)
MIN_PASSWORD_LENGTH = 8
USERNAME_RE = re.compile(r"^[a-z][a-z0-9._-]{1,39}$")

# argon2id with argon2-cffi's current recommended parameters. When these change in a release,
# stored hashes are upgraded at the user's next successful sign-in.
hasher = PasswordHasher()


@dataclass
class UserInput:
    username: str
    full_name: str
    role: str
    password: str
    display_name: str = ""
    credentials: str = ""


def hash_password(password: str) -> str:
    return hasher.hash(password)


def validate_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(f"The password must be at least {MIN_PASSWORD_LENGTH} characters.")
    if password.strip() != password:
        raise ValidationError("The password must not start or end with a space.")


def _validated(data: UserInput) -> UserInput:
    username = data.username.strip().lower()
    if not USERNAME_RE.match(username):
        raise ValidationError(
            "The user name must be 2–40 characters: lower-case letters, digits, '.', '_' or '-', "
            "starting with a letter."
        )
    full_name = " ".join(data.full_name.split())
    if not full_name:
        raise ValidationError("Enter the person's full name.")
    if len(full_name) > limits.FULL_NAME:
        raise ValidationError(f"The full name must be at most {limits.FULL_NAME} characters.")
    if not Role.has(data.role):
        raise ValidationError(f"Choose a role: {', '.join(Role.labels().values())}.")
    validate_password(data.password)
    display = " ".join(data.display_name.split()) or full_name
    return UserInput(username, full_name, data.role, data.password, display[:limits.DISPLAY_NAME],
                     data.credentials.strip()[:limits.CREDENTIALS])


def _insert_user(data: UserInput) -> User:
    if User.select().where(User.username == data.username).exists():
        raise ValidationError(f"The user name '{data.username}' is taken.")
    return User.create(
        username=data.username,
        full_name=data.full_name,
        display_name=data.display_name,
        credentials=data.credentials,
        role=data.role,
        password_hash=hash_password(data.password),
        created_at=dt.datetime.now(),
    )


def create_user(actor: User | None, data: UserInput) -> User:
    """Add a staff account. ``actor`` None is allowed only while the clinic has no users yet
    (the first-run admin); otherwise an admin must do it."""
    data = _validated(data)
    with db.atomic():
        if actor is None:
            if User.select().exists():
                raise AuthError("Only an admin can add staff accounts.")
        else:
            require(actor, "users.manage")
        user = _insert_user(data)
        audit.record(actor or user, "user.create", "user", user.id,
                     f"{user.username} ({Role(user.role).label})")
        changes.note("staff", user.id)
    return user


def authenticate(username: str, password: str, now: dt.datetime | None = None) -> User:
    """The signed-in user, or AuthError with a message for the person at the keyboard."""
    return _check_password(username, password, now, "login", "signed in")


def unlock(user: User, password: str, now: dt.datetime | None = None) -> User:
    """Unlock the screen: only the signed-in person's own password opens it again (wrong
    ones count towards the lockout, as at sign-in)."""
    return _check_password(user.username, password, now, "unlock", "unlocked the screen")


def record_lock(user: User, why: str) -> None:
    """The screen locked (``why``: "idle 10 minutes", "locked by the user")."""
    with db.atomic():
        audit.record(user, "lock", "user", user.id, why)


def lock_minutes() -> int:
    """Idle minutes before the screen locks (the clinic's setting)."""
    return settings.get(LOCK_MINUTES)


def set_lock_minutes(actor: User, minutes: int) -> None:
    require(actor, "users.manage")
    settings.check({LOCK_MINUTES: minutes})
    with db.atomic():
        settings.put({LOCK_MINUTES: minutes})
        audit.record(actor, "settings.lock", "clinic", "", f"lock after {minutes} idle minutes")


def _check_password(username: str, password: str, now: dt.datetime | None, action: str,
                    done: str) -> User:
    now = now or dt.datetime.now()
    typed = username.strip().lower()
    wrong = AuthError("Wrong user name or password.")
    with db.atomic():
        user = User.get_or_none(User.username == typed)
        if user is None or not user.active:
            audit.record(None, "login.failed", "user", "", "unknown or inactive user",
                         username=typed[:40] or "(blank)")
            raise_after_commit = wrong
        elif user.locked_until is not None and now < user.locked_until:
            audit.record(user, "login.refused", "user", user.id, "account locked")
            raise_after_commit = _locked_error(user.locked_until)
        elif not _verify(user.password_hash, password):
            user.failed_logins += 1
            summary = f"wrong password ({user.failed_logins} of {MAX_FAILED_LOGINS})"
            if user.failed_logins >= MAX_FAILED_LOGINS:
                user.locked_until = now + LOCKOUT
                user.failed_logins = 0
                summary += "; account locked for 5 minutes"
                raise_after_commit = _locked_error(user.locked_until)
            else:
                raise_after_commit = wrong
            user.save()
            audit.record(user, "login.failed", "user", user.id, summary)
        else:
            user.failed_logins = 0
            user.locked_until = None
            if hasher.check_needs_rehash(user.password_hash):
                user.password_hash = hash_password(password)
            user.save()
            audit.record(user, action, "user", user.id, done)
            return user
    # Raised outside the transaction so the failure count and its audit event are kept.
    raise raise_after_commit


def password_matches(user: User, password: str) -> bool:
    return _verify(User.get_by_id(user.id).password_hash, password)


def _verify(stored: str, password: str) -> bool:
    try:
        return hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def _locked_error(until: dt.datetime) -> AuthError:
    return AuthError(
        f"This account is locked after {MAX_FAILED_LOGINS} wrong passwords. "
        f"Try again after {until:%H:%M}, or ask an admin to unlock it."
    )


def get_user(username: str) -> User | None:
    return User.get_or_none(User.username == username.strip().lower())


def providers() -> list[User]:
    """Active staff who treat patients, for pick lists and schedule columns."""
    return list(
        User.select()
        .where(User.active, User.role.in_(sorted(CLINICAL)))
        .order_by(User.display_name)
    )
