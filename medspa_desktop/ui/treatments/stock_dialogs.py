"""The small forms of the inventory screen: a product added or changed, stock received, a
count adjusted, a retail item's price.
Each checks through the service and shows its refusal in place; nothing is saved until the
service accepts it."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLabel,
)

from ...services.billing import invoices
from ...services.billing.money import to_cents
from ...services.platform import limits
from ...services.platform.errors import ValidationError
from ...services.platform.vocabulary import ProductKind
from ...services.treatments import inventory
from ...store.models import User
from ..widgets.form_dialog import FormDialog

KIND_LABELS = ProductKind.labels()
UNIT_LABELS = {"U": "units (U)", "mL": "millilitres (mL)", "syringe": "syringes",
               "item": "items"}


class ProductDialog(FormDialog):
    """A new product, or one changed: name, kind, the unit it is counted in, the reorder
    level, and for what is sold at the desk the price, SKU and whether tax is charged."""

    def __init__(self, user: User, parent=None, product=None) -> None:
        super().__init__("Edit product" if product is not None else "New product", parent)
        self.user = user
        self.editing = product.id if product is not None else None
        self.product = None
        self.name = self._line("Name", limits.PRODUCT_NAME, "e.g. Botox Cosmetic 100 U")
        self.kind = QComboBox()
        for key, label in KIND_LABELS.items():
            self.kind.addItem(label, key)
        self.kind.setAccessibleName("Kind")
        self.unit = QComboBox()
        for key, label in UNIT_LABELS.items():
            self.unit.addItem(label, key)
        self.unit.setAccessibleName("Counted in")
        self.form.addRow("Kind", self.kind)
        self.form.addRow("Counted in", self.unit)
        self.low = self._line("Reorder at", 12, "0")
        self.price = self._line("Retail price ($)", 14, "per unit sold, e.g. 42.00")
        self.sku = self._line("SKU", limits.SKU, "optional")
        self.taxable = QCheckBox("Charge the retail sales tax")
        self.taxable.setChecked(True)
        self.form.addRow("", self.taxable)
        if product is not None:
            self.name.setText(product.name)
            self.kind.setCurrentIndex(self.kind.findData(product.kind))
            self.unit.setCurrentIndex(self.unit.findData(product.unit))
            self.low.setText(f"{inventory.from_centi(product.low_stock_centi).normalize():f}")
            self.price.setText(f"{product.price_cents / 100:.2f}" if product.price_cents
                               else "")
            self.sku.setText(product.sku)
            self.taxable.setChecked(product.taxable)
        else:
            self._default_unit()
        self.kind.currentIndexChanged.connect(self._default_unit)

    def _default_unit(self) -> None:
        self.unit.setCurrentIndex(self.unit.findData(inventory.KINDS[self.kind.currentData()]))

    def submit(self) -> None:
        data = inventory.ProductInput(
            self.name.text(), self.kind.currentData(), self.unit.currentData(),
            self.low.text().strip() or 0, to_cents(self.price.text(), "retail price"),
            self.sku.text(), self.taxable.isChecked())
        if self.editing is None:
            self.product = inventory.create_product(self.user, data)
        else:
            self.product = inventory.edit_product(self.user, self.editing, data)


class ReceiveDialog(FormDialog):
    def __init__(self, user: User, product_id: int | None = None, parent=None) -> None:
        super().__init__("Receive stock", parent)
        self.user = user
        self.lot = None
        self.product = QComboBox()
        self.product.setAccessibleName("Product")
        for p in inventory.products(user):
            self.product.addItem(f"{p.name} — in {UNIT_LABELS.get(p.unit, p.unit)}", p.id)
        if product_id is not None:
            self.product.setCurrentIndex(max(0, self.product.findData(product_id)))
        self.form.addRow("Product", self.product)
        self.lot_number = self._line("Lot number", limits.LOT_NUMBER, "as printed on the box")
        # no date proposed: a guessed expiry saved unread is worse than none
        self.expiry = self._line("Expiry", 10, "as printed: 2027-08 or 2027-08-31")
        self.quantity = self._line("Quantity", 12)
        self.cost = self._line("Cost per unit ($)", 14, "optional")
        self.form.addRow("", QLabel("The lot is added to the stock ledger and audited."))

    def submit(self) -> None:
        if self.product.currentData() is None:
            raise ValidationError("Add the product first.")
        self.lot = inventory.receive(
            self.user, self.product.currentData(), self.lot_number.text(),
            inventory.parse_expiry(self.expiry.text()), self.quantity.text().strip() or 0,
            cost_cents=to_cents(self.cost.text(), "cost per unit"))


class AdjustDialog(FormDialog):
    def __init__(self, user: User, lot_id: int, lot_label: str, parent=None) -> None:
        super().__init__("Adjust the count", parent)
        self.user, self.lot_id = user, lot_id
        self.form.addRow("Lot", QLabel(lot_label))
        self.change = self._line("Change", 12, "−2 for two broken vials, 5 after a recount")
        self.reason = self._line("Reason", limits.REASON, "required: broken, recount, returned…")

    def submit(self) -> None:
        change = self.change.text().strip().replace("−", "-")
        if not change:
            raise ValidationError("Enter how much to add (5) or take away (−5).")
        inventory.adjust(self.user, self.lot_id, change, self.reason.text())


class RetailPriceDialog(FormDialog):
    """A retail item's selling price (per item), its SKU and whether sales tax applies."""

    def __init__(self, user: User, product, parent=None) -> None:
        super().__init__(f"Retail price — {product.name}", parent)
        self.user, self.product_id = user, product.id
        self.price = self._line("Price per item ($)", 14, "42.00")
        self.price.setText(f"{product.price_cents / 100:.2f}")
        self.sku = self._line("SKU", limits.SKU, "optional")
        self.sku.setText(product.sku)
        self.taxable = QCheckBox("Charge the retail sales tax")
        self.taxable.setChecked(product.taxable)
        self.form.addRow("", self.taxable)

    def submit(self) -> None:
        invoices.set_retail(self.user, self.product_id, to_cents(self.price.text(), "price"),
                            self.sku.text(), self.taxable.isChecked())
