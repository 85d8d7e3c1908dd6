"""Open a visit's treatment record in the print preview (print or save it from there), and
amend it: a charted record never changes, a correction is an amendment printed under it."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from ...printouts import treatment_record_pdf
from ...services.platform.permissions import allowed
from ...services.treatments import treatment_amendments
from ...store.models import User
from ..bus import on_change
from ..ops import op
from ..widgets.form_dialog import FormDialog
from ..widgets.modal import run_modal
from ..widgets.pdf_preview import PdfPreviewDialog


class AmendDialog(FormDialog):
    """Why and what: the amendment is saved beside the record, which stays as charted."""

    def __init__(self, user: User, appointment_id: int, parent: QWidget | None = None) -> None:
        super().__init__("Amend treatment record", parent, min_width=520)
        self.user, self.appointment_id = user, appointment_id
        intro = QLabel("The record stays as it was charted. The amendment is printed under "
                       "it, with your name, the time and the reason.")
        intro.setWordWrap(True)
        self.reason = QLineEdit()
        self.reason.setMaxLength(treatment_amendments.MAX_REASON)
        self.reason.setPlaceholderText("e.g. wrong lot number entered")
        self.reason.setAccessibleName("Reason")
        self.text = QPlainTextEdit()
        self.text.setTabChangesFocus(True)
        self.text.setMinimumHeight(110)
        self.text.setPlaceholderText("What is corrected or added")
        self.text.setAccessibleName("Amendment")
        self.body.insertWidget(0, intro)
        self.form.addRow("&Reason", self.reason)
        self.form.addRow("&Amendment", self.text)

    def submit(self) -> None:
        treatment_amendments.amend(self.user, self.appointment_id, self.reason.text(),
                                   self.text.toPlainText())


class RecordPreviewDialog(PdfPreviewDialog):
    """The record's print preview with "Amend…" for those who chart treatments; after an
    amendment the pages are made again, so the amendment shows under the record."""

    def __init__(self, user: User, appointment_id: int, pdf: bytes,
                 parent: QWidget | None = None) -> None:
        super().__init__(pdf, "Treatment record", f"treatment-record-{appointment_id}.pdf",
                         parent)
        self.user, self.appointment_id = user, appointment_id
        self.amend_button = QPushButton("&Amend…")
        self.amend_button.setToolTip("Correct or add to the record, saying why")
        self.amend_button.clicked.connect(lambda: self.amend())
        self.amend_button.setVisible(allowed(user, "treatment.write"))
        bar = self.layout().itemAt(0).layout()  # the preview's button bar, above the pages
        bar.insertWidget(bar.indexOf(self.print_button), self.amend_button)
        on_change(self, ("treatment",), self._on_changes)

    def amend(self) -> None:
        run_modal(AmendDialog(self.user, self.appointment_id, self))  # the bus redraws it

    def _on_changes(self, changes) -> None:
        if self.appointment_id in changes.ids("treatment"):
            self.refresh()

    def refresh(self) -> None:
        done = op(self, lambda: treatment_record_pdf(self.user, self.appointment_id),
                  title="No record")
        if done:
            self.pdf = done.value
            self.show_pages()


def preview_record(user: User, appointment_id: int, parent: QWidget | None = None) -> None:
    done = op(parent, lambda: treatment_record_pdf(user, appointment_id), title="No record")
    if done:
        run_modal(RecordPreviewDialog(user, appointment_id, done.value, parent))
