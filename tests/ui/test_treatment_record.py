"""Charting a treatment through its form, from the schedule."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMenu, QMessageBox

from medspa_desktop.services import inventory, scheduling, treatment_records
from medspa_desktop.store.models import Lot, Patient, Product, Room, Service, TreatmentRecord
from medspa_desktop.ui.schedule.tab import ScheduleTab
from medspa_desktop.ui.treatments.record_dialog import TreatmentRecordDialog
from tests.conftest import give_consent, staff
from tests.ui.modal import answer_next_modal
from tests.ui.test_face_chart import click


@pytest.fixture
def under_way(demo_db):
    """A Botox visit on a quiet future day, with the patient in treatment."""
    day = dt.date.today() + dt.timedelta(days=55)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    patient = Patient.select().where(Patient.first_name == "Amélie").first()
    start = dt.datetime.combine(day, dt.time(10))
    appt = scheduling.book_appointment(staff("frontdesk"), scheduling.AppointmentInput(
        patient.id, Service.get(Service.name == "Botox Cosmetic").id, staff("injector").id,
        start, start + dt.timedelta(minutes=30), Room.get(Room.name == "Room 2").id))
    appt = scheduling.change_status(staff("frontdesk"), appt.id, "arrived", appt.version)
    give_consent(staff("frontdesk"), patient.id, "neurotoxin")
    appt = scheduling.change_status(staff("injector"), appt.id, "in_treatment", appt.version,
                                    acknowledge="reviewed with the patient")
    return appt


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
    from medspa_desktop.services import intake

    visit = (scheduling.Appointment.select().join(Service)
             .where(Service.category == "laser_hair", scheduling.Appointment.status ==
                    "completed").first())
    intake.record_answers(staff("frontdesk"), visit.patient_id, {"fitzpatrick": 3})
    dialog = TreatmentRecordDialog(staff("laser1"), visit.id)
    qtbot.addWidget(dialog)
    assert dialog.fields["device"].text() == "Alexandrite hair laser"
    assert dialog.fields["fitzpatrick"].text() == "3"
