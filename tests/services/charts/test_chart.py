"""The chart: intake history, contraindications, acknowledgements, signed notes, duplicates."""

from __future__ import annotations

import datetime as dt

import pytest
from peewee import IntegrityError

from medspa_desktop.services.charts import alerts, contraindications, intake, notes, patients
from medspa_desktop.services.platform import auth
from medspa_desktop.services.platform.errors import (
    ACKNOWLEDGEMENT,
    ContraindicationError,
    PermissionDenied,
    ValidationError,
)
from medspa_desktop.services.platform.integrity import check_database
from medspa_desktop.services.scheduling import appointments
from medspa_desktop.store.database import db
from medspa_desktop.store.models import (
    AuditEvent,
    ContraindicationAck,
    MedicalAnswer,
    Note,
    Room,
    Service,
)
from tests.conftest import give_consent

TODAY = dt.date.today()


@pytest.fixture
def chart(admin):
    staff = {
        "admin": admin,
        "md": auth.create_user(admin, auth.UserInput("md", "Mia Lee", "medical_director",
                                                     "long-enough", "Dr Lee")),
        "rn": auth.create_user(admin, auth.UserInput("rn", "Jo Kim", "provider",
                                                     "long-enough", "Jo Kim, RN")),
        "desk": auth.create_user(admin, auth.UserInput("desk", "Sam Desk", "front_desk",
                                                       "long-enough")),
    }
    staff["zoe"] = patients.create_patient(admin, patients.PatientInput(
        "Zoë", "Ng", dt.date(1990, 4, 17), phone="555 201 3344"))
    return staff


# -- intake -----------------------------------------------------------------------------------
def test_answers_are_dated_and_their_history_kept(chart):
    pid = chart["zoe"].id
    assert intake.record_answers(chart["desk"], pid, {"pregnant_or_nursing": True,
                                                      "allergies": "Penicillin (rash)"},
                                 answered_on=TODAY - dt.timedelta(days=30)) == 2
    assert intake.record_answers(chart["desk"], pid, {"pregnant_or_nursing": False,
                                                      "allergies": "Penicillin (rash)"}) == 1
    current = intake.current_answers(chart["rn"], pid)
    assert current["pregnant_or_nursing"].value is False
    assert current["allergies"].answered_on == TODAY - dt.timedelta(days=30)
    history = intake.history(chart["rn"], pid, "pregnant_or_nursing")
    assert [a.value for a in history] == [True, False]
    assert history[0].recorded_by == "Sam Desk"


@pytest.mark.parametrize(("answers", "message"), [
    ({"fitzpatrick": 7}, "Fitzpatrick skin type is I to VI"),
    ({"isotretinoin_last_dose": TODAY + dt.timedelta(days=3)}, "cannot be in the future"),
    ({"pregnant_or_nursing": "maybe"}, "Answer yes or no"),
    ({"favourite_colour": "blue"}, "Unknown intake questions: favourite_colour"),
])
def test_bad_answers_are_refused_and_nothing_written(chart, answers, message):
    with pytest.raises(ValidationError, match=message):
        intake.record_answers(chart["desk"], chart["zoe"].id, {"keloids": True, **answers})
    assert MedicalAnswer.select().count() == 0


# -- contraindications ------------------------------------------------------------------------
def _answers(**values):
    return {k: intake.Answer(k, v, TODAY, "x", dt.datetime.now()) for k, v in values.items()}


@pytest.mark.parametrize(("category", "answers", "expected"), [
    ("neurotoxin", {"pregnant_or_nursing": True}, [("block", "Pregnant or nursing: no "
                                                              "neurotoxin.")]),
    ("neurotoxin", {"neuromuscular_disease": True}, [("block", "Neuromuscular disease: "
                                                               "neurotoxin is contraindicated.")]),
    ("filler", {"lidocaine_allergy": True, "herpes_history": True},
     [("block", "Allergic to lidocaine."), ("warn", "Cold-sore history: antiviral prophylaxis.")]),
    ("laser_hair", {"isotretinoin_last_dose": TODAY - dt.timedelta(days=90)},
     [("block", f"Isotretinoin within 6 months (last dose {TODAY - dt.timedelta(days=90)}).")]),
    ("laser_hair", {"isotretinoin_last_dose": TODAY - dt.timedelta(days=200)}, []),
    ("ipl", {"recent_tan": True, "tattoos_in_area": True},
     [("block", "Sunburn or recent tan: no laser or IPL."),
      ("warn", "Tattoos in the treatment area.")]),
    ("body_contouring", {"implanted_devices": True},
     [("block", "Pacemaker or implanted device: no radio-frequency device.")]),
    ("mesotherapy", {"diabetes": True, "anticoagulants": True},
     [("warn", "Takes blood thinners: bruising and bleeding risk."),
      ("warn", "Diabetes: caution.")]),
    ("neurotoxin", {"recent_tan": True, "implanted_devices": True}, []),
])
def test_contraindications_per_category(category, answers, expected):
    found = contraindications.findings(_answers(**answers), category, 35, TODAY)
    assert [(f.severity, f.message) for f in found] == expected


