"""The change bus's Qt-free core: what a transaction noted is published once it commits, and
never when it (or the savepoint it was noted in) rolls back."""

from __future__ import annotations

import datetime as dt

import pytest

from medspa_desktop.services.charts import patients
from medspa_desktop.services.platform import changes
from medspa_desktop.services.platform.errors import ValidationError
from medspa_desktop.store.database import db


@pytest.fixture
def heard():
    seen: list[changes.ChangeSet] = []
    unsubscribe = changes.subscribe(seen.append)
    yield seen
    unsubscribe()


def _kinds(heard) -> list[tuple[str, set[int]]]:
    return [(c.kind, set(c.ids)) for batch in heard for c in batch.changes]


def test_a_note_is_published_after_the_outermost_commit(database, heard):
    with db.atomic():
        changes.note("invoice", 77)
        with db.atomic():
            changes.note("stock", 5)
        assert heard == []  # nothing yet: the transaction may still roll back
    assert _kinds(heard) == [("invoice", {77}), ("stock", {5})]


def test_a_rolled_back_operation_publishes_nothing(database, heard):
    with pytest.raises(RuntimeError), db.atomic():
        changes.note("invoice", 77)
        raise RuntimeError("refused half-way")
    with db.atomic():
        changes.note("appointment", 812)
    assert _kinds(heard) == [("appointment", {812})]


def test_a_rolled_back_savepoint_drops_only_its_own_notes(database, heard):
    with db.atomic():
        changes.note("invoice", 77)
        with pytest.raises(RuntimeError), db.atomic():
            changes.note("stock", 5)
            raise RuntimeError("this part is undone")
    assert _kinds(heard) == [("invoice", {77})]


def test_services_note_what_they_changed_and_a_refusal_nothing(admin, heard):
    ann = patients.create_patient(admin, patients.PatientInput("Ann", "Lee", dt.date(1980, 1, 2)))
    with pytest.raises(ValidationError):
        patients.create_patient(admin, patients.PatientInput("", "Lee", dt.date(1980, 1, 2)))
    assert _kinds(heard) == [("patient", {ann.id})]


def test_an_unsubscribed_listener_hears_nothing(database):
    seen = []
    unsubscribe = changes.subscribe(seen.append)
    unsubscribe()
    changes.note("settings")
    assert seen == []
