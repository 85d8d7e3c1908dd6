"""A printout and a close cost a fixed, small number of statements: on a clinic's server every
statement is a round trip across the network (``python -m benchmarks --postgres`` counts them;
issue 21: no action above 10). The clinic's letterhead, logo and paper are read in one query
per document (a setting read per key was a round trip each), the document's data with one
query per kind of row.

The actor's permission check and the audit event's statements are counted apart: they are the
same for every service call (and made cheaper in one place, services/platform); what is pinned
here is what each document reads and writes itself. Printing stays audited."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

from medspa_desktop import printouts
from medspa_desktop.services.billing import billing_reports
from medspa_desktop.services.clinic import clinic
from medspa_desktop.services.consents import consent_templates, signing
from medspa_desktop.services.platform import audit, permissions
from medspa_desktop.services.platform.png import grey_png
from medspa_desktop.services.reports import memberships as memberships_report
from medspa_desktop.store.database import db
from medspa_desktop.store.models import AuditEvent, Consent, Invoice, Patient, Payment
from tests.conftest import busy_weekday, staff
from tests.documents.pdftext import pdf_text


@pytest.fixture
def own(monkeypatch) -> list[str]:
    """The statements a document sends itself from now on: not those sent from inside the
    actor's permission check or the audit trail (savepoint, chain head, insert)."""
    sent: list[str] = []
    real = db.obj.execute_sql
    shared = (str(Path(permissions.__file__)), str(Path(audit.__file__)))

    def counting(sql, params=None, *args, **kwargs):
        frame = sys._getframe(1)
        while frame is not None and frame.f_code.co_filename not in shared:
            frame = frame.f_back
        if frame is None:
            sent.append(sql)
        return real(sql, params, *args, **kwargs)

    monkeypatch.setattr(db.obj, "execute_sql", counting)
    return sent


def _settings_reads(statements: list[str]) -> int:
    return sum("clinic_setting" in sql for sql in statements)


def _printed(action: str, record_id: object) -> bool:
    return AuditEvent.select().where(AuditEvent.action == action,
                                     AuditEvent.record_id == str(record_id)).exists()


def test_an_invoice_pdf_reads_the_invoice_in_three_queries_and_the_letterhead_in_one(
        demo_db, own):
    desk = staff("frontdesk")
    invoice_id = Payment.select(Payment.invoice).order_by(Payment.id.desc()).scalar()
    before = pdf_text(printouts.invoice_pdf(desk, invoice_id, receipt=True))
    own.clear()
    after = pdf_text(printouts.invoice_pdf(desk, invoice_id, receipt=True))
    assert after == before
    # the invoice with its patient and provider, its lines, its payments; the letterhead
    assert len(own) == 4, own
    assert _settings_reads(own) == 1
    number = Invoice.get_by_id(invoice_id).number
    assert f"{number}" in after and _printed("print.receipt", invoice_id)


def test_a_logo_on_the_letterhead_costs_no_query_of_its_own(demo_db, own):
    logo = grey_png(40, 20)
    clinic.set_logo(staff("admin"), logo)
    own.clear()
    details = clinic.print_details()
    assert len(own) == 1 and "stored_file" in own[0]
    assert details.logo == logo == clinic.logo()
    assert details.info == clinic.clinic_info() and details.paper == clinic.paper_size()


def test_signing_a_consent_reads_patient_form_and_witness_in_one_query(demo_db, own):
    desk = staff("frontdesk")
    template = consent_templates.current(desk, "neurotoxin")
    patient = Patient.select().where(Patient.merged_into.is_null(),
                                     Patient.dob < dt.date(2000, 1, 1)).first()
    signature = grey_png(480, 160, background=0xFF, ink_row=90)
    own.clear()
    consent = printouts.sign_consent(desk, signing.SigningInput(
        patient.id, template.id, tuple("AB" if s.initials else "" for s in template.sections),
        signature, signature))
    # the letterhead; patient, form and witness; the stored PDF; the consent; the change
    # signal other PCs hear
    assert len(own) == 5, own
    assert _settings_reads(own) == 1
    text = pdf_text(signing.document(desk, consent.id))
    assert f"{patient.first_name} {patient.last_name}" in text and template.title in text
    assert Consent.get_by_id(consent.id).document.sha256 == consent.document.sha256
    assert _printed("consent.sign", patient.id)


def test_a_daily_close_reads_sales_payments_and_credit_in_three_queries(demo_db, own):
    admin = staff("admin")
    day = busy_weekday()
    first = billing_reports.daily_close(admin, day)
    own.clear()
    close = billing_reports.daily_close(admin, day)
    assert len(own) == 3, own
    assert close.invoices and close.sales_cents
    assert (close.invoices, close.by_category, close.by_method, close.cash_cents,
            close.credit_held_cents) == (first.invoices, first.by_category, first.by_method,
                                         first.cash_cents, first.credit_held_cents)
    assert _printed("report.daily_close", day)


def test_a_months_sales_report_pdf_reads_the_month_in_three_queries(demo_db, own):
    admin = staff("admin")
    last = busy_weekday()
    first = last.replace(day=1)
    own.clear()
    memberships_report.period_members(admin, first, last)
    members = len(own)  # the members' figures printed with it (services/reports) apart
    own.clear()
    pdf = printouts.sales_report_pdf(admin, first, last)
    # the invoices with their lines, the payments, the credit on account; the letterhead
    assert len(own) == 4 + members, own
    assert _settings_reads(own) == 1
    report = billing_reports.sales_report(admin, first, last, record=False)
    assert report.invoices and f"{report.invoices}" in pdf_text(pdf)
    assert _printed("report.sales", f"{first}..{last}")