def test_minors_are_blocked_from_injectables_only():
    assert contraindications.findings({}, "neurotoxin", 16, TODAY)[0].message == \
        "Under 18 (16): not for minors."
    assert contraindications.findings({}, "laser_hair", 16, TODAY) == []


def test_booking_alerts_show_the_banner_and_the_services_contraindications(chart):
    intake.record_answers(chart["desk"], chart["zoe"].id, {
        "allergies": "Latex", "pregnant_or_nursing": True, "herpes_history": True})
    botox = Service.get(Service.name == "Botox Cosmetic")
    assert alerts.booking_alerts(chart["desk"], chart["zoe"].id, botox.id) == [
        "Allergies: Latex", "Pregnant or nursing", "Cold-sore history",
        "Contraindicated: Pregnant or nursing: no neurotoxin."]


def _arrived_botox(chart):
    start = dt.datetime.combine(TODAY + dt.timedelta(days=1), dt.time(10))
    while start.weekday() == 6:
        start += dt.timedelta(days=1)
    appt = appointments.book_appointment(chart["desk"], appointments.AppointmentInput(
        chart["zoe"].id, Service.get(Service.name == "Botox Cosmetic").id, chart["rn"].id,
        start, start + dt.timedelta(minutes=30), Room.get(Room.name == "Room 1").id))
    give_consent(chart["desk"], chart["zoe"].id, "neurotoxin")
    return appointments.change_status(chart["desk"], appt.id, "arrived", appt.version)


def test_starting_a_contraindicated_treatment_needs_a_providers_acknowledgement(chart):
    intake.record_answers(chart["desk"], chart["zoe"].id, {"pregnant_or_nursing": True})
    appt = _arrived_botox(chart)
    with pytest.raises(ContraindicationError, match="Pregnant or nursing: no neurotoxin. A "
                                                    "provider may go ahead only by"):
        appointments.change_status(chart["rn"], appt.id, "in_treatment", appt.version)
    with pytest.raises(PermissionDenied, match="may not acknowledge a contraindication"):
        appointments.change_status(chart["desk"], appt.id, "in_treatment", appt.version,
                                   acknowledge="she says she is not")
    assert ContraindicationAck.select().count() == 0
    started = appointments.change_status(chart["rn"], appt.id, "in_treatment", appt.version,
                                         acknowledge="Delivered 2025; no longer nursing, "
                                                   "intake out of date")
    assert started.status == "in_treatment"
    ack = ContraindicationAck.get()
    assert ack.user_id == chart["rn"].id and "no longer nursing" in ack.reason
    assert AuditEvent.select().where(AuditEvent.action == "treatment.acknowledge").exists()


def test_the_acknowledgement_is_asked_by_key_and_given_as_an_answer(chart):
    intake.record_answers(chart["desk"], chart["zoe"].id, {"pregnant_or_nursing": True})
    appt = _arrived_botox(chart)
    with pytest.raises(ContraindicationError) as asked:
        appointments.change_status(chart["rn"], appt.id, "in_treatment", appt.version)
    assert (asked.value.key, asked.value.kind) == ("contraindication", ACKNOWLEDGEMENT)
    assert asked.value.question.endswith("with a reason.\n\nWhy is it safe to go ahead?")
    started = appointments.change_status(chart["rn"], appt.id, "in_treatment", appt.version,
                                         answers={asked.value.key: "No longer nursing"})
    assert started.status == "in_treatment"
    assert ContraindicationAck.get().reason == "No longer nursing"


def test_an_uncomplicated_treatment_starts_without_questions(chart):
    appt = _arrived_botox(chart)
    assert appointments.change_status(chart["rn"], appt.id, "in_treatment",
                                      appt.version).status == "in_treatment"


# -- notes ------------------------------------------------------------------------------------
def _signed(chart, author="rn"):
    note = notes.start_note(chart[author], chart["zoe"].id, category="neurotoxin")
    note = notes.save_draft(chart[author], note.id, note.version, {
        "subjective": "Wants softer frown lines.", "objective": "Glabella 20 U Botox, lot C1234",
        "assessment": "Good candidate.", "plan": "Review 2 weeks."})
    return notes.sign(chart[author], note.id, note.version)


def test_a_note_starts_from_its_categorys_template(chart):
    note = notes.start_note(chart["rn"], chart["zoe"].id, category="neurotoxin")
    assert note.status == "draft"
    assert "dilution (mL per 100 U)" in note.objective and "90 days" in note.plan


def test_a_signed_note_is_fingerprinted_and_never_changes_through_the_service(chart):
    note = _signed(chart)
    view = notes.open_note(chart["md"], note.id)
    assert view.signed and view.verified and len(view.fingerprint) == 64
    assert view.signed_by == "Jo Kim, RN"
    with pytest.raises(ValidationError, match="A signed note cannot be changed; add an "
                                              "addendum"):
        notes.save_draft(chart["rn"], note.id, note.version, {"plan": "changed"})
    assert Note.get_by_id(note.id).plan == "Review 2 weeks."


def test_the_database_refuses_raw_sql_on_a_signed_note(chart):
    note = _signed(chart)
    with pytest.raises(IntegrityError, match="a signed note cannot be changed"):
        db.execute_sql("UPDATE note SET plan = 'forged' WHERE id = ?", (note.id,))
    with pytest.raises(IntegrityError, match="note rows are never deleted"):
        db.execute_sql("DELETE FROM note WHERE id = ?", (note.id,))
    assert Note.get_by_id(note.id).plan == "Review 2 weeks."


def test_a_note_changed_behind_the_triggers_back_is_no_longer_verified(chart):
    note = _signed(chart)
    db.execute_sql("DROP TRIGGER note_signed_no_update")
    db.execute_sql("UPDATE note SET plan = 'forged' WHERE id = ?", (note.id,))
    assert not notes.open_note(chart["md"], note.id).verified
    problems = check_database()
    assert f"signed note {note.id} no longer matches its fingerprint" in problems
    assert "note has lost its signed-row trigger" in problems


def test_addenda_need_a_reason_and_show_under_the_original(chart):
    note = _signed(chart)
    with pytest.raises(ValidationError, match="Give the reason"):
        notes.add_addendum(chart["rn"], note.id, "", "Lot was C1235")
    notes.add_addendum(chart["rn"], note.id, "Wrong lot number", "Lot was C1235, not C1234.")
    view = notes.open_note(chart["rn"], note.id)
    assert [(a.author, a.reason, a.text) for a in view.addenda] == [
        ("Jo Kim, RN", "Wrong lot number", "Lot was C1235, not C1234.")]
    assert view.sections["objective"] == "Glabella 20 U Botox, lot C1234" and view.verified


def test_only_a_medical_director_co_signs_someone_elses_note(chart):
    note = _signed(chart)
    with pytest.raises(PermissionDenied, match="may not co-sign"):
        notes.cosign(chart["rn"], note.id)
    notes.cosign(chart["md"], note.id)
    assert notes.open_note(chart["desk"], note.id).cosigned_by == ("Dr Lee",)
    own = _signed(chart, author="md")
    with pytest.raises(ValidationError, match="someone other than its signer"):
        notes.cosign(chart["md"], own.id)


def test_front_desk_sees_that_a_note_exists_but_not_what_it_says(chart):
    note = _signed(chart)
    notes.add_addendum(chart["rn"], note.id, "typo", "frown, not crown")
    [view] = notes.patient_notes(chart["desk"], chart["zoe"].id)
    assert (view.id, view.author, view.signed) == (note.id, "Jo Kim, RN", True)
    assert view.sections is None and view.addenda == ()
    with pytest.raises(PermissionDenied, match="may not write and sign clinical notes"):
        notes.start_note(chart["desk"], chart["zoe"].id)


def test_only_the_author_signs_a_draft_and_an_empty_note_is_not_signed(chart):
    note = notes.start_note(chart["rn"], chart["zoe"].id)
    with pytest.raises(PermissionDenied, match="Only the note's author"):
        notes.sign(chart["md"], note.id, note.version)
    empty = notes.save_draft(chart["rn"], note.id, note.version,
                             dict.fromkeys(notes.SECTIONS, "  "))
    with pytest.raises(ValidationError, match="An empty note cannot be signed"):
        notes.sign(chart["rn"], empty.id, empty.version)


# -- duplicates -------------------------------------------------------------------------------
@pytest.mark.parametrize(("first", "last", "dob", "phone", "found"), [
    ("ZOE", "ng", dt.date(1990, 4, 17), "", True),
    ("Zoe", "Ng", dt.date(1990, 4, 18), "", False),
    ("Ann", "Lee", dt.date(1970, 1, 1), "(555) 201-3344", True),
    ("Ann", "Lee", dt.date(1970, 1, 1), "555 201 3345", False),
])
def test_possible_duplicates_by_name_and_birthday_or_phone(chart, first, last, dob, phone,
                                                           found):
    rows = patients.possible_duplicates(chart["desk"], patients.PatientInput(
        first, last, dob, phone=phone))
    assert [r.id for r in rows] == ([chart["zoe"].id] if found else [])
