"""Anchors of the audit chain kept outside the database.

The hash chain (``audit.py``) proves the order of the events, not that they are the ones that
were written: someone with the database file who drops the append-only trigger, edits a row
and recomputes every later hash has a chain that follows from row to row again. So the head
of the chain — the last event's id and hash, and how many events there are — is written down
where the database is not:

* in every backup's ``manifest.json`` (the head of the copy; backups go to another drive);
* in ``audit-anchors.jsonl`` in the log folder (``paths.log_dir``), a line appended at every
  backup, at every quit, at every daily close printed, and at every restore;
* on the printed daily close (paper), which ``check --anchor ID:HASH`` compares.

``compare`` (run by ``check``) looks up the event at each anchor's id: a hash at that id equal
to the anchor's, in a chain that still follows from row to row, means that the chain up to it
is the one anchored. The first event that no longer matches is named: exactly, by halving the
interval in a backup's copy of the chain, or else as the range between the last anchor that
matches and the first that does not. A chain that ends before an anchor's event says rows were
removed. Each anchor costs one lookup by primary key, so ``check`` stays fast on millions of
events.

A restore puts an older chain in place on purpose: it appends a ``restore`` anchor (binding
from then on, like every later one). An anchor written before the latest restore still vouches
for the events when it matches; when it does not, it anchors the history the restore replaced,
and is counted in a note rather than reported as tampering.

What this proves, and what it does not: see ``docs`` (README, "The audit log").
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ... import paths
from ...store.database import database_label, db, is_sqlite

ANCHOR_FILE = "audit-anchors.jsonl"
MANIFEST_KEY = "audit_head"
RESTORE = "restore"
PRINTED = "printout"


@dataclass(frozen=True)
class Head:
    """The end of the audit chain: its last event's id and hash, and how many events."""

    last_id: int
    hash: str
    count: int

    def as_dict(self) -> dict:
        return {"last_id": self.last_id, "hash": self.hash, "count": self.count}

    def __str__(self) -> str:
        return f"event {self.last_id:,} of {self.count:,}, SHA-256 {self.hash}"


@dataclass(frozen=True)
class Anchor:
    head: Head
    at: dt.datetime
    reason: str  # backup, quit, daily close, restore, ...
    source: str  # where it was read, for the report
    backup: Path | None = None  # the backup folder whose copy of the chain it anchors

    def describe(self) -> str:
        if self.backup is not None:
            return f"the manifest of the backup {self.backup.name} ({self.backup})"
        if self.reason == PRINTED:
            return "the head typed from a printout (--anchor)"
        return f"the anchor written at {self.reason} on {self.at:%Y-%m-%d %H:%M} ({self.source})"


@dataclass
class AnchorReport:
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    matched: int = 0


# -- the head --------------------------------------------------------------------------------
def head() -> Head:
    """The open database's chain head (one lookup by primary key, and a count)."""
    row = db.execute_sql("SELECT id, hash FROM audit_event ORDER BY id DESC LIMIT 1").fetchone()
    count = db.execute_sql("SELECT COUNT(*) FROM audit_event").fetchone()[0]
    return Head(row[0], row[1], count) if row else Head(0, "", 0)


def head_of_file(database: Path) -> Head:
    """The chain head of a closed SQLite file (a backup's copy, a restored file)."""
    con = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        row = con.execute("SELECT id, hash FROM audit_event ORDER BY id DESC LIMIT 1").fetchone()
        count = con.execute("SELECT COUNT(*) FROM audit_event").fetchone()[0]
    finally:
        con.close()
    return Head(row[0], row[1], count) if row else Head(0, "", 0)


def identity(database: str | os.PathLike | None = None) -> str:
    """How anchors name a database: its file's full path, or the PostgreSQL server and
    database (the open one when ``database`` is None)."""
    if database is not None:
        return str(Path(database).resolve())
    return database_label()


# -- the anchor file -------------------------------------------------------------------------
def anchor_file() -> Path:
    return paths.log_dir() / ANCHOR_FILE


