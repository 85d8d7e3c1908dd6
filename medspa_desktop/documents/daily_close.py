"""The daily close on paper: sales by category, provider and payment method, tax, tips,
refunds, voids, and the cash drawer (expected, counted, difference)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table, TableStyle

from ..services.money import show_cents
from .styles import Letterhead, build_pdf, para, styles, usable_width

if TYPE_CHECKING:
    from ..services.billing_reports import DailyClose

GRID = colors.HexColor("#bbbbbb")
SHADE = colors.HexColor("#ececec")


def _block(title: str, rows: list[tuple[str, str]], st, width: float) -> list:
    data = [[para(title, st["bold"]), para("", st["body"])]]
    data += [[para(label, st["body"]), para(value, st["right"])] for label, value in rows] or [
        [para("None", st["body"]), para("", st["body"])]]
    table = Table(data, colWidths=[width - 32 * mm, 32 * mm])
    table.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, 0), SHADE), ("SPAN", (0, 0), (1, 0)),
                               ("LINEBELOW", (0, 0), (-1, -1), 0.3, GRID)]))
    return [table, Spacer(1, 4 * mm)]


def render_daily_close(close: DailyClose, letterhead: Letterhead, printed_at: dt.datetime,
                       page_size: str = "letter") -> bytes:
    st = styles()
    width = usable_width(page_size) / 2 - 4 * mm
    money = show_cents
    left = [  # each column a list of flowables (KeepTogether cannot go in a table cell)
        *_block("Sales by category", [(k, money(v)) for k, v in close.by_category], st, width),
        *_block("Sales by provider", [(k, money(v)) for k, v in close.by_provider], st, width),
        *_block("Totals", [("Invoices", str(close.invoices)), ("Sales", money(close.sales_cents)),
                          ("Tax collected", money(close.tax_cents)),
                          ("Tips", money(close.tips_cents))]
                + ([("Gift cards sold (not sales)", money(close.gift_cards_sold_cents))]
                   if close.gift_cards_sold_cents else []), st, width),
    ]
    drawer = [("Cash expected", money(close.cash_expected_cents))]
    if close.cash_counted_cents is not None:
        drawer += [("Cash counted", money(close.cash_counted_cents)),
                   ("Difference", money(close.cash_difference_cents))]
    right = [
        *_block("Payments by method (less refunds)",
               [(k, money(v)) for k, v in close.by_method], st, width),
        *_block("Refunds", [(f"Invoice {n}, {m}: {reason}", money(-c))
                           for n, m, c, reason in close.refunds], st, width),
        *_block("Voids", [(f"Invoice {n}: {reason}", money(total))
                         for n, total, reason in close.voids], st, width),
        *_block("Cash drawer", drawer, st, width),
    ]
    columns = Table([[left, right]], colWidths=[width + 8 * mm, width],
                    style=[("VALIGN", (0, 0), (-1, -1), "TOP"),
                           ("LEFTPADDING", (0, 0), (-1, -1), 0)])
    story = [para(f"Daily close {close.day:%A %d %B %Y}", st["title"]), Spacer(1, 4 * mm),
             columns]
    return build_pdf(story, letterhead=letterhead, page_size=page_size,
                     title=f"Daily close {close.day:%Y-%m-%d}", heading="Daily close",
                     printed_at=printed_at, printed_by=close.printed_by)
