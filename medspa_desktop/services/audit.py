"""The audit log: append-only, one row per access or change, each row hash-chained to the last.

``hash = SHA-256(prev_hash + canonical JSON of the row)``. Changing, removing or inserting a row
anywhere in the chain breaks every hash after it, which ``verify_chain`` reports. The database
refuses UPDATE and DELETE on the table with triggers (``store/migrations.py``), so tampering
takes dropping a trigger first — and still shows.

``record`` must run inside the caller's transaction so the event commits with the change it
describes, or not at all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from ..store.database import db, is_sqlite
from ..store.models import AuditEvent, User

GENESIS_HASH = "0" * 64
SYSTEM_USERNAME = "system"


def _timestamp(at: dt.datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M:%S.%f")


def event_hash(
    prev_hash: str,
    at: dt.datetime,
    username: str,
    action: str,
    record_type: str,
    record_id: str,
    summary: str,
) -> str:
    payload = json.dumps(
        [_timestamp(at), username, action, record_type, record_id, summary],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256((prev_hash + payload).encode("utf-8")).hexdigest()


def record(
    actor: User | None,
    action: str,
    record_type: str = "",
    record_id: object = "",
    summary: str = "",
    *,
    username: str | None = None,
) -> AuditEvent:
    """Append one event. ``actor`` None means the program itself (or a failed sign-in, where
    ``username`` carries what was typed)."""
    name = actor.username if actor is not None else (username or SYSTEM_USERNAME)
    at = dt.datetime.now()
    rid = "" if record_id is None else str(record_id)
    with db.atomic():
        if not is_sqlite():
            # SQLite's BEGIN IMMEDIATE already serialises writers; PostgreSQL needs the lock
            # so two PCs cannot both chain onto the same last row.
            db.execute_sql("LOCK TABLE audit_event IN SHARE ROW EXCLUSIVE MODE")
        last = AuditEvent.select(AuditEvent.hash).order_by(AuditEvent.id.desc()).first()
        prev = last.hash if last else GENESIS_HASH
        return AuditEvent.create(
            at=at,
            user=actor,
            username=name,
            action=action,
            record_type=record_type,
            record_id=rid,
            summary=summary,
            prev_hash=prev,
            hash=event_hash(prev, at, name, action, record_type, rid, summary),
        )


@dataclass(frozen=True)
class ChainProblem:
    event_id: int
    message: str

    def __str__(self) -> str:
        return f"audit event {self.event_id}: {self.message}"


def verify_chain(batch: int = 5000) -> list[ChainProblem]:
    """Recompute every hash in order; report each row that does not follow from the one before."""
    problems: list[ChainProblem] = []
    prev = GENESIS_HASH
    last_id = 0
    while True:
        rows = list(
            AuditEvent.select()
            .where(AuditEvent.id > last_id)
            .order_by(AuditEvent.id)
            .limit(batch)
        )
        if not rows:
            return problems
        for row in rows:
            if row.prev_hash != prev:
                problems.append(ChainProblem(row.id, "does not link to the event before it"))
            expected = event_hash(
                row.prev_hash, row.at, row.username, row.action,
                row.record_type, row.record_id, row.summary,
            )
            if expected != row.hash:
                problems.append(ChainProblem(row.id, "its content was changed after it was written"))
            prev = row.hash
            last_id = row.id



def record_print(actor: User, document: str, record_type: str, record_id: object,
                 summary: str = "") -> None:
    """A document with patient or financial data was made to preview, print or save (the
    program cannot know which the person then chose, so every one counts)."""
    with db.atomic():
        record(actor, f"print.{document}", record_type, record_id,
               summary or f"{document.replace('_', ' ')} prepared to preview, print or save")
