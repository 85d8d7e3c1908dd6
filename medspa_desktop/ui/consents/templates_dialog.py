"""Consent forms: each category's text and its versions. An admin edits the text and saves
it as a new version (every old one is kept, and signed consents keep naming theirs); others
read them."""

from __future__ import annotations

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
)

from ...services.consents import consent_templates
from ...services.consents.consent_templates import KINDS
from ...services.platform import limits
from ...services.platform.permissions import allowed
from ...store.models import User
from ..ops import op
from ..widgets.messages import ErrorLabel

HELP = ("Each section starts with a line '## Heading'. End a heading with [initials] to ask "
        "the patient to initial that section. Saving keeps the old version.")


class ConsentTemplatesDialog(QDialog):
    def __init__(self, user: User, parent=None) -> None:
        super().__init__(parent)
        self.user = user
        self.may_edit = allowed(user, "consent.template")
        self.setWindowTitle("Consent forms")
        self.resize(980, 700)
        self.categories = QListWidget()
        self.categories.setAccessibleName("Consent form")
        for key, label in KINDS.items():
            item = QListWidgetItem(label)
            item.setData(256, key)
            self.categories.addItem(item)
        self.categories.setFixedWidth(230)
        self.versions = QComboBox()
        self.versions.setAccessibleName("Version")
        self.title = QLineEdit()
        self.title.setMaxLength(limits.CONSENT_TITLE)
        self.title.setAccessibleName("Title")
        self.body = QPlainTextEdit()
        self.body.setAccessibleName("Consent text")
        self.body.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.info = QLabel()
        self.message = ErrorLabel()
        self.save_button = QPushButton("Save as new version")
        self.save_button.clicked.connect(self.save)
        self.save_button.setVisible(self.may_edit)
        self.discard_button = QPushButton("Discard edits")
        self.discard_button.clicked.connect(self.show_version)
        self.discard_button.setVisible(self.may_edit)
        close = QPushButton("Close")
        close.clicked.connect(self.accept)
        self.categories.currentRowChanged.connect(lambda _r: self.load())
        self.versions.currentIndexChanged.connect(lambda _i: self.show_version())

        top = QHBoxLayout()
        top.addWidget(QLabel("Version"))
        top.addWidget(self.versions, 1)
        right = QVBoxLayout()
        right.addLayout(top)
        right.addWidget(self.info)
        right.addWidget(self.title)
        right.addWidget(self.body, 1)
        if self.may_edit:
            hint = QLabel(HELP)
            hint.setWordWrap(True)
            right.addWidget(hint)
        right.addWidget(self.message)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.discard_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(close)
        right.addLayout(buttons)
        layout = QHBoxLayout(self)
        layout.addWidget(self.categories)
        layout.addLayout(right, 1)
        self.categories.setCurrentRow(0)

    def category(self) -> str:
        return self.categories.currentItem().data(256)

    def load(self, select_id: int | None = None) -> None:
        self.history = consent_templates.history(self.user, self.category())
        self.versions.blockSignals(True)
        self.versions.clear()
        for t in self.history:
            self.versions.addItem(f"Version {t.version}" + (" (in use)" if t is self.history[0]
                                                            else ""), t.id)
        self.versions.blockSignals(False)
        self.versions.setCurrentIndex(max(0, self.versions.findData(select_id)))
        self.show_version()

    def show_version(self) -> None:
        t = self.history[max(0, self.versions.currentIndex())]
        current = t.id == self.history[0].id
        self.title.setText(t.title)
        self.body.setPlainText(t.body)
        editable = self.may_edit and current
        self.title.setReadOnly(not editable)
        self.body.setReadOnly(not editable)
        self.save_button.setEnabled(editable)
        self.discard_button.setEnabled(editable)
        by = t.created_by or "shipped with MedSpa Desktop"
        self.info.setText(f"Saved {t.created_at:%Y-%m-%d %H:%M} · {by}"
                          + ("" if current else " · an earlier version, kept as it was"))
        self.message.hide()

    def save(self) -> None:
        done = op(self, lambda: consent_templates.save_version(
            self.user, self.category(), self.title.text(), self.body.toPlainText()),
                  error_label=self.message)
        if not done:
            return
        saved = done.value
        self.load(saved.id)
        self.info.setText(self.info.text() + f" · saved as version {saved.version}")
