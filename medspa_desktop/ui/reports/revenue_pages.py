"""The Revenue pages of the Reports tab (``services/reports/revenue.py`` drawn): net sales by
month (by day for a period within one month) with the year before as a line; by category,
provider and service; services, retail, packages and memberships; the average ticket."""

from __future__ import annotations

from ...services.billing.money import show_cents
from ...services.reports import revenue as rv
from ...services.reports.period import Period
from ...services.reports.shapes import Chart, Series, Shown, Table
from .page import ReportPage

TOP_IN_CHART = 12  # services drawn in the chart (all of them are in the table)
COUNTING = ("Net sales are after discounts and before tax, counted as the daily close counts "
            "them: on the day an invoice was issued, off again on the day it was voided. "
            "Gift cards sold are not sales; the care they pay for is, when given.")


def change(now: int, before: int) -> str:
    """"+12%", "−3%", or "" (nothing before to compare with)."""
    if before == 0:
        return ""
    percent = round((now - before) * 100 / abs(before))
    return f"+{percent}%" if percent >= 0 else f"−{-percent}%"


def compared(now: int, before: int | None, period: Period | None) -> str:
    if before is None or period is None:
        return ""
    moved = change(now, before)
    return (f" Previous period ({period.first:%-d %b %Y} – {period.last:%-d %b %Y}): "
            f"{show_cents(before)}" + (f", {moved}." if moved else "."))


def month_label(month, many_years: bool) -> str:
    return f"{month:%b %Y}" if many_years else f"{month:%b}"


EMPTY_SALES = ("No sales in this period. Sales appear here once visits are checked out "
               "(Billing tab); choose a longer period above to look further back.")


class _RevenuePage(ReportPage):
    group = "Revenue"

    def build(self, actor, period: Period, compare: bool) -> rv.Revenue:
        return rv.revenue(actor, period, compare=compare, report=f"Revenue: {self.title}")


class MonthsPage(_RevenuePage):
    key = "revenue.months"
    title = "Net sales by month"

    def shown(self, r: rv.Revenue) -> Shown:
        t = r.totals
        headline = (f"Net sales {show_cents(t.sales_cents)} from {t.tickets:,} invoices; "
                    f"average ticket {show_cents(t.average_ticket_cents)}."
                    + compared(t.sales_cents, r.previous and r.previous.sales_cents,
                               r.previous_period))
        if len(r.months) == 1:  # within a month: a bar a day
            categories = tuple(f"{d.day} {d:%b}" for d, _c in r.days)
            series = (Series("Net sales", tuple(c for _d, c in r.days)),
                      Series("A year before", r.days_year_before, line=True))
            headline += " A bar a day within one month."
            rows = tuple((f"{d:%a} {d.day} {d:%b %Y}", show_cents(c), show_cents(b),
                          change(c, b)) for (d, c), b in zip(r.days, r.days_year_before,
                                                            strict=True))
            table = Table(("Day", "Net sales", "A year before", "Change"), rows, (1, 2, 3),
                          ("Total", show_cents(t.sales_cents),
                           show_cents(sum(r.days_year_before)),
                           change(t.sales_cents, sum(r.days_year_before))))
        else:
            many_years = r.months[0].month.year != r.months[-1].month.year
            categories = tuple(month_label(m.month, many_years) for m in r.months)
            series = (Series("Net sales", tuple(m.sales_cents for m in r.months)),
                      Series("A year before", tuple(m.year_before_cents for m in r.months),
                             line=True))
            rows = tuple((f"{m.month:%B %Y}", show_cents(m.sales_cents), f"{m.tickets:,}",
                          show_cents(m.average_ticket_cents), show_cents(m.year_before_cents),
                          change(m.sales_cents, m.year_before_cents)) for m in r.months)
            before = sum(m.year_before_cents for m in r.months)
            table = Table(("Month", "Net sales", "Invoices", "Average ticket", "A year before",
                           "Change"), rows, (1, 2, 3, 4, 5),
                          ("Total", show_cents(t.sales_cents), f"{t.tickets:,}",
                           show_cents(t.average_ticket_cents), show_cents(before),
                           change(t.sales_cents, before)))
        notes = (COUNTING,)
        if not any(series[1].values):  # no line of zeros along the axis
            series = series[:1]
            notes += ("Nothing was sold in the same days a year before.",)
        return Shown(headline, Chart(categories, series, "money", empty=EMPTY_SALES), table,
                     notes)


