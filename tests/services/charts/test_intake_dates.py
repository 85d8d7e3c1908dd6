"""Intake answers count from the day the patient gave them, not the day they were typed in;
re-confirming moves an answer's date; old fast-changing answers and an empty history are said
in the banner, never hidden behind "no alerts"."""

from __future__ import annotations

import datetime as dt

import pytest

from medspa_desktop.services.charts import alerts, intake, patients
from medspa_desktop.services.clinic import clinic, clinical_periods
from medspa_desktop.services.platform import auth
from medspa_desktop.services.platform.errors import PermissionDenied, ValidationError
from medspa_desktop.store.models import AuditEvent, ClinicSetting, MedicalAnswer, Service

TODAY = dt.date.today()


def ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


def day(d: dt.date) -> str:
    return f"{d.day} {d:%b %Y}"


@pytest.fixture
def desk(admin):
    return auth.create_user(admin, auth.UserInput("desk", "Sam Desk", "front_desk",
                                                  "long-enough"))


@pytest.fixture
def zoe(admin):
    return patients.create_patient(admin, patients.PatientInput(
        "Zoë", "Ng", dt.date(1990, 4, 17), phone="555 201 3344")).id


# -- the current answer is the one given last ---------------------------------------------------
def test_an_old_paper_form_typed_in_later_does_not_hide_a_newer_pregnancy(desk, zoe):
    intake.record_answers(desk, zoe, {"pregnant_or_nursing": True}, answered_on=ago(10))
    saved = intake.save_intake(desk, zoe, {"pregnant_or_nursing": False}, answered_on=ago(60))

    assert saved.changed == 1
    assert saved.kept_newer == (("Pregnant or nursing", ago(10)),)
    current = intake.current_answers(desk, zoe)["pregnant_or_nursing"]
    assert current.value is True and current.answered_on == ago(10)
    assert "Pregnant or nursing" in alerts.chart_banner(desk, zoe)
    botox = Service.get(Service.name == "Botox Cosmetic")
    assert "Contraindicated: Pregnant or nursing: no neurotoxin." in alerts.booking_alerts(
        desk, zoe, botox.id)
    # the old form stays in the history, in the order the patient gave the answers
    history = intake.history(desk, zoe, "pregnant_or_nursing")
    assert [(a.value, a.answered_on) for a in history] == [(False, ago(60)), (True, ago(10))]
    assert history[0].recorded_at >= history[1].recorded_at
    event = AuditEvent.select().where(AuditEvent.action == "intake.record").order_by(
        AuditEvent.id.desc()).first()
    assert "a newer answer stays current: pregnant_or_nursing" in event.summary


def test_a_newer_form_entered_after_an_older_one_wins(desk, zoe):
    intake.record_answers(desk, zoe, {"pregnant_or_nursing": False}, answered_on=ago(60))
    saved = intake.save_intake(desk, zoe, {"pregnant_or_nursing": True}, answered_on=ago(10))
    assert saved.kept_newer == ()
    assert intake.current_answers(desk, zoe)["pregnant_or_nursing"].value is True


def test_the_same_old_form_typed_in_twice_is_kept_once(desk, zoe):
    intake.record_answers(desk, zoe, {"pregnant_or_nursing": True}, answered_on=ago(10))
    assert intake.record_answers(desk, zoe, {"pregnant_or_nursing": False},
                                 answered_on=ago(60)) == 1
    assert intake.record_answers(desk, zoe, {"pregnant_or_nursing": False},
                                 answered_on=ago(60)) == 0
    assert MedicalAnswer.select().count() == 2


def test_a_form_dated_in_the_future_is_still_refused(desk, zoe):
    with pytest.raises(ValidationError, match="cannot be dated in the future"):
        intake.record_answers(desk, zoe, {"pregnant_or_nursing": False},
                              answered_on=TODAY + dt.timedelta(days=1))
    assert MedicalAnswer.select().count() == 0


# -- re-confirming -------------------------------------------------------------------------------
def test_re_confirming_an_unchanged_answer_records_the_new_date(desk, zoe):
    form = {"pregnant_or_nursing": False, "medications": "None", "allergies": "Latex"}
    intake.record_answers(desk, zoe, form, answered_on=ago(200))
    # saving the same answers without saying the patient re-confirmed them changes nothing
    assert intake.record_answers(desk, zoe, form, answered_on=ago(3)) == 0
    saved = intake.save_intake(desk, zoe, {**form, "allergies": "Latex, penicillin"},
                               answered_on=ago(3), confirm_unchanged=True)
    assert (saved.changed, saved.confirmed) == (1, 2)
    current = intake.current_answers(desk, zoe)
    assert {k: a.answered_on for k, a in current.items()} == {
        "pregnant_or_nursing": ago(3), "medications": ago(3), "allergies": ago(3)}
    assert [a.answered_on for a in intake.history(desk, zoe, "pregnant_or_nursing")] == [
        ago(200), ago(3)]
    event = AuditEvent.select().where(AuditEvent.action == "intake.record").order_by(
        AuditEvent.id.desc()).first()
    assert f"2 re-confirmed on {ago(3)}" in event.summary
    # confirming again on an older date does not move anything back
    assert intake.record_answers(desk, zoe, {**form, "allergies": "Latex, penicillin"},
                                 answered_on=ago(100), confirm_unchanged=True) == 0


