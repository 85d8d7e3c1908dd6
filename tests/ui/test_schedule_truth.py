"""The schedule tells the truth (issue 19): a patient's alerts on the block, the status shown
as plainly as the treatment, a provider's own day, the week of one provider counting theirs,
menus that keep their places and one name for each status step, and an empty book saying
what to do."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor, QHelpEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QPushButton, QToolTip

from medspa_desktop.services.charts import alerts, intake
from medspa_desktop.services.platform import auth
from medspa_desktop.services.scheduling import appointments
from medspa_desktop.ui import style
from medspa_desktop.ui.appointment_columns import STATUS_ACTIONS
from medspa_desktop.ui.main_window import QUICK_STATUSES
from medspa_desktop.ui.schedule.appointment_dialog import AppointmentDialog
from medspa_desktop.ui.schedule.tab import ScheduleTab
from tests.conftest import busy_weekday, staff
from tests.ui.test_schedule import _book, quiet_weekday


def _open(qtbot, user) -> ScheduleTab:
    widget = ScheduleTab(user)
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.fixture
def tab(qtbot, demo_db):
    return _open(qtbot, staff("frontdesk"))


def _pixels(tab, rect, colour: str) -> int:
    """How many pixels of ``rect`` (grid coordinates) are drawn in ``colour``."""
    image = tab.grid.grab().toImage()
    want = QColor(colour).rgb()
    return sum(1 for x in range(rect.left(), rect.right())
               for y in range(rect.top(), rect.bottom())
               if image.pixel(x, y) == want)


# -- alerts ------------------------------------------------------------------------------------
def test_a_patients_alert_shows_on_the_block_and_in_its_tooltip(tab, qtbot):
    day = quiet_weekday()
    appt = _book("Zoë", "injector", day, "10:00", minutes=45)
    tab.set_day(day)
    before = tab.grid.alerts.get(appt.id, ())
    assert not any(a.startswith("Allergies") for a in before)
    red = style.ALERT_BADGES["alert"][0]
    # the history is taken at the desk: the block gets its red triangle without F5
    intake.record_answers(staff("director"), appt.patient_id, {"allergies": "Latex, lidocaine"})
    qtbot.waitUntil(lambda: "Allergies: Latex, lidocaine" in tab.grid.alerts.get(appt.id, ()))
    assert tab.grid.alert_kind(appt.id) == "alert"
    badge = tab.grid.badge_rect(appt.id).toRect()
    assert tab.grid.block_rect(appt.id).contains(badge)
    assert _pixels(tab, badge, red) > 20
    tip = tab.grid.tooltip_for(appt.id)
    assert "Allergies: Latex, lidocaine" in tip and "Zoë" in tip and "10:00–10:45" in tip
    # hovering shows it
    where = tab.grid.block_rect(appt.id).center()
    QApplication.sendEvent(tab.grid, QHelpEvent(QEvent.Type.ToolTip, where,
                                                tab.grid.mapToGlobal(where)))
    qtbot.waitUntil(lambda: "Latex, lidocaine" in QToolTip.text())
    # and the list view has them in a column
    tab.set_view("day", "list")
    alerts_column = [tab.model.headerData(i, Qt.Orientation.Horizontal)
                     for i in range(tab.model.columnCount())].index("Alerts")
    texts = [tab.model.index(r, alerts_column).data() for r in range(tab.model.rowCount())]
    assert any("⚠ Allergies: Latex, lidocaine" in t for t in texts)


def test_every_block_of_a_busy_day_carries_the_alerts_the_booking_dialog_shows(tab):
    day = busy_weekday()
    tab.set_day(day)
    desk = staff("frontdesk")
    shown = [r for r in tab.rows if r.active]
    assert shown
    for row in shown:
        expected = tuple(alerts.booking_alerts(desk, row.patient_id, row.service_id, day))
        assert tab.grid.alerts.get(row.id, ()) == expected
        assert (tab.grid.badge_rect(row.id) is None) == (not expected)


# -- status ------------------------------------------------------------------------------------
def test_the_status_is_drawn_on_the_block_in_its_own_colour(tab, qtbot):
    day = quiet_weekday()
    appt = _book("Zoë", "injector", day, "10:00", minutes=60)
    tab.set_day(day)
    arrived = style.STATUS_PILLS["arrived"][0]
    rect = tab.grid.block_rect(appt.id)
    assert _pixels(tab, rect, arrived) == 0
    booked_border = _pixels(tab, rect, style.STATUS_BORDERS["booked"][0])
    desk = staff("frontdesk")
    appointments.change_status(desk, appt.id, "arrived",
                               appointments.get_appointment(desk, appt.id).version)
    qtbot.waitUntil(lambda: tab.shown(appt.id).status_key == "arrived")
    rect = tab.grid.block_rect(appt.id)
    assert _pixels(tab, rect, arrived) > 30  # the "Arrived" pill
    assert _pixels(tab, rect, style.STATUS_BORDERS["arrived"][0]) > booked_border
    # the legend names every status on the grid
    texts = [text for kind, text in tab.legend.entries() if kind.startswith("status:")]
    assert texts == ["Booked", "Confirmed", "Arrived", "In treatment", "Completed",
                     "Checked out"]


def test_the_legend_wraps_in_a_narrow_window_instead_of_cutting_its_words(tab, qtbot):
    tab.window().resize(800, 700)
    tab.window().show()
    qtbot.waitUntil(lambda: tab.legend.width() < 800)
    width = tab.legend.width()
    placed = tab.legend.placed(width)
    assert all(x + w <= width for _kind, _text, x, _line, w in placed)  # nothing cut off
    assert tab.legend.lines(width) == 2  # "reminder sent" and the rest start a second line
    qtbot.waitUntil(lambda: tab.legend.height() >= tab.legend.heightForWidth(width))
    tab.window().resize(1400, 700)
    qtbot.waitUntil(lambda: tab.legend.width() > 1300)
    assert tab.legend.lines(tab.legend.width()) == 1


# -- my day ------------------------------------------------------------------------------------
def test_a_provider_sees_their_own_day_and_it_is_remembered(qtbot, demo_db):
    injector = staff("injector")
    day = busy_weekday()
    mine = _open(qtbot, injector)
    assert mine.my_day_button.isVisible() and mine.my_day_button.isChecked()  # a provider's
    mine.set_day(day)
    assert [c.title for c in mine.grid.columns] == ["Priya Shah, RN"]
    assert mine.rows and all(r.provider_id == injector.id for r in mine.rows)
    everyone = {r.provider_id for r in appointments.day_schedule(injector, day)}
    assert len(everyone) > 1
    qtbot.mouseClick(mine.my_day_button, Qt.MouseButton.LeftButton)  # the whole clinic
    assert len(mine.grid.columns) > 1
    assert {r.provider_id for r in mine.rows} == everyone
    again = _open(qtbot, injector)  # remembered for this user
    assert not again.my_day_button.isChecked()
    # the medical director oversees the clinic: everyone's day until they choose theirs
    director = _open(qtbot, staff("director"))
    assert director.my_day_button.isVisible() and not director.my_day_button.isChecked()
    director.my_day_button.click()
    assert {r.provider_id for r in director.rows} <= {staff("director").id}
    # the front desk books for everyone: no such button
    desk = _open(qtbot, staff("frontdesk"))
    assert not desk.my_day_button.isVisible()


def test_my_day_has_a_shortcut_named_on_the_button(qtbot, demo_db):
    mine = _open(qtbot, staff("injector"))
    assert mine.my_day_button.shortcut() == QKeySequence("Ctrl+Shift+D")
    assert "Ctrl+Shift+D" in mine.my_day_button.toolTip()


# -- the week of one provider ------------------------------------------------------------------
def test_a_providers_week_counts_only_their_appointments(tab):
    day = busy_weekday()
    injector = staff("injector")
    tab.set_day(day)
    tab.set_view("week", "provider", injector.id)
    monday = dt.datetime.combine(day - dt.timedelta(days=day.weekday()), dt.time())
    week = appointments.schedule_between(injector, monday, monday + dt.timedelta(days=7))
    theirs = [r for r in week if r.provider_id == injector.id and r.active]
    assert len(theirs) < len([r for r in week if r.active])  # others work that week too
    assert tab.summary.text().startswith(f"{len(theirs)} appointment")
    assert all(r.provider_id == injector.id for r in tab.rows)


# -- menus -------------------------------------------------------------------------------------
def _menu(tab, appointment_id):
    return [(a.text(), a.isEnabled()) for a in tab.menu_for(appointment_id).actions()
            if not a.isSeparator()]


def test_the_appointment_menu_keeps_its_order_and_greys_what_cannot_be_done(tab):
    day = quiet_weekday()
    booked = _book("Zoë", "injector", day, "10:00")
    arrived = _book("Zoë", "injector", day, "11:00")
    desk = staff("frontdesk")
    appointments.change_status(desk, arrived.id, "arrived",
                               appointments.get_appointment(desk, arrived.id).version)
    tab.set_day(day)
    first, second = _menu(tab, booked.id), _menu(tab, arrived.id)
    assert [t for t, _ in first] == [t for t, _ in second]
    steps = [t for t, _ in first][2:9]
    assert steps == ["Confirm", "Mark arrived", "Start treatment", "Mark completed",
                     "Mark checked out", "Mark no-show", "Cancel…"]
    assert dict(first)["Start treatment"] is False and dict(first)["Confirm"] is True
    assert dict(second)["Start treatment"] is True and dict(second)["Confirm"] is False
    assert dict(first)["Check out and pay…"] is False


def test_each_status_step_has_one_name_everywhere(qtbot, tab):
    assert {status: label.replace("&", "") for status, label, _keys in QUICK_STATUSES} == \
        STATUS_ACTIONS
    appt = _book("Zoë", "injector", quiet_weekday(), "10:00")
    dialog = AppointmentDialog(staff("frontdesk"), appt.id)
    qtbot.addWidget(dialog)
    buttons = {b.text() for b in dialog.findChildren(QPushButton)}
    assert {"Confirm", "Mark arrived", "Cancel…", "Mark no-show"} <= buttons
    assert not buttons & {"Confirmed", "Arrived", "No-show"}


# -- empty -------------------------------------------------------------------------------------
def test_an_empty_day_says_how_to_book(tab, qtbot):
    day = quiet_weekday(400)
    tab.set_day(day)
    assert tab.rows == [] and tab.grid.columns  # the columns stay, to double-click a slot
    assert tab.grid.empty_text == f"No appointments on {day:%a %d %b} — press Ctrl+N to book."
    tab.set_view("day", "list")
    assert tab.stack.currentWidget() is tab.empty_list and tab.empty_list.isVisible()
    assert tab.empty_list.text() == tab.grid.empty_text
    _book("Zoë", "injector", day, "10:00")
    qtbot.waitUntil(lambda: tab.stack.currentWidget() is tab.table)  # the bus brought it in
    tab.set_view("day", "provider")
    assert tab.grid.empty_text == ""
    sunday = day + dt.timedelta(days=6 - day.weekday())
    tab.set_day(sunday)
    assert tab.grid.empty_text.startswith("The clinic is closed on Sundays")


def test_an_empty_clinic_says_where_providers_are_added(qtbot, admin):
    assert auth.providers() == []
    book = _open(qtbot, admin)
    assert book.grid.columns == []
    assert "File → Staff accounts…" in book.grid.empty_text
    book.set_view("day", "room")  # its default rooms, but nobody to book with
    assert "File → Staff accounts…" in book.grid.empty_text

