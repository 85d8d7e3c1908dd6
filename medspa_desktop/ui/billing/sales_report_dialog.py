"""Choose the period of a sales report: from and to (inclusive), the current month to date by
default, or last month during the first week of a month (when last month's report is the one
wanted). A period the service refuses (ending before it starts, longer than a year) is
explained in the dialog, which stays open."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QVBoxLayout,
)

from ...services.billing.billing_reports import check_period
from ..ops import op
from ..widgets.messages import ErrorLabel

FIRST_WEEK = 7  # up to this day of a month, the default is the month before


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """Last month in the first week of a month; otherwise this month up to ``today``."""
    if today.day <= FIRST_WEEK:
        last_of_previous = today.replace(day=1) - dt.timedelta(days=1)
        return last_of_previous.replace(day=1), last_of_previous
    return today.replace(day=1), today


class SalesReportDialog(QDialog):
    def __init__(self, parent=None, today: dt.date | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sales report")
        self.setMinimumWidth(380)
        start, end = default_period(today or dt.date.today())
        self.message = ErrorLabel()
        self.date_from = QDateEdit(QDate(start.year, start.month, start.day))
        self.date_to = QDateEdit(QDate(end.year, end.month, end.day))
        for edit, name in ((self.date_from, "From date"), (self.date_to, "To date")):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("ddd d MMM yyyy")
            edit.setAccessibleName(name)
            edit.dateChanged.connect(lambda _d: self.message.hide())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.preview_button = buttons.addButton("Preview…",
                                                QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self._preview)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("&From", self.date_from)
        form.addRow("&To", self.date_to)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        # Enter previews, Esc cancels (made default once in the dialog: before, Cancel was)
        self.preview_button.setDefault(True)

    def period(self) -> tuple[dt.date, dt.date]:
        return self.date_from.date().toPython(), self.date_to.date().toPython()

    def _preview(self) -> None:
        if op(self, lambda: check_period(*self.period()), on_refused=self._refused):
            self.accept()

    def _refused(self, exc) -> None:
        self.message.say(str(exc))
        # room for the wrapped message (the window would only squeeze its rows)
        self.layout().activate()
        self.resize(self.width(), max(self.height(),
                                      self.layout().totalHeightForWidth(self.width())))