# -- the review period ---------------------------------------------------------------------------
def test_fast_changing_answers_older_than_six_months_are_flagged_before_a_treatment(desk, zoe):
    intake.record_answers(desk, zoe, {"pregnant_or_nursing": False, "medications": "None",
                                      "keloids": False, "allergies": "Latex"},
                          answered_on=ago(200))
    intake.record_answers(desk, zoe, {"recent_tan": False}, answered_on=ago(40))
    notice = (f"Re-confirm before treating (over 6 months old): pregnancy, medications "
              f"given {day(ago(200))}")
    assert alerts.chart_banner(desk, zoe) == ["Allergies: Latex", notice]
    laser = Service.get(Service.category == "laser_hair")
    assert notice in alerts.booking_alerts(desk, zoe, laser.id)
    assert alerts.tone([notice]) == "notice"
    # re-confirmed today: nothing left to re-confirm
    intake.record_answers(desk, zoe, {"pregnant_or_nursing": False, "medications": "None"},
                          confirm_unchanged=True)
    assert alerts.chart_banner(desk, zoe) == ["Allergies: Latex"]
    # but a treatment booked far enough ahead is flagged by the day of the treatment
    later = TODAY + dt.timedelta(days=181)
    assert any(a.startswith("Re-confirm before treating") and f"given {day(TODAY)}" in a
               for a in alerts.booking_alerts(desk, zoe, laser.id, later))


def test_the_clinics_review_period_is_the_one_used(admin, desk, zoe):
    intake.record_answers(desk, zoe, {"pregnant_or_nursing": False}, answered_on=ago(100))
    assert not any(alerts.is_notice(a) for a in alerts.chart_banner(desk, zoe))
    clinical_periods.set_periods(admin, 90, 90)
    assert alerts.chart_banner(desk, zoe) == [
        f"Re-confirm before treating (over 3 months old): pregnancy given {day(ago(100))}"]


# -- no history is not "no alerts" ---------------------------------------------------------------
def test_a_patient_with_no_history_is_flagged_not_clear(desk, zoe):
    assert alerts.chart_banner(desk, zoe) == ["No medical history on file"]
    assert alerts.tone(alerts.chart_banner(desk, zoe)) == "notice"
    botox = Service.get(Service.name == "Botox Cosmetic")
    assert alerts.booking_alerts(desk, zoe, botox.id) == ["No medical history on file"]
    # a form saved with nothing answered is still no history; "not answered" writes nothing
    assert intake.record_answers(desk, zoe, {"pregnant_or_nursing": None, "medications": "",
                                             "fitzpatrick": None}) == 1
    assert alerts.chart_banner(desk, zoe) == ["No medical history on file"]
    intake.record_answers(desk, zoe, {"pregnant_or_nursing": False})
    assert alerts.chart_banner(desk, zoe) == []
    assert alerts.tone([]) == "clear"
    assert alerts.tone(["No medical history on file", "Minor (16): a guardian must consent."]) \
        == "alert"


# -- the settings --------------------------------------------------------------------------------
def test_the_review_period_and_toxin_interval_default_and_are_saved_audited(admin, desk):
    assert clinical_periods.intake_review_days() == 180
    assert clinical_periods.toxin_interval_days() == 90
    with pytest.raises(PermissionDenied):
        clinical_periods.set_periods(desk, 120, 60)
    with pytest.raises(ValidationError, match="reviewed after 7 to 730 days"):
        clinic.save_settings(admin, {}, 15, 24, "letter", review_days=3,
                             toxin_interval_days=60)
    assert not ClinicSetting.select().where(ClinicSetting.key.in_(
        ("intake.review_days", "toxin.interval_days"))).exists()
    clinic.save_settings(admin, {d: "09:00-18:00" for d in range(7)}, 15, 24, "letter",
                         review_days=120, toxin_interval_days=60)
    assert ClinicSetting.get_by_id("intake.review_days").value == "120"
    assert ClinicSetting.get_by_id("toxin.interval_days").value == "60"
    assert (clinical_periods.intake_review_days(), clinical_periods.toxin_interval_days()) == (
        120, 60)
    event = AuditEvent.get(AuditEvent.action == "settings.clinical_periods")
    assert event.summary == ("intake answers reviewed after 120 days; "
                            "neurotoxin re-treatment interval 60 days")
    assert clinical_periods.describe_days(365) == "1 year"
    assert clinical_periods.describe_days(45) == "45 days"
