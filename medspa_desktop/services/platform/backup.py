"""Backups of a clinic's SQLite database and its photos, and restoring one.

A backup is a folder ``medspa-YYYYMMDD-HHMMSS`` in the clinic's backup folder (an external
drive, say) holding

* ``clinic.db`` — written through SQLite's online backup API while the program runs (never a
  file copy of a live database, which can miss committed pages), then switched out of WAL so
  it is one self-contained file;
* ``photos/`` — every photo the copied database names, checked against its SHA-256 (a photo
  already in the previous backup is hard-linked from it where the drive allows, so ten years
  of photos are not copied every day);
* ``manifest.json`` — when, which schema, the database file's SHA-256 and size, the photos,
  and the head of the copy's audit chain (last event's id and hash, and the count), one of the
  anchors ``check`` compares the chain with (``audit_anchor.py``).

It is written under a ``.partial-`` name, checked (SQLite's integrity and foreign-key checks,
the MedSpa stamp and schema version, every photo's hash) and only then renamed into place; a
backup that fails its check is removed and the failure reported. Old backups are rotated:
the newest of each of the last 7 days, 4 weeks and 12 months are kept.

Restoring checks the backup the same way first, keeps the database it replaces beside it
(``clinic.db.replaced-YYYYMMDD-HHMMSS``), and copies back the photos that are missing.

Every backup and every restore appends the chain's head to the audit anchor file. A backup's
folders are its OS account's own (0700) and its files 0600 (on Linux and macOS), and so are
the restored database and photos, whatever mode the files they were copied from had.

On a PostgreSQL server the same folder holds ``clinic.dump`` written by ``pg_dump`` instead
of ``clinic.db`` (``pg_backup.py``), with the photos and the manifest, checked with
``pg_restore --list``; it is restored into a new, empty server database (File → Restore from a
backup… on a server, or the command line), and taken once a day by one of the PCs
(``pg_backup.daily_backup``).

Plain functions without Qt.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from peewee import fn

from ... import paths
from ...store.database import db, is_sqlite
from ...store.migrations import APP_ID, SCHEMA_VERSION
from ...store.models import AuditEvent, User
from . import audit, audit_anchor, settings
from .errors import DomainError, ValidationError
from .permissions import require
from .settings import BACKUP_AUDIT_ID, BACKUP_FOLDER, BACKUP_LAST_OK, BACKUP_LAST_PATH

NAME_RE = re.compile(r"^medspa-(\d{8}-\d{6})(?:-\d+)?$")
STAMP = "%Y%m%d-%H%M%S"
DB_NAME = "clinic.db"
MANIFEST = "manifest.json"
KEEP_DAILY, KEEP_WEEKLY, KEEP_MONTHLY = 7, 4, 12
DUE_AFTER = dt.timedelta(days=1)
PAGES_PER_STEP = 1024

Progress = Callable[[int, int], None]  # (done, total) — pages, then photos


class BackupError(DomainError):
    """A backup could not be written, or a backup to restore is not sound."""


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    taken_at: dt.datetime
    schema_version: int
    size: int  # of the database file, bytes
    photos: int
    missing_photos: tuple[str, ...] = ()  # named by the database, not found to copy


@dataclass(frozen=True)
class BackupResult:
    backup: BackupInfo
    removed: tuple[Path, ...]  # older backups rotated out
    seconds: float
    linked_photos: int = 0  # taken from the previous backup by hard link


@dataclass(frozen=True)
class RestoreResult:
    database: Path
    replaced: tuple[Path, ...]  # the files set aside (the database and its WAL, if any)
    photos_restored: int
    schema_version: int
    problems: list[str] = field(default_factory=list)


def database_path() -> Path:
    if not is_sqlite():
        raise BackupError("This clinic's database is on a PostgreSQL server: a backup of it is "
                          "restored into a new, empty server database (File → Restore from a "
                          "backup…, or medspa-desktop restore --from BACKUP --db "
                          "postgresql://…), as the README describes.")
    return Path(db.obj.database).resolve()


def server_backup_dir() -> Path:
    """A server clinic's backups on this PC when no folder is chosen: apart from the
    ``backups/`` of a clinic file in the same data folder (those restore into a file)."""
    return paths.data_dir() / "server-backups"


def backup_folder() -> Path:
    """The clinic's chosen folder, or ``backups/`` beside the database (on a server: in this
    PC's data folder)."""
    chosen = settings.get(BACKUP_FOLDER)
    if chosen:
        return Path(chosen)
    return database_path().parent / "backups" if is_sqlite() else server_backup_dir()


