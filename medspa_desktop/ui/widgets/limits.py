"""A length limit for every one-line text field: a field that sets none of its own gets
DEFAULT_MAX_LENGTH when it is first shown (the services still check every length they care
about and say so in words; this keeps a pasted novel out of a name box)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QLineEdit, QPlainTextEdit

DEFAULT_MAX_LENGTH = 200
QT_UNLIMITED = 32767  # QLineEdit's own default


class TextLimits(QObject):
    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        if (event.type() == QEvent.Type.Polish and isinstance(watched, QLineEdit)
                and watched.maxLength() == QT_UNLIMITED):
            watched.setMaxLength(DEFAULT_MAX_LENGTH)
        return False


_installed: TextLimits | None = None


def install_text_limits(app: QApplication) -> TextLimits:
    """Once per application."""
    global _installed
    if _installed is None:
        _installed = TextLimits(app)
        app.installEventFilter(_installed)
    return _installed


def keep_within(edit: QPlainTextEdit, limit: int) -> bool:
    """Cut ``edit`` back to ``limit`` characters when typing or pasting went past it, the
    cursor kept where it was (or at the end of what fits). True when it had to cut."""
    typed = edit.toPlainText()
    if len(typed) <= limit:
        return False
    position = min(edit.textCursor().position(), limit)
    edit.setPlainText(typed[:limit])
    cursor = edit.textCursor()
    cursor.setPosition(position)
    edit.setTextCursor(cursor)
    return True


def limit_plain_text(edit: QPlainTextEdit, limit: int) -> QPlainTextEdit:
    """A multi-line box that stops at ``limit`` characters, as a one-line field stops at its
    maxLength: what fits of a paste stays, nothing past it is ever sent to the service."""
    edit.textChanged.connect(lambda: keep_within(edit, limit))
    edit.setProperty("max_characters", limit)
    return edit
