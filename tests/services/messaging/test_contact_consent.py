"""Consent to be contacted: the defaults, the history of answers, and who may be sent what."""

from __future__ import annotations

import datetime as dt

import peewee
import pytest

from medspa_desktop.services.charts import patients
from medspa_desktop.services.messaging import contact_consent
from medspa_desktop.services.platform.errors import PermissionDenied, ValidationError
from medspa_desktop.store.database import db
from medspa_desktop.store.models import AuditEvent, ContactConsent


def _patient(admin, first="Mia", last="Lopez"):
    return patients.create_patient(admin, patients.PatientInput(
        first, last, dt.date(1985, 3, 2), phone="555 010 2000", email=f"{first}@example.com"))


def test_without_an_answer_reminders_are_yes_and_marketing_is_no(admin):
    mia = _patient(admin)
    answers = contact_consent.current_answers(admin, mia.id)
    assert (answers["reminders"].agreed, answers["marketing"].agreed) == (True, False)
    assert not answers["marketing"].recorded
    assert contact_consent.may_contact(mia, "reminders")
    assert not contact_consent.may_contact(mia, "marketing")


def test_the_latest_answer_holds_and_every_answer_stays_on_record(admin):
    mia = _patient(admin)
    contact_consent.record_answers(admin, mia.id, {"marketing": True}, dt.date(2026, 1, 5))
    assert contact_consent.may_contact(mia.id, "marketing")
    answers = contact_consent.record_answers(admin, mia.id, {"marketing": False,
                                                             "reminders": False})
    assert not contact_consent.may_contact(mia.id, "marketing")
    assert not contact_consent.may_contact(mia.id, "reminders")
    assert answers["marketing"].given_on == dt.date.today()
    assert answers["marketing"].describe().startswith("No since ")
    assert answers["marketing"].recorded_by == admin.display_name
    rows = list(ContactConsent.select().where(ContactConsent.patient == mia.id)
                .order_by(ContactConsent.id).tuples())
    assert [(r[2], r[3]) for r in rows] == [("marketing", True), ("marketing", False),
                                            ("reminders", False)]
    assert AuditEvent.select().where(AuditEvent.action == "patient.contact_consent").count() == 3
    with pytest.raises(peewee.IntegrityError), db.atomic():  # the history never changes
        ContactConsent.update(agreed=True).execute()


def test_an_answer_already_on_file_is_not_written_twice(admin):
    mia = _patient(admin)
    contact_consent.record_answers(admin, mia.id, {"marketing": True})
    contact_consent.record_answers(admin, mia.id, {"marketing": True})
    assert ContactConsent.select().count() == 1


def test_a_future_day_or_an_unknown_kind_is_refused_and_nothing_is_written(admin):
    mia = _patient(admin)
    with pytest.raises(ValidationError, match="future"):
        contact_consent.record_answers(admin, mia.id, {"marketing": True},
                                       dt.date.today() + dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="not a kind"):
        contact_consent.record_answers(admin, mia.id, {"faxes": True})
    assert ContactConsent.select().count() == 0


def test_many_patients_at_once_archived_charts_never(admin):
    mia, leo, ana = _patient(admin), _patient(admin, "Leo", "Park"), _patient(admin, "Ana", "Ruiz")
    for p in (mia, leo, ana):
        contact_consent.record_answers(admin, p.id, {"marketing": True})
    contact_consent.record_answers(admin, leo.id, {"marketing": False})
    patients.archive_patient(admin, ana.id, "moved away")
    assert contact_consent.agreeing([mia.id, leo.id, ana.id], "marketing") == {mia.id}
    assert contact_consent.agreeing([mia.id, leo.id, ana.id], "reminders") == {mia.id, leo.id}


def test_signed_out_nobody_records(admin):
    mia = _patient(admin)
    with pytest.raises(PermissionDenied):
        contact_consent.record_answers(None, mia.id, {"marketing": True})


def test_after_a_merge_the_latest_answer_on_either_chart_holds(admin):
    from medspa_desktop.services.charts import merge

    keep, other = _patient(admin), _patient(admin, "Mia", "Lopes")
    contact_consent.record_answers(admin, keep.id, {"marketing": True})
    contact_consent.record_answers(admin, other.id, {"marketing": False})  # said stop later
    keep, other = (patients.patient_details(admin, p.id) for p in (keep, other))
    merge.merge_patients(admin, keep.id, other.id, keep_version=keep.version,
                         other_version=other.version)
    assert not contact_consent.may_contact(keep.id, "marketing")
    assert not contact_consent.current_answers(admin, keep.id)["marketing"].agreed