def set_backup_folder(actor: User, folder: str) -> Path:
    """Choose where backups go (an external drive, say); it must exist and take a file."""
    require(actor, "backup.manage")
    text = folder.strip()
    if not text:
        raise ValidationError("Choose the folder backups go to.")
    path = Path(text).expanduser()
    if not path.is_absolute():
        raise ValidationError("Give the backup folder's full path, e.g. E:\\MedSpa backups.")
    if not path.is_dir():
        raise ValidationError(f"The folder {path} does not exist (is the drive plugged in?).")
    probe = path / ".medspa-write-test"
    try:
        probe.write_bytes(b"ok")
        probe.unlink()
    except OSError as exc:
        raise ValidationError(f"Backups cannot be written to {path}: {exc.strerror}.") from None
    if is_sqlite() and path.resolve() == database_path().parent:
        raise ValidationError("Choose a folder away from the database itself (another drive "
                              "is best).")
    with db.atomic():
        settings.put({BACKUP_FOLDER: str(path)})
        audit.record(actor, "backup.folder", "clinic", "", str(path))
    return path


@dataclass(frozen=True)
class BackupState:
    last_ok: dt.datetime | None
    last_path: str
    folder: Path
    changed_since: bool  # something was written since that backup

    def due(self, now: dt.datetime) -> bool:
        return self.last_ok is None or now - self.last_ok >= DUE_AFTER


def state() -> BackupState:
    last, last_path, audit_id = settings.get_many(BACKUP_LAST_OK, BACKUP_LAST_PATH,
                                                  BACKUP_AUDIT_ID)
    newest = AuditEvent.select(fn.MAX(AuditEvent.id)).scalar() or 0
    return BackupState(dt.datetime.fromisoformat(last) if last else None,
                       last_path, backup_folder(), newest > audit_id)


# -- writing -----------------------------------------------------------------------------------
def _photo_names(database: Path) -> list[str]:
    """The photo files (``aa/<sha>.<ext>``) a database names, read from that database."""
    con = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        return [f"{sha[:2]}/{sha}.{ext}" for sha, ext in
                con.execute("SELECT DISTINCT sha256, extension FROM photo ORDER BY sha256")]
    finally:
        con.close()


def _previous(folder: Path) -> Path | None:
    found = list_backups(folder)
    return found[0].path if found else None


def _copy_photos(names: list[str], source: Path, dest: Path, previous: Path | None,
                 progress: Progress | None) -> tuple[list[str], int]:
    """Copy (or hard-link from the previous backup) each photo; (missing, linked)."""
    missing, linked = [], 0
    for n, name in enumerate(names, 1):
        target = dest / name
        paths.private_dir(target.parent)
        earlier = previous / "photos" / name if previous else None
        if earlier is not None and earlier.is_file():
            try:
                os.link(earlier, target)
                linked += 1
            except OSError:  # FAT or exFAT drives have no hard links
                shutil.copy2(earlier, target)
        elif (source / name).is_file():
            shutil.copy2(source / name, target)  # copies the source's mode: made 0600 below
        else:
            missing.append(name)
        paths.private_file(target)
        if progress:
            progress(n, len(names))
    return missing, linked


def _write_sqlite(partial: Path, source: Path, previous: Path | None,
                  progress: Progress | None, reason: str, now: dt.datetime
                  ) -> tuple[list[str], int]:
    """The open SQLite database, its photos and the manifest into ``partial``;
    (missing photos, photos linked from the previous backup)."""
    copy = paths.private_file(partial / DB_NAME, create=True)  # SQLite keeps the mode
    target = sqlite3.connect(str(copy))
    try:
        db.connect(reuse_if_open=True)
        db.obj.connection().backup(
            target, pages=PAGES_PER_STEP,
            progress=(lambda _s, left, total: progress(total - left, total))
            if progress else None)
        target.execute("PRAGMA journal_mode=DELETE")
    finally:
        target.close()
    names = _photo_names(copy)
    missing, linked = _copy_photos(names, source.parent / "photos", partial / "photos",
                                   previous, progress)
    manifest = {"app": APP_ID, "taken_at": now.isoformat(), "reason": reason,
                "schema_version": _stamp_of(copy)[1], "database_sha256": paths.sha256_of(copy),
                "database_size": copy.stat().st_size, "photos": len(names) - len(missing),
                "missing_photos": missing, "database": audit_anchor.identity(source),
                audit_anchor.MANIFEST_KEY: audit_anchor.head_of_file(copy).as_dict()}
    paths.write_private(partial / MANIFEST, json.dumps(manifest, indent=1).encode("utf-8"))
    return missing, linked


