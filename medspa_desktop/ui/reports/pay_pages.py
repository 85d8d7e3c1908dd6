"""The Staff pay page of the Reports tab (``services/reports/staff_pay.py`` drawn): per
provider, the services performed, net sales, tips and commission by the clinic's rule (the
rates in force on each sale's day, named on the page with their dates); the pay statements to
print (a page per provider); and, for the admin, the commission rates from a start date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QDateEdit,
    QFileDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from ...services.billing.money import show_basis_points, show_cents, to_basis_points
from ...services.platform.permissions import allowed
from ...services.reports import staff_pay as sp
from ...services.reports.period import Period
from ...services.reports.shapes import Chart, Series, Shown, Table
from ...store.models import User
from .. import style
from ..ops import op
from ..widgets.form_dialog import FormDialog
from ..widgets.modal import run_modal
from .page import ReportPage

COUNTING = ("Net sales are after discounts and before tax, counted as the daily close counts "
            "them: on the day an invoice was issued, off again on the day it was voided. "
            "Commission is the rate for each category in force on the day of each sale (a "
            "void takes back at its sale's rate), on those net sales.")
NBSP = "\u00a0"  # a date range's dates stay whole on a wrapped line
EMPTY = ("No sales by any provider in this period. Sales appear here once visits are checked "
         "out (Billing tab).")


class PayPage(ReportPage):
    key = "pay.providers"
    group = "Staff pay"
    title = "Commission and tips"

    def build(self, actor, period: Period, compare: bool):
        now = sp.staff_pay(actor, period.first, period.last, report=f"Staff pay: {self.title}")
        before = period.previous() if compare else None
        return now, before, before and sp.staff_pay(actor, before.first, before.last)

    def shown(self, figures) -> Shown:
        pay, before_period, before = figures
        providers = pay.providers
        chart = Chart(tuple(p.provider for p in providers),
                      (Series("Commission", tuple(p.commission_cents for p in providers)),
                       Series("Tips", tuple(p.tips_cents for p in providers))),
                      "money", stacked=True, horizontal=True, empty=EMPTY)
        heads = ("Provider", "Services", "Net sales", "Tips", "Commission",
                 "Commission and tips")
        rows = [(p.provider, f"{p.services:,}", show_cents(p.net_cents),
                 show_cents(p.tips_cents), show_cents(p.commission_cents),
                 show_cents(p.commission_cents + p.tips_cents)) for p in providers]
        total = (("Total", f"{sum(p.services for p in providers):,}",
                  show_cents(sum(p.net_cents for p in providers)),
                  show_cents(sum(p.tips_cents for p in providers)),
                  show_cents(sum(p.commission_cents for p in providers)),
                  show_cents(sum(p.commission_cents + p.tips_cents for p in providers)))
                 if providers else None)
        if before is not None:
            heads += ("Previous period",)
            earlier = {p.provider_id: p.commission_cents + p.tips_cents
                       for p in before.providers}
            rows = [row + (show_cents(earlier.get(p.provider_id, 0)),)
                    for row, p in zip(rows, providers, strict=True)]
            if total:
                total += (show_cents(sum(earlier.values())),)
        headline = rates_text(pay)
        if before_period:
            headline += (f" Previous period ({before_period.first:%-d %b %Y} – "
                         f"{before_period.last:%-d %b %Y}): commission and tips "
                         + show_cents(sum(p.commission_cents + p.tips_cents
                                          for p in before.providers)) + ".")
        return Shown(headline, chart, Table(heads, tuple(rows), tuple(range(1, len(heads))),
                                            total), (COUNTING,))

    def extra_buttons(self, tab) -> list[QPushButton]:
        statements = QPushButton("Pay &statements…")
        statements.setToolTip("Every provider's pay statement for the period, a page each, "
                              "to print")
        statements.clicked.connect(lambda: export_statements(tab))
        buttons = [statements]
        if allowed(tab.user, "commission.write"):
            rates = QPushButton("Commission &rates…")
            rates.clicked.connect(lambda: run_modal(CommissionDialog(tab.user, tab)))
            buttons.append(rates)
        return buttons


def export_statements(tab, path: str | None = None) -> Path | None:
    """Save the pay statements of the tab's period (asked where, unless ``path``)."""
    period = tab.period
    if path is None:
        path, _ = QFileDialog.getSaveFileName(
            tab, "Pay statements", f"pay-statements-{period.first:%Y%m%d}-{period.last:%Y%m%d}"
                                   ".pdf", "PDF files (*.pdf)")
        if not path:
            return None

    def make() -> bytes:
        from ...printouts import staff_statement_pdf  # reportlab loads with the first PDF

        return staff_statement_pdf(tab.user, period.first, period.last, everyone=True)

    done = op(tab, make, title="Not exported")
    if not done:
        return None
    target = Path(path)
    target.write_bytes(done.value)
    tab.status_message.emit(f"Saved {target.name}.")
    return target


