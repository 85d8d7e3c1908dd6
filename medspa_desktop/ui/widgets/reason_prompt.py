"""The one reason prompt: every "why?" the program asks (cancelling a visit, moving one outside
the rules, voiding an invoice, a refund, archiving a chart, an addendum…) is this dialog.

A wrapping text box under the question; OK stays disabled until a reason is typed (a blank
reason can be neither sent nor silently dropped); Enter is OK, Esc and Cancel close it having
written nothing. It stops typing at the services' own limit (``MAX_REASON``).

When it runs the change itself (``ops.with_reason``) a refusal is shown under the text and the
dialog stays open with the reason as typed. A reason the service refused is also kept for the
next prompt asking the same question (``keep``), so after a stale edit the user looks at the
fresh schedule and tries again without retyping it.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
)

from ...services.platform.text import MAX_REASON, clean_line
from .limits import keep_within
from .messages import ErrorLabel

_kept: dict[object, str] = {}  # what was asked -> a reason the service refused


def keep(key: object, reason: str) -> None:
    """Offer ``reason`` again the next time the question ``key`` is asked."""
    if reason.strip():
        _kept[key] = reason


def forget(key: object) -> None:
    _kept.pop(key, None)


class ReasonDialog(QDialog):
    """Ask ``question``; ``reason()`` is what was typed, on one line. ``on_ok(reason)``, when
    given, runs on OK and returns whether the dialog may close (a refusal keeps it open).
    ``key`` names what is asked about (e.g. ``("appointment.cancel", 12)``) for the reason kept
    after a refusal; by default the title and the question."""

    def __init__(self, title: str, question: str, parent=None, *, limit: int = MAX_REASON,
                 placeholder: str = "Type the reason (it is recorded)",
                 on_ok: Callable[[str], bool] | None = None, key: object = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(420)
        self._key = key if key is not None else (title, question)
        self._limit = limit
        self._on_ok = on_ok
        label = self.prompt = QLabel(question)
        label.setWordWrap(True)
        self.text = QPlainTextEdit()
        self.text.setAccessibleName("Reason")
        self.text.setPlaceholderText(placeholder)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.text.setTabChangesFocus(True)
        self.text.setFixedHeight(self.text.fontMetrics().lineSpacing() * 4 + 12)
        label.setBuddy(self.text)
        self.text.installEventFilter(self)
        self.message = ErrorLabel()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.text)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.text.textChanged.connect(self._changed)
        self.text.setPlainText(_kept.get(self._key, ""))
        self.text.moveCursor(self.text.textCursor().MoveOperation.End)
        self._changed()
        self.text.setFocus()

    def reason(self) -> str:
        return clean_line(self.text.toPlainText())

    def _changed(self) -> None:
        if keep_within(self.text, self._limit):  # pasted past the limit: what fits stays
            return
        self.ok_button.setEnabled(bool(self.reason()))
        self.message.hide()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        """Enter is OK (a reason is one line); Shift+Enter is too, rather than a new line."""
        if (watched is self.text and event.type() == QEvent.Type.KeyPress
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)):
            if self.ok_button.isEnabled():
                self.ok_button.click()
            return True
        return super().eventFilter(watched, event)

    def accept(self) -> None:
        reason = self.reason()
        if not reason:  # OK is disabled then; Enter does nothing either
            return
        if self._on_ok is not None and not self._on_ok(reason):
            keep(self._key, reason)  # refused: kept here, and for the next time it is asked
            return
        forget(self._key)
        super().accept()
