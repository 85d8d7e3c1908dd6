"""One reason prompt everywhere: OK only once a reason is typed, Esc writes nothing, a refusal
shows in the prompt with the reason kept (and offered again after a stale edit), and it stops
typing at the services' limit."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt

from medspa_desktop.services.platform.text import MAX_REASON
from medspa_desktop.services.scheduling import appointments
from medspa_desktop.store.models import Appointment, AppointmentChange
from medspa_desktop.ui.widgets.reason_prompt import ReasonDialog
from tests.conftest import staff
from tests.ui.modal import answer_next_modal
from tests.ui.test_schedule import _book, quiet_weekday, tab  # noqa: F401 (fixture)


def test_ok_waits_for_a_reason_and_enter_then_accepts(qtbot):
    dialog = ReasonDialog("Cancel appointment", "Why is Zoë cancelling?")
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.ok_button.isEnabled()
    qtbot.keyClicks(dialog.text, "   ")
    assert not dialog.ok_button.isEnabled()  # blanks are no reason
    qtbot.keyClick(dialog.text, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.result() == 0
    qtbot.keyClicks(dialog.text, "feeling unwell")
    assert dialog.ok_button.isEnabled()
    qtbot.keyClick(dialog.text, Qt.Key.Key_Return)
    assert dialog.result() == dialog.DialogCode.Accepted
    assert dialog.reason() == "feeling unwell"


def test_the_reason_stops_at_the_services_limit(qtbot):
    dialog = ReasonDialog("Void invoice", "Why is invoice 12 void?")
    qtbot.addWidget(dialog)
    dialog.text.setPlainText("x" * (MAX_REASON + 300))
    assert len(dialog.text.toPlainText()) == MAX_REASON


def test_a_long_reason_wraps_instead_of_scrolling_sideways(qtbot):
    dialog = ReasonDialog("Archive chart", "Why is this chart archived?")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.text.setPlainText("registered twice at the desk " * 8)
    qtbot.waitUntil(lambda: dialog.text.document().size().height() > 1)
    assert not dialog.text.horizontalScrollBar().isVisible()
    assert dialog.text.blockCount() == 1  # one paragraph, shown on several lines
    assert dialog.text.document().size().height() >= 2


def test_esc_on_a_cancel_reason_writes_nothing(tab, qtbot):  # noqa: F811
    appt = _book("Zoë", "injector", quiet_weekday(), "10:00")
    tab.set_day(appt.start.date())
    tab.grid.select_appointment(appt.id)
    seen = []

    def escape(dialog):
        seen.append(type(dialog))
        qtbot.keyClicks(dialog.text, "half typed")
        qtbot.keyClick(dialog.text, Qt.Key.Key_Escape)

    answer_next_modal(escape)
    tab.set_status("cancelled")
    assert seen == [ReasonDialog]
    assert Appointment.get_by_id(appt.id).status == "booked"
    assert AppointmentChange.select().where(AppointmentChange.appointment == appt.id,
                                            AppointmentChange.kind != "booked").count() == 0


def test_a_refused_cancel_keeps_the_reason_typed_and_offers_it_again(tab, qtbot):  # noqa: F811
    appt = _book("Zoë", "injector", quiet_weekday(), "10:00")
    tab.set_day(appt.start.date())
    tab.grid.select_appointment(appt.id)
    # meanwhile, on another workstation, the visit is moved
    appointments.move_appointment(staff("frontdesk"), appt.id, appt.version,
                                  appt.start + dt.timedelta(minutes=30),
                                  appt.end + dt.timedelta(minutes=30))
    seen = {}

    def type_and_ok(dialog):
        qtbot.keyClicks(dialog.text, "Feeling unwell, rebook next week")
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        seen["open"] = dialog.isVisible()
        seen["message"] = dialog.message.text()
        seen["kept"] = dialog.text.toPlainText()
        dialog.reject()

    answer_next_modal(type_and_ok)
    tab._status(appt.id, "cancelled")
    assert seen["open"] and seen["message"] and seen["kept"] == "Feeling unwell, rebook next week"
    assert Appointment.get_by_id(appt.id).status == "booked"

    # the schedule shows the visit as it is now; cancelling again offers the same reason
    def ok_as_offered(dialog):
        seen["offered"] = dialog.text.toPlainText()
        dialog.ok_button.click()

    answer_next_modal(ok_as_offered)
    tab._status(appt.id, "cancelled")
    assert seen["offered"] == "Feeling unwell, rebook next week"
    saved = Appointment.get_by_id(appt.id)
    assert saved.status == "cancelled" and saved.cancel_reason == seen["offered"]

    # once accepted it is not offered again
    dialog = ReasonDialog("Cancel appointment", "Why?", key=("appointment.cancel", appt.id))
    qtbot.addWidget(dialog)
    assert dialog.text.toPlainText() == ""


def test_a_move_that_needs_a_reason_cannot_go_without_one_and_esc_puts_it_back(tab, qtbot):  # noqa: F811
    from PySide6.QtCore import QPoint

    from tests.ui.test_schedule import _column, _drag

    day = quiet_weekday()
    moving = _book("Zoë", "injector", day, "10:00", room="Room 1")
    _book("Amélie", "injector", day, "11:00", room="Room 2")
    tab.set_day(day)
    seen = {}

    def blank_then_escape(dialog):
        seen["type"] = type(dialog)
        qtbot.keyClick(dialog.text, Qt.Key.Key_Return)  # no reason: nothing happens
        seen["still open"] = dialog.isVisible()
        seen["ok"] = dialog.ok_button.isEnabled()
        qtbot.keyClick(dialog.text, Qt.Key.Key_Escape)

    answer_next_modal(blank_then_escape)
    target = tab.grid.slot_point(_column(tab, "Priya Shah, RN"), dt.time(11, 0))
    _drag(qtbot, tab.grid, moving.id, QPoint(target.x(), target.y() - tab.grid.row_h // 2 + 6))
    qtbot.waitUntil(lambda: "type" in seen)
    assert seen == {"type": ReasonDialog, "still open": True, "ok": False}
    assert Appointment.get_by_id(moving.id).start == moving.start
    rect = tab.grid.block_rect(moving.id)  # drawn back where it was
    at = tab.grid.slot_point(_column(tab, "Priya Shah, RN"), dt.time(10, 0))
    assert rect.top() <= at.y() <= rect.bottom()
