"""The intake form, blank and filled, read back."""

from __future__ import annotations

import datetime as dt

from medspa_desktop.printouts import intake_form_pdf
from medspa_desktop.services.charts import intake, patients
from medspa_desktop.store.models import AuditEvent
from tests.documents.pdftext import pdf_text


def test_a_blank_form_has_every_question_and_boxes_to_tick(admin):
    text = pdf_text(intake_form_pdf(admin))
    for question in intake.QUESTIONS:
        assert " ".join(question.label.split()) in text, question.label
    assert text.count("☐ Yes ☐ No") == sum(q.kind == "yes_no" for q in intake.QUESTIONS)
    assert "☐ I ☐ II ☐ III ☐ IV ☐ V ☐ VI" in text and "Patient signature" in text


def test_a_filled_form_prints_the_answers_on_file_as_typed(admin):
    p = patients.create_patient(admin, patients.PatientInput(
        "Łucja", "Żółć", dt.date(1990, 4, 17)))
    intake.record_answers(admin, p.id, {"allergies": "Latex <b>&</b> bee stings",
                                        "medications": "",
                                        "pregnant_or_nursing": False, "fitzpatrick": 4,
                                        "isotretinoin_last_dose": dt.date(2025, 1, 2)},
                          answered_on=dt.date(2026, 6, 21))
    text = pdf_text(intake_form_pdf(admin, p.id))
    for expected in ("Łucja Żółć", "1990-04-17", p.chart_number, "Latex <b>&</b> bee stings",
                     "IV — rarely burns, tans moderately", "2025-01-02", "2026-06-21",
                     "Please correct anything that has changed",
                     "Current medications None reported"):
        assert expected in text, expected
    assert AuditEvent.select().where(AuditEvent.action == "patient.open",
                                     AuditEvent.record_id == str(p.id)).exists()
