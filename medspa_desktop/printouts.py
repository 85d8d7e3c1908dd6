"""Printouts: the services' data drawn by the documents layer. No Qt here, so the window
and the command line make the same PDFs.

Each function imports its renderer when it is called: ``documents/`` brings reportlab, which
the window does not need before the first printout (start-up; ``benchmarks``' cold start)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from .services.billing import billing_reports, invoices
from .services.charts import chart, intake
from .services.charts.patients import format_phone
from .services.clinic import clinic
from .services.consents import signing
from .services.messaging import due_lists
from .services.platform import audit, audit_anchor
from .services.reports import memberships as memberships_report
from .services.reports import staff_pay
from .services.scheduling import day_sheet
from .services.treatments import inventory, treatment_records
from .store.models import User

if TYPE_CHECKING:
    from .documents.styles import Letterhead


def _page() -> tuple[Letterhead, str]:
    """The clinic's letterhead and paper size, read once per document (one query)."""
    from .documents.styles import Letterhead

    details = clinic.print_details()  # also the currency symbol its amounts are shown with
    info = details.info
    return (Letterhead(info.name, info.address, format_phone(info.phone), info.tax_id,
                       info.email, info.website, details.logo), details.paper)


def _letterhead() -> Letterhead:
    """The clinic's letterhead alone (a document drawn elsewhere with its own paper)."""
    return _page()[0]


def day_sheet_pdf(user: User, day: dt.date, provider_id: int | None = None,
                  by_provider: bool = True) -> bytes:
    from .documents.day_sheet import DaySheet, DaySheetLine, DaySheetSection, render_day_sheet

    groups = day_sheet.day_sheet(user, day, provider_id, by_provider)
    sections = tuple(
        DaySheetSection(group.title, tuple(
            DaySheetLine(e.row.start, e.row.end, e.row.patient, e.row.service, e.row.room,
                         e.row.device, e.row.status, e.alerts, e.row.notes)
            for e in group.entries))
        for group in groups)
    letterhead, paper = _page()
    return render_day_sheet(DaySheet(
        letterhead, day, sections,
        dt.datetime.now(), user.display_name, paper))


def intake_form_pdf(user: User, patient_id: int | None = None) -> bytes:
    """The intake questionnaire: blank (``patient_id`` None) or filled with the answers on
    file, for the patient to check and sign. Printing a filled form is a chart access."""
    from .documents.intake_form import IntakeForm, IntakeLine, render_intake_form

    answers, name, dob, chart_number = {}, "", "", ""
    if patient_id is not None:
        head = chart.header(user, patient_id)  # audited as opening the chart
        answers = intake.current_answers(user, patient_id)
        name, dob, chart_number = head.name, f"{head.dob:%Y-%m-%d}", head.chart_number
    lines = []
    for q in intake.QUESTIONS:
        a = answers.get(q.key)
        text = "" if a is None else (_answer_text(q.kind, a.value)
                                     or ("None reported" if q.kind == "text" else ""))
        lines.append(IntakeLine(q.label, q.kind, text, f"{a.answered_on}" if a else ""))
    if patient_id is not None:
        audit.record_print(user, "intake_form", "patient", patient_id)
    letterhead, paper = _page()
    return render_intake_form(IntakeForm(
        letterhead, name, dob, chart_number, tuple(lines), dt.datetime.now(), user.display_name, paper))


def treatment_record_pdf(user: User, appointment_id: int) -> bytes:
    """The visit's treatment record with its face chart. Printing it opens the chart (and is
    audited as such)."""
    from .documents.treatment_record import TreatmentRecordDoc, render_treatment_record

    r = treatment_records.record_view(user, appointment_id)
    head = chart.header(user, r.patient_id)
    audit.record_print(user, "treatment_record", "appointment", appointment_id)
    letterhead, paper = _page()
    return render_treatment_record(TreatmentRecordDoc(
        letterhead, head.name, f"{head.dob:%Y-%m-%d}", head.chart_number, r,
        dt.datetime.now(), user.display_name, paper))


def recall_pdf(user: User, lot_number: str,
               rows: list[inventory.RecallRow] | None = None) -> bytes:
    """Who received the lot, to call. ``rows`` from a recall already run (and audited) on
    screen; otherwise the lookup is made (and audited) here."""
    from .documents.recall_list import RecallLine, RecallList, render_recall_list

    if rows is None:
        rows = inventory.recall(user, lot_number)
    lines = tuple(RecallLine(r.at, r.patient, r.chart_number, r.phone, r.email, r.product,
                             r.dose, r.provider, r.sold) for r in rows)
    letterhead, paper = _page()
    return render_recall_list(RecallList(letterhead, lot_number.strip().upper(), lines,
                                         dt.datetime.now(), user.display_name,
                                         paper))


def patients_due_pdf(user: User, lists: due_lists.DueLists | None = None) -> bytes:
    """The four lists of patients due, to call. ``lists`` as shown on screen; otherwise read
    now. Audited as a print (it carries patients' phone numbers)."""
    from .documents.due_list import DueLine, DueList, DueSection, render_due_list

    if lists is None:
        lists = due_lists.patients_due(user)
    sections = tuple(
        DueSection(title, tuple(DueLine(r.name, r.chart_number, r.phone, r.email,
                                        r.last_visit, r.due, r.marketing)
                                for r in lists.rows(name)))
        for name, title in due_lists.LISTS.items())
    audit.record_print(user, "patients_due", "", "",
                       f"patients due on {lists.day:%Y-%m-%d}: "
                       f"{len(lists.all_rows())} listed")
    letterhead, paper = _page()
    return render_due_list(DueList(letterhead, lists.day, sections, dt.datetime.now(),
                                   user.display_name, paper))


