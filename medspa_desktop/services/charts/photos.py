"""Clinical photos: stored once each, named by the SHA-256 of their bytes, in the photo folder
beside the database (``photos/ab/abcdef….jpg``); the hash is checked every time a photo is
shown and by ``check``, so a damaged or swapped file is never shown as the patient's.

On a PostgreSQL server each photo's bytes are also kept in the database (``stored_file``, as
consent documents are), so every PC shows every photo: the photo folder of a PC is then its
copy, filled from the database the first time a photo is shown there (checked against the hash
like the file), and a missing or damaged copy is mended the same way.

Only clinicians see or add photos. A photo needs the patient's valid photography consent on
file (its number and date are kept with the photo); without one, the import needs an
acknowledgement (why it may be kept), which is kept with the photo and audited.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from peewee import SqliteDatabase

from ... import paths
from ...store.database import db, is_sqlite
from ...store.models import Appointment, Patient, Photo, StoredFile, User
from ..consents import consent_policy
from ..consents.consent_templates import PHOTOGRAPHY
from ..platform import audit, changes, limits, stored_files
from ..platform.errors import DomainError, NotFound, ValidationError
from ..platform.permissions import require
from ..platform.text import clean_line
from .patients import chart_ids, refuse_if_merged

TAGS = ("before", "after", "other")
MAX_BYTES = 40 * 1024 * 1024
SIGNATURES = {b"\xff\xd8\xff": "jpg", b"\x89PNG\r\n\x1a\n": "png"}
MEDIA_TYPES = {"jpg": "image/jpeg", "png": "image/png"}


class PhotoDamaged(DomainError):
    """The stored file no longer matches the photo's fingerprint."""


@dataclass(frozen=True)
class PhotoRow:
    id: int
    patient_id: int
    appointment_id: int | None
    tag: str
    area: str
    taken_on: dt.date
    sha256: str
    imported_by: str
    consent_note: str


def photo_dir() -> Path:
    """Beside the SQLite file (so a clinic's data stays together); the data folder otherwise."""
    real = db.obj
    if isinstance(real, SqliteDatabase):
        return Path(real.database).resolve().parent / "photos"
    return paths.data_dir() / "photos"


def _path(sha256: str, extension: str) -> Path:
    return photo_dir() / sha256[:2] / f"{sha256}.{extension}"


def _kind(data: bytes) -> str:
    for signature, extension in SIGNATURES.items():
        if data.startswith(signature):
            return extension
    raise ValidationError("Only JPEG and PNG photos can be imported.")


def import_photo(actor: User, patient_id: int, data: bytes, *, tag: str, area: str,
                 taken_on: dt.date, appointment_id: int | None = None,
                 consent_note: str = "") -> Photo:
    require(actor, "photos.write")
    refuse_if_merged(patient_id)
    if tag not in TAGS:
        raise ValidationError("Tag the photo as before, after or other.")
    area = clean_line(area)
    if not area:
        raise ValidationError("Say which area the photo shows (e.g. glabella, left cheek).")
    if len(area) > limits.PHOTO_AREA:
        raise ValidationError(f"The area must be at most {limits.PHOTO_AREA} characters.")
    if taken_on > dt.date.today():
        raise ValidationError("A photo cannot be taken in the future.")
    if not data:
        raise ValidationError("The file is empty.")
    if len(data) > MAX_BYTES:
        raise ValidationError("The photo is larger than 40 MB.")
    extension = _kind(data)
    consent_note = clean_line(consent_note)
    on_file = consent_policy.valid_consent(actor, patient_id, PHOTOGRAPHY, dt.datetime.now())
    if on_file is not None:
        consent_note = consent_note or (f"photography consent {on_file.id} signed "
                                        f"{on_file.signed_at:%Y-%m-%d}")
    elif not consent_note:
        raise ValidationError("There is no photography consent on file for this patient. Sign "
                              "one in the chart's Consents tab, or say why the photo may be "
                              "kept (e.g. consent signed on paper today).")
    if Patient.get_or_none(Patient.id == patient_id) is None:
        raise NotFound("That patient does not exist.")
    if appointment_id is not None:
        appt = Appointment.get_or_none(Appointment.id == appointment_id)
        if appt is None or appt.patient_id != patient_id:
            raise ValidationError("That visit is not this patient's.")
    sha = hashlib.sha256(data).hexdigest()
    if Photo.select().where(Photo.patient.in_(chart_ids(patient_id)), Photo.sha256 == sha,
                            ~Photo.archived).exists():
        raise ValidationError("This photo is already in the chart.")
    _store(sha, extension, data)
    with db.atomic():
        keep_in_database(sha, extension, data)
        photo = Photo.create(patient=patient_id, appointment=appointment_id, tag=tag,
                             area=area, taken_on=taken_on, sha256=sha, extension=extension,
                             consent_note=consent_note, imported_by=actor,
                             imported_at=dt.datetime.now())
        audit.record(actor, "photo.import", "photo", photo.id,
                     f"{tag} {area} sha256 {sha}; consent: {consent_note}"[:500])
        changes.note("photo", photo.id)
    return photo


