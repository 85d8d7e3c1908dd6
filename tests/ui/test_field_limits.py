"""Every field's on-screen limit is the rule's own: a field stops typing exactly where the
service would refuse (both read services/platform/limits.py), so a name is never cut at 200
characters by the screen and then refused at 80 by the rule, and what fits is saved."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt

from medspa_desktop.services.charts import patients
from medspa_desktop.services.clinic import catalog
from medspa_desktop.services.platform import limits
from medspa_desktop.services.platform.errors import ValidationError
from medspa_desktop.services.scheduling import hours
from medspa_desktop.store.models import Patient, Room, TimeBlock
from medspa_desktop.ui.billing.prepaid_dialogs import SellGiftCardDialog
from medspa_desktop.ui.patients.new_patient import NewPatientDialog
from medspa_desktop.ui.patients.photos_panel import PhotoDetailsDialog
from medspa_desktop.ui.schedule.block_dialog import BlockTimeDialog
from medspa_desktop.ui.setup.resources import DeviceDialog, RoomDialog
from medspa_desktop.ui.setup.services import ServiceDialog
from medspa_desktop.ui.staff_dialog import NewStaffDialog
from medspa_desktop.ui.treatments.stock_dialogs import ProductDialog, ReceiveDialog
from medspa_desktop.ui.widgets.reason_prompt import ReasonDialog
from tests.conftest import staff

# (the form, its field, the rule's limit)
FIELDS = {
    "patient first name": (lambda: NewPatientDialog(staff("frontdesk")), "first_name",
                           limits.PATIENT_NAME),
    "patient last name": (lambda: NewPatientDialog(staff("frontdesk")), "last_name",
                          limits.PATIENT_NAME),
    "preferred name": (lambda: NewPatientDialog(staff("frontdesk")), "preferred_name",
                       limits.PATIENT_NAME),
    "patient email": (lambda: NewPatientDialog(staff("frontdesk")), "email", limits.EMAIL),
    "emergency contact": (lambda: NewPatientDialog(staff("frontdesk")), "contact_name",
                          limits.FULL_NAME),
    "photo area": (lambda: PhotoDetailsDialog(1), "area", limits.PHOTO_AREA),
    "staff full name": (lambda: NewStaffDialog(staff("admin")), "full_name", limits.FULL_NAME),
    "staff shown as": (lambda: NewStaffDialog(staff("admin")), "display", limits.DISPLAY_NAME),
    "credentials": (lambda: NewStaffDialog(staff("admin")), "credentials", limits.CREDENTIALS),
    "room name": (lambda: RoomDialog(staff("admin")), "name", limits.ROOM_NAME),
    "device name": (lambda: DeviceDialog(staff("admin")), "name", limits.DEVICE_NAME),
    "service name": (lambda: ServiceDialog(staff("admin")), "name", limits.SERVICE_NAME),
    "product name": (lambda: ProductDialog(staff("admin")), "name", limits.PRODUCT_NAME),
    "SKU": (lambda: ProductDialog(staff("admin")), "sku", limits.SKU),
    "lot number": (lambda: ReceiveDialog(staff("admin")), "lot_number", limits.LOT_NUMBER),
    "blocked time reason": (lambda: BlockTimeDialog(staff("admin"), dt.datetime(2030, 1, 7, 12)),
                            "reason", limits.SHORT_REASON),
    "gift card for": (lambda: SellGiftCardDialog(staff("admin"), 1), "recipient",
                      limits.FULL_NAME),
}


@pytest.mark.parametrize("name", FIELDS)
def test_a_field_stops_typing_at_its_rules_limit(qtbot, demo_db, name):
    make, field, limit = FIELDS[name]
    dialog = make()
    qtbot.addWidget(dialog)
    dialog.show()
    edit = getattr(dialog, field)
    assert edit.maxLength() == limit
    edit.setText("x" * (limit + 300))  # pasted
    assert len(edit.text()) == limit
    qtbot.keyClicks(edit, "yz")  # typed on
    assert len(edit.text()) == limit


def test_what_the_patient_form_takes_is_saved_and_one_more_is_refused(qtbot, demo_db):
    dialog = NewPatientDialog(staff("frontdesk"))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.first_name, "Bartholomew-" + "Anne" * 30)
    qtbot.keyClicks(dialog.last_name, "Okonkwo")
    qtbot.keyClicks(dialog.dob, "1980-04-02")
    qtbot.keyClicks(dialog.phone, "555 010 7788")
    dialog.sex.setCurrentIndex(1)
    typed = dialog.first_name.text()
    assert len(typed) == limits.PATIENT_NAME
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.message.text(), dialog.message.text()
    assert Patient.get(Patient.last_name == "Okonkwo").first_name == typed
    with pytest.raises(ValidationError, match=f"at most {limits.PATIENT_NAME}"):
        patients.validate(patients.PatientInput(typed + "x", "Okonkwo", dt.date(1980, 4, 2),
                                                phone="555 010 7789"))


def test_a_room_name_as_long_as_the_field_takes_is_saved(qtbot, demo_db):
    dialog = RoomDialog(staff("admin"))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.name, "Treatment room " + "Q" * 80)
    typed = dialog.name.text()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert Room.get_or_none(Room.name == typed) is not None
    with pytest.raises(ValidationError, match=f"at most {limits.ROOM_NAME}"):
        catalog.add_room(staff("admin"), "Another room " + "Q" * limits.ROOM_NAME)


def test_a_blocked_time_reason_as_long_as_the_field_takes_is_saved(qtbot, demo_db):
    dialog = BlockTimeDialog(staff("admin"), dt.datetime(2030, 1, 7, 12))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.reason.setText("Laser service visit " * 20)
    typed = dialog.reason.text()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert TimeBlock.get_or_none(TimeBlock.reason == typed.strip()) is not None
    with pytest.raises(ValidationError, match=f"at most {limits.SHORT_REASON}"):
        hours.add_block(staff("admin"), hours.BlockInput(
            dt.datetime(2030, 1, 8, 12), dt.datetime(2030, 1, 8, 13), "y" * (len(typed) + 1),
            room_id=Room.select().first().id))


def test_a_short_reason_prompt_stops_where_the_rule_does(qtbot, demo_db):
    dialog = ReasonDialog("Archive chart", "Why?", limit=limits.SHORT_REASON)
    qtbot.addWidget(dialog)
    dialog.text.setPlainText("r" * 900)
    assert len(dialog.reason()) == limits.SHORT_REASON
    with pytest.raises(ValidationError, match=f"at most {limits.SHORT_REASON}"):
        patients.archive_patient(staff("director"), Patient.select().first().id,
                                 "r" * (limits.SHORT_REASON + 1))
