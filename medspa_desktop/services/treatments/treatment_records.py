"""Treatment records: what was done at a visit, in structured fields per modality
(docs/domain.md), each with its unit, a hard range (refused outside it) and a usual range
(outside it the provider must confirm: a fluence above what the device is normally run at,
150 U of toxin).

Charting an injectable (a toxin, a filler, a mesotherapy solution) draws it from stock in the
product's own unit in the same transaction, first-expiry-first across lots, so the record, the
lots it used and the stock count can never disagree. A neurotoxin charted within the clinic's
re-treatment interval of the patient's last one needs the provider's reason. "Same as last
time" returns the patient's previous parameters for the modality.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal

from peewee import fn

from ...store.database import db
from ...store.models import (
    CATEGORIES,
    Appointment,
    Product,
    Service,
    TreatmentRecord,
    User,
)
from ..charts.patients import chart_ids, chart_owners
from ..clinic import clinical_periods
from ..platform import audit, changes, stale
from ..platform.errors import (
    CONFIRMATION,
    ConflictError,
    NeedsAnswer,
    NotFound,
    StaleEditError,
    ValidationError,
    answer,
)
from ..platform.permissions import require
from ..platform.staff import signed_name_of
from ..platform.text import clean_block, clean_line
from ..platform.vocabulary import STARTED_STATUSES, ProductKind
from . import face_chart, inventory, treatment_amendments


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
    whole: bool = False  # a count (passes, cycles, a skin type): no decimals



LASER = (
    Field("device", "Device", "text"),
    Field("wavelength_nm", "Wavelength", "number", "nm", 400, 11000),
    Field("fluence", "Fluence", "number", "J/cm²", 0.1, 200, 1, 60),
    Field("spot_mm", "Spot size", "number", "mm", 0.5, 30),
    Field("pulse_ms", "Pulse width", "number", "ms", 0.001, 1000),
    Field("passes", "Passes", "number", "", 1, 10, 1, 4, whole=True),
    Field("cooling", "Cooling", "choice", choices=("none", "contact", "cryogen spray", "air")),
    Field("test_spot", "Test spot", "choice", choices=("not done", "no reaction", "reaction")),
    Field("areas", "Areas treated", "text"),
    Field("skin_response", "Skin response", "text", required=False),
    Field("fitzpatrick", "Fitzpatrick type", "number", "", 1, 6, whole=True),
)
MODALITIES: dict[str, tuple[Field, ...]] = {
    "neurotoxin": (
        Field("product_id", "Product", "product", choices=(ProductKind.TOXIN,)),
        Field("dilution_ml", "Dilution (saline per 100 U)", "number", "mL", 0.5, 10, 1, 4),
        Field("points", "Injection points", "points", "U", 0.5, 100, step=Decimal("0.5")),
        Field("total_units", "Total units", "number", "U", 1, 600, 2, 100),
        Field("sites", "Site notes", "text", required=False),
    ),
    "filler": (
        Field("product_id", "Product", "product", choices=(ProductKind.FILLER,)),
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
        Field("product_id", "Product", "product", choices=(ProductKind.SOLUTION,)),
        Field("solution", "Solution (ingredients)", "text", required=False),
        Field("volume_ml", "Volume", "number", "mL", 0.1, 20, 0.5, 10),
        Field("area", "Area", "text"),
        Field("depth_mm", "Depth", "number", "mm", 0.5, 6),
        Field("points", "Points", "number", "", 1, 500, whole=True),
        Field("technique", "Technique", "choice",
              choices=("nappage", "point by point", "papule", "gun")),
    ),
    "body_contouring": (
        Field("device", "Device", "text"),
        Field("applicator", "Applicator", "text"),
        Field("area", "Area", "text"),
        Field("cycles", "Cycles", "number", "", 1, 12, whole=True),
        Field("settings", "Settings", "text", required=False),
    ),
    "peel_microneedling": (
        Field("agent", "Agent or device", "text"),
        Field("strength", "Strength", "text", required=False),
        Field("needle_depth_mm", "Needle depth", "number", "mm", 0, 3, required=False),
        Field("passes", "Passes", "number", "", 1, 10, whole=True),
        Field("minutes", "Contact time", "number", "min", 0, 60, required=False),
    ),
    "acne_light": (
        Field("wavelength_nm", "Wavelength", "number", "nm", 400, 900),
        Field("minutes", "Exposure", "number", "min", 1, 60, 5, 30),
        Field("areas", "Areas", "text"),
    ),
}
# What is drawn from stock, by the product's unit: a filler stocked in mL draws the mL injected,
# one stocked in syringes the syringes.
STOCKED = {"neurotoxin": {"U": "total_units"},
           "filler": {"syringe": "syringes", "mL": "total_ml"},
           "mesotherapy": {"mL": "volume_ml"}}
CHARTED = {"neurotoxin": "total_units", "filler": "total_ml"}  # the face chart's sum


class NeedsConfirmation(NeedsAnswer, ConflictError):
    """Values outside the usual range: the provider must confirm them."""

    key = "treatment.unusual"
    kind = CONFIRMATION
    title = "Please confirm"


class NeedsReason(NeedsAnswer, ConflictError):
    """A neurotoxin inside the clinic's re-treatment interval of the patient's last one: the
    provider must give the reason (``record_treatment(..., reason=...)``)."""

    key = "toxin.interval"
    title = "Inside the re-treatment interval"
    prompt = "Reason (kept on the record):"
    unanswered = "Not saved: a neurotoxin inside the re-treatment interval needs the reason."

    def __init__(self, message: str, last: LastToxin, interval_days: int) -> None:
        super().__init__(message)
        self.last = last
        self.interval_days = interval_days


def _number(field: Field, value) -> float:
    try:
        number = float(Decimal(str(value)))
    except Exception:
        raise ValidationError(f"{field.label} must be a number.") from None
    if field.low is not None and not field.low <= number <= field.high:
        unit = f" {field.unit}" if field.unit else ""
        raise ValidationError(f"{field.label} must be between {field.low:g} and "
                              f"{field.high:g}{unit}.")
    if field.whole and number != int(number):
        raise ValidationError(f"{field.label} must be a whole number ({number:g} is not).")
    return int(number) if field.whole else number


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
            if field.kind == "product":
                raise ValidationError(f"Choose the {field.choices[0]} product used.")
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
                     confirm: bool = False, reason: str = "",
                     today: dt.date | None = None, answers=None,
                     now: dt.datetime | None = None) -> TreatmentRecord:
    """Chart the visit. Values outside the usual range need ``confirm``; a neurotoxin inside
    the re-treatment interval needs ``reason`` (kept in the record and audited); both may
    come as ``answers`` to the refusals that ask for them. An
    injectable is drawn from stock in the product's unit (``values["lot_id"]`` first, then
    the soonest-expiring lots) in the same transaction, so a refused draw leaves no record.
    ``now`` is when it is charted (the clock unless given: the demo charts its past visits)."""
    require(actor, "treatment.write")
    confirm = confirm or bool(answer(answers, NeedsConfirmation.key, False))
    reason = reason or answer(answers, NeedsReason.key)
    appt = Appointment.get_or_none(Appointment.id == appointment_id)
    if appt is None:
        raise NotFound("That appointment does not exist.")
    if appt.status not in STARTED_STATUSES:  # late charting too
        raise ValidationError("Chart a treatment once it has started (the patient is in "
                              "treatment).")
    modality = appt.service.category
    clean, unusual = validate(modality, values)
    if unusual and not confirm:
        raise NeedsConfirmation("Please confirm: " + "; ".join(unusual) + ".")
    reason = clean_line(reason)[:500]
    too_soon = _too_soon(appt) if modality == "neurotoxin" else None
    if too_soon is not None:
        last, days = too_soon
        if not reason:
            raise NeedsReason(f"{last.text(appt.start.date())}, inside the clinic's "
                              f"{days}-day re-treatment interval. Give the reason to treat "
                              "again now.", last, days)
        clean["interval_reason"] = reason
        clean["interval_last"] = last.text(appt.start.date())
    with db.atomic():
        charted = TreatmentRecord.get_or_none(TreatmentRecord.appointment == appt.id)
        if charted is not None:  # e.g. on another PC while this one's form was open
            by = stale.last_change("appointment", appt.id, ("treatment.record",))
            if by is None:  # charted before the log said so: the record's own provider
                by = stale.change_by(charted.provider_id,
                                     User.get_by_id(charted.provider_id).display_name,
                                     charted.charted_at)
            raise StaleEditError(
                f"{by.sentence('this visit', verb='charted')}; nothing was saved. Their "
                "record is on the patient's timeline; a correction to it is an amendment.",
                changed_by=by)
        if modality in STOCKED:
            product = Product.get_by_id(clean["product_id"])
            key = STOCKED[modality].get(product.unit)
            if key is None:
                units = " or ".join(STOCKED[modality])
                raise ValidationError(f"{product.name} is counted in {product.unit}; this "
                                      f"record draws it in {units}.")
            drawn = inventory.draw(actor, product.id, Decimal(str(clean[key])),
                                   appointment_id=appt.id, lot_id=values.get("lot_id"),
                                   today=today, now=now)
            clean.update(product=product.name, lots=[
                {"lot": d.lot.lot_number, "expiry": str(d.lot.expiry),
                 "amount": float(inventory.from_centi(d.centi)), "unit": product.unit}
                for d in drawn])
        record = TreatmentRecord.create(
            appointment=appt.id, patient=appt.patient_id, provider=appt.provider_id or actor.id,
            modality=modality, parameters=json.dumps(clean, ensure_ascii=False, sort_keys=True),
            aftercare=clean_block(aftercare), charted_by=actor, charted_at=now or dt.datetime.now())
        summary = ", ".join(f"{k}={_summary_value(k, v)}"
                            for k, v in sorted(clean.items())
                            if k not in ("sites", "interval_reason", "interval_last"))
        audit.record(actor, "treatment.record", "appointment", appt.id,
                     (f"{modality}: {summary}" + (" (confirmed: " + "; ".join(unusual) + ")"
                                                  if unusual else ""))[:1000])
        changes.note("treatment", appt.id)
        if too_soon is not None:
            audit.record(actor, "treatment.interval", "appointment", appt.id,
                         f"{clean['interval_last']}; charted inside the {too_soon[1]}-day "
                         f"interval because: {reason}"[:1000])
    return record


def _summary_value(key: str, value) -> object:
    """The audit summary's text of a parameter: a face chart by its number of points, the
    lots drawn by number and amount."""
    if key == "lots":
        return "; ".join(f"{x['lot']} {x['amount']:g} {x['unit']}" for x in value)
    if isinstance(value, list):
        return f"{len(value)} points"
    return value


def lots_of(values: dict) -> list[dict]:
    """The lots a record drew, each ``{"lot", "expiry", "amount", "unit"}``; a record charted
    before draws could span lots has one ``lot`` and ``expiry`` and no amount."""
    if values.get("lots"):
        return list(values["lots"])
    if values.get("lot"):
        return [{"lot": values["lot"], "expiry": values.get("expiry", ""), "amount": None,
                 "unit": ""}]
    return []


# -- the neurotoxin re-treatment interval (clinical_periods.toxin_interval_days, a setting) ----
@dataclass(frozen=True)
class LastToxin:
    """The patient's last charted neurotoxin (any brand)."""

    appointment_id: int
    on: dt.date
    product: str
    units: str  # "24 U"

    def text(self, day: dt.date) -> str:
        """ "Last neurotoxin: Botox Cosmetic 24 U on 3 Oct 2026 (62 days ago)", counted back
        from ``day``."""
        gap = (day - self.on).days
        ago = "the same day" if gap == 0 else f"{gap} day{'s' if gap != 1 else ''} ago"
        return (f"Last neurotoxin: {self.product} {self.units} on "
                f"{self.on.day} {self.on:%b %Y} ({ago})")


