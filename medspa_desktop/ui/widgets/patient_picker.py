"""Pick a patient by typing any part of the name, phone digits, date of birth or chart number;
register a new one without leaving the dialog."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...services.charts import patients
from ...store.models import User
from .modal import run_modal

RESULTS = 20


class PatientPicker(QWidget):
    chosen = Signal(int)  # patient id, or 0 when the choice is cleared

    def __init__(self, user: User, parent=None) -> None:
        super().__init__(parent)
        self.user = user
        self.patient_id: int | None = None
        self.search = QLineEdit()
        self.search.setPlaceholderText("Name, phone, date of birth or chart number")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Find patient")
        self.new_button = QPushButton("New patient…")
        self.results = QListWidget()
        self.results.setAccessibleName("Matching patients")
        self.results.setMaximumHeight(120)
        self._timer = QTimer(self, singleShot=True, interval=150)
        self._timer.timeout.connect(self.refresh)
        self.search.textEdited.connect(lambda _t: self._timer.start())
        self.search.returnPressed.connect(self._choose_first)
        self.results.currentItemChanged.connect(self._current_changed)
        self.new_button.clicked.connect(self.new_patient)

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.search, 1)
        top.addWidget(self.new_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.results)

    def refresh(self) -> None:
        self._timer.stop()
        self.results.clear()
        text = self.search.text().strip()
        if not text:
            return
        for row in patients.search_patients(self.user, text, limit=RESULTS):
            label = f"{row.name}   ·   {row.dob:%Y-%m-%d}   ·   {row.phone or 'no phone'}"
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, row.id)
            self.results.addItem(item)
        if self.results.count() == 0:
            item = QListWidgetItem("No patient matches; use New patient… to register one.")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.results.addItem(item)

    def set_patient(self, patient_id: int, label: str) -> None:
        self.results.clear()
        item = QListWidgetItem(label)
        item.setData(Qt.ItemDataRole.UserRole, patient_id)
        self.results.addItem(item)
        self.results.setCurrentItem(item)

    def _choose_first(self) -> None:
        self.refresh()
        if self.results.count() and self.results.item(0).data(Qt.ItemDataRole.UserRole):
            self.results.setCurrentRow(0)

    def _current_changed(self, item, _previous) -> None:
        pid = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        self.patient_id = pid or None
        self.chosen.emit(pid or 0)

    def new_patient(self) -> None:
        from ..patients.new_patient import NewPatientDialog

        dialog = NewPatientDialog(self.user, self)
        if run_modal(dialog) and dialog.patient is not None:
            p = dialog.patient
            self.set_patient(p.id, f"{p.last_name}, {p.first_name}   ·   {p.dob:%Y-%m-%d}")
