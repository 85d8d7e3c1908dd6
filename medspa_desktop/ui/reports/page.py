"""A page of the Reports tab: what every report page is, and the list of them.

A page is a title in the list on the left and three steps, none of them Qt:

- ``build(actor, period, compare)`` reads the figures through a service in
  ``services/reports/`` (which checks ``reports.view`` and writes ``report.viewed``);
- ``shown(figures)`` turns them into a ``services/reports/shapes.Shown``: a headline, one
  ``Chart`` (bars, stacked or grouped, lines over them) and one ``Table``;
- the tab draws the chart with QtCharts (``chart_view.py``), the table below it on demand,
  writes the table to CSV (``services/platform/exports.csv_text``) and the page to PDF
  (``printouts.report_pdf``: the chart drawn again with reportlab's vector graphics on the
  clinic's letterhead and paper, then the table).

A page whose ``Shown`` carries a ``HeatMap`` is drawn as that grid instead of its chart
(``heat_map.py`` on screen, ``documents/heat_map.py`` on paper); a page with buttons of its
own (Staff pay: the statements, the commission rates) returns them from ``extra_buttons``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ...services.platform.exports import csv_text
from ...services.reports.period import Period
from ...services.reports.shapes import Shown
from ...store.models import User


class ReportPage:
    key = ""  # stable: "revenue.months"; the CSV and PDF are named after it
    group = ""  # the heading it is listed under: "Revenue", "Patients"
    title = ""  # as listed and printed: "Net sales by month"

    def build(self, actor: User, period: Period, compare: bool) -> Any:
        raise NotImplementedError

    def shown(self, figures: Any) -> Shown:
        raise NotImplementedError

    def csv(self, shown: Shown) -> str:
        table = shown.table
        rows = list(table.rows) + ([table.total] if table.total else [])
        return csv_text(table.headers, rows)

    def pdf(self, actor: User, period: Period, shown: Shown,
            printed_at: dt.datetime | None = None) -> bytes:
        from ...printouts import report_pdf  # reportlab loads with the first PDF

        return report_pdf(actor, f"{self.group}: {self.title}", period, shown, printed_at)

    def extra_buttons(self, tab) -> list:
        """Buttons of this page's own beside Export (QPushButtons made for ``tab``)."""
        return []

    def file_name(self, period: Period, ext: str) -> str:
        return f"{self.key.replace('.', '-')}-{period.first:%Y%m%d}-{period.last:%Y%m%d}.{ext}"


def pages() -> list[ReportPage]:
    """Every page, in the order listed: revenue, memberships, patients, then the schedule's
    use, treatments and stock, staff pay (each module adds its own ``PAGES``)."""
    from . import (
        membership_pages,
        patient_pages,
        pay_pages,
        revenue_pages,
        schedule_pages,
        stock_pages,
    )

    found: list[ReportPage] = []
    for module in (revenue_pages, membership_pages, patient_pages, schedule_pages,
                   stock_pages, pay_pages):
        found.extend(module.PAGES)
    return found
