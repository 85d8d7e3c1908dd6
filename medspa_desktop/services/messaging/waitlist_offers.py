"""Waitlist offers by email: a slot freed (a cancellation, a no-show), and the waiting patients
it suits (``scheduling/waitlist.offers_for``) are emailed the slot with the clinic's phone
number — whoever calls first gets it; the desk books them as before.

An offer answers the patient's own request to be on the waitlist, so it follows the
patient's answer on *reminders* (``contact_consent``), not marketing: a patient who said no
to reminders gets no offer. One slot is offered to a patient once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ...store.database import db
from ...store.models import OutboxMessage, Patient, User
from ..charts import patients
from ..clinic import clinic
from ..platform import audit
from ..platform.permissions import require
from ..platform.vocabulary import ContactKind, MessageKind, MessageState
from ..scheduling import waitlist
from . import contact_consent, outbox


@dataclass(frozen=True)
class OfferOutcome:
    emailed: tuple[str, ...]
    skipped: tuple[tuple[str, str], ...]  # (name, why)

    def text(self) -> str:
        n = len(self.emailed)
        said = f"Offer emailed to {n} waiting patient{'s' if n != 1 else ''}."
        if self.skipped:
            said += " Not emailed: " + "; ".join(f"{name} ({why})"
                                                 for name, why in self.skipped) + "."
        return said


def offer_text(row: waitlist.WaitlistRow, first_name: str, start: dt.datetime,
               info: clinic.ClinicInfo, provider: str = "") -> tuple[str, str]:
    """(subject, body) of the offer of ``start`` to one waiting patient."""
    when = f"{start:%A %d %B} at {start:%H:%M}"
    phone = patients.format_phone(info.phone)
    subject = f"A {row.service} slot opened: {start:%a %d %b %H:%M}"
    call = (f"Call us on {phone} to take it" if phone else "Reply to this email to take it")
    body = "\n\n".join((
        f"Hello {first_name},",
        f"You asked us to tell you when a {row.service} slot opened. One has: {when}"
        + (f" with {provider}" if provider else "") + ".",
        f"{call}; it goes to whoever asks first.",
        f"{info.name}" + (f"\n{info.address}" if info.address else ""),
        "If you no longer want to be on our waiting list, reply and we will take you off."))
    return subject, body


def offer_by_email(actor: User, entry_ids, start: dt.datetime, end: dt.datetime,
                   provider_id: int | None) -> OfferOutcome:
    """Email the freed slot ``start``–``end`` to the waiting entries ``entry_ids`` among
    those it suits now; say who was left out and why."""
    require(actor, "messages.send")
    suits = {row.id: row for row in waitlist.offers_for(actor, start, end, provider_id)}
    wanted = list(dict.fromkeys(entry_ids))
    info = clinic.clinic_info()
    provider = User.get_or_none(User.id == provider_id) if provider_id else None
    emailed, skipped = [], []
    with db.atomic():
        rows = [suits[e] for e in wanted if e in suits]
        agreeing = contact_consent.agreeing([r.patient_id for r in rows], ContactKind.REMINDERS)
        people = {p.id: p for p in Patient.select().where(
            Patient.id.in_([r.patient_id for r in rows]))}
        for row in rows:
            p = people[row.patient_id]
            name = patients.display_name(p)
            subject, body = offer_text(row, p.preferred_name or p.first_name, start, info,
                                       provider.display_name if provider else "")
            if row.patient_id not in agreeing:
                skipped.append((name, "said no to messages"))
            elif not outbox.valid_email(p.email):
                skipped.append((name, "no email address"))
            elif OutboxMessage.select().where(
                    OutboxMessage.patient == p.id,
                    OutboxMessage.kind == MessageKind.WAITLIST_OFFER,
                    OutboxMessage.subject == subject,
                    OutboxMessage.state != MessageState.WITHDRAWN).exists():
                skipped.append((name, "already offered this slot"))
            else:
                outbox.queue(actor, to_address=p.email, kind=MessageKind.WAITLIST_OFFER,
                             subject=subject, body=body, patient_id=p.id)
                emailed.append(name)
        skipped += [(f"entry {e}", "the slot no longer suits it") for e in wanted
                    if e not in suits]
        if emailed:
            audit.record(actor, "message.waitlist_offer", "", "",
                         f"{start:%Y-%m-%d %H:%M} offered to {len(emailed)} waiting "
                         f"patient{'s' if len(emailed) != 1 else ''}")
    return OfferOutcome(tuple(emailed), tuple(skipped))