def sign_consent(user: User, data: signing.SigningInput):
    """Record a consent signed on screen, its PDF drawn on the clinic's letterhead."""
    from .documents.consent import render_consent

    letterhead, paper = _page()
    return signing.sign(user, data, lambda sheet: render_consent(sheet, letterhead, paper))


def enrol_member(user: User, data):
    """Enrol a patient in a membership, the agreement drawn on the clinic's letterhead."""
    from .documents.membership_agreement import render_agreement
    from .services.billing import memberships

    letterhead, paper = _page()
    return memberships.enrol(user, data, lambda sheet: render_agreement(sheet, letterhead,
                                                                         paper))


def consent_form_pdf(user: User, category: str, patient_id: int | None = None) -> bytes:
    """The current consent form to sign on paper, blank or with the patient filled in."""
    from .documents.consent import render_consent

    sheet = signing.paper_sheet(user, category, patient_id)
    if patient_id is not None:
        audit.record_print(user, "consent_form", "patient", patient_id, f"{category} form")
    letterhead, paper = _page()
    return render_consent(sheet, letterhead, paper)


def consent_document_pdf(user: User, consent_id: int) -> bytes:
    """A consent as a PDF to preview or print: the stored PDF as it is, or a scanned image
    placed on a page."""
    from .documents.scan import render_scan

    content, media_type = signing.document_and_type(user, consent_id)
    audit.record_print(user, "consent", "consent", consent_id)
    if media_type == "application/pdf":
        return content
    return render_scan(content, f"Consent {consent_id} (scan)", clinic.paper_size())


def invoice_pdf(user: User, invoice_id: int, receipt: bool = False) -> bytes:
    """An invoice (or, once something is paid, a receipt) on the clinic's letterhead."""
    from .documents.invoice import render_invoice

    view = invoices.invoice_view(user, invoice_id)
    audit.record_print(user, "receipt" if receipt else "invoice", "invoice", invoice_id,
                       f"{'receipt' if receipt else 'invoice'} {view.number}")
    letterhead, paper = _page()
    return render_invoice(view, letterhead, dt.datetime.now(), user.display_name,
                          paper, receipt)


def daily_close_pdf(user: User, day: dt.date, cash_counted_cents: int | None = None) -> bytes:
    """The day's close, with the audit chain's head as it stands once the close is recorded
    (also written to the anchor file): an anchor on paper."""
    from .documents.daily_close import render_daily_close

    close = billing_reports.daily_close(user, day, cash_counted_cents)
    head = audit_anchor.head()
    audit_anchor.quietly(lambda: audit_anchor.append(head, "daily close",
                                                     audit_anchor.identity()))
    letterhead, paper = _page()
    return render_daily_close(close, letterhead, dt.datetime.now(), paper,
                              audit_head=head)


def sales_report_pdf(user: User, date_from: dt.date, date_to: dt.date) -> bytes:
    """The sales of ``date_from`` … ``date_to`` (inclusive; up to a year)."""
    from .documents.sales_report import render_sales_report

    report = billing_reports.sales_report(user, date_from, date_to)
    members = memberships_report.period_members(user, date_from, date_to)
    letterhead, paper = _page()
    return render_sales_report(report, letterhead, dt.datetime.now(), paper,
                               None if members.is_empty else members)


def staff_statement_pdf(user: User, date_from: dt.date, date_to: dt.date,
                        provider_id: int | None = None, *, everyone: bool = False) -> bytes:
    """The pay statement of one provider (``provider_id``; None: sales with no provider) or,
    with ``everyone``, of every provider with sales in the period, a page each."""
    from .documents.staff_statement import Statement, render_staff_statement

    pay = staff_pay.staff_pay(user, date_from, date_to)
    chosen = pay.providers if everyone else tuple(
        p for p in pay.providers if p.provider_id == provider_id)
    letterhead, paper = _page()
    pdf = render_staff_statement(Statement(
        letterhead, date_from, date_to, chosen, dt.datetime.now(), user.display_name,
        paper, pay.rate_lines()))
    audit.record_print(user, "staff_statement", "period", f"{date_from}..{date_to}",
                       "pay statement of " + (", ".join(p.provider for p in chosen) or "nobody"))
    return pdf


def _answer_text(kind: str, value: object) -> str:
    if kind == "yes_no":
        return {True: "Yes", False: "No"}.get(value, "")
    if kind == "fitzpatrick":
        return intake.FITZPATRICK.get(value, "")
    if isinstance(value, dt.date):
        return f"{value:%Y-%m-%d}"
    return str(value or "")


def period_text(date_from: dt.date, date_to: dt.date) -> str:
    """How the sales report names its period ("1–30 November 2026"), for the window's titles
    (without drawing anything: the renderers load when a PDF is made)."""
    from .documents.sales_report import period_text

    return period_text(date_from, date_to)


def report_pdf(user: User, title: str, period, shown, printed_at: dt.datetime | None = None
               ) -> bytes:
    """A page of the Reports tab (its figures as shown: ``services/reports/shapes.Shown``)
    for ``period`` (``services/reports/period.Period``), on the clinic's letterhead."""
    from .documents.report import render_report
    from .services.platform.permissions import require

    require(user, "reports.view")
    letterhead, paper = _page()
    return render_report(title, period.first, period.last, shown, letterhead,
                         printed_at or dt.datetime.now(), user.display_name,
                         paper)
