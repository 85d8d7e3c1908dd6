"""The standard catalog as a table to choose from: a row per service, kept or not, at the
clinic's own length and price. The first setup's first page, and Clinic setup's "Add from the
standard list…"."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
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
from ..widgets.form_dialog import FormDialog


class ServicesStep(QWidget):
    """The standard catalog, a row per service: keep it or not, its length and price."""

    title = "Services you offer"
    later = "Later: File → Clinic setup… → Services and prices"
    help = ("Untick what you do not offer; change the length and price to your own. You can "
            "add your own services later.")

    def __init__(self, parent=None, offered: Sequence[ServiceSpec] = DEFAULT_SERVICES) -> None:
        super().__init__(parent)
        self.offered = tuple(offered)
        self.table = QTableWidget(len(self.offered), 5)
        self.table.setAccessibleName("Standard services")
        self.table.setHorizontalHeaderLabels(["Service (ticked: kept)", "Category", "Length", "Price", "Priced"])
        self.table.verticalHeader().hide()
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.minutes: list[QSpinBox] = []
        self.prices: list[QLineEdit] = []
        for row, spec in enumerate(self.offered):
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
        return next(i for i, s in enumerate(self.offered) if s.name == name)

    def set_kept(self, row: int, keep: bool) -> None:
        self.table.item(row, 0).setCheckState(
            Qt.CheckState.Checked if keep else Qt.CheckState.Unchecked)

    def kept(self, row: int) -> bool:
        return self.table.item(row, 0).checkState() == Qt.CheckState.Checked

    def keep_all(self, keep: bool) -> None:
        for row in range(len(self.offered)):
            self.set_kept(row, keep)

    def specs(self) -> list[ServiceSpec]:
        """The kept services at the lengths and prices typed; a price that is not a number
        is refused naming its service."""
        chosen = []
        for row, spec in enumerate(self.offered):
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


def not_yet_offered() -> list[ServiceSpec]:
    """The standard services the clinic's list does not have by name (retired ones count as
    had: bring those back instead)."""
    had = {row.name.casefold() for row in catalog.service_rows(include_retired=True)}
    return [spec for spec in DEFAULT_SERVICES if spec.name.casefold() not in had]


class StandardServicesDialog(FormDialog):
    """Clinic setup's "Add from the standard list…": the standard services not in the list yet,
    none ticked, at the standard length and price to change."""

    def __init__(self, user: User, parent=None) -> None:
        super().__init__("Add standard services", parent, min_width=720)
        self.user = user
        self.added = 0
        intro = QLabel("Tick the services you offer and set your own length and price. "
                       "They are added to your list as they are here.")
        intro.setWordWrap(True)
        self.step = ServicesStep(self, not_yet_offered())
        self.step.keep_all(False)
        self.step.table.setHorizontalHeaderItem(0, QTableWidgetItem("Service (ticked: added)"))
        self.body.addWidget(intro)
        self.body.addWidget(self.step, 1)
        self.save_button.setText("&Add ticked")
        self.resize(760, 520)

    def submit(self) -> None:
        chosen = self.step.specs()
        if not chosen:
            raise ValidationError("Tick the services to add, or press Cancel.")
        self.added = catalog.install_services(self.user, chosen)
