"""One appointment: its details, its history (booked, moved, each status, cancelled), and the
status steps it may take next."""

from __future__ import annotations

import html

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
)

from ...services.charts import alerts
from ...services.platform.vocabulary import AppointmentStatus
from ...services.scheduling import appointments
from ...store.models import User
from .. import style
from ..appointment_columns import STATUS_ACTIONS


class AppointmentDialog(QDialog):
    """After ``exec()``: ``chosen_status`` is the step the user picked, or None."""

    def __init__(self, user: User, appointment_id: int, parent=None) -> None:
        super().__init__(parent)
        self.chosen_status: str | None = None
        row = appointments.get_appointment(user, appointment_id)
        self.setWindowTitle(f"{row.patient} — {row.service}")
        self.setMinimumWidth(520)
        where = ", ".join(x for x in (row.room, row.device) if x) or "—"
        cancelled = ""
        if row.status_key == AppointmentStatus.CANCELLED:
            changes = appointments.history(user, appointment_id)
            cancelled = f"<br><b>{html.escape(changes[-1].text)}</b>" if changes else ""
        warnings = alerts.booking_alerts(user, row.patient_id, row.service_id,
                                         row.start.date())
        details = QLabel(
            f"<h3>{html.escape(row.patient)}</h3>"
            f"{html.escape(row.service)} ({html.escape(row.category)})<br>"
            f"{row.start:%A %d %B %Y, %H:%M}–{row.end:%H:%M}<br>"
            f"With {html.escape(row.provider or '—')} · {html.escape(where)}<br>"
            f"Status: <b>{html.escape(row.status)}</b>"
            + (" · late cancel" if row.late_cancel else "")
            + (" · part of a series" if row.series_id else "") + cancelled
            + (f"<br>Notes: {html.escape(row.notes)}" if row.notes else "")
            + "".join(f"<br><span style='color:{style.WARNING_TEXT}'>⚠ {html.escape(w)}</span>"
                      for w in warnings))
        details.setWordWrap(True)
        self.history = QListWidget()
        self.history.setAccessibleName("History")
        for change in appointments.history(user, appointment_id):
            self.history.addItem(f"{change.at:%d %b %H:%M}  {change.user}: {change.text}")
        steps = QHBoxLayout()
        for status in appointments.TRANSITIONS.get(row.status_key, ()):
            button = QPushButton(STATUS_ACTIONS[status])
            button.clicked.connect(lambda _c=False, s=status: self._choose(s))
            steps.addWidget(button)
        steps.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(details)
        layout.addWidget(QLabel("History"))
        layout.addWidget(self.history)
        layout.addLayout(steps)
        layout.addWidget(close)

    def _choose(self, status: str) -> None:
        self.chosen_status = status
        self.accept()
