"""The one database connection every layer above uses.

``db`` is a peewee ``DatabaseProxy``. :func:`open_database` points it at a real database:

* a file path (the default, one clinic PC): SQLite in WAL mode with ``synchronous=FULL``,
  ``foreign_keys=ON`` and a busy timeout; every top-level ``db.atomic()`` begins with
  ``BEGIN IMMEDIATE`` so that two writers queue instead of failing half-way;
* a ``postgresql://user:pass@host/name`` URL (a clinic with several PCs): the same models on
  one PostgreSQL server. SQLite must never be shared over a network drive.

Only field types that exist on both engines are used (see ``store/models.py``).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import peewee
from peewee import Database, DatabaseProxy, PostgresqlDatabase, SqliteDatabase, _savepoint

from .. import paths

BUSY_TIMEOUT_S = 10
CONNECT_TIMEOUT_S = 5  # PostgreSQL: how long a connection to the server is waited for
SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": "full",
    "foreign_keys": 1,
    "busy_timeout": BUSY_TIMEOUT_S * 1000,
}


SQLITE_MAGIC = b"SQLite format 3\x00"


class NotAMedSpaDatabase(Exception):
    """The file exists but is not a database this program wrote."""


def is_postgres_url(target: str) -> bool:
    return target.startswith(("postgres://", "postgresql://"))


class _Savepoint(_savepoint):
    """A nested ``db.atomic()``. What was registered with ``db.after_commit`` inside it (the
    change bus's notes, ``services/platform/changes.py``) is dropped when it rolls back, as
    peewee drops the outermost transaction's on its rollback: only what was committed is
    published."""

    def __enter__(self):
        self._callbacks_before = len(self.db._state.commit_callbacks)
        return super().__enter__()

    def rollback(self, begin=True):
        super().rollback(begin)
        del self.db._state.commit_callbacks[self._callbacks_before:]


class _Savepoints:
    def savepoint(self):
        return _Savepoint(self)


class _ClinicProxy(DatabaseProxy):
    """The proxy makes the savepoints of a nested ``db.atomic()`` itself. (No ``__slots__``
    of its own: peewee's proxy allows only the attributes its own slots name.)"""

    def savepoint(self):
        return _Savepoint(self)


db = _ClinicProxy()


class ClinicSqliteDatabase(_Savepoints, SqliteDatabase):
    """SQLite, with savepoints that drop their commit callbacks on rollback."""


class ClinicPostgresDatabase(_Savepoints, PostgresqlDatabase):
    """PostgreSQL, with savepoints that drop their commit callbacks on rollback."""


def make_database(target: str | os.PathLike) -> Database:
    """Build (but do not bind) a peewee database for a file path or a PostgreSQL URL."""
    target = str(target)
    if is_postgres_url(target):
        from playhouse.db_url import parse as parse_db_url  # it imports the driver

        _give_peewee_psycopg()
        # user, password, host, port, and query options such as ?sslmode=require or
        # ?host=/run/postgresql (a Unix socket folder)
        params = parse_db_url(target)
        # a server that went away is said at once, not after the network's own minutes
        params.setdefault("connect_timeout", CONNECT_TIMEOUT_S)
        return ClinicPostgresDatabase(params.pop("database"), **params)
    path = Path(target)
    if path.exists():
        _refuse_non_sqlite(path)
    return ClinicSqliteDatabase(
        str(path),
        pragmas=SQLITE_PRAGMAS,
        timeout=BUSY_TIMEOUT_S,
        lock_type="IMMEDIATE",
        check_same_thread=False,
    )


def _give_peewee_psycopg() -> None:
    """The PostgreSQL driver, imported when a clinic first opens a PostgreSQL database: peewee
    was imported without it (``medspa_desktop/__init__.py``, so that start-up on SQLite does
    not pay for it), and is given the names its own import would have set (peewee 4.x). No
    driver installed: peewee says so when connecting, as before."""
    if peewee.psycopg is not None:
        return
    try:
        import psycopg
        from psycopg.pq import TransactionStatus
        from psycopg.types.json import Json, Jsonb
    except ImportError:
        return
    peewee.psycopg, peewee.TransactionStatus = psycopg, TransactionStatus
    peewee.Json_pg3, peewee.Jsonb_pg3 = Json, Jsonb
    adapter = peewee.Psycopg3Adapter
    adapter.txn_idle = TransactionStatus.IDLE
    adapter.txn_inerror = TransactionStatus.INERROR
    adapter.txn_unknown = TransactionStatus.UNKNOWN


def _refuse_non_sqlite(path: Path) -> None:
    """Refuse a folder, or a file SQLite says is not a database.

    The file is read through SQLite, not by plain file I/O: SQLite's locks are POSIX
    advisory locks, held per process, and closing *any* descriptor of the file drops all of
    them, so a plain ``open()``/``close()`` while this process has the file open would let a
    second program believe it is alone and delete the WAL that holds the latest commits.
    SQLite's own connections keep the descriptor open until the process's last lock on the
    file is gone. (Only a file SQLite refuses outright is looked at by hand, see
    :func:`_begins_as_sqlite`.)"""
    if path.is_dir():
        raise NotAMedSpaDatabase(f"{path} is a folder, not a MedSpa database file.")
    try:  # immutable: page 1 of the file as it lies, no lock taken, no -wal or -shm made
        con = sqlite3.connect(_read_only_uri(path, immutable=True), uri=True)
    except sqlite3.Error:
        return  # cannot be read: the normal opening says why
    try:
        con.execute("PRAGMA schema_version").fetchone()
    except sqlite3.DatabaseError as exc:
        _refuse_if_not_sqlite(path, exc)
    finally:
        con.close()


def _refuse_if_not_sqlite(path: Path, exc: sqlite3.Error, *, live: bool = False) -> None:
    """SQLite refused ``path`` as not a database: a file of another kind is refused; a file
    that begins as SQLite does (or one the program has open) is damaged, and said so."""
    if getattr(exc, "sqlite_errorcode", 0) & 0xFF != sqlite3.SQLITE_NOTADB or live:
        return
    if not _begins_as_sqlite(path):
        raise NotAMedSpaDatabase(f"{path} is not a MedSpa database (not an SQLite file).") \
            from None


def _begins_as_sqlite(path: Path) -> bool:
    """The file's first 16 bytes, read by hand. Only ever called once SQLite itself refused
    the file at its first page and the program does not have it open: no SQLite connection of
    this process then holds a lock on it, so closing this descriptor drops none."""
    with path.open("rb") as fh:
        return fh.read(16) == SQLITE_MAGIC


def _read_only_uri(path: Path, *, immutable: bool) -> str:
    """An SQLite URI that opens ``path`` read only (any character in the path is escaped)."""
    return Path(path).resolve().as_uri() + "?mode=ro" + ("&immutable=1" if immutable else "")


SMALL_TABLE_ROWS = 20_000  # the start-up check reads tables this small whole


def damage_in_file(path: str | os.PathLike, limit: int = 5, *, whole: bool = True,
                   small_rows: int | None = None, live: bool = False) -> list[str]:
    """SQLite's quick check of a database file, read only — a damaged file is never written
    to (opening it normally could). Empty when the file is sound, or when a read-only look
    is not possible (a WAL file left by a crash holds commits that only the normal opening
    reads; SQLite's own recovery then runs).

    ``whole=False`` is the start-up check, a bounded read however big the file grows: the
    schema, every table's first and last pages, and the tables of fewer than ``small_rows``
    rows (default ``SMALL_TABLE_ROWS``) whole. The whole check then runs in the background
    (:class:`DamageCheck`).
    ``live``: the program has the file open (WAL mode): read a consistent snapshot through
    SQLite's own locking instead of the file as it lies."""
    path = Path(path)
    if not path.is_file() or (not live and Path(f"{path}-wal").exists()):
        return []  # a WAL left by a crash holds commits: only the normal opening reads them
    # Through SQLite only (see _refuse_non_sqlite). immutable: no lock, no -wal or -shm
    # file made beside a closed file
    try:
        con = sqlite3.connect(_read_only_uri(path, immutable=not live), uri=True)
    except sqlite3.Error:
        return []
    try:
        if whole:
            rows = [r[0] for r in con.execute(f"PRAGMA quick_check({limit})").fetchall()]
        else:
            rows = _bounded_check(con, limit, SMALL_TABLE_ROWS if small_rows is None
                                  else small_rows)
    except sqlite3.DatabaseError as exc:
        _refuse_if_not_sqlite(path, exc, live=live)
        if "locked" in str(exc) or "unable to open" in str(exc):
            return []
        return [str(exc)]
    finally:
        con.close()
    return [] if rows in (["ok"], []) else rows


def _bounded_check(con: sqlite3.Connection, limit: int, small_rows: int) -> list[str]:
    problems: list[str] = []
    tables = [name for (name,) in con.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name")]
    for name in tables:
        quoted = '"' + name.replace('"', '""') + '"'
        try:  # the b-tree's root and its first and last leaves
            # one query each: SQLite seeks for a lone MIN or MAX, and scans for both at once
            (low,), (high,) = (con.execute(f"SELECT {end}(rowid) FROM {quoted}").fetchone()
                               for end in ("MIN", "MAX"))
            if high is None or high - low < small_rows:
                problems += [r for (r,) in con.execute(f"PRAGMA quick_check({quoted})")
                             if r != "ok"]
        except sqlite3.DatabaseError as exc:
            problems.append(f"{name}: {exc}")
        if len(problems) >= limit:
            break
    return problems[:limit]


# SQLite's lock bytes (os_unix.c): a connection holds a read lock on this range while it has
# a WAL-mode file open
SQLITE_SHARED_FIRST, SQLITE_SHARED_SIZE = 0x40000000 + 2, 510


def in_use_elsewhere(path: str | os.PathLike) -> bool:
    """Whether another program has the SQLite file at ``path`` open: a window, a backup, a
    check. Replacing the file under it would send what it saves next to the file moved
    aside. Only for a process with no SQLite connection to the file: the probe opens the file
    by hand, and closing it drops this process's locks on it. (On Windows a file another
    program has open cannot be renamed at all.)"""
    path = Path(path)
    if os.name != "posix" or not path.is_file():
        return False
    import fcntl

    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        return False  # cannot be written here: the replacing says why
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, SQLITE_SHARED_SIZE, SQLITE_SHARED_FIRST)
    except OSError:
        return True
    else:
        fcntl.lockf(fd, fcntl.LOCK_UN, SQLITE_SHARED_SIZE, SQLITE_SHARED_FIRST)
        return False
    finally:
        os.close(fd)


def open_in_another_program() -> bool:
    """Whether another program has the SQLite file this process has open open too: a window
    on another PC over a shared folder, a backup or a check from the command line. This
    process's connection is closed to ask (its locks would be dropped by the probe anyway,
    see :func:`in_use_elsewhere`) and opened again."""
    real = db.obj
    if not isinstance(real, SqliteDatabase):
        return False
    close_database()
    try:
        return in_use_elsewhere(real.database)
    finally:
        real.connect(reuse_if_open=True)


SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def is_open_database_file(path: str | os.PathLike) -> bool:
    """Whether ``path`` is the open SQLite database, or one of SQLite's files beside it, under
    any name (a link, another spelling). Compared by the file itself through ``os.stat``,
    which opens nothing."""
    real = db.obj
    if not isinstance(real, SqliteDatabase):
        return False
    try:
        chosen = os.stat(path)
    except (OSError, ValueError):
        return False
    for suffix in ("", *SQLITE_COMPANIONS):
        try:
            ours = os.stat(f"{real.database}{suffix}")
        except OSError:
            continue
        if (ours.st_dev, ours.st_ino) == (chosen.st_dev, chosen.st_ino):
            return True
    return False


def damage_note(path: str | os.PathLike) -> Path:
    """Beside the database: what the background check found, so the next start refuses the
    file (and offers a backup) before anything more is written to it."""
    return Path(f"{path}.damaged")


class DamageCheck:
    """The whole quick check of an open SQLite file. The window runs it off the UI thread
    (``ui/ops.background_op``; SQLite lets the program go on meanwhile). Damage is written to
    :func:`damage_note`; ``problems`` holds it once ``done``."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self.problems: list[str] = []
        self.done = False

    def run(self) -> list[str]:
        checked = _identity(self.path)
        self.problems = damage_in_file(self.path, live=True)
        if self.problems and _identity(self.path) == checked:  # not restored meanwhile
            damage_note(self.path).write_text("\n".join(self.problems) + "\n",
                                              encoding="utf-8")
        self.done = True
        return self.problems


def _identity(path: Path) -> tuple[int, int] | None:
    """Which file is at ``path`` (``os.stat``, which opens nothing)."""
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_dev, found.st_ino


def open_database(target: str | os.PathLike) -> Database:
    """Bind the proxy to ``target``, connect, and return the concrete database."""
    close_database()
    real = make_database(target)
    db.initialize(real)
    try:
        real.connect(reuse_if_open=True)
    except sqlite3.DatabaseError as exc:  # e.g. a text file named .db
        db.initialize(None)
        raise NotAMedSpaDatabase(f"{target} is not a MedSpa database ({exc}).") from exc
    return real


def close_database() -> None:
    if db.obj is not None and not db.obj.is_closed():
        db.obj.close()


def is_sqlite() -> bool:
    return isinstance(db.obj, SqliteDatabase)


def for_update(query):
    """Lock the rows a query reads until the transaction ends (PostgreSQL). SQLite needs
    nothing: its IMMEDIATE transactions already let one writer at a time through (and it has
    no FOR UPDATE)."""
    return query if is_sqlite() else query.for_update()


class _KeptOpen:
    """A cursor that stays open when peewee has read one of its result sets (it closes the
    cursor it has read to the end): the next result set is still to be read."""

    def __init__(self, cursor) -> None:
        self._cursor = cursor

    def close(self) -> None:
        pass

    def __getattr__(self, name):
        return getattr(self._cursor, name)


def literal(value: str) -> peewee.Node:
    """``value`` written into the statement's own text instead of sent beside it as a
    parameter (PostgreSQL: quoted by the driver, psycopg's ``sql.Literal``). For a value the
    best plan depends on, such as a name-search word: psycopg prepares a statement on the
    server once its text has run five times, and the server may then keep one generic plan
    for every value — for ``part LIKE $1`` a scan of the whole name index (94 ms at 40,000
    patients instead of 2 ms), since an unknown pattern's prefix cannot bound an index range.
    With the value in the text every plan is made for it. On SQLite a plain parameter."""
    if is_sqlite():
        return peewee.Value(value, converter=False)
    from psycopg import sql

    quoted = sql.Literal(value).as_string(db.connection())
    return peewee.SQL(quoted.replace("%", "%%"))  # a "%" in the text is not a placeholder


def _sent_together(statements: list[tuple[str, object]]):
    """PostgreSQL: ``(sql, params)`` statements sent as ONE simple query (one round trip),
    each value quoted by the driver (psycopg's client-side ``mogrify``); the cursor, on the
    first statement's result (``nextset()`` moves on)."""
    import psycopg

    quoting = psycopg.ClientCursor(db.connection())
    text = "; ".join(quoting.mogrify(sql, params) if params else sql
                     for sql, params in statements)
    # every value is in the text now: a "%" in it is a character, not a placeholder
    return db.execute_sql(text.replace("%", "%%"))


def fetch_together(*queries) -> list[list]:
    """The rows of several SELECTs, each as iterating the query gives them (models, dicts,
    tuples, with peewee's conversions); a query may also be ``(sql, params)`` (``%s``
    placeholders, as ``db.execute_sql`` takes them), giving tuples.
    On PostgreSQL all of them go in ONE round trip: each statement with its values quoted by
    the driver (psycopg's client-side ``mogrify``), sent as one simple query whose statements
    run in order, each with a snapshot of its own (READ COMMITTED) — so a lock taken by an
    earlier statement is held when a later one reads. On SQLite (no network) one by one."""
    if is_sqlite() or len(queries) < 2:
        return [list(db.execute_sql(*q).fetchall()) if isinstance(q, tuple) else list(q)
                for q in queries]
    cursor = _sent_together([q if isinstance(q, tuple) else q.sql() for q in queries])
    found = []
    for i, q in enumerate(queries):
        if i and not cursor.nextset():
            raise peewee.DatabaseError("a statement sent together gave no result")
        if isinstance(q, tuple):  # a statement that gives no rows (a LOCK) gives []
            found.append(list(cursor.fetchall()) if cursor.description is not None else [])
        else:
            found.append(list(q._get_cursor_wrapper(_KeptOpen(cursor))))
    return found


def write_together(*queries) -> list[int]:
    """Run several INSERT/UPDATE queries (or ``(sql, params)``) in order; the rows each one
    touched. On PostgreSQL in ONE round trip, as ``fetch_together`` sends reads. Inside the
    caller's transaction: a caller that finds a count it did not expect raises, and the
    transaction writes none."""
    if is_sqlite() or len(queries) < 2:
        return [(db.execute_sql(*q) if isinstance(q, tuple) else db.execute(q)).rowcount
                for q in queries]
    cursor = _sent_together([q if isinstance(q, tuple) else q.sql() for q in queries])
    counts = [cursor.rowcount]
    while cursor.nextset():
        counts.append(cursor.rowcount)
    return counts


def database_label() -> str:
    """What the status bar shows: the file path, or the server and database name."""
    real = db.obj
    if real is None:
        return "(no database)"
    if isinstance(real, SqliteDatabase):
        return str(Path(real.database).resolve())
    host = real.connect_params.get("host") or "localhost"
    return f"PostgreSQL {host}/{real.database}"


def backup_sqlite(dest: str | os.PathLike) -> Path:
    """Copy the open SQLite database to ``dest`` through SQLite's online backup API.

    Never copy a live WAL database file by hand: the copy can miss committed pages.
    """
    real = db.obj
    if not isinstance(real, SqliteDatabase):
        raise TypeError("backup_sqlite needs an open SQLite database")
    dest = Path(dest)
    # the copy holds every chart: owner-only from its first byte, whatever the umask
    paths.private_dir(dest.parent, tighten=False)
    target = sqlite3.connect(str(paths.private_file(dest, create=True)))
    try:
        real.connection().backup(target)
    finally:
        target.close()
    return dest
