"""The chart's Account tab: what the patient owes, their invoices (open one's payments with a
double-click), and their packages with the credits left."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSplitter, QVBoxLayout, QWidget

from ...services.billing import billing_reports
from ...services.billing.billing_reports import InvoiceFilter
from ...services.billing.money import show_cents
from ...store.models import User
from ..bus import on_change
from ..models import RowTableModel
from ..widgets.modal import run_modal
from ..widgets.table import fit_columns, make_table
from .prepaid_dialogs import PackagesPanel
from .tab import COLUMNS, PaymentsDialog


class AccountPanel(QWidget):
    def __init__(self, user: User, patient_id: int, parent=None) -> None:
        super().__init__(parent)
        self.user, self.patient_id = user, patient_id
        self.balance = QLabel()
        self.model = RowTableModel(COLUMNS, parent=self)
        self.table = make_table(self.model, "The patient's invoices")
        self.table.activated.connect(lambda index: self.open_payments(index.row()))
        self.packages = PackagesPanel(user, patient_id)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.packages)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.balance)
        layout.addWidget(split, 1)
        on_change(self, ("invoice", "prepaid"))
        self.refresh()

    def refresh(self) -> None:
        due = billing_reports.account_balance(self.user, self.patient_id)
        self.balance.setText(f"<b>Balance due: {show_cents(due)}</b>" if due
                             else "Nothing is owed.")
        self.model.set_fetch(lambda offset, limit, _after: billing_reports.invoices(
            self.user, InvoiceFilter(patient_id=self.patient_id), offset=offset, limit=limit))
        fit_columns(self.table)
        self.packages.refresh()

    def open_payments(self, row: int) -> None:
        run_modal(PaymentsDialog(self.user, self.model.row_at(row).id, self))
