"""``check``: is this database whole? Page integrity, foreign keys, schema version, audit chain."""

from __future__ import annotations

from ..store.database import db, is_sqlite
from ..store.migrations import (
    APPEND_ONLY_TABLES,
    SCHEMA_VERSION,
    has_append_only_triggers,
    read_schema_version,
)
from . import audit


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
    for table in APPEND_ONLY_TABLES:
        if not has_append_only_triggers(table):
            problems.append(f"{table} has lost its append-only trigger")
    return problems

