"""The "From [date] to [date]" filter the lists share: off until ticked, then the two dates
(inclusive); ``changed`` fires on any change."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import QCheckBox, QDateEdit, QHBoxLayout, QLabel, QWidget


class DateRange(QWidget):
    changed = Signal()

    def __init__(self, start: QDate, parent=None) -> None:
        super().__init__(parent)
        self.use_dates = QCheckBox("From")
        self.date_from = QDateEdit(start)
        self.date_to = QDateEdit(QDate.currentDate())
        for edit, name in ((self.date_from, "From date"), (self.date_to, "To date")):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("d MMM yyyy")
            edit.setEnabled(False)
            edit.setAccessibleName(name)
            edit.dateChanged.connect(lambda _d: self.changed.emit())
            self.use_dates.toggled.connect(edit.setEnabled)
        self.use_dates.toggled.connect(lambda _on: self.changed.emit())
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for widget in (self.use_dates, self.date_from, QLabel("to"), self.date_to):
            row.addWidget(widget)

    def dates(self) -> tuple[dt.date | None, dt.date | None]:
        """(from, to), or (None, None) while the range is off."""
        if not self.use_dates.isChecked():
            return None, None
        return self.date_from.date().toPython(), self.date_to.date().toPython()
