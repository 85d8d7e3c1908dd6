"""Backups of a clinic on a PostgreSQL server, through the server's own tools, and restoring
one into an empty database.

A backup is the same kind of folder as an SQLite clinic's (``backup.py``), in the same backup
folder, named, rotated and audited the same way, holding

* ``clinic.dump`` — ``pg_dump --format=custom`` of the clinic's database, taken in a snapshot
  this module exports (``pg_export_snapshot``), so that the manifest's audit head, schema
  version and photo list are exactly the dump's;
* ``photos/`` — every photo the dump names, from this PC's photo folder (``photo_dir``),
  checked against its SHA-256 (hard-linked from the previous backup where it can be);
* ``manifest.json`` — ``engine: postgresql``, the dump's SHA-256 and size, the tables, the
  photos and the audit chain's head.

The dump is written under a ``.partial-`` name and checked — its hash, ``pg_restore --list``
reads it whole and lists every table of the program — before it is renamed into place.

``pg_dump`` and ``pg_restore`` are found on PATH, then in Debian's ``/usr/lib/postgresql/N/
bin`` (the newest). The server's address and user go to them through libpq's environment
variables (``PGHOST``, ``PGPORT``, ``PGUSER``, ``PGPASSWORD``, ``PGSSLMODE``…): the password
never appears on a command line another account could read in the process list.

Restoring (``restore_to_server``) puts a checked backup into an EMPTY database (one made with
``createdb``, say) in one transaction (``pg_restore --single-transaction --exit-on-error``),
copies back the photos this PC is missing, records the restore in the restored database's
audit log and anchors its chain. A database that holds any table is refused before anything is
written: restoring over a clinic would mix two histories. The manifest keeps every table's row
count as the dump holds it, and a restore is checked against them (``count_problems``).

From the program an admin restores into a NEW database on the same server
(``create_restore_database`` makes it, empty; the restore itself runs as the program's
``restore`` command in a process of its own, so the window stays on the live clinic).

The daily backup (``daily_backup``): every PC open on the server asks once in a while, and
exactly one takes it. It holds a PostgreSQL advisory lock while it reads the stored time of
the last good backup and, when one is due, writes it; a PC that finds the lock taken, or the
backup already made by another PC, does nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import glob
import json
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

from ... import paths
from ...store.database import db, is_postgres_url, make_database, open_database
from ...store.migrations import APP_ID, SCHEMA_VERSION
from . import audit, audit_anchor, settings
from .backup import BackupError, BackupResult, photo_problems
from .errors import ValidationError
from .permissions import require
from .settings import BACKUP_LAST_OK

DUMP_NAME = "clinic.dump"
ENGINE = "postgresql"
# the tables a dump must hold to be a MedSpa clinic at all (a later schema has more)
CORE_TABLES = ("schema_meta", "user", "patient", "audit_event")
# libpq's environment variable for each connection option peewee is given from the URL
ENVIRONMENT = {"host": "PGHOST", "port": "PGPORT", "user": "PGUSER", "password": "PGPASSWORD",
               "sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT", "sslcert": "PGSSLCERT",
               "sslkey": "PGSSLKEY", "connect_timeout": "PGCONNECT_TIMEOUT",
               "target_session_attrs": "PGTARGETSESSIONATTRS"}
# the advisory lock the daily backup is taken under (any number the program uses for nothing
# else: "MEDSPA" "BK" in ASCII)
DAILY_LOCK = 0x4D4544535041424B
DATABASE_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


class ToolMissing(BackupError):
    """pg_dump or pg_restore is not installed on this PC."""


def find_tool(name: str) -> str:
    """The PostgreSQL client program ``name``: PATH, then the newest Debian install."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                        key=lambda p: _version_key(p))
    if candidates:
        return candidates[-1]
    raise ToolMissing(f"The PostgreSQL program {name} is not installed on this computer, so "
                      "the clinic's server database cannot be backed up or restored from here. "
                      "Install the PostgreSQL client programs (on Windows: the PostgreSQL "
                      "installer's \"Command Line Tools\"; on Debian or Ubuntu: "
                      "postgresql-client) and try again.")


def _version_key(path: str) -> tuple:
    part = Path(path).parent.parent.name
    return tuple(int(n) if n.isdigit() else 0 for n in part.split("."))


def _connection(target: str | None) -> tuple[str, dict]:
    """(database name, connection options) of ``target`` (a URL) or of the open database."""
    real = make_database(target) if target is not None else db.obj
    return real.database, dict(real.connect_params)


def tool_environment(options: dict) -> dict[str, str]:
    """This process's environment with the server's address, user and password set for libpq
    (and any PG* setting inherited from outside that would point elsewhere removed)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ENVIRONMENT.values() and k not in ("PGSERVICE", "PGDATABASE")}
    for option, value in options.items():
        name = ENVIRONMENT.get(option)
        if name is not None and value not in (None, ""):
            env[name] = str(value)
    return env


def _run(args: list[str], env: dict, progress=None) -> subprocess.CompletedProcess:
    """Run a PostgreSQL program; ``progress`` (no arguments) is called while it works, so a
    window stays drawn."""
    with subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          stdin=subprocess.DEVNULL) as proc:
        if progress is None:
            out, err = proc.communicate()
        else:
            while proc.poll() is None:
                progress()
                time.sleep(0.05)
            out, err = proc.communicate()
    return subprocess.CompletedProcess(args, proc.returncode, out, err)


def _first_line(data: bytes) -> str:
    text = data.decode("utf-8", "replace").strip()
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[0] if lines else "no reason given"


# -- the snapshot a dump is taken in -----------------------------------------------------------
@dataclass(frozen=True)
class _Snapshot:
    name: str
    schema_version: int | None
    head: audit_anchor.Head
    photos: list[str]
    tables: list[str]
    counts: dict[str, int]


def _take_snapshot(con) -> _Snapshot:
    """Begin a repeatable-read transaction on ``con`` (psycopg) and read what the manifest
    records, as the dump will see it."""
    import psycopg

    con.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
    con.read_only = True
    name = con.execute("SELECT pg_export_snapshot()").fetchone()[0]
    row = con.execute("SELECT value FROM schema_meta WHERE key = 'schema_version'").fetchone()
    version = int(row[0]) if row and str(row[0]).isdigit() else None
    top = con.execute("SELECT id, hash FROM audit_event ORDER BY id DESC LIMIT 1").fetchone()
    count = con.execute("SELECT COUNT(*) FROM audit_event").fetchone()[0]
    head = audit_anchor.Head(top[0], top[1], count) if top else audit_anchor.Head(0, "", 0)
    photos = [f"{sha[:2]}/{sha}.{ext}" for sha, ext in con.execute(
        "SELECT DISTINCT sha256, extension FROM photo ORDER BY sha256")]
    tables = [t for (t,) in con.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1")]
    counts = dict(con.execute(" UNION ALL ".join(
        f"SELECT '{t}', COUNT(*) FROM \"{t}\"" for t in tables))) if tables else {}
    return _Snapshot(name, version, head, photos, tables, counts)


def _psycopg_connect(database: str, options: dict):
    import psycopg

    return psycopg.connect(dbname=database, **options)


# -- writing -----------------------------------------------------------------------------------
def write_dump(partial: Path, *, reason: str, now: dt.datetime, previous: Path | None,
               progress=None) -> tuple[list[str], int]:
    """Dump the open PostgreSQL database, its photos and the manifest into the folder
    ``partial``; (the photos not found, the photos linked from the previous backup). Raises
    BackupError on any failure."""
    from ..charts.photos import photo_dir
    from .backup import MANIFEST, _copy_photos

    pg_dump = find_tool("pg_dump")
    database, options = _connection(None)
    dump = paths.private_file(partial / DUMP_NAME, create=True)
    tick = (lambda: progress(0, 1)) if progress else None
    try:
        con = _psycopg_connect(database, options)
    except Exception as exc:  # noqa: BLE001 — the server went away: said in words
        raise BackupError(f"The clinic's server did not answer: {exc}") from None
    try:
        snap = _take_snapshot(con)
        done = _run([pg_dump, "--format=custom", "--no-owner", "--no-privileges",
                     f"--snapshot={snap.name}", f"--file={dump}", database],
                    tool_environment(options), tick)
    finally:
        con.close()
    if done.returncode != 0:
        raise BackupError(f"pg_dump could not back up the clinic's database: "
                          f"{_first_line(done.stderr)}")
    paths.private_file(dump)
    missing, linked = _copy_photos(snap.photos, photo_dir(), partial / "photos", previous,
                                    progress)
    manifest = {"app": APP_ID, "engine": ENGINE, "taken_at": now.isoformat(), "reason": reason,
                "schema_version": snap.schema_version, "database_sha256": paths.sha256_of(dump),
                "database_size": dump.stat().st_size, "photos": len(snap.photos) - len(missing),
                "photo_names": snap.photos, "missing_photos": missing, "tables": snap.tables,
                "counts": snap.counts,
                "database": audit_anchor.identity(),
                audit_anchor.MANIFEST_KEY: snap.head.as_dict()}
    paths.write_private(partial / MANIFEST, json.dumps(manifest, indent=1).encode("utf-8"))
    return missing, linked


# -- checking ----------------------------------------------------------------------------------
def is_server_backup(path: Path) -> bool:
    return (Path(path) / DUMP_NAME).is_file()


def listed_tables(dump: Path) -> tuple[set[str], str | None]:
    """The tables (with their data) ``pg_restore --list`` reads in a dump, or why it cannot."""
    done = _run([find_tool("pg_restore"), "--list", str(dump)], dict(os.environ))
    if done.returncode != 0:
        return set(), _first_line(done.stderr)
    tables = set()
    for line in done.stdout.decode("utf-8", "replace").splitlines():
        if line.startswith(";"):
            continue
        words = line.split()
        # "215; 0 16403 TABLE DATA public patient owner"
        if "TABLE" in words and words[words.index("TABLE") + 1:][:1] == ["DATA"]:
            at = words.index("TABLE")
            if len(words) > at + 3:
                tables.add(words[at + 3])
    return tables, None


def verify(path: Path, manifest: dict, *, just_written: bool = False) -> list[str]:
    """Every problem with a server backup folder, as a sentence (see backup.verify_backup)."""
    dump = Path(path) / DUMP_NAME
    problems: list[str] = []
    if not just_written and paths.sha256_of(dump) != manifest.get("database_sha256"):
        return ["the database dump changed after the backup was written"]
    tables, refused = listed_tables(dump)
    if refused is not None:
        return [f"pg_restore cannot read the dump ({refused})"]
    wanted = set(manifest.get("tables") or ()) | set(CORE_TABLES)
    absent = sorted(wanted - tables)
    if absent:
        problems.append("the dump lacks the program's tables " + ", ".join(absent[:5]))
    version = manifest.get("schema_version")
    if not isinstance(version, int):
        problems.append("the database is not a MedSpa database")
    elif version > SCHEMA_VERSION:
        problems.append(f"it was written by a newer MedSpa Desktop (schema {version})")
    return problems + photo_problems(path, manifest.get("photo_names", []), manifest)


# -- restoring ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class ServerRestoreResult:
    target: str  # the server and database, password masked
    photos_restored: int
    schema_version: int


def restore_to_server(backup: Path, url: str, *, username: str | None = None,
                      now: dt.datetime | None = None) -> ServerRestoreResult:
    """Restore the checked server backup ``backup`` into the EMPTY PostgreSQL database at
    ``url``; leaves it open (``db``) for the caller's check."""
    from ..charts.photos import photo_dir
    from ..exchange.copy_clinic import masked
    from .backup import MANIFEST, verify_backup

    backup = Path(backup)
    if not is_postgres_url(url):
        raise BackupError(f"{url} is not a PostgreSQL address (postgresql://…).")
    if not is_server_backup(backup):
        raise BackupError(f"{backup} is a backup of a clinic file, not of a server database: "
                          "restore it into a file (restore --from … --db clinic.db), then "
                          "move that file to the server (move-to-server).")
    problems = verify_backup(backup)
    if problems:
        raise BackupError(f"{backup} cannot be restored: " + "; ".join(problems[:3]))
    shown = masked(url)
    try:
        open_database(url)
        held = db.execute_sql(
            "SELECT COUNT(*) FROM pg_tables WHERE schemaname NOT IN "
            "('pg_catalog', 'information_schema')").fetchone()[0]
    except BackupError:
        raise
    except Exception as exc:  # noqa: BLE001 — a server that does not answer
        raise BackupError(f"Cannot reach {shown}: {str(exc).strip().splitlines()[0]}") from None
    finally:
        db.close()
    if held:
        raise BackupError(f"{shown} already holds {held} table{'s' if held != 1 else ''}; "
                          "restore only into an empty database (create a new one on the "
                          "server, e.g. createdb medspa_restored), so that two clinics' "
                          "records are never mixed.")
    database, options = _connection(url)
    done = _run([find_tool("pg_restore"), "--single-transaction", "--exit-on-error",
                 "--no-owner", "--no-privileges", f"--dbname={database}",
                 str(backup / DUMP_NAME)], tool_environment(options))
    if done.returncode != 0:
        raise BackupError(f"pg_restore could not restore {backup.name} into {shown}; nothing "
                          f"was kept there: {_first_line(done.stderr)}")
    manifest = json.loads((backup / MANIFEST).read_text(encoding="utf-8"))
    open_database(url)
    restored = 0
    photos = photo_dir()
    for name in manifest.get("photo_names", []):
        source, target = backup / "photos" / name, photos / name
        if source.is_file() and not target.is_file():
            paths.private_dir(target.parent)
            shutil.copy2(source, target)
            paths.private_file(target)
            restored += 1
    anchored_at = now or dt.datetime.now()
    who = username or getpass.getuser()
    with db.atomic():
        audit.record(None, "backup.restored", "backup", backup.name,
                     f"restored into {shown} by {who} (command line)", username=who)
    audit_anchor.quietly(lambda: audit_anchor.append(
        audit_anchor.head(), audit_anchor.RESTORE, audit_anchor.identity(), anchored_at))
    return ServerRestoreResult(shown, restored, int(manifest["schema_version"]))


