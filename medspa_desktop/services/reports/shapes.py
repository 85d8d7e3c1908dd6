"""What a report page shows, as plain data: one chart and one table. The Reports tab draws a
``Chart`` with QtCharts (``ui/reports/chart_view.py``) and the PDF draws the same one with
reportlab's vector graphics (``documents/report.py``), so the screen and the paper agree; the
table goes below both and to CSV. No Qt and no reportlab here."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

# how the values of a chart read: money in cents, a count, a share in percent
UNITS = ("money", "count", "percent")


def value_axis(bottom: float, top: float, unit: str) -> tuple[float, float, float]:
    """The value axis's low end, high end and step for values from ``bottom`` to ``top`` (in
    the units the labels show), about five steps. The labels are whole numbers, so the step is
    too (1, 2, 5, 10, 20, 25, 50… ): a count of at most 1 gets 0 and 1, not "0, 0, 0, 1, 1, 1".
    A share runs 0–100 % in steps of 20. The screen and the PDF use this one rule."""
    if unit == "percent" and bottom >= 0 and top <= 100:
        return 0.0, 100.0, 20.0
    wanted = max(top - bottom, 0.0) / 5
    step = next(m * 10 ** k for k in range(16) for m in (1, 2, 2.5, 5)
                if (m != 2.5 or k > 0) and m * 10 ** k >= wanted)
    low = math.floor(bottom / step) * step
    high = max(math.ceil(top / step) * step, low + step)
    return float(low), float(high), float(step)


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float, ...]  # one per category of the chart (money in cents)
    line: bool = False  # drawn as a line over the bars (the year before, a comparison)


@dataclass(frozen=True)
class Chart:
    """Bars per category (grouped, or stacked), with optional lines over them.

    ``categories`` label the x axis (months, providers, weekdays…). An empty chart (no
    categories, or every value zero) is shown as ``empty`` says, never as bare axes."""

    categories: tuple[str, ...]
    series: tuple[Series, ...]
    unit: str = "money"
    stacked: bool = False
    horizontal: bool = False  # long category names (services, providers): bars across
    empty: str = "Nothing to show for this period."

    @property
    def is_empty(self) -> bool:
        return not self.categories or not any(v for s in self.series for v in s.values)


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]  # cells as shown (text), or numbers
    right: tuple[int, ...] = ()  # columns aligned right (figures)
    total: tuple[object, ...] | None = None  # a last row in bold


@dataclass(frozen=True)
class HeatMap:
    """A grid of shares (0–1) drawn in place of the chart: weekdays down, hours across (the
    schedule's use). None in a square: nothing to share out there (never available)."""

    rows: tuple[str, ...]
    columns: tuple[str, ...]
    values: tuple[tuple[float | None, ...], ...]  # [row][column]


@dataclass(frozen=True)
class Shown:
    """A page's figures as drawn: a line of headline figures, the chart and the table."""

    headline: str
    chart: Chart
    table: Table
    notes: tuple[str, ...] = field(default_factory=tuple)  # how the figures are counted
    heat: HeatMap | None = None  # drawn instead of the chart when given
