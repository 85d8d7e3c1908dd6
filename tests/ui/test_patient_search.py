"""Finding a patient from the keyboard: type, Down into the results, Enter opens the chart;
Ctrl+O with exactly one match opens it without choosing."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt

from medspa_desktop.services.charts import patients
from medspa_desktop.ui.main_window import MainWindow
from medspa_desktop.ui.patients.chart import ChartDialog
from tests.conftest import staff
from tests.ui.modal import answer_next_modal


@pytest.fixture
def window(qtbot, demo_db):
    w = MainWindow(staff("frontdesk"))
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    qtbot.waitActive(w)
    return w


def twins():
    """Two patients one search finds (and nobody else), and one only another finds."""
    desk = staff("frontdesk")
    return [patients.create_patient(desk, patients.PatientInput(first, "Zebulsky", dob)).id
            for first, dob in (("Quill", dt.date(1990, 3, 4)), ("Rhea", dt.date(1992, 5, 6)))]


def opened_charts() -> list[int]:
    """The patient of the next chart that opens (which is then closed)."""
    seen: list[int] = []

    def read(dialog) -> None:
        assert isinstance(dialog, ChartDialog)
        seen.append(dialog.patient_id)
        dialog.reject()

    answer_next_modal(read)
    return seen


def test_down_from_the_search_then_enter_opens_the_chart(window, qtbot):
    quill, rhea = twins()
    window.find_patient()
    qtbot.keyClicks(window.patients.search, "zebulsky")
    qtbot.keyClick(window.patients.search, Qt.Key.Key_Down)  # before the search's pause too
    table = window.patients.table
    assert window.focusWidget() is table
    assert window.patients.selected_id() == quill
    qtbot.keyClick(table, Qt.Key.Key_Down)
    assert window.patients.selected_id() == rhea
    seen = opened_charts()
    qtbot.keyClick(table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(seen))
    assert seen == [rhea]


def test_ctrl_o_with_one_match_opens_it(window, qtbot):
    quill, _rhea = twins()
    window.find_patient()
    qtbot.keyClicks(window.patients.search, "quill zebulsky")
    seen = opened_charts()
    qtbot.keyClick(window.patients.search, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: bool(seen))
    assert seen == [quill]


def test_ctrl_o_with_several_matches_goes_to_the_list(window, qtbot):
    quill, _rhea = twins()
    said = []
    window.patients.status_message.connect(said.append)
    window.find_patient()
    qtbot.keyClicks(window.patients.search, "zebulsky")
    qtbot.keyClick(window.patients.search, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    assert said == ["2 patients found: choose one (Down, then Enter)."]
    assert window.focusWidget() is window.patients.table
    assert window.patients.selected_id() == quill