def append(head_: Head, reason: str, database: str, at: dt.datetime | None = None,
           file: Path | None = None) -> Path:
    """Add one line to the anchor file (made owner-only, flushed to the disk)."""
    file = file or anchor_file()
    paths.private_dir(file.parent)
    # to the microsecond: a backup and a restore in the same second keep their order
    line = json.dumps({"at": (at or dt.datetime.now()).isoformat(),
                       "database": database, "reason": reason, **head_.as_dict()},
                      ensure_ascii=False)
    fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, paths.PRIVATE_FILE_MODE)
    try:
        os.write(fd, (line + "\n").encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    paths.private_file(file)
    return file


def anchor_now(reason: str, at: dt.datetime | None = None) -> Head:
    """Write the open database's head to the anchor file (unless the log is still empty);
    returns it."""
    now = head()
    if now.last_id:
        append(now, reason, identity(), at)
    return now


def quietly(write: Callable[[], object]) -> None:
    """Write an anchor where failing to must not undo the work it follows (a backup taken, a
    restore done, the program quitting): a log folder that cannot be written is logged."""
    try:
        write()
    except Exception as exc:  # noqa: BLE001 — logged; the work it follows is done
        logging.getLogger("medspa_desktop").warning("The audit anchor was not written: %s", exc)


def read_anchor_file(database: str, file: Path | None = None
                     ) -> tuple[list[Anchor], list[str]]:
    """The anchors of ``database`` in the anchor file, and the lines that cannot be read (a
    last line cut short by a crash is not one of them)."""
    file = file or anchor_file()
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        return [], []
    except OSError as exc:
        return [], [f"audit anchors: {file} cannot be read ({exc.strerror})"]
    anchors, problems = [], []
    lines = text.split("\n")
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if item["database"] != database:
                continue
            anchors.append(Anchor(_head(item), dt.datetime.fromisoformat(item["at"]),
                                  str(item.get("reason", "")), f"{file}, line {number}"))
        except (ValueError, KeyError, TypeError):
            if number < len(lines) or text.endswith("\n"):
                problems.append(f"audit anchors: line {number} of {file} cannot be read")
    return anchors, problems


def _head(item: dict) -> Head:
    last_id, digest, count = int(item["last_id"]), str(item["hash"]), int(item["count"])
    if last_id < 0 or count < 0 or (last_id and len(digest) != 64):
        raise ValueError("not a chain head")
    return Head(last_id, digest, count)


def manifest_anchors(folders: list[Path], database: str) -> list[Anchor]:
    """The heads recorded in the manifests of the backups of ``database`` in ``folders``."""
    from .backup import MANIFEST, NAME_RE  # backup records the heads, and imports this module

    found, seen = [], set()
    for folder in folders:
        if not folder.is_dir():
            continue
        for entry in sorted(folder.iterdir()):
            manifest = entry / MANIFEST
            if not NAME_RE.match(entry.name) or not manifest.is_file():
                continue
            key = entry.resolve()
            if key in seen:
                continue
            seen.add(key)
            try:
                item = json.loads(manifest.read_text(encoding="utf-8"))
                if item.get("database") != database or MANIFEST_KEY not in item:
                    continue
                found.append(Anchor(_head(item[MANIFEST_KEY]),
                                    dt.datetime.fromisoformat(item["taken_at"]),
                                    "backup", str(entry), backup=entry))
            except (ValueError, KeyError, TypeError, AttributeError, OSError):
                continue  # not a manifest this program wrote: verify_backup says so
    return found


def parse_printed(text: str, at: dt.datetime | None = None) -> Anchor:
    """An anchor typed from a printed daily close: ``ID:HASH``."""
    number, _, digest = text.strip().partition(":")
    digest = digest.strip().lower()
    if not number.strip().isdigit() or len(digest) != 64 or any(
            c not in "0123456789abcdef" for c in digest):
        raise ValueError(f"'{text}' is not an anchor like 1234:<the 64 letters and digits of "
                         "the hash>")
    return Anchor(Head(int(number), digest, 0), at or dt.datetime.now(), PRINTED,
                  "given on the command line")


# -- comparing -------------------------------------------------------------------------------
def _live_hash(event_id: int) -> str | None:
    row = db.execute_sql(f"SELECT hash FROM audit_event WHERE id = {db.param}",
                         (event_id,)).fetchone()
    return row[0] if row else None


def compare(folders: list[Path] | None = None, extra: list[Anchor] = (),
            file: Path | None = None) -> AnchorReport:
    """Compare the open database's chain with every anchor found for it: the anchor file,
    the manifests of the backups in ``folders`` (the clinic's backup folders by default) and
    ``extra`` (typed from a printout)."""
    report = AnchorReport()
    database = identity()
    anchors, report.problems = read_anchor_file(database, file)
    if folders is None:
        folders = _backup_folders()
    anchors += manifest_anchors(folders, database)
    anchors += list(extra)
    if not anchors:
        looked = ", ".join(str(f) for f in [file or anchor_file(), *folders])
        report.notes.append(f"audit anchors: none found for this database in {looked} (one is "
                            "written at every backup, quit and daily close)")
        return report
    # A restore puts an older chain in place on purpose: what was anchored before it may be
    # the history it replaced. Those anchors still vouch for the events when they match.
    restored = max((a for a in anchors if a.reason == RESTORE), key=lambda a: a.at,
                   default=None)
    earlier = {id(a) for a in anchors if restored is not None and a.at < restored.at}
    now = head()
    beyond = [a for a in anchors if id(a) not in earlier
              and (a.head.last_id > now.last_id or a.head.count > now.count)]
    skip = {id(a) for a in beyond}
    if beyond:
        worst = max(beyond, key=lambda a: (a.head.last_id, a.head.count))
        counted = f" ({worst.head.count:,} events)" if worst.head.count else ""
        report.problems.append(
            f"audit log: rows were removed: it ends at event {now.last_id:,} ({now.count:,} "
            f"events), but {worst.describe()} records event {worst.head.last_id:,}{counted}")
    good, bad, replaced = [], [], 0
    hashes: dict[int, str | None] = {}
    for anchor in sorted(anchors, key=lambda a: a.head.last_id):
        event_id = anchor.head.last_id
        if not event_id or id(anchor) in skip:
            continue
        if event_id not in hashes:
            hashes[event_id] = _live_hash(event_id) if event_id <= now.last_id else None
        if hashes[event_id] == anchor.head.hash:
            good.append(anchor)
        elif id(anchor) in earlier:
            replaced += 1
        else:
            bad.append(anchor)
    report.matched = len(good)
    if replaced:
        report.notes.append(
            f"audit anchors: {replaced} written before the restore of "
            f"{restored.at:%Y-%m-%d %H:%M} (back to event {restored.head.last_id:,}) do not "
            "match the chain now: they anchor the history that restore replaced")
    if bad:
        report.problems.append(_first_change(good, bad))
    elif not beyond and good:
        newest = max(good, key=lambda a: (a.head.last_id, a.at))
        report.notes.append(f"audit anchors: the chain matches all {len(good):,} that apply "
                            f"(the furthest: {newest.describe()}, {newest.head})")
    return report


def _first_change(good: list[Anchor], bad: list[Anchor]) -> str:
    """The problem to report: the first event that is no longer as anchored."""
    first = min(bad, key=lambda a: a.head.last_id)
    below = [a.head.last_id for a in good if a.head.last_id < first.head.last_id]
    low = max(below, default=0)
    later = len({a.head.last_id for a in bad}) - 1
    also = f"; {later} later anchor(s) no longer match either" if later > 0 else ""
    for anchor in sorted(bad, key=lambda a: a.head.last_id):
        if anchor.backup is None:
            continue
        event_id = _bisect(anchor.backup, low)
        if event_id is not None:
            return (f"audit event {event_id}: no longer as it was when the backup "
                    f"{anchor.backup.name} was taken ({anchor.backup}): it was changed or "
                    f"removed, and the events after it re-chained to hide it{also}")
    after = f"after event {low:,} (the last that matches an anchor) " if low else ""
    return (f"audit event {first.head.last_id}: its hash no longer matches "
            f"{first.describe()}: an event {after}up to it was changed or removed, and the "
            f"events after it re-chained to hide it{also}")


def _bisect(backup: Path, low: int) -> int | None:
    """The first event after ``low`` whose hash in the live chain differs from the backup's
    copy of the chain, by halving (a hash that matches vouches for every event before it)."""
    from .backup import DB_NAME

    try:
        con = sqlite3.connect(f"file:{backup / DB_NAME}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        def at_or_before(event_id: int) -> tuple[int, str] | None:
            return con.execute("SELECT id, hash FROM audit_event WHERE id <= ? AND id > ? "
                               "ORDER BY id DESC LIMIT 1", (event_id, low)).fetchone()

        top = con.execute("SELECT id, hash FROM audit_event ORDER BY id DESC LIMIT 1").fetchone()
        if top is None or top[0] <= low or _live_hash(top[0]) == top[1]:
            return None
        lo, hi = low, top[0]  # the events up to lo match; the event hi does not
        while hi - lo > 1:
            mid = (lo + hi) // 2
            row = at_or_before(mid)
            if row is None or _live_hash(row[0]) == row[1]:
                lo = mid
            else:
                hi = row[0]
        return hi
    except sqlite3.Error:
        return None
    finally:
        con.close()


def _backup_folders() -> list[Path]:
    """The clinic's backup folder and ``backups/`` beside the database (on a server: the
    clinic's backup folder as this PC sees it)."""
    from . import backup

    if not is_sqlite():
        return [backup.backup_folder()]

    beside = backup.database_path().parent / "backups"
    chosen = backup.backup_folder()
    return [beside] if chosen == beside else [chosen, beside]
