"""The inline message a dialog shows when it refuses input: red, wrapped, hidden until used.
Shown in the dialog (not a pop-up) so that what was typed stays in view next to it."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from .. import style


class ErrorLabel(QLabel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("errorLabel")
        self.setWordWrap(True)
        self.setStyleSheet(style.ERROR_LINE)
        self.setAccessibleName("Message")
        self.hide()

    def keep_room(self) -> None:
        """Hold one line's room while hidden, so the message appearing moves nothing above
        or beside it (a form's fields, the Save button just clicked)."""
        policy = self.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.setSizePolicy(policy)
        self.setMinimumHeight(self.fontMetrics().lineSpacing())

    def say(self, text: str) -> None:
        self.setText(text)
        self.show()