def _split_page(key: str, title: str, field: str, first: str, horizontal: bool):
    """A page of the period's sales split one way (category, provider, service)."""

    class SplitPage(_RevenuePage):
        def shown(self, r: rv.Revenue) -> Shown:
            now = dict(getattr(r.totals, field))
            before = dict(getattr(r.previous, field)) if r.previous else {}
            names = sorted(set(now) | set(before), key=lambda k: (-now.get(k, 0), k))
            shown_names = names[:TOP_IN_CHART] if field == "by_service" else names
            series = [Series("This period" if r.previous else "Net sales",
                             tuple(now.get(k, 0) for k in shown_names))]
            if r.previous:
                series.append(Series("Previous period",
                                     tuple(before.get(k, 0) for k in shown_names)))
            total = r.totals.sales_cents
            heads = (first, "Net sales", "Share")
            rows = [(k, show_cents(now.get(k, 0)),
                     f"{now.get(k, 0) * 100 / total:.1f}%" if total else "") for k in names]
            if r.previous:
                heads += ("Previous period", "Change")
                rows = [row + (show_cents(before.get(k, 0)), change(now.get(k, 0),
                                                                    before.get(k, 0)))
                        for row, k in zip(rows, names, strict=True)]
            summed = sum(now.values())
            total_row = ("Total", show_cents(summed), "100%" if summed else "")
            if r.previous:
                total_row += (show_cents(sum(before.values())),
                              change(summed, sum(before.values())))
            headline = (f"Net sales {show_cents(total)}."
                        + compared(total, r.previous and r.previous.sales_cents,
                                   r.previous_period))
            if field == "by_service" and len(names) > TOP_IN_CHART:
                headline += f" The chart shows the top {TOP_IN_CHART}; the table has all."
            return Shown(headline, Chart(tuple(shown_names), tuple(series), "money",
                                         horizontal=horizontal, empty=EMPTY_SALES),
                         Table(heads, tuple(rows), tuple(range(1, len(heads))), total_row),
                         (COUNTING,))

    SplitPage.key, SplitPage.title = key, title
    SplitPage.__name__ = SplitPage.__qualname__ = f"{field.title().replace('_', '')}Page"
    return SplitPage()


class TicketPage(_RevenuePage):
    key = "revenue.ticket"
    title = "Average ticket"

    def shown(self, r: rv.Revenue) -> Shown:
        t = r.totals
        headline = f"Average ticket {show_cents(t.average_ticket_cents)} over {t.tickets:,} " \
                   "invoices."
        if r.previous:
            p = r.previous
            moved = change(t.average_ticket_cents, p.average_ticket_cents)
            headline += (f" Previous period: {show_cents(p.average_ticket_cents)} over "
                         f"{p.tickets:,} invoices" + (f", {moved}." if moved else "."))
        many_years = r.months[0].month.year != r.months[-1].month.year
        chart = Chart(tuple(month_label(m.month, many_years) for m in r.months),
                      (Series("Average ticket", tuple(m.average_ticket_cents
                                                      for m in r.months)),), "money",
                      empty=EMPTY_SALES)
        rows = tuple((f"{m.month:%B %Y}", f"{m.tickets:,}", show_cents(m.sales_cents),
                      show_cents(m.average_ticket_cents)) for m in r.months)
        table = Table(("Month", "Invoices", "Net sales", "Average ticket"), rows, (1, 2, 3),
                      ("Total", f"{t.tickets:,}", show_cents(t.sales_cents),
                       show_cents(t.average_ticket_cents)))
        return Shown(headline, chart, table, (
            "The average ticket is the net sales over the invoices issued, less those "
            "voided.",))


PAGES = [
    MonthsPage(),
    _split_page("revenue.category", "By category", "by_category", "Category", True),
    _split_page("revenue.kind", "By kind of sale", "by_kind", "Sold as", False),
    _split_page("revenue.provider", "By provider", "by_provider", "Provider", True),
    _split_page("revenue.service", "By service", "by_service", "Service", True),
    TicketPage(),
]
