"""Clinic setup → Services and prices: the list (grouped by category, with price and
length, searchable by any part of a name), a service added or edited (a new price applies
from a date; invoices already issued keep theirs), retired and brought back."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCore import QDate
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QColorDialog,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...services.billing.money import show_cents, to_cents
from ...services.clinic import catalog
from ...services.clinic.catalog import ServiceRow, ServiceSpec
from ...services.consents.consent_templates import KINDS as CONSENT_KINDS
from ...services.consents.consent_templates import NO_CONSENT
from ...services.platform import limits
from ...services.platform.errors import ValidationError
from ...services.treatments import inventory
from ...store.models import CATEGORIES, PRICING_UNITS, User
from .. import style
from ..bus import on_change
from ..models import Column
from ..ops import op
from ..widgets.filtered_list import FilteredList
from ..widgets.form_dialog import FormDialog
from ..widgets.messages import ErrorLabel
from ..widgets.modal import run_modal
from .standard import StandardServicesDialog, not_yet_offered


@dataclass(frozen=True)
class Listed:
    """A service as listed: its category is written on the first row of each group."""

    row: ServiceRow
    group: str  # the category's label on the first of its group, "" below it

    @property
    def id(self) -> int:
        return self.row.id


def _price(r: Listed) -> str:
    unit = PRICING_UNITS.get(r.row.pricing_unit_key, r.row.pricing_unit_key)
    return f"{show_cents(r.row.price_cents)} {unit}"


COLUMNS = (
    Column("Category", lambda r: r.group),
    Column("Service", lambda r: r.row.name),
    Column("Length", lambda r: r.row.minutes,
           lambda r: f"{r.row.minutes} min" if r.row.minutes else "—", align_right=True),
    Column("Price today", lambda r: r.row.price_cents, _price, align_right=True),
    Column("State", lambda r: "offered" if r.row.active else "retired"),
)


def grouped(rows: list[ServiceRow]) -> list[Listed]:
    out, last = [], None
    for row in rows:
        out.append(Listed(row, row.category if row.category_key != last else ""))
        last = row.category_key
    return out


class ServiceDialog(FormDialog):
    """A new service, or a service's every detail. A price other than today's applies from
    the date chosen under it."""

    def __init__(self, user: User, service_id: int | None = None, parent=None) -> None:
        super().__init__("Edit service" if service_id else "Add a service", parent,
                         min_width=520)
        self.user, self.service_id = user, service_id
        service = catalog.get_service(service_id) if service_id else None
        self.version = service.version if service else 0
        spec = catalog.spec_of(service) if service else None
        self.name = self._line("&Name", limits.SERVICE_NAME, "Hydrafacial")
        self.category = self._combo("&Category", CATEGORIES)
        self.minutes = QSpinBox()
        self.minutes.setAccessibleName("Length")
        self.minutes.setRange(0, 12 * 60)
        self.minutes.setSingleStep(catalog.STEP_MINUTES)
        self.minutes.setSuffix(" minutes")
        self.minutes.setValue(30)
        self.form.addRow("&Length", self.minutes)
        self.price = QLineEdit()
        self.price.setAccessibleName("Price")
        self.price.setPlaceholderText("150.00")
        self.price.setMaxLength(12)
        self.unit = QComboBox()
        self.unit.setAccessibleName("Priced")
        for key, label in PRICING_UNITS.items():
            self.unit.addItem(label, key)
        price_row = QHBoxLayout()
        price_row.addWidget(self.price, 1)
        price_row.addWidget(self.unit)
        price_label = QLabel("&Price")
        price_label.setBuddy(self.price)
        self.form.addRow(price_label, price_row)
        self.price_from = QDateEdit()
        self.price_from.setAccessibleName("New price applies from")
        self.price_from.setCalendarPopup(True)
        self.price_from.setDisplayFormat("yyyy-MM-dd")
        today = dt.date.today()
        self.price_from.setDate(QDate(today.year, today.month, today.day))
        self.history = QLabel()
        self.history.setStyleSheet(style.QUIET_LINE)
        self.history.setWordWrap(True)
        if service is not None:
            self.form.addRow("A new price &applies from", self.price_from)
            self.form.addRow("", self.history)
        self.device = QComboBox()
        self.device.setAccessibleName("Needs a device")
        self.device.addItem("No device", None)
        for key, label in catalog.DEVICE_KINDS.items():
            self.device.addItem(label, key)
        self.form.addRow("Needs a &device", self.device)
        self.needs_provider = QCheckBox("a provider")
        self.needs_room = QCheckBox("a room")
        self.needs_provider.setChecked(True)
        self.needs_room.setChecked(True)
        needs = QHBoxLayout()
        needs.addWidget(self.needs_provider)
        needs.addWidget(self.needs_room)
        needs.addStretch(1)
        self.form.addRow("Needs", needs)
        self.tax_exempt = QCheckBox("No tax on this service")
        self.form.addRow("Ta&x", self.tax_exempt)
        self.consent = QComboBox()
        self.consent.setAccessibleName("Consent")
        self.consent.addItem("The category's own consent", "")
        self.consent.addItem("No consent needed", NO_CONSENT)
        for key, label in CONSENT_KINDS.items():
            self.consent.addItem(f"{label} consent", key)
        self.form.addRow("C&onsent before treatment", self.consent)
        self.product = QComboBox()
        self.product.setAccessibleName("Draws by default")
        self.product.addItem("No product", None)
        for p in inventory.products(user):
            self.product.addItem(p.name, p.id)
        self.form.addRow("Draws product b&y default", self.product)
        self.colour_value = ""
        self.swatch = QLabel()
        self.swatch.setFixedSize(22, 22)
        self.colour_button = QPushButton("C&hoose…")
        self.colour_button.clicked.connect(lambda: self.choose_colour())
        self.category_colour = QPushButton("Category's colour")
        self.category_colour.clicked.connect(lambda: self.set_colour(""))
        colour_row = QHBoxLayout()
        for w in (self.swatch, self.colour_button, self.category_colour):
            colour_row.addWidget(w)
        colour_row.addStretch(1)
        self.form.addRow("Colour on the schedule", colour_row)
        self.set_colour("")
        if spec is not None:
            self._show(spec)
            changes = catalog.price_history(service_id)
            self.history.setText("Price changes: " + "; ".join(
                f"{show_cents(c.price_cents)} from {c.effective_on:%Y-%m-%d} "
                f"({c.set_by})" for c in changes[:4])
                + f"; {show_cents(service.price_cents)} when it was added." if changes
                else f"{show_cents(service.price_cents)} since it was added.")

    def _combo(self, label: str, choices: dict[str, str]) -> QComboBox:
        combo = QComboBox()
        combo.setAccessibleName(label.replace("&", ""))
        for key, text in choices.items():
            combo.addItem(text, key)
        self.form.addRow(label, combo)
        return combo

    def _show(self, spec: ServiceSpec) -> None:
        self.name.setText(spec.name)
        self.category.setCurrentIndex(self.category.findData(spec.category))
        self.minutes.setValue(spec.minutes)
        self.price.setText(f"{spec.price_cents / 100:.2f}")
        self.unit.setCurrentIndex(self.unit.findData(spec.pricing_unit))
        self.device.setCurrentIndex(max(self.device.findData(spec.device_kind), 0))
        self.needs_provider.setChecked(spec.needs_provider)
        self.needs_room.setChecked(spec.needs_room)
        self.tax_exempt.setChecked(spec.tax_exempt)
        self.consent.setCurrentIndex(max(self.consent.findData(spec.consent_category), 0))
        self.product.setCurrentIndex(max(self.product.findData(spec.default_product_id), 0))
        self.set_colour(spec.colour)

    def set_colour(self, colour: str) -> None:
        self.colour_value = colour
        self.swatch.setStyleSheet(style.swatch(colour))
        self.swatch.setToolTip(colour or "The category's colour")
        self.category_colour.setEnabled(bool(colour))

    def choose_colour(self) -> None:
        start = QColor(self.colour_value) if self.colour_value else QColor(
            style.appointment_colours(self.category.currentData())[1])
        chosen = QColorDialog.getColor(start, self, "Colour on the schedule")
        if chosen.isValid():
            self.set_colour(chosen.name())

    def spec(self) -> ServiceSpec:
        return ServiceSpec(
            self.name.text(), self.category.currentData(), self.minutes.value(),
            to_cents(self.price.text(), "price"),
            self.unit.currentData(), self.device.currentData(), self.needs_provider.isChecked(),
            self.needs_room.isChecked(), self.tax_exempt.isChecked(), self.colour_value,
            self.consent.currentData(), self.product.currentData())

    def stale_fields(self) -> dict:
        fields = super().stale_fields()
        fields.pop("Needs", None)
        fields.update({"Priced": self.unit, "Needs a provider": self.needs_provider,
                       "Needs a room": self.needs_room})
        return fields

    def can_reload(self) -> bool:
        return self.service_id is not None

    def reload_stored(self) -> None:
        """Someone else saved the service first: show it as stored now, and edit that."""
        service = catalog.get_service(self.service_id)
        self.version = service.version
        self._show(catalog.spec_of(service))

    def submit(self) -> None:
        if not self.price.text().strip():
            raise ValidationError("Enter the service's price (0 for none).")
        if self.service_id is None:
            self.service_id = catalog.add_service(self.user, self.spec()).id
        else:
            catalog.update_service(self.user, self.service_id, self.spec(), self.version,
                                   price_from=self.price_from.date().toPython())


class ServicesPage(QWidget):
    def __init__(self, user: User, parent=None) -> None:
        super().__init__(parent)
        self.user = user
        self.search = QLineEdit()
        self.search.setPlaceholderText("Find a service: any part of its name")
        self.search.setAccessibleName("Find a service")
        self.search.setClearButtonEnabled(True)
        self.show_retired = QCheckBox("Show retired")
        self.show_retired.setChecked(True)
        self.add_button = QPushButton("&Add…")
        self.standard_button = QPushButton("Add from the &standard list…")
        self.standard_button.clicked.connect(lambda: self.add_standard())
        self.edit_button = QPushButton("&Edit…")
        self.active_button = QPushButton("&Retire")
        self.add_button.clicked.connect(lambda: self.add())
        self.edit_button.clicked.connect(lambda: self.edit())
        self.active_button.clicked.connect(lambda: self.toggle_active())
        self.rows: list[Listed] = []
        self.list = FilteredList(
            COLUMNS, "Services and prices", filters=(self.search, self.show_retired),
            actions=(self.add_button, self.standard_button, self.edit_button,
                     self.active_button),
            source=self._fetch, count_text=self._count, widest_column=360)
        self.show_retired.toggled.connect(lambda _on: self.refresh())
        self.list.table.doubleClicked.connect(lambda _i: self.edit())
        self.list.table.selectionModel().selectionChanged.connect(lambda *_: self._buttons())
        self.message = ErrorLabel()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.message)
        self.refresh()
        on_change(self, ("catalog", "product"))

    def _fetch(self):
        self.rows = grouped(catalog.service_rows(self.search.text(),
                                                 include_retired=self.show_retired.isChecked()))
        return lambda offset, limit, _before: self.rows[offset:offset + limit]

    def _count(self) -> str:
        n = len(self.rows)
        return f"{n} service{'s' if n != 1 else ''}"

    def refresh(self) -> None:
        chosen = self.selected()
        self.list.reload()
        self.select(chosen.id if chosen else None)

    def selected(self) -> Listed | None:
        index = self.list.selected_row()
        return self.list.model.row_at(index) if index is not None else None

    def select(self, service_id: int | None) -> None:
        index = next((i for i, r in enumerate(self.rows) if r.id == service_id),
                     0 if self.rows else None)
        if index is not None:
            self.list.table.selectRow(index)
        self._buttons()

    def _buttons(self) -> None:
        chosen = self.selected()
        self.edit_button.setEnabled(chosen is not None)
        self.active_button.setEnabled(chosen is not None)
        self.active_button.setText("&Retire" if chosen is None or chosen.row.active
                                   else "Bring &back")

    def add(self) -> None:
        dialog = ServiceDialog(self.user, None, self)
        if run_modal(dialog):
            self.message.hide()
            self.select(dialog.service_id)

    def add_standard(self) -> None:
        if not not_yet_offered():
            self.message.say("Every standard service is in your list already (retired ones "
                             "too: select one and press Bring back).")
            return
        dialog = StandardServicesDialog(self.user, self)
        if run_modal(dialog):
            self.message.hide()

    def edit(self) -> None:
        chosen = self.selected()
        if chosen is not None and run_modal(ServiceDialog(self.user, chosen.id, self)):
            self.message.hide()

    def toggle_active(self) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        if op(self, lambda: catalog.set_service_active(self.user, chosen.id,
                                                       not chosen.row.active),
              error_label=self.message):
            self.message.hide()
            self.select(chosen.id)
