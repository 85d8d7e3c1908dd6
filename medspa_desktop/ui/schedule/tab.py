"""Schedule tab: the day's appointments, with day navigation and status quick actions.

(The time grid with columns per provider, room and device comes with the schedule issue; this
list is what every later view is checked against.)
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...services import scheduling
from ...services.errors import DomainError, StaleEditError
from ...store.models import User
from .. import appointment_columns as cols
from ..errors import show_refusal
from ..models import RowTableModel
from ..widgets.table import fit_columns, make_table

# Soft block colours by service category label, so a glance tells injectables from lasers.
CATEGORY_COLOURS = {
    "Neurotoxin": "#e8f0fe",
    "Dermal filler": "#fde7ef",
    "Laser resurfacing": "#fff1dc",
    "Laser hair reduction": "#fff8d6",
    "Photorejuvenation (IPL)": "#e6f6ec",
    "Acne light therapy": "#e4f7f8",
    "Pigment / vascular": "#f3e8fd",
    "Body contouring": "#eef1f4",
    "Mesotherapy": "#fbeee2",
    "Peel / microneedling / PRP": "#ecf4dd",
}

COLUMNS = (cols.TIME, cols.PATIENT, cols.SERVICE, cols.PROVIDER, cols.ROOM, cols.DEVICE,
           cols.STATUS)


class _DayModel(RowTableModel):
    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.row_at(index.row())
        if role == Qt.ItemDataRole.BackgroundRole:
            colour = CATEGORY_COLOURS.get(row.category)
            return QColor(colour) if colour else None
        if role == Qt.ItemDataRole.ForegroundRole and row.status in ("Cancelled", "No-show"):
            return QColor("#8a8a8a")
        return super().data(index, role)


class ScheduleTab(QWidget):
    status_message = Signal(str)

    def __init__(self, user: User, parent=None) -> None:
        super().__init__(parent)
        self.user = user
        self.prev_button = QPushButton("◀ Previous")
        self.today_button = QPushButton("Today")
        self.next_button = QPushButton("Next ▶")
        self.date_edit = QDateEdit(QDate.currentDate())
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("ddd d MMM yyyy")
        self.date_edit.setAccessibleName("Schedule date")
        self.summary = QLabel()
        for button, name in ((self.prev_button, "Previous day"), (self.today_button, "Today"),
                             (self.next_button, "Next day")):
            button.setAccessibleName(name)
        self.prev_button.clicked.connect(lambda: self.shift(-1))
        self.next_button.clicked.connect(lambda: self.shift(1))
        self.today_button.clicked.connect(self.go_today)
        self.date_edit.dateChanged.connect(lambda _d: self.refresh())

        bar = QHBoxLayout()
        for w in (self.prev_button, self.today_button, self.next_button, self.date_edit):
            bar.addWidget(w)
        bar.addSpacing(16)
        bar.addWidget(self.summary, 1)

        self.model = _DayModel(COLUMNS, parent=self)
        self.table = make_table(self.model, "Appointments of the day")
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table)
        self.refresh()

    # -- navigation -------------------------------------------------------------------------
    @property
    def day(self) -> dt.date:
        return self.date_edit.date().toPython()

    def set_day(self, day: dt.date) -> None:
        self.date_edit.setDate(QDate(day.year, day.month, day.day))

    def shift(self, days: int) -> None:
        self.set_day(self.day + dt.timedelta(days=days))

    def go_today(self) -> None:
        self.set_day(dt.date.today())

    def refresh(self) -> None:
        rows = scheduling.day_schedule(self.user, self.day)
        self.model.set_rows(rows)
        active = sum(1 for r in rows if r.status not in ("Cancelled", "No-show"))
        self.summary.setText(
            f"{active} appointment{'s' if active != 1 else ''}"
            + (f" ({len(rows) - active} cancelled or no-show)" if len(rows) > active else ""))
        fit_columns(self.table)

    # -- quick actions ----------------------------------------------------------------------
    def selected(self) -> scheduling.AppointmentRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def set_status(self, status: str) -> None:
        row = self.selected()
        if row is None:
            self.status_message.emit("Select an appointment first.")
            return
        try:
            scheduling.change_status(self.user, row.id, status, row.version)
        except StaleEditError as exc:
            self.refresh()
            show_refusal(self, exc)
            return
        except DomainError as exc:
            show_refusal(self, exc)
            return
        self.refresh()
        self._select(row.id)
        self.status_message.emit(
            f"{row.patient}: {scheduling.STATUS_LABELS[status].lower()}.")

    def _select(self, appointment_id: int) -> None:
        for i, r in enumerate(self.model.rows()):
            if r.id == appointment_id:
                self.table.selectRow(i)
                return
