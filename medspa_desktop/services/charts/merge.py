"""Merging two charts of one person (after an import, a walk-in registered twice, a typo).

The kept chart becomes the patient's one chart; the other is archived with ``merged_into``
pointing to it ("merged into chart N"). Nothing is deleted, and it is one transaction, audited
on both charts with both chart numbers.

Every table with a foreign key to ``patient`` is handled, one of three ways (a test fails when
a new one is added without being listed here):

* ``MOVED``: rows that are still the schedule's (appointments, courses, the waitlist) are
  re-pointed to the kept chart, so booking, double-booking and "next appointment" see one
  patient;
* ``READ_THROUGH``: records that are final — charted treatments, signed notes, consents,
  photos, issued invoices, packages, intake answers, stock drawn, visits imported from the
  old system — stay exactly as they were
  written (the database refuses changing them, a signed note's fingerprint covers its chart,
  a consent's PDF names the chart it was signed on), and every read of "this patient's
  records" takes the kept chart and the charts merged into it (``patients.chart_ids``);
* ``OWN``: the name-search index, which belongs to each chart's own name (the merged chart
  stays findable under "Show archived"); the answers about being contacted, which stay on
  the chart they were given on (``messaging/contact_consent.py`` reads the latest of the kept
  chart and those merged into it); the outbox's messages, each sent (or to be sent) to the
  address it names and kept as it was.

Why not let the triggers allow changing ``patient_id``: see docs/domain.md, "Merging
duplicate charts".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ...store.database import db
from ...store.models import (
    AccountCredit,
    Appointment,
    Consent,
    ContactConsent,
    ImportedVisit,
    Invoice,
    MedicalAnswer,
    Membership,
    Note,
    OutboxMessage,
    Package,
    Patient,
    PatientNamePart,
    Photo,
    Series,
    StockMovement,
    TreatmentRecord,
    User,
    WaitlistEntry,
)
from ..platform import audit, changes, stale
from ..platform.errors import NotFound, ValidationError
from ..platform.permissions import require
from . import patients

# table -> the change-bus kind screens showing it follow
MOVED = {Appointment: "appointment", Series: "appointment", WaitlistEntry: "waitlist"}
READ_THROUGH = {TreatmentRecord: "treatment", Note: "note", Consent: "consent", Photo: "photo",
                Invoice: "invoice", Package: "prepaid", MedicalAnswer: "intake",
                StockMovement: "stock", ImportedVisit: "history", AccountCredit: "credit",
                Membership: "membership"}
OWN = (PatientNamePart, ContactConsent, OutboxMessage)

# how the comparison names each kind of row
KIND_LABELS = {Appointment: "appointments", Series: "courses", WaitlistEntry: "waitlist entries",
               TreatmentRecord: "treatment records", Note: "notes", Consent: "consents",
               Photo: "photos", Invoice: "invoices", Package: "packages",
               MedicalAnswer: "intake answers", StockMovement: "stock drawn or sold",
               ImportedVisit: "visits from the old system",
               AccountCredit: "credit on account entries", Membership: "memberships"}


@dataclass(frozen=True)
class ChartSummary:
    """One side of the comparison shown before a merge."""

    id: int
    chart_number: str
    name: str
    dob: dt.date
    sex: str
    phone: str
    email: str
    address: str
    emergency_contact: str
    created_at: dt.datetime
    archived: bool
    version: int
    counts: tuple[tuple[str, int], ...]  # (label, rows), every kind, in KIND_LABELS order


def summary(actor: User, patient_id: int) -> ChartSummary:
    """A chart's details and how many rows of each kind it holds (with those merged into it
    earlier), for choosing which of two charts to keep."""
    require(actor, "patient.read")
    p = Patient.get_or_none(Patient.id == patient_id)
    if p is None:
        raise NotFound("That patient does not exist.")
    ids = patients.chart_ids(patient_id)
    counts = tuple((label, model.select().where(model.patient.in_(ids)).count())
                   for model, label in KIND_LABELS.items())
    contact = " ".join(x for x in (p.emergency_contact_name,
                                   patients.format_phone(p.emergency_contact_phone)) if x)
    return ChartSummary(p.id, p.chart_number, patients.display_name(p), p.dob, p.sex,
                        patients.format_phone(p.phone), p.email, p.address, contact,
                        p.created_at, p.archived, p.version, counts)


def merge_patients(actor: User, keep_id: int, other_id: int, *, keep_version: int,
                   other_version: int) -> Patient:
    """Make ``other_id``'s chart part of ``keep_id``'s: its schedule moves, its final records
    are read through the kept chart, and it is archived pointing there. The versions are
    those the user compared; a chart changed since is refused."""
    require(actor, "patient.merge")
    if keep_id == other_id:
        raise ValidationError("Choose two different charts to merge.")
    with db.atomic():
        keep = Patient.get_or_none(Patient.id == keep_id)
        other = Patient.get_or_none(Patient.id == other_id)
        if keep is None or other is None:
            raise NotFound("That patient does not exist.")
        for chart in (keep, other):
            if chart.merged_into_id is not None:
                into = Patient.get_by_id(chart.merged_into_id)
                raise ValidationError(f"Chart {chart.chart_number} was already merged into "
                                      f"chart {into.chart_number}; use that chart.")
        if keep.archived:
            raise ValidationError(f"Chart {keep.chart_number} is archived: bring it back "
                                  "before keeping it, or keep the other chart.")
        for chart, version in ((keep, keep_version), (other, other_version)):
            if chart.version != version:
                stale.refuse(stale.last_change("patient", chart.id, patients.CHANGING_ACTIONS),
                             f"chart {chart.chart_number}",
                             " while you compared the charts; nothing was merged. They "
                             "are shown as they are now: compare them again.",
                             nobody=f"Chart {chart.chart_number} was changed")
        moved = {}
        for model in MOVED:
            moved[model] = (model.update(patient=keep_id)
                            .where(model.patient == other_id).execute())
        kept = {model: model.select().where(model.patient == other_id).count()
                for model in READ_THROUGH}
        now = dt.datetime.now()
        # charts merged into the other earlier now belong to the kept one (never a chain)
        earlier = [pid for (pid,) in Patient.select(Patient.id)
                   .where(Patient.merged_into == other_id).tuples()]
        if earlier:
            Patient.update(merged_into=keep_id, version=Patient.version + 1, updated_at=now) \
                .where(Patient.id.in_(earlier)).execute()
        Patient.update(merged_into=keep_id, archived=True, version=Patient.version + 1,
                       updated_at=now).where(Patient.id == other_id).execute()
        Patient.update(version=Patient.version + 1, updated_at=now) \
            .where(Patient.id == keep_id).execute()
        what = ", ".join(f"{n} {KIND_LABELS[m]}" for m, n in {**moved, **kept}.items() if n)
        both = f"chart {other.chart_number} merged into chart {keep.chart_number}"
        audit.record(actor, "patient.merge", "patient", keep_id,
                     f"{both} ({patients.display_name(other)}): {what or 'no records'}")
        audit.record(actor, "patient.merge", "patient", other_id,
                     f"{both}; archived")
        changes.note("patient", keep_id, other_id, *earlier)
        for kind in {*MOVED.values(), *READ_THROUGH.values()}:
            changes.note(kind)
    return Patient.get_by_id(keep_id)


def merged_into(patient: Patient) -> Patient | None:
    """The chart ``patient`` was merged into, if it was."""
    if patient.merged_into_id is None:
        return None
    return Patient.get_or_none(Patient.id == patient.merged_into_id)
