"""Consent to be contacted in the patient's details form: shown as on file, changed with a
tick, recorded with the day (and only what was changed)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt

from medspa_desktop.services.charts import patients
from medspa_desktop.services.messaging import contact_consent
from medspa_desktop.store.models import AuditEvent, ContactConsent, Patient
from medspa_desktop.ui.patients.new_patient import NewPatientDialog
from tests.conftest import shots, staff


def _form(qtbot, user, patient=None) -> NewPatientDialog:
    form = NewPatientDialog(user, patient=patient)
    qtbot.addWidget(form)
    form.show()
    qtbot.waitExposed(form)
    return form


def test_ticking_marketing_records_it_dated_today_and_the_form_shows_it(qtbot, demo_db):
    desk = staff("frontdesk")
    patient = (Patient.select()  # a chart with no answer on file (the demo records some)
               .where(Patient.archived == False,  # noqa: E712
                      Patient.id.not_in(ContactConsent.select(ContactConsent.patient)))
               .first())
    form = _form(qtbot, desk, patient)
    boxes = form.contact_boxes
    assert boxes["reminders"].isChecked() and not boxes["marketing"].isChecked()
    assert form.contact_notes["marketing"].text() == "No until the patient agrees"
    updates_before = AuditEvent.select().where(AuditEvent.action == "patient.update").count()

    qtbot.mouseClick(boxes["marketing"], Qt.MouseButton.LeftButton)
    assert boxes["marketing"].isChecked()
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert not form.isVisible()

    rows = list(ContactConsent.select().where(ContactConsent.patient == patient.id))
    assert [(r.kind, r.agreed, r.given_on) for r in rows] == [
        ("marketing", True, dt.date.today())]  # reminders untouched: nothing written for them
    assert contact_consent.may_contact(patient.id, "marketing")
    # only the consent changed: the details were not saved over (no version bump)
    assert AuditEvent.select().where(AuditEvent.action == "patient.update").count() \
        == updates_before
    assert Patient.get_by_id(patient.id).version == patient.version

    again = _form(qtbot, desk, Patient.get_by_id(patient.id))
    assert again.contact_boxes["marketing"].isChecked()
    assert again.contact_notes["marketing"].text() == (
        f"Yes since {dt.date.today():%a %d %b %Y} (recorded by {desk.display_name})")
    assert again.grab().save(str(shots() / "edit_details_contact.png"))

    # the patient asks to stop: unticked, saved, never contacted for marketing again
    qtbot.mouseClick(again.contact_boxes["marketing"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(again.save_button, Qt.MouseButton.LeftButton)
    assert not contact_consent.may_contact(patient.id, "marketing")


def test_a_new_patient_starts_on_the_defaults_and_can_agree_at_once(qtbot, admin):
    form = _form(qtbot, admin)
    assert form.contact_boxes["reminders"].isChecked()
    assert not form.contact_boxes["marketing"].isChecked()
    form.first_name.setText("Nora")
    form.last_name.setText("Quist")
    form.dob.setText("1990-05-06")
    form.contact_boxes["marketing"].setChecked(True)
    assert form.grab().save(str(shots() / "new_patient_contact.png"))
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert not form.isVisible()
    nora = Patient.get(Patient.first_name == "Nora")
    assert contact_consent.may_contact(nora, "marketing")
    assert contact_consent.may_contact(nora, "reminders")
    assert ContactConsent.select().count() == 1


def test_changing_details_and_consent_saves_both(qtbot, admin):
    mia = patients.create_patient(admin, patients.PatientInput(
        "Mia", "Lopez", dt.date(1985, 3, 2)))
    form = _form(qtbot, admin, mia)
    form.email.setText("mia@example.com")
    form.contact_boxes["reminders"].setChecked(False)
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert not form.isVisible()
    assert Patient.get_by_id(mia.id).email == "mia@example.com"
    assert not contact_consent.may_contact(mia.id, "reminders")
