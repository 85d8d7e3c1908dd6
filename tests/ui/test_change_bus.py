"""The change bus on screen: what an operation changed shows in every open tab, chart and
dialog that shows it, without F5."""

from __future__ import annotations

import datetime as dt
from functools import partial

from medspa_desktop.services.billing import invoices
from medspa_desktop.services.charts import patients
from medspa_desktop.services.treatments import treatment_records
from medspa_desktop.store.models import Appointment, Invoice, Patient, Product, Service
from medspa_desktop.ui.billing.checkout_dialog import CheckoutDialog
from medspa_desktop.ui.billing.tab import BillingTab
from medspa_desktop.ui.main_window import MainWindow
from medspa_desktop.ui.ops import background_op, op
from medspa_desktop.ui.patients.chart import ChartDialog
from medspa_desktop.ui.treatments.tab import TreatmentLogTab
from tests.conftest import give_consent, staff
from tests.ui.test_treatment_record import _in_treatment


def test_after_checkout_the_billing_tab_lists_the_new_invoice(qtbot, demo_db):
    tab = BillingTab(staff("admin"))
    qtbot.addWidget(tab)
    tab.show()
    newest = tab.model.row_at(0).number
    visit = (Appointment.select().join(Service)
             .where(Service.category == "neurotoxin", Appointment.status == "completed")
             .order_by(Appointment.start.desc()).first())
    dialog = CheckoutDialog(staff("frontdesk"), visit.id, tab)
    qtbot.addWidget(dialog)
    dialog.issue_button.click()
    invoice = Invoice.get(Invoice.appointment == visit.id)
    assert invoice.number != newest
    assert tab.model.row_at(0).number == invoice.number  # no F5


def test_after_charting_a_treatment_the_treatment_log_shows_it(qtbot, demo_db):
    tab = TreatmentLogTab(staff("director"))
    qtbot.addWidget(tab)
    tab.show()
    patient = Patient.select().where(Patient.first_name == "Amélie").first()
    visit = _in_treatment(patient, "Botox Cosmetic", dt.date.today() + dt.timedelta(days=100))
    assert tab.model.row_at(0).appointment_id != visit.id
    botox = Product.get(Product.name == "Botox Cosmetic")
    done = op(None, partial(treatment_records.record_treatment, staff("injector"), visit.id, {
        "product_id": botox.id, "dilution_ml": 2.5, "total_units": 20,
        "points": [{"view": "front", "x": 150, "y": 130, "site": "Glabella", "amount": 20}]}))
    assert done
    assert tab.model.row_at(0).appointment_id == visit.id  # the newest visit, no F5


def test_the_chart_on_screen_shows_a_consent_signed_elsewhere(qtbot, demo_db):
    patient = patients.create_patient(staff("frontdesk"), patients.PatientInput(
        "Olu", "Adeyemi", dt.date(1979, 2, 3)))
    chart = ChartDialog(staff("frontdesk"), patient.id)
    qtbot.addWidget(chart)
    chart.show()
    panel = chart.show_tab("consents")
    assert panel.model.rowCount() == 0
    timeline = chart.timeline_model.rowCount()
    give_consent(staff("frontdesk"), patient.id, "neurotoxin")  # not from this chart
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1)
    assert chart.timeline_model.rowCount() == timeline + 1


def test_a_refused_operation_refreshes_nothing(qtbot, demo_db):
    tab = BillingTab(staff("admin"))
    qtbot.addWidget(tab)
    refreshed = []
    tab.refresh = lambda: refreshed.append(True)  # what the bus calls
    visit = Appointment.select().where(Appointment.status == "booked").first()
    assert not op(None, lambda: invoices.issue_invoice(
        staff("frontdesk"), invoices.CheckoutInput(visit.patient_id, (), visit.id)),
        on_refused=lambda _exc: None)
    qtbot.wait(50)
    assert refreshed == []


def test_work_committed_off_the_ui_thread_reaches_the_screen(qtbot, demo_db):
    tab = BillingTab(staff("admin"))
    qtbot.addWidget(tab)
    visit = (Appointment.select().join(Service)
             .where(Service.category == "neurotoxin", Appointment.status == "completed")
             .order_by(Appointment.start.desc()).first())
    lines = tuple(invoices.draft_for_appointment(staff("frontdesk"), visit.id))
    finished = []
    background_op(tab, lambda _say: invoices.issue_invoice(
        staff("frontdesk"), invoices.CheckoutInput(visit.patient_id, lines, visit.id)).id,
        on_success=finished.append)
    qtbot.waitUntil(lambda: bool(finished) and tab.model.row_at(0).id == finished[0], timeout=10000)


def test_a_closed_chart_is_no_longer_redrawn(qtbot, demo_db):
    patient = patients.create_patient(staff("frontdesk"), patients.PatientInput(
        "Olu", "Adeyemi", dt.date(1979, 2, 3)))
    chart = ChartDialog(staff("frontdesk"), patient.id)
    qtbot.addWidget(chart)
    chart.show()
    timeline = chart.timeline_model.rowCount()
    chart.reject()
    give_consent(staff("frontdesk"), patient.id, "neurotoxin")
    qtbot.wait(100)
    assert chart.timeline_model.rowCount() == timeline


def test_a_closed_main_window_reads_nothing_more(qtbot, demo_db):
    """A main window closed (waiting to be deleted) does not redraw on later changes: it may
    be looking at a database that is no longer the open one."""
    admin = staff("admin")
    window = MainWindow(admin, remember=False)
    qtbot.addWidget(window)
    window.show()
    newest = window.billing.model.row_at(0).number
    window.close()
    visit = (Appointment.select().join(Service)
             .where(Service.category == "neurotoxin", Appointment.status == "completed")
             .order_by(Appointment.start.desc()).first())
    dialog = CheckoutDialog(staff("frontdesk"), visit.id)
    qtbot.addWidget(dialog)
    dialog.issue_button.click()
    assert Invoice.get(Invoice.appointment == visit.id).number != newest
    qtbot.wait(100)
    assert window.billing.model.row_at(0).number == newest
