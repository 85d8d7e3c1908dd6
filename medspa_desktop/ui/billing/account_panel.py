"""The chart's Account tab: what the patient owes and holds as credit on account, their
membership (Enrol…, Freeze…, Cancel…), their invoices (open one's payments with a
double-click), their packages with the credits left, and the ledger of their credit on account
(dates, what, reasons) — where an admin or the medical director gives a goodwill credit or
pays the credit out (cash or card, with a reason)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ...services.billing import account_credit, billing_reports
from ...services.billing.billing_reports import InvoiceFilter
from ...services.billing.money import show_cents, to_cents
from ...services.platform.permissions import allowed
from ...services.platform.vocabulary import PaymentMethod
from ...store.models import User
from ..bus import on_change
from ..models import Column, RowTableModel
from ..ops import op, with_reason
from ..widgets.form_dialog import FormDialog
from ..widgets.messages import ErrorLabel
from ..widgets.modal import run_modal
from ..widgets.table import fit_columns, make_table
from .membership_dialogs import MembershipBox
from .prepaid_dialogs import PackagesPanel
from .tab import COLUMNS, PaymentsDialog

CREDIT_COLUMNS = (
    Column("When", lambda r: r.at),
    Column("What", lambda r: r.what),
    Column("Amount", lambda r: show_cents(r.amount_cents), align_right=True),
    Column("Credit after", lambda r: show_cents(r.balance_cents), align_right=True),
    Column("Invoice", lambda r: r.invoice or "", align_right=True),
    Column("Reason", lambda r: r.reason),
    Column("By", lambda r: r.by),
)


class PayOutDialog(FormDialog):
    """Give a patient's credit on account back as money: cash from the drawer or a refund to
    their card in the clinic's own terminal, with the reason (admin or medical director)."""

    def __init__(self, user: User, patient_id: int, parent=None) -> None:
        super().__init__("Pay credit on account out", parent, min_width=460)
        self.user, self.patient_id = user, patient_id
        held = account_credit.balance_cents(user, patient_id)
        self.intro = intro = QLabel(f"The patient holds {show_cents(held)} credit on account. Paying it out "
                       "takes it off their account; the daily close shows it as money out "
                       "(cash from the drawer).")
        intro.setWordWrap(True)
        self.body.insertWidget(0, intro)
        self.amount = self._line("&Amount", 12, "0.00")
        self.amount.setText(f"{held / 100:.2f}")
        self.method = QComboBox()
        self.method.setAccessibleName("Paid out as")
        self.method.addItem("Cash, from the drawer", PaymentMethod.CASH)
        self.method.addItem("Refund to a card (in the clinic's terminal)", PaymentMethod.CARD)
        self.form.addRow("Paid out &as", self.method)
        self.reason = self._line("&Reason", 200, "moving away")
        self.save_button.setText("&Pay out")

    def submit(self) -> None:
        account_credit.pay_out(self.user, self.patient_id,
                               to_cents(self.amount.text(), "amount paid out"),
                               self.method.currentData(), self.reason.text())


class CreditPanel(QWidget):
    """The patient's credit on account: what they hold and every movement of it."""

    def __init__(self, user: User, patient_id: int, parent=None) -> None:
        super().__init__(parent)
        self.user, self.patient_id = user, patient_id
        self.title = QLabel()
        self.model = RowTableModel(CREDIT_COLUMNS, parent=self)
        self.table = make_table(self.model, "The patient's credit on account")
        self.message = ErrorLabel()
        self.goodwill_button = QPushButton("Give goodwill credit…")
        self.goodwill_button.setToolTip("An apology or a price matched: credit on account, "
                                        "with the reason")
        self.goodwill_button.setVisible(allowed(user, "credit.goodwill"))
        self.goodwill_button.clicked.connect(lambda: self.give_goodwill())
        self.pay_out_button = QPushButton("Pay credit &out…")
        self.pay_out_button.setToolTip("Give the credit back as cash or to a card, with the "
                                       "reason")
        self.pay_out_button.setVisible(allowed(user, "credit.payout"))
        self.pay_out_button.clicked.connect(
            lambda: run_modal(PayOutDialog(self.user, self.patient_id, self)))
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.pay_out_button)
        buttons.addWidget(self.goodwill_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

    def refresh(self) -> None:
        held = account_credit.balance_cents(self.user, self.patient_id)
        self.title.setText(f"<b>Credit on account: {show_cents(held)}</b>")
        self.pay_out_button.setEnabled(held > 0)
        self.model.set_rows(account_credit.ledger(self.user, self.patient_id))
        fit_columns(self.table)

    def give_goodwill(self, amount_text: str | None = None, reason: str | None = None) -> None:
        if amount_text is None:
            amount_text, ok = QInputDialog.getText(self, "Goodwill credit",
                                                   "How much credit on account?")
            if not ok:
                return
        if reason is None:  # the reason prompt runs it, refusals in it
            if not with_reason(self, "Goodwill credit", "Why is the credit given?",
                               lambda typed: account_credit.give_goodwill(
                                   self.user, self.patient_id,
                                   to_cents(amount_text, "credit"), typed)):
                return
        elif not op(self, lambda: account_credit.give_goodwill(
                self.user, self.patient_id, to_cents(amount_text, "credit"), reason),
                error_label=self.message):
            return
        self.message.hide()


class AccountPanel(QWidget):
    def __init__(self, user: User, patient_id: int, parent=None) -> None:
        super().__init__(parent)
        self.user, self.patient_id = user, patient_id
        self.balance = QLabel()
        self.model = RowTableModel(COLUMNS, parent=self)
        self.table = make_table(self.model, "The patient's invoices")
        self.table.activated.connect(lambda index: self.open_payments(index.row()))
        self.packages = PackagesPanel(user, patient_id)
        self.credit = CreditPanel(user, patient_id)
        self.membership = MembershipBox(user, patient_id)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.packages)
        split.addWidget(self.credit)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setStretchFactor(2, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.balance)
        layout.addWidget(self.membership)
        layout.addWidget(split, 1)
        on_change(self, ("invoice", "prepaid", "credit"))
        self.refresh()

    def refresh(self) -> None:
        due = billing_reports.account_balance(self.user, self.patient_id)
        held = account_credit.balance_cents(self.user, self.patient_id)
        self.balance.setText((f"<b>Balance due: {show_cents(due)}</b>" if due
                              else "Nothing is owed.")
                             + (f" · <b>Credit on account: {show_cents(held)}</b>" if held
                                else ""))
        self.model.set_fetch(lambda offset, limit, _after: billing_reports.invoices(
            self.user, InvoiceFilter(patient_id=self.patient_id), offset=offset, limit=limit))
        fit_columns(self.table)
        self.packages.refresh()
        self.credit.refresh()

    def open_payments(self, row: int) -> None:
        run_modal(PaymentsDialog(self.user, self.model.row_at(row).id, self))
