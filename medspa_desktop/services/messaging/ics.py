"""The calendar invitation a reminder carries (RFC 5545, built with ``icalendar``).

The appointment's start and end are the clinic's wall-clock times, written in the clinic's
time zone (``TZID``) with that zone's ``VTIMEZONE`` in the file, so a patient's calendar in
another zone shows the right moment. The ``UID`` is fixed per appointment, and ``SEQUENCE``
grows with every move, so a calendar updates the one event instead of adding a second;
``METHOD:CANCEL`` takes it out again.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from dataclasses import dataclass

from icalendar import Calendar, Event, Timezone, vCalAddress, vText

PRODUCT_ID = "-//MedSpa Desktop//Appointment reminders//EN"


@dataclass(frozen=True)
class Invitation:
    appointment_id: int
    start: dt.datetime  # the clinic's wall-clock time (naive)
    end: dt.datetime
    time_zone: str  # IANA name
    summary: str  # the service, and the clinic's name
    location: str  # the clinic's address
    description: str = ""
    organizer: str = ""  # the clinic's from-address
    organizer_name: str = ""
    sequence: int = 0  # how many times the appointment was moved
    domain: str = "medspa.invalid"


def uid_of(appointment_id: int, domain: str) -> str:
    return f"appointment-{appointment_id}@{domain or 'medspa.invalid'}"


def invitation_text(invite: Invitation, *, method: str = "REQUEST",
                    stamp: dt.datetime | None = None) -> str:
    """The .ics file's text for ``invite`` (``method`` REQUEST or CANCEL)."""
    zone = zoneinfo.ZoneInfo(invite.time_zone)
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    calendar.add_component(_time_zone(invite.time_zone, invite.start.year, invite.end.year))
    event = Event()
    event.add("uid", uid_of(invite.appointment_id, invite.domain))
    event.add("dtstamp", (stamp or dt.datetime.now(dt.UTC)).astimezone(dt.UTC))
    event.add("dtstart", invite.start.replace(tzinfo=zone))
    event.add("dtend", invite.end.replace(tzinfo=zone))
    event.add("summary", invite.summary)
    event.add("location", invite.location)
    if invite.description:
        event.add("description", invite.description)
    event.add("sequence", invite.sequence)
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    if invite.organizer:
        organizer = vCalAddress(f"mailto:{invite.organizer}")
        if invite.organizer_name:
            organizer.params["cn"] = vText(invite.organizer_name)
        event.add("organizer", organizer)
    calendar.add_component(event)
    return calendar.to_ical().decode("utf-8")


@functools.lru_cache(maxsize=16)
def _time_zone(name: str, first_year: int, last_year: int) -> Timezone:
    """The zone's ``VTIMEZONE`` from the year before ``first_year`` to the year after
    ``last_year`` (at least a year either side of the appointment), kept: icalendar works out
    the transitions by probing the zone hour by hour (about 20 ms a file; a booking's two
    reminders each carry one). Only read after it is made."""
    return Timezone.from_tzid(name, first_date=dt.date(first_year - 1, 1, 1),
                              last_date=dt.date(last_year + 1, 12, 31))
