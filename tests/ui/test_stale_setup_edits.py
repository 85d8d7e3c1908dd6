"""A room, a device, a staff account, the clinic's details or its settings saved by another
admin while this form had them open: the save is refused, the form says who changed them,
when and at which PC, shows what is stored now and keeps what was typed here in "Your
changes" (to put back and save over the newest version). The room's other PC is a process of
its own; the others are another admin with a presence row at "Office"."""

from __future__ import annotations

import re

import pytest
from PySide6.QtWidgets import QDialog

from medspa_desktop.services.clinic import catalog, clinic
from medspa_desktop.services.platform import auth, presence, settings, staff
from medspa_desktop.services.scheduling import hours
from medspa_desktop.store.models import Room, User
from medspa_desktop.ui.settings_dialog import ClinicSettingsDialog
from medspa_desktop.ui.setup.details import DetailsPage
from medspa_desktop.ui.setup.resources import DeviceDialog, RoomDialog
from medspa_desktop.ui.staff_dialog import DetailsDialog
from tests.conftest import shots
from tests.remote.test_other_pcs import OtherPc

TIME = r"\d\d:\d\d"


def _look(widget, name: str) -> None:
    widget.repaint()
    assert widget.grab().save(str(shots() / name))


@pytest.fixture
def other(admin) -> User:
    max_ = auth.create_user(admin, auth.UserInput("max", "Max Manager", "admin",
                                                  "long-enough-pass"))
    presence.begin(max_, "Office")
    return max_


def test_a_room_renamed_on_another_pc_shows_its_new_name_and_keeps_the_typing(
        qtbot, demo_db):
    admin = User.select().where(User.role == "admin").order_by(User.id).first()
    room = Room.select().order_by(Room.id).first()
    dialog = RoomDialog(admin, room)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.name.setText("Injection room")
    other = OtherPc(str(demo_db))
    try:
        other.do("admin Office")
        other.do(f"room {room.id} Corner suite")
    finally:
        other.close()

    dialog.save()

    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert re.fullmatch(rf"{admin.display_name} changed this room at {TIME} on Office since "
                        r"you opened it; nothing was saved\. What is stored now is shown\.",
                        dialog.stale.headline.text())
    assert dialog.name.text() == "Corner suite"
    assert "Name: Injection room   (stored now: Corner suite)" in dialog.stale.mine.toPlainText()
    assert Room.get_by_id(room.id).name == "Corner suite"
    _look(dialog, "stale_room.png")

    dialog.stale.put_back_button.click()
    dialog.save()  # over the newest version, knowingly
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert Room.get_by_id(room.id).name == "Injection room"


def test_a_device_changed_by_another_admin_shows_its_new_buffer(qtbot, admin, other):
    device = catalog.add_device(admin, "GentleLase", "alexandrite", 10)
    dialog = DeviceDialog(admin, device)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.name.setText("GentleLase Pro")
    catalog.update_device(other, device.id, "GentleLase", "alexandrite", 20, device.version)

    dialog.save()

    assert dialog.isVisible() and dialog.stale.isVisible()
    assert dialog.stale.headline.text().startswith("Max Manager changed this device at ")
    assert (dialog.name.text(), dialog.cleanup.value()) == ("GentleLase", 20)
    mine = dialog.stale.mine.toPlainText()
    assert "Name: GentleLase Pro   (stored now: GentleLase)" in mine
    assert "Clean-up after each use: 10 minutes   (stored now: 20 minutes)" in mine
    _look(dialog, "stale_device.png")


def test_a_staff_account_changed_by_another_admin_shows_its_new_name(qtbot, admin, other):
    nina = auth.create_user(admin, auth.UserInput("nina", "Nina Nurse", "provider",
                                                  "long-enough-pass"))
    dialog = DetailsDialog(admin, staff.staff_row(admin, nina.id))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.credentials.setText("RN")
    staff.change_details(other, nina.id, "Nurse Nina", "", nina.version)

    dialog.save()

    assert dialog.isVisible() and dialog.stale.isVisible()
    assert re.fullmatch(rf"Max Manager changed Nina Nurse's account at {TIME} on Office since "
                        r"you opened it; nothing was saved\. What is stored now is shown\.",
                        dialog.stale.headline.text())
    assert dialog.display.text() == "Nurse Nina"
    assert "Credentials: RN   (stored now: (left empty))" in dialog.stale.mine.toPlainText()
    _look(dialog, "stale_staff.png")
    # the whole form as this admin had it goes back (the name shown too: typed as opened)
    dialog.stale.put_back_button.click()
    assert (dialog.display.text(), dialog.credentials.text()) == ("Nina Nurse", "RN")
    dialog.save()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert (User.get_by_id(nina.id).display_name, User.get_by_id(nina.id).credentials) == (
        "Nina Nurse", "RN")


def test_the_settings_screen_keeps_another_admins_other_change_and_refuses_the_same_one(
        qtbot, admin, other):
    dialog = ClinicSettingsDialog(admin)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.late.setValue(48)  # this admin's change
    hours.set_schedule_settings(other, slot=10)  # another setting, elsewhere: both save
    dialog.save()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert hours.slot_minutes() == 10 and hours.late_cancel_window().total_seconds() == 48 * 3600

    dialog = ClinicSettingsDialog(admin)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.slot.setCurrentIndex(dialog.slot.findData(5))
    dialog.day_hours[5].setText("closed")
    hours.set_schedule_settings(other, slot=15)  # the same setting, elsewhere

    dialog.save()

    assert dialog.isVisible() and dialog.stale.isVisible()
    assert re.fullmatch(rf"Max Manager changed the clinic settings at {TIME} on Office since "
                        r"you opened them; nothing was saved\. What is stored now is shown\.",
                        dialog.stale.headline.text())
    assert dialog.slot.currentData() == 15 and dialog.day_hours[5].text() == "09:00-14:00"
    mine = dialog.stale.mine.toPlainText()
    assert "Schedule grid: 5 minutes   (stored now: 15 minutes)" in mine
    assert "Saturday: closed   (stored now: 09:00-14:00)" in mine
    assert hours.clinic_hours_text()[5] == "09:00-14:00"  # nothing of it was saved
    _look(dialog, "stale_settings.png")
    dialog.stale.put_back_button.click()
    dialog.save()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert hours.slot_minutes() == 5 and hours.clinic_hours_text()[5] == "closed"


def test_the_clinic_details_page_shows_the_phone_saved_elsewhere(qtbot, admin, other):
    page = DetailsPage(admin)
    qtbot.addWidget(page)
    page.resize(760, 620)
    page.show()
    page.phone.setText("555 010 0123")
    info = clinic.clinic_info()
    clinic.save_details(other, clinic.ClinicInfo(**{**info.__dict__, "phone": "5550100199"}),
                        seen=settings.seen(*clinic.DETAILS_SETTINGS))

    page.save()

    assert page.stale.isVisible() and not page.message.isVisible()
    assert page.stale.headline.text().startswith("Max Manager changed the clinic's details at ")
    assert page.phone.text() == "(555) 010-0199"
    assert "Phone: 555 010 0123   (stored now: (555) 010-0199)" in page.stale.mine.toPlainText()
    _look(page, "stale_details.png")
    page.stale.put_back_button.click()
    page.save()
    assert not page.stale.isVisible() and clinic.clinic_info().phone == "5550100123"
