"""The intake questionnaire and medical history. Every answer is dated and kept: recording a
new answer appends a row, so each question's history stays readable."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from ...store.database import db
from ...store.models import MedicalAnswer, Patient, User
from ..platform import audit, changes
from ..platform.errors import NotFound, ValidationError
from ..platform.permissions import require
from ..platform.text import clean_block
from .patients import chart_ids, chart_owners, refuse_if_merged


@dataclass(frozen=True)
class Question:
    key: str
    label: str
    kind: str  # yes_no | text | date | fitzpatrick


QUESTIONS: tuple[Question, ...] = (
    Question("medications", "Current medications", "text"),
    Question("allergies", "Allergies and reactions", "text"),
    Question("conditions", "Medical conditions", "text"),
    Question("pregnant_or_nursing", "Pregnant or nursing", "yes_no"),
    Question("isotretinoin_last_dose", "Isotretinoin (Accutane): date of last dose", "date"),
    Question("topical_retinoids", "Topical retinoids in the last 2 weeks", "yes_no"),
    Question("anticoagulants", "Blood thinners (anticoagulants, aspirin)", "yes_no"),
    Question("bleeding_disorder", "Bleeding disorder", "yes_no"),
    Question("herpes_history", "Cold sores (herpes simplex) history", "yes_no"),
    Question("keloids", "Keloid or raised scars", "yes_no"),
    Question("implanted_devices", "Pacemaker or implanted device", "yes_no"),
    Question("recent_tan", "Sunburn or tan in the last 4 weeks", "yes_no"),
    Question("photosensitising_medication", "Photosensitising medication", "yes_no"),
    Question("neuromuscular_disease", "Neuromuscular disease (myasthenia gravis, ALS, "
             "Lambert-Eaton)", "yes_no"),
    Question("anaphylaxis_history", "Anaphylaxis or severe allergies", "yes_no"),
    Question("lidocaine_allergy", "Allergy to lidocaine", "yes_no"),
    Question("diabetes", "Diabetes", "yes_no"),
    Question("active_infection", "Infection or inflammation at the treatment area", "yes_no"),
    Question("tattoos_in_area", "Tattoos in the treatment area", "yes_no"),
    Question("prior_treatments", "Prior aesthetic treatments and reactions", "text"),
    Question("fitzpatrick", "Fitzpatrick skin type", "fitzpatrick"),
)
BY_KEY = {q.key: q for q in QUESTIONS}
FITZPATRICK = {1: "I — always burns, never tans", 2: "II — burns easily, tans minimally",
               3: "III — sometimes burns, tans slowly", 4: "IV — rarely burns, tans moderately",
               5: "V — rarely burns, tans well", 6: "VI — never burns, deeply pigmented"}
MAX_TEXT = 2000


@dataclass(frozen=True)
class Answer:
    question: str
    value: object  # bool, str, dt.date, int or None
    answered_on: dt.date
    recorded_by: str
    recorded_at: dt.datetime


def _clean(question: Question, value: object) -> object:
    if question.kind == "yes_no":
        if value is None or isinstance(value, bool):
            return value
        raise ValidationError(f"Answer yes or no to '{question.label}'.")
    if question.kind == "text":
        text = clean_block(str(value or ""))
        if len(text) > MAX_TEXT:
            raise ValidationError(f"'{question.label}' must be at most {MAX_TEXT} characters.")
        return text
    if question.kind == "date":
        if value is None or value == "":
            return None
        if not isinstance(value, dt.date):
            raise ValidationError(f"'{question.label}' must be a date.")
        if value > dt.date.today():
            raise ValidationError(f"'{question.label}' cannot be in the future.")
        return value
    if value is None:
        return None
    if value not in FITZPATRICK:
        raise ValidationError("The Fitzpatrick skin type is I to VI.")
    return value


def _encode(value: object) -> str:
    return json.dumps(value.isoformat() if isinstance(value, dt.date) else value)


def _decode(question: Question, text: str) -> object:
    value = json.loads(text) if text else None
    if question.kind == "date" and value:
        return dt.date.fromisoformat(value)
    return value


@dataclass(frozen=True)
class Saved:
    """What saving an intake did: answers that changed, unchanged answers the patient
    re-confirmed, and the questions whose answer was recorded for history only because the
    patient gave a newer one (question label, the date of the newer answer)."""

    changed: int
    confirmed: int
    kept_newer: tuple[tuple[str, dt.date], ...] = ()

    @property
    def written(self) -> int:
        return self.changed + self.confirmed


def save_intake(actor: User, patient_id: int, answers: dict[str, object],
                answered_on: dt.date | None = None, *,
                confirm_unchanged: bool = False) -> Saved:
    """Record a form the patient filled in (or answered aloud) on ``answered_on``.

    An answer that differs from the one on file is appended (a question left at "not
    answered" that never was answered writes nothing; a blank text is "none reported"). It
    becomes the current answer
    unless the one on file was given later: typing in an old paper form never overrides a
    newer answer (it stays in the history). With ``confirm_unchanged`` the patient went
    through every answer on that date: an unchanged answer on file from an earlier date is
    appended again with the new date, so its "confirmed on" date moves. Unknown questions or
    bad values are refused and nothing is written."""
    require(actor, "patient.write")
    refuse_if_merged(patient_id)
    answered_on = answered_on or dt.date.today()
    if answered_on > dt.date.today():
        raise ValidationError("The intake cannot be dated in the future.")
    unknown = [k for k in answers if k not in BY_KEY]
    if unknown:
        raise ValidationError(f"Unknown intake questions: {', '.join(unknown)}.")
    cleaned = {k: _clean(BY_KEY[k], v) for k, v in answers.items()}
    with db.atomic():
        if Patient.get_or_none(Patient.id == patient_id) is None:
            raise NotFound("That patient does not exist.")
        given = _given(patient_id)
        current = _latest(given)
        already = {(a.question, a.answered_on, _encode(a.value)) for a in given}
        changed = {k: v for k, v in cleaned.items()
                   if (current[k].value != v if k in current else v is not None)
                   # the same form typed in twice is written once
                   and (k, answered_on, _encode(v)) not in already}
        confirmed = {k: v for k, v in cleaned.items()
                     if confirm_unchanged and k in current and current[k].value == v
                     and current[k].answered_on < answered_on}
        older = sorted(k for k in changed
                       if k in current and current[k].answered_on > answered_on)
        now = dt.datetime.now()
        for key, value in {**changed, **confirmed}.items():
            MedicalAnswer.create(patient=patient_id, question=key, value=_encode(value),
                                 answered_on=answered_on, recorded_by=actor, recorded_at=now)
        if changed or confirmed:
            said = [f"{len(changed)} answers given {answered_on}: {', '.join(sorted(changed))}"
                    if changed else "",
                    f"{len(confirmed)} re-confirmed on {answered_on}" if confirmed else "",
                    f"a newer answer stays current: {', '.join(older)}" if older else ""]
            audit.record(actor, "intake.record", "patient", patient_id,
                         "; ".join(x for x in said if x)[:500])
            changes.note("intake", patient_id)
    return Saved(len(changed), len(confirmed),
                 tuple((BY_KEY[k].label, current[k].answered_on) for k in older))


def record_answers(actor: User, patient_id: int, answers: dict[str, object],
                   answered_on: dt.date | None = None, *,
                   confirm_unchanged: bool = False) -> int:
    """``save_intake``, returning how many answers were written."""
    return save_intake(actor, patient_id, answers, answered_on,
                       confirm_unchanged=confirm_unchanged).written


def _ordered(query):
    """Answers in the order they were given: by the form's date, then as entered."""
    return query.order_by(MedicalAnswer.answered_on, MedicalAnswer.recorded_at, MedicalAnswer.id)


def _answer(question: Question, row: MedicalAnswer) -> Answer:
    return Answer(question.key, _decode(question, row.value), row.answered_on,
                  row.recorded_by.display_name, row.recorded_at)


def _given(patient_id: int, charts: list[int] | tuple[int, ...] | None = None) -> list[Answer]:
    """Every answer the patient gave, in the order given (``charts``: the patient's
    ``chart_ids`` when the caller has them already)."""
    charts = chart_ids(patient_id) if charts is None else list(charts)
    rows = _ordered(MedicalAnswer.select(MedicalAnswer, User).join(User)
                    .where(MedicalAnswer.patient.in_(charts)))
    return [_answer(BY_KEY[r.question], r) for r in rows if r.question in BY_KEY]


def _latest(given: list[Answer]) -> dict[str, Answer]:
    """The current answer to each question: the one given last (by the form's date, not by
    when it was typed in)."""
    return {a.question: a for a in given}


def _current(patient_id: int, charts=None) -> dict[str, Answer]:
    return _latest(_given(patient_id, charts))


def has_history(answers: dict[str, Answer]) -> bool:
    """Whether the patient has answered anything at all (a form saved blank is no history)."""
    return any(a.value is not None and a.value != "" for a in answers.values())


def current_answers(actor: User, patient_id: int,
                    charts: list[int] | tuple[int, ...] | None = None) -> dict[str, Answer]:
    """The latest answer to each question the patient has answered. ``charts``: the
    patient's ``chart_ids`` read once for a chart's opening (never kept across openings)."""
    require(actor, "patient.read")
    return _current(patient_id, charts)


def current_answers_of(actor: User, patient_ids, *,
                       owners: dict[int, int] | None = None) -> dict[int, dict[str, Answer]]:
    """``current_answers`` of many patients (a day's schedule) in two queries, or one when
    the caller has read their ``chart_owners`` already (``owners``)."""
    require(actor, "patient.read")
    owners = owners if owners is not None else chart_owners(patient_ids)
    given: dict[int, list[Answer]] = {pid: [] for pid in set(owners.values())}
    if owners:
        rows = _ordered(MedicalAnswer.select(MedicalAnswer, User).join(User)
                        .where(MedicalAnswer.patient.in_(list(owners))))
        for r in rows:
            if r.question in BY_KEY:
                given[owners[r.patient_id]].append(_answer(BY_KEY[r.question], r))
    return {pid: _latest(answers) for pid, answers in given.items()}


def history(actor: User, patient_id: int, question: str) -> list[Answer]:
    """Every answer ever recorded to ``question``, in the order the patient gave them (the
    form's date; answers given the same day in the order they were entered)."""
    require(actor, "patient.read")
    q = BY_KEY[question]
    rows = _ordered(MedicalAnswer.select(MedicalAnswer, User).join(User)
                    .where(MedicalAnswer.patient.in_(chart_ids(patient_id)),
                           MedicalAnswer.question == question))
    return [_answer(q, r) for r in rows]


def histories(actor: User, patient_id: int) -> dict[str, list[Answer]]:
    """``history`` of every question the patient answered, read at once."""
    require(actor, "patient.read")
    found: dict[str, list[Answer]] = {}
    for answer in _given(patient_id):
        found.setdefault(answer.question, []).append(answer)
    return found
