"""Alerts shown before booking or treating: what in the patient's record matters for this
service. Today: age (DOMAIN.md: injectables are contraindicated under 18) and an archived
chart; the patient-chart issue adds allergies and contraindications from the intake history.
"""

from __future__ import annotations

import datetime as dt

from ..store.models import CATEGORIES, Patient, Service, User
from .patients import age_on
from .permissions import require

ADULT_ONLY = ("neurotoxin", "filler", "mesotherapy")


def booking_alerts(actor: User, patient_id: int, service_id: int | None,
                   on: dt.date | None = None) -> list[str]:
    require(actor, "patient.read")
    patient = Patient.get_or_none(Patient.id == patient_id)
    if patient is None:
        return []
    alerts = []
    if patient.archived:
        alerts.append("This chart is archived.")
    service = Service.get_or_none(Service.id == service_id) if service_id else None
    age = age_on(patient.dob, on or dt.date.today())
    if service is not None and service.category in ADULT_ONLY and age < 18:
        alerts.append(f"Under 18 ({age}): {CATEGORIES[service.category]} treatments are "
                      "contraindicated.")
    elif age < 18:
        alerts.append(f"Minor ({age}): a guardian must consent.")
    return alerts
