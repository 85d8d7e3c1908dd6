"""Treatment records: what was done at a visit, in structured fields per modality (DOMAIN.md),
each with its unit, a hard range (refused outside it) and a usual range (outside it the
provider must confirm: a fluence above what the device is normally run at, 150 U of toxin).

Charting an injectable draws its units from stock in the same transaction, so the record, the
lot it used and the stock count can never disagree. "Same as last time" returns the patient's
previous parameters for the modality.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal

from ..store.database import db
from ..store.models import CATEGORIES, Appointment, Product, Service, TreatmentRecord, User
from . import audit, face_chart, inventory, treatment_amendments
from .errors import ConflictError, NotFound, ValidationError
from .permissions import require
from .text import clean_block


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    kind: str  # number | text | choice | product | points (a face chart)
    unit: str = ""
    low: float | None = None  # hard range: refused outside
    high: float | None = None
    usual_low: float | None = None  # usual range: confirm outside
    usual_high: float | None = None
    choices: tuple[str, ...] = ()
    required: bool = True
    step: Decimal | None = None  # points: doses in steps of this



LASER = (
    Field("device", "Device", "text"),
    Field("wavelength_nm", "Wavelength", "number", "nm", 400, 11000),
    Field("fluence", "Fluence", "number", "J/cm²", 0.1, 200, 1, 60),
    Field("spot_mm", "Spot size", "number", "mm", 0.5, 30),
    Field("pulse_ms", "Pulse width", "number", "ms", 0.001, 1000),
    Field("passes", "Passes", "number", "", 1, 10, 1, 4),
    Field("cooling", "Cooling", "choice", choices=("none", "contact", "cryogen spray", "air")),
    Field("test_spot", "Test spot", "choice", choices=("not done", "no reaction", "reaction")),
    Field("areas", "Areas treated", "text"),
    Field("skin_response", "Skin response", "text", required=False),
    Field("fitzpatrick", "Fitzpatrick type", "number", "", 1, 6),
)
MODALITIES: dict[str, tuple[Field, ...]] = {
    "neurotoxin": (
        Field("product_id", "Product", "product", choices=("toxin",)),
        Field("dilution_ml", "Dilution (saline per 100 U)", "number", "mL", 0.5, 10, 1, 4),
        Field("points", "Injection points", "points", "U", 0.5, 100, step=Decimal("0.5")),
        Field("total_units", "Total units", "number", "U", 1, 600, 2, 100),
        Field("sites", "Site notes", "text", required=False),
    ),
    "filler": (
        Field("product_id", "Product", "product", choices=("filler",)),
        Field("syringes", "Syringes", "number", "syringe", 0.5, 10, 0.5, 4),
        Field("total_ml", "Volume", "number", "mL", 0.1, 20, 0.1, 4),
        Field("technique", "Technique", "choice", choices=("needle", "cannula")),
        Field("depth", "Depth", "choice",
              choices=("intradermal", "subcutaneous", "supraperiosteal")),
        Field("points", "Injection sites", "points", "mL", 0.1, 5, step=Decimal("0.1")),
        Field("sites", "Site notes", "text", required=False),
    ),
    "laser_resurfacing": LASER,
    "laser_hair": LASER,
    "ipl": LASER,
    "pigment_vascular": LASER,
    "mesotherapy": (
        Field("solution", "Solution (ingredients)", "text"),
        Field("volume_ml", "Volume", "number", "mL", 0.1, 20, 0.5, 10),
        Field("area", "Area", "text"),
        Field("depth_mm", "Depth", "number", "mm", 0.5, 6),
        Field("points", "Points", "number", "", 1, 500),
        Field("technique", "Technique", "choice",
              choices=("nappage", "point by point", "papule", "gun")),
    ),
    "body_contouring": (
        Field("device", "Device", "text"),
        Field("applicator", "Applicator", "text"),
        Field("area", "Area", "text"),
        Field("cycles", "Cycles", "number", "", 1, 12),
        Field("settings", "Settings", "text", required=False),
    ),
    "peel_microneedling": (
        Field("agent", "Agent or device", "text"),
        Field("strength", "Strength", "text", required=False),
        Field("needle_depth_mm", "Needle depth", "number", "mm", 0, 3, required=False),
        Field("passes", "Passes", "number", "", 1, 10),
        Field("minutes", "Contact time", "number", "min", 0, 60, required=False),
    ),
    "acne_light": (
        Field("wavelength_nm", "Wavelength", "number", "nm", 400, 900),
        Field("minutes", "Exposure", "number", "min", 1, 60, 5, 30),
        Field("areas", "Areas", "text"),
    ),
}
STOCKED = {"neurotoxin": "total_units", "filler": "syringes"}  # drawn from the product's lot
CHARTED = {"neurotoxin": "total_units", "filler": "total_ml"}  # the face chart's sum


class NeedsConfirmation(ConflictError):
    """Values outside the usual range: the provider must confirm them."""


def _number(field: Field, value) -> float:
    try:
        number = float(Decimal(str(value)))
    except Exception:
        raise ValidationError(f"{field.label} must be a number.") from None
    if field.low is not None and not field.low <= number <= field.high:
        unit = f" {field.unit}" if field.unit else ""
        raise ValidationError(f"{field.label} must be between {field.low:g} and "
                              f"{field.high:g}{unit}.")
    return number


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def validate(modality: str, values: dict) -> tuple[dict, list[str]]:
    """Cleaned parameters and the values outside their usual range (to confirm)."""
    if modality not in MODALITIES:
        raise ValidationError("This treatment has no record form.")
    clean, unusual = {}, []
    for field in MODALITIES[modality]:
        raw = values.get(field.key)
        if raw is None or (isinstance(raw, str) and not raw.strip()) or raw == []:
            if field.kind == "points" and field.required:
                raise ValidationError("Place the injection points on the face chart.")
            if field.required:
                raise ValidationError(f"Enter the {field.label.lower()}.")
            continue
        if field.kind == "points":
            clean[field.key] = [p.as_json() for p in face_chart.clean_points(
                raw, unit=field.unit, low=field.low, high=field.high, step=field.step)]
        elif field.kind == "number":
            number = _number(field, raw)
            if field.usual_low is not None and not field.usual_low <= number <= field.usual_high:
                unusual.append(f"{field.label} {number:g} {field.unit}".strip()
                               + f" is outside the usual {field.usual_low:g}–"
                                 f"{field.usual_high:g}")
            clean[field.key] = number
        elif field.kind == "product":
            product = Product.get_or_none(Product.id == _int(raw))
            if product is None or product.kind not in field.choices:
                raise ValidationError(f"Choose the {field.choices[0]} product used.")
            clean[field.key] = product.id
        elif field.kind == "choice":
            if raw not in field.choices:
                raise ValidationError(f"Choose the {field.label.lower()}: "
                                      f"{', '.join(field.choices)}.")
            clean[field.key] = raw
        else:
            text = clean_block(str(raw))
            if len(text) > 2000:
                raise ValidationError(f"{field.label} must be at most 2000 characters.")
            clean[field.key] = text
    unknown = set(values) - {f.key for f in MODALITIES[modality]} - {"lot_id"}
    if unknown:
        raise ValidationError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    _check_chart_total(modality, clean)
    return clean, unusual


def _check_chart_total(modality: str, clean: dict) -> None:
    """The total must be what the face chart's points add up to."""
    key = CHARTED.get(modality)
    if key is None or not clean.get("points") or key not in clean:
        return
    field = next(f for f in MODALITIES[modality] if f.key == key)
    charted = sum((Decimal(str(p["amount"])) for p in clean["points"]), Decimal(0))
    if charted != Decimal(str(clean[key])):
        raise ValidationError(
            f"The face chart adds up to {face_chart.amount_text(charted, field.unit)}, but "
            f"the {field.label.lower()} says "
            f"{face_chart.amount_text(Decimal(str(clean[key])), field.unit)}.")


