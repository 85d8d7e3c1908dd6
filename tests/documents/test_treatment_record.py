"""The treatment record PDF read back: parameters with their units, the lot, the face chart's
numbered points and totals, the aftercare — and patient text printed exactly as typed."""

from __future__ import annotations

import datetime as dt

import pypdfium2 as pdfium
import pytest

from medspa_desktop.printouts import treatment_record_pdf
from medspa_desktop.services.charts import patients
from medspa_desktop.services.platform.errors import NotFound
from medspa_desktop.services.treatments import treatment_records
from medspa_desktop.store.models import AuditEvent
from tests.documents.pdftext import pdf_text
from tests.services.treatments.test_treatment_records import (  # noqa: F401 (fixture)
    TODAY,
    TOXIN,
    _started,
    clinic,
    glabella,
)

TEMPLE = {"view": "left", "x": 170, "y": 120, "site": "Temple L", "amount": 4}


def _red_pixels(pdf: bytes) -> int:
    page = pdfium.PdfDocument(pdf)[0]
    rgb = page.render(scale=1).to_pil().convert("RGB").tobytes()
    return sum(1 for i in range(0, len(rgb), 3)
               if rgb[i] > 150 and rgb[i + 1] < 80 and rgb[i + 2] < 80)


@pytest.fixture
def charted(clinic):  # noqa: F811
    zoe = clinic["zoe"]
    patients.update_patient(clinic["admin"], zoe.id, patients.PatientInput(
        "Ann <b>& Co</b>", "O'Brien-Żółć", zoe.dob), zoe.version)
    appt = _started(clinic, "Botox Cosmetic", "rn")
    treatment_records.record_treatment(
        clinic["rn"], appt.id, {**TOXIN, "product_id": clinic["botox"].id,
                                "points": [*glabella(), TEMPLE], "total_units": 24},
        aftercare="Stay upright <i>4 h</i> & no massage.", today=TODAY)
    return appt


def test_the_record_prints_every_parameter_the_chart_and_the_lot(clinic, charted):  # noqa: F811
    pdf = treatment_record_pdf(clinic["rn"], charted.id)
    text = pdf_text(pdf)
    for expected in (
        "Neurotoxin: Botox Cosmetic", "Ann <b>& Co</b> O'Brien-Żółć", "1990-01-01",
        "Provider Jo Kim", "Product Botox Cosmetic", "Dilution (saline per 100 U) 2.5 mL",
        "Total units 24 U", "Site notes Patient frowns hard",
        f"Lot C1, expires {TODAY + dt.timedelta(days=30)}",
        "Glabella 20 U", "Temple L 4 U", "Botox Cosmetic 24 U",
        "1 Glabella Front 4 U", "6 Temple L Left side 4 U",
        "Patient's right", "Left side",
        "Stay upright <i>4 h</i> & no massage.", "Charted by Jo Kim on",
    ):
        assert expected in text, expected
    assert "Right side" not in text  # a view without points is left out
    assert _red_pixels(pdf) > 50  # the points are drawn on the diagram
    assert AuditEvent.select().where(AuditEvent.action == "patient.open").exists()


def test_a_record_without_a_face_chart_prints_no_diagram(clinic):  # noqa: F811
    from tests.services.treatments.test_treatment_records import LASER

    appt = _started(clinic, "Laser hair reduction, small area", "le", device=True)
    treatment_records.record_treatment(clinic["le"], appt.id, LASER)
    pdf = treatment_record_pdf(clinic["le"], appt.id)
    text = pdf_text(pdf)
    assert "Fluence 18 J/cm²" in text and "Cooling cryogen spray" in text
    assert "Face chart" not in text and "Aftercare given None recorded." in text
    assert _red_pixels(pdf) == 0


def test_an_uncharted_visit_has_no_record_to_print(clinic):  # noqa: F811
    appt = _started(clinic, "Botox Cosmetic", "rn")
    with pytest.raises(NotFound, match="no treatment record yet"):
        treatment_record_pdf(clinic["rn"], appt.id)
