"""Memberships on screen: Clinic setup → Membership plans (a plan's fee, billing day, term,
notice and benefits; a change saves a new version), and the chart's Account tab — the
membership's state with Enrol…, Freeze…, Cancel…, Reactivate and the signed agreement.
Enrolling shows the agreement the patient signs, with the pads for the patient and the
witness; nothing is kept until "Enrol" succeeds."""

from __future__ import annotations

import datetime as dt
import html
from decimal import Decimal, InvalidOperation

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...printouts import enrol_member
from ...services.billing import memberships
from ...services.billing.memberships import BankedCredit, PlanInput, PlanView
from ...services.billing.money import show_cents, to_cents
from ...services.charts import chart
from ...services.clinic import catalog
from ...services.platform.errors import ValidationError
from ...store.models import CATEGORIES, User
from .. import style
from ..bus import on_change
from ..models import Column, RowTableModel
from ..ops import op, with_reason
from ..widgets.form_dialog import FormDialog
from ..widgets.messages import ErrorLabel
from ..widgets.modal import run_modal
from ..widgets.signature_pad import add_signing_pads
from ..widgets.table import fit_columns, make_table

BILLING_DAYS = [("The day the member enrolls (at most the 28th)", 0)] + [
    (f"Day {d} of each month", d) for d in range(1, 29)]


def _percent_bp(text: str, what: str) -> int:
    try:
        value = Decimal(text.strip().rstrip("%").strip() or "0")
    except InvalidOperation:
        raise ValidationError(f"Enter the {what} as a percentage, e.g. 10.") from None
    return int(value * 100)


def _quantity(text: str, what: str) -> Decimal:
    try:
        return Decimal(text.strip() or "0")
    except InvalidOperation:
        raise ValidationError(f"Enter the {what} as a number, e.g. 20.") from None


