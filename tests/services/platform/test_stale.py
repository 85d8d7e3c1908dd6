"""The words of a stale save's refusal: who changed the record, when, and at which PC when
that is known for sure (presence), for every record two PCs can edit."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from medspa_desktop.services.charts import patients
from medspa_desktop.services.platform import auth, presence, stale
from medspa_desktop.services.platform.errors import StaleEditError
from medspa_desktop.services.scheduling import appointments, waitlist
from medspa_desktop.store.models import Presence
from tests.services.scheduling.test_appointments import DAY, at, book, clinic  # noqa: F401

TIME = r"\d\d:\d\d"


def test_the_sentence_says_the_day_only_when_it_was_not_today_and_the_pc_when_known():
    at_ = dt.datetime(2031, 3, 4, 10, 42)
    change = stale.Change("Dr Vasquez", at_, "Room 2")
    assert change.sentence("this note", today=at_.date()) == (
        "Dr Vasquez changed this note at 10:42 on Room 2")
    assert stale.Change("Dee Desk", at_).sentence("this patient", today=DAY) == (
        "Dee Desk changed this patient on Tue 04 Mar at 10:42")


def test_the_pc_is_named_only_when_one_window_of_theirs_could_have_saved(admin):
    desk = auth.create_user(admin, auth.UserInput("desk", "Dee Desk", "front_desk",
                                                  "long-enough"))
    now = dt.datetime.now()
    assert stale.workstation_of(desk.id, now) == ""  # not signed in anywhere known
    front = presence.begin(desk, "Front desk")
    assert stale.workstation_of(desk.id, dt.datetime.now()) == "Front desk"
    office = presence.begin(desk, "Office")
    assert stale.workstation_of(desk.id, dt.datetime.now()) == ""  # either could have
    presence.HERE.discard(office)  # the office window is another process's…
    assert stale.workstation_of(desk.id, dt.datetime.now()) == "Office"  # …this one is not it
    presence.end(desk, office)
    Presence.update(seen_at=now - dt.timedelta(minutes=5)).where(Presence.id == front).execute()
    assert stale.workstation_of(desk.id, dt.datetime.now()) == ""  # switched off since


def test_a_patient_changed_at_another_pc_names_the_person_and_the_pc(admin):
    desk = auth.create_user(admin, auth.UserInput("desk", "Dee Desk", "front_desk",
                                                  "long-enough"))
    data = patients.PatientInput("Zoe", "Quinn", dt.date(1990, 4, 17), phone="5552013344")
    p = patients.create_patient(admin, data)
    presence.begin(desk, "Front desk")
    patients.update_patient(desk, p.id, data, version=p.version)
    with pytest.raises(StaleEditError) as refused:
        patients.update_patient(admin, p.id, data, version=p.version)
    assert re.fullmatch(rf"Dee Desk changed this patient at {TIME} on Front desk while you "
                        r"were editing\. .*", str(refused.value))
    assert (refused.value.changed_by.name, refused.value.changed_by.workstation) == (
        "Dee Desk", "Front desk")


def test_a_waitlist_entry_booked_elsewhere_says_who_booked_it(clinic):  # noqa: F811
    entry = waitlist.add(clinic["admin"], waitlist.WaitlistInput(
        clinic["ann"].id, clinic["botox"].id, DAY, DAY), today=DAY)
    presence.begin(clinic["admin"], "Front desk")
    waitlist.book(clinic["admin"], entry.id, entry.version, at("10:00"), clinic["lee"].id)
    name = clinic["admin"].display_name
    with pytest.raises(StaleEditError, match=rf"^{name} changed this waitlist entry at {TIME} "
                       r"on Front desk\. Nothing was saved; the waitlist shows it as it is "
                       r"now\.$"):
        waitlist.remove(clinic["lee"], entry.id, entry.version, "no longer wants it")


def test_an_appointment_moved_at_another_pc_names_the_pc(clinic):  # noqa: F811
    first = book(clinic, "ann", "lee", "10:00", "10:30", "room1")
    presence.begin(clinic["admin"], "Room 2")
    appointments.move_appointment(clinic["admin"], first.id, first.version, at("09:00"),
                                  at("09:30"))
    with pytest.raises(StaleEditError, match=rf"\(.* moved it to .* 09:00 at {TIME} on "
                       r"Room 2\)\. Nothing was saved"):
        appointments.move_appointment(clinic["admin"], first.id, first.version, at("12:00"),
                                      at("12:30"))
