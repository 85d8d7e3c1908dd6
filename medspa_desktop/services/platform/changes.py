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
``consent_template``, ``catalog``, ``staff`` (user), ``settings``. No ids means "some of that
kind".

Remote changes plug in here: a watcher of another PC's commits (SQLite ``data_version``,
PostgreSQL ``LISTEN/NOTIFY`` plus a signal table) calls :func:`publish` with what it learned,
and every screen refreshes as it does for a change made on this PC.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ...store.database import db


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


def note(kind: str, *ids: int | None) -> None:
    """Record that ``kind`` (these ids) changed: published after the outermost commit."""
    change = Change(kind, frozenset(i for i in ids if i is not None))
    db.after_commit(lambda: publish(ChangeSet((change,))))