def create_backup(actor: User | None, folder: Path | None = None, *,
                  progress: Progress | None = None, now: dt.datetime | None = None,
                  reason: str = "manual") -> BackupResult:
    """Back up the open database (SQLite's backup API, or ``pg_dump`` on a server) and its
    photos into ``folder`` (the clinic's backup folder by default), check the copy, record it,
    and rotate old backups."""
    if actor is not None:
        require(actor, "backup.run")
    started = time.monotonic()
    server = not is_sqlite()
    source = None if server else database_path()
    folder = Path(folder) if folder is not None else backup_folder()
    usual = server_backup_dir() if server else source.parent / "backups"
    try:
        # made owner-only when made here (or the usual backups/ beside the database); a
        # folder the clinic chose keeps its mode, and each backup in it is owner-only
        paths.private_dir(folder, tighten=folder.resolve() == usual.resolve())
    except OSError as exc:
        raise BackupError(f"The backup folder {folder} cannot be used: {exc.strerror}. Is the "
                          "drive plugged in?") from None
    anchored_at = now or dt.datetime.now()  # to the microsecond: see audit_anchor.append
    now = anchored_at.replace(microsecond=0)
    name = f"medspa-{now:{STAMP}}"
    suffix = 1
    while (folder / name).exists():
        suffix += 1
        name = f"medspa-{now:{STAMP}}-{suffix}"
    partial = folder / f".partial-{name}"
    previous = _previous(folder)
    try:
        partial.mkdir(mode=paths.PRIVATE_DIR_MODE)
        paths.private_dir(partial)
        if server:
            from . import pg_backup

            missing, linked = pg_backup.write_dump(partial, reason=reason, now=now,
                                                   previous=previous, progress=progress)
        else:
            missing, linked = _write_sqlite(partial, source, previous, progress, reason, now)
        problems = verify_backup(partial, just_written=True)
        if problems:
            raise BackupError("The backup did not pass its check: " + "; ".join(problems[:3]))
        final = folder / name
        partial.rename(final)
    except OSError as exc:
        shutil.rmtree(partial, ignore_errors=True)
        raise BackupError(f"The backup could not be written to {folder}: {exc.strerror or exc}. "
                          "Is the drive full or unplugged?") from None
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return _record(actor, final, name, reason, missing, folder, now, anchored_at, started,
                   linked)


def _record(actor: User | None, final: Path, name: str, reason: str, missing: list[str],
            folder: Path, now: dt.datetime, anchored_at: dt.datetime, started: float,
            linked: int) -> BackupResult:
    """A finished backup: rotation, the audit event, the settings, the anchor."""
    info = read_backup(final)
    removed = prune(folder, now)
    with db.atomic():
        event = audit.record(actor, "backup.create", "backup", name,
                             f"{reason}: {final} ({info.size:,} bytes, {info.photos} photos"
                             + (f", {len(missing)} photos missing" if missing else "")
                             + (f"; rotated out {len(removed)}" if removed else "") + ")")
        settings.put({BACKUP_LAST_OK: now.isoformat(), BACKUP_LAST_PATH: str(final),
                      BACKUP_AUDIT_ID: event.id})
    audit_anchor.quietly(lambda: audit_anchor.anchor_now("backup", anchored_at))
    return BackupResult(info, tuple(removed), time.monotonic() - started, linked)


