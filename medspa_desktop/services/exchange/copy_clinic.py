"""Grow to a server: copy a clinic's SQLite file into an empty PostgreSQL database.

``copy_clinic(source, url)`` copies every table (``store.models.ALL_MODELS``, in
foreign-key order, each row with its own id) from the SQLite file into the server database,
migrated first by the program's own ``migrate()``. Rows are read in batches through a plain
read-only SQLite cursor and written with one prepared ``executemany`` per batch, each value
made ready by its field as the ORM does. A row pointing at another row of its own table (a
merged patient, a refund) waits until the row it points at is in.

Everything on the server happens in ONE transaction: the schema, the rows, the sequences
advanced past the copied ids, and the checks — every table's count equal, the audit chain
verified on the server, ``check`` clean there, every stored document's SHA-256 equal to the
file's — and, only when all of that holds, the audit event ``clinic.moved_to_server``. After
the commit, ``VACUUM (ANALYZE)``: the planner's statistics and the visibility map of the rows
just loaded. Any
failure rolls it all back: the server database is left as it was. A server database that
already holds a clinic's rows is refused before anything is written. The SQLite file is only
read (opened read only): it stays as it was, the clinic's fallback.

Once the PCs are to use the server, ``mark_moved`` records in the SQLite file itself (a
setting, audited: nothing else in it changes) where the clinic went and when, so that opening
the old file says so plainly and offers the server (``moved_to``).

Photos are files named by their SHA-256 beside the SQLite file; on a server the program keeps
them in the data folder (``charts/photos.photo_dir``): each is copied there and its hash
checked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from ... import paths
from ...store.database import db, is_postgres_url, is_sqlite, open_database
from ...store.migrations import SCHEMA_VERSION, migrate, read_schema_version
from ...store.models import ALL_MODELS, AuditEvent, Patient, SchemaMeta, StoredFile, User
from ..charts.photos import keep_in_database, photo_dir
from ..platform import audit, settings
from ..platform.errors import DomainError
from ..platform.integrity import check_database
from ..platform.permissions import require

BATCH = 1000
ACTION = "clinic.moved_to_server"
MOVED_AWAY = "clinic.moved_away"


class MoveRefused(DomainError):
    """The clinic cannot be moved to that server database; nothing was written there."""


@dataclass(frozen=True)
class MoveResult:
    target: str  # the URL with its password masked
    counts: dict[str, int]  # rows per table, equal on both sides
    documents: int  # stored documents whose hash was checked
    photos: int  # photo files copied and checked


def masked(url: str) -> str:
    """``url`` with its password (if any) shown as ``***``."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{parts.username or ''}:***@{host}"
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def copy_clinic(source: str | Path, target: str,
                progress: Callable[[str], None] | None = None) -> MoveResult:
    """Copy the clinic in the SQLite file ``source`` into the empty PostgreSQL database at
    ``target``, verify it there, and record the move. Leaves ``target`` open (``db``)."""
    say = progress or (lambda _step: None)
    if not is_postgres_url(target):
        raise MoveRefused(f"{target} is not a PostgreSQL address (postgresql://…).")
    src = _open_source(Path(source))
    try:
        try:
            open_database(target)
        except Exception as exc:  # a server that does not answer, a wrong password
            raise MoveRefused(f"Cannot reach {masked(target)}: {_first_line(exc)}") from None
        _refuse_non_empty(target)
        with db.atomic():
            migrate()
            # the stamp migrate() wrote is the source's own (same version, checked above)
            SchemaMeta.delete().execute()
            counts: dict[str, int] = {}
            for model in ALL_MODELS:
                say(f"copying {model._meta.table_name}")
                counts[model._meta.table_name] = _copy_table(src, model)
            _advance_sequences()
            say("copying photos")
            photos = _copy_photos(src, Path(source))
            say("checking the copy")
            documents = _verify(src, counts, photos)
            audit.record(None, ACTION, summary=(
                f"moved from {Path(source).name}: " + ", ".join(
                    f"{table} {n}" for table, n in counts.items() if n)))
        # the server's statistics of what was just loaded: without them its planner guesses,
        # and until autovacuum came round a year's treatment log took a second, not 3 ms.
        # VACUUM marks the loaded pages all-visible too: an index-only scan then reads the
        # index alone (a name-search prefix: 12 pages instead of 1,129 at 40,000 patients)
        say("measuring the tables for the server's planner")
        db.execute_sql("VACUUM (ANALYZE)")
    finally:
        src.close()
    return MoveResult(masked(target), counts, documents, photos)


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _open_source(path: Path) -> sqlite3.Connection:
    """The clinic file, read only (nothing about it changes), at this program's version."""
    if not path.is_file():
        raise MoveRefused(f"{path}: no such clinic file.")
    uri = path.resolve().as_uri() + "?mode=ro"
    try:
        con = sqlite3.connect(uri, uri=True, isolation_level=None)
        con.execute("BEGIN")  # one snapshot for the whole copy, whatever is written meanwhile
        stamp = dict(con.execute("SELECT key, value FROM schema_meta").fetchall())
    except sqlite3.Error:
        raise MoveRefused(f"{path} is not a MedSpa clinic file.") from None
    if stamp.get("schema_version") != str(SCHEMA_VERSION):
        con.close()
        raise MoveRefused(
            f"{path} is at schema version {stamp.get('schema_version')}; open it once with "
            f"this version of MedSpa Desktop (version {SCHEMA_VERSION}) before moving it.")
    return con


