"""To confirm (Appointment → To confirm…): the day's appointments not yet confirmed —
the next day the clinic opens (tomorrow, or Monday on a Saturday) unless another is chosen — with phone numbers and what was tried (a reminder
sent, a call nobody answered). One click marks the selected visit confirmed by phone; another
notes a call with no answer. Each confirmed visit leaves the list."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
)

from ...services.messaging import confirmations
from ...store.models import User
from ..bus import on_change
from ..models import Column, RowTableModel
from ..ops import op
from ..widgets.empty_state import EmptyState
from ..widgets.messages import ErrorLabel
from ..widgets.table import fit_columns, make_table

COLUMNS = (
    Column("Time", lambda r: r.start, text=lambda r: f"{r.start:%H:%M}"),
    Column("Patient", lambda r: r.patient),
    Column("Phone", lambda r: r.phone),
    Column("Service", lambda r: r.service),
    Column("Provider", lambda r: r.provider),
    Column("Tried", lambda r: r.state),
)


class ToConfirmDialog(QDialog):
    def __init__(self, user: User, parent=None, day: dt.date | None = None) -> None:
        super().__init__(parent)
        self.user = user
        self._move_on: int | None = None  # the visit just called with no answer
        self.setWindowTitle("To confirm")
        self.resize(980, 500)
        day = day or confirmations.next_open_day()
        self.day = QDateEdit(QDate(day.year, day.month, day.day))
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("ddd d MMM yyyy")
        self.day.setAccessibleName("Day")
        self.day.dateChanged.connect(lambda _d: self.refresh())
        self.count = QLabel()
        self.message = ErrorLabel()
        self.model = RowTableModel(COLUMNS, parent=self)
        self.table = make_table(self.model, "Appointments to confirm")
        EmptyState(self.table, lambda: "Nothing to confirm: every appointment of the day is "
                                       "confirmed (or none is booked).")
        self.confirm_button = QPushButton("Confirmed by &phone")
        self.confirm_button.setDefault(True)
        self.confirm_button.clicked.connect(lambda: self.confirm())
        self.no_answer_button = QPushButton("&No answer")
        self.no_answer_button.clicked.connect(lambda: self.no_answer())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._enable())
        self.table.doubleClicked.connect(lambda _i: self.confirm())
        top = QHBoxLayout()
        top.addWidget(QLabel("&Day"))
        top.itemAt(0).widget().setBuddy(self.day)
        top.addWidget(self.day)
        top.addWidget(self.count, 1)
        top.addWidget(self.confirm_button)
        top.addWidget(self.no_answer_button)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        layout.addWidget(close)
        on_change(self, ("appointment", "outbox"))
        self.refresh()

    def chosen_day(self) -> dt.date:
        return self.day.date().toPython()

    def refresh(self) -> None:
        done = op(self, lambda: confirmations.to_confirm(self.user, self.chosen_day()),
                  error_label=self.message)
        if not done:
            return
        self.message.hide()
        keep = self.selected()
        self.model.set_rows(done.value)
        fit_columns(self.table)
        n = len(done.value)
        self.count.setText(f"{n} appointment{'s' if n != 1 else ''} to confirm")
        rows = self.model.rows()
        again = next((i for i, r in enumerate(rows)
                      if keep is not None and r.appointment_id == keep.appointment_id), None)
        if again is not None and self._move_on == rows[again].appointment_id:
            again = min(again + 1, len(rows) - 1)  # no answer: on to the next call
        self._move_on = None
        if again is None and rows:
            again = 0  # the next one to call
        if again is not None:
            self.table.selectRow(again)
        self._enable()

    def selected(self) -> confirmations.ToConfirmRow | None:
        picked = self.table.selectionModel().selectedRows() if self.table.selectionModel() \
            else []
        return self.model.row_at(picked[0].row()) if picked else None

    def _enable(self) -> None:
        has = self.selected() is not None
        self.confirm_button.setEnabled(has)
        self.no_answer_button.setEnabled(has)

    def confirm(self) -> None:
        row = self.selected()
        if row is not None:
            op(self, lambda: confirmations.confirm_by_phone(self.user, row.appointment_id,
                                                            row.version),
               error_label=self.message)

    def no_answer(self) -> None:
        row = self.selected()
        if row is not None:
            self._move_on = row.appointment_id
            if not op(self, lambda: confirmations.no_answer(self.user, row.appointment_id),
                      error_label=self.message):
                self._move_on = None
