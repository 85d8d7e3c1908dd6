"""The audit log: append-only, one row per access or change, each row hash-chained to the last.

``hash = SHA-256(prev_hash + canonical JSON of the row)``. Changing, removing or inserting a row
anywhere in the chain breaks every hash after it, which ``verify_chain`` reports. The database
refuses UPDATE and DELETE on the table with triggers (``store/migrations.py``), so tampering
takes dropping a trigger first — and still shows, unless every later hash is recomputed too:
on its own the chain proves order, not content. ``audit_anchor.py`` anchors it outside the
database (backup manifests, the anchor file, the printed daily close), and ``check`` compares.

``record`` must run inside the caller's transaction so the event commits with the change it
describes, or not at all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass

from ...store.database import db, is_sqlite
from ...store.models import AuditEvent, User

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
    return _chain_hash(prev_hash, _timestamp(at), username, action, record_type, record_id,
                       summary)


def _chain_hash(prev_hash: str, stamp: str, *fields: str) -> str:
    payload = _encode([stamp, *fields])
    return hashlib.sha256((prev_hash + payload).encode("utf-8")).hexdigest()


# json.dumps(…, ensure_ascii=False, separators=(",", ":")) without building an encoder per row
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


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
    # Inside the caller's transaction no savepoint of its own (two round trips on a server):
    # a failed insert fails the caller's transaction, which then writes nothing.
    with db.atomic() if not db.in_transaction() else nullcontext():
        prev = _last_hash()
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


_LOCK = "LOCK TABLE audit_event IN SHARE ROW EXCLUSIVE MODE"
_LAST = "SELECT hash FROM audit_event ORDER BY id DESC LIMIT 1"


def _last_hash() -> str:
    """The chain's last hash, for a row about to be added in this transaction. SQLite's BEGIN
    IMMEDIATE already serialises writers; PostgreSQL needs the table's lock so two PCs cannot
    both chain onto the same last row — taken and read in one round trip (two statements, each
    with its own snapshot, so the read sees every row committed before the lock was granted)."""
    if is_sqlite():
        row = db.execute_sql(_LAST).fetchone()
    else:
        cursor = db.execute_sql(f"{_LOCK}; {_LAST}")
        cursor.nextset()
        row = cursor.fetchone()
    return row[0] if row else GENESIS_HASH


def last_hash_with(*queries) -> tuple[str, list[list]]:
    """``_last_hash`` (the table locked on PostgreSQL) and the rows of ``queries`` (as
    ``store.database.fetch_together`` gives them), in ONE round trip on a server: for a change
    that reads what it needs, then writes its rows and their events together
    (:func:`chained`). Inside the caller's transaction."""
    from ...store.database import fetch_together

    if is_sqlite():
        return _last_hash(), fetch_together(*queries)
    _locked, rows, *found = fetch_together((_LOCK, None), (_LAST, None), *queries)
    return (rows[0][0] if rows else GENESIS_HASH), found


Event = tuple[str, str, object, str]  # action, record type, record id, summary


def chained(actor: User | None, prev_hash: str, events: list[Event]) -> list:
    """The inserts of ``events`` (in order) chained onto ``prev_hash`` — the chain's last hash
    read in this transaction (:func:`last_hash_with`), with no event recorded since — as
    queries not yet run: the caller sends them (``store.database.write_together``) in this
    transaction, with the change they describe."""
    name = actor.username if actor is not None else SYSTEM_USERNAME
    at = dt.datetime.now()
    inserts = []
    for action, record_type, record_id, summary in events:
        rid = "" if record_id is None else str(record_id)
        digest = event_hash(prev_hash, at, name, action, record_type, rid, summary)
        inserts.append(AuditEvent.insert(at=at, user=actor, username=name, action=action,
                                         record_type=record_type, record_id=rid,
                                         summary=summary, prev_hash=prev_hash, hash=digest))
        prev_hash = digest
    return inserts


@dataclass(frozen=True)
class ChainProblem:
    event_id: int
    message: str

    def __str__(self) -> str:
        return f"audit event {self.event_id}: {self.message}"


def verify_chain(batch: int = 20_000,
                 progress: Callable[[int, int], None] | None = None) -> list[ChainProblem]:
    """Recompute every hash in order; report each row that does not follow from the one before.
    ``progress(done, total)`` is told after every batch of rows."""
    problems: list[ChainProblem] = []
    total = AuditEvent.select().count() if progress else 0
    # Plain cursor rows, not model objects: this reads every row of a log of millions.
    sql = (f"SELECT id, at, username, action, record_type, record_id, summary, prev_hash, "
           f"hash FROM audit_event WHERE id > {db.param} ORDER BY id LIMIT {db.param}")
    prev, last_id, done = GENESIS_HASH, 0, 0
    while True:
        rows = db.execute_sql(sql, (last_id, batch)).fetchall()
        if not rows:
            return problems
        for row_id, at, username, action, record_type, record_id, summary, row_prev, digest \
                in rows:
            if row_prev != prev:
                problems.append(ChainProblem(row_id, "does not link to the event before it"))
            if _chain_hash(row_prev, _stored_timestamp(at), username, action, record_type,
                           record_id, summary) != digest:
                problems.append(ChainProblem(row_id,
                                             "its content was changed after it was written"))
            prev = digest
        last_id = rows[-1][0]
        done += len(rows)
        if progress:
            progress(done, max(total, done))


def _stored_timestamp(at: dt.datetime | str) -> str:
    """``_timestamp`` of a value as the driver returns it: a datetime (PostgreSQL) or SQLite's
    text, which leaves out zero microseconds."""
    if isinstance(at, str):
        return at if len(at) > 19 else f"{at}.000000"
    return _timestamp(at)


def record_print(actor: User, document: str, record_type: str, record_id: object,
                 summary: str = "") -> None:
    """A document with patient or financial data was made to preview, print or save (the
    program cannot know which the person then chose, so every one counts)."""
    with db.atomic():
        record(actor, f"print.{document}", record_type, record_id,
               summary or f"{document.replace('_', ' ')} prepared to preview, print or save")
