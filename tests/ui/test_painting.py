"""Painting must not wear the program down: PySide6 6.12.0 under Python 3.11 dropped a
reference to None on every QPainter call that returns nothing, and after enough repaints of a
busy schedule the program aborted with "deallocating None". pyproject.toml keeps PySide6
below 6.12; this repaints a full day often enough that the leak could not hide."""

from __future__ import annotations

import sys

from tests.conftest import busy_weekday
from tests.ui.test_schedule import tab  # noqa: F401 (fixture)


def test_repainting_a_busy_day_leaves_none_alone(tab):  # noqa: F811
    tab.set_day(busy_weekday())
    assert len(tab.grid.appointments) >= 10
    tab.grid.repaint()
    before = sys.getrefcount(None)
    for _ in range(50):
        tab.grid.repaint()
    # each paint makes several QPainter calls per appointment: a leak shows in the thousands
    assert sys.getrefcount(None) - before > -200