def _refuse_non_empty(target: str) -> None:
    """Only an empty database (or one only migrated) takes a clinic: ids would collide."""
    try:
        version = read_schema_version()
    except Exception as exc:  # holds other tables
        raise MoveRefused(f"{masked(target)}: {_first_line(exc)} Move only into an empty "
                          "database.") from None
    if version is None:
        return
    if version != SCHEMA_VERSION:
        raise MoveRefused(f"{masked(target)} holds a MedSpa database of another version "
                          f"({version}); move only into an empty database.")
    held = {name: model.select().count() for name, model in
            (("patients", Patient), ("users", User), ("audit events", AuditEvent))}
    others = sum(model.select().count() for model in ALL_MODELS if model is not SchemaMeta)
    if others:
        what = ", ".join(f"{n} {name}" for name, n in held.items() if n) or "rows"
        raise MoveRefused(f"{masked(target)} already holds a clinic ({what}); move only "
                          "into an empty database.")


def _copy_table(src: sqlite3.Connection, model) -> int:
    """Every row of ``model``'s table, ids kept, in batches; the number copied."""
    fields = model._meta.sorted_fields
    table = model._meta.table_name
    columns = ", ".join(f'"{f.column_name}"' for f in fields)
    select = f'SELECT rowid, {columns} FROM "{table}" WHERE rowid > ? ORDER BY rowid LIMIT ?'
    insert = (f'INSERT INTO "{table}" ({columns}) '
              f'VALUES ({", ".join([db.param] * len(fields))})')
    own = [i for i, f in enumerate(fields)
           if getattr(f, "rel_model", None) is model]  # a row pointing into its own table
    key = next((i for i, f in enumerate(fields) if f.primary_key), 0)
    copied: set = set()
    waiting: list[tuple] = []
    last, count = 0, 0
    cursor = db.cursor()
    while True:
        rows = src.execute(select, (last, BATCH)).fetchall()
        if not rows:
            break
        last = rows[-1][0]
        ready = []
        for row in rows:
            values = tuple(f.db_value(f.python_value(raw)) for f, raw in zip(fields, row[1:], strict=True))
            if own and any(values[i] is not None and values[i] not in copied for i in own):
                waiting.append(values)
            else:
                ready.append(values)
        ready += _now_ready(waiting, own, copied, ready, key)
        if ready:
            cursor.executemany(insert, ready)
            count += len(ready)
    while waiting:  # rows pointing at rows later in the file
        ready = _now_ready(waiting, own, copied, [], key)
        if not ready:
            raise MoveRefused(f"The clinic file's {table} rows point at rows that are not "
                              "there; run check on it first.")
        cursor.executemany(insert, ready)
        count += len(ready)
    return count


def _now_ready(waiting: list[tuple], own: list[int], copied: set, ready: list[tuple],
               key: int) -> list[tuple]:
    """The waiting rows whose own-table rows are copied (or about to be), taken out of
    ``waiting``; ``copied`` learns every id written."""
    if not own:
        return []
    copied.update(values[key] for values in ready)
    freed: list[tuple] = []
    progressing = True
    while progressing:
        progressing = False
        for values in list(waiting):
            if all(values[i] is None or values[i] in copied for i in own):
                waiting.remove(values)
                freed.append(values)
                copied.add(values[key])
                progressing = True
    return freed