def rates_text(pay: sp.StaffPay) -> str:
    """"Commission rates: Neurotoxin 10% (from 1 Mar 2026)." — the rates that applied in the
    period, each with its dates."""
    if not pay.versions and not pay.earlier:
        return "Commission rates: none set for this period (Commission rates…)."
    return "Commission rates: " + "; then ".join(
        f"{words} ({dates.replace(' ', NBSP)})" for dates, words in pay.rate_lines()) + "."


class CommissionDialog(FormDialog):
    """The clinic's commission rule from a start date: a percentage of net sales per
    category. The fields show the rates in force on the start date; a field the user has
    not typed in follows the date when it changes."""

    def __init__(self, user: User, parent: QWidget | None = None) -> None:
        super().__init__("Commission rates", parent, min_width=460)
        self.user = user
        intro = QLabel("Each provider earns this share of the net sales (after discounts, "
                       "before tax) they make in each category, on the sales from the start "
                       "date on. Leave 0 for no commission.")
        intro.setWordWrap(True)
        self.body.insertWidget(0, intro)
        self.versions = sp.versions()
        self.starts = QDateEdit(QDate.currentDate())
        self.starts.setCalendarPopup(True)
        self.starts.setDisplayFormat("d MMM yyyy")
        self.starts.setAccessibleName("Start date")
        if not allowed(user, "commission.backdate"):
            self.starts.setMinimumDate(QDate.currentDate())
        self.starts.setMaximumDate(QDate.currentDate().addDays(sp.MAX_DAYS_AHEAD))
        self.form.addRow("&Start date", self.starts)
        self.fields: dict[str, QLineEdit] = {}
        self.typed: set[str] = set()
        for key, bp in sp.rates().items():
            edit = QLineEdit(show_basis_points(bp))
            edit.setMaxLength(7)
            edit.setAccessibleName(f"Commission on {sp.label(key)}")
            edit.textEdited.connect(lambda _text, key=key: self.typed.add(key))
            self.form.addRow(sp.label(key), edit)
            self.fields[key] = edit
        self.effect = QLabel()
        self.effect.setWordWrap(True)
        self.effect.setStyleSheet(style.NOTICE_STRIP)
        self.body.addWidget(self.effect)
        self.history = QLabel(self._history())
        self.history.setWordWrap(True)
        self.history.setStyleSheet(style.QUIET_LINE)
        self.body.addWidget(self.history)
        self.starts.dateChanged.connect(lambda _d: self._date_changed())
        self._date_changed()

    def start_date(self) -> dt.date:
        return self.starts.date().toPython()

    def _history(self) -> str:
        if not self.versions:
            return "No rates set yet: until the first, no commission is paid."
        recent = list(reversed(self.versions))[:4]
        return "Rates so far (newest first): " + "; ".join(
            f"{v.dates()}: {v.words()}" + (f" (set by {v.set_by})" if v.set_by else "")
            for v in recent) + ("; …" if len(self.versions) > 4 else "") + "."

    def _date_changed(self) -> None:
        """Untyped fields show the rates in force on the new date; the line under the form
        says what the change will touch."""
        day = self.start_date()
        in_force = sp.rates(day)
        for key, edit in self.fields.items():
            if key not in self.typed:
                edit.setText(show_basis_points(in_force[key]))
        today = dt.date.today()
        later = next((v for v in self.versions if v.effective_on > day), None)
        words = []
        if day < today:
            words.append(f"The sales from {day:%-d %b %Y} on will be paid at these rates: "
                         "pay statements already printed for those days will differ.")
        if later is not None:
            words.append(f"The rates set from {later.effective_on:%-d %b %Y} stay; these "
                         f"apply until {later.effective_on - dt.timedelta(days=1):%-d %b %Y}.")
        self.effect.setText(" ".join(words))
        self.effect.setVisible(bool(words))

    def submit(self) -> None:
        rates = {key: to_basis_points(edit.text(), f"commission on {sp.label(key).lower()}")
                 for key, edit in self.fields.items()}
        sp.set_rates(self.user, rates, self.start_date())


PAGES = [PayPage()]
