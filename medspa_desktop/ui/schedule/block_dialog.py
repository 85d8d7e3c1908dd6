"""Block time: a provider's time off, or a room or device out of use. Existing appointments
stay; the block stops new bookings there."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QTime
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QTimeEdit,
)

from ...services.clinic import catalog
from ...services.platform import auth, limits
from ...services.scheduling import hours
from ...store.models import TimeBlock, User
from ..widgets.form_dialog import FormDialog


class BlockTimeDialog(FormDialog):
    def __init__(self, user: User, start: dt.datetime, *, kind: str = "provider",
                 resource_id: int | None = None, parent=None) -> None:
        super().__init__("Block time", parent, min_width=440)
        self.user = user
        self.block: TimeBlock | None = None
        self.target = QComboBox()
        self.target.setAccessibleName("Who or what")
        for u in auth.providers():
            self.target.addItem(f"{u.display_name} (time off)", f"provider:{u.id}")
        for r in catalog.rooms():
            self.target.addItem(f"{r.name} (out of use)", f"room:{r.id}")
        for d in catalog.devices():
            self.target.addItem(f"{d.name} (out of use)", f"device:{d.id}")
        if resource_id is not None:
            # string keys: QComboBox.findData does not match Python tuples
            self.target.setCurrentIndex(max(0, self.target.findData(f"{kind}:{resource_id}")))
        self.date = QDateEdit(QDate(start.year, start.month, start.day))
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("ddd d MMM yyyy")
        self.start = QTimeEdit(QTime(start.hour, start.minute))
        end = start + dt.timedelta(hours=1)
        self.end = QTimeEdit(QTime(end.hour, end.minute))
        for edit in (self.start, self.end):
            edit.setDisplayFormat("HH:mm")
        self.reason = QLineEdit()
        self.reason.setMaxLength(limits.SHORT_REASON)
        self.reason.setPlaceholderText("Lunch, training, maintenance, conference…")
        self.reason.setAccessibleName("Reason")
        times = QHBoxLayout()
        times.addWidget(self.date)
        times.addWidget(self.start)
        times.addWidget(QLabel("to"))
        times.addWidget(self.end)
        self.form.addRow("&Block", self.target)
        self.form.addRow("&When", times)
        self.form.addRow("&Reason", self.reason)
        self.reason.setFocus()

    def submit(self) -> None:
        kind, pk = self.target.currentData().split(":")
        pk = int(pk)
        day = self.date.date().toPython()
        data = hours.BlockInput(dt.datetime.combine(day, self.start.time().toPython()),
                                dt.datetime.combine(day, self.end.time().toPython()),
                                self.reason.text(), **{f"{kind}_id": pk})
        self.block = hours.add_block(self.user, data)
