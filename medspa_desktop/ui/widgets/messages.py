"""The inline message a dialog shows when it refuses input: red, wrapped, hidden until used.
Shown in the dialog (not a pop-up) so that what was typed stays in view next to it."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel


class ErrorLabel(QLabel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("errorLabel")
        self.setWordWrap(True)
        self.setStyleSheet("color: #b00020;")
        self.setAccessibleName("Message")
        self.hide()

    def say(self, text: str) -> None:
        self.setText(text)
        self.show()