def record_treatment(actor: User, appointment_id: int, values: dict, *, aftercare: str = "",
                     confirm: bool = False, today: dt.date | None = None) -> TreatmentRecord:
    """Chart the visit. Values outside the usual range need ``confirm``; an injectable's units
    are drawn from stock (``values["lot_id"]`` or the soonest-expiring lot) in the same
    transaction, so a refused draw leaves no record."""
    require(actor, "treatment.write")
    appt = Appointment.get_or_none(Appointment.id == appointment_id)
    if appt is None:
        raise NotFound("That appointment does not exist.")
    if appt.status not in ("in_treatment", "completed", "checked_out"):  # late charting too
        raise ValidationError("Chart a treatment once it has started (the patient is in "
                              "treatment).")
    modality = appt.service.category
    clean, unusual = validate(modality, values)
    if unusual and not confirm:
        raise NeedsConfirmation("Please confirm: " + "; ".join(unusual) + ".")
    with db.atomic():
        if TreatmentRecord.select().where(TreatmentRecord.appointment == appt.id).exists():
            raise ValidationError("This visit is already charted.")
        if modality in STOCKED:
            product = Product.get_by_id(clean["product_id"])
            lot = inventory.draw(actor, product.id, Decimal(str(clean[STOCKED[modality]])),
                                 appointment_id=appt.id, lot_id=values.get("lot_id"),
                                 today=today)
            clean.update(product=product.name, lot=lot.lot_number, expiry=str(lot.expiry))
        record = TreatmentRecord.create(
            appointment=appt.id, patient=appt.patient_id, provider=appt.provider_id or actor.id,
            modality=modality, parameters=json.dumps(clean, ensure_ascii=False, sort_keys=True),
            aftercare=clean_block(aftercare), charted_by=actor, charted_at=dt.datetime.now())
        summary = ", ".join(f"{k}={len(v) if k == 'points' else v}"
                            for k, v in sorted(clean.items()) if k != "sites")
        audit.record(actor, "treatment.record", "appointment", appt.id,
                     (f"{modality}: {summary}" + (" (confirmed: " + "; ".join(unusual) + ")"
                                                  if unusual else ""))[:1000])
    return record


