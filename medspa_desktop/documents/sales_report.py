"""The sales report on paper: the daily close's sections (sales by category, provider and
payment method, tax, tips, credit on account, refunds, voids; no cash drawer) for a period,
the memberships (members at its end, MRR, new and cancelled), then a row per day with its
invoices, net sales and payments less refunds."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table, TableStyle

from ..services.billing.money import show_cents
from .daily_close import takings_sections
from .styles import GRID, SHADE, Letterhead, build_pdf, para, styles, usable_width

if TYPE_CHECKING:
    from ..services.billing.billing_reports import SalesReport
    from ..services.reports.memberships import Members


def period_text(date_from: dt.date, date_to: dt.date) -> str:
    """ "1–30 November 2026", "15 October – 14 November 2026", "20 December 2025 –
    19 January 2026", or one day: "3 November 2026"."""
    end = f"{date_to.day} {date_to:%B %Y}"
    if date_from == date_to:
        return end
    if (date_from.year, date_from.month) == (date_to.year, date_to.month):
        return f"{date_from.day}–{end}"
    if date_from.year == date_to.year:
        return f"{date_from.day} {date_from:%B} – {end}"
    return f"{date_from.day} {date_from:%B %Y} – {end}"


def _days_table(report: SalesReport, st, width: float) -> Table:
    money = show_cents
    heads = ("Day", "Invoices", "Net sales", "Payments less refunds")
    data = [[para(heads[0], st["bold"])] + [para(h, st["bold_right"]) for h in heads[1:]]]
    for d in report.days:
        data.append([para(f"{d.day:%a} {d.day.day} {d.day:%b %Y}", st["body"]),
                     para(f"{d.invoices:,}", st["right"]),
                     para(money(d.sales_cents), st["right"]),
                     para(money(d.payments_cents), st["right"])])
    data.append([para("Total", st["bold"]),
                 para(f"{sum(d.invoices for d in report.days):,}", st["bold_right"]),
                 para(money(sum(d.sales_cents for d in report.days)), st["bold_right"]),
                 para(money(sum(d.payments_cents for d in report.days)), st["bold_right"])])
    day = 40 * mm
    amount = (width - day) / 3
    table = Table(data, colWidths=[day, amount, amount, amount], repeatRows=1)
    table.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, 0), SHADE),
                               ("LINEBELOW", (0, 0), (-1, -1), 0.3, GRID),
                               ("LINEABOVE", (0, -1), (-1, -1), 0.8, GRID)]))
    return table


def members_rows(members: Members) -> list[tuple[str, str]]:
    """The memberships block: members at the period's end, the MRR, who came and went, the
    dues (already in the sales, as "Memberships")."""
    return [("Active members at the end", f"{members.active:,}"),
            ("Frozen (no dues)", f"{members.frozen:,}"),
            ("MRR at the end (their fees)", show_cents(members.mrr_cents)),
            ("New in the period", f"{members.new:,}"),
            ("Cancelled in the period", f"{members.cancelled:,}"),
            ("Dues invoiced (in the sales)", show_cents(members.dues_invoiced_cents)),
            ("Dues collected", show_cents(members.dues_collected_cents))]


def render_sales_report(report: SalesReport, letterhead: Letterhead, printed_at: dt.datetime,
                        paper: str = "letter", members: Members | None = None) -> bytes:
    """``members``: the memberships figures of the period, when the clinic has had members."""
    st = styles()
    st["bold_right"] = st["right"].clone("bold_right", fontName=st["bold"].fontName)
    period = period_text(report.date_from, report.date_to)
    more = [("Memberships", members_rows(members))] if members is not None else []
    story = [para(f"Sales report, {period}", st["title"]), Spacer(1, 4 * mm),
             *takings_sections(report, st, paper, more),
             para("Day by day", st["heading"].clone("days_heading", keepWithNext=1)),
             _days_table(report, st, usable_width(paper))]
    return build_pdf(story, letterhead=letterhead, page_size=paper,
                     title=f"Sales report {report.date_from:%Y-%m-%d}..{report.date_to:%Y-%m-%d}",
                     heading="Sales report", printed_at=printed_at,
                     printed_by=report.printed_by)
