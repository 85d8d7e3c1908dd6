"""Rooms, devices, staff accounts and the clinic's settings carry a version (schema 23): a save
made from what a form read before another PC saved the same thing is refused, naming who, when
and at which PC, and writes nothing; two PCs changing *different* settings both save."""

from __future__ import annotations

import re

import pytest

from medspa_desktop.services.billing import invoices
from medspa_desktop.services.clinic import catalog, clinic
from medspa_desktop.services.consents import consent_policy
from medspa_desktop.services.platform import auth, presence, settings, staff
from medspa_desktop.services.platform.errors import AuthError, StaleEditError
from medspa_desktop.services.scheduling import hours
from medspa_desktop.store.models import AuditEvent, ClinicSetting, Device, Room, User

TIME = r"\d\d:\d\d"


@pytest.fixture
def other(admin) -> User:
    """A second admin, signed in at the office PC."""
    max_ = auth.create_user(admin, auth.UserInput("max", "Max Manager", "admin",
                                                  "long-enough-pass"))
    presence.begin(max_, "Office")
    return max_


def _audits() -> int:
    return AuditEvent.select().count()


def test_a_room_renamed_elsewhere_refuses_the_stale_rename_and_names_who(admin, other):
    room = Room.get(Room.name == "Room 1")
    catalog.rename_room(other, room.id, "Laser suite", room.version)
    assert Room.get_by_id(room.id).version == room.version + 1
    before = _audits()

    with pytest.raises(StaleEditError) as refused:
        catalog.rename_room(admin, room.id, "Injection room", room.version)

    assert re.fullmatch(rf"Max Manager changed this room at {TIME} on Office since you opened it; "
                        r"nothing was saved\. What is stored now is shown\.",
                        str(refused.value))
    assert refused.value.changed_by.name == "Max Manager"
    assert Room.get_by_id(room.id).name == "Laser suite" and _audits() == before
    # taken out of use from a list read before the rename: refused too
    with pytest.raises(StaleEditError):
        catalog.set_room_active(admin, room.id, False, version=room.version)
    assert Room.get_by_id(room.id).active
    # from what is stored now it saves
    catalog.rename_room(admin, room.id, "Injection room", Room.get_by_id(room.id).version)
    assert Room.get_by_id(room.id).name == "Injection room"


def test_a_device_changed_elsewhere_refuses_the_stale_change(admin, other):
    device = catalog.add_device(admin, "GentleLase", "alexandrite", 10)
    catalog.set_device_active(other, device.id, False, version=device.version)
    with pytest.raises(StaleEditError, match=rf"^Max Manager changed this device at {TIME} "
                                             "on Office since you opened it"):
        catalog.update_device(admin, device.id, "GentleLase Pro", "alexandrite", 15,
                              device.version)
    stored = Device.get_by_id(device.id)
    assert (stored.name, stored.cleanup_minutes, stored.active) == ("GentleLase", 10, False)


def test_a_staff_account_changed_by_another_admin_refuses_the_stale_edit(admin, other):
    nina = auth.create_user(admin, auth.UserInput("nina", "Nina Nurse", "provider",
                                                  "long-enough-pass"))
    row = staff.staff_row(admin, nina.id)
    # signing in, and a wrong password, are not edits of the account
    auth.authenticate("nina", "long-enough-pass")
    with pytest.raises(AuthError):
        auth.authenticate("nina", "wrong-password")
    assert User.get_by_id(nina.id).version == row.version
    staff.change_role(other, nina.id, "medical_director", row.version)
    before = _audits()

    with pytest.raises(StaleEditError, match=rf"^Max Manager changed Nina Nurse's account at "
                                             rf"{TIME} on Office since you opened it; nothing "
                                             "was saved"):
        staff.change_details(admin, nina.id, "Nurse Nina", "RN", row.version)
    with pytest.raises(StaleEditError):
        staff.set_active(admin, nina.id, False, "left", row.version)
    stored = User.get_by_id(nina.id)
    assert (stored.display_name, stored.credentials, stored.active, stored.role) == (
        nina.display_name, "", True, "medical_director")
    assert _audits() == before
    staff.change_details(admin, nina.id, "Nurse Nina", "RN", stored.version)
    assert User.get_by_id(nina.id).display_name == "Nurse Nina"