def _store(sha: str, extension: str, data: bytes) -> None:
    """Write the file once, atomically (a temporary file renamed into place), owner-only
    (``mkstemp`` makes it 0600, in folders made 0700)."""
    target = _path(sha, extension)
    if target.exists() and hashlib.sha256(target.read_bytes()).hexdigest() == sha:
        return
    paths.private_dir(target.parent)  # photos/ and photos/ab/: 0700
    fd, temporary = tempfile.mkstemp(dir=target.parent, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def patient_photos(actor: User, patient_id: int) -> list[PhotoRow]:
    require(actor, "photos.read")
    names = {u.id: u.display_name for u in User.select()}
    query = (Photo.select().where(Photo.patient.in_(chart_ids(patient_id)), ~Photo.archived)
             .order_by(Photo.taken_on.desc(), Photo.id.desc()))
    return [PhotoRow(p.id, p.patient_id, p.appointment_id, p.tag, p.area, p.taken_on, p.sha256,
                     names.get(p.imported_by_id, ""), p.consent_note) for p in query]


def photo_bytes(actor: User, photo_id: int) -> bytes:
    """The photo's bytes, after checking them against its fingerprint; the view is audited."""
    require(actor, "photos.read")
    photo = Photo.get_or_none(Photo.id == photo_id)
    if photo is None:
        raise NotFound("That photo does not exist.")
    data = _verified(photo)
    with db.atomic():
        record_view(actor, photo)
    return data


def checked_bytes(photo: Photo) -> bytes:
    """``photo_bytes`` without its audit, for a caller that records the view in its own
    transaction (the chart's portrait, audited with the chart's opening): ``photo`` needs
    its id, sha256 and extension only."""
    return _verified(photo)


def record_view(actor: User, photo: Photo) -> None:
    """Audit that ``actor`` was shown ``photo`` (inside the caller's transaction)."""
    require(actor, "photos.read")
    audit.record(actor, "photo.view", "photo", photo.id, f"patient {photo.patient_id}")


def keep_in_database(sha: str, extension: str, data: bytes) -> bool:
    """On a server: the photo's bytes in ``stored_file`` too (once per hash), for every other
    PC; True when a row was added. A clinic file keeps its photos beside it only."""
    if is_sqlite():
        return False
    return stored_files.keep(data, MEDIA_TYPES[extension])[1]


def _from_database(sha: str) -> bytes | None:
    if is_sqlite():
        return None
    content = StoredFile.select(StoredFile.content).where(StoredFile.sha256 == sha).scalar()
    return bytes(content) if content is not None else None


def stored_photo(photo: Photo) -> bytes:
    """The photo's bytes checked against its hash — this PC's file, or on a server the
    database's copy (then written here for next time) — for ``check`` and the export; no
    permission or audit (the callers have theirs). PhotoDamaged when neither is sound."""
    return _verified(photo)


def _verified(photo: Photo) -> bytes:
    path = _path(photo.sha256, photo.extension)
    try:
        data = path.read_bytes()
    except OSError:
        data = None
    if data is not None and hashlib.sha256(data).hexdigest() == photo.sha256:
        return data
    kept = _from_database(photo.sha256)
    if kept is not None and hashlib.sha256(kept).hexdigest() == photo.sha256:
        _store(photo.sha256, photo.extension, kept)  # this PC's copy, mended or first made
        return kept
    if data is None:
        raise PhotoDamaged(f"The file of photo {photo.id} is missing ({path}). Restore it "
                           "from a backup.")
    raise PhotoDamaged(f"The file of photo {photo.id} has changed since it was imported; "
                       "it is not shown. Restore it from a backup.")


def damaged_photos() -> list[str]:
    """Every photo whose file is missing or changed, for ``check``."""
    problems = []
    for photo in Photo.select().where(~Photo.archived):
        try:
            _verified(photo)
        except PhotoDamaged as exc:
            problems.append(str(exc))
    return problems
