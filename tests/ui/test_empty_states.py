"""A clinic that just installed the program: every list that is empty says what to do, with a
key that really does it, and the line goes as soon as there is a row."""

from __future__ import annotations

import datetime as dt

import pytest

from medspa_desktop.services.charts import patients
from medspa_desktop.ui.help.shortcuts import key_text, menu_actions
from medspa_desktop.ui.main_window import MainWindow
from medspa_desktop.ui.treatments.inventory_dialog import InventoryDialog
from tests.conftest import staff


@pytest.fixture
def window(qtbot, admin):
    w = MainWindow(admin, remember=False)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def shortcut_of(window, path: str) -> str:
    return next(key_text(a.shortcut()) for p, a in menu_actions(window.menuBar()) if p == path)


def test_an_empty_patient_list_says_how_to_register_one_and_goes_with_the_first(window,
                                                                                qtbot):
    window.show_tab("patients")
    empty = window.patients.empty
    assert empty.isVisible()
    assert empty.text() == "No patients yet — press Ctrl+Shift+N to register one."
    assert shortcut_of(window, "Patient → New patient…") == "Ctrl+Shift+N"
    assert empty.geometry().center().y() > window.patients.table.viewport().height() // 3
    patients.create_patient(window.user, patients.PatientInput(
        "Mia", "Lopez", dt.date(1990, 5, 1), phone="555 010 2222"))
    qtbot.waitUntil(lambda: window.patients.model.rowCount() == 1)
    assert not empty.isVisible()
    qtbot.keyClicks(window.patients.search, "zebra")
    qtbot.waitUntil(lambda: window.patients.model.rowCount() == 0)
    assert empty.isVisible() and "No patient matches “zebra”" in empty.text()


def test_the_treatment_log_and_billing_say_where_their_rows_come_from(window):
    window.show_tab("treatments")
    assert window.treatments.empty.isVisible()
    assert "Chart treatment…" in window.treatments.empty.text()
    window.show_tab("billing")
    assert window.billing.empty.isVisible()
    assert "Ctrl+Shift+O" in window.billing.empty.text()
    assert shortcut_of(window, "Appointment → Mark checked out") == "Ctrl+Shift+O"


def test_an_empty_inventory_says_how_to_add_a_product_to_those_who_may(qtbot, admin):
    dialog = InventoryDialog(admin)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.empty_products.isVisible()
    assert "press Ctrl+N to add one" in dialog.empty_products.text()
    assert dialog.empty_lots.text() == "Select a product to see its lots."


def test_the_lists_of_the_demo_clinic_show_no_empty_line(qtbot, demo_db):
    w = MainWindow(staff("admin"), remember=False)
    qtbot.addWidget(w)
    w.show()
    for key, tab in (("patients", w.patients), ("billing", w.billing)):
        w.show_tab(key)
        assert tab.model.rowCount() > 0 and not tab.empty.isVisible(), key
