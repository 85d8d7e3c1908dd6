"""Amending a charted record from its print preview: the amendment prints under the record
as soon as it is saved; a refused amendment keeps the dialog open with the reason."""

from __future__ import annotations

from medspa_desktop.services.treatments import treatment_records
from medspa_desktop.store.models import TreatmentAmendment
from medspa_desktop.ui.treatments.record_preview import (
    AmendDialog,
    RecordPreviewDialog,
    preview_record,
)
from tests.documents.pdftext import pdf_text
from tests.services.treatments.test_treatment_records import (  # noqa: F401 (fixture)
    TODAY,
    TOXIN,
    _started,
    clinic,
)
from tests.ui.modal import answer_next_modal


def _charted(clinic):  # noqa: F811
    appt = _started(clinic, "Botox Cosmetic", "rn")
    treatment_records.record_treatment(
        clinic["rn"], appt.id, {**TOXIN, "product_id": clinic["botox"].id}, today=TODAY)
    return appt


def test_an_amendment_saved_from_the_preview_prints_under_the_record(qtbot, clinic):  # noqa: F811
    appt = _charted(clinic)
    seen: dict = {}

    def amend(dialog: AmendDialog) -> None:
        dialog.save_button.click()  # nothing typed: refused, the dialog stays
        seen["refused"] = (dialog.isVisible(), dialog.message.text())
        qtbot.keyClicks(dialog.reason, "Wrong dilution entered")
        dialog.text.setPlainText("Dilution was 2.0 mL per 100 U, not 2.5 mL.")
        dialog.save_button.click()

    def use_preview(preview: RecordPreviewDialog) -> None:
        seen["before"] = pdf_text(preview.pdf)
        seen["button"] = (preview.amend_button.isVisible(), preview.amend_button.text())
        answer_next_modal(amend)
        preview.amend_button.click()
        seen["after"] = pdf_text(preview.pdf)
        seen["pages"] = len(preview.images)
        preview.reject()

    answer_next_modal(use_preview)
    preview_record(clinic["rn"], appt.id)
    assert seen["button"] == (True, "&Amend…")
    assert "Amendment" not in seen["before"]
    assert seen["refused"] == (True, "Give the reason for the amendment.")
    assert "Reason Wrong dilution entered" in seen["after"]
    assert "Dilution was 2.0 mL per 100 U, not 2.5 mL." in seen["after"]
    assert "Dilution (saline per 100 U) 2.5 mL" in seen["after"]  # the original stays
    assert seen["pages"] >= 1
    (row,) = TreatmentAmendment.select()
    assert row.author_id == clinic["rn"].id


def test_who_may_not_chart_sees_no_amend_button(qtbot, clinic):  # noqa: F811
    appt = _charted(clinic)
    seen: dict = {}

    def look(preview: RecordPreviewDialog) -> None:
        seen["visible"] = preview.amend_button.isVisible()
        preview.reject()

    answer_next_modal(look)
    preview_record(clinic["admin"], appt.id)  # the admin reads records, does not chart
    assert seen == {"visible": False}


def test_cancelling_the_amendment_writes_nothing(qtbot, clinic):  # noqa: F811
    appt = _charted(clinic)

    def cancel(dialog: AmendDialog) -> None:
        qtbot.keyClicks(dialog.reason, "Second thoughts")
        dialog.reject()

    dialog_holder: dict = {}

    def use_preview(preview: RecordPreviewDialog) -> None:
        dialog_holder["pdf"] = preview.pdf
        answer_next_modal(cancel)
        preview.amend_button.click()
        dialog_holder["same"] = preview.pdf is dialog_holder["pdf"]
        preview.reject()

    answer_next_modal(use_preview)
    preview_record(clinic["rn"], appt.id)
    assert dialog_holder["same"]
    assert TreatmentAmendment.select().count() == 0
