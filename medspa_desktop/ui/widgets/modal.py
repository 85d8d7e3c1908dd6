"""The one way the program opens a dialog: ``run_modal(SomeDialog(..., parent))``.

Every dialog (a form, a preview, a chart, the print dialog, a custom message box) is modal to
the window it came from, runs its own event loop, and is let go once it closes: a dialog left
alive as a child of a long-lived window piles up, and under test its late deletion aborted the
process at exit. The caller reads what it needs from the dialog right after ``run_modal``
returns (``dialog.patient``, ``dialog.chosen_status``): the deletion waits until control is
back in the event loop that called it, so even a dialog opened next does not free it early.

Not dialogs in this sense, and not opened through here: Qt's one-line questions and warnings
(``QMessageBox.question``/``warning``, ``QInputDialog.getText``, ``QFileDialog``'s static
functions), which open and free themselves; and a progress window shown while work runs.
A test answers a dialog with ``tests/ui/modal.answer_next_modal``.
"""

from __future__ import annotations

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QWhatsThis


def run_modal(dialog: QDialog) -> bool:
    """``dialog.exec()``, True when accepted; the dialog is deleted afterwards (read what you
    need from it inside, or before the event loop runs again). Shift+F1 in it starts "What's
    this?" (the main window's Help menu cannot be reached while a dialog is open)."""
    add_whats_this_key(dialog)
    try:
        return bool(dialog.exec())
    finally:
        dialog.deleteLater()


def add_whats_this_key(dialog: QDialog) -> QShortcut:
    """Shift+F1 in ``dialog``: the pointer asks, and a click on a part of the dialog shows
    what it is for (its whatsThis text)."""
    found = dialog.findChild(QShortcut, "whats_this_key")
    if found is not None:
        return found
    key = QShortcut(QKeySequence(QKeySequence.StandardKey.WhatsThis), dialog,
                    QWhatsThis.enterWhatsThisMode)
    key.setObjectName("whats_this_key")
    return key