def _last_toxin(patient_id: int, before: dt.datetime,
                other_than: int | None = None) -> LastToxin | None:
    query = (TreatmentRecord.select(TreatmentRecord.appointment, Appointment.start,
                                    TreatmentRecord.parameters)
             .join(Appointment)
             .where(TreatmentRecord.patient.in_(chart_ids(patient_id)),
                    TreatmentRecord.modality == "neurotoxin", Appointment.start < before))
    if other_than is not None:
        query = query.where(TreatmentRecord.appointment != other_than)
    row = query.order_by(Appointment.start.desc(), TreatmentRecord.id.desc()).tuples().first()
    return None if row is None else _toxin_of(*row)


def _toxin_of(appointment_id: int, start: dt.datetime, raw: str) -> LastToxin:
    values = json.loads(raw)
    units = face_chart.amount_text(values["total_units"], "U") if "total_units" in values \
        else ""
    return LastToxin(appointment_id, start.date(), values.get("product", "neurotoxin"), units)


def _too_soon(appt: Appointment) -> tuple[LastToxin, int] | None:
    """The last neurotoxin before this visit and the interval, when it is inside it."""
    last = _last_toxin(appt.patient_id, appt.start, other_than=appt.id)
    if last is None:
        return None
    days = clinical_periods.toxin_interval_days()
    return (last, days) if (appt.start.date() - last.on).days < days else None


