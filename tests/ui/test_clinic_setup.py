"""File → Clinic setup… on a clinic that has just been installed (no demo, no default
catalog): its details and logo, two rooms, a laser, three priced services — through the real
window and its forms, each section rendered to a PNG to look at."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage

from medspa_desktop.services.billing import money
from medspa_desktop.services.charts import patients
from medspa_desktop.services.clinic import catalog, clinic
from medspa_desktop.services.clinic.catalog import DEFAULT_SERVICES
from medspa_desktop.services.platform import auth
from medspa_desktop.services.scheduling import appointments
from medspa_desktop.store.models import AuditEvent, Room, Service, ServicePrice
from medspa_desktop.ui.main_window import MainWindow
from medspa_desktop.ui.setup.resources import DeviceDialog, RoomDialog
from medspa_desktop.ui.setup.services import ServiceDialog
from medspa_desktop.ui.setup.standard import StandardServicesDialog
from medspa_desktop.ui.setup.window import SECTIONS, ClinicSetupWindow
from tests.ui.modal import answer_next_modal

SHOTS = Path(os.environ.get("MEDSPA_SHOTS", "")) if os.environ.get("MEDSPA_SHOTS") else None


@pytest.fixture(autouse=True)
def dollars_again():
    yield
    money.use_currency_symbol("$")


@pytest.fixture
def owner(database):
    """What the first run leaves: the clinic's name and its admin, nothing else."""
    return clinic.create_clinic(clinic.ClinicInfo("New Clinic"),
                                auth.UserInput("owner", "Olive Owner", "admin", "long-enough"),
                                default_catalog=False)


def _shot(widget, tmp_path: Path, name: str) -> Path:
    path = (SHOTS or tmp_path) / f"clinic_setup_{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    assert widget.grab().save(str(path))
    image = QImage(str(path))
    assert image.width() > 300 and image.height() > 200
    return path


def _add_room(window, qtbot, name: str) -> None:
    def fill(form: RoomDialog):
        form.name.setText(name)
        form.save_button.click()

    answer_next_modal(fill)
    window.rooms.add_button.click()


def _add_service(window, name, category, minutes, price, unit, device=None, said=None):
    def fill(form: ServiceDialog):
        form.name.setText(name)
        form.category.setCurrentIndex(form.category.findData(category))
        form.minutes.setValue(minutes)
        form.unit.setCurrentIndex(form.unit.findData(unit))
        if device:
            form.device.setCurrentIndex(form.device.findData(device))
        if said is not None:  # a bad price first: refused in place, the form stays open
            form.price.setText("-5")
            form.save_button.click()
            said.append(form.message.text())
        form.price.setText(price)
        form.save_button.click()

    answer_next_modal(fill)
    window.services.add_button.click()


