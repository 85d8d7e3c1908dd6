"""The audit log, for the people who review it (admin, medical director): events newest
first, filtered by date, user, kind of action and patient, and exported to CSV. Reading the
log and exporting it are themselves audited.

A patient's events are the ones on the patient's own record (chart opened, printed, consent
signed, intake…) and on the records that belong to them: appointments, notes, photos,
consents and invoices.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ...store.database import db
from ...store.models import (
    Appointment,
    AuditEvent,
    Consent,
    Invoice,
    Note,
    Patient,
    Photo,
    User,
)
from . import audit, audit_words
from .exports import csv_text
from .permissions import require
from .query import between_days, patient_named

# What the action filter offers: a label and the action names' first parts.
ACTION_GROUPS: dict[str, tuple[str, ...]] = {
    "Sign-ins, locks and failed sign-ins": ("login", "lock", "unlock"),
    "Charts opened and changed": ("patient", "intake"),
    "Appointments": ("appointment", "series", "waitlist", "block"),
    "Notes": ("note",),
    "Treatments and stock": ("treatment", "stock", "product"),
    "Photos": ("photo",),
    "Consents": ("consent",),
    "Billing": ("invoice", "payment", "package", "gift_card"),
    "Reports and printouts": ("report", "print"),
    "Staff, settings and permissions": ("user", "settings", "provider", "service", "room",
                                        "device", "clinic"),
    "Backups and the audit log": ("backup", "audit"),
}
MAX_EXPORT_ROWS = 1_000_000


@dataclass(frozen=True)
class AuditFilter:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    username: str = ""
    group: str = ""  # a key of ACTION_GROUPS
    patient: str = ""  # any part of the name, or the chart number


@dataclass(frozen=True)
class AuditRow:
    """One event as stored (``username``, ``action``, ``record``, ``summary``: what the chain
    hashes, kept for the tooltip and the CSV) and as an owner reads it (``who``, ``what``,
    ``about``, ``details``)."""

    id: int
    at: dt.datetime
    username: str
    action: str
    record: str  # "patient 12"
    summary: str
    who: str = ""  # "Ada Admin"
    what: str = ""  # "Chart opened"
    about: str = ""  # "Ng, Zoë (chart 000158)"
    details: str = ""  # the summary with amounts as money and dates as people write them


def _patient_ids(text: str) -> list[int]:
    text = text.strip()
    if text.isdigit():
        return [i for (i,) in Patient.select(Patient.id)
                .where(Patient.chart_number == text.zfill(6)).tuples()]
    return [i for (i,) in patient_named(Patient.select(Patient.id), text).limit(50).tuples()]


def _about_patients(ids: list[int]):
    """The events on these patients' records and the records that belong to them."""
    def named(model, ids_of):
        return [str(i) for (i,) in model.select(model.id).where(ids_of.in_(ids)).tuples()]

    condition = (AuditEvent.record_type == "patient") & AuditEvent.record_id.in_(
        [str(i) for i in ids])
    for record_type, model, column in (("appointment", Appointment, Appointment.patient),
                                       ("note", Note, Note.patient),
                                       ("photo", Photo, Photo.patient),
                                       ("consent", Consent, Consent.patient),
                                       ("invoice", Invoice, Invoice.patient)):
        owned = named(model, column)
        if owned:
            condition |= (AuditEvent.record_type == record_type) & AuditEvent.record_id.in_(
                owned)
    return condition


def _query(f: AuditFilter):
    q = AuditEvent.select(AuditEvent.id, AuditEvent.at, AuditEvent.username,
                          AuditEvent.action, AuditEvent.record_type, AuditEvent.record_id,
                          AuditEvent.summary)
    q = between_days(q, AuditEvent.at, f.date_from, f.date_to)
    if f.username.strip():
        q = q.where(AuditEvent.username == f.username.strip().lower())
    if f.group:
        prefixes = ACTION_GROUPS[f.group]
        condition = None
        for prefix in prefixes:
            part = (AuditEvent.action == prefix) | AuditEvent.action.startswith(f"{prefix}.")
            condition = part if condition is None else condition | part
        q = q.where(condition)
    if f.patient.strip():
        ids = _patient_ids(f.patient)
        if not ids:
            return None
        q = q.where(_about_patients(ids))
    return q.order_by(AuditEvent.id.desc())


def _rows(q, offset: int, limit: int) -> list[AuditRow]:
    return [AuditRow(i, at, who, action, f"{kind} {rid}".strip(), summary)
            for i, at, who, action, kind, rid, summary in
            q.offset(offset).limit(limit).tuples()]


def _readable_page(q, offset: int, limit: int) -> list[AuditRow]:
    """A page of rows with the words an owner reads: one lookup per kind of record on the
    page (users, patients, appointments…), never one per row."""
    raw = q.offset(offset).limit(limit).tuples()
    rows = [(i, at, who, action, kind, rid, summary)
            for i, at, who, action, kind, rid, summary in raw]
    people = audit_words.user_names({who for _i, _at, who, *_rest in rows})
    records = audit_words.record_names({(kind, rid) for *_f, kind, rid, _s in rows})
    return [AuditRow(i, at, who, action, f"{kind} {rid}".strip(), summary,
                     audit_words.who(who, people), audit_words.action_words(action),
                     records.get((kind, rid)) or audit_words.record_words(kind, rid),
                     audit_words.summary_words(action, summary))
            for i, at, who, action, kind, rid, summary in rows]


def events(actor: User, f: AuditFilter = AuditFilter(), *, offset: int = 0,
           limit: int = 200) -> list[AuditRow]:
    """A page of the log, newest first. Opening the review (the first page) is audited."""
    require(actor, "audit.read")
    if offset == 0:
        with db.atomic():
            audit.record(actor, "audit.view", "audit", "", _describe(f))
    q = _query(f)
    return [] if q is None else _readable_page(q, offset, limit)


def export_csv(actor: User, f: AuditFilter = AuditFilter()) -> str:
    """Every event the filter shows, as CSV (audited)."""
    require(actor, "audit.read")
    q = _query(f)
    rows = [] if q is None else _rows(q, 0, MAX_EXPORT_ROWS)
    with db.atomic():
        audit.record(actor, "audit.export", "audit", "", f"{len(rows)} events: {_describe(f)}")
    return csv_text(("Event", "When", "User", "Action", "Record", "Summary"),
                    ((r.id, r.at.strftime("%Y-%m-%d %H:%M:%S"), r.username, r.action,
                      r.record, r.summary) for r in rows))


def _describe(f: AuditFilter) -> str:
    parts = [f"from {f.date_from}" if f.date_from else "", f"to {f.date_to}" if f.date_to else "",
             f"user {f.username}" if f.username else "", f.group,
             f"patient '{f.patient}'" if f.patient else ""]
    return ", ".join(p for p in parts if p) or "everything"


def usernames(actor: User) -> list[str]:
    require(actor, "audit.read")
    return [u for (u,) in User.select(User.username).order_by(User.username).tuples()]
