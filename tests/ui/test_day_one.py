"""Day one of a clinic that just installed the program, through the screens its staff use
(no demo, no service calls but to read back what the screens wrote): the first run, the
clinic's services, rooms, laser and providers, a patient registered, booked, consented,
treated and charted, checked out and paid, and the day closed on paper."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMenu

from medspa_desktop.services.clinic import catalog
from medspa_desktop.services.scheduling import hours
from medspa_desktop.store.models import (
    Appointment,
    Consent,
    Invoice,
    Payment,
    Room,
    Service,
    TreatmentRecord,
    User,
)
from medspa_desktop.ui.billing.checkout_dialog import CheckoutDialog
from medspa_desktop.ui.billing.tab import BillingTab
from medspa_desktop.ui.first_run import FirstRunDialog
from medspa_desktop.ui.first_setup import FirstSetupDialog
from medspa_desktop.ui.patients.new_patient import NewPatientDialog
from medspa_desktop.ui.schedule.booking_dialog import BookingDialog
from medspa_desktop.ui.schedule.tab import ScheduleTab
from medspa_desktop.ui.treatments.record_dialog import TreatmentRecordDialog
from tests.ui.modal import answer_next_modal, expect_preview
from tests.ui.test_consents import fill_and_sign
from tests.ui.test_first_run_and_login import _fill_new_clinic

LASER_HAIR = "Laser hair reduction, small area"


def click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def next_weekday(days_ahead: int = 7) -> dt.date:
    day = dt.date.today() + dt.timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def add_provider(qtbot, step, name: str, username: str, categories: list[str]) -> None:
    qtbot.keyClicks(step.full_name, name)
    qtbot.keyClicks(step.username, username)
    qtbot.keyClicks(step.password, "long-enough")
    qtbot.keyClicks(step.confirm, "long-enough")
    for key in categories:
        step.categories.boxes[key].setChecked(True)
    step.hours.own.setChecked(True)
    for day in (5, 6):
        step.hours.set_day(day, "off")
    click(qtbot, step.add_button)
    assert step.message.isHidden(), step.message.text()


def menu_action(tab: ScheduleTab, appointment_id: int, text: str) -> None:
    """Choose ``text`` from the appointment's right-click menu, as a person would."""

    def choose(menu: QMenu) -> None:
        action = next(a for a in menu.actions() if a.text() == text)
        menu.close()
        action.trigger()

    answer_next_modal(choose, popup=True)
    tab.show_menu(appointment_id, tab.mapToGlobal(tab.rect().center()))


