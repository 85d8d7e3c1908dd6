"""Check out a visit: the invoice drafted from the treatment record (quantities and prices can
be changed, retail items added) and drawn from the patient's package for the service when
there is one, packages and gift cards sold, discounts with a reason, a tip, live totals; then
issue it and take payments (the payments panel) and print the receipt."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
from decimal import Decimal, InvalidOperation

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
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

from ...services.billing import invoices, memberships, prepaid
from ...services.billing.invoices import CheckoutInput, LineDraft
from ...services.billing.money import show_basis_points, show_cents, to_cents, to_discount
from ...services.platform.errors import DomainError, ValidationError
from ...services.platform.vocabulary import InvoiceStatus, ProductKind
from ...services.scheduling import appointments, rebooking
from ...services.treatments import inventory
from ...store.models import User
from ..bus import on_change
from ..help import whats_this
from ..ops import op
from ..widgets.messages import ErrorLabel
from ..widgets.modal import run_modal
from .payments_panel import PaymentsPanel
from .prepaid_dialogs import SellGiftCardDialog, SellPackageDialog

COLUMNS = ("Description", "Qty", "Price", "Discount", "Reason")


class CheckoutDialog(QDialog):
    def __init__(self, user: User, appointment_id: int, parent=None) -> None:
        super().__init__(parent)
        self.user = user
        self.row = appointments.get_appointment(user, appointment_id)
        self.drafts: list[LineDraft] = []
        self.visit_lines = 0  # the first rows: the visit's service, as drafted
        self.invoice_id: int | None = None
        self._warned_owing = False  # said once that closing leaves money owed
        self.setWindowTitle(f"Check out — {self.row.patient}")
        self.resize(860, 600)
        head = QLabel(f"<b>{html.escape(self.row.patient)}</b> — "
                      f"{html.escape(self.row.service)}, {self.row.start:%a %d %b %Y %H:%M} "
                      f"with {html.escape(self.row.provider or 'no provider')}")
        self.enrolled: memberships.DuesInvoice | None = None  # enrolled from this checkout
        self.enrolled_membership: int | None = None
        self.pages = QStackedWidget()
        self.pages.addWidget(self._invoice_page())
        self.payments_panel = PaymentsPanel(user)
        # on the left, far from where "Issue invoice" was: a double-click on that button must
        # not close the dialog with money owed
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self.accept)
        self.payments_panel.buttons.insertWidget(0, self.close_button)
        self.next_visit = self._next_visit_box()
        # below the payment's form, which hides once paid: "Book next visit" is on the left,
        # never where "Take payment" was (on the right), so a double-click cannot book
        self.payments_panel.layout().insertWidget(
            self.payments_panel.layout().indexOf(self.payments_panel.message) + 1,
            self.next_visit)
        self.pages.addWidget(self.payments_panel)
        self.message = ErrorLabel()
        layout = QVBoxLayout(self)
        layout.addWidget(head)
        layout.addWidget(self._membership_row())
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.message)
        whats_this.explain_checkout(self)
        self.proposal: rebooking.NextVisit | None = None
        self.next_appointment = None  # booked from here
        on_change(self, ("invoice",), self._on_invoice_change)
        existing = invoices.invoice_for_appointment(user, appointment_id)
        if existing is not None:  # issued earlier: straight to the payments
            self.invoice_id = existing.id
            self._show_payments()
        else:
            self._draw_visit()

    # -- the invoice ---------------------------------------------------------------------------
    def _invoice_page(self) -> QWidget:
        page = QWidget()
        self.package = QComboBox()
        self.package.setAccessibleName("Draw from package")
        self.package.addItem("No package: charge the visit", None)
        for p in prepaid.patient_packages(self.user, self.row.patient_id, self.row.start.date(),
                                          self.row.service_id):
            if p.usable:
                expiry = f", expires {p.expires_on:%d %b %Y}" if p.expires_on else ""
                self.package.addItem(f"{p.label}: {p.left} left of {p.bought}{expiry}", p.id)
        if self.package.count() > 1:  # the patient paid ahead: use it unless told otherwise
            self.package.setCurrentIndex(1)
        self.package.currentIndexChanged.connect(lambda _i: self._draw_visit())
        self.member_credits = QCheckBox("Use the membership's banked credits")
        self.member_credits.setAccessibleName("Use banked membership credits")
        banked = self._offer_banked_credits()
        self.member_credits.toggled.connect(lambda _on: self._draw_visit())
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setAccessibleName("Invoice lines")
        self.table.itemChanged.connect(lambda _item: self.update_totals())
        self.product = QComboBox()
        self.product.setAccessibleName("Retail product")
        for p in inventory.products(self.user, (ProductKind.RETAIL,)):
            self.product.addItem(f"{p.name} — {show_cents(p.price_cents)}", p.id)
        add = QPushButton("Add product")
        add.clicked.connect(self.add_product)
        add.setEnabled(self.product.count() > 0)
        sell_package = QPushButton("Sell pac&kage…")
        sell_package.clicked.connect(lambda: self.sell(SellPackageDialog(
            self.user, self.row.patient_id, self.row.service_id, self)))
        sell_card = QPushButton("Sell &gift card…")
        sell_card.clicked.connect(lambda: self.sell(SellGiftCardDialog(
            self.user, self.row.patient_id, self)))
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
        for button in (add, sell_package, sell_card):
            adding.addWidget(button)
        drawing = QHBoxLayout()
        drawing.addWidget(QLabel("Package"))
        drawing.addWidget(self.package, 1)
        drawing.addWidget(self.member_credits)
        self.package_row = QWidget()
        self.package_row.setLayout(drawing)
        drawing.setContentsMargins(0, 0, 0, 0)
        self.package_row.setVisible(self.package.count() > 1 or banked)
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
        layout.addWidget(self.package_row)
        layout.addWidget(self.table, 1)
        layout.addLayout(adding)
        layout.addLayout(lower)
        layout.addLayout(buttons)
        return page

    def _offer_banked_credits(self) -> bool:
        """Tick "Use the membership's banked credits" when the patient has some for the visit's
        service (without redrawing the visit); returns whether there are any."""
        banked = memberships.banked_for(self.row.patient_id, self.row.service_id,
                                        self.row.start.date())
        self.member_credits.blockSignals(True)
        if banked:
            self.member_credits.setText(f"Use the membership's banked credits "
                                        f"({Decimal(banked[1]) / 100:g} banked)")
        self.member_credits.setChecked(banked is not None)
        self.member_credits.setVisible(banked is not None)
        self.member_credits.blockSignals(False)
        return banked is not None

    # -- enrolling from the checkout -----------------------------------------------------------
    def _membership_row(self) -> QWidget:
        """"Enrol in a membership…" for a patient who is not a member (while the invoice is
        not yet issued); once enrolled, the first dues invoice and a button to pay it."""
        self.enrol_button = QPushButton("Enrol in a &membership…")
        self.enrol_button.setAutoDefault(False)
        self.enrol_button.clicked.connect(lambda: self.enrol())
        self.enrolled_text = QLabel()
        self.enrolled_text.setWordWrap(True)
        self.pay_dues_button = QPushButton("Take the &dues payment…")
        self.pay_dues_button.setAutoDefault(False)
        self.pay_dues_button.clicked.connect(lambda: self.pay_dues())
        row = QWidget()
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.enrolled_text, 1)
        line.addWidget(self.pay_dues_button)
        line.addWidget(self.enrol_button)
        offer = (memberships.current_membership(self.user, self.row.patient_id) is None
                 and bool(memberships.plans(self.user)))
        self.enrol_button.setVisible(offer)
        self.enrolled_text.setText("Not a member: enrolling now gives this checkout the "
                                   "member prices.")
        self.pay_dues_button.hide()
        row.setVisible(offer)
        self.membership_row = row
        return row

    def enrol(self) -> None:
        """The agreement signed here; its first dues invoice is issued at once (paid here or
        later like any dues), and the member's prices apply to this checkout from now on."""
        from .membership_dialogs import EnrolDialog

        dialog = EnrolDialog(self.user, self.row.patient_id, self)
        if not run_modal(dialog) or dialog.membership is None:
            return
        self.enrolled_membership = dialog.membership.id
        self.enrolled = memberships.first_dues(self.user, self.enrolled_membership)
        self.enrol_button.hide()
        self._offer_banked_credits()
        self.package_row.setVisible(self.package.count() > 1
                                    or not self.member_credits.isHidden())
        self._draw_visit()
        for row, draft in enumerate(self.drafts):  # retail added before enrolling
            if row >= self.visit_lines and draft.kind == "product" \
                    and not self.table.item(row, 3).text().strip():
                member = memberships.member_discount(
                    self.row.patient_id, None, 100, draft.unit_price_cents,
                    self.row.start.date(), retail=True)
                if member:
                    self.table.blockSignals(True)
                    self.table.item(row, 3).setText(show_basis_points(member.percent_bp))
                    self.table.item(row, 4).setText(member.reason)
                    self.table.blockSignals(False)
        self.update_totals()
        self._show_enrolled()

    def _show_enrolled(self) -> None:
        if self.enrolled_membership is None:
            return
        self.enrolled = dues = memberships.first_dues(self.user, self.enrolled_membership)
        owing = dues.balance_cents > 0
        self.enrolled_text.setText(
            f"Enrolled: member prices apply to this checkout. The first dues, invoice "
            f"{dues.number} for {dues.month:%B %Y}, "
            + (f"owe {show_cents(dues.balance_cents)}." if owing else "are paid."))
        self.enrolled_text.show()
        self.pay_dues_button.setVisible(owing)

    def pay_dues(self) -> None:
        from .tab import PaymentsDialog  # the Billing tab's own payments window

        if self.enrolled is not None:
            run_modal(PaymentsDialog(self.user, self.enrolled.invoice_id, self))
            self._show_enrolled()

    def _add_line(self, draft: LineDraft, row: int | None = None) -> None:
        row = self.table.rowCount() if row is None else row
        self.drafts.insert(row, draft)
        self.table.blockSignals(True)
        self.table.insertRow(row)
        # The description is the service's or product's. A package's credits and price were
        # set in its own form (a discount may still be given); a gift card is sold at its
        # value, and a service drawn from a package costs nothing.
        if draft.package_id is not None or draft.membership_id is not None \
                or draft.kind == "gift_card":
            editable = ()
        elif draft.kind == "package":
            editable = (3, 4)
        else:
            editable = (1, 2, 3, 4)
        off = draft.discount  # a member's price comes as a line discount naming the plan
        cells = (draft.description, f"{draft.quantity.normalize():f}",
                 f"{draft.unit_price_cents / 100:.2f}",
                 show_basis_points(off.percent_bp) if off.percent_bp
                 else f"{off.amount_cents / 100:.2f}" if off.amount_cents else "", off.reason)
        for column, text in enumerate(cells):
            item = QTableWidgetItem(text)
            if column not in editable:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            if column in (1, 2, 3):
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(row, column, item)
        self.table.blockSignals(False)

    def _draw_visit(self) -> None:
        """The visit's own lines, drawn from the chosen package as far as it goes."""
        for _ in range(self.visit_lines):
            self.table.removeRow(0)
            self.drafts.pop(0)
        try:
            drafts = invoices.draft_for_appointment(
                self.user, self.row.id, self.package.currentData(),
                member_credits=self.member_credits.isChecked())
        except DomainError as exc:
            self.message.say(str(exc))
            drafts = invoices.draft_for_appointment(self.user, self.row.id,
                                                    member_credits=False)
        for row, draft in enumerate(drafts):
            self._add_line(draft, row)
        self.visit_lines = len(drafts)
        self.update_totals()

    def add_product(self) -> None:
        if self.product.currentData() is not None:
            draft = invoices.product_line(self.user, self.product.currentData())
            member = memberships.member_discount(self.row.patient_id, None, 100,
                                                 draft.unit_price_cents,
                                                 self.row.start.date(), retail=True)
            self._add_line(dataclasses.replace(draft, discount=member) if member else draft)
            self.update_totals()

    def sell(self, dialog: SellPackageDialog | SellGiftCardDialog) -> None:
        """Add the package or gift card the form describes, once the form is accepted."""
        if run_modal(dialog) and dialog.line is not None:
            self._add_line(dialog.line)
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
            lines.append(dataclasses.replace(
                draft, quantity=quantity,
                unit_price_cents=to_cents(text[2], f"price on line {row + 1}"),
                discount=to_discount(text[3], text[4], f"line {row + 1} discount")))
        return CheckoutInput(self.row.patient_id, tuple(lines), self.row.id,
                             to_discount(self.discount.text(), self.discount_reason.text(),
                                         "invoice discount"),
                             to_cents(self.tip.text(), "tip"))

    def update_totals(self) -> None:
        done = op(self, lambda: invoices.preview(self.user, self.checkout_input()),
                  error_label=self.message)
        if not done:
            self.issue_button.setEnabled(False)
            return
        totals = done.value
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
        done = op(self, lambda: invoices.issue_invoice(self.user, self.checkout_input()),
                  error_label=self.message)
        if not done:
            return
        self.invoice_id = done.value.id
        self._show_payments()

    def _show_payments(self) -> None:
        self.pages.setCurrentIndex(1)
        self.enrol_button.hide()  # the invoice is issued: too late for this visit's prices
        self.membership_row.setVisible(self.enrolled_membership is not None)
        self.payments_panel.show_invoice(self.invoice_id)
        self._offer_next_visit()

    # -- the next visit (rebooking) ------------------------------------------------------------
    def _next_visit_box(self) -> QGroupBox:
        box = QGroupBox("Next visit")
        self.next_visit_text = QLabel()
        self.next_visit_text.setWordWrap(True)
        self.book_next_button = QPushButton("&Book next visit")
        self.book_next_button.setAutoDefault(False)
        self.book_next_button.clicked.connect(lambda: self.book_next_visit())
        self.other_time_button = QPushButton("&Other time…")
        self.other_time_button.setAutoDefault(False)
        self.other_time_button.clicked.connect(lambda: self.book_other_time())
        row = QHBoxLayout()
        row.addWidget(self.book_next_button)
        row.addWidget(self.other_time_button)
        row.addStretch(1)
        inner = QVBoxLayout(box)
        inner.addWidget(self.next_visit_text)
        inner.addLayout(row)
        box.hide()
        return box

    def _on_invoice_change(self, _changes) -> None:
        self._show_enrolled()
        if self.invoice_id is not None and self.pages.currentIndex() == 1:
            self._offer_next_visit()

    def _offer_next_visit(self) -> None:
        """Once the visit is paid: the same treatment and provider at its usual interval
        (nothing for a visit whose treatment has none)."""
        view = invoices.invoice_view(self.user, self.invoice_id)  # as paid just now
        paid = view.balance_cents == 0 and view.status != InvoiceStatus.VOID
        if not paid:
            self.next_visit.hide()
            return
        if self.next_appointment is None and self.proposal is None:
            done = op(self, lambda: rebooking.propose_next_visit(self.user, self.row.id),
                      error_label=self.message)
            self.proposal = done.value if done else None
        if self.proposal is None and self.next_appointment is None:
            self.next_visit.hide()
            return
        self._show_next_visit()
        self.next_visit.show()

    def _show_next_visit(self) -> None:
        booked = self.next_appointment
        if booked is not None:
            row = appointments.get_appointment(self.user, booked.id)
            self.next_visit_text.setText(
                f"Booked: {row.service} {row.start:%a %d %b %Y %H:%M}"
                + (f" with {row.provider}" if row.provider else "") + ".")
        else:
            self.next_visit_text.setText(self.proposal.text)
        can_book = booked is None and self.proposal.booked is None
        self.book_next_button.setVisible(can_book and self.proposal.slot is not None)
        self.other_time_button.setVisible(can_book)

    def book_next_visit(self) -> None:
        """One click: the proposed time, through the booking service."""
        if self.proposal is None or self.proposal.slot is None:
            return
        done = op(self, lambda: rebooking.book_next_visit(self.user, self.proposal),
                  error_label=self.message)
        if done:
            self.next_appointment = done.value
            self._show_next_visit()

    def book_other_time(self) -> None:
        """The booking form, filled in with the proposal, to choose another time."""
        from ..schedule.booking_dialog import BookingDialog

        slot = self.proposal.slot if self.proposal else None
        start = slot.start if slot else dt.datetime.combine(self.proposal.wanted, dt.time(9))
        dialog = BookingDialog(self.user, start,
                               provider_id=slot.provider_id if slot else self.row.provider_id,
                               room_id=slot.room_id if slot else None,
                               device_id=slot.device_id if slot else None,
                               service_id=self.row.service_id,
                               patient=(self.row.patient_id, self.row.patient), parent=self)
        if run_modal(dialog) and dialog.appointment is not None:
            self.next_appointment = dialog.appointment
            self._show_next_visit()

    def done(self, result: int) -> None:  # Qt's name: every way of closing
        """The first attempt to close (Close, Esc, the window's X) with a balance due only
        says so, in the dialog; the next one closes and the visit stays unpaid, listed with
        its balance in Billing. (Not a question box: nothing stacks over the checkout.)"""
        if self.isVisible() and self.invoice_id is not None and not self._warned_owing:
            view = invoices.invoice_view(self.user, self.invoice_id)
            if view.balance_cents > 0 and view.status != InvoiceStatus.VOID:
                self._warned_owing = True
                self.message.say(
                    f"{self.row.patient} still owes {show_cents(view.balance_cents)} on invoice "
                    f"{view.number}. Take the payment, or close again to leave the visit "
                    "unpaid (the Billing tab lists it with its balance).")
                return
        super().done(result)

