"""Signing a consent on screen: the patient reads the form full screen in large type, initials
the sections that ask for it, and signs once they have scrolled to the end; a parent or
guardian signs for a minor; the member of staff signs as witness. Nothing is kept until
"Sign" succeeds; Cancel leaves nothing behind."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ...printouts import sign_consent
from ...services.charts import chart
from ...services.consents import consent_templates, signing
from ...services.platform import limits
from ...store.models import Consent, User
from .. import style
from ..ops import op
from ..widgets.messages import ErrorLabel
from ..widgets.signature_pad import add_signing_pads

READING_POINT_SIZE = style.READING_POINTS


class ConsentSignDialog(QDialog):
    def __init__(self, user: User, patient_id: int, category: str,
                 appointment_id: int | None = None, parent=None) -> None:
        super().__init__(parent)
        self.user, self.patient_id, self.appointment_id = user, patient_id, appointment_id
        self.consent: Consent | None = None
        self.template = consent_templates.current(user, category)
        head = chart.header(user, patient_id, opening=False)  # the signing is what is audited
        self.minor = head.age < signing.ADULT_AGE
        self.setWindowTitle(f"{self.template.title} — {head.name}")
        self.read_to_end = False

        big = QFont(self.font())
        big.setPointSize(READING_POINT_SIZE)
        heading_font = QFont(big)
        heading_font.setBold(True)
        title = QLabel(html.escape(self.template.title))
        title_font = QFont(big)
        title_font.setPointSize(style.READING_TITLE_POINTS)
        title_font.setBold(True)
        title.setFont(title_font)
        title.setWordWrap(True)
        who = QLabel(f"{html.escape(head.name)} · born {head.dob:%d %b %Y} · chart "
                     f"{head.chart_number} · form version {self.template.version}")
        who.setFont(big)

        page = QWidget()
        page.setStyleSheet(style.PAGE)
        column = QVBoxLayout(page)
        column.setContentsMargins(*style.PAGE_MARGINS)
        column.addWidget(title)
        column.addWidget(who)
        self.initials: list[QLineEdit | None] = []
        for section in self.template.sections:
            heading = QLabel(html.escape(section.heading))
            heading.setFont(heading_font)
            heading.setWordWrap(True)
            text = QLabel(html.escape(section.text).replace("\n", "<br>"))
            text.setTextFormat(Qt.TextFormat.RichText)
            text.setFont(big)
            text.setWordWrap(True)
            column.addSpacing(10)
            column.addWidget(heading)
            column.addWidget(text)
            if section.initials:
                edit = QLineEdit()
                edit.setMaxLength(5)
                edit.setFixedWidth(110)
                edit.setFont(heading_font)
                edit.setAccessibleName(f"Initials: {section.heading}")
                edit.setPlaceholderText("Initials")
                edit.textChanged.connect(lambda _t: self._update())
                row = QHBoxLayout()
                row.addStretch(1)
                prompt = QLabel("Your initials:")
                prompt.setFont(big)
                row.addWidget(prompt)
                row.addWidget(edit)
                column.addLayout(row)
                self.initials.append(edit)
            else:
                self.initials.append(None)

        column.addSpacing(18)
        self.guardian = QLineEdit()
        self.relation = QLineEdit()
        if self.minor:
            note = QLabel(f"{html.escape(head.name)} is under {signing.ADULT_AGE}: a parent or "
                          "guardian signs.")
            note.setFont(big)
            column.addWidget(note)
            form = QFormLayout()
            self.guardian.setAccessibleName("Guardian's name")
            self.guardian.setMaxLength(limits.GUARDIAN)
            self.relation.setAccessibleName("Relation to the patient")
            self.relation.setMaxLength(limits.RELATION)
            self.relation.setPlaceholderText("e.g. mother, father, legal guardian")
            form.addRow("Parent or guardian", self.guardian)
            form.addRow("Relation", self.relation)
            for edit in (self.guardian, self.relation):
                edit.setFont(big)
                edit.textChanged.connect(lambda _t: self._update())
            column.addLayout(form)
        self.patient_pad, self.witness_pad = add_signing_pads(
            column, "the parent or guardian" if self.minor else head.name, user.display_name,
            self._update)
        column.addStretch(1)

        self.scroll = QScrollArea()
        self.scroll.setWidget(page)
        self.scroll.setWidgetResizable(True)
        self.scroll.verticalScrollBar().valueChanged.connect(lambda _v: self._scrolled())
        self.scroll.verticalScrollBar().rangeChanged.connect(lambda _a, _b: self._scrolled())

        self.hint = QLabel()
        self.hint.setFont(big)
        self.message = ErrorLabel()
        self.sign_button = QPushButton("Sign")
        self.sign_button.setFont(heading_font)
        self.sign_button.setMinimumWidth(140)
        self.sign_button.setDefault(False)
        self.sign_button.setAutoDefault(False)
        cancel = QPushButton("Cancel")
        cancel.setAutoDefault(False)
        self.sign_button.clicked.connect(self.sign)
        cancel.clicked.connect(self.reject)
        bar = QHBoxLayout()
        bar.addWidget(self.hint, 1)
        bar.addWidget(cancel)
        bar.addWidget(self.sign_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.scroll, 1)
        layout.addWidget(self.message)
        layout.addLayout(bar)
        self.setWindowState(Qt.WindowState.WindowFullScreen)
        self._update()

    def _scrolled(self) -> None:
        bar = self.scroll.verticalScrollBar()
        fits = bar.maximum() == 0 and self.isVisible()  # laid out, and nothing to scroll
        if fits or (bar.maximum() > 0 and bar.value() >= bar.maximum() - 4):
            self.read_to_end = True
        self._update()

    def missing(self) -> str:
        """What still stands between the patient and signing, in their words."""
        if not self.read_to_end:
            return "Please read the whole form: scroll to the end."
        if any(edit is not None and not edit.text().strip() for edit in self.initials):
            return "Please initial each section that asks for it."
        if self.minor and not (self.guardian.text().strip() and self.relation.text().strip()):
            return "The parent or guardian gives their name and relation."
        if self.patient_pad.is_empty():
            return "Please sign in the box."
        if self.witness_pad.is_empty():
            return f"{self.user.display_name} signs as witness."
        return ""

    def _update(self) -> None:
        missing = self.missing()
        self.hint.setText(missing or "Ready to sign.")
        self.sign_button.setEnabled(not missing)

    def sign(self) -> None:
        if self.missing():
            return
        data = signing.SigningInput(
            self.patient_id, self.template.id,
            tuple(edit.text() if edit is not None else "" for edit in self.initials),
            self.patient_pad.to_png(), self.witness_pad.to_png(),
            self.guardian.text() if self.minor else "",
            self.relation.text() if self.minor else "", self.appointment_id)
        done = op(self, lambda: sign_consent(self.user, data), error_label=self.message)
        if done:
            self.consent = done.value
            self.accept()
