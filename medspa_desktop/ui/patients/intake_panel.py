"""The medical-history questionnaire. Saving records only the answers that changed, dated;
each question's tooltip shows its history."""

from __future__ import annotations

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ...services import intake, patients
from ...services.errors import DomainError
from ...store.models import User
from ..widgets.messages import ErrorLabel

YES_NO = (("—", None), ("No", False), ("Yes", True))


class IntakePanel(QWidget):
    saved = Signal()

    def __init__(self, user: User, patient_id: int, parent=None) -> None:
        super().__init__(parent)
        self.user, self.patient_id = user, patient_id
        self.fields: dict[str, QWidget] = {}
        form = QFormLayout()
        for q in intake.QUESTIONS:
            if q.kind == "yes_no":
                field = QComboBox()
                for label, value in YES_NO:
                    field.addItem(label, value)
            elif q.kind == "fitzpatrick":
                field = QComboBox()
                field.addItem("not recorded", None)
                for value, label in intake.FITZPATRICK.items():
                    field.addItem(label, value)
            else:
                field = QLineEdit()
                if q.kind == "date":
                    field.setPlaceholderText(f"{patients.DATE_FORMATS_HINT}, or blank for never")
            field.setAccessibleName(q.label)
            self.fields[q.key] = field
            form.addRow(q.label, field)
        inner = QWidget()
        inner.setLayout(form)
        scroll = QScrollArea()
        scroll.setWidget(inner)
        scroll.setWidgetResizable(True)
        self.answered_on = QDateEdit(QDate.currentDate())
        self.answered_on.setCalendarPopup(True)
        self.answered_on.setDisplayFormat("ddd d MMM yyyy")
        self.answered_on.setMaximumDate(QDate.currentDate())
        self.save_button = QPushButton("Save answers")
        self.save_button.clicked.connect(self.save)
        self.message = ErrorLabel()
        self.result = QLabel()
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Answered on"))
        bar.addWidget(self.answered_on)
        bar.addStretch(1)
        bar.addWidget(self.result)
        bar.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.message)
        layout.addLayout(bar)
        self.refresh()

    def refresh(self) -> None:
        current = intake.current_answers(self.user, self.patient_id)
        for q in intake.QUESTIONS:
            field = self.fields[q.key]
            answer = current.get(q.key)
            value = answer.value if answer else None
            if isinstance(field, QComboBox):
                field.setCurrentIndex(max(0, field.findData(value)))
            elif q.kind == "date":
                field.setText(value.isoformat() if value else "")
            else:
                field.setText(value or "")
            if answer is not None:
                lines = [f"{a.answered_on}: {self._show(q, a.value)} (recorded by "
                         f"{a.recorded_by})" for a in intake.history(self.user, self.patient_id,
                                                                     q.key)]
                field.setToolTip("History:\n" + "\n".join(lines))

    @staticmethod
    def _show(question, value) -> str:
        if question.kind == "yes_no":
            return {True: "yes", False: "no", None: "—"}[value]
        if question.kind == "fitzpatrick":
            return intake.FITZPATRICK.get(value, "not recorded")
        return str(value or "—")

    def answers(self) -> dict[str, object]:
        found: dict[str, object] = {}
        for q in intake.QUESTIONS:
            field = self.fields[q.key]
            if isinstance(field, QComboBox):
                found[q.key] = field.currentData()
            elif q.kind == "date":
                text = field.text().strip()
                day = patients.parse_date(text) if text else None
                if text and day is None:
                    raise DomainError(f"'{text}' is not a date; type it as "
                                      f"{patients.DATE_FORMATS_HINT}.")
                found[q.key] = day
            else:
                found[q.key] = field.text()
        return found

    def save(self) -> None:
        self.message.hide()
        try:
            count = intake.record_answers(self.user, self.patient_id, self.answers(),
                                          self.answered_on.date().toPython())
        except DomainError as exc:
            self.message.say(str(exc))
            return
        self.result.setText(f"{count} answer{'s' if count != 1 else ''} recorded."
                            if count else "Nothing changed.")
        self.refresh()
        self.saved.emit()
