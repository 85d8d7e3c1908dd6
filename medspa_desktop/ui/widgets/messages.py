"""The inline message a dialog shows when it refuses input: red, wrapped, hidden until used.
Shown in the dialog (not a pop-up) so that what was typed stays in view next to it.

It holds its room while hidden (one line, or more where a form's messages run longer), so a
message coming or going moves no field and no button: a click aimed at "Tip" never lands in
the field above it because a refusal just appeared."""

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
        self.keep_room()
        self.hide()

    def keep_room(self, lines: int = 1) -> None:
        """Hold ``lines`` lines' room while hidden, so the message appearing moves nothing
        above or beside it (a form's fields, the Save button just clicked). A message longer
        than that still shows whole, growing downwards."""
        policy = self.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.setSizePolicy(policy)
        self.setMinimumHeight(self.fontMetrics().lineSpacing() * lines)

    def say(self, text: str) -> None:
        self.setText(text)
        self.show()
