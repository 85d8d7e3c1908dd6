"""The treatment log: every charted treatment across patients, filtered and sorted in the
database (so a lazily loaded list over ten years stays correct and quick), and exported."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import JOIN

from ...store.models import (
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
from ..charts.patients import listed_name
from ..platform import exports
from ..platform.permissions import require
from ..platform.query import between_days, patient_named
from .inventory import show

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
    record_id: int = 0  # with sort_value: where the next page starts (``after``)
    sort_value: object = None
    movement_id: int | None = None  # a dose drawn from two lots is a row per lot


def _query(f: LogFilter, sort: str, descending: bool, after: LogRow | None = None):
    provider = User.alias()
    key = {"date": Appointment.start, "patient": Patient.search_name,
           "provider": provider.display_name, "modality": TreatmentRecord.modality}[sort]
    q = (TreatmentRecord
         .select(TreatmentRecord.appointment, Appointment.start, Patient.first_name,
                 Patient.last_name, Patient.preferred_name, provider.display_name,
                 TreatmentRecord.modality, Service.name, Product.name, Product.unit,
                 Lot.lot_number, StockMovement.change_centi, TreatmentRecord.id, key,
                 StockMovement.id)
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
    if after is not None:
        # Seek past the last row shown instead of counting an OFFSET of rows again: the
        # hundredth page costs what the first does.
        # The first condition alone is what an index can seek on: without it SQLite walks
        # the index from the top through every row shown before.
        if descending:
            q = q.where(key <= after.sort_value)
            beyond = key < after.sort_value
        else:
            q = q.where(key >= after.sort_value)
            beyond = key > after.sort_value
        q = q.where(beyond | ((key == after.sort_value) & (
            (Appointment.start < after.at)
            | ((Appointment.start == after.at) & (
                (TreatmentRecord.id < after.record_id)
                | ((TreatmentRecord.id == after.record_id)
                   & (StockMovement.id < after.movement_id)))))))
    order = key.desc() if descending else key.asc()
    return q.order_by(order, Appointment.start.desc(), TreatmentRecord.id.desc(),
                      StockMovement.id.desc()).tuples()


def _rows(tuples) -> list[LogRow]:
    rows = []
    for (appt, start, first, last, preferred, provider, modality, service, product, unit,
         lot, change, record_id, sort_value, movement_id) in tuples:
        name = listed_name(first, last, preferred)
        dose = show(-change, unit) if change is not None and unit else ""
        rows.append(LogRow(appt, start, name, provider, CATEGORIES.get(modality, modality),
                           service, product or "", lot or "", dose, record_id, sort_value,
                           movement_id))
    return rows


def treatment_log(actor: User, f: LogFilter, *, sort: str = "date", descending: bool = True,
                  offset: int = 0, limit: int = 200, after: LogRow | None = None
                  ) -> list[LogRow]:
    """One page of the filtered log (newest first by default): the rows that follow
    ``after`` (the last row of the page before, same filter and order), else from ``offset``.
    """
    require(actor, "treatment.read")
    if sort not in SORTS:
        raise ValueError(sort)
    q = _query(f, sort, descending, after)
    return _rows((q if after is not None else q.offset(offset)).limit(limit))


def log_csv(actor: User, f: LogFilter, *, sort: str = "date", descending: bool = True) -> str:
    """The whole filtered log as CSV (not only the rows loaded on screen)."""
    require(actor, "treatment.read")
    rows = _rows(_query(f, sort, descending))
    return exports.csv_text(("Date", "Patient", "Provider", "Modality", "Service", "Product",
                             "Lot", "Dose"),
                            ((r.at, r.patient, r.provider, r.modality, r.service, r.product,
                              r.lot, r.dose) for r in rows))


