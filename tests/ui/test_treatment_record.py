"""Charting a treatment through its form, from the schedule."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMenu, QMessageBox

from medspa_desktop.services.scheduling import appointments
from medspa_desktop.services.treatments import inventory, treatment_records
from medspa_desktop.store.models import (
    AuditEvent,
    Lot,
    Patient,
    Product,
    Room,
    Service,
    TreatmentRecord,
)
from medspa_desktop.ui.schedule.tab import ScheduleTab
from medspa_desktop.ui.treatments.record_dialog import TreatmentRecordDialog
from tests.conftest import give_consent, staff
from tests.ui.modal import answer_next_modal
from tests.ui.test_face_chart import click


def _in_treatment(patient: Patient, service_name: str, day: dt.date, hour: int = 10):
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    service = Service.get(Service.name == service_name)
    start = dt.datetime.combine(day, dt.time(hour))
    appt = appointments.book_appointment(staff("frontdesk"), appointments.AppointmentInput(
        patient.id, service.id, staff("injector").id, start,
        start + dt.timedelta(minutes=service.default_minutes),
        Room.get(Room.name == "Room 2").id))
    appt = appointments.change_status(staff("frontdesk"), appt.id, "arrived", appt.version)
    give_consent(staff("frontdesk"), patient.id, service.category)
    return appointments.change_status(staff("injector"), appt.id, "in_treatment", appt.version,
                                      acknowledge="reviewed with the patient")


@pytest.fixture
def under_way(demo_db):
    """A Botox visit on a quiet future day, past the re-treatment interval of any toxin the
    demo charted, with the patient in treatment."""
    patient = Patient.select().where(Patient.first_name == "Amélie").first()
    return _in_treatment(patient, "Botox Cosmetic", dt.date.today() + dt.timedelta(days=100))


CROWS_FEET = ((78, 142), (74, 152), (76, 162), (222, 142), (226, 152), (224, 162))


def _left(product_name: str) -> int:
    product = Product.get(Product.name == product_name)
    return sum(lot.remaining_centi for lot in Lot.select().where(Lot.product == product.id))


def test_charting_toxin_from_the_schedule_draws_the_stock(qtbot, under_way):
    tab = ScheduleTab(staff("injector"))
    qtbot.addWidget(tab)
    tab.resize(1200, 800)
    tab.show()
    tab.set_day(under_way.start.date())
    before = _left("Botox Cosmetic")

    def fill(dialog: TreatmentRecordDialog):
        assert dialog.fields["product_id"].currentText() == "Botox Cosmetic"
        dialog.fields["dilution_ml"].setText("2.5")
        for x, y in CROWS_FEET:  # 4 U a point, the chart's default
            click(qtbot, dialog.chart, x, y)
        assert dialog.fields["total_units"].text() == "24"
        assert dialog.volume.text() == "0.60 mL at 2.5 mL per 100 U"
        dialog.save_button.click()

    def choose(menu: QMenu):
        action = next(a for a in menu.actions() if a.text() == "Chart treatment…")
        menu.close()
        answer_next_modal(fill)
        action.trigger()

    answer_next_modal(choose, popup=True)
    qtbot.mouseClick(tab.grid, Qt.MouseButton.RightButton,
                     pos=tab.grid.block_rect(under_way.id).center())
    qtbot.waitUntil(lambda: TreatmentRecord.select().where(
        TreatmentRecord.appointment == under_way.id).exists())
    assert _left("Botox Cosmetic") == before - 2400
    record = TreatmentRecord.get(TreatmentRecord.appointment == under_way.id)
    sites = [p["site"] for p in treatment_records.parameters(record)["points"]]
    assert sites == ["Lateral canthus R"] * 3 + ["Lateral canthus L"] * 3
    menu = tab.menu_for(under_way.id)
    texts = [a.text() for a in menu.actions()]
    assert "Chart treatment…" not in texts and "Treatment record…" in texts  # charted once


def test_an_unusual_dose_asks_for_confirmation(qtbot, under_way):
    dialog = TreatmentRecordDialog(staff("injector"), under_way.id)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.fields["dilution_ml"].setText("2.5")
    dialog.chart.dose.setValue(30)
    for x, y in CROWS_FEET[:5]:
        click(qtbot, dialog.chart, x, y)
    assert dialog.fields["total_units"].text() == "150"
    asked = []

    def decline(box: QMessageBox):
        asked.append(box.text())
        box.button(QMessageBox.StandardButton.No).click()

    answer_next_modal(decline)
    dialog.save_button.click()
    assert asked == ["Please confirm: Total units 150 U is outside the usual 2–100."]
    assert not TreatmentRecord.select().where(
        TreatmentRecord.appointment == under_way.id).exists()
    dialog.fields["dilution_ml"].setText("abc")
    dialog.save_button.click()
    assert dialog.message.text() == "Dilution (saline per 100 U) must be a number."
    assert dialog.volume.text() == "—"
    assert inventory.usable_lots(staff("injector"), dialog.fields["product_id"].currentData())


def test_a_laser_form_starts_from_the_visits_device_and_the_skin_type_on_file(qtbot, demo_db):
    from medspa_desktop.services.charts import intake

    visit = (appointments.Appointment.select().join(Service)
             .where(Service.category == "laser_hair", appointments.Appointment.status ==
                    "completed").first())
    intake.record_answers(staff("frontdesk"), visit.patient_id, {"fitzpatrick": 3})
    dialog = TreatmentRecordDialog(staff("laser1"), visit.id)
    qtbot.addWidget(dialog)
    assert dialog.fields["device"].text() == "Alexandrite hair laser"
    assert dialog.fields["fitzpatrick"].text() == "3"


def _fill_glabella(qtbot, dialog: TreatmentRecordDialog) -> None:
    dialog.fields["dilution_ml"].setText("2.5")
    for x, y in CROWS_FEET:
        click(qtbot, dialog.chart, x, y)


def test_a_toxin_inside_the_interval_asks_the_providers_reason(qtbot, under_way):
    patient = Patient.get_by_id(under_way.patient_id)
    earlier = _in_treatment(patient, "Dysport", under_way.start.date() - dt.timedelta(days=40))
    dysport = Product.get(Product.name == "Dysport")
    treatment_records.record_treatment(staff("injector"), earlier.id, {
        "product_id": dysport.id, "dilution_ml": 2.5, "total_units": 50,
        "points": [{"view": "front", "x": 150, "y": 130, "site": "Glabella", "amount": 50}]},
        reason="masseters, a month after the last")  # the demo may have charted one before
    dialog = TreatmentRecordDialog(staff("injector"), under_way.id)
    qtbot.addWidget(dialog)
    dialog.show()
    last = f"Last neurotoxin: Dysport 50 U on {earlier.start.day} {earlier.start:%b %Y}"
    gap = (under_way.start.date() - earlier.start.date()).days  # about 40
    assert f"{last}, {gap} days before this visit" in dialog.head.text()
    _fill_glabella(qtbot, dialog)
    asked = []

    def cancel(box):
        asked.append(box.prompt.text())
        box.reject()

    answer_next_modal(cancel)
    dialog.save_button.click()
    assert asked[0].startswith(f"{last} ({gap} days ago), inside the clinic's 90-day")
    assert dialog.message.text().startswith("Not saved: a neurotoxin inside the re-treatment")
    assert not TreatmentRecord.select().where(
        TreatmentRecord.appointment == under_way.id).exists()

    def give(box):
        box.text.setPlainText("Touch-up of the glabella")
        box.accept()

    answer_next_modal(give)
    dialog.save_button.click()
    record = TreatmentRecord.get(TreatmentRecord.appointment == under_way.id)
    assert treatment_records.parameters(record)["interval_reason"] == "Touch-up of the glabella"
    assert AuditEvent.get(AuditEvent.action == "treatment.interval",
                          AuditEvent.record_id == str(under_way.id)).summary.endswith(
        "because: Touch-up of the glabella")


def test_mesotherapy_is_charted_with_the_solution_drawn_from_its_lots(qtbot, under_way):
    """A solution of its own, with a nearly used-up lot and a full one (the demo's solutions
    are drawn on by its own mesotherapy visits)."""
    admin, today = staff("admin"), dt.date.today()
    booster = inventory.add_product(admin, "Skin booster solution", "solution", "mL",
                                    low_stock=5)
    inventory.receive(admin, booster.id, "SB5120", today + dt.timedelta(days=200), 6)
    inventory.receive(admin, booster.id, "SB6033", today + dt.timedelta(days=330), 50)
    patient = Patient.get_by_id(under_way.patient_id)
    visit = _in_treatment(patient, "Mesotherapy, revitalising", under_way.start.date(), 14)
    dialog = TreatmentRecordDialog(staff("injector"), visit.id)
    qtbot.addWidget(dialog)
    dialog.show()
    product = dialog.fields["product_id"]
    assert [product.itemText(i) for i in range(product.count())] == [
        "Lipolytic solution (phosphatidylcholine)", "NCTF 135 HA revitalising solution",
        "Skin booster solution"]
    product.setCurrentIndex(product.findText("Skin booster solution"))
    assert [dialog.lot.itemText(i).split(" — ")[0] for i in range(dialog.lot.count())] == [
        "Soonest-expiring lots first", "SB5120", "SB6033"]
    for key, text in (("solution", "with vitamin C"), ("volume_ml", "8"),
                      ("area", "Face, neck"), ("depth_mm", "1"), ("points", "120")):
        qtbot.keyClicks(dialog.fields[key], text)
    dialog.fields["technique"].setCurrentIndex(dialog.fields["technique"].findText("nappage"))
    dialog.save_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted, dialog.message.text()
    record = TreatmentRecord.get(TreatmentRecord.appointment == visit.id)
    lots = treatment_records.parameters(record)["lots"]
    assert [(x["lot"], x["amount"], x["unit"]) for x in lots] == [("SB5120", 6.0, "mL"),
                                                                  ("SB6033", 2.0, "mL")]
    assert _left("Skin booster solution") == 5600 - 800
    recalled = inventory.recall(staff("director"), "SB5120")
    assert [(r.patient_id, r.dose) for r in recalled] == [(patient.id, "6 mL")]


def test_points_of_mesotherapy_must_be_a_whole_number(qtbot, under_way):
    patient = Patient.get_by_id(under_way.patient_id)
    visit = _in_treatment(patient, "Mesotherapy, lipolytic", under_way.start.date(), 14)
    dialog = TreatmentRecordDialog(staff("injector"), visit.id)
    qtbot.addWidget(dialog)
    for key, text in (("volume_ml", "4"), ("area", "Abdomen"), ("depth_mm", "6"),
                      ("points", "40.5")):
        qtbot.keyClicks(dialog.fields[key], text)
    dialog.fields["technique"].setCurrentIndex(dialog.fields["technique"].findText("gun"))
    dialog.save_button.click()
    assert dialog.message.text() == "Points must be a whole number (40.5 is not)."
    assert not TreatmentRecord.select().where(TreatmentRecord.appointment == visit.id).exists()


def test_the_form_starts_on_the_product_the_service_draws_by_default(qtbot, under_way):
    """Clinic setup names the product a service draws: the form offers it first, not the
    product that happens to share the service's name."""
    from medspa_desktop.services.clinic import catalog

    other = Product.select().where(Product.kind == "toxin",
                                   Product.name != "Botox Cosmetic").first()
    botox = Service.get(Service.name == "Botox Cosmetic")
    dialog = TreatmentRecordDialog(staff("injector"), under_way.id)
    qtbot.addWidget(dialog)
    assert dialog.fields["product_id"].currentText() == "Botox Cosmetic"
    dialog.reject()
    spec = catalog.spec_of(botox)
    catalog.update_service(staff("admin"), botox.id, catalog.ServiceSpec(
        **{**spec.__dict__, "default_product_id": other.id}), botox.version)
    dialog = TreatmentRecordDialog(staff("injector"), under_way.id)
    qtbot.addWidget(dialog)
    assert dialog.fields["product_id"].currentData() == other.id