# -- checking and listing ----------------------------------------------------------------------
def _stamp_of(database: Path) -> tuple[str | None, int | None]:
    con = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        rows = dict(con.execute("SELECT key, value FROM schema_meta").fetchall())
    except sqlite3.DatabaseError:
        return None, None
    finally:
        con.close()
    version = rows.get("schema_version")
    return rows.get("app"), int(version) if version and version.isdigit() else None


def verify_backup(path: Path, *, just_written: bool = False) -> list[str]:
    """Every problem with a backup folder, as a sentence; empty when it is sound.

    ``just_written``: the check as a backup is taken, where the file's SHA-256 was computed
    a moment ago for the manifest, and SQLite's quick check (every page well formed) stands
    in for the integrity check (which also compares every index with its table, and takes
    five times as long on a large clinic). Restoring runs the full check."""
    path = Path(path)
    manifest_path, database = path / MANIFEST, path / DB_NAME
    from . import pg_backup

    if pg_backup.is_server_backup(path) and manifest_path.is_file():
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (ValueError, OSError):
            return [f"{path}: its manifest cannot be read."]
        if manifest.get("app") != APP_ID or manifest.get("engine") != pg_backup.ENGINE:
            return [f"{path}: its manifest is not a MedSpa Desktop server backup's."]
        return pg_backup.verify(path, manifest, just_written=just_written)
    if not path.is_dir() or not manifest_path.is_file() or not database.is_file():
        return [f"{path} is not a MedSpa backup (it needs {DB_NAME} and {MANIFEST})."]
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (ValueError, OSError):
        return [f"{path}: its manifest cannot be read."]
    problems = []
    if manifest.get("app") != APP_ID:
        problems.append("its manifest is not a MedSpa Desktop manifest")
    if not just_written and paths.sha256_of(database) != manifest.get("database_sha256"):
        return problems + ["the database file changed after the backup was written"]
    with database.open("rb") as fh:
        if fh.read(16) != b"SQLite format 3\x00":
            return problems + ["the database file is not an SQLite database"]
    con = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        check = "quick_check" if just_written else "integrity_check"
        rows = [r[0] for r in con.execute(f"PRAGMA {check}").fetchall()]
        if rows != ["ok"]:
            problems.extend(f"integrity: {r}" for r in rows[:5])
        broken = con.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            problems.append(f"{len(broken)} rows point to missing rows")
    except sqlite3.DatabaseError as exc:
        return problems + [f"the database cannot be read ({exc})"]
    finally:
        con.close()
    app, version = _stamp_of(database)
    if app != APP_ID or version is None:
        problems.append("the database is not a MedSpa database")
    elif version > SCHEMA_VERSION:
        problems.append(f"it was written by a newer MedSpa Desktop (schema {version})")
    return problems + photo_problems(path, _photo_names(database), manifest)


def photo_problems(path: Path, names: list[str], manifest: dict) -> list[str]:
    """Each photo a backup should hold (``ab/<sha256>.<ext>``) present in its photos/ folder
    and matching its fingerprint, but for those its manifest says were missing when taken."""
    problems = []
    missing = set(manifest.get("missing_photos", []))
    for name in names:
        photo = Path(path) / "photos" / name
        if name in missing:
            continue
        if not photo.is_file():
            problems.append(f"photo {name} is missing from the backup")
        elif paths.sha256_of(photo) != Path(name).stem:
            problems.append(f"photo {name} does not match its fingerprint")
    return problems


def read_backup(path: Path) -> BackupInfo:
    manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    return BackupInfo(path, dt.datetime.fromisoformat(manifest["taken_at"]),
                      int(manifest["schema_version"]), int(manifest["database_size"]),
                      int(manifest["photos"]), tuple(manifest.get("missing_photos", ())))


