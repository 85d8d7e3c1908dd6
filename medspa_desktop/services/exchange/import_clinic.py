"""The round trip: a clinic's export (``export_clinic.py``) imported into a new, empty clinic.

``import_clinic(export_dir)`` reads the export's ``csv/`` folder, not its FHIR: the CSV holds
every column of every table with its id, so the clinic comes back as it was — every patient,
appointment, record, signed note (its fingerprint still matches), consent document (same bytes),
photo (same hash), invoice (same number), lot and ledger, and the audit chain (the same rows,
still verifying). Then ONE audit event, ``clinic.import``, is appended after the copied chain.

* First every file the manifest lists is checked against its SHA-256 and size, and every table's
  CSV must be there: a changed or incomplete export is refused before anything is written.
* An export written by an older version of the program (its manifest's ``schemaVersion`` is
  lower, or absent: written before the manifest said) imports too: a table that version did not have is left
  empty, a column it did not have takes the column's default. One written by a newer version
  is refused (update the program first).
* The database must be open, migrated and empty (no patient, staff account, audit event or any
  other row of the clinic's): an export never merges into a clinic in use.
* Rows go in with their ids, table after table in foreign-key order, in one transaction, a
  batch at a time (a table that points to itself goes in id order, holding back only the
  rows that point ahead); each value is turned back from its CSV text by its model field
  (empty is NULL where the column allows it, unless the manifest's ``emptyText`` names the
  row as holding ""; the apostrophe a spreadsheet-safe cell was given is taken off again —
  exactly one, as the manifest's ``formulaGuard`` says).
* ``preview(dir)`` reads what an export holds (the manifest's counts, its active admins)
  without writing: the first run's "Move in from an export…" shows it first.
  ``cancelled()`` stops the import between batches with nothing written.
* Consent documents and scans go back into the database (``stored_file``, named by their
  SHA-256, found in ``files/``); photos go back into the photo folder beside the database
  (``photos/ab/<sha256>.<ext>``), checked against their hash. A failure removes the photos this
  import wrote.
* Staff accounts come back WITHOUT passwords (the export never holds them): each gets a hash no
  password matches, so sign-in refuses until an admin sets a new one (File → Staff
  accounts…); the result lists them. ``admin=(username, password)`` gives one active admin
  of the export a password at once, so someone can sign in and set the others'.
* On PostgreSQL each table's id sequence is moved past the ids inserted.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from peewee import (
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    FloatField,
    ForeignKeyField,
    IntegerField,
    IntegrityError,
    TextField,
    TimeField,
    chunked,
    sort_models,
)

from ... import paths
from ...store.database import db, is_sqlite
from ...store.migrations import SCHEMA_VERSION
from ...store.models import ALL_MODELS, Patient, Photo, StoredFile, User
from ..charts import photos
from ..charts.patients import write_name_parts
from ..platform import audit, auth
from ..platform.errors import DomainError, ValidationError
from ..platform.exports import FORMULA_STARTS
from ..platform.vocabulary import Role
from .export_clinic import FORMAT, FORMAT_VERSION, FORMULA_GUARD, GUARDED, LEFT_OUT, NOT_EXPORTED

# No password hashes to argon2 or anything else: sign-in refuses it, an admin sets a new one.
NO_PASSWORD = "!imported: no password yet"


@dataclass
class ImportResult:
    counts: dict[str, int]  # rows per table
    stored_files: int
    photos: int
    staff_without_password: list[str] = field(default_factory=list)

    def summary(self) -> str:
        c = self.counts
        return (f"{_n(c.get('patient', 0), 'patient')}, "
                f"{_n(c.get('appointment', 0), 'appointment')}, "
                f"{_n(c.get('invoice', 0), 'invoice')}, "
                f"{_n(self.stored_files, 'stored document')}, {_n(self.photos, 'photo')}; "
                f"{_n(len(self.staff_without_password), 'staff account')} without a password "
                "(an admin sets each a new one)")


class ImportCancelled(DomainError):
    """The import was cancelled; nothing was written."""


@dataclass
class ExportPreview:
    """What an export holds, read from its manifest and its staff table before anything is
    written: for the person about to move in to see."""

    folder: Path
    clinic: str
    exported_at: dt.datetime | None
    program: str
    counts: dict[str, int]  # rows per table
    files: dict[str, int]  # consents, photos
    admins: list[tuple[str, str]]  # (username, full name) of its active admins
    staff: int

    def lines(self) -> list[str]:
        """What it holds, in three short lines: the charts, the bills, the files and staff."""
        c, files = self.counts, self.files
        return [f"{_n(c.get('patient', 0), 'patient')}, "
                f"{_n(c.get('appointment', 0), 'appointment')}, "
                f"{_n(c.get('treatment_record', 0), 'treatment')}, "
                f"{_n(c.get('note', 0), 'note')}",
                f"{_n(c.get('invoice', 0), 'invoice')}, {_n(c.get('payment', 0), 'payment')}, "
                f"{_n(c.get('lot', 0), 'stock lot')}",
                f"{_n(files.get('consents', 0), 'consent document')}, "
                f"{_n(files.get('photos', 0), 'photo')} and {_n(self.staff, 'staff account')}"]

    def summary(self) -> str:
        return "; ".join(self.lines())


def _n(count: int, word: str) -> str:
    """``3 patients``, ``1 photo``, ``40,000 patients``."""
    return f"{count:,} {word}" if count == 1 else f"{count:,} {word}s"


def preview(export_dir: str | os.PathLike) -> ExportPreview:
    """What the export in ``export_dir`` holds (its manifest's counts, its active admins),
    without checking every file's fingerprint (the import does) and without writing
    anything."""
    root = Path(export_dir)
    manifest = _read_manifest(root)
    path = root / "csv" / "user.csv"
    if not path.is_file():
        raise ValidationError("The export is incomplete: it has no csv/user.csv.")
    admins, staff = [], 0
    left_out = LEFT_OUT.get(User, set())
    fields = [f for f in User._meta.sorted_fields if f.name not in left_out]
    by_column = {f.column_name: f for f in fields}
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        headers = next(reader, None) or []
        if not {"username", "full_name", "role", "active"} <= set(headers) <= set(by_column):
            raise ValidationError("The export's user.csv does not have the columns this "
                                  "version of MedSpa Desktop keeps.")
        columns = [by_column[h] for h in headers]
        cells = _Cells(User, columns, path.name, {}, _guard_of(manifest), {})
        for values in reader:
            user = dict(zip([f.name for f in columns], cells.row(values), strict=False))
            staff += 1
            if user["active"] and user["role"] == Role.ADMIN:
                admins.append((user["username"], user["full_name"]))
    try:
        exported_at = dt.datetime.fromisoformat(manifest.get("exportedAt", ""))
    except (TypeError, ValueError):
        exported_at = None
    counts = manifest.get("counts") or {}
    return ExportPreview(root, str(manifest.get("clinic") or ""), exported_at,
                         str(manifest.get("program") or ""), dict(counts.get("csv") or {}),
                         dict(counts.get("files") or {}), sorted(admins), staff)


def tables() -> list:
    """The tables an export holds, parents before the tables that point to them."""
    return sort_models([m for m in ALL_MODELS if m not in NOT_EXPORTED])


def import_clinic(export_dir: str | os.PathLike,
                  progress: Callable[[str], None] | None = None, *,
                  admin: tuple[str, str] | None = None,
                  cancelled: Callable[[], bool] | None = None) -> ImportResult:
    """Import the export in ``export_dir`` into the open, empty database (see the module);
    ``admin`` (username, new password): that admin's account comes back with a password.
    ``cancelled()`` True stops the import, which then writes nothing (``ImportCancelled``)."""
    stop = cancelled or (lambda: False)

    def say(text: str) -> None:
        if stop():
            raise ImportCancelled("The import was cancelled; nothing was written.")
        if progress is not None:
            progress(text)

    root = Path(export_dir)
    if admin is not None:
        auth.validate_password(admin[1])
    say("Checking the export…")
    manifest = _checked_manifest(root, say)
    _refuse_unless_empty()
    files = {e["sha256"]: root / e["path"] for e in manifest["files"]
             if e.get("kind") not in ("csv", "fhir")}
    counts: dict[str, int] = {}
    written: list[Path] = []
    try:
        with db.atomic():
            for model in tables():
                table = model._meta.table_name
                say(f"Importing {table.replace('_', ' ')}…")
                path = root / "csv" / f"{table}.csv"
                if not path.is_file() and _older(manifest):
                    counts[table] = 0  # that version had no such table: nothing to bring
                    continue
                counts[table] = _insert_table(model, path, files, manifest, stop)
                expected = manifest["counts"]["csv"].get(table)
                if expected is not None and expected != counts[table]:
                    raise ValidationError(f"The export's {table} table holds {counts[table]} "
                                          f"rows, its manifest says {expected}: nothing was "
                                          "imported.")
            say("Rebuilding the name search…")
            for patient_id, search_name in Patient.select(Patient.id, Patient.search_name) \
                    .tuples().iterator():
                write_name_parts(patient_id, search_name)
            if not is_sqlite():
                _advance_sequences()  # before the photos' copies join stored_file
            say("Putting the photos back…")
            photo_count = _restore_photos(files, written)
            if admin is not None:
                _give_password(*admin)
            staff = [u for (u,) in User.select(User.username)
                     .where(User.password_hash == NO_PASSWORD)
                     .order_by(User.username).tuples()]
            result = ImportResult(counts, counts.get("stored_file", 0), photo_count, staff)
            audit.record(None, "clinic.import", "clinic", "",
                         f"from {root.absolute()} (exported {manifest.get('exportedAt', '?')} "
                         f"by {manifest.get('program', '?')}): {result.summary()}"[:1000])
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return result


# -- checks before anything is written ----------------------------------------------------------
def _checked_manifest(root: Path, say: Callable[[str], None]) -> dict:
    manifest = _read_manifest(root)
    listed = set()
    entries = manifest.get("files", [])
    for n, entry in enumerate(entries):
        if n % 200 == 0:
            say(f"Checking the export's files ({n:,} of {len(entries):,})…")
        path = root / entry["path"]
        listed.add(entry["path"])
        if not path.is_file():
            raise ValidationError(f"The export is incomplete: {entry['path']} is missing. "
                                  "Nothing was imported.")
        if path.stat().st_size != entry["bytes"] or paths.sha256_of(path) != entry["sha256"]:
            raise ValidationError(f"The export was changed after it was written: "
                                  f"{entry['path']} does not match its fingerprint. "
                                  "Nothing was imported.")
    for model in tables():
        name = f"csv/{model._meta.table_name}.csv"
        if name not in listed and not (_older(manifest) and not (root / name).exists()):
            raise ValidationError(f"The export is incomplete: it has no "
                                  f"{name}. Nothing was imported.")
    return manifest


def _schema_of(manifest: dict) -> int:
    """The schema the exporting program had; 17 for the exports written before the manifest
    said (schema 17 was the first to export)."""
    version = manifest.get("schemaVersion", 17)
    return version if isinstance(version, int) else 17


def _older(manifest: dict) -> bool:
    return _schema_of(manifest) < SCHEMA_VERSION


def _read_manifest(root: Path) -> dict:
    where = root / "manifest.json"
    if not where.is_file():
        raise ValidationError(f"{root} is not a clinic export: it has no manifest.json.")
    try:
        manifest = json.loads(where.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise ValidationError(f"The export's manifest ({where}) cannot be read.") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ValidationError(f"{root} is not a MedSpa Desktop clinic export.")
    if manifest.get("formatVersion") != FORMAT_VERSION:
        raise ValidationError("This export was written by another version of MedSpa Desktop "
                              f"(format {manifest.get('formatVersion')}); this one reads "
                              f"format {FORMAT_VERSION}.")
    if _schema_of(manifest) > SCHEMA_VERSION:
        raise ValidationError(f"This export was written by a newer version of MedSpa Desktop "
                              f"({manifest.get('program', '?')}): update this program on this "
                              "PC first, then import it.")
    return manifest


def _guard_of(manifest: dict) -> tuple[str, ...]:
    """The characters after which a leading apostrophe is the export's guard, not the text's:
    exports that say so double the apostrophe of a text that begins with one."""
    return GUARDED if manifest.get("formulaGuard") == FORMULA_GUARD else FORMULA_STARTS


def _refuse_unless_empty() -> None:
    for model in tables():
        if model.select().exists():
            raise ValidationError("This clinic already holds data (patients, staff or its "
                                  "audit log): an export is imported only into a new, empty "
                                  "clinic file.")


# -- the rows ----------------------------------------------------------------------------------
def _insert_table(model, path: Path, files: dict[str, Path], manifest: dict,
                  stop: Callable[[], bool]) -> int:
    left_out = LEFT_OUT.get(model, set())
    fields = [f for f in model._meta.sorted_fields if f.name not in left_out]
    by_column = {f.column_name: f for f in fields}
    table = model._meta.table_name
    guarded = _guard_of(manifest)
    empty = {column: set(ids)
             for column, ids in (manifest.get("emptyText") or {}).get(table, {}).items()}
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        headers = next(reader, None) or []
        missing = [f for f in fields if f.column_name not in headers]
        if (len(set(headers)) != len(headers) or not set(headers) <= set(by_column)
                or (missing and not _older(manifest))):
            raise ValidationError(f"The export's {path.name} does not have the columns this "
                                  "version of MedSpa Desktop keeps: nothing was imported.")
        columns = [by_column[h] for h in headers]
        # columns added since an older export was written: their defaults
        defaults = [_default_of(f, path.name) for f in missing]
        cells = _Cells(model, columns, path.name, files, guarded, empty, defaults)
        rows = _parents_first(model, columns, (cells.row(values) for values in reader))
        insert_fields = columns + missing + [getattr(model, n) for n in sorted(left_out)]
        count = 0
        # SQLite allows 32,766 values a statement; documents a few at a time (memory)
        size = 20 if model is StoredFile else max(1, 2000 // len(insert_fields))
        try:
            for batch in chunked(rows, size):
                if stop():
                    raise ImportCancelled("The import was cancelled; nothing was written.")
                model.insert_many(batch, fields=insert_fields).execute()
                count += len(batch)
        except IntegrityError:
            raise ValidationError(f"The export's {path.name} has rows that do not fit together "
                                  "(a row points to one that is not there, or an id comes "
                                  "twice): nothing was imported.") from None
    return count


def _default_of(f, name: str):
    """The value a column added since an older export takes: its default, else NULL."""
    if f.default is not None:
        return f.default() if callable(f.default) else f.default
    if f.null:
        return None
    raise ValidationError(f"The export's {name} was written by an older version that had no "
                          f"{f.column_name}, and this version cannot fill it in: nothing was "
                          "imported.")


class _Cells:
    """A CSV row of one table turned back into the values its model stores (then the
    ``defaults`` of columns the export did not have)."""

    def __init__(self, model, columns: list, name: str, files: dict[str, Path],
                 guarded: tuple[str, ...], empty: dict[str, set],
                 defaults: list | None = None) -> None:
        self.model, self.columns, self.name, self.files = model, columns, name, files
        self.guarded = guarded
        self.defaults = defaults or []
        pk = next((i for i, f in enumerate(columns) if f.primary_key), None)
        # the columns that may be NULL where some rows hold "" (manifest's emptyText)
        self.empty = [(i, empty[f.column_name], pk) for i, f in enumerate(columns)
                      if f.column_name in empty and pk is not None]
        self.sha = next((i for i, f in enumerate(columns) if f.name == "sha256"), None)

    def row(self, values: list[str]) -> tuple:
        if len(values) != len(self.columns):
            raise ValidationError(f"A row of the export's {self.name} has {len(values)} cells, "
                                  f"not {len(self.columns)}: nothing was imported.")
        row = [self.value(f, text) for f, text in zip(self.columns, values, strict=True)]
        for i, ids, pk in self.empty:
            if values[i] == "" and row[pk] in ids:
                row[i] = ""
        row += self.defaults
        if self.model is User:  # password_hash, failed_logins, locked_until (sorted)
            row += [0, None, NO_PASSWORD]
        elif self.model is StoredFile:
            sha = row[self.sha]
            source = self.files.get(sha)
            if source is None:
                raise ValidationError(f"The export is incomplete: the stored document "
                                      f"{sha[:12]}… is not in its files folder. Nothing was "
                                      "imported.")
            row.append(source.read_bytes())
        return tuple(row)

    def value(self, f, text: str):
        if text == "":
            if f.null:
                return None
            if isinstance(f, CharField | TextField):
                return ""
            raise ValidationError(f"The export's {self.name} leaves {f.column_name} empty where "
                                  "a value is needed: nothing was imported.")
        try:
            if isinstance(f, BooleanField):
                return {"true": True, "false": False}[text]
            if isinstance(f, ForeignKeyField):
                return int(text) if isinstance(f.rel_field, IntegerField) else text
            if isinstance(f, IntegerField):  # AutoField too
                return int(text)
            if isinstance(f, FloatField):
                return float(text)
            if isinstance(f, DateTimeField):
                return dt.datetime.fromisoformat(text)
            if isinstance(f, DateField):
                return dt.date.fromisoformat(text)
            if isinstance(f, TimeField):
                return dt.time.fromisoformat(text)
        except (KeyError, ValueError):
            raise ValidationError(f"The export's {self.name} holds '{text[:40]}' in "
                                  f"{f.column_name}, which is not a value that column keeps: "
                                  "nothing was imported.") from None
        # text; the apostrophe that kept a spreadsheet from running it as a formula comes off
        if text.startswith("'") and text[1:2] and text[1] in self.guarded:
            return text[1:]
        return text


def _parents_first(model, columns: list, rows: Iterable[tuple]) -> Iterable[tuple]:
    """A table that points to itself (a patient merged into another, a refund of a payment):
    each row after the row it points to, so every foreign key holds as it goes in. The rows
    come in id order, so a row that points to a smaller id goes straight in; only the few
    that point ahead (or to a row still waiting) wait, in memory, until the rest is in."""
    own = [i for i, f in enumerate(columns)
           if isinstance(f, ForeignKeyField) and f.rel_model is model]
    if not own:
        yield from rows
        return
    pk = next(i for i, f in enumerate(columns) if f.primary_key)
    waiting: list[tuple] = []
    waiting_ids: set = set()
    for row in rows:
        key = row[pk]
        if any(row[i] is not None and (row[i] >= key or row[i] in waiting_ids) for i in own):
            waiting.append(row)
            waiting_ids.add(key)
        else:
            yield row
    while waiting:
        later = []
        for row in waiting:
            if all(row[i] is None or row[i] not in waiting_ids for i in own):
                waiting_ids.discard(row[pk])
                yield row
            else:
                later.append(row)
        if len(later) == len(waiting):
            raise ValidationError(f"The export's {model._meta.table_name} rows point to rows "
                                  "that are not there: nothing was imported.")
        waiting = later


def _restore_photos(files: dict[str, Path], written: list[Path]) -> int:
    count = 0
    for sha, extension in Photo.select(Photo.sha256, Photo.extension).distinct().tuples():
        source = files.get(sha)
        if source is None:
            raise ValidationError(f"The export is incomplete: the photo {sha[:12]}… is not in "
                                  "its files folder. Nothing was imported.")
        target = photos.photo_dir() / sha[:2] / f"{sha}.{extension}"
        if not (target.is_file() and paths.sha256_of(target) == sha):
            written.append(target)
            photos._store(sha, extension, source.read_bytes())  # owner-only, atomic
        photos.keep_in_database(sha, extension, target.read_bytes())  # a server: every PC's
        count += 1
    return count


def _give_password(username: str, password: str) -> None:
    typed = username.strip().lower()
    given = (User.update(password_hash=auth.hash_password(password))
             .where(User.username == typed, User.active, User.role == Role.ADMIN).execute())
    if not given:
        raise ValidationError(f"The export has no active admin named '{typed}': nothing was "
                              "imported.")


def _advance_sequences() -> None:
    """PostgreSQL: each id sequence past the largest id inserted."""
    for model in tables():
        pk = model._meta.primary_key
        if not isinstance(pk, IntegerField):
            continue
        table, column = f'"{model._meta.table_name}"', f'"{pk.column_name}"'
        db.execute_sql(
            f"SELECT setval(pg_get_serial_sequence('{table}', '{pk.column_name}'), "
            f"COALESCE((SELECT MAX({column}) FROM {table}), 0) + 1, false)")
