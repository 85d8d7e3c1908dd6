"""The Staff pay page of the Reports tab (``services/reports/staff_pay.py`` drawn): per
provider, the services performed, net sales, tips and commission by the clinic's rule; the
pay statements to print (a page per provider); and, for the admin, the commission rates."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QLabel, QLineEdit, QPushButton, QWidget

from ...services.billing.money import show_basis_points, show_cents, to_basis_points
from ...services.platform.permissions import allowed
from ...services.reports import staff_pay as sp
from ...services.reports.period import Period
from ...services.reports.shapes import Chart, Series, Shown, Table
from ...store.models import User
from ..ops import op
from ..widgets.form_dialog import FormDialog
from ..widgets.modal import run_modal
from .page import ReportPage

COUNTING = ("Net sales are after discounts and before tax, counted as the daily close counts "
            "them: on the day an invoice was issued, off again on the day it was voided. "
            "Commission is the clinic's rate for each category on those net sales (the rates "
            "set now, for any period).")
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
        set_rates = [f"{sp.label(k)} {show_basis_points(bp)}" for k, bp in pay.rates.items()
                     if bp]
        headline = ("Commission rates: " + (", ".join(set_rates) if set_rates else
                                            "none set yet (Commission rates…)") + ".")
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


class CommissionDialog(FormDialog):
    """The clinic's commission rule: a percentage of net sales per category."""

    def __init__(self, user: User, parent: QWidget | None = None) -> None:
        super().__init__("Commission rates", parent, min_width=420)
        self.user = user
        intro = QLabel("Each provider earns this share of the net sales (after discounts, "
                       "before tax) they make in each category. Leave 0 for no commission.")
        intro.setWordWrap(True)
        self.body.insertWidget(0, intro)
        self.fields: dict[str, QLineEdit] = {}
        for key, bp in sp.rates().items():
            edit = QLineEdit(show_basis_points(bp))
            edit.setMaxLength(7)
            edit.setAccessibleName(f"Commission on {sp.label(key)}")
            self.form.addRow(sp.label(key), edit)
            self.fields[key] = edit

    def submit(self) -> None:
        rates = {key: to_basis_points(edit.text(), f"commission on {sp.label(key).lower()}")
                 for key, edit in self.fields.items()}
        sp.set_rates(self.user, rates)


PAGES = [PayPage()]
