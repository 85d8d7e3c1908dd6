"""Open a visit's treatment record in the print preview (print or save it from there)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from ...printouts import treatment_record_pdf
from ...services.errors import DomainError
from ...store.models import User
from ..errors import show_refusal
from ..widgets.pdf_preview import show_preview


def preview_record(user: User, appointment_id: int, parent: QWidget | None = None) -> None:
    try:
        pdf = treatment_record_pdf(user, appointment_id)
    except DomainError as exc:
        show_refusal(parent, exc, "No record")
        return
    show_preview(pdf, "Treatment record", f"treatment-record-{appointment_id}.pdf", parent)