def parameters(record: TreatmentRecord) -> dict:
    return json.loads(record.parameters)


def same_as_last_time(actor: User, patient_id: int, modality: str) -> dict | None:
    """The patient's previous parameters for this modality (without lot and expiry, which
    belong to that visit), or None."""
    require(actor, "treatment.read")
    last = (TreatmentRecord.select()
            .where(TreatmentRecord.patient == patient_id, TreatmentRecord.modality == modality)
            .order_by(TreatmentRecord.charted_at.desc(), TreatmentRecord.id.desc()).first())
    if last is None:
        return None
    values = parameters(last)
    for key in ("lot", "expiry", "product"):
        values.pop(key, None)
    return values



def is_charted(actor: User, appointment_id: int) -> bool:
    require(actor, "treatment.read")
    return TreatmentRecord.select().where(TreatmentRecord.appointment == appointment_id).exists()


@dataclass(frozen=True)
class RecordView:
    """A charted visit as the printed record shows it."""

    appointment_id: int
    patient_id: int
    start: dt.datetime
    service: str
    modality: str  # label
    provider: str
    parameters: tuple[tuple[str, str], ...]  # (label, value with its unit)
    points: tuple[face_chart.Point, ...]
    unit: str  # of the points' doses
    product: str
    lot: str
    expiry: str
    aftercare: str
    charted_by: str
    charted_at: dt.datetime
    amendments: tuple[treatment_amendments.AmendmentView, ...] = ()  # oldest first


def _value_text(field: Field, value) -> str:
    if field.kind == "number":
        unit = "syringes" if field.unit == "syringe" and value != 1 else field.unit
        return f"{value:g} {unit}".strip()
    return str(value)


def record_view(actor: User, appointment_id: int) -> RecordView:
    """The visit's record, each parameter labelled and with its unit, for printing."""
    require(actor, "treatment.read")
    record = (TreatmentRecord.select(TreatmentRecord, Appointment, Service)
              .join(Appointment).join(Service)
              .where(TreatmentRecord.appointment == appointment_id).first())
    if record is None:
        raise NotFound("This visit has no treatment record yet.")
    values = parameters(record)
    fields = MODALITIES.get(record.modality, ())
    shown = []
    for field in fields:
        if field.key not in values or field.kind == "points":
            continue
        if field.kind == "product":
            shown.append((field.label, values.get("product", "")))
        else:
            shown.append((field.label, _value_text(field, values[field.key])))
    points_field = next((f for f in fields if f.kind == "points"), None)
    points = tuple(face_chart.Point(p["view"], p["x"], p["y"], p["site"],
                                    Decimal(str(p["amount"])))
                   for p in values.get("points", ()))
    appt = record.appointment
    return RecordView(
        appt.id, record.patient_id, appt.start, appt.service.name,
        CATEGORIES.get(record.modality, record.modality), record.provider.display_name,
        tuple(shown), points, points_field.unit if points_field else "",
        values.get("product", ""), values.get("lot", ""), values.get("expiry", ""),
        record.aftercare, record.charted_by.display_name, record.charted_at,
        amendments=treatment_amendments.amendments_of(record.id))


@dataclass(frozen=True)
class TreatmentBrief:
    appointment_id: int
    start: dt.datetime
    title: str  # "Neurotoxin: Botox Cosmetic"
    detail: str  # "24 U · lot C1 · Jo Kim, RN"


def patient_treatments(actor: User, patient_id: int) -> list[TreatmentBrief]:
    """The patient's charted treatments for the chart's timeline, newest first."""
    require(actor, "treatment.read")
    provider = User.alias()
    query = (TreatmentRecord
             .select(TreatmentRecord.appointment, Appointment.start, TreatmentRecord.modality,
                     Service.name, TreatmentRecord.parameters, provider.display_name)
             .join(Appointment).join(Service)
             .switch(TreatmentRecord).join(provider, on=TreatmentRecord.provider == provider.id)
             .where(TreatmentRecord.patient == patient_id)
             .order_by(Appointment.start.desc()).tuples())
    briefs = []
    for appointment_id, start, modality, service, raw, who in query:
        values = json.loads(raw)
        total_key = CHARTED.get(modality)
        unit = next((f.unit for f in MODALITIES.get(modality, ()) if f.key == total_key), "")
        parts = [face_chart.amount_text(values[total_key], unit)] if total_key in values \
            else [str(values.get("areas") or values.get("area") or "")]
        if values.get("lot"):
            parts.append(f"lot {values['lot']}")
        parts.append(who)
        briefs.append(TreatmentBrief(
            appointment_id, start,
            f"{CATEGORIES.get(modality, modality)}: {values.get('product') or service}",
            " · ".join(p for p in parts if p)))
    return briefs