def test_an_owner_sets_up_a_new_clinic_in_the_setup_window(qtbot, owner, tmp_path):
    window = ClinicSetupWindow(owner)
    qtbot.addWidget(window)
    window.show()
    assert [window.sections.item(i).text() for i in range(window.sections.count())] == [
        title for title, _help, _page in SECTIONS]

    # -- clinic details: a bad email is refused in place and nothing is saved
    details = window.details
    assert details.time_zone.currentText() == clinic.pc_time_zone()
    details.name.setText("Glow Med Spa")
    details.address.setPlainText("12 Palm Ave\nNaples, FL 34102")
    details.phone.setText("239 555 0100")
    details.email.setText("hello at glow")
    details.website.setText("www.glow.example")
    details.time_zone.setCurrentText("America/New_York")
    details.currency.setText("€")
    details.paper.setCurrentIndex(details.paper.findData("a4"))
    details.save_button.click()
    assert details.message.text() == "Enter the clinic's email as name@example.com."
    assert clinic.clinic_info().name == "New Clinic"
    details.email.setText("hello@glow.example")
    details.save_button.click()
    info = clinic.clinic_info()
    assert (info.name, info.email, info.time_zone, info.currency) == (
        "Glow Med Spa", "hello@glow.example", "America/New_York", "€")
    assert clinic.paper_size() == "a4" and money.show_cents(1500) == "€15.00"
    logo = QImage(160, 48, QImage.Format.Format_RGB32)
    logo.fill(QColor(47, 111, 115))
    logo_path = tmp_path / "logo.png"
    logo.save(str(logo_path))
    details.choose_logo(str(logo_path))
    assert clinic.logo() == logo_path.read_bytes()
    assert details.remove_logo_button.isEnabled()
    _shot(window, tmp_path, "details")

    # -- rooms: two, the laser suite moved first
    window.show_section("Rooms")
    _add_room(window, qtbot, "Injection room")
    _add_room(window, qtbot, "Laser suite")
    assert [r.name for r in window.rooms.model.rows()] == ["Injection room", "Laser suite"]
    assert window.rooms.selected().name == "Laser suite"  # the one just added
    window.rooms.up_button.click()
    assert [r.name for r in catalog.rooms()] == ["Laser suite", "Injection room"]
    assert [r.name for r in window.rooms.model.rows()] == ["Laser suite", "Injection room"]
    _shot(window, tmp_path, "rooms")

    # -- a laser
    window.show_section("Devices")

    def laser(form: DeviceDialog):
        form.name.setText("GentleLase Pro")
        form.kind.setCurrentIndex(form.kind.findData("alexandrite"))
        form.cleanup.setValue(10)
        form.save_button.click()

    answer_next_modal(laser)
    window.devices.add_button.click()
    device = catalog.devices()[0]
    assert (device.name, device.kind, device.cleanup_minutes) == (
        "GentleLase Pro", "alexandrite", 10)
    assert window.devices.model.rows()[0].name == "GentleLase Pro"
    _shot(window, tmp_path, "devices")

    # -- three priced services; a negative price is refused in the form first
    window.show_section("Services and prices")
    said: list[str] = []
    _add_service(window, "Botox Cosmetic", "neurotoxin", 30, "14.00", "unit", said=said)
    assert said == ["The price cannot be negative."]
    _add_service(window, "Laser hair, underarms", "laser_hair", 15, "150", "area",
                 device="alexandrite")
    _add_service(window, "Hydrafacial", "peel_microneedling", 45, "199.00", "session")
    listed = [(r.group, r.row.name, r.row.minutes, r.row.price_cents)
              for r in window.services.rows]
    assert listed == [("Neurotoxin", "Botox Cosmetic", 30, 1400),
                      ("Laser hair reduction", "Laser hair, underarms", 15, 15000),
                      ("Peel / microneedling / PRP", "Hydrafacial", 45, 19900)]
    assert Service.get(Service.name == "Laser hair, underarms").device_kind == "alexandrite"
    window.services.search.setText("FACIAL")
    window.services.list.reload()
    assert [r.row.name for r in window.services.rows] == ["Hydrafacial"]
    window.services.search.setText("")
    window.services.list.reload()
    _shot(window, tmp_path, "services")

    # a new price from a date: the list shows today's, the history keeps both
    botox = Service.get(Service.name == "Botox Cosmetic")
    window.services.select(botox.id)
    next_month = dt.date.today() + dt.timedelta(days=30)

    def reprice(form: ServiceDialog):
        _shot(form, tmp_path, "service_dialog")
        form.price.setText("15.00")
        form.price_from.setDate(next_month)
        form.save_button.click()

    answer_next_modal(reprice)
    window.services.edit_button.click()
    assert catalog.price_on(botox, next_month) == 1500
    assert catalog.price_on(botox, dt.date.today()) == 1400
    assert ServicePrice.select().count() == 1
    assert window.services.selected().row.price_cents == 1400  # still today's price
    assert AuditEvent.select().where(AuditEvent.action == "service.price").count() == 1


def test_a_booked_room_is_not_taken_out_of_use_and_the_window_says_by_whom(qtbot, owner):
    room = catalog.add_room(owner, "Injection room")
    catalog.add_room(owner, "Laser suite")
    service = catalog.add_service(owner, catalog.ServiceSpec(
        "Botox Cosmetic", "neurotoxin", 30, 1400, "unit"))
    rn = auth.create_user(owner, auth.UserInput("rn", "Jo Kim", "provider", "long-enough"))
    zoe = patients.create_patient(owner, patients.PatientInput("Zoë", "Ng", dt.date(1990, 1, 1)))
    start = dt.datetime.combine(dt.date.today() + dt.timedelta(days=7), dt.time(10))
    appointments.book_appointment(owner, appointments.AppointmentInput(
        zoe.id, service.id, rn.id, start, start + dt.timedelta(minutes=30), room.id),
        override_reason="outside the default hours, for the test")
    window = ClinicSetupWindow(owner, section="Rooms")
    qtbot.addWidget(window)
    window.show()
    window.rooms.select(room.id)
    window.rooms.active_button.click()
    assert window.rooms.message.text().startswith(
        "Injection room is booked for 1 visit still to come; move or cancel them first:")
    assert f"Ng, Zoë — {start:%a %Y-%m-%d %H:%M}" in window.rooms.message.text()
    assert Room.get_by_id(room.id).active
    # the other room goes, and comes back
    laser_suite = Room.get(Room.name == "Laser suite")
    window.rooms.select(laser_suite.id)
    window.rooms.active_button.click()
    assert not Room.get_by_id(laser_suite.id).active
    assert window.rooms.active_button.text() == "Bring back into &use"
    window.rooms.active_button.click()
    assert Room.get_by_id(laser_suite.id).active


