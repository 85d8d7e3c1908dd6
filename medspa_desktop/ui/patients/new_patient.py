"""Register a new patient, or correct one's details (the same form, opened on the chart's
values). The service validates; the dialog stays open on a refusal and says what to fix, so
nothing typed is lost.

Correcting details saves over the version the form was opened on: when another PC saved the
patient in between, the save is refused, the form says who changed it when and where, shows what
is on file now, and keeps the user's typing in a "Your changes" box to put back and save. Esc or Cancel with corrections typed asks before dropping
them."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
)

from ...services.charts import patients
from ...services.messaging import contact_consent
from ...services.platform import limits
from ...services.platform.errors import ValidationError
from ...services.platform.vocabulary import ContactKind
from ...store.models import Patient, User
from .. import style
from ..widgets.form_dialog import FormDialog

SEX_CHOICES = (("", ""), ("Female", "female"), ("Male", "male"), ("Intersex", "intersex"),
               ("Other", "other"), ("Prefers not to say", "undisclosed"))


class NewPatientDialog(FormDialog):
    """A new patient; or, given ``patient``, that patient's details to correct."""

    def __init__(self, user: User, parent=None, *, patient: Patient | None = None) -> None:
        super().__init__("Edit patient details" if patient else "New patient", parent,
                         min_width=440)
        self.user = user
        self.patient: Patient | None = None
        self.editing = patient

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
        for edit, limit in ((self.first_name, limits.PATIENT_NAME),
                            (self.last_name, limits.PATIENT_NAME),
                            (self.preferred_name, limits.PATIENT_NAME),
                            (self.email, limits.EMAIL), (self.contact_name, limits.FULL_NAME)):
            edit.setMaxLength(limit)  # the rule's own length (services/platform/limits.py)

        for label, widget in (("&First name", self.first_name), ("&Last name", self.last_name),
                              ("&Preferred name", self.preferred_name),
                              ("Date of &birth", self.dob), ("&Sex", self.sex),
                              ("P&hone", self.phone), ("&Email", self.email),
                              ("&Address", self.address),
                              ("Emergency &contact", self.contact_name),
                              ("Contact's pho&ne", self.contact_phone)):
            self.form.addRow(label, widget)
            widget.setAccessibleName(label.replace("&", ""))
        # Consent to be contacted: the patient's answer now, and when they gave it. Saving
        # records only an answer that was changed here (dated today).
        self.contact_boxes: dict[str, QCheckBox] = {}
        self.contact_notes: dict[str, QLabel] = {}
        self._contact_loaded: dict[str, bool] = {}
        for kind, label, text in (
                (ContactKind.REMINDERS, "Re&minders", "Send appointment reminders"),
                (ContactKind.MARKETING, "Mar&keting", "Send offers and recall emails")):
            box = QCheckBox(text)
            box.setAccessibleName(kind.label)
            note = QLabel()
            note.setStyleSheet(style.QUIET_LINE)
            note.setAccessibleName(f"{kind.label}: on file")
            self.form.addRow(label, box)
            self.form.addRow("", note)
            self.contact_boxes[kind.value], self.contact_notes[kind.value] = box, note
        self._show_contact(None)
        self._loaded = self._typed()
        if patient is not None:
            self.load(patient)

    def load(self, patient: Patient) -> None:
        """Show ``patient``'s details as they are on file; saving edits that version."""
        self.editing = patient
        self.setWindowTitle(f"Edit details — chart {patient.chart_number}")
        self.first_name.setText(patient.first_name)
        self.last_name.setText(patient.last_name)
        self.preferred_name.setText(patient.preferred_name)
        self.dob.setText(f"{patient.dob:%Y-%m-%d}")
        self.sex.setCurrentIndex(max(0, self.sex.findData(patient.sex)))
        self.phone.setText(patients.format_phone(patient.phone))
        self.email.setText(patient.email)
        self.address.setPlainText(patient.address)
        self.contact_name.setText(patient.emergency_contact_name)
        self.contact_phone.setText(patients.format_phone(patient.emergency_contact_phone))
        self._show_contact(patient.id)
        self._loaded = self._typed()

    def _show_contact(self, patient_id: int | None) -> None:
        """Tick each consent box as the patient's answer is now, with when it was given."""
        if patient_id is None:
            answers = {kind.value: contact_consent.ContactAnswer(
                kind.value, contact_consent.DEFAULTS[kind], None) for kind in ContactKind}
        else:
            answers = contact_consent.current_answers(self.user, patient_id)
        for kind, answer in answers.items():
            self.contact_boxes[kind].setChecked(answer.agreed)
            self.contact_notes[kind].setText(answer.describe())
            self._contact_loaded[kind] = answer.agreed

    def contact_changes(self) -> dict[str, bool]:
        """The consent answers changed in this form: {kind: yes/no}."""
        return {kind: box.isChecked() for kind, box in self.contact_boxes.items()
                if box.isChecked() != self._contact_loaded[kind]}

    def _typed(self) -> tuple:
        return (self.first_name.text(), self.last_name.text(), self.preferred_name.text(),
                self.dob.text(), self.sex.currentData(), self.phone.text(), self.email.text(),
                self.address.toPlainText(), self.contact_name.text(),
                self.contact_phone.text(),
                tuple(box.isChecked() for box in getattr(self, "contact_boxes", {}).values()))

    def has_changes(self) -> bool:
        """Whether anything was typed since the form was filled."""
        return self._typed() != self._loaded

    def reject(self) -> None:
        """Cancel or Esc: corrections typed into a patient's details are not dropped unasked."""
        if self.editing is not None and self.has_changes():
            answer = QMessageBox.question(
                self, "Discard changes?",
                "Discard the changes typed into these details?",
                QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel)
            if answer != QMessageBox.StandardButton.Discard:
                return
        super().reject()

    def reload_stored(self) -> None:
        """Another PC saved this patient first: show what is on file now (the typing goes to
        the "Your changes" box, ``FormDialog.show_stale``)."""
        self.load(patients.patient_details(self.user, self.editing.id))

    def can_reload(self) -> bool:
        return self.editing is not None

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
        if self.editing is not None:
            if self._typed()[:-1] != self._loaded[:-1]:  # the details, not only the consent
                self.patient = patients.update_patient(self.user, self.editing.id, data,
                                                       self.editing.version)
            else:
                self.patient = self.editing
            self._record_contact()
            return True
        if not self.confirm_not_duplicate(patients.possible_duplicates(self.user, data)):
            return False
        self.patient = patients.create_patient(self.user, data)
        self._record_contact()
        return True

    def _record_contact(self) -> None:
        """The consent answers changed here, dated today, once the details are saved."""
        changed = self.contact_changes()
        if changed and self.patient is not None:
            contact_consent.record_answers(self.user, self.patient.id, changed)
            self._show_contact(self.patient.id)

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