def list_backups(folder: Path) -> list[BackupInfo]:
    """The finished backups in a folder, newest first (partial ones are not listed)."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    found = []
    for entry in folder.iterdir():
        if entry.is_dir() and NAME_RE.match(entry.name) and (entry / MANIFEST).is_file():
            try:
                found.append(read_backup(entry))
            except (ValueError, KeyError, OSError):
                continue
    return sorted(found, key=lambda b: (b.taken_at, b.path.name), reverse=True)


def to_keep(times: list[dt.datetime]) -> set[dt.datetime]:
    """Rotation: the newest backup of each of the last 7 days, 4 ISO weeks and 12 months
    that have backups (the newest of all is always among them)."""
    keep: set[dt.datetime] = set()
    for period, count in ((lambda t: t.date(), KEEP_DAILY),
                          (lambda t: t.isocalendar()[:2], KEEP_WEEKLY),
                          (lambda t: (t.year, t.month), KEEP_MONTHLY)):
        seen: list = []
        for t in sorted(times, reverse=True):
            key = period(t)
            if key not in seen:
                if len(seen) == count:
                    break
                seen.append(key)
                keep.add(t)
    return keep


def prune(folder: Path, now: dt.datetime | None = None) -> list[Path]:
    """Remove the backups rotation does not keep, and partial ones left by a crash an hour
    or more ago; returns what was removed."""
    folder = Path(folder)
    backups = list_backups(folder)
    keep = to_keep([b.taken_at for b in backups])
    removed = []
    for b in backups:
        if b.taken_at not in keep:
            shutil.rmtree(b.path, ignore_errors=True)
            removed.append(b.path)
    cutoff = (now or dt.datetime.now()).timestamp() - 3600
    for entry in folder.iterdir():
        if entry.name.startswith(".partial-") and entry.stat().st_mtime < cutoff:
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


# -- restoring ---------------------------------------------------------------------------------
def begin_restore(actor: User, backup: Path) -> Path:
    """An admin's restore, from the program: permission, the backup's check, and the record
    of it in the database about to be replaced. Returns the database file to close and
    replace with ``restore_backup``."""
    require(actor, "backup.manage")
    problems = verify_backup(Path(backup))
    if problems:
        raise BackupError(f"{backup} cannot be restored: " + "; ".join(problems[:3]))
    with db.atomic():
        audit.record(actor, "backup.restore", "backup", Path(backup).name,
                     f"replacing this database with {backup}")
    return database_path()


def record_restore(username: str, result: RestoreResult, backup: Path) -> None:
    """Note the restore in the restored database (its staff may not include the person)."""
    with db.atomic():
        audit.record(None, "backup.restored", "backup", Path(backup).name,
                     f"restored by {username}; the replaced database is kept as "
                     f"{result.replaced[0] if result.replaced else '(none)'}",
                     username=username)


def restore_backup(backup: Path, database: Path, now: dt.datetime | None = None) -> RestoreResult:
    """Put a checked backup in place of ``database`` (which must not be open), keeping the
    replaced file beside it; photos missing from the photo folder are copied back."""
    backup, database = Path(backup), Path(database)
    from . import pg_backup

    if pg_backup.is_server_backup(backup):
        raise BackupError(f"{backup.name} is a backup of a clinic on a PostgreSQL server: "
                          "restore it into a new, empty server database (medspa-desktop "
                          "restore --from BACKUP --db postgresql://…).")
    problems = verify_backup(backup)
    if problems:
        raise BackupError(f"{backup} cannot be restored: " + "; ".join(problems[:3]))
    anchored_at = now or dt.datetime.now()  # to the microsecond: see audit_anchor.append
    now = anchored_at.replace(microsecond=0)
    paths.private_dir(database.parent, tighten=False)
    aside = []
    for suffix in ("", "-wal", "-shm"):
        current = Path(f"{database}{suffix}")
        if current.exists():
            moved = Path(f"{database}.replaced-{now:{STAMP}}{suffix}")
            current.rename(moved)
            paths.private_file(moved)
            aside.append(moved)
    incoming = paths.private_file(Path(f"{database}.restoring"), create=True)
    shutil.copyfile(backup / DB_NAME, incoming)  # into the owner-only file, not its mode
    os.replace(incoming, database)
    restored = 0
    photos = database.parent / "photos"
    if photos.is_dir():
        paths.private_dir(photos)
    for name in _photo_names(database):
        source, target = backup / "photos" / name, photos / name
        if source.is_file() and not target.is_file():
            paths.private_dir(target.parent)
            shutil.copy2(source, target)
            paths.private_file(target)
            restored += 1
    audit_anchor.quietly(lambda: audit_anchor.append(
        audit_anchor.head_of_file(database), audit_anchor.RESTORE,
        audit_anchor.identity(database), anchored_at))
    return RestoreResult(database, tuple(aside), restored, read_backup(backup).schema_version)