def _advance_sequences() -> None:
    """Each table's id sequence past the copied ids: the next booking gets a new id."""
    for model in ALL_MODELS:
        pk = model._meta.primary_key
        if getattr(pk, "field_type", "") != "AUTO":
            continue
        table = model._meta.table_name
        db.execute_sql(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', '{pk.column_name}'), "
            f'COALESCE(MAX("{pk.column_name}"), 0) + 1, false) FROM "{table}"')


def _copy_photos(src: sqlite3.Connection, source: Path) -> int:
    """Each photo's file, from beside the clinic file to where this PC keeps a server's
    photos, and its bytes into the server's ``stored_file`` (for every other PC); how many
    photos (distinct files)."""
    folder = source.resolve().parent / "photos"
    dest = photo_dir()
    count = 0
    for sha256, extension in src.execute("SELECT DISTINCT sha256, extension FROM photo"):
        name = Path(sha256[:2]) / f"{sha256}.{extension}"
        there = dest / name
        if not there.is_file() or paths.sha256_of(there) != sha256:
            if not (folder / name).is_file():
                raise MoveRefused(f"The photo file {folder / name} is missing; restore it "
                                  "from a backup before moving the clinic.")
            there.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(folder / name, there)
        if paths.sha256_of(there) != sha256:
            raise MoveRefused(f"The photo file {folder / name} has changed since it was "
                              "imported; restore it from a backup before moving the clinic.")
        keep_in_database(sha256, extension, there.read_bytes())
        count += 1
    return count


def _verify(src: sqlite3.Connection, counts: dict[str, int], photos: int) -> int:
    """Refuse (rolling the copy back) unless the server holds what the file holds (and the
    ``photos`` in ``stored_file`` besides); the number of stored documents checked."""
    assert not is_sqlite()
    problems: list[str] = []
    hashes = dict(src.execute("SELECT id, sha256 FROM stored_file").fetchall())
    photo_hashes = {sha for (sha,) in src.execute("SELECT DISTINCT sha256 FROM photo")}
    added = len(photo_hashes - set(hashes.values()))  # the photos' copies on the server
    for model in ALL_MODELS:
        table = model._meta.table_name
        (here,) = src.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()
        there = model.select().count()
        extra = added if model is StoredFile else 0
        if not here == there - extra == counts[table]:
            problems.append(f"{table}: {here} rows in the file, {there} on the server")
    if len(photo_hashes) != photos:
        problems.append(f"photos: {len(photo_hashes)} in the file, {photos} copied")
    documents = 0
    for file_id, sha256, content in db.execute_sql(
            "SELECT id, sha256, content FROM stored_file ORDER BY id"):
        documents += 1
        expected = hashes.get(file_id, sha256 if sha256 in photo_hashes else None)
        if expected != sha256 or hashlib.sha256(bytes(content)).hexdigest() != sha256:
            problems.append(f"stored file {file_id} differs from the clinic file's")
    problems += check_database()  # the audit chain, guards, signed notes, photos, stock
    if problems:
        raise MoveRefused("The copy on the server does not match the clinic file; nothing "
                          f"was kept there: {problems[0]}"
                          + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""))
    return documents


@dataclass(frozen=True)
class Moved:
    server: str  # the address, password masked
    at: str  # ISO date and time


def mark_moved(actor: User, server: str, now: dt.datetime | None = None) -> Moved:
    """In the OPEN SQLite clinic file: the clinic moved to ``server`` (masked here); every
    other row stays as it was, the file is the fallback."""
    require(actor, "clinic.move")
    if not is_sqlite():
        raise MoveRefused("Only a clinic file is marked as moved.")
    shown = masked(server)
    at = (now or dt.datetime.now()).isoformat(timespec="minutes")
    with db.atomic():
        settings.put({settings.MOVED_TO_SERVER: f"{shown}|{at}"})
        audit.record(actor, MOVED_AWAY, "clinic", "", f"this file's clinic now works on {shown}")
    return Moved(shown, at)


def moved_to() -> Moved | None:
    """Where the open clinic file's clinic moved, or None (it did not)."""
    if not is_sqlite():
        return None
    text = settings.get(settings.MOVED_TO_SERVER)
    if not text:
        return None
    server, _, at = text.rpartition("|")
    return Moved(server or text, at)
