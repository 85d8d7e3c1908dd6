"""Who may do what. Enforced here, in the services: a hidden button is not a permission check.

The matrix is the single written source; a test holds the README's table to ``matrix_rows``.

Every check judges the account as it is in the database: a session's ``User`` object is only
a name for the account. An account an admin deactivates, or whose role is lowered, is refused
at its very next action in a window already open; the held object is brought up to date, and
whoever ``watch``-es (the main window) is told.

The account's ``active, role`` is read once and then trusted for ``FRESH_FOR`` (one second)
— a chart open calls a dozen services, and on a clinic's server each read is a round trip —
unless a ``staff`` change is heard first (``changes``): a change made on this PC at once, one
made on another PC as soon as its signal arrives (``remote``/``listen``). So a deactivation is
honoured at the next action after it is heard, and never later than a second after it.

On a server that read is taken off the actions' path: the listening thread (``listen``) reads
the accounts in use — those checked within ``IN_USE_FOR``: the window's actor while it works,
not one signed out or switched away from long ago — every ``FRESH_FOR / 2`` on its own
connection (``keep_fresh``), so an action finds its account fresh and sends nothing for it. An
action reads the account itself only when that copy is older than ``FRESH_FOR`` (the listener
stopped, slow, or its server gone: a lost listener forgets every account, so the next action
asks the server and is refused when it cannot). A change the listener reads is told to whoever
``watch``-es at once, so a deactivated window signs out within the second without an action.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable, Iterable

from ...store.database import db
from ...store.models import User
from . import changes
from .errors import PermissionDenied
from .vocabulary import Role

ADMIN, DIRECTOR, PROVIDER = Role.ADMIN, Role.MEDICAL_DIRECTOR, Role.PROVIDER
ALL = frozenset(Role)
CLINICAL = frozenset({DIRECTOR, PROVIDER})

# permission: (roles allowed, what it lets a person do — used in refusals)
PERMISSIONS: dict[str, tuple[frozenset[str], str]] = {
    "patient.read": (ALL, "look up patients"),
    "patient.write": (ALL, "register or change patients"),
    "patient.archive": (frozenset({ADMIN, DIRECTOR}), "archive patients"),
    "patient.merge": (frozenset({ADMIN, DIRECTOR}), "merge duplicate patient charts"),
    "patient.import": (frozenset({ADMIN, DIRECTOR}), "import patient lists from other systems"),
    "schedule.read": (ALL, "see the schedule"),
    "schedule.write": (ALL, "book or change appointments"),
    "treatment.read": (CLINICAL | {ADMIN}, "see treatment records"),
    "notes.read": (CLINICAL, "read clinical notes"),
    "notes.write": (CLINICAL, "write and sign clinical notes"),
    "notes.cosign": (frozenset({DIRECTOR}), "co-sign clinical notes"),
    "photos.read": (CLINICAL, "see clinical photos"),
    "photos.write": (CLINICAL, "add clinical photos"),
    "inventory.read": (ALL, "see stock"),
    "inventory.write": (frozenset({ADMIN, DIRECTOR}),
                        "receive or adjust stock"),
    "inventory.use": (CLINICAL, "draw stock for a treatment"),
    "treatment.write": (CLINICAL, "chart treatments"),
    "consent.read": (ALL, "see consent forms and signed consents"),
    "consent.sign": (ALL, "record a signed consent (on screen or on paper)"),
    "consent.template": (frozenset({ADMIN}), "edit consent templates"),
    "consent.override": (CLINICAL, "start a treatment without a valid consent"),
    "contraindication.acknowledge": (CLINICAL, "acknowledge a contraindication and treat"),
    "billing.read": (ALL, "see invoices and payments"),
    "billing.checkout": (ALL, "check out patients and take payments"),
    "billing.refund": (frozenset({ADMIN, DIRECTOR}),
                       "refund payments and void invoices"),
    "credit.goodwill": (frozenset({ADMIN, DIRECTOR}), "give a goodwill credit on account"),
    "credit.payout": (frozenset({ADMIN, DIRECTOR}),
                      "pay a patient's credit on account out in cash or to a card"),
    "membership.plans": (frozenset({ADMIN}), "set up membership plans"),
    "membership.enrol": (ALL, "enrol patients in memberships, freeze or cancel them"),
    "catalog.write": (frozenset({ADMIN}), "change rooms, devices and services"),
    "users.manage": (frozenset({ADMIN}), "manage staff accounts"),
    "audit.read": (frozenset({ADMIN, DIRECTOR}), "review the audit log"),
    "backup.run": (ALL, "back up the clinic's data"),
    "backup.manage": (frozenset({ADMIN}), "choose the backup folder and restore a backup"),
    "data.export": (frozenset({ADMIN}), "export all of the clinic's data"),
    "messages.read": (ALL, "see the outbox of messages to patients"),
    "messages.send": (ALL, "queue, retry or withdraw messages to patients"),
    "reports.view": (frozenset({ADMIN, DIRECTOR}), "see the clinic's reports"),
    "commission.write": (frozenset({ADMIN}), "set the staff commission rates"),
    "commission.backdate": (frozenset({ADMIN}),
                            "change the staff commission rates from a day in the past"),
    "messages.setup": (frozenset({ADMIN}), "set up the mail server and reminders"),
    "clinic.move": (frozenset({ADMIN}), "move the clinic to a server, point a PC at it"),
    "presence.see": (ALL, "see who is signed in on which PC, and show where they are"),
}


_watchers: list[Callable[[int], None]] = []
_watchers_lock = threading.Lock()


def watch(callback: Callable[[int], None]) -> None:
    """Call ``callback(user_id)`` whenever a check finds that account changed in the database
    (deactivated, or another role) since the object it was given was read. It may be called
    from a worker thread."""
    with _watchers_lock:
        _watchers.append(callback)


def unwatch(callback: Callable[[int], None]) -> None:
    with _watchers_lock:
        if callback in _watchers:
            _watchers.remove(callback)


FRESH_FOR = 1.0  # seconds an account read is trusted unless a staff change is heard
IN_USE_FOR = 15 * 60.0  # seconds since its last check an account is kept fresh by the listener
# Under _known_lock (the listening thread writes them too):
_known: dict[int, tuple[bool, str, float]] = {}  # user id: (active, role, monotonic read time)
_checked: dict[int, float] = {}  # user id: monotonic time of its last check (the accounts in use)
_known_lock = threading.Lock()
_known_in: list[weakref.ref | None] = [None]  # the database the reads were made in
_forgotten = [0]  # how many times accounts were forgotten: a read that straddles one is not kept


def _remembered(user_id: int) -> tuple[bool, str] | None:
    now = time.monotonic()
    with _known_lock:
        bound = _known_in[0]
        if bound is None or bound() is not db.obj:  # another clinic (or test) opened
            _known.clear()
            _checked.clear()
            _known_in[0] = weakref.ref(db.obj) if db.obj is not None else None
            _checked[user_id] = now
            return None
        _checked[user_id] = now
        found = _known.get(user_id)
    if found is None or now - found[2] >= FRESH_FOR:
        return None
    return found[0], found[1]


def forget(user_ids: set[int] | None = None) -> None:
    """Read these accounts (all with None) again at their next check."""
    with _known_lock:
        _forgotten[0] += 1
        if user_ids is None:
            _known.clear()
        for user_id in user_ids or ():
            _known.pop(user_id, None)


def keep_fresh(read: Callable[[list[int]], Iterable[tuple[int, bool, str]]],
               database: object) -> list[int]:
    """Read the accounts in use again, with ``read(ids)`` — ``(id, active, role)`` rows from
    the listening thread's own connection — so that the actions of ``database`` (the one the
    listener follows) find them fresh. Called by that thread every ``FRESH_FOR / 2``; returns
    the ids read. A read that a forgotten account straddles is not kept, nor one older than
    what an action read meanwhile; an account that changed is told to whoever watches."""
    now = time.monotonic()
    with _known_lock:
        bound = _known_in[0]
        if bound is None or bound() is not database:
            return []  # no check made in that database yet, or another one is open now
        for user_id, at in list(_checked.items()):
            if now - at > IN_USE_FOR:
                del _checked[user_id]
        ids = sorted(_checked)
        forgotten = _forgotten[0]
    if not ids:
        return []
    read_at = time.monotonic()
    rows = {user_id: (bool(active), role) for user_id, active, role in read(ids)}
    changed = []
    with _known_lock:
        bound = _known_in[0]
        if _forgotten[0] != forgotten or bound is None or bound() is not database:
            return []
        for user_id, account in rows.items():
            before = _known.get(user_id)
            if before is not None and before[2] > read_at:
                continue  # an action read it after this read began
            _known[user_id] = (*account, read_at)
            if before is not None and before[:2] != account:
                changed.append(user_id)
    _tell(changed)
    return ids


def _tell(user_ids: Iterable[int]) -> None:
    with _watchers_lock:
        watchers = list(_watchers)
    for user_id in user_ids:
        for callback in watchers:
            callback(user_id)


def _heard(changed: changes.ChangeSet) -> None:
    if changed.touches("staff"):
        forget(changed.ids("staff") or None)


changes.subscribe(_heard)


def refresh(user: User, *, reread: bool = False) -> bool:
    """Bring ``user``'s ``active`` and ``role`` to what the database holds (an account that
    is gone counts as deactivated); True when they changed. One primary-key read, unless the
    account was read less than ``FRESH_FOR`` ago and no staff change was heard since
    (``reread`` reads anyway)."""
    if user.id is None:
        active, role = False, user.role
    else:
        known = _remembered(user.id)
        if known is None or reread:
            read_at, forgotten = time.monotonic(), _forgotten[0]
            row = User.select(User.active, User.role).where(User.id == user.id).tuples().first()
            known = (bool(row[0]), row[1]) if row else (False, user.role)
            with _known_lock:
                before = _known.get(user.id)
                if _forgotten[0] == forgotten and (before is None or before[2] <= read_at):
                    _known[user.id] = (*known, read_at)
        active, role = known
    if (active, role) == (bool(user.active), user.role):
        return False
    user.active, user.role = active, role
    _tell([user.id])
    return True


def allowed(user: User | None, permission: str) -> bool:
    """Whether ``user``'s account, as it is in the database now, holds ``permission``."""
    roles, _ = PERMISSIONS[permission]
    if user is None:
        return False
    refresh(user)
    return user.active and user.role in roles


def require(user: User | None, permission: str) -> None:
    """Raise PermissionDenied unless ``user`` holds ``permission``."""
    if allowed(user, permission):
        return
    _, what = PERMISSIONS[permission]
    if user is None:
        raise PermissionDenied(f"Sign in to {what}.")
    if not user.active:
        raise PermissionDenied(f"{user.display_name}'s account is deactivated.")
    role = Role.label_of(user.role)
    raise PermissionDenied(f"{user.display_name} ({role}) may not {what}.")


def treats_patients(user: User | None) -> bool:
    """Whether ``user`` can be booked as a patient's provider: an active clinician (the
    caller has read ``user`` just now)."""
    return user is not None and user.active and user.role in CLINICAL


def matrix_rows() -> list[tuple[str, list[bool]]]:
    """(what, [allowed per role in ``Role`` order]) for documentation and screens."""
    return [
        (what, [role in roles for role in Role])
        for roles, what in PERMISSIONS.values()
    ]
