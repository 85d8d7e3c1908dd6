"""Packages and gift cards on screen: selling one at checkout (a form that hands back the
invoice line), looking a gift card up by its code (balance and history, closing it), and a
patient's packages (credits left, cancelling the unused ones before a refund)."""

from __future__ import annotations

import datetime as dt
import html
from decimal import Decimal, InvalidOperation

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...services.billing import invoices, prepaid
from ...services.billing.invoices import CheckoutInput, LineDraft
from ...services.billing.money import show_cents, to_cents
from ...services.clinic import catalog
from ...services.platform import limits
from ...services.platform.errors import DomainError, ValidationError
from ...services.platform.permissions import allowed
from ...store.models import User
from ..bus import on_change
from ..models import Column, RowTableModel
from ..ops import op, with_reason
from ..widgets.form_dialog import FormDialog
from ..widgets.messages import ErrorLabel
from ..widgets.table import fit_columns, make_table


def _credits(text: str) -> Decimal:
    try:
        return Decimal(text.strip())
    except InvalidOperation:
        raise ValidationError("Enter how many sessions or units the package holds.") from None


USUAL_CREDITS = {"unit": 50, "syringe": 2, "cycle": 4}  # otherwise 6 sessions or areas


class SellPackageDialog(FormDialog):
    """A package for the invoice: the service, how many credits, the price (the service's
    price per credit until changed) and the expiry (a year, or none)."""

    def __init__(self, user: User, patient_id: int, service_id: int | None = None,
                 parent=None) -> None:
        super().__init__("Sell a package", parent)
        self.user, self.patient_id = user, patient_id
        self.line: LineDraft | None = None
        self.save_button.setText("Add to invoice")
        self.service = QComboBox()
        self.service.setAccessibleName("Service")
        services = catalog.services(include_retail=False)
        self.units = {s.id: s.pricing_unit for s in services}
        for s in services:
            self.service.addItem(s.name, s.id)
        if service_id is not None and self.service.findData(service_id) >= 0:
            self.service.setCurrentIndex(self.service.findData(service_id))
        self.form.addRow("Service", self.service)
        self.credits = QLineEdit()
        self.credits.setMaxLength(8)
        self.credits.setAccessibleName("Credits")
        self.unit_word = QLabel()
        credits_row = QHBoxLayout()
        credits_row.addWidget(self.credits, 1)
        credits_row.addWidget(self.unit_word)
        self.form.addRow("Credits", credits_row)
        self.price = self._line("Package price", 12)
        self.expires = QDateEdit(QDate.fromString(
            prepaid.default_expiry(dt.date.today()).isoformat(), Qt.DateFormat.ISODate))
        self.expires.setCalendarPopup(True)
        self.expires.setDisplayFormat("d MMM yyyy")
        self.expires.setAccessibleName("Expires on")
        self.no_expiry = QCheckBox("Never expires")
        self.no_expiry.toggled.connect(lambda on: self.expires.setEnabled(not on))
        row = QHBoxLayout()
        row.addWidget(self.expires, 1)
        row.addWidget(self.no_expiry)
        self.form.addRow("Expires on", row)
        self._price_edited = False
        self.price.textEdited.connect(lambda _t: setattr(self, "_price_edited", True))
        self.service.currentIndexChanged.connect(lambda _i: self._suggest_credits())
        self.credits.textChanged.connect(lambda _t: self._suggest_price())
        self._suggest_credits()

    def _suggest_credits(self) -> None:
        """The usual size of a package for the service's pricing unit, and its word."""
        unit = self.units.get(self.service.currentData(), "session")
        self.credits.setText(str(USUAL_CREDITS.get(unit, 6)))
        self.unit_word.setText(prepaid.UNIT_WORDS.get(unit, ("session", "sessions"))[1])
        self._suggest_price()

    def _suggest_price(self) -> None:
        """The service's price per credit × the credits, until the price is typed over."""
        if self._price_edited:
            return
        try:
            credits = Decimal(self.credits.text().strip())
        except InvalidOperation:
            return
        if not credits.is_finite():
            return
        try:  # the service's own default, with its one rounding rule
            line = invoices.package_line(self.user, self.service.currentData(), credits,
                                         no_expiry=True)
        except (DomainError, InvalidOperation):
            return
        self.price.setText(f"{line.unit_price_cents / 100:.2f}")

    def submit(self) -> None:
        line = invoices.package_line(
            self.user, self.service.currentData(), _credits(self.credits.text()),
            to_cents(self.price.text(), "package price"),
            None if self.no_expiry.isChecked() else self.expires.date().toPython(),
            no_expiry=self.no_expiry.isChecked())
        invoices.preview(self.user, CheckoutInput(self.patient_id, (line,)))  # refuse it here
        self.line = line


class SellGiftCardDialog(FormDialog):
    """A gift card for the invoice: its amount, a pre-printed card's code (or a new one), and
    who it is for."""

    def __init__(self, user: User, patient_id: int, parent=None) -> None:
        super().__init__("Sell a gift card", parent)
        self.user, self.patient_id = user, patient_id
        self.line: LineDraft | None = None
        self.save_button.setText("Add to invoice")
        self.amount = self._line("Amount", 12, "100.00")
        self.code = self._line("Code", 24, "blank: a new code is made")
        self.recipient = self._line("For", limits.FULL_NAME, "who it is for (optional)")

    def submit(self) -> None:
        line = invoices.gift_card_line(self.user, to_cents(self.amount.text(), "amount"),
                                       self.code.text(), self.recipient.text())
        invoices.preview(self.user, CheckoutInput(self.patient_id, (line,)))
        self.line = line


