"""``check``: is this database whole? Page integrity, foreign keys, schema version, audit
chain, history guards, signed notes, photos, the stock ledger and stored consent documents."""

from __future__ import annotations

from ...store.database import db, is_sqlite
from ...store.migrations import SCHEMA_VERSION, missing_guards, read_schema_version
from ...store.models import Note
from ..charts.notes import fingerprint
from ..charts.photos import damaged_photos
from ..consents.signing import damaged_documents
from ..treatments.inventory import ledger_problems
from . import audit
from .vocabulary import NoteStatus


def check_database() -> list[str]:
    """Every problem found, as a sentence; an empty list means all is well."""
    problems: list[str] = []
    if is_sqlite():
        rows = [r[0] for r in db.execute_sql("PRAGMA integrity_check").fetchall()]
        if rows != ["ok"]:
            problems.extend(f"integrity: {r}" for r in rows)
        for table, rowid, parent, _ in db.execute_sql("PRAGMA foreign_key_check").fetchall():
            problems.append(f"{table} row {rowid} points to a missing {parent} row")
    version = read_schema_version()
    if version != SCHEMA_VERSION:
        problems.append(f"schema version is {version}; this program expects {SCHEMA_VERSION}")
    problems.extend(str(p) for p in audit.verify_chain())
    problems.extend(missing_guards())
    for note in Note.select().where(Note.status == NoteStatus.SIGNED):
        if fingerprint(note) != note.fingerprint:
            problems.append(f"signed note {note.id} no longer matches its fingerprint")
    problems.extend(damaged_photos())
    problems.extend(ledger_problems())
    problems.extend(damaged_documents())
    return problems

