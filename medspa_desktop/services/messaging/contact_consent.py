"""Consent to be contacted: per patient, reminders yes or no (about appointments the patient
booked or asked for: reminders, waitlist offers) and marketing yes or no (recall emails,
offers), each with the day the patient said so.

The answers are an append-only history (``contact_consent``): who recorded what, when; the
latest row of a kind is the answer now. Without any row, reminders are yes (they are about an
appointment the patient booked: transactional) and marketing is no until the patient agrees.
A patient who asked to stop is never sent a marketing message: every sender asks
``may_contact`` (or ``agreeing`` for many patients at once) right before it queues one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ...store.database import db
from ...store.models import ContactConsent, Patient, User
from ..charts import patients
from ..platform import audit, changes
from ..platform.errors import NotFound, ValidationError
from ..platform.permissions import require
from ..platform.vocabulary import ContactKind

# Without a recorded answer: reminders yes (transactional), marketing no (until agreed).
DEFAULTS = {ContactKind.REMINDERS: True, ContactKind.MARKETING: False}


@dataclass(frozen=True)
class ContactAnswer:
    kind: str
    agreed: bool
    given_on: dt.date | None  # None: never recorded, the default holds
    recorded_by: str = ""  # display name
    recorded_at: dt.datetime | None = None

    @property
    def recorded(self) -> bool:
        return self.given_on is not None

    def describe(self) -> str:
        """"Yes since Fri 4 Dec 2026 (recorded by Dana)", or what holds without an answer."""
        if not self.recorded:
            return "Yes unless the patient says no" if self.agreed else "No until the patient agrees"
        word = "Yes" if self.agreed else "No"
        return f"{word} since {self.given_on:%a %d %b %Y} (recorded by {self.recorded_by})"


def _kind(kind: str) -> ContactKind:
    if not ContactKind.has(kind):
        raise ValidationError(f"'{kind}' is not a kind of message a patient can agree to.")
    return ContactKind(kind)


def current_answers(actor: User, patient_id: int) -> dict[str, ContactAnswer]:
    """The patient's answer now for each kind (reminders, marketing)."""
    require(actor, "patient.read")
    if Patient.get_or_none(Patient.id == patient_id) is None:
        raise NotFound("That patient does not exist.")
    return _answers(patient_id)


def _answers(patient_id: int) -> dict[str, ContactAnswer]:
    answers = {kind.value: ContactAnswer(kind.value, DEFAULTS[kind], None)
               for kind in ContactKind}
    rows = (ContactConsent.select(ContactConsent, User.display_name)
            .join(User, on=ContactConsent.recorded_by == User.id)
            .where(ContactConsent.patient.in_(patients.chart_ids(patient_id)))
            .order_by(ContactConsent.id))
    for row in rows:  # the latest of each kind wins
        answers[row.kind] = ContactAnswer(row.kind, bool(row.agreed), row.given_on,
                                          row.recorded_by.display_name, row.recorded_at)
    return answers


def record_answers(actor: User, patient_id: int, agreed: dict[str, bool],
                   given_on: dt.date | None = None) -> dict[str, ContactAnswer]:
    """Record what the patient said (``{kind: yes/no}``) on ``given_on`` (today when not
    given). Only answers that differ from the current one are written; each written answer is
    audited. Returns the answers now."""
    require(actor, "patient.write")
    given_on = given_on or dt.date.today()
    if given_on > dt.date.today():
        raise ValidationError("The day the patient said so cannot be in the future.")
    wanted = {_kind(kind): bool(value) for kind, value in (agreed or {}).items()}
    with db.atomic():
        patient = Patient.get_or_none(Patient.id == patient_id)
        if patient is None:
            raise NotFound("That patient does not exist.")
        if patient.merged_into_id is not None:
            raise ValidationError("This chart was merged into another: record it there.")
        now_answers = _answers(patient_id)
        now = dt.datetime.now()
        for kind, value in wanted.items():
            if now_answers[kind].recorded and now_answers[kind].agreed == value:
                continue  # already on file as said; a default the patient confirms is written
            ContactConsent.create(patient=patient_id, kind=kind.value, agreed=value,
                                  given_on=given_on, recorded_by=actor, recorded_at=now)
            audit.record(actor, "patient.contact_consent", "patient", patient_id,
                         f"{kind.label}: {'yes' if value else 'no'} "
                         f"(said on {given_on:%Y-%m-%d})")
        changes.note("patient", patient_id)
    return _answers(patient_id)


def may_contact(patient: Patient | int, kind: str) -> bool:
    """Whether the patient may be sent a message of ``kind`` now (their latest answer, or the
    default). An archived or merged chart is never contacted."""
    patient_id = patient if isinstance(patient, int) else patient.id
    return patient_id in agreeing([patient_id], kind)


def agreeing(patient_ids, kind: str) -> set[int]:
    """The patients among ``patient_ids`` who may be sent a message of ``kind`` now, in a
    fixed number of queries however many."""
    kind = _kind(kind)
    ids = list(dict.fromkeys(patient_ids))
    if not ids:
        return set()
    open_charts = {pid for (pid,) in Patient.select(Patient.id).where(
        Patient.id.in_(ids), Patient.archived == False,  # noqa: E712 (SQL)
        Patient.merged_into.is_null()).tuples()}
    owners = patients.chart_owners(ids)  # a merged duplicate's answers are the patient's too
    said: dict[int, bool] = {}
    for chart_id, agreed in (ContactConsent.select(ContactConsent.patient, ContactConsent.agreed)
                             .where(ContactConsent.patient.in_(list(owners)),
                                    ContactConsent.kind == kind.value)
                             .order_by(ContactConsent.id).tuples()):
        said[owners[chart_id]] = bool(agreed)  # the latest, on whichever chart, wins
    return {pid for pid in open_charts if bool(said.get(pid, DEFAULTS[kind]))}


def said_query(patient_id: int, kind: str):
    """What ``may_contact`` reads of one patient's answers, as one query to send with others
    (``store.database.fetch_together``): the latest answer of ``kind`` on the patient's chart
    or any chart merged into it. Give its rows to :func:`may_contact_from`."""
    kind = _kind(kind)
    charts = Patient.select(Patient.id).where((Patient.id == patient_id)
                                              | (Patient.merged_into == patient_id))
    return (ContactConsent.select(ContactConsent.agreed)
            .where(ContactConsent.patient.in_(charts), ContactConsent.kind == kind.value)
            .order_by(ContactConsent.id.desc()).limit(1).tuples())


def may_contact_from(patient: Patient, kind: str, said: list) -> bool:
    """``may_contact`` from the patient's row the caller has in hand and ``said_query``'s
    rows: never an archived or merged chart; else the latest answer, or the default."""
    if patient.archived or patient.merged_into_id is not None:
        return False
    return bool(said[0][0]) if said else DEFAULTS[_kind(kind)]
