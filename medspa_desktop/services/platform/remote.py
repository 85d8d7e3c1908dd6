"""Hearing the other windows and PCs: the ``ChangeSignal`` rows other processes committed,
read from the last one seen and published on the change bus like this PC's own changes.

On SQLite the watcher first asks ``PRAGMA data_version``, which changes only when another
connection committed, so a quiet clinic costs one pragma a second; on PostgreSQL it reads the
signal table by its primary key (one indexed statement a second per PC). A PC that could not
reach the database reads, once it can again, every signal it missed. No Qt: the UI's bus
(``ui/bus.py``) runs :meth:`Watcher.poll` on a timer.
"""

from __future__ import annotations

import contextlib
import datetime as dt

import peewee
from peewee import fn

from ...store.database import db, is_sqlite
from ...store.models import ChangeSignal
from . import changes
from .changes import Change, ChangeSet
from .errors import ServerUnreachable

KEEP_DAYS = 3  # a PC off longer than this reloads what it shows anyway (it was signed out)
BATCH = 2000  # more signals at once than this: every kind they name is reloaded whole


class Watcher:
    """Follows one open database (a new one when the program opens another file)."""

    def __init__(self) -> None:
        self._database = None
        self._last_id = 0
        self._data_version: int | None = None

    def _start(self) -> None:
        self._database = db.obj
        self._last_id = ChangeSignal.select(fn.MAX(ChangeSignal.id)).scalar() or 0
        self._data_version = self._version()

    @staticmethod
    def _version() -> int | None:
        if not is_sqlite():
            return None
        return db.execute_sql("PRAGMA data_version").fetchone()[0]

    def poll(self) -> ChangeSet:
        """What other processes committed since the last poll (nothing on the first poll of
        a database: its screens were just read)."""
        if db.obj is None or db.obj.is_closed():
            return ChangeSet()
        if db.obj is not self._database:
            self._start()
            return ChangeSet()
        version = self._version()
        if version is not None and version == self._data_version:
            return ChangeSet()  # SQLite: no other connection committed
        self._data_version = version
        rows = list(ChangeSignal.select().where(ChangeSignal.id > self._last_id)
                    .order_by(ChangeSignal.id).limit(BATCH + 1).tuples())
        if not rows:
            return ChangeSet()
        many = len(rows) > BATCH
        rows = rows[:BATCH]
        self._last_id = rows[-1][0]
        heard: dict[str, set[int] | None] = {}
        for _id, _at, origin, kind, ids in rows:
            if origin == changes.ORIGIN:
                continue
            if many or not ids or heard.get(kind, set()) is None:
                heard[kind] = None  # some of that kind: reload it whole
            else:
                heard.setdefault(kind, set()).update(changes.parse_ids(ids))
        return ChangeSet(Change(kind, frozenset(ids or ())) for kind, ids in heard.items())


SERVER_LOST = ("The clinic's server cannot be reached, so this was not done and nothing was "
               "saved. Try again once it is back.")


def unreachable() -> ServerUnreachable:
    return ServerUnreachable(SERVER_LOST)


def server_lost(exc: BaseException) -> bool:
    """Whether ``exc`` says the clinic's PostgreSQL server cannot be reached (stopped, the
    network gone), rather than a refusal or a bug: a connection error, with this thread's
    connection broken or never made."""
    real = db.obj
    if real is None or is_sqlite():
        return False
    if not isinstance(exc, (peewee.OperationalError, peewee.InterfaceError)):
        return False
    con = real._state.conn
    return con is None or bool(getattr(con, "broken", False) or getattr(con, "closed", False))


def drop_connection() -> None:
    """Forget this thread's broken connection (and any transaction it was in), so that the
    next statement connects afresh."""
    real = db.obj
    if real is None:
        return
    con = real._state.conn
    real._state.reset()
    if con is not None:
        with contextlib.suppress(Exception):  # closing what is already cut off
            con.close()


def reach() -> None:
    """Connect this thread again (raises while the server is still away) and ask it one
    trivial question, so that a half-open connection is found out."""
    real = db.obj
    if real is None:
        return
    real.connect(reuse_if_open=True)
    real.execute_sql("SELECT 1").fetchone()


def purge(now: dt.datetime | None = None) -> int:
    """Forget signals older than ``KEEP_DAYS`` (they only told of a change; nothing clinical
    is in them). Returns how many."""
    cutoff = (now or dt.datetime.now()) - dt.timedelta(days=KEEP_DAYS)
    return ChangeSignal.delete().where(ChangeSignal.at < cutoff).execute()
