"""PostgreSQL's push: a background thread that ``LISTEN``s for the clinic's change signals on
a connection of its own and says "read now" the moment another PC commits.

``changes.note`` sends ``NOTIFY medspa_change, '<signal id>'`` in the committing transaction
(PostgreSQL delivers it only on commit, never for a rollback). The notification carries no
data the PC acts on: the ``change_signal`` table stays the one source of truth, read by
``remote.Watcher`` from the last id it saw, so a notification lost with a dropped connection
costs nothing but a second (the poll still runs). No Qt: ``wake`` and ``reachable`` are plain
callables called on this thread; the UI hands them over to its own thread (``ui/bus.py``).

A dropped connection (the server stopped, the network gone) is reported through
``reachable(False)`` at once and retried with a growing pause (``BACKOFF_S``); once it is back,
``reachable(True)`` and one ``wake()`` so that everything missed meanwhile is read.

The same thread keeps the permission check's copy of the accounts in use fresh: every
``permissions.FRESH_FOR / 2`` it reads their ``active, role`` on its own connection
(``permissions.keep_fresh``), so no action waits for that read on the server. Losing the server
forgets every account, so the next action asks the server itself (and is refused).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from ...logs import log
from ...store.database import db

CHANNEL = "medspa_change"
BACKOFF_S = (0.25, 0.5, 1.0, 2.0, 4.0)  # then every 4 s while the server stays away
TICK_S = 0.5  # how soon a stop is noticed while nothing arrives


def notify_sql() -> str:
    """The statement ``changes.note`` runs on PostgreSQL: the signal row and its NOTIFY in one
    round trip (the notify is queued with the transaction and sent when it commits)."""
    return ("WITH made AS (INSERT INTO change_signal (at, origin, kind, ids) "
            "VALUES (%s, %s, %s, %s) RETURNING id) "
            f"SELECT pg_notify('{CHANNEL}', id::text) FROM made")


class Listener:
    """One thread, one connection: ``start()`` once, ``stop()`` to end it (it joins)."""

    def __init__(self, connect_params: dict, wake: Callable[[], None],
                 reachable: Callable[[bool], None] = lambda up: None,
                 database: object | None = None) -> None:
        self._params = dict(connect_params)
        # the open database whose accounts it keeps fresh (the one its params point at)
        self._database = database if database is not None else db.obj
        self.accounts_read = 0  # how many times it read the accounts in use (tests look)
        self.accounts_in_use: list[int] = []  # the ids it read last
        self._wake = wake
        self._reachable = reachable
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="medspa-listen", daemon=True)
        self._was_up: bool | None = None  # None: not yet connected
        self.connected = threading.Event()  # set while LISTEN is in force (tests wait on it)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                self._listen()
            except Exception as exc:  # noqa: BLE001 (whatever the driver raises when cut off)
                self.connected.clear()
                if self._stop.is_set():
                    break
                if self._was_up is not False:
                    log.warning("Lost the clinic's server (listening): %s", exc)
                    _forget_accounts()
                    self._reachable(False)
                self._was_up = False
                pause = BACKOFF_S[min(failures, len(BACKOFF_S) - 1)]
                failures += 1
                self._stop.wait(pause)
            else:
                failures = 0
        self.connected.clear()

    def _up(self) -> None:
        self.connected.set()
        if self._was_up is False:
            log.info("The clinic's server is back (listening)")
            self._reachable(True)
            self._wake()  # read what was missed meanwhile
        self._was_up = True

    def _listen(self) -> None:
        import psycopg

        params = {"connect_timeout": 5, **self._params}
        with psycopg.connect(autocommit=True, **params) as con:
            con.execute(f"LISTEN {CHANNEL}")
            self._keep_accounts_fresh(con)
            self._up()
            fresh_at = time.monotonic()
            while not self._stop.is_set():
                if time.monotonic() - fresh_at >= _account_every():
                    fresh_at = time.monotonic()
                    self._keep_accounts_fresh(con)
                heard = False
                wait = max(0.0, min(TICK_S, fresh_at + _account_every() - time.monotonic()))
                for _notify in con.notifies(timeout=wait):
                    heard = True
                    break  # one wake reads every signal committed so far
                if heard:
                    # more may be queued: take them all without waiting, then wake once
                    for _notify in con.notifies(timeout=0.0):
                        pass
                    self._wake()
                elif con.broken or con.closed:
                    raise psycopg.OperationalError("the connection was closed")

    def _keep_accounts_fresh(self, con) -> None:
        from . import permissions  # (it hears changes, which import this module)

        def read(ids: list[int]) -> list[tuple[int, bool, str]]:
            return con.execute('SELECT id, active, role FROM "user" WHERE id = ANY(%s)',
                               (ids,)).fetchall()

        try:
            ids = permissions.keep_fresh(read, self._database)
            if ids:
                self.accounts_in_use = ids
                self.accounts_read += 1
        except Exception as exc:
            if con.broken or con.closed:
                raise  # the server is gone: said as such by _run
            log.warning("Could not read the accounts in use: %s", exc)  # actions read them


def _account_every() -> float:
    from . import permissions

    return permissions.FRESH_FOR / 2


def _forget_accounts() -> None:
    from . import permissions

    permissions.forget()
