"""A page of the Reports tab on paper: its title and period, the headline figures, the chart
drawn with reportlab's own vector graphics (``VerticalBarChart`` or ``HorizontalBarChart``,
with a ``LinePlot`` over the bars for a line such as the year before) in the colours of the
screen's chart, then its table. Plain data in (``services/reports/shapes.Shown``), PDF
bytes out; on the clinic's letterhead and paper size."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import TYPE_CHECKING

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer, Table, TableStyle

from ..services.billing.money import currency_symbol
from ..services.reports.shapes import value_axis
from .sales_report import period_text
from .styles import FONT, GRID, SHADE, Letterhead, build_pdf, para, styles, usable_width

if TYPE_CHECKING:
    from ..services.reports.shapes import Chart, Shown

# the screen's colours (ui/style.CHART_SERIES, CHART_LINE; a test holds them equal)
CHART_SERIES = ("#2f6f73", "#e08a3c", "#5b7fb3", "#9b5fa6", "#6a9a3a", "#c0504d", "#8c7a5b",
                "#4bacc6")
CHART_LINE = "#1d1d1d"
CHART_GRID = "#e4e4e4"
CHART_HEIGHT = 78 * mm


def _value(chart: Chart, v: float) -> float:
    return v / 100 if chart.unit == "money" else v


def _label(chart: Chart):
    if chart.unit == "money":
        symbol = currency_symbol()
        return lambda v: f"{symbol}{v:,.0f}"
    if chart.unit == "percent":
        return lambda v: f"{v:.0f}%"
    return lambda v: f"{v:,.0f}"


def chart_drawing(chart: Chart, width: float, height: float = CHART_HEIGHT) -> Drawing:
    """``chart`` as a vector drawing ``width`` × ``height`` points."""
    bars = [s for s in chart.series if not s.line]
    lines = [s for s in chart.series if s.line] if not chart.horizontal else []
    if chart.horizontal:  # the first category at the top, as the table reads
        chart = replace(chart, categories=chart.categories[::-1], series=tuple(
            replace(s, values=s.values[::-1]) for s in chart.series))
    n = len(chart.categories)
    many = len(chart.series) > 1
    legend_room = 14 if many else 0
    drawing = Drawing(width, height)
    plot = HorizontalBarChart() if chart.horizontal else VerticalBarChart()
    longest = max((len(c) for c in chart.categories), default=0)
    left = (min(longest, 28) * 4.3 + 8) if chart.horizontal else 48
    bottom = (22 + (10 if n > 8 else 0) if not chart.horizontal else 18) + legend_room
    plot.x, plot.y = left, bottom
    plot.width, plot.height = width - left - 8, height - bottom - 6
    plot.data = [[_value(chart, v) for v in s.values] for s in bars] or [[0] * n]
    plot.categoryAxis.categoryNames = [c if len(c) <= 28 else c[:27] + "…"
                                       for c in chart.categories]
    plot.categoryAxis.labels.fontName = FONT
    plot.categoryAxis.labels.fontSize = 7
    if not chart.horizontal and n > 8:
        plot.categoryAxis.labels.angle = 30
        plot.categoryAxis.labels.boxAnchor = "ne"
    if chart.stacked:
        plot.categoryAxis.style = "stacked"
        top = max((sum(_value(chart, s.values[i]) for s in bars) for i in range(n)), default=0)
    else:
        top = max((_value(chart, v) for s in bars for v in s.values), default=0)
    top = max([top] + [_value(chart, v) for s in lines for v in s.values])
    bottom_value = min([0.0] + [_value(chart, v) for s in chart.series for v in s.values])
    bottom_value, top, step = value_axis(bottom_value, top, chart.unit)
    axis = plot.valueAxis
    axis.valueMin, axis.valueMax = bottom_value, top
    axis.valueStep = step
    axis.labelTextFormat = _label(chart)
    axis.labels.fontName = FONT
    axis.labels.fontSize = 7
    axis.visibleGrid = True
    axis.gridStrokeColor = colors.HexColor(CHART_GRID)
    plot.barSpacing = 1
    plot.groupSpacing = 6
    for i in range(len(bars)):
        colour = colors.HexColor(CHART_SERIES[i % len(CHART_SERIES)])
        plot.bars[i].fillColor = colour
        plot.bars[i].strokeColor = colour
    drawing.add(plot)
    for i, s in enumerate(lines):
        line = LinePlot()
        line.x, line.y, line.width, line.height = plot.x, plot.y, plot.width, plot.height
        line.data = [[(x, _value(chart, v)) for x, v in enumerate(s.values)]]
        line.xValueAxis.valueMin, line.xValueAxis.valueMax = -0.5, n - 0.5
        line.yValueAxis.valueMin, line.yValueAxis.valueMax = bottom_value, top
        line.xValueAxis.visible = line.yValueAxis.visible = False
        colour = colors.HexColor(CHART_LINE if i == 0 else
                                 CHART_SERIES[(len(bars) + i) % len(CHART_SERIES)])
        line.lines[0].strokeColor = colour
        line.lines[0].strokeWidth = 1.5
        line.lines[0].symbol = makeMarker("FilledCircle", size=3, fillColor=colour,
                                          strokeColor=colour)
        drawing.add(line)
    if many:
        legend = Legend()
        legend.x, legend.y = left, 8
        legend.alignment = "right"
        legend.columnMaximum = 1
        legend.fontName = FONT
        legend.fontSize = 7
        legend.dx = legend.dy = 7
        legend.deltax = 90
        pairs = [(colors.HexColor(CHART_SERIES[i % len(CHART_SERIES)]), s.name)
                 for i, s in enumerate(bars)]
        pairs += [(colors.HexColor(CHART_LINE if i == 0 else
                                   CHART_SERIES[(len(bars) + i) % len(CHART_SERIES)]), s.name)
                  for i, s in enumerate(lines)]
        legend.colorNamePairs = pairs
        drawing.add(legend)
    return drawing


# (font size, a cell's left and right padding) a wide table steps down through to fit
TABLE_SIZES = ((9, 6), (8, 4), (7, 3), (6, 2))


def _column_widths(t, width: float, size: float, padding: float, *,
                   wrap_figures: bool = False, squeeze: bool = False) -> list[float] | None:
    """Each column as wide as its longest word must be (text wraps between words, never inside
    one; a figure — a right-aligned column — does not wrap unless ``wrap_figures``: "124.5 mL"
    then takes two lines), the room left shared in proportion to what each would take
    unwrapped; None when even that does not fit at ``size`` (unless ``squeeze``: then those
    widths scaled down to fit)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from .styles import FONT_BOLD

    def words(text: str) -> list[float]:
        return [stringWidth(w, FONT_BOLD, size) for w in text.split()] + [0]

    least, most = [], []
    for c, head in enumerate(t.headers):
        values = [row[c] for row in t.rows] + ([t.total[c]] if t.total else [])
        texts = ["" if v is None else str(v) for v in values]
        whole = max([stringWidth(x, FONT_BOLD, size) for x in texts] + [0])
        needed = (whole if c in t.right and not wrap_figures
                  else max(w for x in texts for w in words(x)))
        # (a point to spare: a word exactly as wide as its cell is split by reportlab)
        least.append(max(needed, *words(str(head))) + 2 * padding + 1)
        most.append(max(whole, stringWidth(str(head), FONT_BOLD, size)) + 2 * padding + 1)
    if sum(least) > width:
        return [n * width / sum(least) for n in least] if squeeze else None
    if sum(most) <= width:  # everything fits on one line: the first column takes the rest
        return [most[0] + width - sum(most)] + most[1:]
    spare = width - sum(least)
    extra = [m - n for m, n in zip(most, least, strict=True)]
    return [n + spare * e / sum(extra) for n, e in zip(least, extra, strict=True)]


