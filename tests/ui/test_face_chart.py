"""The face chart driven with the mouse and keyboard: points land on the site clicked, move,
are deleted, and the totals follow."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QMenu

from medspa_desktop.ui.widgets.face_chart import FaceChartWidget
from tests.ui.modal import answer_next_modal


def at(chart: FaceChartWidget, x: float, y: float) -> QPoint:
    return chart.canvas.to_widget(x, y).toPoint()


def click(qtbot, chart: FaceChartWidget, x: float, y: float,
          button=Qt.MouseButton.LeftButton) -> None:
    qtbot.mouseClick(chart.canvas, button, pos=at(chart, x, y))


@pytest.fixture
def chart(qtbot):
    widget = FaceChartWidget("U", Decimal("0.5"), Decimal(4), 100)
    widget.set_product("Botox Cosmetic")
    qtbot.addWidget(widget)
    widget.resize(700, 520)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def totals(chart: FaceChartWidget) -> str:
    return chart.totals.text()


def test_place_move_and_delete_points_and_see_the_totals(qtbot, chart):
    click(qtbot, chart, 150, 130)  # between the brows
    click(qtbot, chart, 76, 152)  # beside the patient's right eye
    assert [(p["site"], p["amount"]) for p in chart.points()] == [("Glabella", 4.0),
                                                                  ("Lateral canthus R", 4.0)]
    assert "Glabella</td><td align='right'>4 U" in totals(chart)
    assert "Botox Cosmetic</b></td><td align='right' style='border-top:1px solid #999'><b>8 U" \
        in totals(chart)

    # The dose for new points, and the selected point's own dose.
    chart.dose.setValue(2.5)
    click(qtbot, chart, 224, 152)
    assert chart.points()[-1] == {"view": "front", "x": pytest.approx(224, abs=1),
                                  "y": pytest.approx(152, abs=1), "site": "Lateral canthus L",
                                  "amount": 2.5}
    chart.amount.setValue(6)
    assert chart.total() == Decimal("14")

    # Drag point 1 from the glabella up to the forehead: its site follows.
    qtbot.mousePress(chart.canvas, Qt.MouseButton.LeftButton, pos=at(chart, 150, 130))
    qtbot.mouseMove(chart.canvas, at(chart, 150, 110))
    qtbot.mouseMove(chart.canvas, at(chart, 150, 90))
    qtbot.mouseRelease(chart.canvas, Qt.MouseButton.LeftButton, pos=at(chart, 150, 90))
    assert chart.points()[0]["site"] == "Frontalis"
    assert chart.points()[0]["y"] == pytest.approx(90, abs=1)
    assert "Glabella" not in totals(chart)
    assert chart.selected == 0

    # Delete with the keyboard, then with the right-click menu.
    qtbot.keyClick(chart.canvas, Qt.Key.Key_Delete)
    assert [p["site"] for p in chart.points()] == ["Lateral canthus R", "Lateral canthus L"]

    def delete(menu: QMenu):
        action = next(a for a in menu.actions() if a.text() == "Delete point 2")
        menu.close()
        action.trigger()

    answer_next_modal(delete, popup=True)
    click(qtbot, chart, 224, 152, Qt.MouseButton.RightButton)
    qtbot.waitUntil(lambda: len(chart.points()) == 1)
    assert "Lateral canthus L" not in totals(chart)
    assert "4 U" in totals(chart) and "1 point<" in totals(chart)


def test_a_point_outside_the_marked_areas_asks_for_its_site(qtbot, chart):
    click(qtbot, chart, 150, 200)  # the tip of the nose
    assert chart.points()[0]["site"] == ""
    assert chart.site.hasFocus()
    qtbot.keyClicks(chart.site, "Nasal tip")
    assert chart.points()[0]["site"] == "Nasal tip"
    # A site the provider named stays when the point is nudged.
    qtbot.keyClick(chart.canvas, Qt.Key.Key_Up)
    assert chart.points()[0]["site"] == "Nasal tip"
    assert chart.points()[0]["y"] == pytest.approx(198, abs=1)


def test_side_views_name_the_patients_side(qtbot, chart):
    chart.show_view("left")
    click(qtbot, chart, 180, 250)
    chart.show_view("right")
    click(qtbot, chart, 120, 250)
    assert [(p["view"], p["site"]) for p in chart.points()] == [("left", "Masseter L"),
                                                                ("right", "Masseter R")]
    # Each view shows only its own points.
    assert chart.canvas.point_at(at(chart, 120, 250).toPointF()) == 1
    chart.show_view("left")
    assert chart.canvas.point_at(at(chart, 120, 250).toPointF()) is None
