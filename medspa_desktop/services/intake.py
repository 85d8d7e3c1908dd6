"""The intake questionnaire and medical history. Every answer is dated and kept: recording a
new answer appends a row, so each question's history stays readable."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from ..store.database import db
from ..store.models import MedicalAnswer, Patient, User
from . import audit
from .errors import NotFound, ValidationError
from .permissions import require
from .text import clean_block


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


def record_answers(actor: User, patient_id: int, answers: dict[str, object],
                   answered_on: dt.date | None = None) -> int:
    """Append the answers that changed; returns how many. Unknown questions or bad values
    are refused and nothing is written."""
    require(actor, "patient.write")
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
        current = _current(patient_id)
        changed = {k: v for k, v in cleaned.items()
                   if k not in current or current[k].value != v}
        now = dt.datetime.now()
        for key, value in changed.items():
            MedicalAnswer.create(patient=patient_id, question=key, value=_encode(value),
                                 answered_on=answered_on, recorded_by=actor, recorded_at=now)
        if changed:
            audit.record(actor, "intake.record", "patient", patient_id,
                         f"{len(changed)} answers: {', '.join(sorted(changed))}"[:500])
    return len(changed)


def _current(patient_id: int) -> dict[str, Answer]:
    rows = (MedicalAnswer.select(MedicalAnswer, User).join(User)
            .where(MedicalAnswer.patient == patient_id)
            .order_by(MedicalAnswer.recorded_at, MedicalAnswer.id))
    latest: dict[str, Answer] = {}
    for row in rows:
        question = BY_KEY.get(row.question)
        if question is not None:
            latest[row.question] = Answer(row.question, _decode(question, row.value),
                                          row.answered_on, row.recorded_by.display_name,
                                          row.recorded_at)
    return latest


def current_answers(actor: User, patient_id: int) -> dict[str, Answer]:
    """The latest answer to each question the patient has answered."""
    require(actor, "patient.read")
    return _current(patient_id)


def history(actor: User, patient_id: int, question: str) -> list[Answer]:
    """Every answer ever recorded to ``question``, oldest first."""
    require(actor, "patient.read")
    q = BY_KEY[question]
    rows = (MedicalAnswer.select(MedicalAnswer, User).join(User)
            .where(MedicalAnswer.patient == patient_id, MedicalAnswer.question == question)
            .order_by(MedicalAnswer.recorded_at, MedicalAnswer.id))
    return [Answer(question, _decode(q, r.value), r.answered_on, r.recorded_by.display_name,
                   r.recorded_at) for r in rows]
