"""The Schedule tab over the demo clinic: the grid, booking, dragging, the context menu,
walk-ins and the waitlist, driven like a person at the front desk would."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QMenu

from medspa_desktop.services.platform import auth
from medspa_desktop.services.scheduling import appointments, hours, waitlist
from medspa_desktop.store.models import Appointment, Patient, Room, Service
from medspa_desktop.ui.schedule.booking_dialog import BookingDialog
from medspa_desktop.ui.schedule.tab import ScheduleTab
from medspa_desktop.ui.schedule.walk_in import WalkInDialog
from tests.conftest import busy_weekday, staff
from tests.ui.modal import answer_next_modal


def quiet_weekday(days_ahead: int = 45) -> dt.date:
    """A future open day past the demo's booked range."""
    day = dt.date.today() + dt.timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


@pytest.fixture
def tab(qtbot, demo_db):
    widget = ScheduleTab(staff("frontdesk"))
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _book(patient_name: str, provider: str, day: dt.date, start: str, minutes: int = 30,
          room: str = "Room 1", service: str = "Botox Cosmetic"):
    h, m = map(int, start.split(":"))
    begin = dt.datetime.combine(day, dt.time(h, m))
    return appointments.book_appointment(staff("frontdesk"), appointments.AppointmentInput(
        Patient.get(Patient.first_name == patient_name).id, Service.get(Service.name == service).id,
        staff(provider).id, begin, begin + dt.timedelta(minutes=minutes),
        Room.get(Room.name == room).id))


def _column(tab, title: str) -> int:
    return [c.title for c in tab.grid.columns].index(title)


def test_the_day_grid_has_a_column_per_working_provider_and_a_block_per_appointment(tab):
    day = busy_weekday()
    tab.set_day(day)
    working = [u.display_name for u in auth.providers()
               if hours.working_span(u.id, day) is not None]
    titles = [c.title for c in tab.grid.columns]
    assert set(working) <= set(titles)
    active = [r for r in tab.rows if r.active]
    assert len(active) > 5
    assert all(tab.grid.block_rect(r.id) is not None for r in active)
    assert all(tab.grid.block_rect(r.id) is None for r in tab.rows if not r.active)
    # a block sits in its provider's column, at its time
    first = active[0]
    rect = tab.grid.block_rect(first.id)
    point = tab.grid.slot_point(_column(tab, first.provider), first.start.time())
    assert rect.contains(QPoint(rect.center().x(), point.y()))
    assert abs(rect.center().x() - point.x()) <= 3


def test_rooms_devices_and_list_views(tab):
    tab.set_day(busy_weekday())
    tab.set_view("day", "room")
    assert [c.title for c in tab.grid.columns] == [  # in the clinic's order (set up so)
        "Room 1", "Room 2", "Room 3", "Room 4", "Laser suite"]
    tab.set_view("day", "device")
    assert len(tab.grid.columns) == 3
    tab.set_view("day", "list")
    model = tab.model
    assert model.rowCount() == len(tab.rows) > 5
    starts = [model.row_at(i).start for i in range(model.rowCount())]
    assert starts == sorted(starts)
    first = model.row_at(0)
    assert model.index(0, 0).data() == f"{first.start:%H:%M}–{first.end:%H:%M}"


def test_a_week_view_for_one_provider(tab):
    director = staff("director")
    tab.set_day(busy_weekday())
    tab.set_view("week", "provider", director.id)
    days = [c.day for c in tab.grid.columns]
    assert len(days) == 6 and days[0].weekday() == 0 and days == sorted(days)
    shown = [r for r in tab.rows if tab.grid.block_rect(r.id) is not None]
    assert shown and all(r.provider_id == director.id for r in shown)
    before = days[0]
    tab.shift(1)
    assert tab.grid.columns[0].day == before + dt.timedelta(days=7)