# -- Clinic setup → Membership plans ------------------------------------------------------------
class PlanDialog(FormDialog):
    """A new plan, or a new version of one (its members keep theirs)."""

    def __init__(self, user: User, plan: PlanView | None = None, parent=None) -> None:
        super().__init__(f"Change {plan.name}" if plan else "New membership plan", parent,
                         min_width=640)
        self.user, self.plan = user, plan
        self.name = self._line("&Name", memberships.MAX_NAME, "Glow Club")
        self.fee = self._line("Monthly &fee", 12, "99.00")
        self.day = QComboBox()
        self.day.setAccessibleName("Billing day")
        for label, value in BILLING_DAYS:
            self.day.addItem(label, value)
        self.form.addRow("&Billing day", self.day)
        self.term = QSpinBox()
        self.term.setRange(0, memberships.MAX_TERM_MONTHS)
        self.term.setSuffix(" months")
        self.term.setAccessibleName("Minimum term")
        self.form.addRow("Minimum &term", self.term)
        self.notice = QSpinBox()
        self.notice.setRange(0, memberships.MAX_NOTICE_DAYS)
        self.notice.setSuffix(" days")
        self.notice.setAccessibleName("Notice to cancel")
        self.form.addRow("&Notice to cancel", self.notice)
        self.grace = QSpinBox()
        self.grace.setRange(0, memberships.MAX_GRACE_DAYS)
        self.grace.setSuffix(" days after it ends")
        self.grace.setAccessibleName("Banked credits usable after the membership ends")
        self.grace.setToolTip("A cancelled member can still use their banked credits this "
                              "long; then they expire (0: they end with the membership).")
        self.form.addRow("Credits &kept", self.grace)
        self.retail = self._line("&Retail discount (%)", 6, "0")
        self.services = catalog.services(include_retail=False)
        self.benefits = QTableWidget(0, 4)
        self.benefits.setHorizontalHeaderLabels(
            ["Category or service", "% off", "Member price", "Banked each month / cap"])
        self.benefits.setAccessibleName("Member benefits")
        self.benefits.verticalHeader().setVisible(False)
        self.rows: list[tuple[str, object]] = [("category", key) for key in CATEGORIES] + [
            ("service", s) for s in self.services]
        self.benefits.setRowCount(len(self.rows))
        for row, (kind, what) in enumerate(self.rows):
            label = CATEGORIES[what] if kind == "category" else f"  {what.name}"
            item = QTableWidgetItem(label)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.benefits.setItem(row, 0, item)
            for col in (1, 2, 3):
                cell = QTableWidgetItem("")
                if (kind == "category") != (col == 1):
                    cell.setFlags(Qt.ItemFlag.ItemIsEnabled)
                    cell.setBackground(self.palette().window())
                self.benefits.setItem(row, col, cell)
        self.benefits.resizeColumnsToContents()
        self.benefits.horizontalHeader().setStretchLastSection(True)
        self.benefits.setMinimumHeight(220)
        hint = QLabel("A category's percentage applies to its services; a service's member "
                      "price replaces it. Banked credits: e.g. \"20 / 50\" — 20 a month, at "
                      "most 50 kept.")
        hint.setWordWrap(True)
        self.body.addWidget(hint)
        self.body.addWidget(self.benefits, 1)
        if plan is not None:
            self._fill(plan)

    def _fill(self, plan: PlanView) -> None:
        self.name.setText(plan.name)
        self.fee.setText(f"{Decimal(plan.fee_cents) / 100:.2f}")
        self.day.setCurrentIndex(self.day.findData(plan.billing_day))
        self.term.setValue(plan.min_term_months)
        self.notice.setValue(plan.notice_days)
        self.grace.setValue(plan.credit_grace_days)
        self.retail.setText(f"{Decimal(plan.retail_discount_bp) / 100:g}")
        cats, prices = dict(plan.category_discounts_bp), dict(plan.member_prices)
        credits = {c.service_id: c for c in plan.credits}
        for row, (kind, what) in enumerate(self.rows):
            if kind == "category" and what in cats:
                self.benefits.item(row, 1).setText(f"{Decimal(cats[what]) / 100:g}")
            if kind == "service" and what.id in prices:
                self.benefits.item(row, 2).setText(f"{Decimal(prices[what.id]) / 100:.2f}")
            if kind == "service" and what.id in credits:
                c = credits[what.id]
                self.benefits.item(row, 3).setText(
                    f"{c.quantity.normalize():f} / {c.rollover_cap.normalize():f}")

    def plan_input(self) -> PlanInput:
        cats, prices, credits = [], [], []
        for row, (kind, what) in enumerate(self.rows):
            texts = [self.benefits.item(row, col).text().strip() for col in (1, 2, 3)]
            if kind == "category" and texts[0]:
                cats.append((what, _percent_bp(texts[0], f"discount on {CATEGORIES[what]}")))
            if kind == "service" and texts[1]:
                prices.append((what.id, to_cents(texts[1], f"member price of {what.name}")))
            if kind == "service" and texts[2]:
                monthly, _sep, cap = texts[2].partition("/")
                quantity = _quantity(monthly, f"credits of {what.name}")
                credits.append(BankedCredit(what.id, quantity,
                                            _quantity(cap, "cap") if cap.strip() else quantity))
        return PlanInput(self.name.text(), to_cents(self.fee.text() or "0", "monthly fee"),
                         self.day.currentData(), self.term.value(), self.notice.value(),
                         tuple(cats), tuple(prices), tuple(credits),
                         _percent_bp(self.retail.text(), "retail discount"),
                         self.grace.value())

    def submit(self) -> None:
        memberships.save_plan(self.user, self.plan_input(),
                              None if self.plan is None else self.plan.code)


def _day_text(plan: PlanView) -> str:
    return "enrolment day" if not plan.billing_day else f"day {plan.billing_day}"


PLAN_COLUMNS = (
    Column("Plan", lambda p: p.name),
    Column("Monthly fee", lambda p: p.fee_cents, lambda p: show_cents(p.fee_cents),
           align_right=True),
    Column("Billed on", _day_text),
    Column("Term", lambda p: p.min_term_months, lambda p: f"{p.min_term_months} months"),
    Column("Notice", lambda p: p.notice_days, lambda p: f"{p.notice_days} days"),
    Column("Benefits", lambda p: "; ".join(memberships.benefit_lines(p))),
    Column("Version", lambda p: p.version, align_right=True),
)