def test_the_menu_entry_is_for_the_admin_only(qtbot, owner):
    desk = auth.create_user(owner, auth.UserInput("desk", "Sam", "front_desk", "long-enough"))
    for user, enabled in ((owner, True), (desk, False)):
        window = MainWindow(user, remember=False)
        qtbot.addWidget(window)
        assert window.setup_action.isEnabled() is enabled
        assert window.setup_action.text() == "Clinic set&up…"
        window.close()


def test_the_booking_form_and_the_schedule_follow_the_setup(qtbot, owner):
    """Open screens follow setup changes at once: a room added appears in the booking form,
    a retired service leaves it; a room out of use is no schedule column, except on a day
    it still holds a visit, which keeps showing where it was."""
    from medspa_desktop.ui.schedule.booking_dialog import BookingDialog
    from medspa_desktop.ui.schedule.tab import ScheduleTab

    room = catalog.add_room(owner, "Injection room")
    botox = catalog.add_service(owner, catalog.ServiceSpec(
        "Botox Cosmetic", "neurotoxin", 30, 1400, "unit", colour="#3366cc"))
    facial = catalog.add_service(owner, catalog.ServiceSpec(
        "Hydrafacial", "peel_microneedling", 45, 19900, "session"))
    rn = auth.create_user(owner, auth.UserInput("rn", "Jo Kim", "provider", "long-enough"))
    zoe = patients.create_patient(owner, patients.PatientInput("Zoë", "Ng", dt.date(1990, 1, 1)))
    yesterday = dt.date.today() - dt.timedelta(days=1)
    start = dt.datetime.combine(yesterday, dt.time(10))
    appointments.book_appointment(owner, appointments.AppointmentInput(
        zoe.id, botox.id, rn.id, start, start + dt.timedelta(minutes=30), room.id),
        override_reason="outside the default hours, for the test")

    form = BookingDialog(owner, dt.datetime.combine(dt.date.today(), dt.time(11)))
    qtbot.addWidget(form)
    form.show()
    form.service.setCurrentIndex(form.service.findData(facial.id))
    catalog.add_room(owner, "Laser suite")
    qtbot.waitUntil(lambda: form.room.findText("Laser suite") >= 0)
    catalog.set_service_active(owner, botox.id, False)
    qtbot.waitUntil(lambda: form.service.findData(botox.id) < 0)
    assert form.service.currentData() == facial.id  # the choice is kept
    form.reject()

    tab = ScheduleTab(owner)
    qtbot.addWidget(tab)
    tab.resize(1000, 700)
    tab.show()
    tab.set_view("day", "room")
    catalog.set_room_active(owner, room.id, False)
    tab.set_day(yesterday)
    qtbot.waitUntil(lambda: [c.title for c in tab.grid.columns] == [
        "Injection room", "Laser suite"])
    assert [a.room for a in tab.grid.appointments] == ["Injection room"]
    assert tab.grid.appointments[0].colour == "#3366cc"  # the service's own, on the grid
    tab.set_day(dt.date.today() + dt.timedelta(days=1))
    assert [c.title for c in tab.grid.columns] == ["Laser suite"]
    qtbot.waitUntil(lambda: all("Injection room" not in tab.view.itemText(i)
                                for i in range(tab.view.count())))  # its week view is gone
    assert tab.view.currentData() == ("day", "room", None)  # the view shown stays


def test_a_clinic_that_skipped_the_first_setup_adds_standard_services_later(
        qtbot, owner, tmp_path):
    """The standard list is not only for the first run: Clinic setup offers the services the
    clinic does not have yet, none ticked, at its own length and price; adding refuses
    nothing ticked, and a second time offers only what is still missing."""
    window = ClinicSetupWindow(owner)
    qtbot.addWidget(window)
    window.show()
    page = window.services
    offered = []

    def choose(form: StandardServicesDialog):
        offered.append([form.step.offered[r].name for r in range(len(form.step.offered))])
        assert not any(form.step.kept(r) for r in range(len(form.step.offered)))
        form.save_button.click()
        assert form.message.text() == "Tick the services to add, or press Cancel."
        botox = form.step.row_of(DEFAULT_SERVICES[0].name)
        form.step.set_kept(botox, True)
        form.step.minutes[botox].setValue(45)
        form.step.prices[botox].setText("14.50")
        _shot(form, tmp_path, "standard_services")
        form.save_button.click()

    answer_next_modal(choose)
    page.standard_button.click()
    assert offered[0] == [spec.name for spec in DEFAULT_SERVICES]
    (row,) = catalog.service_rows()
    assert (row.name, row.minutes, row.price_cents) == (DEFAULT_SERVICES[0].name, 45, 1450)
    assert page.list.model.rowCount() >= 1  # the list shows it without a refresh

    answer_next_modal(lambda form: (offered.append(list(form.step.offered)), form.reject()))
    page.standard_button.click()
    assert len(offered[1]) == len(DEFAULT_SERVICES) - 1
    assert DEFAULT_SERVICES[0].name not in [spec.name for spec in offered[1]]