def test_booking_through_the_dialog(qtbot, demo_db):
    day = quiet_weekday()
    start = dt.datetime.combine(day, dt.time(10, 0))
    dialog = BookingDialog(staff("frontdesk"), start, provider_id=staff("injector").id,
                           room_id=Room.get(Room.name == "Room 2").id)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.problems.text() == "Choose the patient."
    qtbot.keyClicks(dialog.picker.search, "o'brien")
    dialog.picker.refresh()
    dialog.picker.results.setCurrentRow(0)
    chosen = dialog.picker.patient_id
    assert chosen is not None and dialog.problems.isHidden()
    dialog.service.setCurrentIndex(dialog.service.findData(
        Service.get(Service.name == "Juvederm Ultra XC").id))
    assert dialog.minutes.value() == 60
    assert dialog.provider.currentText() == "Priya Shah, RN"
    assert not dialog.device.isEnabled()
    qtbot.mouseClick(dialog.book_button, Qt.MouseButton.LeftButton)
    appt = dialog.appointment
    assert appt is not None and dialog.result() == dialog.DialogCode.Accepted
    saved = Appointment.get_by_id(appt.id)
    assert (saved.patient_id, saved.start, saved.end) == (
        chosen, start, start + dt.timedelta(minutes=60))


def test_the_dialog_names_a_clash_before_booking_and_books_nothing(qtbot, demo_db):
    day = quiet_weekday()
    taken = _book("Zoë", "director", day, "10:00", room="Room 2")
    dialog = BookingDialog(staff("frontdesk"), taken.start, provider_id=staff("injector").id,
                           room_id=taken.room_id)
    qtbot.addWidget(dialog)
    dialog.show()
    other = Patient.select().where(Patient.id != taken.patient_id).first()
    dialog.picker.set_patient(other.id, other.last_name)
    assert dialog.problems.text().startswith("Room 2 is booked 10:00–10:30 for Botox Cosmetic "
                                             "with Dr Vasquez.")
    assert dialog.reason.isHidden()  # a room clash cannot be overridden
    before = Appointment.select().count()
    qtbot.mouseClick(dialog.book_button, Qt.MouseButton.LeftButton)
    assert dialog.appointment is None and Appointment.select().count() == before


def test_double_clicking_an_empty_slot_opens_the_booking_dialog_there(tab, qtbot):
    day = quiet_weekday()
    tab.set_day(day)
    column = _column(tab, "Priya Shah, RN")
    seen = {}

    def look(dialog):
        seen.update(start=dialog.data().start, provider=dialog.provider.currentText())
        dialog.reject()

    answer_next_modal(look)
    qtbot.mouseDClick(tab.grid, Qt.MouseButton.LeftButton,
                      pos=tab.grid.slot_point(column, dt.time(11, 30)))
    assert seen == {"start": dt.datetime.combine(day, dt.time(11, 30)),
                    "provider": "Priya Shah, RN"}


def _read_next_message() -> list[str]:
    """The text of the next message box, once it has been shown and closed."""
    said: list[str] = []

    def read_and_close(box):
        said.append(box.text())
        box.accept()

    answer_next_modal(read_and_close)
    return said


def _drag(qtbot, grid, appointment_id: int, to: QPoint) -> None:
    rect = grid.block_rect(appointment_id)
    start = QPoint(rect.center().x(), rect.top() + 6)
    qtbot.mousePress(grid, Qt.MouseButton.LeftButton, pos=start)
    for step in range(1, 6):
        qtbot.mouseMove(grid, start + (to - start) * step / 5)
    qtbot.mouseRelease(grid, Qt.MouseButton.LeftButton, pos=to)


