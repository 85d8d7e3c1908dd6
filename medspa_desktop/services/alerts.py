"""Alerts shown before booking or treating: the chart's alerts banner (allergies, pregnancy,
isotretinoin, blood thinners, …) and the contraindications of this service's category for
this patient (``contraindications.RULES``), worded for the person at the desk."""

from __future__ import annotations

import datetime as dt

from ..store.models import Patient, Service, User
from . import contraindications, intake
from .patients import age_on
from .permissions import require


def patient_findings(actor: User, patient_id: int, category: str,
                     on: dt.date | None = None) -> list[contraindications.Finding]:
    require(actor, "patient.read")
    patient = Patient.get_or_none(Patient.id == patient_id)
    if patient is None:
        return []
    on = on or dt.date.today()
    answers = intake.current_answers(actor, patient_id)
    return contraindications.findings(answers, category, age_on(patient.dob, on), on)


def chart_banner(actor: User, patient_id: int, on: dt.date | None = None) -> list[str]:
    """The alerts banner shown on the chart and in the booking dialog."""
    require(actor, "patient.read")
    patient = Patient.get_or_none(Patient.id == patient_id)
    if patient is None:
        return []
    on = on or dt.date.today()
    items = contraindications.banner(intake.current_answers(actor, patient_id), on)
    if patient.archived:
        items.insert(0, "This chart is archived.")
    age = age_on(patient.dob, on)
    if age < 18:
        items.append(f"Minor ({age}): a guardian must consent.")
    return items


def booking_alerts(actor: User, patient_id: int, service_id: int | None,
                   on: dt.date | None = None) -> list[str]:
    """The banner plus this service's contraindications, each said once."""
    on = on or dt.date.today()
    items = chart_banner(actor, patient_id, on)
    service = Service.get_or_none(Service.id == service_id) if service_id else None
    if service is not None:
        for finding in patient_findings(actor, patient_id, service.category, on):
            if finding.message not in items:
                items.append(("Contraindicated: " if finding.blocking else "Caution: ")
                             + finding.message)
    return items