class PlansPage(QWidget):
    """Clinic setup → Membership plans."""

    def __init__(self, user: User, parent=None) -> None:
        super().__init__(parent)
        self.user = user
        self.model = RowTableModel(PLAN_COLUMNS, parent=self)
        self.table = make_table(self.model, "Membership plans")
        self.table.doubleClicked.connect(lambda _i: self.edit())
        self.message = ErrorLabel()
        self.add_button = QPushButton("&New plan…")
        self.edit_button = QPushButton("&Change…")
        self.retire_button = QPushButton("&Retire")
        self.add_button.clicked.connect(lambda: run_modal(PlanDialog(self.user, None, self)))
        self.edit_button.clicked.connect(lambda: self.edit())
        self.retire_button.clicked.connect(lambda: self.retire())
        bar = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.retire_button):
            bar.addWidget(button)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._buttons())
        on_change(self, ("membership_plan", "catalog"))
        self.refresh()

    def refresh(self) -> None:
        self.model.set_rows(memberships.plans(self.user))
        fit_columns(self.table)
        if self.model.rows():
            self.table.selectRow(0)
        self._buttons()

    def selected(self) -> PlanView | None:
        chosen = self.table.selectionModel().selectedRows()
        return self.model.row_at(chosen[0].row()) if chosen else None

    def _buttons(self) -> None:
        for button in (self.edit_button, self.retire_button):
            button.setEnabled(self.selected() is not None)

    def edit(self) -> None:
        plan = self.selected()
        if plan is not None:
            run_modal(PlanDialog(self.user, plan, self))

    def retire(self) -> None:
        plan = self.selected()
        if plan is not None:
            op(self, lambda: memberships.retire_plan(self.user, plan.code),
               error_label=self.message)


# -- enrolling ---------------------------------------------------------------------------------
class EnrolDialog(QDialog):
    """The agreement for the chosen plan, signed by the patient and the witness."""

    def __init__(self, user: User, patient_id: int, parent=None) -> None:
        super().__init__(parent)
        self.user, self.patient_id = user, patient_id
        self.membership = None
        head = chart.header(user, patient_id, opening=False)
        self.setWindowTitle(f"Membership agreement — {head.name}")
        self.resize(760, 760)
        self.plan = QComboBox()
        self.plan.setAccessibleName("Plan")
        for p in memberships.plans(user):
            self.plan.addItem(f"{p.name} — {show_cents(p.fee_cents)} a month", p)
        self.plan.currentIndexChanged.connect(lambda _i: self._terms())
        self.terms = QLabel()
        self.terms.setWordWrap(True)
        self.terms.setTextFormat(Qt.TextFormat.RichText)
        self.terms.setAccessibleName("Agreement")
        page = QWidget()
        page.setStyleSheet(style.PAGE)
        column = QVBoxLayout(page)
        column.setContentsMargins(*style.PAGE_MARGINS)
        column.addWidget(self.terms)
        self.patient_pad, self.witness_pad = add_signing_pads(
            column, head.name, user.display_name, self._update)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(page)
        scroll.setWidgetResizable(True)
        self.hint = QLabel()
        self.message = ErrorLabel()
        self.enrol_button = QPushButton("&Enrol")
        self.enrol_button.setAutoDefault(False)
        cancel = QPushButton("Cancel")
        cancel.setAutoDefault(False)
        self.enrol_button.clicked.connect(self.enrol)
        cancel.clicked.connect(self.reject)
        top = QHBoxLayout()
        top.addWidget(QLabel("Plan:"))
        top.addWidget(self.plan, 1)
        bar = QHBoxLayout()
        bar.addWidget(self.hint, 1)
        bar.addWidget(cancel)
        bar.addWidget(self.enrol_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.message)
        layout.addLayout(bar)
        self._terms()

    def chosen(self) -> PlanView | None:
        return self.plan.currentData()

    def _terms(self) -> None:
        plan = self.chosen()
        if plan is None:
            self.terms.setText("No membership plans yet: an admin sets them up in File → "
                               "Clinic setup… → Membership plans.")
        else:
            today = dt.date.today()
            day = plan.billing_day or min(today.day, 28)
            self.terms.setText("".join(
                f"<h3>{html.escape(h)}</h3><p>{html.escape(t)}</p>"
                for h, t in memberships.agreement_terms(plan, day, today)))
        self._update()

    def missing(self) -> str:
        if self.chosen() is None:
            return "Choose a plan."
        if self.patient_pad.is_empty():
            return "The patient signs in the box."
        if self.witness_pad.is_empty():
            return f"{self.user.display_name} signs as witness."
        return ""

    def _update(self) -> None:
        missing = self.missing()
        self.hint.setText(missing or "Ready: enrolling issues the first month's dues.")
        self.enrol_button.setEnabled(not missing)

    def enrol(self) -> None:
        if self.missing():
            return
        data = memberships.EnrolInput(self.patient_id, self.chosen().id,
                                      self.patient_pad.to_png(), self.witness_pad.to_png())
        done = op(self, lambda: enrol_member(self.user, data), error_label=self.message)
        if done:
            self.membership = done.value
            self.accept()


