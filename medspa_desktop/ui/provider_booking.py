"""What makes a provider bookable, as the Staff accounts window edits it: the treatment
categories they do (ticked), their weekly hours (the clinic's, or their own per weekday), and
their time off (whole days with a reason, listed until over, lifted when plans change)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTimeEdit,
    QVBoxLayout,
)

from ..services.platform import limits
from ..services.scheduling import hours
from ..store.models import User
from . import style
from .bus import on_change
from .models import Column, RowTableModel
from .ops import op
from .widgets.form_dialog import FormDialog
from .widgets.messages import ErrorLabel
from .widgets.table import fit_columns, make_table


class CategoriesBox(QGroupBox):
    """The treatment categories, ticked; or "every category"."""

    def __init__(self, parent=None) -> None:
        super().__init__("Treats", parent)
        self.every = QCheckBox("Every category")
        self.boxes: dict[str, QCheckBox] = {}
        grid = QGridLayout(self)
        grid.addWidget(self.every, 0, 0, 1, 2)
        for i, (key, label) in enumerate(hours.TREATMENT_CATEGORIES.items()):
            box = QCheckBox(label)
            box.setAccessibleName(f"Treats {label}")
            self.boxes[key] = box
            grid.addWidget(box, 1 + i // 2, i % 2)
        self.every.toggled.connect(self._every_toggled)

    def _every_toggled(self, on: bool) -> None:
        for box in self.boxes.values():
            box.setEnabled(not on)

    def set_value(self, categories: list[str] | None) -> None:
        self.every.setChecked(categories is None)
        for key, box in self.boxes.items():
            box.setChecked(categories is not None and key in categories)

    def value(self) -> list[str] | None:
        """The ticked keys; None for every category."""
        if self.every.isChecked():
            return None
        return [key for key, box in self.boxes.items() if box.isChecked()]


class HoursBox(QGroupBox):
    """The clinic's opening hours, or the provider's own: per weekday, works from–to or not."""

    def __init__(self, parent=None) -> None:
        super().__init__("Working hours", parent)
        self.own = QCheckBox("Own hours (unticked: whenever the clinic is open)")
        self.works: dict[int, QCheckBox] = {}
        self.starts: dict[int, QTimeEdit] = {}
        self.ends: dict[int, QTimeEdit] = {}
        grid = QGridLayout(self)
        grid.addWidget(self.own, 0, 0, 1, 4)
        clinic = hours.clinic_hours()
        for day, name in enumerate(hours.WEEKDAYS):
            works = QCheckBox(name[:3])
            works.setAccessibleName(f"Works on {name}")
            start, end = QTimeEdit(), QTimeEdit()
            for edit, what in ((start, "from"), (end, "until")):
                edit.setDisplayFormat("HH:mm")
                edit.setAccessibleName(f"{name} {what}")
            span = clinic[day]
            works.setChecked(span is not None)
            start.setTime(QTime(*(span[0].hour, span[0].minute) if span else (9, 0)))
            end.setTime(QTime(*(span[1].hour, span[1].minute) if span else (17, 0)))
            works.toggled.connect(lambda _on: self._enable())
            self.works[day], self.starts[day], self.ends[day] = works, start, end
            grid.addWidget(works, 1 + day, 0)
            grid.addWidget(start, 1 + day, 1)
            grid.addWidget(QLabel("to"), 1 + day, 2)
            grid.addWidget(end, 1 + day, 3)
        grid.setColumnStretch(4, 1)
        self.own.toggled.connect(lambda _on: self._enable())
        self._enable()

    def _enable(self) -> None:
        own = self.own.isChecked()
        for day in range(7):
            self.works[day].setEnabled(own)
            on = own and self.works[day].isChecked()
            self.starts[day].setEnabled(on)
            self.ends[day].setEnabled(on)

    def set_day(self, day: int, text: str) -> None:
        """One weekday: "off", or "09:00-17:00"."""
        self.works[day].setChecked(text != "off")
        if text != "off":
            first, last = (QTime.fromString(t, "HH:mm") for t in text.split("-"))
            self.starts[day].setTime(first)
            self.ends[day].setTime(last)
        self._enable()

    def set_value(self, week: dict[int, str]) -> None:
        self.own.setChecked(bool(week))
        for day, text in week.items():
            self.set_day(day, text)
        self._enable()

    def value(self) -> dict[int, str] | None:
        """{weekday: "09:00-17:00" | "off"}; None for the clinic's hours."""
        if not self.own.isChecked():
            return None
        return {day: (f"{self.starts[day].time().toString('HH:mm')}-"
                      f"{self.ends[day].time().toString('HH:mm')}")
                if self.works[day].isChecked() else "off" for day in range(7)}


