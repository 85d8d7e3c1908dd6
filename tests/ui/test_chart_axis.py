"""The value axis of a report's chart, on the screen and on paper: whole-number labels, each
different ("0, 1", not "0, 0, 0, 1, 1, 1" for a month with one new patient)."""

from __future__ import annotations

import pytest

from medspa_desktop.services.reports.shapes import Chart, Series, value_axis


@pytest.mark.parametrize(("bottom", "top", "unit", "expected"), [
    (0, 1, "count", (0, 1, 1)),
    (0, 3, "count", (0, 3, 1)),
    (0, 7, "count", (0, 8, 2)),
    (0, 23, "count", (0, 25, 5)),
    (0, 1234, "money", (0, 1250, 250)),
    (-3, 40, "money", (-10, 40, 10)),
    (0, 0, "count", (0, 1, 1)),
    (0, 62.5, "percent", (0, 100, 20)),
])
def test_the_axis_steps_by_whole_round_numbers(bottom, top, unit, expected):
    assert value_axis(bottom, top, unit) == expected


def _labels(axis) -> list[str]:
    n = axis.tickCount()
    step = (axis.max() - axis.min()) / (n - 1)
    return [axis.labelFormat() % (axis.min() + i * step) for i in range(n)]


def test_a_chart_of_small_counts_labels_each_tick_once(qtbot):
    from PySide6.QtCharts import QValueAxis

    from medspa_desktop.ui.reports.chart_view import qt_chart

    chart = Chart(("Oct", "Nov", "Dec"), (Series("New patients", (1, 0, 1)),), unit="count")
    q = qt_chart(chart)
    axis = next(a for a in q.axes() if isinstance(a, QValueAxis))
    assert _labels(axis) == ["0", "1"]
    chart = Chart(("Oct", "Nov", "Dec"), (Series("New patients", (4, 7, 2)),), unit="count")
    q = qt_chart(chart)
    axis = next(a for a in q.axes() if isinstance(a, QValueAxis))
    assert _labels(axis) == ["0", "2", "4", "6", "8"]


def test_the_printed_chart_steps_like_the_screen():
    from medspa_desktop.documents.report import chart_drawing

    chart = Chart(("Oct", "Nov", "Dec"), (Series("New patients", (1, 0, 1)),), unit="count")
    drawing = chart_drawing(chart, 400)
    plot = next(c for c in drawing.contents if hasattr(c, "valueAxis"))
    assert (plot.valueAxis.valueMin, plot.valueAxis.valueMax, plot.valueAxis.valueStep) == \
        (0, 1, 1)
