"""Day one in the Staff accounts window, on an EMPTY clinic (first run made only the admin):
an admin adds a laser technician who does laser treatments Monday to Friday 9–17 with a day
off next week; the booking dialog then offers them for laser services only, and not on the
day off."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from PySide6.QtCore import QDate, QTime

from medspa_desktop.services.charts import patients
from medspa_desktop.services.clinic import catalog
from medspa_desktop.store.models import Appointment, Service, User
from medspa_desktop.ui.provider_booking import ProviderBookingDialog, TimeOffDialog
from medspa_desktop.ui.schedule.booking_dialog import BookingDialog
from medspa_desktop.ui.staff_dialog import DetailsDialog, NewStaffDialog, StaffDialog
from tests.ui.modal import answer_next_modal

LASER = ("laser_hair", "laser_resurfacing")


def shot(widget, name: str, tmp_path: Path) -> None:
    """Render the window as a user would see it (MEDSPA_SHOT_DIR keeps the pictures)."""
    widget.show()
    folder = Path(os.environ.get("MEDSPA_SHOT_DIR") or tmp_path)
    path = folder / f"{name}.png"
    assert widget.grab().save(str(path)) and path.stat().st_size > 1000


def _next(weekday: int) -> dt.date:
    """That weekday next week."""
    today = dt.date.today()
    return today + dt.timedelta(days=7 - today.weekday() + weekday)


def _providers(dialog: BookingDialog) -> dict[str, bool]:
    """The provider list: label -> can be picked."""
    model = dialog.provider.model()
    return {dialog.provider.itemText(i): model.item(i).isEnabled()
            for i in range(dialog.provider.count())}


def _add_laser_tech(qtbot, dialog: StaffDialog, tmp_path: Path) -> list[str]:
    said: list[str] = []

    def fill(form: NewStaffDialog) -> None:
        form.full_name.setText("Lee Tech")
        form.credentials.setText("LE")
        form.username.setText("lee")
        form.role.setCurrentIndex(form.role.findData("provider"))
        form.password.setText("long-enough")
        assert form.booking.isVisibleTo(form)
        form.save_button.click()  # nothing ticked yet
        said.append(form.message.text())
        for key in LASER:
            form.categories.boxes[key].setChecked(True)
        form.hours.own.setChecked(True)
        for day in range(7):
            form.hours.works[day].setChecked(day < 5)
            form.hours.starts[day].setTime(QTime(9, 0))
            form.hours.ends[day].setTime(QTime(17, 0))
        shot(form, "new_provider", tmp_path)
        form.save_button.click()

    answer_next_modal(fill)
    dialog.add_button.click()
    return said


def test_a_new_laser_technician_is_booked_for_laser_only_and_not_on_their_day_off(
        qtbot, admin, tmp_path):
    dialog = StaffDialog(admin)
    qtbot.addWidget(dialog)
    said = _add_laser_tech(qtbot, dialog, tmp_path)
    assert said == ["Tick the treatment categories this provider does (or 'every "
                    "category')."]
    tech = User.get(User.username == "lee")
    rows = {r.username: r for r in dialog.model.rows()}
    assert "lee" in rows  # the list followed the change bus
    row_index = list(rows).index("lee")
    texts = [dialog.model.index(row_index, c).data() for c in range(dialog.model.columnCount())]
    assert texts[2:] == ["LE", "lee", "Provider", "Laser resurfacing, Laser hair reduction",
                         "Mon–Fri 09:00–17:00", "active"]

    day_off = _next(1)  # Tuesday next week
    dialog.table.selectRow(row_index)
    assert dialog.time_off_button.isEnabled()

    def take_day_off(form: TimeOffDialog) -> None:
        form.first.setDate(QDate(day_off.year, day_off.month, day_off.day))
        form.add_button.click()  # no reason
        said.append(form.message.text())
        form.reason.setText("dentist")
        form.add_button.click()
        assert [r.reason for r in form.model.rows()] == ["dentist"]
        shot(form, "time_off", tmp_path)
        form.accept()

    answer_next_modal(take_day_off)
    dialog.time_off_button.click()
    assert said[-1] == "Give a reason for the blocked time (e.g. lunch, maintenance)."
    shot(dialog, "staff_accounts", tmp_path)

    zoe = patients.create_patient(admin, patients.PatientInput("Zoë", "Ng", dt.date(1990, 1, 1)))
    monday = dt.datetime.combine(_next(0), dt.time(10))
    booking = BookingDialog(admin, monday, provider_id=tech.id)
    qtbot.addWidget(booking)
    booking.picker.set_patient(zoe.id, "Ng, Zoë")
    # from the technician's column the dialog opens on a laser service, not on a filler
    services = {booking.service.itemData(i): Service.get_by_id(booking.service.itemData(i)).name
                for i in range(booking.service.count())
                if booking.service.itemData(i) is not None}  # not the category headings
    assert "laser" in booking.service.currentText().lower()
    offered_for = {}
    for service_id, name in services.items():
        booking.service.setCurrentIndex(booking.service.findData(service_id))
        offered_for[name] = "Lee Tech" in _providers(booking)
    assert {name for name, offered in offered_for.items() if offered} == {
        "CO2 fractional resurfacing", "Laser hair reduction, small area",
        "Laser hair reduction, large area"}
    assert len(services) > 10  # toxins, fillers… are listed, just not with Lee Tech

    booking.service.setCurrentIndex(booking.service.findData(
        Service.get(Service.name == "Laser hair reduction, small area").id))
    assert booking.provider.currentText() == "Lee Tech"
    # a new clinic has no laser yet: the form says so instead of hiding the service
    assert booking.device.currentText() == "(the clinic has no 755 nm alexandrite laser)"
    assert "the clinic has none in use yet" in booking.problems.text()
    shot(booking, "booking_without_a_laser", tmp_path)
    booking.reject()

    catalog.add_device(admin, "GentleLase", "alexandrite")
    tuesday = dt.datetime.combine(day_off, dt.time(10))
    booking = BookingDialog(admin, tuesday, provider_id=tech.id)
    qtbot.addWidget(booking)
    booking.picker.set_patient(zoe.id, "Ng, Zoë")
    booking.service.setCurrentIndex(booking.service.findData(
        Service.get(Service.name == "Laser hair reduction, small area").id))
    assert _providers(booking) == {"Lee Tech — off: dentist": False}
    assert booking.problems.text().startswith("Lee Tech is off on ")
    assert not booking.reason.isVisible()  # time off cannot be overridden
    booking.book_button.click()
    assert Appointment.select().count() == 0
    shot(booking, "booking_on_the_day_off", tmp_path)

    booking.date.setDate(QDate(monday.year, monday.month, monday.day))
    assert _providers(booking) == {"Lee Tech": True}
    booking.book_button.click()
    appt = Appointment.get()
    assert (appt.provider_id, appt.start, appt.service.name) == (
        tech.id, monday, "Laser hair reduction, small area")


def test_an_admin_changes_a_providers_treatments_hours_and_credentials(qtbot, admin,
                                                                        tmp_path):
    dialog = StaffDialog(admin)
    qtbot.addWidget(dialog)
    _add_laser_tech(qtbot, dialog, tmp_path)
    dialog.table.selectRow(next(i for i, r in enumerate(dialog.model.rows())
                                if r.username == "lee"))

    def change(form: ProviderBookingDialog) -> None:
        assert sorted(form.categories.value()) == sorted(LASER)
        assert form.hours.value()[5] == "off"
        form.categories.boxes["ipl"].setChecked(True)
        form.hours.set_day(5, "10:00-14:00")
        shot(form, "treatments_and_hours", tmp_path)
        form.save_button.click()

    answer_next_modal(change)
    dialog.booking_button.click()
    row = next(r for r in dialog.model.rows() if r.username == "lee")
    index = dialog.model.rows().index(row)
    assert dialog.model.index(index, 5).data() == (
        "Laser resurfacing, Laser hair reduction, Photorejuvenation (IPL)")
    assert dialog.model.index(index, 6).data() == "Mon–Fri 09:00–17:00, Sat 10:00–14:00"

    def credentials(form: DetailsDialog) -> None:
        form.credentials.setText("RN")
        form.save_button.click()

    answer_next_modal(credentials)
    dialog.details_button.click()
    assert dialog.model.index(index, 2).data() == "RN"
    admin_row = next(i for i, r in enumerate(dialog.model.rows()) if r.username == "admin")
    dialog.table.selectRow(admin_row)
    assert not dialog.booking_button.isEnabled() and not dialog.time_off_button.isEnabled()
