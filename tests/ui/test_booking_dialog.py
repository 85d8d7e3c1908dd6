"""The booking form proposes what suits the service: the first room and device free then (not
always the first room), the services under their category with length and price, and a
clinic with no services yet is told where to add them."""

from __future__ import annotations

import datetime as dt

from medspa_desktop.services.clinic import catalog
from medspa_desktop.services.scheduling import appointments
from medspa_desktop.store.models import CATEGORIES, Device, Patient, Room, Service
from medspa_desktop.ui.schedule.booking_dialog import NO_SERVICES, BookingDialog
from tests.conftest import staff
from tests.ui.test_schedule import quiet_weekday


def _open(qtbot, user, start, **kwargs) -> BookingDialog:
    dialog = BookingDialog(user, start, **kwargs)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _choose(dialog: BookingDialog, name: str) -> None:
    dialog.service.setCurrentIndex(dialog.service.findData(Service.get(Service.name == name).id))


def test_botox_is_proposed_a_free_treatment_room_and_laser_hair_a_free_laser(qtbot, demo_db):
    start = dt.datetime.combine(quiet_weekday(), dt.time(11, 0))
    # the first room in the clinic's order is taken at that time
    first_room = Room.select().where(Room.active).order_by(Room.position, Room.name).first()
    patient = Patient.select().first()
    appointments.book_appointment(staff("frontdesk"), appointments.AppointmentInput(
        patient.id, Service.get(Service.name == "Botox Cosmetic").id, staff("director").id,
        start, start + dt.timedelta(minutes=30), first_room.id))
    dialog = _open(qtbot, staff("frontdesk"), start)
    _choose(dialog, "Botox Cosmetic")
    assert dialog.room.currentText() != "Laser suite"
    assert dialog.room.currentData() != first_room.id  # taken: the next free one
    assert dialog.device.currentText() == "(not needed)"
    _choose(dialog, "Laser hair reduction, small area")
    device = Device.get_by_id(dialog.device.currentData())
    assert device.kind == "alexandrite"
    # later, when the first room is free again, it is proposed again
    dialog.time.setTime(dialog.time.time().addSecs(2 * 3600))
    assert dialog.room.currentData() == first_room.id


def test_a_room_the_user_picked_stays_when_the_time_changes(qtbot, demo_db):
    start = dt.datetime.combine(quiet_weekday(), dt.time(9, 0))
    dialog = _open(qtbot, staff("frontdesk"), start)
    _choose(dialog, "Botox Cosmetic")
    last = dialog.room.count() - 1
    dialog.room.setCurrentIndex(last)
    dialog.room.activated.emit(last)  # as a click in the list does
    chosen = dialog.room.currentData()
    dialog.time.setTime(dialog.time.time().addSecs(3600))
    _choose(dialog, "Dysport")
    assert dialog.room.currentData() == chosen


def test_services_are_listed_under_their_category_with_length_and_price(qtbot, demo_db):
    dialog = _open(qtbot, staff("frontdesk"),
                   dt.datetime.combine(quiet_weekday(), dt.time(9, 0)))
    combo, model = dialog.service, dialog.service.model()
    texts = [combo.itemText(i) for i in range(combo.count())]
    assert CATEGORIES["neurotoxin"] in texts
    heading = texts.index(CATEGORIES["neurotoxin"])
    assert combo.itemData(heading) is None and not model.item(heading).isEnabled()
    botox = Service.get(Service.name == "Botox Cosmetic")
    price = catalog.price_on(botox, quiet_weekday())
    label = combo.itemText(combo.findData(botox.id)).strip()
    assert label.startswith(f"Botox Cosmetic · {botox.default_minutes} min · $")
    assert f"{price / 100:,.2f}" in label
    # the form never opens on a heading
    assert combo.currentData() is not None
    assert "Retail" not in texts


def test_an_empty_clinic_is_told_where_to_add_services(qtbot, database):
    from medspa_desktop.services.clinic import clinic
    from medspa_desktop.services.platform import auth

    admin = clinic.create_clinic(
        clinic.ClinicInfo("New Clinic", "1 Main St", "555 010 0100", "12-3456789"),
        auth.UserInput("admin", "Ada Admin", "admin", "correct-horse"), default_catalog=False)
    dialog = _open(qtbot, admin, dt.datetime.combine(quiet_weekday(), dt.time(9, 0)))
    assert dialog.problems.text() == NO_SERVICES
    assert "Clinic setup" in dialog.problems.text()
    assert not dialog.book_button.isEnabled()
