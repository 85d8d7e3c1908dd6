"""Show a planned series session by session (free, or what clashes and the nearest free time
instead) and book it all at once."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from ...services.scheduling import appointments, series
from ...store.models import Series, User
from ..ops import op
from ..widgets.messages import ErrorLabel


class SeriesPlanDialog(QDialog):
    def __init__(self, user: User, first: appointments.AppointmentInput,
                 plan: list[series.PlannedSession], interval_days: int, parent=None) -> None:
        super().__init__(parent)
        self.user = user
        self.series: Series | None = None
        self._first, self._plan, self._interval = first, plan, interval_days
        self.setWindowTitle("Book a series")
        self.setMinimumSize(900, 380)
        table = QTableWidget(len(plan), 4)
        table.setHorizontalHeaderLabels(["Session", "Wanted", "Booked for",
                                         "Why not the wanted time"])
        table.verticalHeader().hide()
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        table.setWordWrap(True)
        blocked = []
        for row, session in enumerate(plan):
            wanted = f"{session.start:%a %d %b %Y %H:%M}"
            why = " ".join(session.problems)
            if not session.problems:
                booked = "as wanted"
            elif session.alternative is not None:
                alt = session.alternative
                booked = f"{alt.start:%a %d %b %H:%M}, {alt.provider}" + (
                    f", {alt.room}" if alt.room else "")
            else:
                booked = "no free time nearby"
                blocked.append(session.number)
            for col, text in enumerate((str(session.number), wanted, booked, why)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                table.setItem(row, col, item)
        table.resizeColumnsToContents()
        table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        table.resizeRowsToContents()
        self.table = table

        moved = sum(1 for s in plan if s.problems and s.alternative)
        summary = QLabel(f"{len(plan)} sessions, {interval_days} days apart."
                         + (f" {moved} moved to the nearest free time." if moved else ""))
        self.message = ErrorLabel()
        buttons = QDialogButtonBox()
        self.book_button = buttons.addButton("Book series",
                                             QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.book)
        buttons.rejected.connect(self.reject)
        if blocked:
            self.book_button.setEnabled(False)
            self.message.say(f"Session {', '.join(map(str, blocked))} has no free time nearby; "
                             "change the start, the interval or the provider.")
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        layout.addWidget(table)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    def sessions(self) -> list[appointments.AppointmentInput]:
        first = self._first
        chosen = []
        for session in self._plan:
            if session.problems and session.alternative is not None:
                chosen.append(session.alternative.as_input(first.patient_id, first.service_id,
                                                           first.notes))
            else:
                chosen.append(appointments.AppointmentInput(
                    first.patient_id, first.service_id, first.provider_id, session.start,
                    session.end, first.room_id, first.device_id, first.notes))
        return chosen

    def book(self) -> None:
        done = op(self, lambda: series.book_series(self.user, self._first.patient_id,
                                                   self._first.service_id, self.sessions(),
                                                   self._interval),
                  error_label=self.message)
        if done:
            self.series = done.value
            self.accept()