HISTORY_COLUMNS = (
    Column("When", lambda e: e.at),
    Column("What", lambda e: e.what),
    Column("Amount", lambda e: show_cents(e.cents), align_right=True),
    Column("Invoice", lambda e: e.invoice or "", align_right=True),
    Column("By", lambda e: e.by),
)


class GiftCardDialog(QDialog):
    """Look a card up by its code: balance, state and history; close it (admin, director)."""

    def __init__(self, user: User, code: str = "", parent=None) -> None:
        super().__init__(parent)
        self.user = user
        self.setWindowTitle("Gift card")
        self.resize(640, 420)
        self.code = QLineEdit(code)
        self.code.setMaxLength(24)
        self.code.setPlaceholderText("the code on the card")
        self.code.setAccessibleName("Gift card code")
        self.code.returnPressed.connect(self.look_up)
        find = QPushButton("&Look up")
        find.clicked.connect(self.look_up)
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.model = RowTableModel(HISTORY_COLUMNS, parent=self)
        self.table = make_table(self.model, "Gift card history")
        self.message = ErrorLabel()
        self.close_card_button = QPushButton("Close card…")
        self.close_card_button.setToolTip("Take the unused balance off the card, so that its "
                                           "purchase can be refunded")
        self.close_card_button.setVisible(allowed(user, "billing.refund"))
        self.close_card_button.setEnabled(False)
        self.close_card_button.clicked.connect(lambda: self.close_card())
        done = QPushButton("Close")
        done.clicked.connect(self.accept)
        top = QHBoxLayout()
        top.addWidget(self.code, 1)
        top.addWidget(find)
        bottom = QHBoxLayout()
        bottom.addWidget(self.close_card_button)
        bottom.addStretch(1)
        bottom.addWidget(done)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addLayout(bottom)
        self.card = None
        if code:
            self.look_up()

    def look_up(self) -> None:
        done = op(self, lambda: prepaid.gift_card(self.user, self.code.text()),
                  on_refused=self._not_found)
        if not done:
            return
        card = done.value
        self.message.hide()
        self.card = card
        who = f" for {html.escape(card.recipient)}" if card.recipient else ""
        self.summary.setText(f"<h3>{card.code}{who}: {show_cents(card.balance_cents)} left</h3>"
                             f"Loaded with {show_cents(card.amount_cents)} · {card.state}")
        self.model.set_rows(list(card.history))
        fit_columns(self.table)
        self.close_card_button.setEnabled(card.closable)

    def close_card(self, reason: str | None = None) -> None:
        if self.card is None:
            return
        code = self.card.code
        if reason is None:  # the reason prompt runs it, refusals in it
            done = with_reason(self, "Close gift card", f"Why is {code} closed?",
                               lambda typed: prepaid.close_gift_card(self.user, code, typed))
        else:
            done = op(self, lambda: prepaid.close_gift_card(self.user, code, reason),
                      error_label=self.message)
        if done:
            self.look_up()

    def _not_found(self, exc) -> None:
        self.card = None
        self.summary.clear()
        self.model.set_rows([])
        self.close_card_button.setEnabled(False)
        self.message.say(str(exc))


PACKAGE_COLUMNS = (
    Column("Package", lambda p: p.label),
    Column("Service", lambda p: p.service),
    Column("Bought", lambda p: p.bought),
    Column("Left", lambda p: p.left),
    Column("Expires", lambda p: f"{p.expires_on:%d %b %Y}" if p.expires_on else "never"),
    Column("State", lambda p: p.state),
    Column("Invoice", lambda p: p.sold_on, align_right=True),
)


class PackagesPanel(QWidget):
    """A patient's packages; admin and director may cancel the unused credits of one."""

    def __init__(self, user: User, patient_id: int, parent=None) -> None:
        super().__init__(parent)
        self.user, self.patient_id = user, patient_id
        self.model = RowTableModel(PACKAGE_COLUMNS, parent=self)
        self.table = make_table(self.model, "The patient's packages")
        self.message = ErrorLabel()
        self.cancel_button = QPushButton("Cancel unused credits…")
        self.cancel_button.setToolTip("Before refunding a package: take its unused credits off")
        self.cancel_button.setVisible(allowed(user, "billing.refund"))
        self.cancel_button.clicked.connect(lambda: self.cancel_credits())
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("<b>Packages</b>"))
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        on_change(self, ("prepaid", "invoice"))
        self.refresh()

    def refresh(self) -> None:
        self.model.set_rows(prepaid.patient_packages(self.user, self.patient_id))
        fit_columns(self.table)

    def cancel_credits(self, reason: str | None = None) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            self.message.say("Select the package first.")
            return
        package = self.model.row_at(rows[0].row())
        if reason is None:  # the reason prompt runs it, refusals in it
            if not with_reason(self, "Cancel unused credits",
                               f"Why are the {package.left} left on {package.label} cancelled?",
                               lambda typed: prepaid.cancel_package(self.user, package.id,
                                                                    typed)):
                return
        elif not op(self, lambda: prepaid.cancel_package(self.user, package.id, reason),
                    error_label=self.message):
            return
        self.message.hide()