def interval_alerts(actor: User, patient_id: int, category: str | None,
                    on: dt.date) -> list[str]:
    """Booking (or seeing) a neurotoxin visit on ``on`` within the clinic's interval of the
    patient's last one: the warning, with that visit's date, brand and units."""
    require(actor, "patient.read")
    if category != "neurotoxin":
        return []
    last = _last_toxin(patient_id, dt.datetime.combine(on, dt.time.min))
    if last is None:
        return []
    return _interval_alert(last, on, clinical_periods.toxin_interval_days())


def interval_alerts_of(actor: User, visits, *, owners: dict[int, int] | None = None,
                       days: int | None = None) -> dict[tuple[int, dt.date], list[str]]:
    """``interval_alerts`` of many neurotoxin visits ((patient id, day) pairs: a day's
    schedule) in three queries, keyed by those pairs; one when the caller has read the
    patients' ``chart_owners`` (``owners``, any superset) and the clinic's interval
    (``days``)."""
    require(actor, "patient.read")
    visits = set(visits)
    if not visits:
        return {}
    if owners is None:
        owners = chart_owners(p for p, _ in visits)
    else:
        mine = {p for p, _ in visits}
        owners = {chart: into for chart, into in owners.items() if into in mine}
    before = dt.datetime.combine(max(on for _, on in visits), dt.time.min)
    rows = (TreatmentRecord.select(TreatmentRecord.patient, TreatmentRecord.appointment,
                                   Appointment.start, TreatmentRecord.parameters)
            .join(Appointment)
            # by the patients' index: the modality through COALESCE so that no planner
            # without statistics (a clinic file is never ANALYZEd) walks every neurotoxin
            # record ever through the modality index instead (26 ms of a 30 ms day at scale 1)
            .where(TreatmentRecord.patient.in_(list(owners)),
                   fn.COALESCE(TreatmentRecord.modality, "") == "neurotoxin",
                   Appointment.start < before)
            .order_by(Appointment.start.desc(), TreatmentRecord.id.desc()).tuples())
    newest_first: dict[int, list[tuple]] = {}
    for chart_id, *row in rows:
        newest_first.setdefault(owners[chart_id], []).append(row)
    days = days if days is not None else clinical_periods.toxin_interval_days()
    found = {}
    for patient_id, on in visits:
        start = dt.datetime.combine(on, dt.time.min)
        row = next((r for r in newest_first.get(patient_id, ()) if r[1] < start), None)
        found[(patient_id, on)] = [] if row is None else _interval_alert(_toxin_of(*row), on,
                                                                         days)
    return found


