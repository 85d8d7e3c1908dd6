"""Recall emails: one email to each chosen patient on the patients-due lists, queued in the
outbox (``outbox.queue``) in one transaction.

A recall is a marketing message: only a patient whose latest answer is "yes" to marketing
(``contact_consent``) and who has an email address gets one; a patient who asked to stop is
never sent one. Every recall email ends with how to stop (reply STOP, or tell the clinic by
phone or email). A patient already sent a recall (or with one waiting) in the last
``RECALL_QUIET_DAYS`` days is not sent another, so pressing the button twice sends nothing
twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from ...store.database import db
from ...store.models import OutboxMessage, Patient, User
from ..charts import patients
from ..clinic import clinic
from ..platform import audit
from ..platform.permissions import require
from ..platform.vocabulary import ContactKind, MessageKind, MessageState
from . import contact_consent, due_lists, outbox

RECALL_QUIET_DAYS = 30  # no second recall email to a patient within this many days


@dataclass(frozen=True)
class RecallOutcome:
    queued: tuple[str, ...]  # patients' names
    skipped: tuple[tuple[str, str], ...]  # (name, why)

    def text(self) -> str:
        """What the desk reads after sending."""
        n = len(self.queued)
        said = f"{n} recall email{'s' if n != 1 else ''} queued."
        reasons: dict[str, list[str]] = {}
        for name, reason in self.skipped:
            reasons.setdefault(reason, []).append(name)
        for reason, names in reasons.items():
            shown = "; ".join(names[:3]) + (f" and {len(names) - 3} more"
                                            if len(names) > 3 else "")
            said += f" Not sent — {reason}: {shown}."
        return said


def stop_line(info: clinic.ClinicInfo) -> str:
    """How to stop, on every marketing email."""
    ways = " or ".join(x for x in (f"call us on {patients.format_phone(info.phone)}"
                                   if info.phone else "",
                                   f"email {info.email}" if info.email else "") if x)
    return ("You receive this because you agreed to hear from "
            f"{info.name}. To stop these emails, reply STOP"
            + (f", or {ways}" if ways else "") + ", and we will not send you another.")


def recall_text(row: due_lists.DueRow, first_name: str,
                info: clinic.ClinicInfo) -> tuple[str, str]:
    """(subject, body) of the recall email for one patient's row."""
    since = f"{row.since:%B %Y}" if row.since else ""
    if row.list == "toxin":
        subject = f"Time for your next {row.service}"
        middle = (f"It has been about {row.days // 7} weeks since your last {row.service} "
                  f"({since}): about when most patients come back to keep their results.")
    elif row.list == "filler":
        subject = f"Your {row.service} review"
        middle = (f"Your {row.service} was in {since}; this is a good time to see how it "
                  "has settled and whether a top-up would help.")
    elif row.list == "series":
        subject = f"Your {row.service} course"
        middle = (f"You have {row.left} session{'s' if row.left != 1 else ''} of your "
                  f"{row.service} course left; booking the next keeps the results coming.")
    else:
        subject = f"We would love to see you again at {info.name}"
        middle = f"We have not seen you since {since}, and would love to welcome you back."
    book = ("To book, reply to this email"
            + (f" or call us on {patients.format_phone(info.phone)}" if info.phone else "")
            + ".")
    body = "\n\n".join((f"Hello {first_name},", middle, book,
                        f"With best wishes,\n{info.name}", "—\n" + stop_line(info)))
    return subject, body


def _recently_recalled(patient_ids: list[int], now: dt.datetime) -> set[int]:
    since = now - dt.timedelta(days=RECALL_QUIET_DAYS)
    return {pid for (pid,) in OutboxMessage.select(OutboxMessage.patient).where(
        OutboxMessage.patient.in_(patient_ids), OutboxMessage.kind == MessageKind.RECALL,
        OutboxMessage.state != MessageState.WITHDRAWN,
        OutboxMessage.created_at >= since).tuples()}


def send_recall_emails(actor: User, patient_ids: Iterable[int],
                       day: dt.date | None = None) -> RecallOutcome:
    """Queue a recall email to each of ``patient_ids`` who is on a patients-due list on
    ``day`` (today when not given), agreed to marketing and has an email address; say who
    was left out and why."""
    require(actor, "messages.send")
    ids = list(dict.fromkeys(patient_ids))
    lists = due_lists.patients_due(actor, day)
    rows = {}
    for row in lists.all_rows():
        rows.setdefault(row.patient_id, row)  # toxin, filler, series before lapsed
    info = clinic.clinic_info()
    queued, skipped = [], []
    now = dt.datetime.now()
    with db.atomic():
        agreeing = contact_consent.agreeing(ids, ContactKind.MARKETING)
        recent = _recently_recalled(ids, now)
        people = {p.id: p for p in Patient.select().where(Patient.id.in_(ids))}
        for pid in ids:
            p = people.get(pid)
            if p is None:
                continue
            name = patients.display_name(p)
            row = rows.get(pid)
            if row is None:
                skipped.append((name, "not due"))
            elif pid not in agreeing:
                skipped.append((name, "has not agreed to marketing emails"))
            elif not outbox.valid_email(p.email):
                skipped.append((name, "no email address"))
            elif pid in recent:
                skipped.append((name, f"sent one in the last {RECALL_QUIET_DAYS} days"))
            else:
                subject, body = recall_text(row, p.preferred_name or p.first_name, info)
                outbox.queue(actor, to_address=p.email, kind=MessageKind.RECALL,
                             subject=subject, body=body, patient_id=pid, due_at=now)
                queued.append(name)
        if queued:
            audit.record(actor, "message.recall", "", "",
                         f"recall emails queued for {len(queued)} patient"
                         f"{'s' if len(queued) != 1 else ''}; {len(skipped)} left out")
    return RecallOutcome(tuple(queued), tuple(skipped))
