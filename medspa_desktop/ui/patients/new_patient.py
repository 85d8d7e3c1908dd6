"""Register a new patient. The service validates; the dialog stays open on a refusal and says
what to fix, so nothing typed is lost."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
)

from ...services.charts import patients
from ...services.platform.errors import ValidationError
from ...store.models import Patient, User
from ..widgets.form_dialog import FormDialog

SEX_CHOICES = (("", ""), ("Female", "female"), ("Male", "male"), ("Intersex", "intersex"),
               ("Other", "other"), ("Prefers not to say", "undisclosed"))


class NewPatientDialog(FormDialog):
    def __init__(self, user: User, parent=None) -> None:
        super().__init__("New patient", parent, min_width=440)
        self.user = user
        self.patient: Patient | None = None

        self.first_name = QLineEdit()
        self.last_name = QLineEdit()
        self.preferred_name = QLineEdit()
        # Typed, never pre-filled: a default birthday would be saved by whoever forgot it.
        self.dob = QLineEdit()
        self.dob.setPlaceholderText(patients.DATE_FORMATS_HINT)
        self.sex = QComboBox()
        for label, value in SEX_CHOICES:
            self.sex.addItem(label, value)
        self.phone = QLineEdit()
        self.email = QLineEdit()
        self.address = QPlainTextEdit()
        self.address.setTabChangesFocus(True)
        self.address.setFixedHeight(56)
        self.contact_name = QLineEdit()
        self.contact_phone = QLineEdit()

        for label, widget in (("&First name", self.first_name), ("&Last name", self.last_name),
                              ("&Preferred name", self.preferred_name),
                              ("Date of &birth", self.dob), ("&Sex", self.sex),
                              ("P&hone", self.phone), ("&Email", self.email),
                              ("&Address", self.address),
                              ("Emergency &contact", self.contact_name),
                              ("Contact's pho&ne", self.contact_phone)):
            self.form.addRow(label, widget)
            widget.setAccessibleName(label.replace("&", ""))

    def data(self) -> patients.PatientInput:
        dob = patients.parse_date(self.dob.text())
        if dob is None and self.dob.text().strip():
            raise ValidationError(f"'{self.dob.text().strip()}' is not a date of birth; type "
                                  f"it as {patients.DATE_FORMATS_HINT}.")
        return patients.PatientInput(
            first_name=self.first_name.text(),
            last_name=self.last_name.text(),
            preferred_name=self.preferred_name.text(),
            dob=dob,
            sex=self.sex.currentData(),
            phone=self.phone.text(),
            email=self.email.text(),
            address=self.address.toPlainText(),
            emergency_contact_name=self.contact_name.text(),
            emergency_contact_phone=self.contact_phone.text(),
        )

    def submit(self) -> bool:
        data = self.data()
        if not self.confirm_not_duplicate(patients.possible_duplicates(self.user, data)):
            return False
        self.patient = patients.create_patient(self.user, data)
        return True

    def confirm_not_duplicate(self, matches: list[patients.PatientRow]) -> bool:
        """Say who this may already be before creating a second chart for one person."""
        if not matches:
            return True
        listed = "\n".join(f"• {m.name}, born {m.dob:%Y-%m-%d}, {m.phone or 'no phone'}, "
                            f"chart {m.chart_number}" for m in matches[:5])
        answer = QMessageBox.question(
            self, "Possible duplicate",
            f"This may be a patient already registered:\n\n{listed}\n\n"
            "Create a new chart anyway?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes
