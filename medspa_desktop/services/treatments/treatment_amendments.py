"""Amendments to a charted treatment record.

A charted record is final: the database refuses any change to it (``store/migrations.py``).
A correction or an addition is an amendment — who, when, why and what — kept beside the
original, shown under it and printed with it. Amendments are append-only too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ...store.database import db
from ...store.models import TreatmentAmendment, TreatmentRecord, User
from ..platform import audit, changes
from ..platform.errors import NotFound, ValidationError
from ..platform.permissions import require
from ..platform.text import clean_block, clean_line

MAX_REASON = 500
MAX_TEXT = 4000


@dataclass(frozen=True)
class AmendmentView:
    author: str  # display name
    at: dt.datetime
    reason: str
    text: str


def amend(actor: User, appointment_id: int, reason: str, text: str) -> TreatmentAmendment:
    """Correct or add to the visit's charted record, saying why; the original stays as it
    was charted."""
    require(actor, "treatment.write")
    reason, text = clean_line(reason), clean_block(text)
    if not reason:
        raise ValidationError("Give the reason for the amendment.")
    if not text:
        raise ValidationError("Write the amendment: what is corrected or added.")
    if len(reason) > MAX_REASON:
        raise ValidationError(f"The reason must be at most {MAX_REASON} characters.")
    if len(text) > MAX_TEXT:
        raise ValidationError(f"The amendment must be at most {MAX_TEXT} characters.")
    with db.atomic():
        record = TreatmentRecord.get_or_none(TreatmentRecord.appointment == appointment_id)
        if record is None:
            raise NotFound("This visit has no treatment record yet; chart it first.")
        amendment = TreatmentAmendment.create(record=record.id, author=actor,
                                              at=dt.datetime.now(), reason=reason, text=text)
        audit.record(actor, "treatment.amend", "appointment", appointment_id, reason[:200])
        changes.note("treatment", appointment_id)
    return amendment


def amendments_of(record_id: int) -> tuple[AmendmentView, ...]:
    """The record's amendments, oldest first (the caller has checked who may read them)."""
    query = (TreatmentAmendment.select(TreatmentAmendment, User)
             .join(User, on=TreatmentAmendment.author == User.id)
             .where(TreatmentAmendment.record == record_id)
             .order_by(TreatmentAmendment.at, TreatmentAmendment.id))
    return tuple(AmendmentView(a.author.display_name, a.at, a.reason, a.text) for a in query)
