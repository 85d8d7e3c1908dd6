"""Find next available: the next open slots for a treatment that satisfy every rule; pick
one to book it."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
)

from ...services.scheduling import availability, hours
from ...store.models import User
from ..ops import op
from ..widgets.messages import ErrorLabel
from ..widgets.pickers import fill_providers, service_combo

DAY_PARTS = (("Any time", "any"), ("Morning", "morning"), ("Afternoon", "afternoon"),
             ("Evening", "evening"))


class FindSlotDialog(QDialog):
    """After ``exec()``: ``slot`` and ``service_id`` are what the user picked."""

    def __init__(self, user: User, after: dt.date, parent=None) -> None:
        super().__init__(parent)
        self.user = user
        self.slot: availability.Slot | None = None
        self.service_id: int | None = None
        self.setWindowTitle("Find next available")
        self.setMinimumSize(560, 460)
        self.service = service_combo()
        self.provider = QComboBox()
        self.day_part = QComboBox()
        for label, key in DAY_PARTS:
            self.day_part.addItem(label, key)
        self.after = QDateEdit(QDate(after.year, after.month, after.day))
        self.after.setCalendarPopup(True)
        self.after.setDisplayFormat("ddd d MMM yyyy")
        self.weekdays = [QCheckBox(name[:3]) for name in hours.WEEKDAYS]
        days = QHBoxLayout()
        for box in self.weekdays:
            days.addWidget(box)
        search = QPushButton("Search")
        search.setDefault(True)
        self.results = QListWidget()
        self.results.setAccessibleName("Free slots")
        self.message = ErrorLabel()
        form = QFormLayout()
        form.addRow("&Service", self.service)
        form.addRow("Pro&vider", self.provider)
        form.addRow("&Day part", self.day_part)
        form.addRow("Only on", days)
        form.addRow("From", self.after)
        buttons = QDialogButtonBox()
        self.book_button = buttons.addButton("Book this slot…",
                                             QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Close)
        buttons.accepted.connect(self.choose)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(search)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.service.currentIndexChanged.connect(lambda _i: self._fill_providers())
        search.clicked.connect(self.search)
        self.results.itemDoubleClicked.connect(lambda _item: self.choose())
        self._fill_providers()

    def _fill_providers(self) -> None:
        fill_providers(self.provider, self.service.currentData())

    def search(self) -> None:
        self.results.clear()
        self.message.hide()
        after = dt.datetime.combine(self.after.date().toPython(), dt.time())
        now = dt.datetime.now()
        weekdays = {i for i, box in enumerate(self.weekdays) if box.isChecked()} or None
        done = op(self, lambda: availability.find_slots(
            self.user, self.service.currentData(), after=max(after, now),
            provider_id=self.provider.currentData(), day_part=self.day_part.currentData(),
            weekdays=weekdays, limit=15), error_label=self.message)
        if not done:
            return
        slots = done.value
        if not slots:
            self.message.say("No free time in the next 60 days with these choices.")
        for slot in slots:
            extra = ", ".join(x for x in (slot.room, slot.device) if x)
            item = QListWidgetItem(f"{slot.start:%a %d %b %Y  %H:%M}–{slot.end:%H:%M}   "
                                   f"{slot.provider}   {extra}")
            item.setData(Qt.ItemDataRole.UserRole, slot)
            self.results.addItem(item)
        if slots:
            self.results.setCurrentRow(0)

    def choose(self) -> None:
        item = self.results.currentItem()
        if item is None:
            self.message.say("Search, then choose a slot.")
            return
        self.slot = item.data(Qt.ItemDataRole.UserRole)
        self.service_id = self.service.currentData()
        self.accept()
