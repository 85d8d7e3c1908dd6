"""The standard catalog as a table to choose from: a row per service, kept or not, at the
clinic's own length and price. The first setup's first page, and Clinic setup's "Add from the
standard list…"."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...services.billing.money import to_cents
from ...services.clinic import catalog
from ...services.clinic.catalog import DEFAULT_SERVICES, ServiceSpec
from ...services.platform.errors import ValidationError
from ...store.models import CATEGORIES, PRICING_UNITS, User


class ServicesStep(QWidget):
    """The standard catalog, a row per service: keep it or not, its length and price."""

    title = "Services you offer"
    later = "Later: File → Clinic setup… → Services and prices"
    help = ("Untick what you do not offer; change the length and price to your own. You can "
            "add your own services later.")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.table = QTableWidget(len(DEFAULT_SERVICES), 5)
        self.table.setAccessibleName("Standard services")
        self.table.setHorizontalHeaderLabels(["Service (ticked: kept)", "Category", "Length", "Price", "Priced"])
        self.table.verticalHeader().hide()
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.minutes: list[QSpinBox] = []
        self.prices: list[QLineEdit] = []
        for row, spec in enumerate(DEFAULT_SERVICES):
            keep = QTableWidgetItem(spec.name)
            keep.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            keep.setCheckState(Qt.CheckState.Checked)
            self.table.setItem(row, 0, keep)
            self.table.setItem(row, 1, QTableWidgetItem(CATEGORIES[spec.category]))
            minutes = QSpinBox()
            minutes.setRange(0, 12 * 60)
            minutes.setSingleStep(catalog.STEP_MINUTES)
            minutes.setSuffix(" min")
            minutes.setValue(spec.minutes)
            minutes.setAccessibleName(f"{spec.name} length")
            price = QLineEdit(f"{spec.price_cents / 100:.2f}")
            price.setMaxLength(12)
            price.setAlignment(Qt.AlignmentFlag.AlignRight)
            price.setAccessibleName(f"{spec.name} price")
            self.table.setCellWidget(row, 2, minutes)
            self.table.setCellWidget(row, 3, price)
            self.table.setItem(row, 4, QTableWidgetItem(PRICING_UNITS[spec.pricing_unit]))
            self.minutes.append(minutes)
            self.prices.append(price)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3, 4):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.keep_all_button = QPushButton("Keep &all")
        self.keep_none_button = QPushButton("Keep &none")
        self.keep_all_button.clicked.connect(lambda: self.keep_all(True))
        self.keep_none_button.clicked.connect(lambda: self.keep_all(False))
        row = QHBoxLayout()
        row.addWidget(self.keep_all_button)
        row.addWidget(self.keep_none_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)

    def row_of(self, name: str) -> int:
        return next(i for i, s in enumerate(DEFAULT_SERVICES) if s.name == name)

    def set_kept(self, row: int, keep: bool) -> None:
        self.table.item(row, 0).setCheckState(
            Qt.CheckState.Checked if keep else Qt.CheckState.Unchecked)

    def kept(self, row: int) -> bool:
        return self.table.item(row, 0).checkState() == Qt.CheckState.Checked

    def keep_all(self, keep: bool) -> None:
        for row in range(len(DEFAULT_SERVICES)):
            self.set_kept(row, keep)

    def specs(self) -> list[ServiceSpec]:
        """The kept services at the lengths and prices typed; a price that is not a number
        is refused naming its service."""
        chosen = []
        for row, spec in enumerate(DEFAULT_SERVICES):
            if not self.kept(row):
                continue
            text = self.prices[row].text()
            if not text.strip():
                raise ValidationError(f"{spec.name}: enter its price (0 for none).")
            try:
                cents = to_cents(text, "price")
            except ValidationError as refusal:
                raise ValidationError(f"{spec.name}: {refusal}") from None
            chosen.append(replace(spec, minutes=self.minutes[row].value(), price_cents=cents))
        return chosen

    def save(self, user: User) -> None:
        chosen = self.specs()
        if not chosen:
            raise ValidationError("Keep at least one service, or skip this step.")
        catalog.install_services(user, chosen)
