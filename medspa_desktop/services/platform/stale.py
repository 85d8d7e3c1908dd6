"""Who changed a record while another window was editing it: the one sentence every stale
save's refusal starts with ("Dr Vasquez changed this note at 10:42 on Room 2").

The person and the time come from the record's history (the audit log, or a record's own
change rows); the PC from presence: the PC that person was signed in at when they saved, named
only when it is known for sure (one window of theirs open then, not counting this process's
own). ``refuse`` raises the ``StaleEditError`` carrying the change, so a form can say the
words and then show what is stored now (``ui/widgets/stale_notice.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NoReturn

from peewee import JOIN

from ...store.models import AuditEvent, Presence, User
from . import presence
from .errors import StaleEditError


@dataclass(frozen=True)
class Change:
    """Someone's save of a record: who, when, at which PC ("" when not known)."""

    name: str
    at: dt.datetime
    workstation: str = ""

    def sentence(self, what: str, today: dt.date | None = None, verb: str = "changed") -> str:
        """ "Dr Vasquez changed this note at 10:42 on Room 2" (``what`` = "this note"); the
        date is said when it was not today."""
        today = today or dt.date.today()
        when = (f"at {self.at:%H:%M}" if self.at.date() == today
                else f"on {self.at:%a %d %b} at {self.at:%H:%M}")
        where = f" on {self.workstation}" if self.workstation else ""
        return f"{self.name} {verb} {what} {when}{where}"


def workstation_of(user_id: int | None, at: dt.datetime) -> str:
    """The PC ``user_id`` was at when they saved at ``at``: their window open then (signed in
    before, still beating after). "" when none is known or several could be it — except that
    this process's own windows are not the other PC, so they are left out first."""
    if user_id is None:
        return ""
    rows = list(Presence.select(Presence.id, Presence.workstation)
                .where(Presence.user == user_id, Presence.signed_in_at <= at,
                       Presence.seen_at >= at - dt.timedelta(seconds=presence.STALE_S))
                .tuples())
    elsewhere = [(pid, pc) for pid, pc in rows if pid not in presence.HERE] or rows
    names = {pc for _, pc in elsewhere}
    return names.pop() if len(names) == 1 else ""


def change_by(user_id: int | None, name: str, at: dt.datetime) -> Change:
    """A save by ``user_id`` (shown as ``name``) at ``at``, with the PC when known."""
    return Change(name, at, workstation_of(user_id, at))


def last_change(record_type: str, record_id: object,
                actions: Iterable[str] | None = None) -> Change | None:
    """The latest audited change to the record (of ``actions`` when given; reads such as
    "note.open" are not changes), or None when the log has none."""
    query = (AuditEvent.select(AuditEvent.at, AuditEvent.user, AuditEvent.username,
                               User.display_name)
             .join(User, on=(AuditEvent.user == User.id), join_type=JOIN.LEFT_OUTER)
             .where(AuditEvent.record_type == record_type,
                    AuditEvent.record_id == str(record_id)))
    if actions is not None:
        query = query.where(AuditEvent.action.in_(tuple(actions)))
    last = query.order_by(AuditEvent.id.desc()).objects().first()
    if last is None:
        return None
    return change_by(last.user_id, last.display_name or last.username, last.at)


def said(change: Change | None, what: str, nobody: str) -> str:
    """The sentence for ``change``, or ``nobody`` ("Someone else changed this note") when the
    history does not say who."""
    return change.sentence(what) if change is not None else nobody


def refuse(change: Change | None, what: str, rest: str, *,
           nobody: str | None = None) -> NoReturn:
    """Raise the stale-save refusal: "<who> changed <what> at <time> on <PC> <rest>"."""
    first = said(change, what, nobody or f"Someone else changed {what}")
    raise StaleEditError(f"{first}{rest}", changed_by=change)
