"""A record someone else saved while this form had it open: the save is refused, the form
says who changed it, when and at which PC, shows what is stored now, and keeps what was typed
here in "Your changes" (to put back and save over the newest version). One test per form that
can be refused as stale; the other PC is a process of its own for the patient's details, and
another user (or window) with a presence row at "Room 2" for the others."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from PySide6.QtWidgets import QDialog, QMessageBox

from medspa_desktop.services.charts import notes, patients
from medspa_desktop.services.clinic import catalog
from medspa_desktop.services.platform import auth, presence
from medspa_desktop.services.scheduling import waitlist
from medspa_desktop.store.models import Patient, Service, TreatmentRecord
from medspa_desktop.ui.patients.merge_dialog import MergeDialog
from medspa_desktop.ui.patients.new_patient import NewPatientDialog
from medspa_desktop.ui.schedule.waitlist_dialogs import WaitlistOfferDialog
from medspa_desktop.ui.setup.services import ServiceDialog
from medspa_desktop.ui.treatments.record_dialog import TreatmentRecordDialog
from tests.conftest import shots, staff
from tests.remote.test_other_pcs import OtherPc
from tests.services.scheduling.test_appointments import DAY, at, clinic  # noqa: F401
from tests.ui.modal import answer_next_modal
from tests.ui.test_face_chart import click
from tests.ui.test_notes_panel import _panel
from tests.ui.test_treatment_record import _fill_glabella, under_way  # noqa: F401 (fixture)

TIME = r"\d\d:\d\d"


def _look(widget, path) -> None:
    """Rendered, as the user sees it (tmp_path: to look at while working)."""
    widget.repaint()
    assert widget.grab().save(str(path))


def test_patient_details_saved_on_another_pc_name_who_and_where_and_show_the_new_phone(
        qtbot, demo_db, tmp_path):
    desk = staff("frontdesk")
    patient = (Patient.select().where(Patient.merged_into.is_null(), ~Patient.archived)
               .order_by(Patient.id).first())
    stored_email = patient.email
    dialog = NewPatientDialog(desk, patient=patients.patient_details(desk, patient.id))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.email.setText("new.address@example.com")
    dialog.phone.setText("555 201 0000")
    other = OtherPc(str(demo_db))
    try:
        other.do("present Room 2")
        other.do(f"phone {patient.id} 5552019999")
    finally:
        other.close()

    dialog.save()

    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    director = staff("director").display_name
    assert dialog.stale.isVisible() and not dialog.message.isVisible()
    assert re.fullmatch(rf"{director} changed this patient at {TIME} on Room 2 while you were "
                        r"editing\. Your changes were not saved; the details now on file are "
                        r"shown\.", dialog.stale.headline.text())
    # the form shows what is on file now; what was typed here is in "Your changes"
    assert dialog.phone.text() == patients.format_phone("5552019999")
    assert dialog.email.text() == stored_email
    mine = dialog.stale.mine.toPlainText()
    assert "Email: new.address@example.com" in mine
    assert f"Phone: 555 201 0000   (stored now: {patients.format_phone('5552019999')})" in mine
    assert "First name" not in mine  # only what differs from the file
    _look(dialog, tmp_path / "stale_patient.png")

    dialog.stale.put_back_button.click()
    assert (dialog.email.text(), dialog.phone.text()) == ("new.address@example.com",
                                                          "555 201 0000")
    dialog.save()  # over the newest version, knowingly
    assert dialog.result() == QDialog.DialogCode.Accepted
    saved = Patient.get_by_id(patient.id)
    assert (saved.email, saved.phone) == ("new.address@example.com", "5552010000")


def test_a_note_draft_saved_in_another_window_shows_the_saved_draft_and_keeps_the_typing(
        qtbot, demo_db, tmp_path):
    author = staff("injector")
    patient = Patient.select().where(~Patient.archived).order_by(Patient.id).first()
    note = notes.start_note(author, patient.id, category="neurotoxin", sections={
        "subjective": "Wants softer frown lines.", "objective": "", "assessment": "",
        "plan": ""})
    chart, panel = _panel(qtbot, note)
    qtbot.waitUntil(panel.isVisible)  # the tab's page shows the panel it built
    panel.sections["plan"].setPlainText("Review in 2 weeks; photos then.")
    # the same injector saves the draft from the treatment room's PC meanwhile
    presence.begin(author, "Room 2")
    notes.save_draft(author, note.id, note.version, {
        "subjective": "Wants softer frown lines and a lift.", "objective": "Dynamic lines.",
        "assessment": "", "plan": "Glabella 20 U."})

    panel.save()

    assert panel.stale.isVisible() and not panel.message.isVisible(), panel.message.text()
    assert re.fullmatch(rf"{author.display_name} changed this note at {TIME} on Room 2 while "
                        r"you were editing it; your changes were not saved\. The latest "
                        r"version is shown\.", panel.stale.headline.text())
    assert panel.sections["subjective"].toPlainText() == "Wants softer frown lines and a lift."
    assert panel.sections["plan"].toPlainText() == "Glabella 20 U."
    mine = panel.stale.mine.toPlainText()
    assert "Plan: Review in 2 weeks; photos then." in mine
    assert "Subjective" in mine  # typed "as it was": also not what is stored now
    chart.resize(1000, 720)
    _look(chart, tmp_path / "stale_note.png")

    panel.stale.put_back_button.click()
    panel.save()
    assert not panel.stale.isVisible()
    assert notes.open_note(author, note.id).sections["plan"] == "Review in 2 weeks; photos then."


def test_a_service_saved_by_someone_else_in_setup_shows_its_new_length(qtbot, admin, tmp_path):
    other = auth.create_user(admin, auth.UserInput("max", "Max Manager", "admin",
                                                   "long-enough-pass"))
    service = Service.select().where(Service.active).order_by(Service.name).first()
    dialog = ServiceDialog(admin, service.id)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.price.setText("199.00")
    presence.begin(other, "Office")
    spec = catalog.spec_of(service)
    catalog.update_service(other, service.id, catalog.ServiceSpec(
        **{**spec.__dict__, "minutes": spec.minutes + 15}), service.version)

    dialog.save()

    assert dialog.isVisible() and dialog.stale.isVisible()
    assert re.fullmatch(rf"Max Manager changed {re.escape(service.name)} at {TIME} on Office "
                        r"since you opened it; nothing was saved\. What is stored now is "
                        r"shown\.", dialog.stale.headline.text())
    assert dialog.minutes.value() == spec.minutes + 15
    assert dialog.price.text() == f"{spec.price_cents / 100:.2f}"
    assert "Price: 199.00   (stored now: " in dialog.stale.mine.toPlainText()
    assert f"Length: {spec.minutes} minutes   (stored now: {spec.minutes + 15} minutes)" in \
        dialog.stale.mine.toPlainText()  # typed as opened: not stored now
    _look(dialog, tmp_path / "stale_service.png")

    dialog.stale.put_back_button.click()  # the price, and the length as this form had it
    dialog.save()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert catalog.get_service(service.id).default_minutes == spec.minutes


def test_a_visit_charted_on_another_pc_shows_their_record_and_cannot_be_saved_again(
        qtbot, under_way, tmp_path):  # noqa: F811 (the fixture)
    """…and "Your changes" lists the face chart's points when they differ ("7 points on the
    face chart, 28 U"); putting the record back puts the points back on the chart, to compare
    (the visit stays charted as they charted it)."""
    mine = TreatmentRecordDialog(staff("injector"), under_way.id)
    qtbot.addWidget(mine)
    mine.show()
    director = staff("director")
    presence.begin(director, "Room 3")
    theirs = TreatmentRecordDialog(director, under_way.id)
    qtbot.addWidget(theirs)
    _fill_glabella(qtbot, theirs)
    their_count = len(theirs.chart.points())
    theirs.save()
    assert theirs.result() == QDialog.DialogCode.Accepted
    _fill_glabella(qtbot, mine)  # charted here too, meanwhile, with one point more
    click(qtbot, mine.chart, 150, 130)
    my_points = mine.chart.points()
    assert len(my_points) != their_count
    mine.fields["dilution_ml"].setText("2.0")
    mine.aftercare.setPlainText("Ice, no massage.")

    mine.save()

    assert mine.stale.isVisible() and mine.isVisible(), mine.message.text()
    assert re.fullmatch(rf"{director.display_name} charted this visit at {TIME} on Room 3; "
                        r"nothing was saved\. Their record is on the patient's "
                        r"timeline; a correction to it is an amendment\.",
                        mine.stale.headline.text())
    assert mine.fields["dilution_ml"].text() == "2.5"  # their record
    assert mine.aftercare.toPlainText() == ""
    typed = mine.stale.mine.toPlainText()
    assert "2.0   (stored now: 2.5)" in typed and "Aftercare given: Ice, no massage." in typed
    assert len(mine.chart.points()) == their_count  # their record, on the chart too
    mine_total = f"{sum(Decimal(str(p['amount'])) for p in my_points).normalize():f}"
    assert (f"Face chart: {len(my_points)} points on the face chart, {mine_total} U   "
            f"(charted: {their_count} points on the face chart, ") in typed
    assert not mine.save_button.isEnabled()
    assert TreatmentRecord.select().where(TreatmentRecord.appointment == under_way.id).count() == 1
    _look(mine, shots() / "stale_treatment.png")

    mine.stale.put_back_button.click()
    assert mine.chart.points() == my_points and mine.fields["dilution_ml"].text() == "2.0"
    assert mine.aftercare.toPlainText() == "Ice, no massage."
    assert not mine.save_button.isEnabled()  # a correction to theirs is an amendment
    assert "a correction to that is an amendment" in mine.stale.mine_label.text()
    _look(mine, shots() / "stale_treatment_put_back.png")
    mine.accept()


def test_charts_changed_while_compared_for_a_merge_are_compared_again_as_they_are_now(
        qtbot, admin, tmp_path):
    desk = auth.create_user(admin, auth.UserInput("desk", "Dee Desk", "front_desk",
                                                  "long-enough-pass"))
    data = patients.PatientInput("Zoe", "Quinn", dt.date(1990, 4, 17), phone="5552013344")
    zoe = patients.create_patient(admin, data)
    dup = patients.create_patient(admin, patients.PatientInput("Zoe", "Quin", data.dob))
    dialog = MergeDialog(admin, zoe.id, dup.id)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.keep.button(zoe.id).setChecked(True)
    presence.begin(desk, "Front desk")
    patients.update_patient(desk, dup.id, patients.PatientInput(
        "Zoe", "Quin", data.dob, phone="5559990000"), version=dup.version)

    answer_next_modal(lambda box: box.button(QMessageBox.StandardButton.Yes).click())
    dialog.save()

    assert dialog.isVisible() and dialog.stale.isVisible()
    assert re.fullmatch(rf"Dee Desk changed chart {dup.chart_number} at {TIME} on Front desk "
                        r"while you compared the charts; nothing was merged\. They are shown "
                        r"as they are now: compare them again\.", dialog.stale.headline.text())
    assert [s.phone for s in dialog.sides][1] == patients.format_phone("5559990000")
    assert dialog.keep.checkedId() == zoe.id  # the choice made stays
    assert not dialog.stale.mine.isVisible()  # nothing was typed
    assert not Patient.get_by_id(dup.id).archived
    qtbot.wait(50)  # the charts' new labels laid out
    _look(dialog, tmp_path / "stale_merge.png")


def test_a_waiting_patient_booked_elsewhere_leaves_the_offer_saying_who_booked_them(
        qtbot, clinic):  # noqa: F811 (the fixture)
    entry = waitlist.add(clinic["admin"], waitlist.WaitlistInput(
        clinic["ann"].id, clinic["botox"].id, DAY, DAY), today=DAY)
    offers = waitlist.offers_for(clinic["admin"], at("10:00"), at("10:30"), clinic["lee"].id)
    dialog = WaitlistOfferDialog(clinic["lee"], at("10:00"), at("10:30"), clinic["lee"].id,
                                 offers)
    qtbot.addWidget(dialog)
    dialog.show()
    presence.begin(clinic["admin"], "Front desk")
    waitlist.book(clinic["admin"], entry.id, entry.version, at("11:00"), clinic["lee"].id)

    dialog.book()

    assert dialog.isVisible() and dialog.appointment is None
    assert re.fullmatch(rf"{clinic['admin'].display_name} changed this waitlist entry at "
                        rf"{TIME} on Front desk\. Nothing was saved; the waitlist shows it as "
                        r"it is now\.", dialog.message.text())
    assert dialog.offers.count() == 0  # no longer waiting: no longer offered
    dialog.reject()
