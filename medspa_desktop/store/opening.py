"""Opening a clinic database the way the program does before anyone signs in: the bounded
damage check, owner-only modes, the connection, and the schema brought to this version (with
a backup first). No Qt: the window (``app.run_gui``, a restore in ``ui/main_window.py``), the
benchmark and the tests open a clinic through :func:`open_clinic_database`; the dialogs that
show a refusal or offer a backup stay in ``app.py``.

A clinic on a server opens in a thread of its own (:class:`ServerOpening`) while the sign-in
is already on screen: the driver's import, the connection and the schema check take the
server's round trips, and a server that is slow or away must never hold the window back.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .. import paths
from ..logs import log
from .database import (
    NotAMedSpaDatabase,
    close_database,
    damage_in_file,
    damage_note,
    db,
    is_postgres_url,
    open_database,
)
from .migrations import NewerDatabaseError, migrate


def open_clinic_database(target: str) -> str | None:
    """Open and migrate ``target``; the refusal to show, or None when it opened."""
    try:
        if not is_postgres_url(target):
            # A bounded check at start-up; the whole file is checked in the background
            # (app.watch_database), and when that found damage, the whole check runs here first.
            note = damage_note(target)
            found = note.exists()
            damage = damage_in_file(target, whole=found)
            if found and not damage and Path(f"{target}-wal").exists():
                damage = note.read_text(encoding="utf-8").splitlines()[:1] or ["see the log"]
            if damage:
                return _damaged(target, damage)
            note.unlink(missing_ok=True)  # the whole check found nothing (a backup restored)
            paths.private_database(target)  # 0600 file (and WAL), 0700 folders: the account's
        open_database(target)
        result = migrate()
    except (NotAMedSpaDatabase, NewerDatabaseError) as exc:
        return str(exc)
    except Exception as exc:
        if "malformed" in str(exc):
            # damage the start-up check did not read (sqlite3's error, or peewee's wrapping)
            close_database()
            return _damaged(target, [str(exc)])
        shown = target
        if is_postgres_url(target):  # a server's password is never shown or logged
            from .pc_server import without_password

            shown = without_password(target)[0]
        log.exception("Could not open the database %s", shown)
        return f"The database {shown} could not be opened: {exc}"
    if result.backup is not None:
        log.info("Migrated %s from schema %s; backup at %s", target, result.from_version,
                 result.backup)
    return None


def _damaged(target: str, damage: list[str]) -> str:
    log.error("Refused the damaged database %s: %s", target, damage)
    return (f"The database {target} is damaged ({damage[0]}). It was not opened, so nothing "
            "more was written to it.")


class ServerOpening:
    """Open the clinic's server (``target``: a ``postgresql://`` address, its password in it or
    kept in this PC's keyring) in a thread of its own: the driver imported there, the
    connection, the schema check (:func:`open_clinic_database`) and then ``read()`` (what the
    sign-in needs from the clinic), all on that thread's connection. When it is over,
    ``on_done(self)`` is called on that thread; then either ``refusal`` says in words why the
    server did not open, or ``found`` holds what ``read`` returned and :meth:`take_over` gives
    the open connection to the thread that calls it (the UI's), so that signing in sends no
    second connection's round trips."""

    def __init__(self, target: str, read: Callable[[], Any] = lambda: None,
                 on_done: Callable[[ServerOpening], None] = lambda _o: None) -> None:
        self.target = target  # with the password used, once over
        self.read = read
        self.on_done = on_done
        self.refusal: str | None = None
        self.found: Any = None
        self.over = threading.Event()
        self._connection = None
        self._thread = threading.Thread(target=self._run, name="open the clinic's server",
                                        daemon=True)

    def start(self) -> ServerOpening:
        self._thread.start()
        return self

    @property
    def password_refused(self) -> bool:
        return self.refusal is not None and "password" in self.refusal

    def _run(self) -> None:
        try:
            from .pc_server import password_for, with_password, without_password


            bare, password = without_password(self.target)
            if not password:  # a remembered server: its password in the keyring, if kept
                self.target = with_password(bare, password_for(bare))
            self.refusal = open_clinic_database(self.target)
            if self.refusal is not None and "could not be opened" in self.refusal:
                from .pc_server import in_words  # the driver's words as staff say them

                said = in_words(self.refusal.partition(" could not be opened: ")[2])
                if not said.startswith("The server refused the connection:"):
                    self.refusal = said
            if self.refusal is None:
                try:
                    self.found = self.read()
                except Exception as exc:  # noqa: BLE001 — said on the sign-in, not lost
                    log.exception("Could not read the clinic on %s", bare)
                    self.refusal = f"The clinic's server could not be read: {exc}"
            real = db.obj
            if self.refusal is None and real is not None and not real.is_closed():
                self._connection = real._state.conn  # handed to the UI's thread
                real._state.reset()  # this thread's (about to end) no longer holds it
            elif real is not None:
                real.close()  # this thread's connection, if it got one
        except Exception as exc:  # noqa: BLE001 — never a silent thread
            log.exception("Opening the clinic's server failed")
            self.refusal = f"The clinic's server could not be opened: {exc}"
        finally:
            self.over.set()
            self.on_done(self)

    def take_over(self) -> None:
        """On the thread that will use the clinic from now on (once ``over`` and no
        ``refusal``): the connection opened for it becomes that thread's own."""
        real, connection, self._connection = db.obj, self._connection, None
        if connection is None or real is None:
            return
        if real.is_closed():
            real._state.set_connection(connection)
        else:  # this thread connected meanwhile: the spare one goes
            connection.close()
