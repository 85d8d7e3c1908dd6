"""The treatment log: every charted treatment across patients, filtered and sorted in the
database (so a lazily loaded list over ten years stays correct and quick), and exported."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import JOIN

from ..store.models import (
    CATEGORIES,
    Appointment,
    Lot,
    Patient,
    Product,
    Service,
    StockMovement,
    TreatmentRecord,
    User,
)
from . import exports
from .inventory import show
from .permissions import require
from .query import between_days, patient_named

SORTS = ("date", "patient", "provider", "modality")


@dataclass(frozen=True)
class LogFilter:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    provider_id: int | None = None
    modality: str | None = None
    product_id: int | None = None
    lot_number: str = ""
    patient: str = ""  # any part of the name


@dataclass(frozen=True)
class LogRow:
    appointment_id: int
    at: dt.datetime
    patient: str
    provider: str
    modality: str  # label
    service: str
    product: str
    lot: str
    dose: str


def _query(f: LogFilter, sort: str, descending: bool):
    provider = User.alias()
    q = (TreatmentRecord
         .select(TreatmentRecord.appointment, Appointment.start, Patient.first_name,
                 Patient.last_name, Patient.preferred_name, provider.display_name,
                 TreatmentRecord.modality, Service.name, Product.name, Product.unit,
                 Lot.lot_number, StockMovement.change_centi)
         .join(Appointment, on=TreatmentRecord.appointment == Appointment.id)
         .join(Service, on=Appointment.service == Service.id)
         .switch(TreatmentRecord).join(Patient, on=TreatmentRecord.patient == Patient.id)
         .switch(TreatmentRecord).join(provider, on=TreatmentRecord.provider == provider.id)
         .switch(TreatmentRecord)
         .join(StockMovement, JOIN.LEFT_OUTER,
               on=((StockMovement.appointment == TreatmentRecord.appointment)
                   & (StockMovement.kind == "use")))
         .join(Lot, JOIN.LEFT_OUTER, on=StockMovement.lot == Lot.id)
         .join(Product, JOIN.LEFT_OUTER, on=Lot.product == Product.id))
    q = between_days(q, Appointment.start, f.date_from, f.date_to)
    if f.provider_id:
        q = q.where(TreatmentRecord.provider == f.provider_id)
    if f.modality:
        q = q.where(TreatmentRecord.modality == f.modality)
    if f.product_id:
        q = q.where(Product.id == f.product_id)
    if f.lot_number.strip():
        q = q.where(Lot.lot_number == f.lot_number.strip().upper())
    q = patient_named(q, f.patient)
    key = {"date": Appointment.start, "patient": Patient.search_name,
           "provider": provider.display_name, "modality": TreatmentRecord.modality}[sort]
    order = key.desc() if descending else key.asc()
    return q.order_by(order, Appointment.start.desc(), TreatmentRecord.id.desc()).tuples()


def _rows(tuples) -> list[LogRow]:
    rows = []
    for (appt, start, first, last, preferred, provider, modality, service, product, unit,
         lot, change) in tuples:
        name = f"{last}, {first}" + (f" ({preferred})" if preferred else "")
        dose = show(-change, unit) if change is not None and unit else ""
        rows.append(LogRow(appt, start, name, provider, CATEGORIES.get(modality, modality),
                           service, product or "", lot or "", dose))
    return rows


def treatment_log(actor: User, f: LogFilter, *, sort: str = "date", descending: bool = True,
                  offset: int = 0, limit: int = 200) -> list[LogRow]:
    """One page of the filtered log (newest first by default)."""
    require(actor, "treatment.read")
    if sort not in SORTS:
        raise ValueError(sort)
    return _rows(_query(f, sort, descending).offset(offset).limit(limit))


def log_csv(actor: User, f: LogFilter, *, sort: str = "date", descending: bool = True) -> str:
    """The whole filtered log as CSV (not only the rows loaded on screen)."""
    require(actor, "treatment.read")
    rows = _rows(_query(f, sort, descending))
    return exports.csv_text(("Date", "Patient", "Provider", "Modality", "Service", "Product",
                             "Lot", "Dose"),
                            ((r.at, r.patient, r.provider, r.modality, r.service, r.product,
                              r.lot, r.dose) for r in rows))


