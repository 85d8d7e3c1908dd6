"""Billing tab: invoices newest first, filtered by dates, status, patient and provider, with
what is paid and due (the outstanding total of the filter shown); open an invoice's payments
(take one, refund, void, receipt), preview the invoice, look a gift card up, run the daily
close, and a sales report for any period (a month, typically)."""

from __future__ import annotations

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...printouts import daily_close_pdf, invoice_pdf, period_text, sales_report_pdf
from ...services.billing import billing_reports
from ...services.billing.billing_reports import InvoiceFilter
from ...services.billing.money import show_cents, to_cents
from ...services.platform import auth
from ...services.platform.vocabulary import InvoiceStatus
from ...store.models import User
from ..bus import on_change
from ..models import Column
from ..widgets.date_range import DateRange
from ..widgets.empty_state import EmptyState
from ..widgets.filtered_list import FilteredList
from ..widgets.modal import run_modal
from ..widgets.pdf_preview import preview_document, show_preview
from .payments_panel import PaymentsPanel
from .prepaid_dialogs import GiftCardDialog
from .sales_report_dialog import SalesReportDialog

COLUMNS = (
    Column("Invoice", lambda r: r.number, align_right=True),
    Column("Date", lambda r: r.issued_at),
    Column("Patient", lambda r: r.patient),
    Column("Provider", lambda r: r.provider),
    Column("Total", lambda r: show_cents(r.total_cents), align_right=True),
    Column("Paid", lambda r: show_cents(r.paid_cents), align_right=True),
    Column("Due", lambda r: show_cents(r.balance_cents), align_right=True),
    Column("Status", lambda r: r.status),
)
STATUSES = (("All invoices", None), ("Open (money due)", InvoiceStatus.OPEN),
            ("Paid", InvoiceStatus.PAID), ("Void", InvoiceStatus.VOID))


class PaymentsDialog(QDialog):
    def __init__(self, user: User, invoice_id: int, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Invoice payments")
        self.resize(760, 560)
        self.panel = PaymentsPanel(user)
        close = QPushButton("Close")
        close.clicked.connect(self.accept)
        self.panel.buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.panel)
        self.panel.show_invoice(invoice_id)


EMPTY_BILLING = ("No invoices for these dates and filters. An invoice is made when a visit "
                 "is checked out: select it on the schedule and press Ctrl+Shift+O.")


class BillingTab(QWidget):
    status_message = Signal(str)

    def __init__(self, user: User, parent=None) -> None:
        super().__init__(parent)
        self.user = user
        self._due = 0
        self.dates = DateRange(QDate.currentDate().addMonths(-1))
        self.status = QComboBox()
        for label, key in STATUSES:
            self.status.addItem(label, key)
        self.provider = QComboBox()
        self.provider.addItem("All providers", None)
        for u in auth.providers():
            self.provider.addItem(u.display_name, u.id)
        self.patient = QLineEdit()
        self.patient.setPlaceholderText("Patient")
        for w, name in ((self.status, "Status filter"), (self.provider, "Provider filter"),
                        (self.patient, "Patient filter")):
            w.setAccessibleName(name)
        self.payments_button = QPushButton("&Payments…")
        self.payments_button.clicked.connect(lambda: self.open_payments())
        self.invoice_button = QPushButton("Pre&view invoice…")
        self.invoice_button.clicked.connect(lambda: self.preview_invoice())
        self.gift_card_button = QPushButton("&Gift card…")
        self.gift_card_button.clicked.connect(
            lambda: run_modal(GiftCardDialog(self.user, parent=self)))
        self.close_button = QPushButton("&Daily close…")
        self.close_button.clicked.connect(lambda: self.daily_close())
        self.sales_button = QPushButton("Sales &report…")
        self.sales_button.clicked.connect(lambda: self.sales_report())
        self.list = FilteredList(
            COLUMNS, "Invoices", filters=(self.dates, self.status, self.provider, self.patient),
            actions=(self.payments_button, self.invoice_button, self.gift_card_button,
                     self.close_button, self.sales_button),
            source=self._source, count_text=self._count_text, on_change=self.refresh)
        self.model, self.table, self.count = self.list.model, self.list.table, self.list.count
        self.empty = EmptyState(self.table, lambda: EMPTY_BILLING)
        self.table.activated.connect(lambda index: self.open_payments(index.row()))
        layout = QVBoxLayout(self)
        layout.addWidget(self.list, 1)
        on_change(self, ("invoice", "prepaid", "patient"))
        self.refresh()

    def current_filter(self) -> InvoiceFilter:
        return InvoiceFilter(*self.dates.dates(), self.patient.text(),
                             self.provider.currentData(), self.status.currentData())

    def refresh(self) -> None:
        self._due = billing_reports.amount_due(self.user, self.current_filter())
        self.list.reload()

    def _source(self):
        f = self.current_filter()
        return lambda offset, limit, _after: billing_reports.invoices(
            self.user, f, offset=offset, limit=limit)

    def _count_text(self) -> str:
        return f"{self.model.count_text('invoice')} · {show_cents(self._due)} due"

    def _selected(self, row: int | None):
        if row is None:
            rows = self.table.selectionModel().selectedRows()
            if not rows:
                self.status_message.emit("Select an invoice first.")
                return None
            row = rows[0].row()
        return self.model.row_at(row)

    def open_payments(self, row: int | None = None) -> None:
        invoice = self._selected(row)
        if invoice is None:
            return
        run_modal(PaymentsDialog(self.user, invoice.id, self))

    def preview_invoice(self, row: int | None = None) -> None:
        invoice = self._selected(row)
        if invoice is not None:
            show_preview(invoice_pdf(self.user, invoice.id), f"Invoice {invoice.number}",
                         f"invoice-{invoice.number}.pdf", self)

    def daily_close(self, day=None, counted: str | None = None) -> None:
        if day is None or counted is None:
            dialog = QDialog(self)
            dialog.setWindowTitle("Daily close")
            date = QDateEdit(QDate.currentDate())
            date.setCalendarPopup(True)
            date.setDisplayFormat("ddd d MMM yyyy")
            cash = QLineEdit()
            cash.setPlaceholderText("the cash counted in the drawer (optional)")
            form = QFormLayout(dialog)
            form.addRow("Day", date)
            form.addRow("Cash counted", cash)
            go = QPushButton("Preview…")
            form.addRow(go)
            go.clicked.connect(dialog.accept)
            if not run_modal(dialog):  # deleted later: its fields are still there to read
                return
            day, counted = date.date().toPython(), cash.text()
        preview_document(lambda: daily_close_pdf(
            self.user, day, to_cents(counted, "cash counted") if counted.strip() else None),
            f"Daily close {day:%a %d %b %Y}", f"daily-close-{day}.pdf", self)

    def sales_report(self, date_from=None, date_to=None) -> None:
        """Preview the sales of a period, chosen in a dialog unless given."""
        if date_from is None or date_to is None:
            dialog = SalesReportDialog(self)
            if not run_modal(dialog):  # deleted later: its dates are still there to read
                return
            date_from, date_to = dialog.period()
        preview_document(lambda: sales_report_pdf(self.user, date_from, date_to),
                         f"Sales report, {period_text(date_from, date_to)}",
                         f"sales-report-{date_from}-to-{date_to}.pdf", self)
