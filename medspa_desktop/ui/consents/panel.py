"""The chart's Consents tab: every consent the patient gave (on screen or on paper), opened as
the stored document; sign a new one on screen for any treatment category or photography, or
print it to sign on paper and record the signed paper form with its scan."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ...printouts import consent_document_pdf, consent_form_pdf
from ...services.consents import signing
from ...services.consents.consent_templates import KINDS
from ...store.models import User
from ..bus import on_change
from ..models import Column, RowTableModel
from ..widgets.modal import run_modal
from ..widgets.pdf_preview import preview_document, show_preview
from ..widgets.table import fit_columns, make_table

COLUMNS = (
    Column("Signed", lambda r: r.signed_at),
    Column("Form", lambda r: r.form),
    Column("How", lambda r: r.method),
    Column("Signed by", lambda r: r.signer),
    Column("Witness", lambda r: r.witness),
)


def open_consent(user: User, consent_id: int, parent: QWidget | None = None) -> None:
    """The stored PDF, byte for byte (or the scanned image on a page), in the preview."""
    preview_document(lambda: consent_document_pdf(user, consent_id), "Signed consent",
                     f"consent-{consent_id}.pdf", parent, "Cannot show the consent")


class ConsentsPanel(QWidget):

    def __init__(self, user: User, patient_id: int, parent=None) -> None:
        super().__init__(parent)
        self.user, self.patient_id = user, patient_id
        self.model = RowTableModel(COLUMNS, parent=self)
        self.table = make_table(self.model, "Consents")
        self.table.activated.connect(lambda index: open_consent(
            user, self.model.row_at(index.row()).id, self))
        self.kind = QComboBox()
        self.kind.setAccessibleName("Consent form")
        for key, label in KINDS.items():
            self.kind.addItem(label, key)
        self.sign_button = QPushButton("Sign on screen…")
        self.sign_button.clicked.connect(lambda: self.sign())
        self.print_button = QPushButton("Print for paper…")
        self.print_button.setToolTip("The form with the patient filled in, to sign on paper")
        self.print_button.clicked.connect(self.print_for_paper)
        self.paper_button = QPushButton("Paper form received…")
        self.paper_button.clicked.connect(lambda: self.record_paper())
        self.open_button = QPushButton("Open")
        self.open_button.clicked.connect(self.open_selected)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Form"))
        bar.addWidget(self.kind)
        bar.addWidget(self.sign_button)
        bar.addWidget(self.print_button)
        bar.addWidget(self.paper_button)
        bar.addStretch(1)
        bar.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        on_change(self, ("consent",), self._on_changes)
        self.refresh()

    def _on_changes(self, changes) -> None:
        if self.patient_id in changes.ids("consent") or not changes.ids("consent"):
            self.refresh()

    def refresh(self) -> None:
        self.model.set_rows(signing.patient_consents(self.user, self.patient_id))
        fit_columns(self.table)

    def open_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            open_consent(self.user, self.model.row_at(rows[0].row()).id, self)

    def print_for_paper(self) -> None:
        category = self.kind.currentData()
        pdf = consent_form_pdf(self.user, category, self.patient_id)
        show_preview(pdf, f"{KINDS[category]} consent to sign on paper",
                     f"consent-{category}.pdf", self)

    def record_paper(self) -> None:
        from .paper_dialog import PaperConsentDialog

        self._after(run_modal(PaperConsentDialog(self.user, self.patient_id,
                                                 self.kind.currentData(), self)))

    def sign(self, category: str | None = None) -> None:
        from .sign_dialog import ConsentSignDialog

        self._after(run_modal(ConsentSignDialog(self.user, self.patient_id,
                                                category or self.kind.currentData(),
                                                parent=self)))

    def _after(self, saved: bool) -> None:
        """Nothing to do: the consent signed is announced on the bus, and this panel and the
        chart's timeline follow it."""
