"""Block time: a provider's time off, or a room or device out of use. Existing appointments
stay; the block stops new bookings there."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QTime
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QTimeEdit,
    QVBoxLayout,
)

from ...services.clinic import catalog
from ...services.platform import auth
from ...services.platform.errors import DomainError
from ...services.scheduling import hours
from ...store.models import TimeBlock, User
from ..widgets.messages import ErrorLabel


class BlockTimeDialog(QDialog):
    def __init__(self, user: User, start: dt.datetime, *, kind: str = "provider",
                 resource_id: int | None = None, parent=None) -> None:
        super().__init__(parent)
        self.user = user
        self.block: TimeBlock | None = None
        self.setWindowTitle("Block time")
        self.setMinimumWidth(440)
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
        self.reason.setPlaceholderText("Lunch, training, maintenance, conference…")
        self.reason.setAccessibleName("Reason")
        self.message = ErrorLabel()
        times = QHBoxLayout()
        times.addWidget(self.date)
        times.addWidget(self.start)
        times.addWidget(QLabel("to"))
        times.addWidget(self.end)
        form = QFormLayout()
        form.addRow("&Block", self.target)
        form.addRow("&When", times)
        form.addRow("&Reason", self.reason)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.reason.setFocus()

    def save(self) -> None:
        kind, pk = self.target.currentData().split(":")
        pk = int(pk)
        day = self.date.date().toPython()
        data = hours.BlockInput(dt.datetime.combine(day, self.start.time().toPython()),
                                dt.datetime.combine(day, self.end.time().toPython()),
                                self.reason.text(), **{f"{kind}_id": pk})
        try:
            self.block = hours.add_block(self.user, data)
        except DomainError as exc:
            self.message.say(str(exc))
            return
        self.accept()
