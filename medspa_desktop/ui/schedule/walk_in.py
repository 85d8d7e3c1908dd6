"""Walk-in: choose the patient and the treatment; the first free provider, room and device
from now are booked and the patient is marked arrived."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QSpinBox,
    QVBoxLayout,
)

from ...services.scheduling import availability
from ...store.models import Appointment, User
from ..ops import op
from ..widgets.messages import ErrorLabel
from ..widgets.patient_picker import PatientPicker
from ..widgets.pickers import service_combo


class WalkInDialog(QDialog):
    def __init__(self, user: User, parent=None, *,
                 clock: Callable[[], dt.datetime] = dt.datetime.now) -> None:
        super().__init__(parent)
        self.user = user
        self._clock = clock
        self.appointment: Appointment | None = None
        self.setWindowTitle("Walk-in")
        self.setMinimumWidth(520)
        self.picker = PatientPicker(user)
        self.service = service_combo()
        index = self.service.findText("Botox Cosmetic")  # walk-ins are mostly neurotoxin
        self.service.setCurrentIndex(max(0, index))
        self.within = QSpinBox()
        self.within.setRange(0, 240)
        self.within.setSingleStep(15)
        self.within.setValue(30)
        self.within.setSuffix(" min")
        self.within.setAccessibleName("Start within")
        self.message = ErrorLabel()
        form = QFormLayout()
        form.addRow("&Patient", self.picker)
        form.addRow("&Service", self.service)
        form.addRow("Start &within", self.within)
        buttons = QDialogButtonBox()
        self.book_button = buttons.addButton("Book and check in",
                                             QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.book)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    def book(self) -> None:
        if self.picker.patient_id is None:
            self.message.say("Choose the patient.")
            return
        done = op(self, lambda: availability.walk_in(
            self.user, self.picker.patient_id, self.service.currentData(),
            within_minutes=self.within.value(), now=self._clock()), error_label=self.message)
        if done:
            self.appointment = done.value
            self.accept()
