"""An invoice's payments: what is due, the payments and refunds taken, a form to take the next
payment (cash with change, card with last 4 and authorisation, check, gift card by its code,
the patient's credit on account — offered when they hold some), keeping money above the balance
as credit on account instead of giving change, the receipt, and — for those allowed —
refunding a payment (the same way, or to credit on account) and voiding the invoice, each with
a reason."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ...printouts import invoice_pdf
from ...services.billing import account_credit, invoices
from ...services.billing.invoices import PaymentInput
from ...services.billing.money import show_cents, to_cents
from ...services.platform.errors import DomainError
from ...services.platform.permissions import allowed
from ...services.platform.vocabulary import InvoiceStatus, PaymentKind, PaymentMethod
from ...store.models import User
from ..models import Column, RowTableModel
from ..ops import op, with_reason
from ..widgets.messages import ErrorLabel
from ..widgets.pdf_preview import show_preview
from ..widgets.table import fit_columns, make_table

PAYMENT_COLUMNS = (
    Column("When", lambda p: p.at),
    Column("Payment", lambda p: p.method + (" refund" if p.kind == PaymentKind.REFUND else "")),
    Column("Amount", lambda p: show_cents(-p.amount_cents if p.kind == PaymentKind.REFUND
                                          else p.amount_cents), align_right=True),
    Column("Detail", lambda p: p.detail),
    Column("By", lambda p: p.by),
)


class PaymentsPanel(QWidget):
    def __init__(self, user: User, parent=None) -> None:
        super().__init__(parent)
        self.user = user
        self.invoice_id: int | None = None
        self.view = None
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.model = RowTableModel(PAYMENT_COLUMNS, parent=self)
        self.table = make_table(self.model, "Payments taken")
        self.table.setMaximumHeight(150)
        self.message = ErrorLabel()
        self.method = QComboBox()
        for key, label in PaymentMethod.labels().items():
            self.method.addItem(label, key)
        self.method.setAccessibleName("Payment method")
        self.amount = QLineEdit()
        self.amount.setAccessibleName("Amount")
        self.tendered = QLineEdit()
        self.tendered.setAccessibleName("Cash handed over")
        self.last4 = QLineEdit()
        self.last4.setMaxLength(4)
        self.last4.setAccessibleName("Card last 4 digits")
        self.auth = QLineEdit()
        self.auth.setMaxLength(20)
        self.auth.setAccessibleName("Authorisation code")
        self.check_number = QLineEdit()
        self.check_number.setMaxLength(20)
        self.check_number.setAccessibleName("Check number")
        self.card_code = QLineEdit()
        self.card_code.setMaxLength(24)
        self.card_code.setPlaceholderText("the code on the card")
        self.card_code.setAccessibleName("Gift card code")
        self.form = QFormLayout()
        self.form.addRow("Method", self.method)
        self.form.addRow("Amount", self.amount)
        self.form.addRow("Cash handed over", self.tendered)
        self.form.addRow("Card last 4", self.last4)
        self.form.addRow("Authorisation", self.auth)
        self.form.addRow("Check number", self.check_number)
        self.form.addRow("Gift card code", self.card_code)
        self.keep_credit = QCheckBox()
        self.keep_credit.setAccessibleName("Keep the rest as credit on account")
        self.form.addRow("", self.keep_credit)
        self.method.currentIndexChanged.connect(lambda _i: self._method_fields())
        for field in (self.amount, self.tendered):
            field.textChanged.connect(lambda _t: self._offer_credit())
        self.credit_note = QLabel()
        self.use_credit_button = QPushButton("Use it")
        self.use_credit_button.setToolTip("Pay from the patient's credit on account")
        self.use_credit_button.clicked.connect(self.use_credit)
        credit_row = QHBoxLayout()
        credit_row.addWidget(self.credit_note)
        credit_row.addWidget(self.use_credit_button)
        credit_row.addStretch(1)
        self.credit_row = QWidget()
        self.credit_row.setLayout(credit_row)
        credit_row.setContentsMargins(0, 0, 0, 0)
        self.held_cents = 0
        self.pay_button = QPushButton("&Take payment")
        self.pay_button.clicked.connect(self.take_payment)
        self.receipt_button = QPushButton("Print &receipt…")
        self.receipt_button.clicked.connect(self.print_receipt)
        may_refund = allowed(user, "billing.refund")
        self.refund_button = QPushButton("Refund selected payment…")
        self.refund_button.clicked.connect(lambda: self.refund())
        self.refund_credit_button = QPushButton("Refund to credit…")
        self.refund_credit_button.setToolTip("Refund the selected payment as credit on account")
        self.refund_credit_button.clicked.connect(
            lambda: self.refund(to=PaymentMethod.ACCOUNT_CREDIT))
        self.void_button = QPushButton("Void invoice…")
        self.void_button.clicked.connect(lambda: self.void())
        for button in (self.refund_button, self.refund_credit_button, self.void_button):
            button.setVisible(may_refund)
        box = QGroupBox("Take a payment")
        box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        inner = QVBoxLayout(box)
        inner.addWidget(self.credit_row)
        inner.addLayout(self.form)
        inner.addWidget(self.pay_button, 0, Qt.AlignmentFlag.AlignRight)
        self.box = box
        self.buttons = QHBoxLayout()
        self.buttons.addWidget(self.refund_button)
        self.buttons.addWidget(self.refund_credit_button)
        self.buttons.addWidget(self.void_button)
        self.buttons.addStretch(1)
        self.buttons.addWidget(self.receipt_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.table)
        layout.addWidget(box)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addLayout(self.buttons)

    def _method_fields(self) -> None:
        method = self.method.currentData()
        for widget, shown in ((self.tendered, method == PaymentMethod.CASH),
                              (self.last4, method == PaymentMethod.CARD),
                              (self.auth, method == PaymentMethod.CARD),
                              (self.check_number, method == PaymentMethod.CHECK),
                              (self.card_code, method == PaymentMethod.GIFT_CARD)):
            self.form.setRowVisible(widget, shown)
        self._offer_credit()

    def _above_due(self) -> int:
        """What the form's money is above the balance due (0 when it is not, or unreadable)."""
        method, due = self.method.currentData(), self.view.balance_cents if self.view else 0
        try:
            amount = to_cents(self.amount.text()) if self.amount.text().strip() else 0
            if method == PaymentMethod.CASH:
                tendered = (to_cents(self.tendered.text()) if self.tendered.text().strip()
                            else amount)
                return max(tendered - min(amount or tendered, due), 0)
            if method in (PaymentMethod.CARD, PaymentMethod.CHECK):
                return max(amount - due, 0)
        except DomainError:
            return 0
        return 0

    def _offer_credit(self) -> None:
        """Money above the balance: give it back as change, or keep it as credit."""
        extra = self._above_due()
        if extra:
            self.keep_credit.setText(
                f"Keep {show_cents(extra)} as credit on account"
                + (" (not change)" if self.method.currentData() == PaymentMethod.CASH
                   else ""))
        else:
            self.keep_credit.setChecked(False)
        self.form.setRowVisible(self.keep_credit, bool(extra))

    def use_credit(self) -> None:
        """Pay from the credit on account: as much of the balance as the credit covers."""
        self.method.setCurrentIndex(self.method.findData(PaymentMethod.ACCOUNT_CREDIT))
        pay = min(self.held_cents, self.view.balance_cents)
        self.amount.setText(f"{pay / 100:.2f}")

    def show_invoice(self, invoice_id: int, note: str = "") -> None:
        self.invoice_id = invoice_id
        view = invoices.invoice_view(self.user, invoice_id)
        self.view = view
        state = {InvoiceStatus.VOID: f" — void: {html.escape(view.void_reason)}",
                 InvoiceStatus.PAID: " — paid"}
        self.summary.setText(
            f"<h3>Invoice {view.number}: {show_cents(view.total_cents)}"
            f"{state.get(view.status, '')}</h3>Paid {show_cents(view.paid_cents)} · "
            + (f"Refunded {show_cents(view.refunded_cents)} · " if view.refunded_cents else "")
            + f"<b>Balance due {show_cents(view.balance_cents)}</b>" + note
            + "".join(f"<br>Gift card sold: <b>{code}</b> (write the code on the card; it can "
                      "be spent once this invoice is paid)" for code in view.gift_cards))
        self.model.set_rows(list(view.payments))
        fit_columns(self.table)
        self.amount.setText(f"{view.balance_cents / 100:.2f}" if view.balance_cents else "")
        for w in (self.tendered, self.last4, self.auth, self.check_number, self.card_code):
            w.clear()
        self.held_cents = account_credit.balance_cents(self.user, view.patient_id)
        self.credit_note.setText(f"<b>Credit on account: {show_cents(self.held_cents)}</b>")
        self.credit_row.setVisible(self.held_cents > 0 and view.balance_cents > 0)
        self.box.setVisible(view.balance_cents > 0)
        self.pay_button.setEnabled(view.balance_cents > 0)
        self.void_button.setEnabled(view.status != InvoiceStatus.VOID)
        self._method_fields()

    def take_payment(self) -> None:
        def pay():
            method = self.method.currentData()
            return invoices.take_payment(self.user, self.invoice_id, PaymentInput(
                method, to_cents(self.amount.text(), "amount"),
                (to_cents(self.tendered.text(), "cash handed over")
                 if method == PaymentMethod.CASH else 0),
                self.last4.text(), self.auth.text(), self.check_number.text(),
                self.card_code.text(),
                keep_as_credit=self.keep_credit.isChecked() and bool(self._above_due())))

        done = op(self, pay, error_label=self.message)
        if not done:
            return
        payment = done.value
        self.message.hide()
        self.show_invoice(self.invoice_id, f"<br><b>Change due: "
                                           f"{show_cents(payment.change_cents)}</b>"
                          if payment.change_cents else
                          f"<br><b>{show_cents(payment.credit_cents)} kept as credit on "
                          "account</b>" if payment.credit_cents else "")

    def print_receipt(self) -> None:
        show_preview(invoice_pdf(self.user, self.invoice_id, receipt=True),
                     f"Receipt {self.view.number}", f"receipt-{self.view.number}.pdf", self)

    def refund(self, amount_text: str | None = None, reason: str | None = None,
               to: str | None = None) -> None:
        rows = self.table.selectionModel().selectedRows()
        payment = self.model.row_at(rows[0].row()) if rows else None
        if payment is None or payment.kind != PaymentKind.PAYMENT:
            self.message.say("Select the payment to refund.")
            return
        if amount_text is None:
            where = (" to credit on account" if to == PaymentMethod.ACCOUNT_CREDIT else "")
            amount_text, ok = QInputDialog.getText(
                self, "Refund", f"How much of the {payment.method.lower()} payment of "
                                f"{show_cents(payment.amount_cents)} goes back{where}?")
            if not ok:
                return
        if reason is None:
            if payment.method_key == PaymentMethod.GIFT_CARD and to is None:  # asked at the desk
                ways = {"Back onto the gift card": None, "As cash": PaymentMethod.CASH,
                        "To a card": PaymentMethod.CARD, "By check": PaymentMethod.CHECK}
                way, ok = QInputDialog.getItem(self, "Refund", "How does the money go back?",
                                               list(ways), 0, False)
                if not ok:
                    return
                to = ways[way]
            # the reason prompt runs the refund: a refusal (the amount) shows there, kept
            if not with_reason(self, "Refund", "Why is it refunded?",
                               lambda typed: invoices.refund(
                                   self.user, payment.id, to_cents(amount_text, "refund"),
                                   typed, to=to)):
                return
        elif not op(self, lambda: invoices.refund(self.user, payment.id,
                                                  to_cents(amount_text, "refund"), reason,
                                                  to=to),
                    error_label=self.message):
            return
        self.message.hide()
        self.show_invoice(self.invoice_id)

    def void(self, reason: str | None = None, restock: bool | None = None) -> None:
        if restock is None:
            restock = invoices.sold_items(self.invoice_id) and QMessageBox.question(
                self, "Void invoice", "Did the items sold on it come back to the shelf? "
                "(Yes puts them back in stock.)") == QMessageBox.StandardButton.Yes
        if reason is None:  # the reason prompt runs it, refusals in it
            if not with_reason(self, "Void invoice", f"Why is invoice {self.view.number} void?",
                               lambda typed: invoices.void_invoice(
                                   self.user, self.invoice_id, typed, restock=restock)):
                return
        elif not op(self, lambda: invoices.void_invoice(self.user, self.invoice_id, reason,
                                                        restock=restock),
                    error_label=self.message):
            return
        self.message.hide()
        self.show_invoice(self.invoice_id)