def _table(shown: Shown, st, width: float) -> Table:
    t = shown.table
    # the font steps down until every column's longest word fits (12 months, a total and the
    # previous period on a portrait page); the narrowest split if none does
    (size, padding), widths = TABLE_SIZES[-1], None
    for size, padding in TABLE_SIZES:
        widths = _column_widths(t, width, size, padding)
        if widths is not None:
            break
    if widths is None:  # at the smallest size, figures too wrap between their words
        widths = _column_widths(t, width, size, padding, wrap_figures=True, squeeze=True)
    body = st["body"].clone("table_body", fontSize=size, leading=size * 1.28)
    right = body.clone("table_right", alignment=st["right"].alignment)
    bold = body.clone("table_bold", fontName=st["bold"].fontName)
    bold_right = right.clone("table_bold_right", fontName=st["bold"].fontName)

    def cell(value, c: int, is_bold: bool):
        on_right = c in t.right
        style = (bold_right if on_right else bold) if is_bold else (
            right if on_right else body)
        return para("" if value is None else str(value), style)

    data = [[cell(h, c, True) for c, h in enumerate(t.headers)]]
    data += [[cell(v, c, False) for c, v in enumerate(row)] for row in t.rows]
    if t.total:
        data.append([cell(v, c, True) for c, v in enumerate(t.total)])
    table = Table(data, colWidths=widths, repeatRows=1)
    commands = [("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, GRID),
                ("LEFTPADDING", (0, 0), (-1, -1), padding),
                ("RIGHTPADDING", (0, 0), (-1, -1), padding)]
    if t.total:
        commands.append(("LINEABOVE", (0, -1), (-1, -1), 0.8, GRID))
    table.setStyle(TableStyle(commands))
    return table


def render_report(title: str, first: dt.date, last: dt.date, shown: Shown,
                  letterhead: Letterhead, printed_at: dt.datetime, printed_by: str,
                  paper: str = "letter") -> bytes:
    st = styles()
    width = usable_width(paper)
    story = [para(title, st["title"]), para(period_text(first, last), st["body"]),
             Spacer(1, 3 * mm)]
    if shown.headline:
        story += [para(shown.headline, st["body"]), Spacer(1, 3 * mm)]
    if shown.heat is not None:
        from .heat_map import heat_drawing

        story.append(KeepTogether([heat_drawing(shown.heat, width)]))
    elif shown.chart.is_empty:
        story.append(para(shown.chart.empty, st["body"]))
    else:
        story.append(KeepTogether([chart_drawing(shown.chart, width)]))
    for note in shown.notes:
        story.append(para(note, st["small"]))
    story.append(Spacer(1, 4 * mm))
    if shown.table.rows:
        story.append(_table(shown, st, width))
    return build_pdf(story, letterhead=letterhead, page_size=paper,
                     title=f"{title} {first:%Y-%m-%d}..{last:%Y-%m-%d}", heading="Report",
                     printed_at=printed_at, printed_by=printed_by)