class ProviderBookingDialog(FormDialog):
    """A provider's categories and weekly hours, saved together."""

    def __init__(self, user: User, provider, parent=None) -> None:
        super().__init__(f"Treatments and hours — {provider.full_name}", parent, min_width=820)
        self.user, self.provider_id = user, provider.id
        self.categories = CategoriesBox()
        self.categories.set_value(hours.skills(provider.id) or None)
        self.hours = HoursBox()
        self.hours.set_value(hours.working_hours_text(provider.id))
        row = QHBoxLayout()
        row.addWidget(self.categories, 1)
        row.addWidget(self.hours, 1)
        self.body.addLayout(row)

    def submit(self) -> None:
        hours.set_booking(self.user, self.provider_id, self.categories.value(),
                          self.hours.value())


TIME_OFF_COLUMNS = (
    Column("Days", lambda r: r.days),
    Column("Reason", lambda r: r.reason),
)


class TimeOffDialog(QDialog):
    """A provider's time off still to come, added (from–to, with a reason) and lifted."""

    def __init__(self, user: User, provider, parent=None) -> None:
        super().__init__(parent)
        self.user, self.provider_id = user, provider.id
        self.setWindowTitle(f"Time off — {provider.full_name}")
        self.resize(560, 380)
        self.model = RowTableModel(TIME_OFF_COLUMNS, parent=self)
        self.table = make_table(self.model, "Upcoming time off")
        today = QDate.currentDate()
        self.first = QDateEdit(today)
        self.last = QDateEdit(today)
        for edit, name in ((self.first, "Off from"), (self.last, "Off until")):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("ddd d MMM yyyy")
            edit.setAccessibleName(name)
        self.first.dateChanged.connect(
            lambda d: self.last.setDate(d) if self.last.date() < d else None)
        self.reason = QLineEdit()
        self.reason.setMaxLength(limits.SHORT_REASON)
        self.reason.setPlaceholderText("holiday, training, sick leave…")
        self.reason.setAccessibleName("Reason for the time off")
        self.add_button = QPushButton("&Add time off")
        self.lift_button = QPushButton("&Lift the selected time off")
        close = QPushButton("Close")
        self.add_button.clicked.connect(self.add)
        self.lift_button.clicked.connect(self.lift)
        close.clicked.connect(self.accept)
        self.message = ErrorLabel()
        self.message.keep_room()
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._buttons())

        form = QGroupBox("New time off")
        grid = QGridLayout(form)
        grid.addWidget(QLabel("From"), 0, 0)
        grid.addWidget(self.first, 0, 1)
        grid.addWidget(QLabel("until"), 0, 2)
        grid.addWidget(self.last, 0, 3)
        grid.addWidget(QLabel("Reason"), 1, 0)
        grid.addWidget(self.reason, 1, 1, 1, 3)
        grid.addWidget(self.add_button, 2, 3)
        grid.setColumnStretch(4, 1)
        note = QLabel("They are not offered for booking on these days. Appointments already "
                      "booked are not moved: the schedule shows them.")
        note.setWordWrap(True)
        note.setStyleSheet(style.QUIET_LINE)
        bar = QHBoxLayout()
        bar.addWidget(self.lift_button)
        bar.addStretch(1)
        bar.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<b>Upcoming time off</b>"))
        layout.addWidget(self.table, 1)
        layout.addWidget(form)
        layout.addWidget(note)
        layout.addWidget(self.message)
        layout.addLayout(bar)
        on_change(self, ("block",))
        self.refresh()

    def refresh(self) -> None:
        self.model.set_rows(hours.upcoming_time_off(self.user, self.provider_id))
        fit_columns(self.table)
        self._buttons()

    def selected(self):
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _buttons(self) -> None:
        self.lift_button.setEnabled(self.selected() is not None)

    def add(self) -> None:
        first: dt.date = self.first.date().toPython()
        last: dt.date = self.last.date().toPython()
        if op(self, lambda: hours.add_time_off(self.user, self.provider_id, first, last,
                                               self.reason.text()),
              error_label=self.message):
            self.message.hide()
            self.reason.clear()

    def lift(self) -> None:
        row = self.selected()
        if row is not None and op(self, lambda: hours.lift_block(self.user, row.id),
                                  error_label=self.message):
            self.message.hide()
