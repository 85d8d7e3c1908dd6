"""A report's ``Chart`` (plain data, ``services/reports/shapes.py``) drawn with QtCharts:
bars (grouped or stacked, upright or across) with lines over them; an empty chart is a
sentence, not bare axes. Imported only by the Reports tab once it is shown: start-up does
not load QtCharts."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QHorizontalStackedBarSeries,
    QLineSeries,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, QPointF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QLabel, QWidget

from ...services.billing.money import currency_symbol
from ...services.reports.shapes import Chart, value_axis
from .. import style


def value_of(chart: Chart, value: float) -> float:
    """What a value is drawn as: money in currency units, the rest as it is."""
    return value / 100 if chart.unit == "money" else value


def in_thousands(chart: Chart) -> bool:
    """Money over ten thousand reads "$20k" on the axis (Qt's labels have no separators)."""
    if chart.unit != "money":
        return False
    if chart.stacked:
        top = max((sum(abs(s.values[i]) for s in chart.series if not s.line)
                   for i in range(len(chart.categories))), default=0)
    else:
        top = max((abs(v) for s in chart.series for v in s.values), default=0)
    return top / 100 >= 10_000


def axis_format(chart: Chart, thousands: bool = False) -> str:
    if chart.unit == "money":
        return f"{currency_symbol().replace('%', '%%')}%.0f" + ("k" if thousands else "")
    if chart.unit == "percent":
        return "%.0f%%"
    return "%.0f"


def chart_widget(chart: Chart, parent: QWidget | None = None) -> QWidget:
    """A chart view of ``chart``, or a label saying why there is nothing to draw."""
    if chart.is_empty:
        label = QLabel(chart.empty, parent)
        label.setObjectName("EmptyChart")
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setWordWrap(True)
        label.setStyleSheet(style.EMPTY_STATE)
        font = QFont(label.font())
        font.setPointSizeF(font.pointSizeF() + style.EMPTY_STATE_STEP)
        label.setFont(font)
        return label
    view = QChartView(qt_chart(chart), parent)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.setMinimumHeight(260)
    return view


def qt_chart(chart: Chart) -> QChart:
    scale = 1000 if in_thousands(chart) else 1
    if chart.horizontal:  # the first category at the top, as the table reads
        chart = replace(chart, categories=chart.categories[::-1], series=tuple(
            replace(s, values=s.values[::-1]) for s in chart.series))

    def value(v: float) -> float:
        return value_of(chart, v) / scale

    q = QChart()
    q.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    q.setMargins(QMargins(4, 4, 4, 4))
    q.legend().setVisible(len(chart.series) > 1)
    q.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    bars = [s for s in chart.series if not s.line]
    lines = [s for s in chart.series if s.line]
    if chart.horizontal:
        kind = QHorizontalStackedBarSeries if chart.stacked else QHorizontalBarSeries
    else:
        kind = QStackedBarSeries if chart.stacked else QBarSeries
    bar_series = kind()
    for i, s in enumerate(bars):
        bar_set = QBarSet(s.name)
        bar_set.append([value(v) for v in s.values])
        bar_set.setColor(QColor(style.CHART_SERIES[i % len(style.CHART_SERIES)]))
        bar_set.setBorderColor(QColor(style.CHART_SERIES[i % len(style.CHART_SERIES)]))
        bar_series.append(bar_set)
    q.addSeries(bar_series)
    line_series = []
    for i, s in enumerate(lines):
        line = QLineSeries()
        line.setName(s.name)
        for x, v in enumerate(s.values):
            line.append(QPointF(x, value(v)))
        colour = style.CHART_LINE if i == 0 else style.CHART_SERIES[
            (len(bars) + i) % len(style.CHART_SERIES)]
        pen = QPen(QColor(colour))
        pen.setWidthF(2)
        line.setPen(pen)
        line.setPointsVisible(True)
        q.addSeries(line)
        line_series.append(line)
    categories = QBarCategoryAxis()
    categories.append(list(chart.categories))
    values = QValueAxis()
    values.setLabelFormat(axis_format(chart, scale == 1000))
    if chart.stacked:
        top = max((sum(value(s.values[i]) for s in bars)
                   for i in range(len(chart.categories))), default=0)
    else:
        top = max((value(v) for s in bars for v in s.values), default=0)
    top = max([top] + [value(v) for s in lines for v in s.values])
    bottom = min([0.0] + [value(v) for s in chart.series for v in s.values])
    low, high, step = value_axis(bottom, top, chart.unit)
    values.setRange(low, high)
    values.setTickCount(round((high - low) / step) + 1)
    values.setGridLineColor(QColor(style.CHART_GRID))
    if chart.horizontal:
        q.addAxis(categories, Qt.AlignmentFlag.AlignLeft)
        q.addAxis(values, Qt.AlignmentFlag.AlignBottom)
    else:
        q.addAxis(categories, Qt.AlignmentFlag.AlignBottom)
        q.addAxis(values, Qt.AlignmentFlag.AlignLeft)
    for series in (bar_series, *line_series):
        series.attachAxis(categories)
        series.attachAxis(values)
    return q
