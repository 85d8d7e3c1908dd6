"""The invoice (or receipt): the clinic's letterhead and tax id, the patient and provider,
every line with its quantity, price, amount, discount (its own and its share of the invoice's)
and tax rate, the totals, the payments and refunds, and the balance; a void invoice says so
across the page, with its reason. The amounts column adds up to the subtotal."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

from ..services.billing.money import show_cents
from .styles import FONT_BOLD, GRID, SHADE, Letterhead, Ours, build_pdf, para, styles

if TYPE_CHECKING:  # plain data made by services/billing/invoices
    from ..services.billing.invoices import InvoiceView

CATEGORY = {"services": "Services tax", "retail": "Retail tax", "exempt": "Not taxed"}


money = show_cents


def _rate(bp: int) -> str:
    return f"{bp / 100:g} %"


class VoidStamp(Flowable):
    """VOID across the top of the page."""

    def wrap(self, avail_width, avail_height):
        self.width = avail_width
        return avail_width, 0

    def draw(self) -> None:
        c = self.canv
        c.saveState()
        c.setFillColor(colors.Color(0.7, 0.1, 0.1, alpha=0.25))
        c.setFont(FONT_BOLD, 90)
        c.translate(self.width / 2, -120)
        c.rotate(25)
        c.drawCentredString(0, 0, "VOID")
        c.restoreState()


def render_invoice(view: InvoiceView, letterhead: Letterhead, printed_at: dt.datetime,
                   printed_by: str, page_size: str = "letter", receipt: bool = False) -> bytes:
    st = styles()
    kind = "Receipt" if receipt else "Invoice"
    story: list = []
    if view.status == "void":
        story.append(VoidStamp())
    story.append(para(f"{kind} {view.number}", st["title"]))
    head = [[para("Date", st["bold"]), para(f"{view.issued_at:%Y-%m-%d %H:%M}", st["body"]),
             para("Patient", st["bold"]),
             para((view.patient, Ours(f" (chart {view.chart_number})")), st["body"])],
            [para("Tax id", st["bold"]), para(letterhead.tax_id or "—", st["body"]),
             para("Provider", st["bold"]), para(view.provider or "—", st["body"])]]
    story += [Spacer(1, 2 * mm), Table(head, colWidths=[18 * mm, 45 * mm, 20 * mm, None],
                                       style=[("VALIGN", (0, 0), (-1, -1), "TOP")]),
              Spacer(1, 4 * mm)]
    rows = [[para(h, st["bold"]) for h in ("Description", "Qty", "Price", "Discount", "Tax",
                                           "Amount")]]
    for line in view.lines:
        description = line.description + (f"\n{line.discount_reason}" if line.discount_reason
                                          else "")
        rows.append([para(description, st["body"]), para(f"{line.quantity:f}", st["right"]),
                     para(money(line.unit_price_cents), st["right"]),
                     para(money(-line.discount_cents) if line.discount_cents else "",
                          st["right"]),
                     para(f"{_rate(line.tax_rate_bp)}" if line.tax_rate_bp else "", st["right"]),
                     para(money(line.gross_cents), st["right"])])
    lines = Table(rows, colWidths=[None, 16 * mm, 24 * mm, 24 * mm, 16 * mm, 26 * mm],
                  repeatRows=1)
    lines.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, 0), SHADE),
                               ("LINEBELOW", (0, 0), (-1, -1), 0.3, GRID),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story.append(lines)

    sums: list[tuple[str | tuple[str, ...], str]] = [("Subtotal", money(view.subtotal_cents))]
    if view.discount_cents:
        reason = (Ours(" ("), view.discount_reason, Ours(")")) if view.discount_reason else ()
        sums.append(((Ours("Discounts"), *reason), money(-view.discount_cents)))
    taxed: dict[tuple[str, int], int] = {}
    for line in view.lines:
        if line.tax_cents:
            key = (line.tax_category, line.tax_rate_bp)
            taxed[key] = taxed.get(key, 0) + line.tax_cents
    for (category, bp), cents in taxed.items():
        sums.append((f"{CATEGORY[category]} {_rate(bp)}", money(cents)))
    if not taxed:
        sums.append(("Tax", money(0)))
    if view.tip_cents:
        sums.append(("Tip", money(view.tip_cents)))
    sums.append(("Total", money(view.total_cents)))
    total_rows = [[para(label, st["bold"] if label == "Total" else st["body"]),
                   para(value, st["right"])] for label, value in sums]
    totals = Table(total_rows, colWidths=[60 * mm, 30 * mm], hAlign="RIGHT")
    totals.setStyle(TableStyle([("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black)]))
    story += [Spacer(1, 3 * mm), totals]

    if view.payments:
        pay_rows = [[para(h, st["bold"]) for h in ("Date", "Payment", "Detail", "By",
                                                   "Amount")]]
        for p in view.payments:
            pay_rows.append([para(f"{p.at:%Y-%m-%d %H:%M}", st["small"]),
                             para(p.method + (" refund" if p.kind == "refund" else ""),
                                  st["body"]),
                             para(p.detail, st["small"]), para(p.by, st["small"]),
                             para(money(-p.amount_cents if p.kind == "refund"
                                        else p.amount_cents), st["right"])])
        payments = Table(pay_rows, colWidths=[30 * mm, 26 * mm, None, 32 * mm, 26 * mm],
                         repeatRows=1)
        payments.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, 0), SHADE),
                                      ("LINEBELOW", (0, 0), (-1, -1), 0.3, GRID),
                                      ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        story += [Spacer(1, 5 * mm), para("Payments", st["heading"]), payments]
    due = [[para("Paid", st["body"]), para(money(view.paid_cents), st["right"])]]
    if view.refunded_cents:
        due.append([para("Refunded", st["body"]), para(money(-view.refunded_cents), st["right"])])
    due.append([para("Balance due", st["bold"]), para(money(view.balance_cents), st["right"])])
    balance = Table(due, colWidths=[60 * mm, 30 * mm], hAlign="RIGHT")
    balance.setStyle(TableStyle([("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black)]))
    story += [Spacer(1, 3 * mm), KeepTogether([balance])]
    if view.status == "void":
        story += [Spacer(1, 4 * mm), para((Ours("This invoice is void: "), view.void_reason),
                                          st["alert"])]
    return build_pdf(story, letterhead=letterhead, page_size=page_size,
                     title=f"{kind} {view.number}", heading=kind, printed_at=printed_at,
                     printed_by=printed_by)
