"""The daily close on paper: sales by category (a member's dues under "Memberships"),
provider and payment method, tax, tips, refunds, voids, credit on account given, used and held
(not sales), and the cash drawer (expected, counted, difference); and the head of the audit
chain when it was printed — an anchor on paper, outside the database, that
``medspa-desktop check --anchor ID:HASH`` compares the chain with
(services/platform/audit_anchor.py).

``takings_sections`` draws the sections the daily close shares with the sales report
(documents/sales_report.py): each report adds what is its own (the drawer; a row per day)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer, Table, TableStyle

from ..services.billing.money import show_cents
from .styles import GRID, SHADE, Letterhead, build_pdf, para, styles, usable_width

if TYPE_CHECKING:
    from reportlab.lib.styles import ParagraphStyle

    from ..services.billing.billing_reports import DailyClose, Takings
    from ..services.platform.audit_anchor import Head

AMOUNT_WIDTH = 32 * mm


def block(title: str, rows: list[tuple[str, str]], st: dict[str, ParagraphStyle],
          width: float) -> list:
    """A titled list of (label, amount) rows ("None" when empty), then a gap. Split across
    pages, the title comes again on the next."""
    data = [[para(title, st["bold"]), para("", st["body"])]]
    data += [[para(label, st["body"]), para(value, st["right"])] for label, value in rows] or [
        [para("None", st["body"]), para("", st["body"])]]
    table = Table(data, colWidths=[width - AMOUNT_WIDTH, AMOUNT_WIDTH], repeatRows=1)
    table.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, 0), SHADE), ("SPAN", (0, 0), (1, 0)),
                               ("LINEBELOW", (0, 0), (-1, -1), 0.3, GRID)]))
    return [table, Spacer(1, 4 * mm)]


def takings_sections(report: Takings, st: dict[str, ParagraphStyle],
                     page_size: str, more_right: list[tuple[str, list[tuple[str, str]]]] = ()
                     ) -> list:
    """The sections both reports share. In two columns: sales by category and by provider
    and the totals on the left; payments by method on the right, followed by ``more_right``
    ((title, rows) blocks). Then refunds and voids across the page: a month may have many,
    and a long list goes on over the next pages (nothing in a column may be taller than a
    page, and a reason reads better on one line)."""
    full = usable_width(page_size)
    width = full / 2 - 4 * mm
    money = show_cents
    left = [  # each column a list of flowables (KeepTogether cannot go in a table cell)
        *block("Sales by category", [(k, money(v)) for k, v in report.by_category], st, width),
        *block("Sales by provider", [(k, money(v)) for k, v in report.by_provider], st, width),
        *block("Totals", [("Invoices", f"{report.invoices:,}"),
                          ("Sales", money(report.sales_cents)),
                          ("Tax collected", money(report.tax_cents)),
                          ("Tips", money(report.tips_cents))]
               + ([("Gift cards sold (not sales)", money(report.gift_cards_sold_cents))]
                  if report.gift_cards_sold_cents else []), st, width),
    ]
    right = block("Payments by method (less refunds)",
                  [(k, money(v)) for k, v in report.by_method], st, width)
    credit = (report.credit_issued_cents, report.credit_used_cents, report.credit_held_cents)
    if any(credit) or report.credit_paid_out:  # held for patients: a liability, not sales
        rows = list(zip(("Given", "Used to pay invoices", "Held by all patients at the end"),
                        map(money, credit), strict=True))
        # paid back to patients: money out (the cash out of the drawer)
        rows[2:2] = [(f"Paid out: {method.lower()}", money(cents))
                     for method, cents in report.credit_paid_out]
        right += block("Credit on account (not sales)", rows, st, width)
    for title, rows in more_right:
        right += block(title, rows, st, width)
    columns = Table([[left, right]], colWidths=[width + 8 * mm, width], splitInRow=1,
                    style=[("VALIGN", (0, 0), (-1, -1), "TOP"),
                           ("LEFTPADDING", (0, 0), (-1, -1), 0)])
    return [
        columns,
        *block("Refunds", [(f"Invoice {n}, {m}: {reason}", money(-c))
                           for n, m, c, reason in report.refunds], st, full),
        *block("Voids", [(f"Invoice {n}: {reason}", money(total))
                         for n, total, reason in report.voids], st, full),
    ]


def audit_head_block(head: Head, st: dict[str, ParagraphStyle], width: float) -> list:
    """The chain's head, whole, with the command that compares a chain with it later."""
    rows = [[para("Audit log when this close was printed", st["bold"])],
            [para(f"Last event {head.last_id:,} ({head.count:,} events), SHA-256:",
                  st["small"])],
            [para(head.hash, st["small"])],
            [para(f"To compare the log with it later: medspa-desktop check --anchor "
                  f"{head.last_id}:<the SHA-256 above>", st["small"])]]
    table = Table(rows, colWidths=[width])
    table.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, 0), SHADE),
                               ("BOX", (0, 0), (-1, -1), 0.3, GRID)]))
    return [KeepTogether([table])]


def render_daily_close(close: DailyClose, letterhead: Letterhead, printed_at: dt.datetime,
                       page_size: str = "letter", audit_head: Head | None = None) -> bytes:
    st = styles()
    money = show_cents
    drawer = [("Cash expected", money(close.cash_expected_cents))]
    if close.cash_counted_cents is not None:
        drawer += [("Cash counted", money(close.cash_counted_cents)),
                   ("Difference", money(close.cash_difference_cents))]
    story = [para(f"Daily close {close.day:%A %d %B %Y}", st["title"]), Spacer(1, 4 * mm),
             *takings_sections(close, st, page_size, [("Cash drawer", drawer)])]
    if audit_head is not None and audit_head.last_id:
        story += audit_head_block(audit_head, st, usable_width(page_size))
    return build_pdf(story, letterhead=letterhead, page_size=page_size,
                     title=f"Daily close {close.day:%Y-%m-%d}", heading="Daily close",
                     printed_at=printed_at, printed_by=close.printed_by)
