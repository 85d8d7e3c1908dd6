"""Who is signed in where: a window's row is begun, kept fresh, marked with what it edits,
and ended; a PC switched off without signing out stops counting after a minute."""

from __future__ import annotations

import datetime as dt

import pytest

from medspa_desktop.services.platform import changes, presence
from medspa_desktop.services.platform.errors import ValidationError
from medspa_desktop.store.models import Presence
from tests.conftest import staff

NOW = dt.datetime(2031, 3, 4, 9, 0)


def test_others_see_who_is_signed_in_where_and_what_they_write(demo_db):
    director, desk = staff("director"), staff("frontdesk")
    room = presence.begin(director, "  Room   2 ", now=NOW)
    front = presence.begin(desk, "Front desk", now=NOW)
    seen = presence.signed_in(desk, now=NOW)
    assert [(s.workstation, s.name) for s in seen] == [
        ("Front desk", desk.display_name), ("Room 2", director.display_name)]
    heard = []
    stop = changes.subscribe(heard.append)
    try:
        presence.editing(director, room, 12, presence.WRITING_A_NOTE)
        presence.editing(director, room, 12, presence.WRITING_A_NOTE)  # the same: not again
    finally:
        stop()
    assert len(heard) == 1 and heard[0].touches("presence")
    (writing,) = presence.editing_chart(desk, 12)
    assert presence.editing_sentence(writing) == (
        f"{director.display_name} is writing a note for this patient at Room 2")
    assert presence.editing_chart(desk, 12, except_id=room) == []  # not my own window
    assert presence.editing_chart(desk, 13) == []
    presence.editing(director, room, None)
    assert presence.editing_chart(desk, 12) == []
    presence.end(desk, front)
    assert [s.id for s in presence.signed_in(director)] == [room]


def test_a_pc_switched_off_stops_counting_after_a_minute_and_a_heartbeat_keeps_it(demo_db):
    director = staff("director")
    kept = presence.begin(director, "Room 2", now=NOW)
    gone = presence.begin(director, "Room 3", now=NOW)
    later = NOW + dt.timedelta(seconds=presence.STALE_S + 1)
    assert presence.heartbeat(director, kept, now=later - dt.timedelta(seconds=5))
    assert [s.id for s in presence.signed_in(director, now=later)] == [kept]
    # a day on, the next window to open clears the forgotten rows
    presence.begin(director, "Room 4", now=NOW + presence.PURGE_AFTER + dt.timedelta(hours=1))
    assert not Presence.select().where(Presence.id == gone).exists()
    assert not presence.heartbeat(director, gone)  # gone: the window begins again


def test_a_pc_needs_a_name_that_fits(demo_db):
    director = staff("director")
    with pytest.raises(ValidationError, match="Give this PC a name"):
        presence.begin(director, "   ")
    with pytest.raises(ValidationError, match="at most 60"):
        presence.begin(director, "R" * 61)
    assert Presence.select().count() == 0
    assert presence.default_workstation()
