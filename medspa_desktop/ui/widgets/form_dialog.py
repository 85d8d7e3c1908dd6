"""The frame of a small form dialog: labelled fields, the refusal shown in place, Save and
Cancel."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QVBoxLayout,
)

from ...services.platform.errors import DomainError
from .messages import ErrorLabel


class FormDialog(QDialog):
    """A form with Save and Cancel. ``submit`` calls the service; a refusal is shown under the
    form, which stays open, and the dialog closes only once the service has accepted."""

    def __init__(self, title: str, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(420)
        self.form = QFormLayout()
        self.message = ErrorLabel()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    def _line(self, label: str, max_length: int, placeholder: str = "") -> QLineEdit:
        edit = QLineEdit()
        edit.setMaxLength(max_length)
        edit.setPlaceholderText(placeholder)
        edit.setAccessibleName(label)
        self.form.addRow(label, edit)
        return edit

    def _save(self) -> None:
        try:
            self.submit()
        except DomainError as exc:
            self.message.say(str(exc))
            return
        self.accept()

    def submit(self) -> None:
        raise NotImplementedError
