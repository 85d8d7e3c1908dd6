"""Reviewing the audit log: filters by date, user, kind of action and patient; CSV export
that a spreadsheet cannot run; reading and exporting the log are audited; only admin and the
medical director may."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from medspa_desktop.services.charts import patients
from medspa_desktop.services.platform import audit_review, auth
from medspa_desktop.services.platform.audit_review import AuditFilter
from medspa_desktop.services.platform.errors import AuthError, PermissionDenied
from medspa_desktop.store.models import Appointment, AuditEvent, Patient
from tests.conftest import staff


def test_the_log_is_filtered_by_patient_user_kind_and_date(demo_db):
    director = staff("director")
    appt = Appointment.select().order_by(Appointment.id).first()
    patient = Patient.get_by_id(appt.patient_id)
    patients.open_chart(staff("frontdesk"), patient.id)
    with pytest.raises(AuthError):
        auth.authenticate("frontdesk", "=cmd|' /C calc'!A0")  # typed into the password box
    about = audit_review.events(director, AuditFilter(patient=patient.last_name + " " +
                                                       patient.first_name))
    kinds = {(r.action, r.record.split()[0]) for r in about}
    assert ("patient.open", "patient") in kinds and ("appointment.book", "appointment") in kinds
    assert all(r.record in {f"patient {patient.id}"} or r.record.split()[0] in
               {"appointment", "note", "photo", "invoice"} for r in about)
    by_chart = audit_review.events(director, AuditFilter(patient=patient.chart_number))
    assert [r.id for r in by_chart] == [r.id for r in about]
    mine = audit_review.events(director, AuditFilter(username="FrontDesk"))
    assert mine and {r.username for r in mine} == {"frontdesk"}
    failed = audit_review.events(director, AuditFilter(group="Sign-ins, locks and failed "
                                                             "sign-ins"))
    assert failed[0].action == "login.failed"
    assert {r.action.split(".")[0] for r in failed} <= {"login", "lock", "unlock"}
    today = audit_review.events(director, AuditFilter(date_from=dt.date.today(),
                                                      date_to=dt.date.today()))
    assert all(r.at.date() == dt.date.today() for r in today)
    assert audit_review.events(director, AuditFilter(patient="no-such-patient-xyz")) == []
    assert AuditEvent.select().where(AuditEvent.action == "audit.view").count() >= 5


def test_the_export_is_csv_a_spreadsheet_cannot_run_and_is_audited(demo_db):
    with pytest.raises(AuthError):
        auth.authenticate("=HYPERLINK(\"x\")", "x")
    text = audit_review.export_csv(staff("admin"), AuditFilter(group="Sign-ins, locks and "
                                                                     "failed sign-ins"))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Event", "When", "User", "Action", "Record", "Summary"]
    assert rows[1][2] == "'=hyperlink(\"x\")" and rows[1][3] == "login.failed"
    event = AuditEvent.select().order_by(AuditEvent.id.desc()).first()
    assert event.action == "audit.export" and event.summary.startswith(f"{len(rows) - 1} events")


@pytest.mark.parametrize("role", ["frontdesk", "injector"])
def test_only_admin_and_director_review_the_log(demo_db, role):
    with pytest.raises(PermissionDenied, match="may not review the audit log"):
        audit_review.events(staff(role))
    with pytest.raises(PermissionDenied):
        audit_review.export_csv(staff(role))


def test_every_printout_with_patient_data_is_in_the_patients_log(demo_db):
    from medspa_desktop import printouts
    from medspa_desktop.store.models import Consent, Invoice, TreatmentRecord

    director = staff("director")
    record = TreatmentRecord.select().first()
    patient_id = record.patient_id
    invoice = Invoice.select().where(Invoice.patient == patient_id).first()
    consent = Consent.select().where(Consent.patient == patient_id).first()
    printouts.treatment_record_pdf(director, record.appointment_id)
    printouts.intake_form_pdf(director, patient_id)
    printouts.consent_form_pdf(director, "neurotoxin", patient_id)
    printouts.consent_document_pdf(director, consent.id)
    printouts.invoice_pdf(director, invoice.id, receipt=True)
    chart_number = Patient.get_by_id(patient_id).chart_number
    printed = [r.action for r in audit_review.events(director, AuditFilter(
        patient=chart_number, group="Reports and printouts"))]
    assert sorted(printed) == ["print.consent", "print.consent_form", "print.intake_form",
                               "print.receipt", "print.treatment_record"]
