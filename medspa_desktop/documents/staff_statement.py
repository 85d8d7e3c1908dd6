"""A provider's pay statement for a period, on the clinic's letterhead: the commission rates in
force over the period with their dates, the net sales per category and rate with what the
rate gives (a category whose rate changed in the period has a line per rate), the services
performed, the tips, and commission and tips together. One page per provider when several
are printed at once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Spacer, Table, TableStyle

from ..services.billing.money import show_basis_points, show_cents
from .daily_close import block
from .sales_report import period_text
from .styles import GRID, SHADE, Letterhead, build_pdf, para, styles, usable_width

if TYPE_CHECKING:
    from ..services.reports.staff_pay import ProviderPay

HOW = ("Net sales are after discounts and before tax, counted as the daily close counts them: "
       "an invoice on the day it was issued, and off again on the day it was voided. Gift "
       "cards sold are not sales. Commission is the rate for each category in force on the day "
       "of each sale (the rates above), on those net sales; a void takes back at the rate of "
       "its sale's day. Each line is rounded to the cent.")


@dataclass(frozen=True)
class Statement:
    letterhead: Letterhead
    date_from: dt.date
    date_to: dt.date
    providers: tuple[ProviderPay, ...]
    printed_at: dt.datetime
    printed_by: str
    paper: str = "letter"
    rates: tuple[tuple[str, str], ...] = ()  # (dates, rates) in words: StaffPay.rate_lines


def _categories(pay: ProviderPay, st, width: float) -> Table:
    heads = ("Category", "Services", "Net sales", "Rate", "Commission")
    data = [[para(heads[0], st["bold"])] + [para(h, st["bold_right"]) for h in heads[1:]]]
    for c in pay.categories:
        data.append([para(c.label, st["body"]), para(f"{c.services:,}", st["right"]),
                     para(show_cents(c.net_cents), st["right"]),
                     para(show_basis_points(c.rate_bp), st["right"]),
                     para(show_cents(c.commission_cents), st["right"])])
    data.append([para("Total", st["bold"]), para(f"{pay.services:,}", st["bold_right"]),
                 para(show_cents(pay.net_cents), st["bold_right"]), para("", st["body"]),
                 para(show_cents(pay.commission_cents), st["bold_right"])])
    figure = 26 * mm
    table = Table(data, colWidths=[width - 4 * figure, figure, figure, figure, figure],
                  repeatRows=1)
    table.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, 0), SHADE),
                               ("LINEBELOW", (0, 0), (-1, -1), 0.3, GRID),
                               ("LINEABOVE", (0, -1), (-1, -1), 0.8, GRID)]))
    return table


def _rates(statement: Statement, st, width: float) -> list:
    """The rates that applied, each with its dates (``StaffPay.rate_lines``)."""
    rows = list(statement.rates) or [("", "No commission rates were set for this period.")]
    data = [[para("Rates in force", st["bold"]), para("", st["body"])]]
    data += [[para(dates, st["body"]), para(words, st["body"])] for dates, words in rows]
    dates_width = 52 * mm
    table = Table(data, colWidths=[dates_width, width - dates_width], repeatRows=1)
    table.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, 0), SHADE), ("SPAN", (0, 0), (1, 0)),
                               ("LINEBELOW", (0, 0), (-1, -1), 0.3, GRID)]))
    return [table, Spacer(1, 4 * mm)]


def render_staff_statement(statement: Statement) -> bytes:
    st = styles()
    st["bold_right"] = st["right"].clone("bold_right", fontName=st["bold"].fontName)
    width = usable_width(statement.paper)
    period = period_text(statement.date_from, statement.date_to)
    story: list = []
    for n, pay in enumerate(statement.providers):
        if n:
            story.append(PageBreak())
        summary = block("Summary", [
            ("Services performed", f"{pay.services:,}"),
            ("Net sales", show_cents(pay.net_cents)),
            ("Commission", show_cents(pay.commission_cents)),
            ("Tips", show_cents(pay.tips_cents)),
            ("Commission and tips", show_cents(pay.commission_cents + pay.tips_cents)),
        ], st, width / 2)
        summary[0].hAlign = "LEFT"
        story += [para(f"Pay statement: {pay.provider}", st["title"]),
                  para(period, st["heading"]), Spacer(1, 4 * mm),
                  *_rates(statement, st, width), _categories(pay, st, width),
                  Spacer(1, 6 * mm), *summary,
                  para(HOW, st["small"])]
    if not statement.providers:
        story = [para("Pay statement", st["title"]), para(period, st["heading"]),
                 para("No sales by any provider in this period.", st["body"]),
                 Spacer(1, 4 * mm), *_rates(statement, st, width)]
    return build_pdf(story, letterhead=statement.letterhead, page_size=statement.paper,
                     title=f"Pay statement {statement.date_from:%Y-%m-%d}.."
                           f"{statement.date_to:%Y-%m-%d}",
                     heading="Pay statement", printed_at=statement.printed_at,
                     printed_by=statement.printed_by)
