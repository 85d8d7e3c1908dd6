"""Run a modal dialog once and let it go: a dialog left alive as a child of a long-lived
window piles up, and under test its late deletion aborted the process at exit."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog


def run_modal(dialog: QDialog) -> bool:
    """``dialog.exec()``, True when accepted; the dialog is deleted afterwards (read what you
    need from it inside, or before the event loop runs again)."""
    try:
        return bool(dialog.exec())
    finally:
        dialog.deleteLater()
