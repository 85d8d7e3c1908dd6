"""A note for a charted visit starts from what its treatment record holds; nothing is written
until the clinician saves it."""

from __future__ import annotations

import datetime as dt

from medspa_desktop.services.charts import notes
from medspa_desktop.services.treatments import treatment_records
from medspa_desktop.store.models import Note
from tests.services.treatments.test_treatment_records import (  # noqa: F401 (the fixture)
    LASER,
    TODAY,
    TOXIN,
    _started,
    clinic,
)


def test_a_toxin_visits_note_starts_with_product_lot_units_and_sites(clinic):  # noqa: F811
    appt = _started(clinic, "Botox Cosmetic", "rn")
    treatment_records.record_treatment(
        clinic["rn"], appt.id, {**TOXIN, "product_id": clinic["botox"].id},
        aftercare="No lying down for 4 hours.", today=TODAY)
    sections = notes.visit_sections(clinic["rn"], appt.id)
    objective = sections["objective"].splitlines()
    expiry = TODAY + dt.timedelta(days=30)
    assert f"Product: Botox Cosmetic, lot C1, expires {expiry}" in objective
    assert "Dilution (saline per 100 U): 2.5 mL" in objective
    assert "Total units: 20 U" in objective
    assert "Sites: Glabella 20 U" in objective
    assert "Site notes: Patient frowns hard" in objective
    assert "Aftercare given: No lying down for 4 hours." in sections["plan"]
    assert sections["subjective"] == notes.template("neurotoxin")["subjective"]
    assert Note.select().count() == 0  # read only
    note = notes.start_note(clinic["rn"], clinic["zoe"].id, appt.id)
    assert (note.objective, note.plan) == (sections["objective"], sections["plan"])


def test_a_laser_visits_note_starts_with_the_device_parameters(clinic):  # noqa: F811
    appt = _started(clinic, "Laser hair reduction, small area", "le", device=True)
    treatment_records.record_treatment(clinic["le"], appt.id, LASER)
    objective = notes.visit_sections(clinic["le"], appt.id)["objective"].splitlines()
    for line in ("Device: Alex laser", "Wavelength: 755 nm", "Fluence: 18 J/cm²",
                 "Spot size: 15 mm", "Pulse width: 3 ms", "Cooling: cryogen spray",
                 "Test spot: no reaction", "Areas treated: Axillae", "Fitzpatrick type: 2"):
        assert line in objective


def test_a_visit_not_charted_yet_starts_from_the_template(clinic):  # noqa: F811
    appt = _started(clinic, "Botox Cosmetic", "rn")
    assert notes.visit_sections(clinic["rn"], appt.id) == notes.template("neurotoxin")
    [choice] = notes.note_visits(clinic["rn"], clinic["zoe"].id)
    assert (choice.appointment_id, choice.category, choice.charted) == (
        appt.id, "neurotoxin", False)
