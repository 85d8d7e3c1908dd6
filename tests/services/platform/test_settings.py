"""The settings registry: each clinic setting declared once, read and written one way, stored
as the same text older versions wrote (so a clinic's database reads the same after an
upgrade)."""

from __future__ import annotations

import datetime as dt

import pytest

from medspa_desktop.services.billing import invoices
from medspa_desktop.services.clinic import clinic, clinical_periods
from medspa_desktop.services.consents import consent_policy
from medspa_desktop.services.platform import auth, settings
from medspa_desktop.services.platform.errors import ValidationError
from medspa_desktop.services.scheduling import hours
from medspa_desktop.store.models import ClinicSetting


def test_every_setting_is_declared_once_and_accepts_its_own_default():
    declared = settings.declared()
    keys = [s.key for s in declared]
    assert len(keys) == len(set(keys))
    assert {"hours.0", "hours.6", "paper.size", "tax.retail_bp", "security.lock_minutes",
            "consent.current_version_only", "backup.folder", "toxin.interval_days"} <= set(keys)
    for setting in declared:
        assert setting.check(setting.default) == setting.default, setting.key
        assert setting.parse(None) == setting.default


def test_a_new_clinic_reads_the_defaults(admin):
    assert hours.slot_minutes() == 15
    assert hours.late_cancel_window() == dt.timedelta(hours=24)
    assert hours.clinic_hours_text() == {0: "09:00-18:00", 1: "09:00-18:00", 2: "09:00-18:00",
                                         3: "09:00-19:00", 4: "09:00-18:00", 5: "09:00-14:00",
                                         6: "closed"}
    assert auth.lock_minutes() == 10
    assert clinic.paper_size() == "letter"
    assert consent_policy.policy() == consent_policy.Policy(12, True)
    assert invoices.tax_rates() == invoices.TaxRates(0, 0)
    assert (clinical_periods.intake_review_days(), clinical_periods.toxin_interval_days()) \
        == (180, 90)
    assert clinic.clinic_info().name == "Test Clinic"


def test_values_written_before_the_registry_read_the_same(admin):
    for key, text in (("hours.6", "10:00-14:00"), ("schedule.slot_minutes", "5"),
                      ("policy.late_cancel_hours", "48"), ("security.lock_minutes", "30"),
                      ("paper.size", "a4"), ("consent.valid_months", "6"),
                      ("consent.current_version_only", "no"), ("tax.services_bp", "725"),
                      ("tax.retail_bp", "850"), ("intake.review_days", "120")):
        ClinicSetting.insert(key=key, value=text).on_conflict_replace().execute()
    assert hours.clinic_hours_text()[6] == "10:00-14:00"
    assert hours.slot_minutes() == 5
    assert hours.late_cancel_window() == dt.timedelta(hours=48)
    assert auth.lock_minutes() == 30
    assert clinic.paper_size() == "a4"
    assert consent_policy.policy() == consent_policy.Policy(6, False)
    assert invoices.tax_rates() == invoices.TaxRates(725, 850)
    assert clinical_periods.intake_review_days() == 120


def test_saving_stores_the_text_older_versions_read(admin):
    clinic.save_settings(admin, hours.clinic_hours_text(), 10, 12, "a4",
                         consent_policy.Policy(24, False), invoices.TaxRates(725, 0),
                         lock_minutes=15, review_days=90, toxin_interval_days=60)
    stored = {row.key: row.value for row in ClinicSetting.select()}
    assert {key: stored[key] for key in (
        "schedule.slot_minutes", "policy.late_cancel_hours", "paper.size",
        "consent.valid_months", "consent.current_version_only", "tax.services_bp",
        "tax.retail_bp", "security.lock_minutes", "intake.review_days",
        "toxin.interval_days", "hours.6")} == {
        "schedule.slot_minutes": "10", "policy.late_cancel_hours": "12", "paper.size": "a4",
        "consent.valid_months": "24", "consent.current_version_only": "no",
        "tax.services_bp": "725", "tax.retail_bp": "0", "security.lock_minutes": "15",
        "intake.review_days": "90", "toxin.interval_days": "60", "hours.6": "closed"}


@pytest.mark.parametrize("text", ["0", "abc", "", "-5", "999"])
def test_a_stored_value_the_setting_refuses_reads_as_its_default(admin, text):
    ClinicSetting.insert(key="security.lock_minutes", value=text).on_conflict_replace().execute()
    assert auth.lock_minutes() == 10


def test_put_checks_every_value_before_it_stores_any(admin):
    with pytest.raises(ValidationError, match="late-cancel window is between 0 and 168 hours"):
        settings.put({settings.SLOT_MINUTES: 5, settings.LATE_CANCEL_HOURS: 500})
    assert hours.slot_minutes() == 15
    with pytest.raises(ValidationError, match="schedule grid is 5, 10 or 15 minutes"):
        settings.put({settings.SLOT_MINUTES: 20})
    with pytest.raises(ValidationError, match="screen lock must come after 1 to 120 idle"):
        auth.set_lock_minutes(admin, 121)