class FreezeDialog(FormDialog):
    def __init__(self, user: User, membership_id: int, parent=None) -> None:
        super().__init__("Freeze the membership", parent)
        self.user, self.membership_id = user, membership_id
        self.first = QDateEdit()
        self.first.setDisplayFormat("MMMM yyyy")
        self.first.setCalendarPopup(False)
        self.first.setAccessibleName("First month")
        next_month = memberships.add_months(memberships.month_of(dt.date.today()), 1)
        self.first.setDate(QDate(next_month.year, next_month.month, 1))
        self.form.addRow("&From", self.first)
        self.months = QSpinBox()
        self.months.setRange(1, memberships.MAX_FREEZE_MONTHS)
        self.months.setSuffix(" month(s)")
        self.months.setAccessibleName("Months")
        self.form.addRow("&For", self.months)
        self.reason = self._line("&Reason", 200, "travelling")

    def submit(self) -> None:
        memberships.freeze(self.user, self.membership_id, self.first.date().toPython(),
                           self.months.value(), self.reason.text())


# -- the chart's Account tab -------------------------------------------------------------------
class MembershipBox(QWidget):
    """The patient's membership: its state, and what the desk can do with it."""

    def __init__(self, user: User, patient_id: int, parent=None) -> None:
        super().__init__(parent)
        self.user, self.patient_id = user, patient_id
        self.current = None
        self.state = QLabel()
        self.state.setAccessibleName("Membership")
        self.state.setWordWrap(True)
        self.message = ErrorLabel()
        self.enrol_button = QPushButton("&Enrol…")
        self.freeze_button = QPushButton("&Freeze…")
        self.cancel_button = QPushButton("Ca&ncel membership…")
        self.reactivate_button = QPushButton("Reac&tivate")
        self.agreement_button = QPushButton("A&greement")
        self.enrol_button.clicked.connect(self.enrol)
        self.freeze_button.clicked.connect(self.freeze)
        self.cancel_button.clicked.connect(self.cancel)
        self.reactivate_button.clicked.connect(self.reactivate)
        self.agreement_button.clicked.connect(self.agreement)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.state, 1)
        for button in (self.enrol_button, self.freeze_button, self.cancel_button,
                       self.reactivate_button, self.agreement_button):
            row.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.message)
        on_change(self, ("membership", "membership_plan", "invoice"))
        self.refresh()

    def refresh(self) -> None:
        views = memberships.patient_memberships(self.user, self.patient_id)
        self.latest = views[0] if views else None
        m = self.latest
        if m is None:
            self.state.setText("Not a member.")
        else:
            credits = ", ".join(f"{Decimal(q) / 100:g} × {name}" for _s, name, q in m.credits)
            text = (f"<b>Member: {html.escape(m.plan.name)}</b> (since "
                    f"{m.started_on:%d %b %Y}, {show_cents(m.plan.fee_cents)} a month on day "
                    f"{m.billing_day}) — {html.escape(m.state_words)}")
            if credits:
                until = m.credits_expire_on
                text += f"<br>Banked: {html.escape(credits)}" + (
                    f" (usable until {until - dt.timedelta(days=1):%d %b %Y})" if until else "")
            if m.expired:
                text += "<br>Banked credits expired: " + html.escape(", ".join(
                    f"{Decimal(q) / 100:g} × {name} on {day:%d %b %Y}"
                    for day, name, q in m.expired))
            if m.overdue_cents:
                text += f"<br><b>Dues unpaid: {show_cents(m.overdue_cents)}</b>"
            self.state.setText(text)
        state = m.state if m else "cancelled"
        self.enrol_button.setVisible(state == "cancelled")
        self.freeze_button.setVisible(state in ("active", "cancelling"))
        self.cancel_button.setVisible(state in ("active", "frozen"))
        self.reactivate_button.setVisible(m is not None and state != "active")
        self.agreement_button.setVisible(m is not None)

    def enrol(self) -> None:
        run_modal(EnrolDialog(self.user, self.patient_id, self))

    def freeze(self) -> None:
        run_modal(FreezeDialog(self.user, self.latest.id, self))

    def cancel(self) -> None:
        m = self.latest
        with_reason(self, "Cancel the membership",
                    f"Why is the membership cancelled? With {m.plan.notice_days} days' notice "
                    f"and a minimum term of {m.plan.min_term_months} months, the dues falling "
                    "due before it takes effect are still issued.",
                    lambda reason: memberships.cancel(self.user, m.id, reason))

    def reactivate(self) -> None:
        op(self, lambda: memberships.reactivate(self.user, self.latest.id),
           error_label=self.message)

    def agreement(self) -> None:
        from ..widgets.pdf_preview import preview_document

        m = self.latest
        preview_document(lambda: memberships.agreement_pdf(self.user, m.id),
                         "Membership agreement", f"membership-agreement-{m.id}.pdf", self)


