"""An addendum to a signed note, in one dialog: why (one line) and what (as long as it takes,
wrapped as it is typed). Save waits until both are given, and says so; Esc or Cancel with
something typed does not throw it away at once: the dialog says that a second Esc discards it."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QLineEdit, QPlainTextEdit, QWidget

from ...services.charts import notes
from ...store.models import User
from .. import style
from ..widgets.form_dialog import FormDialog

NEEDS_BOTH = "Save needs the reason and the addendum."
DISCARD = ("The addendum is not saved. Press Esc (or Cancel) again to discard it, "
           "or Save to keep it.")


class AddendumDialog(FormDialog):
    """Why and what: the addendum is saved under the signed note, which stays as signed."""

    def __init__(self, user: User, note_id: int, parent: QWidget | None = None) -> None:
        super().__init__("Add addendum", parent, min_width=560)
        self.user, self.note_id = user, note_id
        self._discard_asked = False
        intro = QLabel("The signed note stays as it is. The addendum is shown under it with "
                       "your name, the time and the reason.")
        intro.setWordWrap(True)
        self.reason = QLineEdit()
        self.reason.setMaxLength(notes.MAX_REASON)
        self.reason.setPlaceholderText("e.g. wrong side recorded")
        self.reason.setAccessibleName("Reason")
        self.text = QPlainTextEdit()
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.text.setTabChangesFocus(True)
        self.text.setMinimumHeight(180)
        self.text.setPlaceholderText("What is corrected or added")
        self.text.setAccessibleName("Addendum")
        self.hint = QLabel()
        self.hint.setStyleSheet(style.QUIET_LINE)
        self.hint.setMinimumHeight(self.hint.fontMetrics().lineSpacing())
        self.body.insertWidget(0, intro)
        self.form.addRow("&Reason", self.reason)
        self.form.addRow("&Addendum", self.text)
        self.body.addWidget(self.hint)
        self.reason.textChanged.connect(self._typed)
        self.text.textChanged.connect(self._typed)
        self.resize(600, 380)
        self._typed()

    def _complete(self) -> bool:
        return bool(self.reason.text().strip() and self.text.toPlainText().strip())

    def _typed(self) -> None:
        """Save is offered once both are given; typing again takes back a discard asked."""
        complete = self._complete()
        self.save_button.setEnabled(complete)
        self.hint.setText("" if complete else NEEDS_BOTH)
        if self._discard_asked:
            self._discard_asked = False
            self.message.hide()

    def has_typing(self) -> bool:
        return bool(self.reason.text().strip() or self.text.toPlainText().strip())

    def reject(self) -> None:
        """Esc, Cancel or the window's X: with something typed, the first asks (in the
        dialog, not a pop-up) and the second discards."""
        if self.has_typing() and not self._discard_asked:
            self._discard_asked = True
            self.message.say(DISCARD)
            return
        super().reject()

    def save(self) -> None:
        if not self._complete():  # Enter in the reason line before the text is written
            self.message.say(NEEDS_BOTH)
            return
        super().save()

    def submit(self) -> None:
        notes.add_addendum(self.user, self.note_id, self.reason.text(),
                           self.text.toPlainText())
