"""Record a consent signed on paper: which form (version) was signed, when, by whom (a parent
or guardian for a minor), and the scan of the signed page."""

from __future__ import annotations

from PySide6.QtCore import QDateTime
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)

from ...services.charts import chart
from ...services.consents import consent_templates, signing
from ...services.consents.consent_templates import KINDS
from ...services.platform import chosen_files, limits
from ...services.platform.errors import ValidationError
from ...store.models import User
from ..widgets.form_dialog import FormDialog


class PaperConsentDialog(FormDialog):
    def __init__(self, user: User, patient_id: int, category: str, parent=None) -> None:
        super().__init__(f"Paper {KINDS[category].lower()} consent received", parent)
        self.user, self.patient_id = user, patient_id
        self.consent = None
        self.setMinimumWidth(520)
        head = chart.header(user, patient_id, opening=False)
        self.minor = head.age < signing.ADULT_AGE
        self.version = QComboBox()
        self.version.setAccessibleName("Form version")
        for t in consent_templates.history(user, category):
            self.version.addItem(f"Version {t.version} — {t.title}", t.id)
        self.form.addRow("Patient", QLineEdit(head.name, readOnly=True))
        self.form.addRow("Form signed", self.version)
        self.signed_at = QDateTimeEdit(QDateTime.currentDateTime())
        self.signed_at.setCalendarPopup(True)
        self.signed_at.setDisplayFormat("d MMM yyyy HH:mm")
        self.signed_at.setAccessibleName("Signed on")
        self.form.addRow("Signed on", self.signed_at)
        self.guardian = self._line("Parent or guardian", limits.GUARDIAN) if self.minor else None
        self.relation = self._line("Relation", limits.RELATION, "e.g. mother") if self.minor else None
        self.scan_path = QLineEdit()
        self.scan_path.setReadOnly(True)
        self.scan_path.setPlaceholderText("the scanned signed form: PDF, JPEG or PNG")
        self.scan_path.setAccessibleName("Scan")
        choose = QPushButton("Choose file…")
        choose.clicked.connect(lambda: self.choose_scan())
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.scan_path, 1)
        row.addWidget(choose)
        holder = QWidget()
        holder.setLayout(row)
        self.form.addRow("Scan", holder)

    def choose_scan(self, path: str | None = None) -> None:
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self, "Scan of the signed form", "",
                                                  "Scans (*.pdf *.jpg *.jpeg *.png)")
        if path:
            self.scan_path.setText(path)

    def submit(self) -> None:
        if not self.scan_path.text():
            raise ValidationError("Attach the scan of the signed paper form.")
        try:
            scan = chosen_files.read_chosen(self.scan_path.text())
        except OSError as exc:
            raise ValidationError(f"The scan could not be read: {exc.strerror}.") from None
        self.consent = signing.record_paper(
            self.user, self.patient_id, self.version.currentData(),
            self.signed_at.dateTime().toPython(), scan,
            guardian_name=self.guardian.text() if self.guardian else "",
            guardian_relation=self.relation.text() if self.relation else "")
