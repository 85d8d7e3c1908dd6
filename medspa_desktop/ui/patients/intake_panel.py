"""The medical-history questionnaire. Saving records the answers that changed, dated with the
day the patient gave them (the form's date, which may be an old paper form: an answer older
than the one on file goes to the history and does not replace it). Ticking "the patient
confirmed every answer" moves the unchanged answers' dates too. Beside each answer is the
day it was last given ("confirmed on"), amber once a fast-changing answer is older than the
clinic's review period; the tooltip shows its history."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QCheckBox,
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

from ...services.charts import contraindications, intake, patients
from ...services.clinic import clinical_periods
from ...services.platform.errors import DomainError
from ...store.models import User
from .. import style
from ..bus import on_change
from ..ops import op
from ..widgets.messages import ErrorLabel

YES_NO = (("—", None), ("No", False), ("Yes", True))
GIVEN_STYLE = style.QUIET_LINE
STALE_STYLE = style.STALE_ANSWER


class IntakePanel(QWidget):

    def __init__(self, user: User, patient_id: int, parent=None) -> None:
        super().__init__(parent)
        self.user, self.patient_id = user, patient_id
        self.fields: dict[str, QWidget] = {}
        # what the person changed since the form showed what is on file: a question never
        # answered and left alone is not sent (a save never records "none reported" for it),
        # unless the patient went through every question ("confirmed every answer")
        self._touched: set[str] = set()
        self._on_file: set[str] = set()
        self.given: dict[str, QLabel] = {}  # "confirmed on 3 Jan 2025" beside each answer
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
            changed = (field.currentIndexChanged if isinstance(field, QComboBox)
                       else field.textChanged)
            changed.connect(lambda *_a, key=q.key: self._touched.add(key))
            if q.kind == "fitzpatrick":  # its long choices must not widen the whole form
                field.setSizeAdjustPolicy(
                    QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
                field.setMinimumContentsLength(16)
            given = QLabel()
            given.setAccessibleName(f"{q.label}: confirmed on")
            bold = given.font()
            bold.setBold(True)
            given.setFixedWidth(QFontMetrics(bold).horizontalAdvance(
                "⚠ confirmed on 30 Sep 2026") + 8)
            self.given[q.key] = given
            row = QHBoxLayout()
            row.addWidget(field, 1)
            row.addWidget(given)
            form.addRow(q.label, row)
        inner = QWidget()
        inner.setLayout(form)
        scroll = QScrollArea()
        scroll.setWidget(inner)
        scroll.setWidgetResizable(True)
        self.answered_on = QDateEdit(QDate.currentDate())
        self.answered_on.setCalendarPopup(True)
        self.answered_on.setDisplayFormat("ddd d MMM yyyy")
        self.answered_on.setMaximumDate(QDate.currentDate())
        self.answered_on.setAccessibleName("Answered on (the form's date)")
        self.confirm_all = QCheckBox("The patient confirmed every answer on this date")
        self.confirm_all.setToolTip("Unchanged answers are recorded again with this date, so "
                                    "everyone can see how fresh they are.")
        self.save_button = QPushButton("Save answers")
        self.save_button.clicked.connect(lambda: self.save())
        self.message = ErrorLabel()
        self.kept = QLabel()  # an old form's answer that a newer one outranks
        self.kept.setWordWrap(True)
        self.kept.setStyleSheet(style.NOTICE_STRIP)
        self.kept.hide()
        self.result = QLabel()
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Answered on"))
        bar.addWidget(self.answered_on)
        bar.addWidget(self.confirm_all)
        bar.addStretch(1)
        bar.addWidget(self.result)
        bar.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.kept)
        layout.addLayout(bar)
        on_change(self, ("intake",), self._on_changes)
        self.refresh()

    def _on_changes(self, changes) -> None:
        if self.patient_id in changes.ids("intake") or not changes.ids("intake"):
            self.refresh()

    def refresh(self) -> None:
        current = intake.current_answers(self.user, self.patient_id)
        histories = intake.histories(self.user, self.patient_id)
        review = clinical_periods.intake_review_days()
        stale = {a.question for a in contraindications.stale_answers(
            current, dt.date.today(), review)}
        stale_tip = (f"Older than the clinic's review period "
                     f"({clinical_periods.describe_days(review)}): ask the patient again "
                     "before treating, then save with \"confirmed every answer\".")
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
            given = self.given[q.key]
            if answer is None:
                given.setText("")
                field.setToolTip("")
                continue
            # a yes/no left at "—" was not answered: it has no date worth showing
            unanswered = value is None and q.kind == "yes_no"
            given.setText("" if unanswered else ("⚠ " if q.key in stale else "")
                          + f"confirmed on {_day(answer.answered_on)}")
            given.setStyleSheet(STALE_STYLE if q.key in stale else GIVEN_STYLE)
            given.setToolTip(stale_tip if q.key in stale else "")
            lines, before = [], object()
            for a in histories.get(q.key, ()):
                said = "confirmed" if a.value == before else self._show(q, a.value)
                lines.append(f"{_day(a.answered_on)}: {said} (entered {a.recorded_at:%d %b %Y}"
                             f" by {a.recorded_by})")
                before = a.value
            field.setToolTip("Given by the patient on:\n" + "\n".join(lines))
        self._on_file = set(current)
        self._touched = set()

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
            if (q.key not in self._touched and q.key not in self._on_file
                    and not self.confirm_all.isChecked()):
                continue  # never answered and not touched: not "none reported"
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
        self.kept.hide()
        done = op(self, lambda: intake.save_intake(
            self.user, self.patient_id, self.answers(), self.answered_on.date().toPython(),
            confirm_unchanged=self.confirm_all.isChecked()), error_label=self.message)
        if not done:
            return
        saved = done.value
        said = []
        if saved.changed:
            said.append(f"{saved.changed} answer{'s' if saved.changed != 1 else ''} recorded")
        if saved.confirmed:
            said.append(f"{saved.confirmed} re-confirmed")
        self.result.setText(", ".join(said) + "." if said else "Nothing changed.")
        if saved.kept_newer:
            self.kept.setText(
                "Kept in the history only — the patient gave a newer answer, which stays "
                "current: " + "; ".join(f"{label} (given {_day(on)})"
                                        for label, on in saved.kept_newer) + ".")
            self.kept.show()
        self.confirm_all.setChecked(False)  # the answers shown follow the bus


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"
