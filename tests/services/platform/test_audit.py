"""The audit chain: every change leaves a row, and tampering with any row shows."""

from __future__ import annotations

import datetime as dt

from medspa_desktop.services.charts import patients
from medspa_desktop.services.platform import audit
from medspa_desktop.services.platform.integrity import check_database
from medspa_desktop.store.database import db
from medspa_desktop.store.models import AuditEvent


def test_each_row_links_to_the_one_before(admin):
    patients.create_patient(admin, patients.PatientInput("Zoë", "Ng", dt.date(1991, 3, 4)))
    rows = list(AuditEvent.select().order_by(AuditEvent.id))
    assert rows[0].prev_hash == audit.GENESIS_HASH
    assert all(b.prev_hash == a.hash for a, b in zip(rows, rows[1:], strict=False))
    assert rows[-1].action == "patient.create"
    assert audit.verify_chain() == []


def test_editing_a_row_behind_the_triggers_back_is_reported(admin):
    patients.create_patient(admin, patients.PatientInput("Ann", "Lee", dt.date(1980, 1, 2)))
    target = AuditEvent.get(AuditEvent.action == "patient.create")
    db.execute_sql("DROP TRIGGER audit_event_no_update")
    db.execute_sql("UPDATE audit_event SET summary = 'nothing to see' WHERE id = ?", (target.id,))
    problems = check_database()
    assert f"audit event {target.id}: its content was changed after it was written" in problems
    assert "audit_event has lost its append-only trigger" in problems


def test_deleting_a_row_breaks_the_link_of_the_next(admin):
    patients.create_patient(admin, patients.PatientInput("Ann", "Lee", dt.date(1980, 1, 2)))
    patients.create_patient(admin, patients.PatientInput("Bo", "Kim", dt.date(1981, 1, 2)))
    ids = [e.id for e in AuditEvent.select().order_by(AuditEvent.id)]
    db.execute_sql("DROP TRIGGER audit_event_no_delete")
    db.execute_sql("DELETE FROM audit_event WHERE id = ?", (ids[-2],))
    problems = [str(p) for p in audit.verify_chain()]
    assert problems == [f"audit event {ids[-1]}: does not link to the event before it"]
