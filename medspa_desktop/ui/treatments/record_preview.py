"""Open a visit's treatment record in the print preview (print or save it from there)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from ...printouts import treatment_record_pdf
from ...store.models import User
from ..widgets.pdf_preview import preview_document


def preview_record(user: User, appointment_id: int, parent: QWidget | None = None) -> None:
    preview_document(lambda: treatment_record_pdf(user, appointment_id), "Treatment record",
                     f"treatment-record-{appointment_id}.pdf", parent, "No record")
