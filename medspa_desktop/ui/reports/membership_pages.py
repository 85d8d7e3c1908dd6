"""The Memberships pages of the Reports tab (``services/reports/memberships.py`` drawn):
members at each month's end with the new and the cancelled, and the monthly recurring
revenue (MRR) with the dues invoiced and collected; both headlines say the dues overdue now,
the credit on account held (owed to patients) and the banked credits not yet used."""

from __future__ import annotations

from ...services.billing.money import show_cents
from ...services.reports import memberships as mr
from ...services.reports.period import Period
from ...services.reports.shapes import Chart, Series, Shown, Table
from .page import ReportPage
from .revenue_pages import change, month_label

EMPTY_MEMBERS = ("No members in this period. Set up a plan in File → Clinic setup… → "
                 "Membership plans, then enrol patients from their chart's Account tab; "
                 "choose a longer period above to look further back.")
COUNTING = ("A member is active on a day when their membership has started, is not "
            "cancelled and the month is not frozen (frozen members pay no dues and are "
            "counted apart). MRR: the monthly fees of the members active on the month's last "
            "day. New: enrolled, or a cancelled membership started again; cancelled: on the "
            "day the cancellation took effect.")
DUES = ("Dues invoiced are counted as the daily close counts sales (its \"Memberships\" "
        "line): on the day the invoice was issued, off again on the day it was voided. "
        "Collected: payments less refunds on dues invoices, on the day they were taken. "
        "Credit on account is money held for patients, never a sale.")


def _day(day) -> str:
    return f"{day:%-d %b %Y}"


def standing(f: mr.MembershipFigures) -> str:
    """What stands now and at the period's end: dues overdue, credit held, credits banked."""
    text = (f"Dues overdue now: {f.overdue_count:,} invoice"
            f"{'' if f.overdue_count == 1 else 's'}, {show_cents(f.overdue_cents)}."
            if f.overdue_count else "No dues overdue now.")
    text += (f" Credit on account held on {_day(f.totals.as_of)}: "
             f"{show_cents(f.credit_held_cents)} (owed to patients).")
    if f.banked:
        text += " Banked credits not yet used: " + "; ".join(
            f"{b.quantity_centi / 100:g} × {b.service} ({b.members:,} member"
            f"{'' if b.members == 1 else 's'})" for b in f.banked) + "."
    return text


class _MembershipsPage(ReportPage):
    group = "Memberships"

    def build(self, actor, period: Period, compare: bool) -> mr.MembershipFigures:
        return mr.membership_figures(actor, period, compare=compare,
                                     report=f"Memberships: {self.title}")


class MembersPage(_MembershipsPage):
    key = "memberships.members"
    title = "Members by month"

    def shown(self, f: mr.MembershipFigures) -> Shown:
        t = f.totals
        many = f.period.first.year != f.period.last.year
        headline = (f"{t.active:,} active members on {_day(t.as_of)}"
                    + (f" and {t.frozen:,} frozen" if t.frozen else "")
                    + f"; {t.new:,} new and {t.cancelled:,} cancelled in the period.")
        if f.previous is not None:
            p = f.previous
            headline += (f" Previous period ({_day(f.previous_period.first)} – "
                         f"{_day(f.previous_period.last)}): {p.active:,} active at its end, "
                         f"{p.new:,} new, {p.cancelled:,} cancelled.")
        months = f.months
        chart = Chart(tuple(month_label(m.month, many) for m in months),
                      (Series("Active", tuple(m.active for m in months)),
                       Series("Frozen", tuple(m.frozen for m in months)),
                       Series("New", tuple(m.new for m in months), line=True),
                       Series("Cancelled", tuple(m.cancelled for m in months), line=True)),
                      "count", stacked=True, empty=EMPTY_MEMBERS)
        heads = ("Month", "Active at its end", "Frozen", "New", "Cancelled", "MRR")
        rows = tuple((f"{m.month:%B %Y}", f"{m.active:,}", f"{m.frozen:,}", f"{m.new:,}",
                      f"{m.cancelled:,}", show_cents(m.mrr_cents)) for m in months)
        total = ("Period", f"{t.active:,}", f"{t.frozen:,}", f"{t.new:,}", f"{t.cancelled:,}",
                 show_cents(t.mrr_cents))
        return Shown(headline, chart, Table(heads, rows, (1, 2, 3, 4, 5), total),
                     (standing(f), COUNTING))


class RecurringPage(_MembershipsPage):
    key = "memberships.mrr"
    title = "Recurring revenue (MRR)"

    def shown(self, f: mr.MembershipFigures) -> Shown:
        t = f.totals
        many = f.period.first.year != f.period.last.year
        headline = (f"MRR {show_cents(t.mrr_cents)} on {_day(t.as_of)} from {t.active:,} "
                    f"active members; dues invoiced {show_cents(t.dues_invoiced_cents)}, "
                    f"collected {show_cents(t.dues_collected_cents)} in the period.")
        if f.previous is not None:
            p = f.previous
            moved = change(t.mrr_cents, p.mrr_cents)
            headline += (f" Previous period ({_day(f.previous_period.first)} – "
                         f"{_day(f.previous_period.last)}): MRR {show_cents(p.mrr_cents)} at "
                         f"its end" + (f" ({moved} since)" if moved else "")
                         + f", dues invoiced {show_cents(p.dues_invoiced_cents)}.")
        months = f.months
        chart = Chart(tuple(month_label(m.month, many) for m in months),
                      (Series("MRR", tuple(m.mrr_cents for m in months)),
                       Series("Dues invoiced", tuple(m.dues_invoiced_cents for m in months),
                              line=True),
                       Series("Dues collected", tuple(m.dues_collected_cents for m in months),
                              line=True)),
                      "money", empty=EMPTY_MEMBERS)
        heads = ("Month", "Active at its end", "MRR", "Dues invoiced", "Dues collected")
        rows = tuple((f"{m.month:%B %Y}", f"{m.active:,}", show_cents(m.mrr_cents),
                      show_cents(m.dues_invoiced_cents), show_cents(m.dues_collected_cents))
                     for m in months)
        total = ("Period", f"{t.active:,}", show_cents(t.mrr_cents),
                 show_cents(t.dues_invoiced_cents), show_cents(t.dues_collected_cents))
        return Shown(headline, chart, Table(heads, rows, (1, 2, 3, 4), total),
                     (standing(f), DUES, "MRR: the monthly fees of the members active on the month's "
                      "last day (frozen members pay none)."))


PAGES = [MembersPage(), RecurringPage()]
