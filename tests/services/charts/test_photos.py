"""Photos: stored once by content hash, checked whenever shown, clinicians only."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from medspa_desktop.services.charts import patients, photos
from medspa_desktop.services.platform import auth
from medspa_desktop.services.platform.errors import PermissionDenied, ValidationError
from medspa_desktop.services.platform.integrity import check_database
from medspa_desktop.store.models import AuditEvent, Photo

PNG = b"\x89PNG\r\n\x1a\n" + b"pretend pixels " * 50
JPEG = b"\xff\xd8\xff\xe0" + b"other pixels " * 50


@pytest.fixture
def clinic(admin):
    rn = auth.create_user(admin, auth.UserInput("rn", "Jo Kim", "provider", "long-enough"))
    desk = auth.create_user(admin, auth.UserInput("desk", "Sam", "front_desk", "long-enough"))
    zoe = patients.create_patient(admin, patients.PatientInput("Zoë", "Ng", dt.date(1990, 1, 1)))
    return rn, desk, zoe


def _import(rn, zoe, data=PNG, **changes):
    values = dict(tag="before", area="Glabella", taken_on=dt.date(2026, 11, 1),
                  consent_note="Signed paper consent today; scan to follow")
    values.update(changes)
    return photos.import_photo(rn, zoe.id, data, **values)


def test_a_photo_is_stored_once_under_its_hash_and_read_back_checked(clinic):
    rn, _desk, zoe = clinic
    photo = _import(rn, zoe)
    sha = hashlib.sha256(PNG).hexdigest()
    path = photos.photo_dir() / sha[:2] / f"{sha}.png"
    assert photo.sha256 == sha and path.read_bytes() == PNG
    assert photos.photo_bytes(rn, photo.id) == PNG
    assert AuditEvent.select().where(AuditEvent.action == "photo.view").count() == 1
    with pytest.raises(ValidationError, match="already in the chart"):
        _import(rn, zoe)
    other = patients.create_patient(rn, patients.PatientInput("Bo", "Ng", dt.date(1991, 1, 1)))
    _import(rn, other)  # the same image for someone else: one file, two rows
    assert len(list(photos.photo_dir().rglob("*.png"))) == 1


@pytest.mark.parametrize(("data", "changes", "message"), [
    (b"GIF89a....", {}, "Only JPEG and PNG"),
    (b"", {}, "The file is empty"),
    (PNG, {"consent_note": " "}, "no photography consent on file"),
    (PNG, {"area": ""}, "Say which area"),
    (PNG, {"tag": "during"}, "before, after or other"),
    (PNG, {"taken_on": dt.date.today() + dt.timedelta(days=1)}, "cannot be taken in the future"),
])
def test_bad_imports_are_refused_and_nothing_is_written(clinic, data, changes, message):
    rn, _desk, zoe = clinic
    with pytest.raises(ValidationError, match=message):
        _import(rn, zoe, data, **changes)
    assert Photo.select().count() == 0
    assert not photos.photo_dir().exists() or not list(photos.photo_dir().rglob("*.*"))


def test_front_desk_neither_sees_nor_adds_photos(clinic):
    rn, desk, zoe = clinic
    photo = _import(rn, zoe, JPEG)
    with pytest.raises(PermissionDenied, match="may not see clinical photos"):
        photos.photo_bytes(desk, photo.id)
    with pytest.raises(PermissionDenied, match="may not add clinical photos"):
        _import(desk, zoe, PNG)


def test_a_changed_file_is_not_shown_and_check_reports_it(clinic):
    rn, _desk, zoe = clinic
    photo = _import(rn, zoe, JPEG)
    path = photos.photo_dir() / photo.sha256[:2] / f"{photo.sha256}.jpg"
    path.write_bytes(JPEG + b"tampered")
    with pytest.raises(photos.PhotoDamaged, match="has changed since it was imported"):
        photos.photo_bytes(rn, photo.id)
    assert any("has changed since it was imported" in p for p in check_database())
    path.unlink()
    assert any(f"The file of photo {photo.id} is missing" in p for p in check_database())


def test_a_photography_consent_on_file_needs_no_explanation(clinic):
    from tests.conftest import give_consent

    rn, _desk, zoe = clinic
    give_consent(rn, zoe.id, "photography")
    photo = _import(rn, zoe, consent_note="")
    assert photo.consent_note.startswith("photography consent ") and "signed " in \
        photo.consent_note
    assert f"consent: {photo.consent_note}" in AuditEvent.get(
        AuditEvent.action == "photo.import").summary
