"""Inventory: every product with its usable stock, the selected product's lots, and the
selected lot's ledger; receive stock, adjust a count (with a reason), add a product, and open
Products and retail (``products_dialog.py``) to change or retire one. The stock alerts (low,
expiring within 30 days, expired) are on top. The screen follows the change bus."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ...services.billing.money import show_cents
from ...services.platform.permissions import allowed
from ...services.platform.vocabulary import ProductKind
from ...services.treatments import inventory, stock_report
from ...store.models import User
from .. import style
from ..bus import on_change
from ..models import Column, RowTableModel
from ..widgets.empty_state import EmptyState
from ..widgets.modal import run_modal
from ..widgets.table import fit_columns, make_table
from .products_dialog import ProductsDialog
from .stock_dialogs import (
    KIND_LABELS,
    AdjustDialog,
    ProductDialog,
    ReceiveDialog,
    RetailPriceDialog,
)

PRODUCT_COLUMNS = (
    Column("Product", lambda r: r.name),
    Column("Kind", lambda r: KIND_LABELS.get(r.kind, r.kind)),
    Column("On hand", lambda r: r.on_hand, align_right=True),
    Column("Reorder at", lambda r: r.reorder_at, align_right=True),
    Column("Next expiry", lambda r: r.next_expiry),
    Column("Price", lambda r: show_cents(r.price_cents) if r.kind == ProductKind.RETAIL else "",
           align_right=True),
)
LOT_COLUMNS = (
    Column("Lot", lambda r: r.lot_number),
    Column("Expires", lambda r: r.expiry),
    Column("Received", lambda r: r.received_on),
    Column("Quantity", lambda r: r.received, align_right=True),
    Column("Left", lambda r: r.remaining, align_right=True),
    Column("Cost", lambda r: r.cost, align_right=True),
    Column("State", lambda r: r.state),
)
LEDGER_COLUMNS = (
    Column("When", lambda r: r.at),
    Column("Change", lambda r: r.change, align_right=True),
    Column("What", lambda r: r.kind),
    Column("Detail", lambda r: r.detail),
    Column("By", lambda r: r.by),
)


def _box(title: str, widget: QWidget) -> QWidget:
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    label = QLabel(f"<b>{title}</b>")
    layout.addWidget(label)
    layout.addWidget(widget, 1)
    return box


class InventoryDialog(QDialog):
    def __init__(self, user: User, parent=None) -> None:
        super().__init__(parent)
        self.user = user
        self.setWindowTitle("Inventory")
        self.resize(1150, 680)
        self.alerts = QLabel()
        self.alerts.setWordWrap(True)
        self.alerts.setStyleSheet(style.NOTICE_STRIP)
        self.products = RowTableModel(PRODUCT_COLUMNS, parent=self)
        self.lots = RowTableModel(LOT_COLUMNS, parent=self)
        self.ledger = RowTableModel(LEDGER_COLUMNS, parent=self)
        self.product_table = make_table(self.products, "Products")
        self.lot_table = make_table(self.lots, "Lots of the selected product")
        self.ledger_table = make_table(self.ledger, "Movements of the selected lot")
        self.product_table.selectionModel().selectionChanged.connect(
            lambda *_: self._show_lots())
        self.lot_table.selectionModel().selectionChanged.connect(lambda *_: self._show_ledger())

        may_write = allowed(user, "inventory.write")
        self.empty_products = EmptyState(self.product_table, lambda: (
            "No products yet — press Ctrl+N to add one, then Receive stock…" if may_write else
            "No products yet. A medical director or admin adds them."))
        self.empty_lots = EmptyState(self.lot_table, lambda: (
            "No stock of this product. Receive stock… records a delivery."
            if self.selected_product() is not None else "Select a product to see its lots."))
        self.new_button = QPushButton("&New product…")
        self.receive_button = QPushButton("&Receive stock…")
        self.adjust_button = QPushButton("&Adjust count…")
        self.price_button = QPushButton("Retail &price…")
        self.price_button.clicked.connect(lambda: self.set_price())
        self.products_button = QPushButton("Products and re&tail…")
        self.products_button.clicked.connect(self.open_products)
        close = QPushButton("Close")
        self.new_button.clicked.connect(self.new_product)
        self.receive_button.clicked.connect(lambda: self.receive())
        self.adjust_button.clicked.connect(self.adjust)
        close.clicked.connect(self.accept)
        for button in (self.new_button, self.receive_button, self.adjust_button):
            button.setEnabled(may_write)
            if not may_write:
                button.setToolTip("Your role may see stock but not change it.")
        QShortcut(QKeySequence.StandardKey.New, self, self.new_product)

        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(_box("Lots", self.lot_table))
        right.addWidget(_box("Ledger of the lot", self.ledger_table))
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(_box("Products", self.product_table))
        split.addWidget(right)
        split.setSizes([560, 590])
        bar = QHBoxLayout()
        for button in (self.new_button, self.receive_button, self.adjust_button,
                       self.price_button, self.products_button):
            bar.addWidget(button)
        bar.addStretch(1)
        bar.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.alerts)
        layout.addWidget(split, 1)
        layout.addLayout(bar)
        on_change(self, ("product", "stock"))
        self.refresh()

    def _selected(self, table, model):
        rows = table.selectionModel().selectedRows()
        return model.row_at(rows[0].row()) if rows else None

    def selected_product(self) -> stock_report.ProductStock | None:
        return self._selected(self.product_table, self.products)

    def selected_lot(self) -> stock_report.LotDetail | None:
        return self._selected(self.lot_table, self.lots)

    def refresh(self, product_id: int | None = None, lot_id: int | None = None) -> None:
        found = [a.message for a in inventory.alerts(self.user)]
        self.alerts.setText("⚠ " + "   ·   ".join(found))
        self.alerts.setVisible(bool(found))
        current = self.selected_product()
        product_id = product_id or (current.id if current else None)
        self.products.set_rows(stock_report.overview(self.user))
        fit_columns(self.product_table)
        self._select(self.product_table, self.products, product_id)
        if lot_id is not None:
            self._select(self.lot_table, self.lots, lot_id)

    @staticmethod
    def _select(table, model, row_id: int | None) -> None:
        rows = model.rows()
        index = next((i for i, r in enumerate(rows) if r.id == row_id), 0 if rows else None)
        if index is not None:
            table.selectRow(index)

    def _show_lots(self) -> None:
        product = self.selected_product()
        self.price_button.setEnabled(product is not None and product.kind == ProductKind.RETAIL
                                     and allowed(self.user, "inventory.write"))
        self.lots.set_rows(stock_report.product_lots(self.user, product.id) if product else [])
        fit_columns(self.lot_table)
        self._select(self.lot_table, self.lots, None)
        self._show_ledger()

    def _show_ledger(self) -> None:
        lot = self.selected_lot()
        self.ledger.set_rows(stock_report.lot_ledger(self.user, lot.id) if lot else [])
        fit_columns(self.ledger_table)
        self.adjust_button.setEnabled(lot is not None and allowed(self.user, "inventory.write"))

    def new_product(self) -> None:
        if not allowed(self.user, "inventory.write"):
            return
        dialog = ProductDialog(self.user, self)
        if run_modal(dialog):
            self.refresh(dialog.product.id)

    def open_products(self) -> None:
        run_modal(ProductsDialog(self.user, self))

    def receive(self) -> None:
        product = self.selected_product()
        dialog = ReceiveDialog(self.user, product.id if product else None, self)
        if run_modal(dialog):
            self.refresh(dialog.lot.product_id, dialog.lot.id)

    def set_price(self) -> None:
        product = self.selected_product()
        if product is not None and run_modal(RetailPriceDialog(self.user, product, self)):
            self.refresh(product.id)

    def adjust(self) -> None:
        product, lot = self.selected_product(), self.selected_lot()
        if lot is None:
            return
        label = f"{product.name}, lot {lot.lot_number} ({lot.remaining} left)"
        if run_modal(AdjustDialog(self.user, lot.id, label, self)):
            self.refresh(product.id, lot.id)
