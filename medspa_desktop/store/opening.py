"""Opening a clinic database the way the program does before anyone signs in: the bounded
damage check, owner-only modes, the connection, and the schema brought to this version (with
a backup first). No Qt: the window (``app.run_gui``, a restore in ``ui/main_window.py``), the
benchmark and the tests open a clinic through :func:`open_clinic_database`; the dialogs that
show a refusal or offer a backup stay in ``app.py``.
"""

from __future__ import annotations

from pathlib import Path

from .. import paths
from ..logs import log
from .database import (
    NotAMedSpaDatabase,
    close_database,
    damage_in_file,
    damage_note,
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