def count_problems(manifest: dict) -> tuple[int, list[str]]:
    """(the rows the open database holds, each table whose count differs from the backup's):
    a restored clinic holds exactly what was dumped, plus its one ``backup.restored`` event.
    A backup taken before the manifest kept counts has nothing to compare (no problems)."""
    wanted = manifest.get("counts")
    if not isinstance(wanted, dict) or manifest.get("schema_version") != SCHEMA_VERSION:
        return 0, []  # (an older schema's restore was upgraded since: rows were added)
    expected = dict(wanted)
    expected["audit_event"] = expected.get("audit_event", 0) + 1
    present = {t for (t,) in db.execute_sql(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")}
    counted = [t for t in sorted(expected) if t in present]  # (names from a file: only real)
    found = dict(db.execute_sql(" UNION ALL ".join(
        f"SELECT '{t}', COUNT(*) FROM \"{t}\"" for t in counted)).fetchall()) if counted else {}
    problems = [f"{table} holds {found.get(table, 0):,} rows; the backup holds {n:,}"
                for table, n in sorted(expected.items()) if found.get(table, 0) != n]
    return sum(found.values()), problems


def manifest_of(backup: Path) -> dict:
    from .backup import MANIFEST

    return json.loads((Path(backup) / MANIFEST).read_text(encoding="utf-8"))


# -- from the program: a new database for a restore ---------------------------------------------
def server_url(database: str, options: dict | None = None) -> str:
    """The address (no password) of ``database`` on the server the open clinic is on."""
    if options is None:
        options = _connection(None)[1]
    host, port, user = options.get("host") or "", options.get("port"), options.get("user")
    netloc = quote(str(user), safe="") + "@" if user else ""
    query = {}
    if str(host).startswith("/"):  # a Unix socket folder
        query["host"] = host
        if port:
            query["port"] = port
    else:
        netloc += (f"[{host}]" if ":" in str(host) else str(host)) + (f":{port}" if port else "")
    for option in ("sslmode", "sslrootcert", "sslcert", "sslkey"):
        if options.get(option):
            query[option] = options[option]
    return (f"postgresql://{netloc}/{quote(database, safe='')}"
            + (f"?{urlencode(query, safe='/')}" if query else ""))


def server_password() -> str:
    """The password the open clinic's connection uses ("" when none: a trusted socket)."""
    return str(_connection(None)[1].get("password") or "")


def suggested_name(now: dt.datetime) -> str:
    base = _connection(None)[0][:40]
    return f"{base}_restored_{now:%Y%m%d_%H%M}"


def create_restore_database(actor, backup: Path, name: str) -> str:
    """An admin's restore into a NEW database ``name`` on the open clinic's server: the
    backup's check, the empty database made (or an empty one of that name taken), the restore
    recorded in the live clinic's audit log. Returns the new database's address (no
    password). The restore itself is the ``restore`` command's (``restore_to_server``)."""
    require(actor, "backup.manage")
    from .backup import verify_backup

    name = name.strip()
    if not DATABASE_NAME_RE.match(name):
        raise ValidationError("Name the new database with small letters, digits and _ "
                              "(starting with a letter, at most 63), e.g. medspa_restored.")
    database, options = _connection(None)
    if name == database:
        raise ValidationError("That is the database in use now: a backup is restored into a "
                              "NEW database, never over the clinic's.")
    if not is_server_backup(Path(backup)):
        raise BackupError(f"{Path(backup).name} is a backup of a clinic file, not of a server "
                          "database: restore it from a PC that uses that file.")
    problems = verify_backup(Path(backup))
    if problems:
        raise BackupError(f"{Path(backup).name} cannot be restored: " + "; ".join(problems[:3]))
    import psycopg

    try:
        with psycopg.connect(dbname=database, autocommit=True, **options) as con:
            exists = con.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                 (name,)).fetchone()
            if not exists:
                con.execute(f'CREATE DATABASE "{name}"')
    except psycopg.errors.InsufficientPrivilege:
        raise BackupError(f"The server does not let this account create databases. Ask whoever "
                          f"set up the server to create an empty database named {name} (createdb "
                          f"{name}), then restore into it.") from None
    except psycopg.Error as exc:
        raise BackupError("The server refused the new database: "
                          + _first_line(str(exc).encode())) from None
    with db.atomic():
        audit.record(actor, "backup.restore", "backup", Path(backup).name,
                     f"restoring into the new database {name} on the clinic's server")
    return server_url(name, options)


# -- the daily backup ----------------------------------------------------------------------------
def daily_backup(actor, now: dt.datetime | None = None, folder: Path | None = None
                 ) -> BackupResult | None:
    """The day's backup of a server clinic, taken by exactly one PC: under an advisory lock
    (held on this PC's connection while it works), when the stored last good backup is a day
    old or more. None when another PC holds the lock or has already taken it."""
    from .backup import DUE_AFTER, create_backup

    if actor is not None:
        require(actor, "backup.run")
    now = now or dt.datetime.now()
    db.connect(reuse_if_open=True)
    if not db.execute_sql("SELECT pg_try_advisory_lock(%s)", (DAILY_LOCK,)).fetchone()[0]:
        return None  # another PC is taking it now
    try:
        last = settings.get(BACKUP_LAST_OK)  # read under the lock: another PC's is seen
        if last and now - dt.datetime.fromisoformat(last) < DUE_AFTER:
            return None
        return create_backup(actor, folder, now=now, reason="daily")
    finally:
        # (a connection that went: the server released the lock with it)
        with contextlib.suppress(Exception):
            db.execute_sql("SELECT pg_advisory_unlock(%s)", (DAILY_LOCK,))
