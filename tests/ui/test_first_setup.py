"""The steps after the first run, driven through the real dialog: services kept from the
standard catalog at the clinic's own prices, rooms and devices, the first providers; every
step skippable, a refused step writing nothing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from medspa_desktop.services.clinic import catalog, clinic
from medspa_desktop.services.platform import auth
from medspa_desktop.services.scheduling import hours
from medspa_desktop.store.models import Device, Room, Service, User
from medspa_desktop.ui.first_setup import FirstSetupDialog

SHOTS = Path(os.environ["MEDSPA_SHOTS"]) if os.environ.get("MEDSPA_SHOTS") else None


@pytest.fixture
def owner(database):
    """What the first run leaves: the clinic's name and its admin, nothing else."""
    return clinic.create_clinic(clinic.ClinicInfo("New Clinic"),
                                auth.UserInput("owner", "Olive Owner", "admin", "long-enough"),
                                default_catalog=False)


def shot(widget, tmp_path: Path, name: str) -> None:
    QApplication.processEvents()  # the page's layout, as a person sees it
    path = (SHOTS or tmp_path) / f"first_setup_{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    assert widget.grab().save(str(path))
    image = QImage(str(path))
    assert image.width() > 600 and image.height() > 400


def click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_every_step_saves_what_was_chosen(qtbot, owner, tmp_path):
    dialog = FirstSetupDialog(owner)
    qtbot.addWidget(dialog)
    dialog.show()
    shot(dialog, tmp_path, "1_services")
    services = dialog.services
    click(qtbot, services.keep_none_button)
    botox = services.row_of("Botox Cosmetic")
    peel = services.row_of("Chemical peel, medium")
    services.set_kept(botox, True)
    services.set_kept(peel, True)
    services.prices[botox].setText("12.50")
    services.minutes[peel].setValue(30)
    click(qtbot, dialog.save_button)
    assert {s.name: (s.default_minutes, s.price_cents) for s in Service.select()} == {
        "Botox Cosmetic": (30, 1250), "Chemical peel, medium": (30, 25000)}

    assert dialog.heading.text().endswith("Step 2 of 3")
    shot(dialog, tmp_path, "2_rooms")
    dialog.rooms.rooms.setPlainText("Room A\n\nLaser room\n")
    dialog.rooms.set_device(0, "GentleMax Pro", "alexandrite")
    click(qtbot, dialog.save_button)
    assert [r.name for r in catalog.rooms()] == ["Room A", "Laser room"]
    assert [(d.name, d.kind) for d in catalog.devices()] == [("GentleMax Pro", "alexandrite")]

    assert dialog.heading.text().endswith("Step 3 of 3")
    assert dialog.save_button.text() == "&Finish"
    step = dialog.providers
    qtbot.keyClicks(step.full_name, "Maya Vasquez")
    qtbot.keyClicks(step.credentials, "MD")
    qtbot.keyClicks(step.username, "maya")
    qtbot.keyClicks(step.password, "long-enough")
    qtbot.keyClicks(step.confirm, "long-enough")
    step.categories.boxes["neurotoxin"].setChecked(True)
    step.hours.own.setChecked(True)
    step.hours.set_day(6, "off")
    shot(dialog, tmp_path, "3_providers")
    click(qtbot, step.add_button)
    assert step.listed.text() == "Added: Maya Vasquez (maya)."
    assert step.full_name.text() == "" and not step.categories.boxes["neurotoxin"].isChecked()
    maya = User.get(User.username == "maya")
    assert maya.role == "provider" and maya.credentials == "MD"
    assert hours.skills(maya.id) == ["neurotoxin"]
    assert hours.working_hours_text(maya.id)[6] == "off"
    # the second one typed and saved by Finish itself
    qtbot.keyClicks(step.full_name, "Jo Kim")
    qtbot.keyClicks(step.username, "jo")
    qtbot.keyClicks(step.password, "long-enough")
    qtbot.keyClicks(step.confirm, "long-enough")
    step.categories.every.setChecked(True)
    click(qtbot, dialog.save_button)
    assert dialog.result() == dialog.DialogCode.Accepted
    assert [u.display_name for u in hours.providers_for("peel_microneedling")] == ["Jo Kim"]
    assert dialog.done_steps == ["Services you offer", "Rooms and devices", "Your providers"]


def test_bad_input_is_refused_on_its_page_and_writes_nothing(qtbot, owner):
    dialog = FirstSetupDialog(owner)
    qtbot.addWidget(dialog)
    dialog.show()
    services = dialog.services
    services.prices[services.row_of("RHA 3")].setText("eight hundred")
    click(qtbot, dialog.save_button)
    assert dialog.message.text() == "RHA 3: Enter the price as a number, e.g. 4.50."
    assert dialog.pages.currentIndex() == 0 and Service.select().count() == 0
    click(qtbot, services.keep_none_button)
    click(qtbot, dialog.save_button)
    assert dialog.message.text() == "Keep at least one service, or skip this step."

    click(qtbot, dialog.skip_button)  # later: File → Clinic setup…
    assert dialog.pages.currentIndex() == 1 and dialog.message.isHidden()
    dialog.rooms.rooms.setPlainText("Room 1\nroom 1")
    click(qtbot, dialog.save_button)
    assert dialog.message.text() == "A room named 'room 1' already exists."
    dialog.rooms.rooms.setPlainText("Room 1")
    dialog.rooms.set_device(1, "Cool sculpt", "")
    click(qtbot, dialog.save_button)
    assert dialog.message.text() == "Cool sculpt: Choose the device's type."
    assert Room.select().count() == 0 and Device.select().count() == 0

    click(qtbot, dialog.skip_button)
    step = dialog.providers
    qtbot.keyClicks(step.full_name, "Maya Vasquez")
    qtbot.keyClicks(step.username, "maya")
    qtbot.keyClicks(step.password, "long-enough")
    qtbot.keyClicks(step.confirm, "long-enougj")
    click(qtbot, dialog.save_button)
    assert dialog.message.text() == "The two passwords are not the same."
    step.confirm.clear()
    qtbot.keyClicks(step.confirm, "long-enough")
    click(qtbot, dialog.save_button)
    assert dialog.message.text().startswith("Tick the treatment categories")
    assert User.select().count() == 1 and dialog.isVisible()
    click(qtbot, dialog.skip_button)
    assert dialog.result() == dialog.DialogCode.Accepted and dialog.done_steps == []


def test_back_shows_a_saved_page_as_saved_and_saves_nothing_twice(qtbot, owner, tmp_path):
    dialog = FirstSetupDialog(owner)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.back_button.isVisible()  # nothing before the first page
    services = dialog.services
    click(qtbot, services.keep_none_button)
    services.set_kept(services.row_of("Botox Cosmetic"), True)
    click(qtbot, dialog.save_button)
    assert dialog.heading.text().endswith("Step 2 of 3") and dialog.back_button.isVisible()

    click(qtbot, dialog.back_button)
    assert dialog.heading.text().endswith("Step 1 of 3")
    assert not services.isEnabled() and not dialog.skip_button.isVisible()
    assert dialog.help.text() == "Saved. To change it: File → Clinic setup… → Services and prices."
    assert dialog.save_button.text() == "&Continue"
    shot(dialog, tmp_path, "back_to_saved")
    click(qtbot, dialog.save_button)  # on to the rooms, nothing installed a second time
    assert dialog.heading.text().endswith("Step 2 of 3") and dialog.message.text() == ""
    assert [s.name for s in Service.select()] == ["Botox Cosmetic"]
    assert dialog.rooms.isEnabled() and dialog.skip_button.isVisible()