def _interval_alert(last: LastToxin, on: dt.date, days: int) -> list[str]:
    gap = (on - last.on).days
    if gap >= days:
        return []
    return [f"Last neurotoxin: {last.product} {last.units} on {last.on.day} {last.on:%b %Y}, "
            f"{gap} days before this visit (the clinic's re-treatment interval is "
            f"{days} days)."]


def parameters(record: TreatmentRecord) -> dict:
    return json.loads(record.parameters)


def same_as_last_time(actor: User, patient_id: int, modality: str) -> dict | None:
    """The patient's previous parameters for this modality (without lot and expiry, which
    belong to that visit), or None."""
    require(actor, "treatment.read")
    last = (TreatmentRecord.select()
            .where(TreatmentRecord.patient.in_(chart_ids(patient_id)), TreatmentRecord.modality == modality)
            .order_by(TreatmentRecord.charted_at.desc(), TreatmentRecord.id.desc()).first())
    if last is None:
        return None
    values = parameters(last)
    for key in ("lot", "lots", "expiry", "product", "interval_reason", "interval_last"):
        values.pop(key, None)
    return values



def charted_values(actor: User, appointment_id: int) -> tuple[dict, str] | None:
    """The values charted on the visit, as the charting form fills them, and the aftercare
    given; None when it is not charted (the form shows them after a stale save)."""
    require(actor, "treatment.read")
    record = TreatmentRecord.get_or_none(TreatmentRecord.appointment == appointment_id)
    if record is None:
        return None
    values = parameters(record)
    for key in ("lot", "lots", "expiry", "product", "interval_reason", "interval_last"):
        values.pop(key, None)
    return values, record.aftercare


