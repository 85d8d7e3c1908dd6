"""Products and retail, beside the inventory: every product the clinic stocks or sells, with
its kind, unit, reorder level, retail price, SKU and tax; add one, change one, retire one the
clinic no longer stocks (it stays on every record that names it) or bring it back. Changing
products needs the right to write inventory; the list follows the change bus."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from ...services.billing.money import show_cents
from ...services.platform import limits
from ...services.platform.permissions import allowed
from ...services.treatments import inventory
from ...store.models import User
from ..bus import on_change
from ..models import Column
from ..ops import op, with_reason
from ..widgets.filtered_list import FilteredList
from ..widgets.messages import ErrorLabel
from ..widgets.modal import run_modal
from .stock_dialogs import KIND_LABELS, ProductDialog

COLUMNS = (
    Column("Product", lambda p: p.name),
    Column("Kind", lambda p: KIND_LABELS.get(p.kind, p.kind)),
    Column("Counted in", lambda p: p.unit),
    Column("Reorder at", lambda p: inventory.show(p.low_stock_centi, p.unit), align_right=True),
    Column("Retail price", lambda p: show_cents(p.price_cents) if p.price_cents else "",
           align_right=True),
    Column("SKU", lambda p: p.sku),
    Column("Tax", lambda p: "taxed" if p.taxable else "not taxed"),
    Column("State", lambda p: "in use" if p.active else "retired"),
)
NO_RIGHT = "Your role may see products but not change them."


class ProductsDialog(QDialog):
    def __init__(self, user: User, parent=None) -> None:
        super().__init__(parent)
        self.user = user
        self.setWindowTitle("Products and retail")
        self.resize(980, 520)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Find a product or SKU…")
        self.search.setAccessibleName("Find a product")
        self.search.setClearButtonEnabled(True)
        self.state = QComboBox()
        self.state.setAccessibleName("Which products")
        for label, key in (("In use and retired", "all"), ("In use", "active"),
                           ("Retired", "retired")):
            self.state.addItem(label, key)
        self.message = ErrorLabel()
        self.add_button = QPushButton("&Add…")
        self.edit_button = QPushButton("&Edit…")
        self.active_button = QPushButton("&Retire…")
        self.list = FilteredList(
            COLUMNS, "Products", filters=[self.search, self.state],
            actions=[self.add_button, self.edit_button, self.active_button],
            source=self._source, count_text=lambda: self.list.model.count_text("product"),
            on_change=self.refresh)
        self.table = self.list.table
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._buttons())
        close = QPushButton("Close")
        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit)
        self.active_button.clicked.connect(lambda: self.toggle_active())
        close.clicked.connect(self.accept)
        self.table.doubleClicked.connect(lambda _i: self.edit())
        bar = QHBoxLayout()
        bar.addStretch(1)
        bar.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.message)
        layout.addLayout(bar)
        on_change(self, ("product",))
        self.refresh()

    def _source(self):
        rows = inventory.all_products(self.user, self.search.text(), self.state.currentData())
        return lambda offset, limit, _after: rows[offset:offset + limit]

    def refresh(self, select_id: int | None = None) -> None:
        """Reload with the filters as they are, keeping the row the user is on."""
        current = self.selected()
        select_id = select_id or (current.id if current else None)
        self.list.reload()
        rows = self.list.model.rows()
        index = next((i for i, p in enumerate(rows) if p.id == select_id), 0 if rows else None)
        if index is not None:
            self.table.selectRow(index)
        self._buttons()

    def selected(self):
        row = self.list.selected_row()
        return self.list.model.row_at(row) if row is not None else None

    def _buttons(self) -> None:
        may = allowed(self.user, "inventory.write")
        row = self.selected()
        self.add_button.setEnabled(may)
        self.edit_button.setEnabled(may and row is not None)
        self.active_button.setEnabled(may and row is not None)
        self.active_button.setText("&Retire…" if row is None or row.active else "&Bring back")
        for button in (self.add_button, self.edit_button, self.active_button):
            button.setToolTip("" if may else NO_RIGHT)

    def add(self) -> None:
        dialog = ProductDialog(self.user, self)
        if run_modal(dialog) and dialog.product is not None:
            self.refresh(dialog.product.id)  # the new product, selected

    def edit(self) -> None:
        row = self.selected()
        if row is not None and allowed(self.user, "inventory.write"):
            run_modal(ProductDialog(self.user, self, product=row))

    def toggle_active(self, reason: str | None = None) -> None:
        row = self.selected()
        if row is None:
            return
        if row.active and reason is None:  # the reason prompt runs it, refusals in it
            if with_reason(self, "Retire a product", f"Why is {row.name} retired?",
                           lambda typed: inventory.set_product_active(self.user, row.id, False,
                                                                      typed),
                           limit=limits.SHORT_REASON):
                self.message.hide()
            return
        if op(self, lambda: inventory.set_product_active(self.user, row.id, not row.active,
                                                         reason or ""),
              error_label=self.message):
            self.message.hide()
