"""Rebooking at checkout: once the visit is paid, the next visit is proposed — the same
service and provider, the treatment's usual interval later — and one click books it. The
button is never where "Take payment" was, so a double-click on that cannot book."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QPushButton

from medspa_desktop.services.charts import patients
from medspa_desktop.services.platform import auth
from medspa_desktop.services.scheduling import appointments
from medspa_desktop.store.models import Appointment, Room, Service
from medspa_desktop.ui.billing.checkout_dialog import CheckoutDialog
from tests.conftest import give_consent


@pytest.fixture
def treated(admin):
    """Ann's Botox on Thursday morning with Dr Lee, treated, to check out; and the front desk."""
    desk = auth.create_user(admin, auth.UserInput("desk", "Dee Desk", "front_desk",
                                                  "long-enough"))
    lee = auth.create_user(admin, auth.UserInput("lee", "Mia Lee", "medical_director",
                                                 "long-enough", "Dr Lee", "MD"))
    ann = patients.create_patient(admin, patients.PatientInput("Ann", "Lee",
                                                               dt.date(1980, 1, 2)))
    day = dt.date.today()
    while day.weekday() != 3:  # this week's Thursday or the last: 90 days on is a Wednesday
        day -= dt.timedelta(days=1)
    start = dt.datetime.combine(day, dt.time(9))
    appt = appointments.book_appointment(admin, appointments.AppointmentInput(
        ann.id, Service.get(Service.name == "Botox Cosmetic").id, lee.id, start,
        start + dt.timedelta(minutes=30), Room.get(Room.name == "Room 1").id),
        override_reason="the test's day")
    give_consent(admin, ann.id, "neurotoxin")
    for status in ("arrived", "in_treatment", "completed"):
        appt = appointments.change_status(admin, appt.id, status, appt.version,
                                          reason="the test's day")
    return desk, appt


def pay_in_cash(qtbot, dialog: CheckoutDialog) -> None:
    pay = dialog.payments_panel
    pay.method.setCurrentIndex(pay.method.findData("cash"))
    pay.tendered.setText(pay.amount.text())
    qtbot.mouseClick(pay.pay_button, Qt.MouseButton.LeftButton)


def test_after_payment_the_next_visit_is_proposed_and_booked_with_one_click(qtbot, treated):
    desk, visit = treated
    dialog = CheckoutDialog(desk, visit.id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(dialog.issue_button, Qt.MouseButton.LeftButton)
    assert dialog.next_visit.isHidden()  # not before it is paid
    pay_button = dialog.payments_panel.pay_button
    where_pay_was = pay_button.mapTo(dialog, pay_button.rect().center())

    pay_in_cash(qtbot, dialog)
    assert dialog.payments_panel.view.balance_cents == 0
    assert dialog.next_visit.isVisible()
    wanted = visit.start + dt.timedelta(days=90)
    assert dialog.next_visit_text.text() == (
        f"Next Botox Cosmetic (every 3 months): {wanted:%a %d %b %Y} 09:00 with Dr Lee, "
        "Room 1.")
    # the second click of a double-click on "Take payment" lands on no button
    assert not isinstance(dialog.childAt(QPoint(where_pay_was)), QPushButton)

    qtbot.mouseClick(dialog.book_next_button, Qt.MouseButton.LeftButton)
    booked = Appointment.get((Appointment.patient == visit.patient_id)
                             & (Appointment.id != visit.id))
    assert (booked.start, booked.provider_id, booked.service_id) == (
        wanted, visit.provider_id, visit.service_id)
    assert dialog.next_visit_text.text() == (
        f"Booked: Botox Cosmetic {wanted:%a %d %b %Y} 09:00 with Dr Lee.")
    assert dialog.book_next_button.isHidden()


def test_closing_without_booking_books_nothing(qtbot, treated):
    desk, visit = treated
    dialog = CheckoutDialog(desk, visit.id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(dialog.issue_button, Qt.MouseButton.LeftButton)
    pay_in_cash(qtbot, dialog)
    assert dialog.next_visit.isVisible()
    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert Appointment.select().count() == 1