def is_charted(actor: User, appointment_id: int) -> bool:
    require(actor, "treatment.read")
    return TreatmentRecord.select().where(TreatmentRecord.appointment == appointment_id).exists()


@dataclass(frozen=True)
class RecordView:
    """A charted visit as the printed record shows it. ``lot`` and ``expiry`` print as
    "{lot}, expires {expiry}": a draw from several lots names each with its amount, the last
    lot's expiry left for ``expiry`` ("C1 (10 U), expires 2027-01-31; C2 (14 U)" and
    "2027-03-31")."""

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
    if values.get("interval_reason"):
        shown.append(("Inside the re-treatment interval",
                      f"{values.get('interval_last', '')}. Reason: {values['interval_reason']}"))
    points_field = next((f for f in fields if f.kind == "points"), None)
    points = tuple(face_chart.Point(p["view"], p["x"], p["y"], p["site"],
                                    Decimal(str(p["amount"])))
                   for p in (values.get("points", ()) if points_field else ()))
    lot, expiry = _lot_text(values)
    appt = record.appointment
    return RecordView(
        appt.id, record.patient_id, appt.start, appt.service.name,
        CATEGORIES.get(record.modality, record.modality), signed_name_of(record.provider),
        tuple(shown), points, points_field.unit if points_field else "",
        values.get("product", ""), lot, expiry,
        record.aftercare, signed_name_of(record.charted_by), record.charted_at,
        amendments=treatment_amendments.amendments_of(record.id))


def _lot_text(values: dict) -> tuple[str, str]:
    lots = lots_of(values)
    if len(lots) <= 1:
        return (lots[0]["lot"], lots[0]["expiry"]) if lots else ("", "")
    parts = [f"{x['lot']} ({inventory.show(inventory.to_centi(x['amount']), x['unit'])})"
             for x in lots]
    text = "; ".join(f"{part}, expires {x['expiry']}"
                     for part, x in zip(parts[:-1], lots[:-1], strict=True))
    return f"{text}; {parts[-1]}", lots[-1]["expiry"]


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
             .where(TreatmentRecord.patient.in_(chart_ids(patient_id)))
             .order_by(Appointment.start.desc()).tuples())
    return [brief_of(*row) for row in query]


def brief_of(appointment_id: int, start: dt.datetime, modality: str, service: str, raw: str,
             who: str) -> TreatmentBrief:
    """A charted treatment as the timeline words it, from its record's stored values (the
    chart's timeline reads these in its own query, ``services/charts/chart.py``)."""
    values = json.loads(raw)
    total_key = CHARTED.get(modality)
    unit = next((f.unit for f in MODALITIES.get(modality, ()) if f.key == total_key), "")
    parts = [face_chart.amount_text(values[total_key], unit)] if total_key in values \
        else [str(values.get("areas") or values.get("area") or "")]
    lots = [x["lot"] for x in lots_of(values)]
    if lots:
        parts.append(f"lot{'s' if len(lots) > 1 else ''} {', '.join(lots)}")
    parts.append(who)
    return TreatmentBrief(
        appointment_id, start,
        f"{CATEGORIES.get(modality, modality)}: {values.get('product') or service}",
        " · ".join(p for p in parts if p))
