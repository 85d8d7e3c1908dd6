"""The change bus, without Qt: what a committed transaction changed (kind and ids).

A service notes what it changes inside its transaction::

    changes.note("invoice", invoice.id)
    changes.note("stock", product_id)

A note is published once the outermost transaction commits — never when it rolls back, nor
when the savepoint of a nested ``db.atomic()`` it was made in rolls back (the store's
database drops the commit callbacks of a rolled-back savepoint). Outside a transaction a note
is published at once. Listeners (``subscribe``) are called on the thread that committed:
the UI's adapter (``ui/bus.py``) carries them over to the UI thread.

Kinds and their ids: ``appointment``, ``waitlist`` (entry), ``block``, ``hours`` (provider,
or none: the clinic's), ``patient``, ``intake`` and ``consent`` (the patient's id), ``note``,
``photo``, ``treatment`` (the appointment charted or amended), ``stock`` (the product whose
lots changed), ``product``, ``invoice``, ``prepaid`` (package or gift card),
``membership`` and ``membership_plan``, ``consent_template``, ``catalog``, ``staff`` (user), ``settings``, ``presence`` (a window's
row: who is signed in where). No ids means "some of that kind".

Other windows and PCs hear it too: ``note`` also writes a ``ChangeSignal`` row in the same
transaction (on PostgreSQL with a ``NOTIFY`` that wakes the other PCs at once,
``services/platform/listen.py``), and ``services/platform/remote.py`` reads the rows other
processes committed (from the last one it saw, so a PC that lost the server catches up) and
publishes them here: every screen refreshes as it does for a change made on this PC.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ...store.database import db, is_sqlite
from ...store.models import ChangeSignal
from . import listen


@dataclass(frozen=True)
class Change:
    kind: str
    ids: frozenset[int] = frozenset()


class ChangeSet:
    """Changes published together (one operation's, or a batch from another PC)."""

    def __init__(self, changes: Iterable[Change] = ()) -> None:
        self.changes = tuple(changes)

    def touches(self, *kinds: str) -> bool:
        return any(c.kind in kinds for c in self.changes)

    def ids(self, kind: str) -> set[int]:
        return {i for c in self.changes if c.kind == kind for i in c.ids}

    def kinds(self) -> set[str]:
        return {c.kind for c in self.changes}

    def __bool__(self) -> bool:
        return bool(self.changes)

    def __repr__(self) -> str:
        return f"ChangeSet({list(self.changes)!r})"


Listener = Callable[[ChangeSet], None]
_listeners: list[Listener] = []
_lock = threading.Lock()


def subscribe(listener: Listener) -> Callable[[], None]:
    """Call ``listener(changes)`` after each commit that noted something; returns the
    function that unsubscribes it."""
    with _lock:
        _listeners.append(listener)

    def unsubscribe() -> None:
        with _lock:
            if listener in _listeners:
                _listeners.remove(listener)

    return unsubscribe


def publish(changes: ChangeSet) -> None:
    """Tell every listener (after a commit here, or when another PC's changes arrive)."""
    if not changes:
        return
    with _lock:
        listeners = list(_listeners)
    for listener in listeners:
        listener(changes)


# This process, so that it does not hear its own commits a second time from the signal table.
ORIGIN = uuid.uuid4().hex
SIGNAL_IDS = 200  # more ids than this are signalled as "some of that kind"


def note(kind: str, *ids: int | None) -> None:
    """Record that ``kind`` (these ids) changed: published after the outermost commit here,
    and signalled to the other windows and PCs in the same transaction (so they hear it
    exactly when it is committed, and never when it is rolled back)."""
    signal = note_query(kind, *ids)
    db.execute_sql(*signal) if isinstance(signal, tuple) else signal.execute()


def note_query(kind: str, *ids: int | None):
    """:func:`note`, its signal as a statement not yet sent (for ``store.database.
    write_together``, with the change's own writes): the caller sends it in this
    transaction."""
    change = Change(kind, frozenset(i for i in ids if i is not None))
    row = dict(at=dt.datetime.now(), origin=ORIGIN, kind=kind,
               ids="" if len(change.ids) > SIGNAL_IDS else ",".join(map(str, sorted(change.ids))))
    db.after_commit(lambda: publish(ChangeSet((change,))))
    if is_sqlite():
        return ChangeSignal.insert(**row)
    # PostgreSQL: the row and its NOTIFY in one statement (see listen.py)
    return listen.notify_sql(), (row["at"], ORIGIN, kind, row["ids"])


def parse_ids(text: str) -> frozenset[int]:
    return frozenset(int(i) for i in text.split(",") if i)