def _open_settings_screen() -> tuple[dict, settings.Seen]:
    """What the settings screen shows when it opens, and the versions it read."""
    seen = settings.seen(*clinic.SETTINGS_SCREEN)
    return dict(opening_hours=hours.clinic_hours_text(), slot=hours.slot_minutes(),
                late_cancel_hours=24, paper=clinic.paper_size(),
                consent_rules=consent_policy.policy(), tax=invoices.tax_rates(),
                backup_folder=None, lock_minutes=auth.lock_minutes(), review_days=180,
                toxin_interval_days=90), seen


def _save_screen(actor: User, opened: tuple[dict, settings.Seen], **changed) -> None:
    """The settings screen's save: everything as shown when it opened, but ``changed``."""
    shown, seen = opened
    clinic.save_settings(actor, **{**shown, **changed}, seen=seen)


def test_two_pcs_changing_different_settings_both_save(admin, other):
    mine, theirs = _open_settings_screen(), _open_settings_screen()
    _save_screen(other, theirs, slot=10)
    _save_screen(admin, mine, late_cancel_hours=48,
                 opening_hours={**mine[0]["opening_hours"], 5: "closed"})

    assert hours.slot_minutes() == 10  # theirs, kept: this screen still showed 15
    assert hours.late_cancel_window().total_seconds() == 48 * 3600
    assert hours.clinic_hours_text()[5] == "closed"
    # each key counts its own changes: the grid stored once (theirs), the late-cancel window
    # stored by their save as it was and changed by this one
    versions = dict(ClinicSetting.select(ClinicSetting.key, ClinicSetting.version).tuples())
    assert (versions["schedule.slot_minutes"], versions["policy.late_cancel_hours"]) == (1, 2)


def test_the_same_setting_changed_on_two_pcs_refuses_the_second_and_writes_none_of_it(
        admin, other):
    mine = _open_settings_screen()
    _save_screen(other, _open_settings_screen(), slot=10)
    before = _audits()

    with pytest.raises(StaleEditError) as refused:
        _save_screen(admin, mine, slot=5, late_cancel_hours=48)

    assert re.fullmatch(rf"Max Manager changed the clinic settings at {TIME} on Office since "
                        r"you opened them; nothing was saved\. What is stored now is shown\.",
                        str(refused.value))
    assert hours.slot_minutes() == 10
    assert hours.late_cancel_window().total_seconds() == 24 * 3600  # not half-saved
    assert _audits() == before
    # the same change made on both: nothing to refuse
    _save_screen(admin, mine, slot=10, late_cancel_hours=48)
    assert hours.late_cancel_window().total_seconds() == 48 * 3600


def test_the_clinic_details_keep_another_pcs_change_and_refuse_a_clash(admin, other):
    info = clinic.clinic_info()
    mine, later = settings.seen(*clinic.DETAILS_SETTINGS), settings.seen(*clinic.DETAILS_SETTINGS)
    clinic.save_details(other, clinic.ClinicInfo(**{**info.__dict__, "phone": "555 010 0199"}),
                        "letter", seen=settings.seen(*clinic.DETAILS_SETTINGS))

    with pytest.raises(StaleEditError, match=rf"^Max Manager changed the clinic's details at "
                                             rf"{TIME} on Office since you opened them"):
        clinic.save_details(admin, clinic.ClinicInfo(**{**info.__dict__,
                                                         "phone": "555 010 0123"}),
                            "a4", seen=mine)
    assert clinic.clinic_info().phone == "5550100199" and clinic.paper_size() == "letter"

    saved = clinic.save_details(admin, clinic.ClinicInfo(**{**info.__dict__,
                                                            "email": "hi@glow.example"}),
                                "letter", seen=later)
    assert (saved.phone, saved.email) == ("5550100199", "hi@glow.example")
    assert clinic.clinic_info().phone == "5550100199"  # theirs stays
