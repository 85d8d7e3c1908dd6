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

from PySide6.QtWidgets import QDialog


def run_modal(dialog: QDialog) -> bool:
    """``dialog.exec()``, True when accepted; the dialog is deleted afterwards (read what you
    need from it inside, or before the event loop runs again)."""
    try:
        return bool(dialog.exec())
    finally:
        dialog.deleteLater()