def test_day_one_from_an_empty_file_to_the_daily_close(qtbot, database):
    # -- the first run: the clinic's name and its admin
    first = FirstRunDialog("clinic.db")
    qtbot.addWidget(first)
    first.show()
    _fill_new_clinic(qtbot, first)
    click(qtbot, first.ok)
    owner = first.user
    assert owner is not None and catalog.services() == [] and catalog.rooms() == []

    # -- then the setup: three priced services, two rooms, one laser, two providers
    setup = FirstSetupDialog(owner)
    qtbot.addWidget(setup)
    setup.show()
    services = setup.services
    click(qtbot, services.keep_none_button)
    for name, price in (("Botox Cosmetic", "13.00"), (LASER_HAIR, "180.00"),
                        ("Chemical peel, medium", "240.00")):
        row = services.row_of(name)
        services.set_kept(row, True)
        services.prices[row].clear()
        qtbot.keyClicks(services.prices[row], price)
    click(qtbot, setup.save_button)
    setup.rooms.rooms.clear()
    qtbot.keyClicks(setup.rooms.rooms, "Treatment room")
    qtbot.keyClick(setup.rooms.rooms, Qt.Key.Key_Return)
    qtbot.keyClicks(setup.rooms.rooms, "Laser room")
    qtbot.keyClicks(setup.rooms.device_names[0], "GentleMax Pro")
    kinds = setup.rooms.device_kinds[0]
    kinds.setCurrentIndex(kinds.findData("alexandrite"))
    click(qtbot, setup.save_button)
    add_provider(qtbot, setup.providers, "Maya Vasquez", "maya", ["neurotoxin", "laser_hair"])
    add_provider(qtbot, setup.providers, "Jo Kim", "jo", ["peel_microneedling", "laser_hair"])
    click(qtbot, setup.save_button)  # Finish
    assert setup.result() == setup.DialogCode.Accepted
    assert {s.name: s.price_cents for s in catalog.services()} == {
        "Botox Cosmetic": 1300, LASER_HAIR: 18000, "Chemical peel, medium": 24000}
    assert [r.name for r in catalog.rooms()] == ["Treatment room", "Laser room"]
    assert [u.display_name for u in hours.providers_for("laser_hair")] == ["Jo Kim",
                                                                           "Maya Vasquez"]
    maya = User.get(User.username == "maya")

    # -- a patient registered at the front desk
    new = NewPatientDialog(owner)
    qtbot.addWidget(new)
    new.show()
    qtbot.keyClicks(new.first_name, "Amelie")
    qtbot.keyClicks(new.last_name, "Laurent")
    qtbot.keyClicks(new.dob, "04/12/1988")
    qtbot.keyClicks(new.phone, "(239) 555-0188")
    click(qtbot, new.save_button)
    patient = new.patient
    assert patient is not None

    # -- booked for laser hair reduction with Maya in the laser room on the laser
    day = next_weekday()
    start = dt.datetime.combine(day, dt.time(10))
    laser_room = Room.get(Room.name == "Laser room")
    booking = BookingDialog(owner, start, provider_id=maya.id, room_id=laser_room.id)
    qtbot.addWidget(booking)
    booking.show()
    booking.picker.set_patient(patient.id, patient.last_name)
    booking.service.setCurrentIndex(booking.service.findData(
        Service.get(Service.name == LASER_HAIR).id))
    assert booking.device.currentText() == "GentleMax Pro"
    click(qtbot, booking.book_button)
    assert booking.appointment is not None, booking.problems.text()
    visit = booking.appointment.id

    # -- arrives, signs the consent, is treated and charted by Maya
    desk = ScheduleTab(owner)
    qtbot.addWidget(desk)
    desk.resize(1200, 800)
    desk.show()
    desk.set_day(day)
    due_at_check_in = []

    def sign_at_check_in(panel) -> None:  # the check-in panel: no consent, no history yet
        due_at_check_in.extend([panel.consent.label.text(), panel.history.label.text()])
        answer_next_modal(lambda dialog: fill_and_sign(qtbot, dialog))
        click(qtbot, panel.consent.button)
        click(qtbot, panel.check_in_button)

    def arrive(menu: QMenu) -> None:
        action = next(a for a in menu.actions() if a.text() == "Mark arrived")
        menu.close()
        answer_next_modal(sign_at_check_in)
        action.trigger()

    answer_next_modal(arrive, popup=True)
    desk.show_menu(visit, desk.mapToGlobal(desk.rect().center()))
    qtbot.waitUntil(lambda: Appointment.get_by_id(visit).status == "arrived")
    assert due_at_check_in == ["There is no signed laser hair reduction consent on file.",
                               "No medical history on file"]
    assert Consent.select().where(Consent.patient == patient.id).exists()

    treating = ScheduleTab(maya)
    qtbot.addWidget(treating)
    treating.resize(1200, 800)
    treating.show()
    treating.set_day(day)
    menu_action(treating, visit, "Start treatment")
    qtbot.waitUntil(lambda: Appointment.get_by_id(visit).status == "in_treatment")

    def chart(dialog: TreatmentRecordDialog) -> None:
        values = {"device": "GentleMax Pro", "wavelength_nm": "755", "fluence": "18",
                  "spot_mm": "15", "pulse_ms": "3", "passes": "1", "areas": "Underarms",
                  "fitzpatrick": "2"}
        for key, text in values.items():
            dialog.fields[key].clear()
            qtbot.keyClicks(dialog.fields[key], text)
        for key, choice in (("cooling", "cryogen spray"), ("test_spot", "no reaction")):
            dialog.fields[key].setCurrentIndex(dialog.fields[key].findText(choice))
        dialog.save_button.click()

    answer_next_modal(chart)
    menu_action(treating, visit, "Chart treatment…")
    qtbot.waitUntil(lambda: TreatmentRecord.select().where(
        TreatmentRecord.appointment == visit).exists())
    menu_action(treating, visit, "Mark completed")
    qtbot.waitUntil(lambda: Appointment.get_by_id(visit).status == "completed")

    # -- checked out and paid in full by card at the front desk
    def pay(dialog: CheckoutDialog) -> None:
        dialog.issue_button.click()
        panel = dialog.payments_panel
        panel.method.setCurrentIndex(panel.method.findData("card"))
        total = Invoice.get(Invoice.appointment == visit).total_cents
        panel.amount.setText(f"{total / 100:.2f}")
        panel.last4.setText("4242")
        panel.auth.setText("ok77")
        panel.take_payment()
        assert "Balance due $0.00" in panel.summary.text(), panel.message.text()
        click(qtbot, dialog.close_button)  # nothing owed: closes without asking

    answer_next_modal(pay)
    menu_action(desk, visit, "Check out and pay…")
    qtbot.waitUntil(lambda: Appointment.get_by_id(visit).status == "checked_out")
    invoice = Invoice.get(Invoice.appointment == visit)
    paid = Payment.get(Payment.invoice == invoice.id)
    assert invoice.total_cents >= 18000 and paid.amount_cents == invoice.total_cents

    # -- and the day closed on paper: the payment is in it
    billing = BillingTab(owner)
    qtbot.addWidget(billing)
    printed = expect_preview()
    billing.daily_close(dt.date.today(), "0")
    qtbot.waitUntil(lambda: bool(printed))
    paper = printed[0]
    total = f"${invoice.total_cents / 100:,.2f}"
    assert f"Daily close {dt.date.today():%A %d %B %Y}" in paper
    assert f"Sales by provider Maya Vasquez {total}" in paper
    assert f"Payments by method (less refunds) Card {total}" in paper
    assert "Invoices 1 " in paper