def test_dragging_a_block_moves_the_appointment(tab, qtbot):
    day = quiet_weekday()
    appt = _book("Zoë", "injector", day, "10:00")
    tab.set_day(day)
    target = tab.grid.slot_point(_column(tab, "Priya Shah, RN"), dt.time(11, 0))
    _drag(qtbot, tab.grid, appt.id, QPoint(target.x(), target.y() - tab.grid.row_h // 2 + 6))
    saved = Appointment.get_by_id(appt.id)
    assert saved.start == dt.datetime.combine(day, dt.time(11, 0))
    assert saved.end == dt.datetime.combine(day, dt.time(11, 30))
    assert "Moved from" in appointments.history(staff("frontdesk"), appt.id)[-1].text


def test_a_refused_drag_says_why_and_leaves_the_appointment_where_it_was(tab, qtbot):
    day = quiet_weekday()
    moving = _book("Zoë", "injector", day, "10:00", room="Room 1")
    _book("Amélie", "director", day, "11:00", room="Room 1")
    tab.set_day(day)
    said = _read_next_message()
    target = tab.grid.slot_point(_column(tab, "Priya Shah, RN"), dt.time(11, 0))
    _drag(qtbot, tab.grid, moving.id, QPoint(target.x(), target.y() - tab.grid.row_h // 2 + 6))
    qtbot.waitUntil(lambda: bool(said))
    assert said[0].startswith("Room 1 is booked 11:00–11:30 for Botox Cosmetic with Dr Vasquez")
    assert Appointment.get_by_id(moving.id).start == dt.datetime.combine(day, dt.time(10, 0))
    assert tab.grid.block_rect(moving.id).top() < target.y()


def test_changing_status_from_the_blocks_context_menu(tab, qtbot):
    day = quiet_weekday()
    appt = _book("Zoë", "injector", day, "10:00")
    tab.set_day(day)

    def choose_arrived(menu: QMenu):
        action = next(a for a in menu.actions() if a.text() == "Mark arrived")
        menu.close()
        # the demo's patient may have something due: the check-in panel, then Check in
        answer_next_modal(lambda panel: panel.check_in_button.click())
        action.trigger()

    answer_next_modal(choose_arrived, popup=True)
    qtbot.mouseClick(tab.grid, Qt.MouseButton.RightButton,
                     pos=tab.grid.block_rect(appt.id).center())
    qtbot.waitUntil(lambda: Appointment.get_by_id(appt.id).status == "arrived")
    assert tab.selected().status == "Arrived"


def test_a_walk_in_is_booked_and_checked_in(qtbot, demo_db):
    arrival = dt.datetime.combine(quiet_weekday(), dt.time(10, 7))
    dialog = WalkInDialog(staff("frontdesk"), clock=lambda: arrival)
    qtbot.addWidget(dialog)
    dialog.show()
    patient = Patient.get(Patient.first_name == "Zoë")
    dialog.picker.set_patient(patient.id, patient.last_name)
    qtbot.mouseClick(dialog.book_button, Qt.MouseButton.LeftButton)
    saved = Appointment.get_by_id(dialog.appointment.id)
    assert (saved.status, saved.patient_id, saved.start) == ("arrived", patient.id, arrival)


def test_a_walk_in_with_nobody_free_says_when_to_come_back(qtbot, demo_db):
    sunday = quiet_weekday() + dt.timedelta(days=6 - quiet_weekday().weekday())
    dialog = WalkInDialog(staff("frontdesk"),
                          clock=lambda: dt.datetime.combine(sunday, dt.time(11)))
    qtbot.addWidget(dialog)
    dialog.show()
    patient = Patient.get(Patient.first_name == "Zoë")
    dialog.picker.set_patient(patient.id, patient.last_name)
    qtbot.mouseClick(dialog.book_button, Qt.MouseButton.LeftButton)
    assert dialog.appointment is None
    assert dialog.message.text().startswith("Nobody is free for Botox Cosmetic in the next 30 "
                                            "minutes. The next opening is Mon ")


def test_a_drag_of_a_stale_copy_is_refused_and_the_view_refreshes(tab, qtbot):
    day = quiet_weekday()
    appt = _book("Zoë", "injector", day, "10:00")
    tab.set_day(day)
    # another workstation moves it to 14:00 after this one drew the grid
    appointments.move_appointment(staff("admin"), appt.id, appt.version,
                                  dt.datetime.combine(day, dt.time(14)),
                                  dt.datetime.combine(day, dt.time(14, 30)))
    said = _read_next_message()
    target = tab.grid.slot_point(_column(tab, "Priya Shah, RN"), dt.time(11, 0))
    _drag(qtbot, tab.grid, appt.id, QPoint(target.x(), target.y() - tab.grid.row_h // 2 + 6))
    qtbot.waitUntil(lambda: bool(said))
    assert said[0].startswith("This appointment was changed on another workstation (")
    assert "moved it to" in said[0] and said[0].endswith("the schedule has been refreshed.")
    assert Appointment.get_by_id(appt.id).start.hour == 14
    refreshed = tab.grid.block_rect(appt.id)
    assert refreshed.top() > tab.grid.slot_point(0, dt.time(13, 45)).y()


def test_cancelling_offers_the_slot_to_the_waitlist(tab, qtbot):
    day = quiet_weekday()
    appt = _book("Zoë", "injector", day, "10:00")
    waiting = Patient.get(Patient.first_name == "Amélie")
    entry = waitlist.add(staff("frontdesk"), waitlist.WaitlistInput(
        waiting.id, Service.get(Service.name == "Botox Cosmetic").id, day, day,
        day_part="morning"))
    tab.set_day(day)
    tab.grid.select_appointment(appt.id)

    def give_reason(dialog):
        dialog.text.setPlainText("Feeling unwell")
        answer_next_modal(lambda offer: offer.book_button.click())
        dialog.accept()

    answer_next_modal(give_reason)
    tab.set_status("cancelled")
    qtbot.waitUntil(lambda: entry.__class__.get_by_id(entry.id).status == "booked")
    assert Appointment.get_by_id(appt.id).cancel_reason == "Feeling unwell"
    rebooked = Appointment.get(Appointment.patient == waiting.id,
                               Appointment.start == dt.datetime.combine(day, dt.time(10)))
    assert rebooked.status == "booked"


def test_an_overridable_drag_asks_for_a_reason(tab, qtbot):
    day = quiet_weekday()
    moving = _book("Zoë", "injector", day, "10:00", room="Room 1")
    _book("Amélie", "injector", day, "11:00", room="Room 2")
    tab.set_day(day)

    def reason(dialog):
        dialog.text.setPlainText("Quick top-up, patient is waiting")
        dialog.accept()

    answer_next_modal(reason)
    target = tab.grid.slot_point(_column(tab, "Priya Shah, RN"), dt.time(11, 0))
    _drag(qtbot, tab.grid, moving.id, QPoint(target.x(), target.y() - tab.grid.row_h // 2 + 6))
    qtbot.waitUntil(lambda: Appointment.get_by_id(moving.id).start.hour == 11)




def test_blocking_time_from_an_empty_slot_and_lifting_it(tab, qtbot):
    day = quiet_weekday()
    tab.set_day(day)
    column = _column(tab, "Priya Shah, RN")

    def choose_block(menu: QMenu):
        action = next(a for a in menu.actions() if a.text().startswith("Block Priya Shah"))
        menu.close()

        def fill(dialog):
            assert dialog.target.currentText() == "Priya Shah, RN (time off)"
            dialog.end.setTime(dialog.start.time().addSecs(90 * 60))
            dialog.save()  # no reason yet
            assert dialog.message.text().startswith("Give a reason for the blocked time")
            dialog.reason.setText("Training <session> & lunch")
            dialog.save_button.click()

        answer_next_modal(fill)
        action.trigger()

    answer_next_modal(choose_block, popup=True)
    qtbot.mouseClick(tab.grid, Qt.MouseButton.RightButton,
                     pos=tab.grid.slot_point(column, dt.time(12, 0)))
    qtbot.waitUntil(lambda: len(tab.grid.blocks) == 1)
    block = tab.grid.blocks[0]
    assert (block.start.time(), block.end.time(), block.reason) == (
        dt.time(12), dt.time(13, 30), "Training <session> & lunch")
    with pytest.raises(Exception, match=r"Priya Shah, RN is off 12:00–13:30"):
        _book("Zoë", "injector", day, "12:30")

    def lift(menu: QMenu):
        action = next(a for a in menu.actions() if a.text() == "Lift this blocked time")
        menu.close()
        action.trigger()

    answer_next_modal(lift, popup=True)
    qtbot.mouseClick(tab.grid, Qt.MouseButton.RightButton,
                     pos=tab.grid.slot_point(column, dt.time(12, 30)))
    qtbot.waitUntil(lambda: tab.grid.blocks == [])
    _book("Zoë", "injector", day, "12:30")


def test_clinic_settings_change_the_hours_the_grid_shows(qtbot, demo_db):
    from medspa_desktop.ui.settings_dialog import ClinicSettingsDialog

    dialog = ClinicSettingsDialog(staff("admin"))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.day_hours[5].setText("10:00-16:00")
    dialog.day_hours[6].setText("11:00-ish")
    dialog.slot.setCurrentIndex(dialog.slot.findData(10))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.message.text() == "'11:00-ish' is not opening hours like 09:00-18:00."
    assert hours.clinic_hours_text()[5] == "09:00-14:00"  # nothing saved
    dialog.day_hours[6].setText("closed")
    dialog.consent_months.setValue(18)
    dialog.consent_current.setChecked(False)
    assert dialog.retail_tax.text() == "7%"  # the demo's
    dialog.retail_tax.setText("8.875%")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.message.text() == "The retail tax percent has at most two decimals."
    dialog.retail_tax.setText("8.25")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == dialog.DialogCode.Accepted
    from medspa_desktop.services.billing import invoices

    assert invoices.tax_rates() == invoices.TaxRates(services_bp=0, retail_bp=825)
    assert hours.clinic_hours_text()[5] == "10:00-16:00" and hours.slot_minutes() == 10
    from medspa_desktop.services.consents import consent_policy

    assert consent_policy.policy() == consent_policy.Policy(18, False)
    tab = ScheduleTab(staff("frontdesk"))
    qtbot.addWidget(tab)
    saturday = quiet_weekday() + dt.timedelta(days=5 - quiet_weekday().weekday())
    tab.set_day(saturday)
    tab.set_view("day", "room")
    assert (tab.grid.first, tab.grid.last, tab.grid.step) == (dt.time(10), dt.time(16), 10)


def test_front_desk_cannot_change_clinic_settings(demo_db):
    from medspa_desktop.services.clinic import clinic
    from medspa_desktop.services.platform.errors import PermissionDenied

    with pytest.raises(PermissionDenied, match="may not change rooms, devices and services"):
        clinic.save_settings(staff("frontdesk"), {5: "08:00-20:00"}, 15, 24, "a4")
    assert hours.clinic_hours_text()[5] == "09:00-14:00"


def test_dragging_a_blocks_bottom_edge_changes_its_length(tab, qtbot):
    day = quiet_weekday()
    appt = _book("Zoë", "injector", day, "10:00")
    tab.set_day(day)
    rect = tab.grid.block_rect(appt.id)
    edge = QPoint(rect.center().x(), rect.bottom() - 2)
    target = tab.grid.slot_point(_column(tab, "Priya Shah, RN"), dt.time(10, 45))
    qtbot.mousePress(tab.grid, Qt.MouseButton.LeftButton, pos=edge)
    for step in range(1, 5):
        qtbot.mouseMove(tab.grid, QPoint(edge.x(), edge.y() + (target.y() - edge.y()) * step
                                         // 4))
    qtbot.mouseRelease(tab.grid, Qt.MouseButton.LeftButton, pos=QPoint(edge.x(), target.y()))
    saved = Appointment.get_by_id(appt.id)
    assert (saved.start.time(), saved.end.time()) == (dt.time(10), dt.time(11))
