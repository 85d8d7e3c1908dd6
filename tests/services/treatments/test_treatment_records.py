"""Charting a treatment: structured, validated parameters per modality, confirmation outside
the usual range, and stock drawn in the same transaction."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from medspa_desktop.services.charts import patients
from medspa_desktop.services.clinic import catalog
from medspa_desktop.services.platform import auth
from medspa_desktop.services.platform.errors import (
    CONFIRMATION,
    ConflictError,
    NeedsAnswer,
    PermissionDenied,
    ValidationError,
)
from medspa_desktop.services.scheduling import appointments
from medspa_desktop.services.treatments import face_chart, inventory, treatment_records
from medspa_desktop.store.models import AuditEvent, Device, Lot, Room, Service, TreatmentRecord
from tests.conftest import give_consent, staff

TODAY = dt.date(2030, 1, 8)


@pytest.fixture
def clinic(admin):
    rn = auth.create_user(admin, auth.UserInput("rn", "Jo Kim", "provider", "long-enough"))
    laser_tech = auth.create_user(admin, auth.UserInput("le", "Lee Tech", "provider",
                                                        "long-enough"))
    desk = auth.create_user(admin, auth.UserInput("desk", "Sam", "front_desk", "long-enough"))
    catalog.add_device(admin, "Alex laser", "alexandrite", 0)
    botox = inventory.add_product(admin, "Botox Cosmetic", "toxin")
    inventory.receive(admin, botox.id, "C1", TODAY + dt.timedelta(days=30), 100,
                      today=TODAY - dt.timedelta(days=5))
    zoe = patients.create_patient(admin, patients.PatientInput("Zoë", "Ng", dt.date(1990, 1, 1)))
    return {"admin": admin, "rn": rn, "le": laser_tech, "desk": desk, "botox": botox,
            "zoe": zoe}


def _started(c, service_name: str, provider: str, hour: int = 10, device: bool = False):
    start = dt.datetime.combine(TODAY, dt.time(hour))
    service = Service.get(Service.name == service_name)
    appt = appointments.book_appointment(c["admin"], appointments.AppointmentInput(
        c["zoe"].id, service.id, c[provider].id, start,
        start + dt.timedelta(minutes=service.default_minutes), Room.get(Room.name == "Room 1").id,
        catalog.devices()[0].id if device else None))
    appt = appointments.change_status(c["admin"], appt.id, "arrived", appt.version)
    give_consent(c["admin"], c["zoe"].id, service.category)
    return appointments.change_status(c[provider], appt.id, "in_treatment", appt.version)


def glabella(units: float = 4, count: int = 5) -> list[dict]:
    spots = [(150, 128), (138, 130), (162, 130), (130, 122), (170, 122)]
    return [{"view": "front", "x": x, "y": y, "site": "Glabella", "amount": units}
            for x, y in spots[:count]]


TOXIN = {"dilution_ml": "2.5", "total_units": 20, "points": glabella(),
         "sites": "Patient frowns hard"}


def test_charting_toxin_records_the_lot_and_draws_the_units(clinic):
    appt = _started(clinic, "Botox Cosmetic", "rn")
    record = treatment_records.record_treatment(
        clinic["rn"], appt.id, {**TOXIN, "product_id": clinic["botox"].id},
        aftercare="No lying down for 4 hours.", today=TODAY)
    values = treatment_records.parameters(record)
    assert (values["product"], values["total_units"]) == ("Botox Cosmetic", 20.0)
    assert values["lots"] == [{"lot": "C1", "expiry": str(TODAY + dt.timedelta(days=30)),
                               "amount": 20.0, "unit": "U"}]
    assert Lot.get(Lot.lot_number == "C1").remaining_centi == 8000
    assert [r.patient for r in inventory.recall(clinic["admin"], "C1")] == ["Ng, Zoë"]
    assert AuditEvent.select().where(AuditEvent.action == "treatment.record").exists()


def test_the_record_names_the_provider_with_their_credential_line(clinic):
    from medspa_desktop import printouts
    from medspa_desktop.services.platform import staff
    from tests.documents.pdftext import pdf_text

    staff.change_details(clinic["admin"], clinic["le"].id, "Lee Tech", "LE")
    appt = _started(clinic, "Laser hair reduction, small area", "le", device=True)
    treatment_records.record_treatment(clinic["le"], appt.id, LASER)
    view = treatment_records.record_view(clinic["le"], appt.id)
    assert (view.provider, view.charted_by) == ("Lee Tech, LE", "Lee Tech, LE")
    assert "Lee Tech, LE" in pdf_text(printouts.treatment_record_pdf(clinic["le"], appt.id))


def test_a_shortage_leaves_no_record(clinic):
    appt = _started(clinic, "Botox Cosmetic", "rn")
    with pytest.raises(ConflictError, match="Only 100 U of Botox Cosmetic in stock"):
        treatment_records.record_treatment(
            clinic["rn"], appt.id, {**TOXIN, "total_units": 120, "points": glabella(24),
                                    "product_id": clinic["botox"].id}, confirm=True, today=TODAY)
    assert TreatmentRecord.select().count() == 0
    assert Lot.get(Lot.lot_number == "C1").remaining_centi == 10000


LASER = {"device": "Alex laser", "wavelength_nm": 755, "fluence": 18, "spot_mm": 15,
         "pulse_ms": 3, "passes": 1, "cooling": "cryogen spray", "test_spot": "no reaction",
         "areas": "Axillae", "fitzpatrick": 2}


@pytest.mark.parametrize(("changes", "message"), [
    ({"fluence": 250}, "Fluence must be between 0.1 and 200 J/cm²"),
    ({"fitzpatrick": 7}, "Fitzpatrick type must be between 1 and 6"),
    ({"cooling": "ice cubes"}, "Choose the cooling: none, contact, cryogen spray, air"),
    ({"areas": " "}, "Enter the areas treated"),
    ({"spot_mm": "large"}, "Spot size must be a number"),
    ({"colour": "blue"}, "Unknown fields: colour"),
])
def test_laser_parameters_are_validated(clinic, changes, message):
    appt = _started(clinic, "Laser hair reduction, small area", "le", device=True)
    with pytest.raises(ValidationError, match=message):
        treatment_records.record_treatment(clinic["le"], appt.id, {**LASER, **changes})
    assert TreatmentRecord.select().count() == 0


def test_an_unusual_value_needs_confirmation(clinic):
    appt = _started(clinic, "Laser hair reduction, small area", "le", device=True)
    with pytest.raises(treatment_records.NeedsConfirmation,
                       match="Please confirm: Fluence 95 J/cm² is outside the usual 1–60"):
        treatment_records.record_treatment(clinic["le"], appt.id, {**LASER, "fluence": 95})
    record = treatment_records.record_treatment(clinic["le"], appt.id, {**LASER, "fluence": 95},
                                                confirm=True)
    assert treatment_records.parameters(record)["fluence"] == 95.0
    assert "confirmed: Fluence 95" in AuditEvent.get(
        AuditEvent.action == "treatment.record").summary


def test_same_as_last_time_copies_the_previous_parameters_but_not_the_lot(clinic):
    assert treatment_records.same_as_last_time(clinic["rn"], clinic["zoe"].id,
                                               "neurotoxin") is None
    appt = _started(clinic, "Botox Cosmetic", "rn")
    treatment_records.record_treatment(clinic["rn"], appt.id,
                                       {**TOXIN, "product_id": clinic["botox"].id}, today=TODAY)
    again = treatment_records.same_as_last_time(clinic["rn"], clinic["zoe"].id, "neurotoxin")
    assert again == {"dilution_ml": 2.5, "total_units": 20.0, "points": glabella(4.0),
                     "sites": "Patient frowns hard", "product_id": clinic["botox"].id}


def test_only_a_started_visit_is_charted_and_only_by_clinicians(clinic):
    start = dt.datetime.combine(TODAY, dt.time(15))
    booked = appointments.book_appointment(clinic["admin"], appointments.AppointmentInput(
        clinic["zoe"].id, Service.get(Service.name == "Botox Cosmetic").id, clinic["rn"].id,
        start, start + dt.timedelta(minutes=30), Room.get(Room.name == "Room 2").id))
    with pytest.raises(ValidationError, match="once it has started"):
        treatment_records.record_treatment(clinic["rn"], booked.id, TOXIN)
    appt = _started(clinic, "Botox Cosmetic", "rn")
    with pytest.raises(PermissionDenied, match="may not chart treatments"):
        treatment_records.record_treatment(clinic["desk"], appt.id, TOXIN)


def test_the_product_must_be_of_the_right_kind(clinic):
    filler = inventory.add_product(clinic["admin"], "Juvederm", "filler")
    appt = _started(clinic, "Botox Cosmetic", "rn")
    with pytest.raises(ValidationError, match="Choose the toxin product used"):
        treatment_records.record_treatment(clinic["rn"], appt.id,
                                           {**TOXIN, "product_id": filler.id})


@pytest.mark.parametrize(("changes", "message"), [
    ({"points": []}, "Place the injection points on the face chart"),
    ({"total_units": 24}, "The face chart adds up to 20 U, but the total units says 24 U"),
    ({"points": glabella(4.2)}, "Point 1: give the dose in steps of 0.5 U"),
    ({"points": glabella(0)}, "Point 1: the dose must be between 0.5 and 100 U"),
    ({"points": [*glabella(4, 4), {"view": "front", "x": 20, "y": 20, "site": " ",
                                   "amount": 4}]},
     "Point 5 is outside the marked areas: name its site"),
    ({"points": [{"view": "back", "x": 1, "y": 1, "site": "Neck", "amount": 20}]},
     "Point 1 is not on a face chart view"),
    ({"points": [{"view": "front", "x": 500, "y": 1, "site": "Neck", "amount": 20}]},
     "Point 1 is outside the face chart"),
])
def test_the_face_chart_is_validated_and_must_match_the_total(clinic, changes, message):
    appt = _started(clinic, "Botox Cosmetic", "rn")
    with pytest.raises(ValidationError, match=message):
        treatment_records.record_treatment(
            clinic["rn"], appt.id, {**TOXIN, **changes, "product_id": clinic["botox"].id},
            today=TODAY)
    assert TreatmentRecord.select().count() == 0
    assert Lot.get(Lot.lot_number == "C1").remaining_centi == 10000


def test_a_point_outside_the_marked_areas_keeps_the_site_the_provider_names(clinic):
    appt = _started(clinic, "Botox Cosmetic", "rn")
    points = [*glabella(4, 4), {"view": "front", "x": 150.04, "y": 200, "site": "Nasal tip",
                                "amount": 4}]
    record = treatment_records.record_treatment(
        clinic["rn"], appt.id, {**TOXIN, "points": points, "product_id": clinic["botox"].id},
        today=TODAY)
    stored = treatment_records.parameters(record)["points"]
    assert [p["site"] for p in stored] == ["Glabella"] * 4 + ["Nasal tip"]
    assert stored[-1]["x"] == 150.0  # positions are kept to a tenth of the diagram's unit


def test_filler_sites_are_charted_in_tenths_of_a_millilitre(clinic):
    filler = inventory.add_product(clinic["admin"], "Juvederm Voluma", "filler", "syringe")
    inventory.receive(clinic["admin"], filler.id, "V1", TODAY + dt.timedelta(days=300), 4,
                      today=TODAY)
    appt = _started(clinic, "Restylane Lyft", "rn")
    cheeks = [{"view": "front", "x": 95, "y": 190, "site": "", "amount": 0.5},
              {"view": "front", "x": 205, "y": 190, "site": "", "amount": 0.5}]
    values = {"product_id": filler.id, "syringes": 1, "total_ml": 1, "technique": "cannula",
              "depth": "supraperiosteal"}
    with pytest.raises(ValidationError, match="Point 1 is outside the marked areas"):
        treatment_records.record_treatment(clinic["rn"], appt.id,
                                           {**values, "points": cheeks}, today=TODAY)
    for p in cheeks:
        p["site"] = face_chart.site_at("front", p["x"], p["y"])
    with pytest.raises(ValidationError, match="in steps of 0.1 mL"):
        treatment_records.record_treatment(
            clinic["rn"], appt.id, {**values, "points": [{**cheeks[0], "amount": 0.55},
                                                         cheeks[1]]}, today=TODAY)
    record = treatment_records.record_treatment(clinic["rn"], appt.id,
                                                {**values, "points": cheeks}, today=TODAY)
    stored = treatment_records.parameters(record)
    assert [(p["site"], p["amount"]) for p in stored["points"]] == [("Cheek R", 0.5),
                                                                   ("Cheek L", 0.5)]
    assert Lot.get(Lot.lot_number == "V1").remaining_centi == 300
    shown = dict(treatment_records.record_view(clinic["rn"], appt.id).parameters)
    assert (shown["Syringes"], shown["Volume"], shown["Product"]) == ("1 syringe", "1 mL",
                                                                      "Juvederm Voluma")


def test_the_charts_timeline_lists_treatments_for_clinical_staff_only(clinic):
    from medspa_desktop.services.charts import chart

    appt = _started(clinic, "Botox Cosmetic", "rn")
    treatment_records.record_treatment(clinic["rn"], appt.id,
                                       {**TOXIN, "product_id": clinic["botox"].id}, today=TODAY)
    items = chart.timeline(clinic["rn"], clinic["zoe"].id, {"treatment"})
    assert [(i.kind, i.title, i.detail, i.ref_id) for i in items] == [
        ("treatment", "Neurotoxin: Botox Cosmetic", "20 U · lot C1 · Jo Kim", appt.id)]
    assert chart.timeline(clinic["desk"], clinic["zoe"].id, {"treatment"}) == []
    assert "treatment" in {i.kind for i in chart.timeline(clinic["rn"], clinic["zoe"].id)}


def _started_on(c, day: dt.date, service_name: str, provider: str = "rn", hour: int = 10):
    start = dt.datetime.combine(day, dt.time(hour))
    service = Service.get(Service.name == service_name)
    device = None
    if service.device_kind:
        device = (Device.get_or_none(Device.kind == service.device_kind)
                  or catalog.add_device(c["admin"], service.device_kind.title(),
                                        service.device_kind, 0))
    appt = appointments.book_appointment(c["admin"], appointments.AppointmentInput(
        c["zoe"].id, service.id, c[provider].id, start,
        start + dt.timedelta(minutes=service.default_minutes),
        Room.get(Room.name == "Room 1").id, device.id if device else None))
    appt = appointments.change_status(c["admin"], appt.id, "arrived", appt.version)
    give_consent(c["admin"], c["zoe"].id, service.category)
    return appointments.change_status(c[provider], appt.id, "in_treatment", appt.version)


MESO = {"solution": "with vitamin C", "volume_ml": 4, "area": "Face and neck",
        "depth_mm": 1, "points": 120, "technique": "nappage"}


def test_mesotherapy_is_charted_and_draws_the_solution_with_its_lot(clinic):
    """Charting mesotherapy used to crash; the injected solution now leaves stock in mL with
    its lot, so a recall of that lot finds the patient."""
    hyaluronic = inventory.add_product(clinic["admin"], "NCTF 135 HA", "solution")
    assert hyaluronic.unit == "mL"
    inventory.receive(clinic["admin"], hyaluronic.id, "M1", TODAY + dt.timedelta(days=200), 15,
                      today=TODAY)
    appt = _started(clinic, "Mesotherapy, revitalising", "rn")
    with pytest.raises(ValidationError, match="Choose the solution product used"):
        treatment_records.record_treatment(clinic["rn"], appt.id, MESO, today=TODAY)
    record = treatment_records.record_treatment(
        clinic["rn"], appt.id, {**MESO, "product_id": hyaluronic.id}, today=TODAY)
    values = treatment_records.parameters(record)
    assert values["lots"] == [{"lot": "M1", "expiry": str(TODAY + dt.timedelta(days=200)),
                               "amount": 4.0, "unit": "mL"}]
    assert (values["points"], values["product"]) == (120, "NCTF 135 HA")
    assert Lot.get(Lot.lot_number == "M1").remaining_centi == 1100
    assert [(r.patient, r.dose) for r in inventory.recall(clinic["admin"], "M1")] == [
        ("Ng, Zoë", "4 mL")]
    summary = AuditEvent.get(AuditEvent.action == "treatment.record").summary
    assert "lots=M1 4 mL" in summary and "points=120" in summary
    view = treatment_records.record_view(clinic["rn"], appt.id)
    assert (view.product, view.lot, view.points) == ("NCTF 135 HA", "M1", ())
    assert dict(view.parameters)["Points"] == "120"


def test_a_filler_stocked_in_millilitres_draws_the_millilitres_injected(clinic):
    filler = inventory.add_product(clinic["admin"], "Radiesse 1.5", "filler", "mL")
    inventory.receive(clinic["admin"], filler.id, "R1", TODAY + dt.timedelta(days=300), 6,
                      today=TODAY)
    appt = _started(clinic, "Radiesse", "rn")
    cheeks = [{"view": "front", "x": x, "y": 190, "amount": 1.5,
               "site": face_chart.site_at("front", x, 190)} for x in (95, 205)]
    treatment_records.record_treatment(
        clinic["rn"], appt.id, {"product_id": filler.id, "syringes": 2, "total_ml": 3,
                                "technique": "cannula", "depth": "supraperiosteal",
                                "points": cheeks}, today=TODAY)
    assert Lot.get(Lot.lot_number == "R1").remaining_centi == 300  # 6 − 3 mL, not 6 − 2
    assert [r.dose for r in inventory.recall(clinic["admin"], "R1")] == ["3 mL"]


def test_a_dose_spanning_two_lots_records_both_and_both_recalls_find_the_patient(clinic):
    inventory.receive(clinic["admin"], clinic["botox"].id, "C0", TODAY + dt.timedelta(days=10),
                      8, today=TODAY - dt.timedelta(days=5))  # the nearly empty older vial
    appt = _started(clinic, "Botox Cosmetic", "rn")
    record = treatment_records.record_treatment(
        clinic["rn"], appt.id, {**TOXIN, "product_id": clinic["botox"].id}, today=TODAY)
    lots = treatment_records.parameters(record)["lots"]
    assert [(x["lot"], x["amount"]) for x in lots] == [("C0", 8.0), ("C1", 12.0)]
    assert Lot.get(Lot.lot_number == "C0").remaining_centi == 0
    assert Lot.get(Lot.lot_number == "C1").remaining_centi == 8800
    for number, dose in (("C0", "8 U"), ("C1", "12 U")):
        assert [(r.patient, r.dose) for r in inventory.recall(clinic["admin"], number)] == [
            ("Ng, Zoë", dose)]
    view = treatment_records.record_view(clinic["rn"], appt.id)
    assert f"{view.lot}, expires {view.expiry}" == (
        f"C0 (8 U), expires {TODAY + dt.timedelta(days=10)}; "
        f"C1 (12 U), expires {TODAY + dt.timedelta(days=30)}")
    (brief,) = treatment_records.patient_treatments(clinic["rn"], clinic["zoe"].id)
    assert brief.detail == "20 U · lots C0, C1 · Jo Kim"
    from medspa_desktop.printouts import treatment_record_pdf
    from tests.documents.pdftext import pdf_text

    printed = pdf_text(treatment_record_pdf(clinic["rn"], appt.id))
    assert (f"Lot C0 (8 U), expires {TODAY + dt.timedelta(days=10)}; C1 (12 U), expires "
            f"{TODAY + dt.timedelta(days=30)}") in printed


def test_a_record_charted_with_one_lot_before_still_reads(clinic):
    appt = _started(clinic, "Botox Cosmetic", "rn")
    old = {**TOXIN, "dilution_ml": 2.5, "product_id": clinic["botox"].id,
           "product": "Botox Cosmetic", "lot": "C1", "expiry": "2030-02-07",
           "total_units": 20.0}
    TreatmentRecord.create(  # as charted before a draw could span lots
        appointment=appt.id, patient=clinic["zoe"].id, provider=clinic["rn"].id,
        modality="neurotoxin", parameters=json.dumps(old), charted_by=clinic["rn"].id,
        charted_at=dt.datetime.now())
    view = treatment_records.record_view(clinic["rn"], appt.id)
    assert (view.lot, view.expiry) == ("C1", "2030-02-07")
    assert treatment_records.patient_treatments(clinic["rn"], clinic["zoe"].id)[0].detail == \
        "20 U · lot C1 · Jo Kim"


@pytest.mark.parametrize(("service", "provider", "values", "message"), [
    ("Laser hair reduction, small area", "le", {**LASER, "passes": 2.5},
     r"Passes must be a whole number \(2.5 is not\)"),
    ("Laser hair reduction, small area", "le", {**LASER, "fitzpatrick": "3.5"},
     r"Fitzpatrick type must be a whole number \(3.5 is not\)"),
    ("Cryolipolysis, one applicator cycle", "le",
     {"device": "Cool", "applicator": "Flat", "area": "Flank", "cycles": 1.5},
     r"Cycles must be a whole number \(1.5 is not\)"),
    ("Chemical peel, medium", "le", {"agent": "TCA 20 %", "passes": "1.5"},
     r"Passes must be a whole number \(1.5 is not\)"),
    ("Mesotherapy, revitalising", "rn", {**MESO, "points": 99.5},
     r"Points must be a whole number \(99.5 is not\)"),
])
def test_whole_number_parameters_refuse_decimals(clinic, service, provider, values, message):
    if service.startswith("Mesotherapy"):
        solution = inventory.add_product(clinic["admin"], "NCTF 135 HA", "solution")
        values = {**values, "product_id": solution.id}
    appt = _started_on(clinic, TODAY, service, provider)
    with pytest.raises(ValidationError, match=message):
        treatment_records.record_treatment(clinic[provider], appt.id, values, today=TODAY)
    assert TreatmentRecord.select().count() == 0


def test_laser_whole_numbers_are_kept_as_whole_numbers(clinic):
    appt = _started(clinic, "Laser hair reduction, small area", "le", device=True)
    record = treatment_records.record_treatment(clinic["le"], appt.id,
                                                {**LASER, "passes": "2", "fitzpatrick": 3.0})
    values = treatment_records.parameters(record)
    assert (values["passes"], values["fitzpatrick"]) == (2, 3)
    assert dict(treatment_records.record_view(clinic["le"], appt.id).parameters)[
        "Fitzpatrick type"] == "3"


def test_a_neurotoxin_inside_the_interval_needs_the_providers_reason(clinic):
    first = _started(clinic, "Botox Cosmetic", "rn")
    treatment_records.record_treatment(
        clinic["rn"], first.id, {**TOXIN, "product_id": clinic["botox"].id}, today=TODAY)
    dysport = inventory.add_product(clinic["admin"], "Dysport", "toxin")
    inventory.receive(clinic["admin"], dysport.id, "D1", TODAY + dt.timedelta(days=300), 300,
                      today=TODAY)
    later = TODAY + dt.timedelta(days=28)
    again = _started_on(clinic, later, "Dysport")
    values = {**TOXIN, "product_id": dysport.id}  # any brand counts
    with pytest.raises(treatment_records.NeedsReason,
                       match=r"Last neurotoxin: Botox Cosmetic 20 U on 8 Jan 2030 \(28 days "
                             r"ago\), inside the clinic's 90-day re-treatment interval") as no:
        treatment_records.record_treatment(clinic["rn"], again.id, values, today=later)
    assert no.value.key == "toxin.interval" and no.value.last.appointment_id == first.id
    assert TreatmentRecord.select().count() == 1
    assert Lot.get(Lot.lot_number == "D1").remaining_centi == 30000  # nothing drawn
    record = treatment_records.record_treatment(
        clinic["rn"], again.id, values, reason="  Asymmetry at the two-week review ",
        today=later)
    stored = treatment_records.parameters(record)
    assert stored["interval_reason"] == "Asymmetry at the two-week review"
    event = AuditEvent.get(AuditEvent.action == "treatment.interval")
    assert event.record_id == str(again.id)
    assert event.summary == ("Last neurotoxin: Botox Cosmetic 20 U on 8 Jan 2030 (28 days ago); "
                             "charted inside the 90-day interval because: Asymmetry at the "
                             "two-week review")
    shown = dict(treatment_records.record_view(clinic["rn"], again.id).parameters)
    assert shown["Inside the re-treatment interval"].endswith(
        "Reason: Asymmetry at the two-week review")
    assert "interval_reason" not in treatment_records.same_as_last_time(
        clinic["rn"], clinic["zoe"].id, "neurotoxin")


def test_the_interval_is_the_clinics_setting(clinic):
    from medspa_desktop.store.models import ClinicSetting

    first = _started(clinic, "Botox Cosmetic", "rn")
    treatment_records.record_treatment(
        clinic["rn"], first.id, {**TOXIN, "product_id": clinic["botox"].id}, today=TODAY)
    ClinicSetting.create(key="toxin.interval_days", value="21")
    later = TODAY + dt.timedelta(days=22)
    again = _started_on(clinic, later, "Botox Cosmetic")
    record = treatment_records.record_treatment(
        clinic["rn"], again.id, {**TOXIN, "product_id": clinic["botox"].id}, today=later)
    assert "interval_reason" not in treatment_records.parameters(record)
    assert not AuditEvent.select().where(AuditEvent.action == "treatment.interval").exists()


def test_booking_a_neurotoxin_inside_the_interval_warns_with_the_last_one(clinic):
    from medspa_desktop.services.charts import alerts

    first = _started(clinic, "Botox Cosmetic", "rn")
    treatment_records.record_treatment(
        clinic["rn"], first.id, {**TOXIN, "product_id": clinic["botox"].id}, today=TODAY)
    toxin = Service.get(Service.name == "Xeomin").id
    laser = Service.get(Service.name == "Laser hair reduction, small area").id
    warning = ("Last neurotoxin: Botox Cosmetic 20 U on 8 Jan 2030, 62 days before this visit "
               "(the clinic's re-treatment interval is 90 days).")
    on = TODAY + dt.timedelta(days=62)
    assert warning in alerts.booking_alerts(clinic["desk"], clinic["zoe"].id, toxin, on)
    assert not any("neurotoxin" in a for a in alerts.booking_alerts(
        clinic["desk"], clinic["zoe"].id, laser, on))
    assert not any("neurotoxin" in a for a in alerts.booking_alerts(
        clinic["desk"], clinic["zoe"].id, toxin, TODAY + dt.timedelta(days=90)))


def test_the_log_pages_through_every_lot_of_a_dose_drawn_from_two(clinic):
    from medspa_desktop.services.treatments.treatment_log import LogFilter, treatment_log

    inventory.receive(clinic["admin"], clinic["botox"].id, "C0", TODAY + dt.timedelta(days=10),
                      8, today=TODAY - dt.timedelta(days=5))
    appt = _started(clinic, "Botox Cosmetic", "rn")
    treatment_records.record_treatment(
        clinic["rn"], appt.id, {**TOXIN, "product_id": clinic["botox"].id}, today=TODAY)
    seen, after = [], None
    while True:  # a page of one row: the boundary falls between the two lots
        page = treatment_log(clinic["rn"], LogFilter(), limit=1, after=after)
        if not page:
            break
        seen += page
        after = page[-1]
    assert sorted((r.lot, r.dose) for r in seen) == [("C0", "8 U"), ("C1", "12 U")]


def test_the_confirmation_is_asked_by_key_and_given_as_an_answer(clinic):
    appt = _started(clinic, "Laser hair reduction, small area", "le", device=True)
    with pytest.raises(NeedsAnswer) as asked:
        treatment_records.record_treatment(clinic["le"], appt.id, {**LASER, "fluence": 95})
    assert (asked.value.key, asked.value.kind) == ("treatment.unusual", CONFIRMATION)
    assert asked.value.question == "Please confirm: Fluence 95 J/cm² is outside the usual 1–60."
    record = treatment_records.record_treatment(clinic["le"], appt.id, {**LASER, "fluence": 95},
                                                answers={asked.value.key: True})
    assert treatment_records.parameters(record)["fluence"] == 95.0


def test_a_visit_charted_meanwhile_elsewhere_says_who_charted_it_and_saves_nothing(clinic):
    from medspa_desktop.services.platform.errors import StaleEditError

    appt = _started(clinic, "Botox Cosmetic", "rn")
    first = treatment_records.record_treatment(
        clinic["rn"], appt.id, {**TOXIN, "product_id": clinic["botox"].id}, today=TODAY)
    left = Lot.get(Lot.lot_number == "C1").remaining_centi
    with pytest.raises(StaleEditError) as refused:
        treatment_records.record_treatment(
            clinic["rn"], appt.id, {**TOXIN, "product_id": clinic["botox"].id}, today=TODAY)
    assert first.charted_at.date() == dt.date.today()  # charted today: the time is enough
    assert str(refused.value) == (
        f"Jo Kim charted this visit at {refused.value.changed_by.at:%H:%M}; nothing was "
        "saved. Their record is on the patient's timeline; a correction to it is an "
        "amendment.")
    assert abs(refused.value.changed_by.at - first.charted_at) < dt.timedelta(seconds=5)
    assert TreatmentRecord.select().where(TreatmentRecord.appointment == appt.id).count() == 1
    assert Lot.get(Lot.lot_number == "C1").remaining_centi == left  # no second draw


def test_the_days_toxin_interval_check_reads_by_patient_not_every_toxin_record(demo_db,
                                                                              statements):
    """A day's schedule checks its patients' last neurotoxin through the patient index. A
    clinic file has no planner statistics, and SQLite took the modality index instead —
    reading every neurotoxin record the clinic ever charted on every day shown (49 ms of
    painting a day at scale 1, 23 ms after)."""
    from medspa_desktop.services.treatments.treatment_records import interval_alerts_of
    from medspa_desktop.store.database import db
    from medspa_desktop.store.models import Appointment

    visits = {(a.patient_id, a.start.date()) for a in Appointment.select().limit(40)}
    statements.clear()
    interval_alerts_of(staff("director"), visits)
    [(sql, params)] = [(s, p) for s, p in statements if 'FROM "treatment_record"' in s]
    plan = " ".join(str(row) for row in db.execute_sql("EXPLAIN QUERY PLAN " + sql, params))
    assert "treatment_record_patient_id" in plan, plan
