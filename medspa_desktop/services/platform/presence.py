"""Who is signed in where: one ``Presence`` row per open main window — the PC's name (set on
each PC, its host name unless changed), who, since when, the last heartbeat, and what they are
editing ("writing a note" on a patient's chart).

A window begins its row when it opens, beats every ``HEARTBEAT_S`` and ends it (deletes it) on
sign-out or close. A row not seen for ``STALE_S`` (a PC switched off, a crash) no longer counts
and is purged after a day. Presence is not clinical data and is not audited (signing in and
out are, ``auth.py``); beginning, ending and editing are signalled on the change bus
(``presence``) so other PCs redraw their status bar and charts; heartbeats are not.
"""

from __future__ import annotations

import datetime as dt
import socket
from dataclasses import dataclass

from ...store.database import db
from ...store.models import Presence, User
from . import changes
from .errors import ValidationError
from .permissions import require

HEARTBEAT_S = 15
STALE_S = 60
PURGE_AFTER = dt.timedelta(days=1)
MAX_WORKSTATION = 60
WRITING_A_NOTE = "writing a note"
HERE: set[int] = set()  # the rows this process's windows began (not "another PC")


@dataclass(frozen=True)
class Seen:
    """A window open somewhere, as others see it."""

    id: int
    workstation: str
    user_id: int
    name: str  # the person's display name
    signed_in_at: dt.datetime
    editing: str
    editing_patient: int | None


def default_workstation() -> str:
    """The PC's host name, short (``room2.clinic.local`` → ``room2``)."""
    return (socket.gethostname().split(".")[0] or "This PC")[:MAX_WORKSTATION]


def clean_workstation(name: str) -> str:
    """A PC's name as given: trimmed, not blank, at most ``MAX_WORKSTATION`` characters."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError("Give this PC a name, such as Front desk or Room 2.")
    if len(name) > MAX_WORKSTATION:
        raise ValidationError(f"A PC's name can be at most {MAX_WORKSTATION} characters.")
    return name


def begin(actor: User, workstation: str, now: dt.datetime | None = None) -> int:
    """This window is open on ``workstation``: its row's id."""
    require(actor, "presence.see")
    workstation = clean_workstation(workstation)
    now = now or dt.datetime.now()
    with db.atomic():
        Presence.delete().where(Presence.seen_at < now - PURGE_AFTER).execute()
        made = Presence.create(workstation=workstation, user=actor.id, signed_in_at=now,
                               seen_at=now)
        changes.note("presence", made.id)
    HERE.add(made.id)
    return made.id


def heartbeat(actor: User, presence_id: int, now: dt.datetime | None = None) -> bool:
    """Still here. False when the row is gone (purged while the PC slept): begin again."""
    require(actor, "presence.see")
    return bool(Presence.update(seen_at=now or dt.datetime.now())
                .where(Presence.id == presence_id).execute())


def editing(actor: User, presence_id: int, patient_id: int | None, what: str = "") -> None:
    """What this window edits now (``patient_id`` None: nothing)."""
    require(actor, "presence.see")
    what = what[:120] if patient_id is not None else ""
    row = Presence.get_or_none(Presence.id == presence_id)
    if row is None or (row.editing, row.editing_patient) == (what, patient_id):
        return
    with db.atomic():
        Presence.update(editing=what, editing_patient=patient_id, seen_at=dt.datetime.now()
                        ).where(Presence.id == presence_id).execute()
        changes.note("presence", presence_id)


def end(actor: User, presence_id: int) -> None:
    """This window signs out or closes: its row goes."""
    require(actor, "presence.see")
    HERE.discard(presence_id)
    with db.atomic():
        if Presence.delete().where(Presence.id == presence_id).execute():
            changes.note("presence", presence_id)


def _fresh(now: dt.datetime | None):
    return Presence.seen_at >= (now or dt.datetime.now()) - dt.timedelta(seconds=STALE_S)


def signed_in(actor: User, now: dt.datetime | None = None) -> list[Seen]:
    """Every window open now (seen within ``STALE_S``), by PC then name."""
    require(actor, "presence.see")
    rows = (Presence.select(Presence, User.display_name)
            .join(User, on=(Presence.user == User.id))
            .where(_fresh(now))
            .order_by(Presence.workstation, User.display_name, Presence.id))
    return [Seen(p.id, p.workstation, p.user_id, p.user.display_name, p.signed_in_at,
                 p.editing, p.editing_patient) for p in rows]


def editing_chart(actor: User, patient_id: int, except_id: int | None = None,
                  now: dt.datetime | None = None) -> list[Seen]:
    """The other windows editing something on this patient's chart."""
    require(actor, "presence.see")
    return [s for s in signed_in(actor, now)
            if s.editing_patient == patient_id and s.id != except_id and s.editing]


def editing_sentence(seen: Seen) -> str:
    """"Dr Vasquez is writing a note for this patient at Room 2"."""
    return f"{seen.name} is {seen.editing} for this patient at {seen.workstation}"
