"""Check out a visit: the invoice drafted from the treatment record (quantities and prices can
be changed, retail items added), discounts with a reason, a tip, live totals; then issue it
and take payments (the payments panel) and print the receipt."""

from __future__ import annotations

import html
from decimal import Decimal, InvalidOperation

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...services import billing, inventory, scheduling
from ...services.billing import CheckoutInput, LineDraft
from ...services.errors import DomainError, ValidationError
from ...services.money import show_cents, to_cents, to_discount
from ...store.models import User
from ..widgets.messages import ErrorLabel
from .payments_panel import PaymentsPanel

COLUMNS = ("Description", "Qty", "Price", "Discount", "Reason")


class CheckoutDialog(QDialog):
    def __init__(self, user: User, appointment_id: int, parent=None) -> None:
        super().__init__(parent)
        self.user = user
        self.row = scheduling.get_appointment(user, appointment_id)
        self.drafts: list[LineDraft] = []
        self.invoice_id: int | None = None
        self.setWindowTitle(f"Check out — {self.row.patient}")
        self.resize(860, 600)
        head = QLabel(f"<b>{html.escape(self.row.patient)}</b> — "
                      f"{html.escape(self.row.service)}, {self.row.start:%a %d %b %Y %H:%M} "
                      f"with {html.escape(self.row.provider or 'no provider')}")
        self.pages = QStackedWidget()
        self.pages.addWidget(self._invoice_page())
        self.payments_panel = PaymentsPanel(user)
        done = QPushButton("Done")
        done.clicked.connect(self.accept)
        self.payments_panel.buttons.addWidget(done)
        self.pages.addWidget(self.payments_panel)
        self.message = ErrorLabel()
        layout = QVBoxLayout(self)
        layout.addWidget(head)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.message)
        existing = billing.invoice_for_appointment(user, appointment_id)
        if existing is not None:  # issued earlier: straight to the payments
            self.invoice_id = existing.id
            self._show_payments()
        else:
            for draft in billing.draft_for_appointment(user, appointment_id):
                self._add_line(draft)
            self.update_totals()

    # -- the invoice ---------------------------------------------------------------------------
    def _invoice_page(self) -> QWidget:
        page = QWidget()
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setAccessibleName("Invoice lines")
        self.table.itemChanged.connect(lambda _item: self.update_totals())
        self.product = QComboBox()
        self.product.setAccessibleName("Retail product")
        for p in inventory.products(self.user, ("retail",)):
            self.product.addItem(f"{p.name} — {show_cents(p.price_cents)}", p.id)
        add = QPushButton("Add product")
        add.clicked.connect(self.add_product)
        add.setEnabled(self.product.count() > 0)
        self.discount = QLineEdit()
        self.discount.setPlaceholderText("10% or 25.00")
        self.discount.setAccessibleName("Invoice discount")
        self.discount_reason = QLineEdit()
        self.discount_reason.setAccessibleName("Reason for the invoice discount")
        self.tip = QLineEdit()
        self.tip.setPlaceholderText("0.00")
        self.tip.setAccessibleName("Tip")
        for edit in (self.discount, self.discount_reason, self.tip):
            edit.textChanged.connect(lambda _t: self.update_totals())
        self.totals = QLabel()
        self.totals.setTextFormat(Qt.TextFormat.RichText)
        self.issue_button = QPushButton("&Issue invoice")
        self.issue_button.setDefault(True)
        self.issue_button.clicked.connect(self.issue)
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(self.reject)

        adding = QHBoxLayout()
        adding.addWidget(self.product, 1)
        adding.addWidget(add)
        form = QFormLayout()
        form.addRow("Invoice discount", self.discount)
        form.addRow("Discount reason", self.discount_reason)
        form.addRow("Tip", self.tip)
        lower = QHBoxLayout()
        lower.addLayout(form, 1)
        lower.addWidget(self.totals, 0, Qt.AlignmentFlag.AlignTop)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.issue_button)
        layout = QVBoxLayout(page)
        layout.addWidget(self.table, 1)
        layout.addLayout(adding)
        layout.addLayout(lower)
        layout.addLayout(buttons)
        return page

    def _add_line(self, draft: LineDraft) -> None:
        self.drafts.append(draft)
        row = self.table.rowCount()
        self.table.blockSignals(True)
        self.table.insertRow(row)
        cells = (draft.description, f"{draft.quantity.normalize():f}",
                 f"{draft.unit_price_cents / 100:.2f}", "", "")
        for column, text in enumerate(cells):
            item = QTableWidgetItem(text)
            if column == 0:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            elif column in (1, 2, 3):
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(row, column, item)
        self.table.blockSignals(False)

    def add_product(self) -> None:
        if self.product.currentData() is not None:
            self._add_line(billing.product_line(self.user, self.product.currentData()))
            self.update_totals()

    def checkout_input(self) -> CheckoutInput:
        """The form as the service takes it; a cell that is not a number is refused here."""
        lines = []
        for row, draft in enumerate(self.drafts):
            text = [self.table.item(row, c).text() for c in range(len(COLUMNS))]
            try:
                quantity = Decimal(text[1].strip())
            except InvalidOperation:
                raise ValidationError(f"Line {row + 1}: the quantity must be a number.") from None
            lines.append(LineDraft(
                draft.kind, draft.description, quantity,
                to_cents(text[2], f"price on line {row + 1}"), draft.service_id,
                draft.product_id, to_discount(text[3], text[4], f"line {row + 1} discount")))
        return CheckoutInput(self.row.patient_id, tuple(lines), self.row.id,
                             to_discount(self.discount.text(), self.discount_reason.text(),
                                         "invoice discount"),
                             to_cents(self.tip.text(), "tip"))

    def update_totals(self) -> None:
        try:
            totals = billing.preview(self.user, self.checkout_input())
        except DomainError as exc:
            self.message.say(str(exc))
            self.issue_button.setEnabled(False)
            return
        self.message.hide()
        self.issue_button.setEnabled(True)
        rows = [("Subtotal", totals.subtotal_cents), ("Discounts", -totals.discount_cents),
                ("Tax", totals.tax_cents), ("Tip", totals.tip_cents)]
        self.totals.setText(
            "<table cellpadding='2'>" + "".join(
                f"<tr><td>{label}</td><td align='right'>{show_cents(cents)}</td></tr>"
                for label, cents in rows)
            + f"<tr><td><b>Total</b></td><td align='right'><b>"
              f"{show_cents(totals.total_cents)}</b></td></tr></table>")

    def issue(self) -> None:
        try:
            invoice = billing.issue_invoice(self.user, self.checkout_input())
        except DomainError as exc:
            self.message.say(str(exc))
            return
        self.invoice_id = invoice.id
        self._show_payments()

    def _show_payments(self) -> None:
        self.pages.setCurrentIndex(1)
        self.payments_panel.show_invoice(self.invoice_id)

