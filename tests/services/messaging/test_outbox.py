"""The outbox: queued, withdrawn, retried; refused with nothing written; never deleted."""

from __future__ import annotations

import datetime as dt

import pytest
from peewee import IntegrityError

from medspa_desktop.services.charts import patients
from medspa_desktop.services.messaging import outbox
from medspa_desktop.services.platform import auth, changes, staff
from medspa_desktop.services.platform.errors import PermissionDenied, ValidationError
from medspa_desktop.store.database import db
from medspa_desktop.store.models import AuditEvent, OutboxMessage


@pytest.fixture
def patient(admin):
    return patients.create_patient(admin, patients.PatientInput(
        "Mia", "Lopez", dt.date(1990, 3, 4), email="mia@example.com", phone="5550100200"))


def _audit(action):
    return list(AuditEvent.select().where(AuditEvent.action == action))


def test_a_queued_message_is_on_the_outbox_audited_and_heard(admin, patient):
    heard = []
    unsubscribe = changes.subscribe(lambda c: heard.append(c.ids("outbox")))
    try:
        due = dt.datetime(2030, 5, 1, 8, 0)
        message_id = outbox.enqueue(admin, to_address=" mia@example.com ", kind="recall",
                                    subject="Time for your touch-up", body="Hello Mia",
                                    patient_id=patient.id, due_at=due)
    finally:
        unsubscribe()
    assert heard == [{message_id}]
    rows = outbox.outbox_rows(admin)
    assert [(r.id, r.to_address, r.state, r.kind, r.patient, r.due_at) for r in rows] == [
        (message_id, "mia@example.com", "Waiting to send", "Recall", "Lopez, Mia", due)]
    [event] = _audit("message.queue")
    assert event.record_id == str(message_id) and "mia@example.com" in event.summary
    assert outbox.outbox_rows(admin, state="sent") == []


@pytest.mark.parametrize(("address", "channel", "refusal"), [
    ("not-an-address", "email", "is not an email address"),
    ("", "email", "no email address"),
    ("12", "sms", "is not a mobile number"),
])
def test_a_bad_address_is_refused_and_nothing_is_written(admin, patient, address, channel,
                                                         refusal):
    with pytest.raises(ValidationError, match=refusal):
        outbox.enqueue(admin, to_address=address, channel=channel, kind="recall", body="Hi")
    assert OutboxMessage.select().count() == 0 and _audit("message.queue") == []


def test_an_empty_text_or_an_unknown_kind_is_refused(admin):
    with pytest.raises(ValidationError, match="needs some text"):
        outbox.enqueue(admin, to_address="a@b.co", kind="recall", body="  \n ")
    with pytest.raises(ValidationError, match="not a kind of message"):
        outbox.enqueue(admin, to_address="a@b.co", kind="spam", body="Buy")
    assert OutboxMessage.select().count() == 0


def test_withdrawn_stays_on_record_and_cannot_be_withdrawn_twice(admin, patient):
    message_id = outbox.enqueue(admin, to_address="mia@example.com", kind="recall", body="Hi")
    outbox.withdraw(admin, message_id, "patient called")
    [row] = outbox.outbox_rows(admin)
    assert row.state_key == "withdrawn" and not row.open
    with pytest.raises(ValidationError, match="is withdrawn"):
        outbox.withdraw(admin, message_id)
    with pytest.raises(ValidationError, match="is withdrawn"):
        outbox.retry(admin, message_id)
    assert [e.summary for e in _audit("message.withdraw")] == ["patient called"]


def test_a_failed_message_goes_back_in_the_queue_on_retry(admin, patient):
    message_id = outbox.enqueue(admin, to_address="mia@example.com", kind="recall", body="Hi")
    OutboxMessage.update(state="failed", last_error="550 no such mailbox").execute()
    assert outbox.failed_count(admin) == 1
    outbox.retry(admin, message_id)
    assert OutboxMessage.get_by_id(message_id).state == "queued"
    assert outbox.failed_count(admin) == 0 and len(_audit("message.retry")) == 1


def test_a_message_is_never_deleted_nor_its_text_changed(admin, patient):
    message_id = outbox.enqueue(admin, to_address="mia@example.com", kind="recall", body="Hi")
    with pytest.raises(IntegrityError), db.atomic():
        OutboxMessage.delete().where(OutboxMessage.id == message_id).execute()
    with pytest.raises(IntegrityError), db.atomic():
        OutboxMessage.update(body="Something else").execute()
    with pytest.raises(IntegrityError), db.atomic():
        OutboxMessage.update(to_address="other@example.com").execute()
    assert OutboxMessage.get_by_id(message_id).body == "Hi"


def test_only_an_account_may_queue_and_a_deactivated_one_may_not(admin, patient):
    with pytest.raises(PermissionDenied):
        outbox.enqueue(None, to_address="mia@example.com", kind="recall", body="Hi")
    other = auth.create_user(admin, auth.UserInput("boss", "Bo Boss", "admin", "boss-password-1"))
    staff.set_active(other, admin.id, False, "left the clinic")
    with pytest.raises(PermissionDenied):
        outbox.outbox_rows(admin)


def test_the_audit_log_names_a_message_by_kind_and_address(admin, patient):
    from medspa_desktop.services.platform import audit_words

    message_id = outbox.enqueue(admin, to_address="mia@example.com", kind="recall", body="Hi")
    assert audit_words.record_names([("message", str(message_id))]) == {
        ("message", str(message_id)): "Recall to mia@example.com"}