# -- Billing → Overdue dues --------------------------------------------------------------------
OVERDUE_COLUMNS = (
    Column("Patient", lambda o: o.patient),
    Column("Month", lambda o: o.month, lambda o: f"{o.month:%B %Y}"),
    Column("Invoice", lambda o: o.number, align_right=True),
    Column("Due", lambda o: o.balance_cents, lambda o: show_cents(o.balance_cents),
           align_right=True),
    Column("Days", lambda o: o.days, align_right=True),
)


class OverdueDuesDialog(QDialog):
    """Members' dues invoices not yet paid, oldest first; a double-click opens the payments."""

    def __init__(self, user: User, parent=None) -> None:
        super().__init__(parent)
        self.user = user
        self.setWindowTitle("Overdue membership dues")
        self.resize(720, 460)
        self.model = RowTableModel(OVERDUE_COLUMNS, parent=self)
        self.table = make_table(self.model, "Overdue dues")
        self.table.activated.connect(lambda index: self.open_payments(index.row()))
        self.total = QLabel()
        close = QPushButton("Close")
        close.clicked.connect(self.accept)
        bar = QHBoxLayout()
        bar.addWidget(self.total, 1)
        bar.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(bar)
        on_change(self, ("invoice", "membership"))
        self.refresh()

    def refresh(self) -> None:
        rows = memberships.overdue_dues(self.user)
        self.model.set_rows(rows)
        fit_columns(self.table)
        self.total.setText(f"{len(rows)} unpaid, {show_cents(sum(r.balance_cents for r in rows))}"
                           if rows else "No dues are unpaid.")

    def open_payments(self, row: int) -> None:
        from .tab import PaymentsDialog  # the Billing tab opens this dialog

        run_modal(PaymentsDialog(self.user, self.model.row_at(row).invoice_id, self))
