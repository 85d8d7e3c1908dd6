"""Appointment → To confirm…: tomorrow's unconfirmed visits with phone numbers; "Confirmed
by phone" in one click takes the visit off the list and moves to the next; "No answer" is
kept and shown."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt

from medspa_desktop.services.scheduling import appointments
from medspa_desktop.store.models import Appointment
from medspa_desktop.ui.messaging.to_confirm import ToConfirmDialog
from tests.conftest import shots, staff


def _open_day_ahead() -> dt.date:
    day = dt.date.today() + dt.timedelta(days=1)
    while day.weekday() == 6:
        day += dt.timedelta(days=1)
    return day


def test_confirmed_by_phone_in_one_click_and_no_answer_kept(qtbot, demo_db):
    desk = staff("frontdesk")
    day = _open_day_ahead()
    dialog = ToConfirmDialog(desk, day=day)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    booked = [a for a in appointments.day_schedule(desk, day) if a.status_key == "booked"]
    assert dialog.model.rowCount() == len(booked) > 1
    assert dialog.count.text() == f"{len(booked)} appointments to confirm"
    first = dialog.selected()
    assert first is not None and first.start == min(a.start for a in booked)
    assert first.phone.startswith("(")
    assert dialog.grab().save(str(shots() / "to_confirm.png"))

    qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    assert Appointment.get_by_id(first.appointment_id).status == "confirmed"
    qtbot.waitUntil(lambda: dialog.model.rowCount() == len(booked) - 1)
    assert first.appointment_id not in {r.appointment_id for r in dialog.model.rows()}
    second = dialog.selected()
    assert second is not None

    qtbot.mouseClick(dialog.no_answer_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.model.rows()[0].state.endswith(
        f"no answer ({desk.display_name})"))
    assert dialog.selected().appointment_id == dialog.model.rows()[1].appointment_id  # next
    assert Appointment.get_by_id(second.appointment_id).status == "booked"
    assert dialog.model.rowCount() == len(booked) - 1
    assert dialog.grab().save(str(shots() / "to_confirm_after.png"))


def test_an_empty_clinic_has_nothing_to_confirm(qtbot, admin):
    dialog = ToConfirmDialog(admin)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.model.rowCount() == 0
    assert not dialog.confirm_button.isEnabled() and not dialog.no_answer_button.isEnabled()
