"""The main window over the demo clinic: every tab shows real rows, state is remembered."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QModelIndex, Qt

from medspa_desktop import __version__
from medspa_desktop.services.platform import presence
from medspa_desktop.store.models import Patient
from medspa_desktop.ui.main_window import MainWindow, about_text
from medspa_desktop.ui.patients.new_patient import NewPatientDialog
from tests.conftest import shots, staff


@pytest.fixture
def window(qtbot, demo_db):
    w = MainWindow(staff("frontdesk"))
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def test_previous_and_next_move_a_day(window, qtbot):
    window.schedule.set_day(dt.date(2026, 3, 10))
    qtbot.mouseClick(window.schedule.next_button, Qt.MouseButton.LeftButton)
    assert window.schedule.day == dt.date(2026, 3, 11)
    qtbot.mouseClick(window.schedule.prev_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.schedule.prev_button, Qt.MouseButton.LeftButton)
    assert window.schedule.day == dt.date(2026, 3, 9)
    qtbot.mouseClick(window.schedule.today_button, Qt.MouseButton.LeftButton)
    assert window.schedule.day == dt.date.today()


def test_the_patients_tab_lists_patients_lazily_and_finds_them_as_you_type(window, qtbot):
    window.show_tab("patients")
    tab = window.patients
    assert tab.model.rowCount() == 200 and tab.model.canFetchMore()
    tab.model.fetchMore(QModelIndex())
    assert tab.model.rowCount() == Patient.select().count() == 300
    target = Patient.select().where(Patient.last_name == "O'Brien").first()
    qtbot.keyClicks(tab.search, "o'brien")
    qtbot.waitUntil(lambda: 0 < tab.model.rowCount() < 300)
    names = [tab.model.row_at(i).name for i in range(tab.model.rowCount())]
    assert all(n.startswith("O'Brien, ") for n in names)
    assert any(tab.model.row_at(i).id == target.id for i in range(tab.model.rowCount()))


def test_ctrl_f_takes_you_to_the_patient_search(window, qtbot):
    window.show_tab("schedule")
    window.activateWindow()
    qtbot.waitActive(window)
    qtbot.keyClick(window.schedule.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.current_tab_key() == "patients"
    assert window.focusWidget() is window.patients.search


def test_the_treatment_log_lists_treatments_for_clinicians_only(qtbot, demo_db):
    director = MainWindow(staff("director"))
    qtbot.addWidget(director)
    model = director.treatments.model
    assert model.rowCount() > 0
    dates = [model.row_at(i).at for i in range(model.rowCount())]
    assert dates == sorted(dates, reverse=True)
    assert all(model.row_at(i).lot for i in range(model.rowCount()))

    desk = MainWindow(staff("frontdesk"))
    qtbot.addWidget(desk)
    assert desk.treatments.content.isHidden()
    assert "does not allow you to see treatment records" in desk.treatments.notice.text()


def test_window_size_and_last_tab_are_remembered(qtbot, demo_db):
    first = MainWindow(staff("frontdesk"))
    qtbot.addWidget(first)
    first.show()
    first.resize(780, 540)  # within the offscreen 800x600 screen
    first.show_tab("patients")
    first.close()
    second = MainWindow(staff("frontdesk"))
    qtbot.addWidget(second)
    second.show()
    assert second.current_tab_key() == "patients"
    assert (second.width(), second.height()) == (780, 540)


def test_status_bar_and_about_name_the_clinic_user_database_and_version(window, demo_db):
    assert "Lumière Aesthetics" in window.clinic_label.text()
    assert window.user_label.text() == "Signed in: Sam O'Neill (Front desk)"
    assert str(demo_db.name) in window.db_label.text()
    text = about_text("Ann <b>& Co</b>")
    assert __version__ in text and "Ann &lt;b&gt;&amp; Co&lt;/b&gt;" in text


def test_new_patient_dialog_says_what_to_fix_and_saves_only_good_input(qtbot, demo_db):
    before = Patient.select().count()
    dialog = NewPatientDialog(staff("frontdesk"))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.first_name, "Ines")
    qtbot.keyClicks(dialog.last_name, "Okafor-Ruiz")
    qtbot.keyClicks(dialog.phone, "239.555.0199")
    qtbot.keyClicks(dialog.email, "ines@")
    steps = [
        ("", "Enter the date of birth."),
        ("13/45/1990", "'13/45/1990' is not a date of birth; type it as YYYY-MM-DD"),
        ("04/17/1990", "'ines@' is not an email address"),
    ]
    for dob, message in steps:
        dialog.dob.clear()
        qtbot.keyClicks(dialog.dob, dob)
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        assert dialog.message.text().startswith(message)
        assert dialog.isVisible() and Patient.select().count() == before
    dialog.email.clear()
    qtbot.keyClicks(dialog.email, "ines@example.com")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == dialog.DialogCode.Accepted
    saved = Patient.get(Patient.last_name == "Okafor-Ruiz")
    assert (saved.phone, saved.email) == ("2395550199", "ines@example.com")
    assert saved.dob == dt.date(1990, 4, 17)


def test_the_table_model_passes_qts_model_checks(qtmodeltester, demo_db):
    from medspa_desktop.services.charts import patients
    from medspa_desktop.ui.models import RowTableModel
    from medspa_desktop.ui.patients.tab import COLUMNS

    user = staff("frontdesk")
    model = RowTableModel(COLUMNS, batch=50, keep_pages=3)  # pages are dropped and fetched
    model.set_fetch(lambda o, n, _after: patients.search_patients(user, "", offset=o, limit=n))
    assert model.rowCount() == 50
    qtmodeltester.check(model)  # also exercises fetchMore
    ids = [r.id for r in model.rows()]
    assert len(ids) > 50 and len(set(ids)) == len(ids)


def test_a_list_whose_length_is_a_whole_number_of_pages_ends_with_its_exact_count(qtbot):
    """40 rows in pages of 10: the fifth fetch finds nothing, and the label that said
    "40+ treatments" says "40 treatments" (it stayed "40+" when no row came with the end)."""
    from PySide6.QtWidgets import QLabel

    from medspa_desktop.ui.models import Column, RowTableModel

    rows = [(n,) for n in range(40)]
    model = RowTableModel([Column("N", lambda r: r[0])], batch=10)
    label = QLabel()
    model.on_count(lambda: label.setText(model.count_text("treatment")))
    model.set_fetch(lambda offset, limit, _after: rows[offset:offset + limit])
    assert label.text() == "10+ treatments"
    while model.canFetchMore():
        model.fetchMore()
    assert model.rowCount() == 40 and label.text() == "40 treatments"


def test_a_table_filled_before_it_shows_fits_its_columns_when_it_shows(qtbot):
    """Columns fit their text once the window opens (measuring a hidden table would read
    every row of a long history)."""
    from medspa_desktop.ui.models import Column, RowTableModel
    from medspa_desktop.ui.widgets.table import fit_columns, make_table

    model = RowTableModel([Column("When", lambda r: r[0]), Column("What", lambda r: r[1])],
                          [("2026-11-23", "Botox Cosmetic, glabella and crow's feet")] * 500)
    view = make_table(model, "History")
    qtbot.addWidget(view)
    view.horizontalHeader().setStretchLastSection(False)
    fit_columns(view, maximum=600)
    narrow = view.columnWidth(1)
    view.show()
    qtbot.waitExposed(view)
    text = view.fontMetrics().horizontalAdvance("Botox Cosmetic, glabella and crow's feet")
    assert view.columnWidth(1) >= text > narrow


def test_the_first_window_fits_the_screen_it_opens_on(qtbot, demo_db):
    from PySide6.QtCore import QSettings

    QSettings().remove("main_window")  # a PC where the window was never opened
    w = MainWindow(staff("frontdesk"))
    qtbot.addWidget(w)
    w.show()
    room = w.screen().availableGeometry()
    assert w.frameGeometry().height() <= room.height() + 1 and w.width() <= room.width()


def test_front_desk_does_not_land_on_the_last_persons_clinical_tab(qtbot, demo_db):
    injector = MainWindow(staff("injector"))
    qtbot.addWidget(injector)
    injector.show_tab("treatments")
    injector.close()
    desk = MainWindow(staff("frontdesk"))
    qtbot.addWidget(desk)
    assert desk.current_tab_key() == "schedule"


def test_front_desk_reaches_the_inventory_from_the_view_menu(window):
    from medspa_desktop.ui.treatments.inventory_dialog import InventoryDialog
    from tests.ui.modal import answer_next_modal

    opened = []
    answer_next_modal(lambda dialog: (opened.append(isinstance(dialog, InventoryDialog)),
                                      dialog.reject()))
    assert window.inventory_action.isEnabled()
    window.inventory_action.trigger()
    assert opened == [True]


def test_a_narrow_window_elides_the_status_bar_instead_of_cutting_it(qtbot, demo_db):
    """In a narrow window a long database path and everyone signed in do not fit: each label
    keeps its start (the path its file name) with "…", and says the whole on hover."""
    window = MainWindow(staff("frontdesk"), remember=False)
    qtbot.addWidget(window)
    window.resize(800, 600)  # the offscreen screen's width
    window.show()
    for username in ("injector", "director", "admin", "laser1"):
        for room in ("Treatment Room 2", "Treatment Room 3"):
            presence.begin(staff(username), room)
    window.presence_label.refresh()
    window.db_label.setText(f"Database: /clinic/shared/drive/{'folder/' * 8}{demo_db.name}")
    labels = (window.clinic_label, window.presence_label, window.db_label)
    qtbot.waitUntil(lambda: all(label.width() >= label.minimumSizeHint().width()
                                for label in labels))  # laid out again for the new texts
    assert window.db_label.is_elided() and window.presence_label.is_elided()
    shown = window.db_label.shown_text()
    assert shown.startswith("Database: /") and shown.endswith(demo_db.name) and "…" in shown
    assert window.db_label.toolTip() == window.db_label.text()
    assert window.presence_label.shown_text().startswith("Also sign")
    assert window.presence_label.toolTip().count("Treatment Room 2") == 4
    window.grab().save(str(shots() / "narrow_status_bar.png"))
    for label in (window.clinic_label, window.user_label, window.presence_label,
                  window.db_label):
        right = label.mapTo(window, label.rect().topRight()).x()
        assert label.width() > 0 and right <= window.width()
    assert window.user_label.text() == "Signed in: Sam O'Neill (Front desk)"
    assert window.user_label.width() >= window.user_label.sizeHint().width()
