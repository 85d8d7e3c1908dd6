"""Treatment Log tab: treatments given, newest first, loaded as the user scrolls.

(Per-modality records, lots and filters come with the treatment-log issue; for now a treatment
is a completed appointment.) Staff whose role may not see clinical records get a plain notice.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ...services import scheduling
from ...services.permissions import PERMISSIONS, allowed
from ...store.models import User
from .. import appointment_columns as cols
from ..models import RowTableModel
from ..widgets.table import fit_columns, make_table

COLUMNS = (cols.DATE, cols.PATIENT, cols.SERVICE, cols.CATEGORY, cols.PROVIDER, cols.ROOM,
           cols.DEVICE, cols.STATUS)


class TreatmentLogTab(QWidget):
    status_message = Signal(str)

    def __init__(self, user: User, parent=None) -> None:
        super().__init__(parent)
        self.user = user
        self.model = RowTableModel(COLUMNS, parent=self)
        self.table = make_table(self.model, "Treatment log")
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.notice)
        layout.addWidget(self.table)
        self.refresh()

    def refresh(self) -> None:
        if not allowed(self.user, "treatment.read"):
            _, what = PERMISSIONS["treatment.read"]
            self.notice.setText(f"Your role does not allow you to {what}.")
            self.notice.show()
            self.table.hide()
            return
        self.notice.hide()
        self.table.show()
        self.model.set_fetch(
            lambda offset, limit: scheduling.treatment_history(
                self.user, offset=offset, limit=limit))
        fit_columns(self.table)
