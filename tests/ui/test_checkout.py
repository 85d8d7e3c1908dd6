"""Checking out a demo visit: the invoice drafted from its record, a retail item added, a
split payment (card, then cash with change), and the receipt printed."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from medspa_desktop.services.billing import invoices
from medspa_desktop.services.scheduling import appointments
from medspa_desktop.store.models import Appointment, Invoice, Product, Service
from medspa_desktop.ui.billing.checkout_dialog import CheckoutDialog
from tests.conftest import staff
from tests.ui.modal import answer_next_modal, expect_preview


@pytest.fixture
def visit(demo_db):
    """A completed toxin visit of the demo, not yet checked out, priced per unit."""
    invoices.set_tax_rates(staff("admin"), invoices.TaxRates(0, 700))
    spf = Product.get(Product.name.contains("sunscreen"))
    invoices.set_retail(staff("admin"), spf.id, 3800, "SPF50", True)
    appt = (Appointment.select().join(Service)
            .where(Service.category == "neurotoxin", Appointment.status == "completed")
            .order_by(Appointment.start.desc()).first())
    return appt


def test_check_out_with_a_split_payment_and_print_the_receipt(qtbot, visit):
    dialog = CheckoutDialog(staff("frontdesk"), visit.id)
    qtbot.addWidget(dialog)
    dialog.show()
    draft = invoices.draft_for_appointment(staff("frontdesk"), visit.id)[0]
    assert dialog.table.item(0, 0).text() == draft.description
    expected = invoices.preview(staff("frontdesk"), dialog.checkout_input()).total_cents
    assert f"${expected / 100:,.2f}" in dialog.totals.text()
    dialog.product.setCurrentIndex(0)
    dialog.add_product()
    dialog.table.item(1, 3).setText("10%")  # a line discount needs a reason
    assert not dialog.issue_button.isEnabled()
    assert "reason for the line 2 discount" in dialog.message.text()
    dialog.table.item(1, 4).setText("loyalty")
    dialog.tip.setText("20")
    assert dialog.issue_button.isEnabled()
    dialog.issue_button.click()
    invoice = Invoice.get(Invoice.appointment == visit.id)
    total = invoice.total_cents
    pay = dialog.payments_panel
    assert dialog.pages.currentIndex() == 1 and f"Balance due ${total / 100:,.2f}" in \
        pay.summary.text()

    pay.method.setCurrentIndex(pay.method.findData("card"))
    pay.amount.setText("100.00")
    pay.last4.setText("4242")
    pay.take_payment()
    assert "Enter the card authorisation code" in pay.message.text()
    pay.auth.setText("ok77")
    pay.take_payment()
    assert f"Balance due ${(total - 10000) / 100:,.2f}" in pay.summary.text()
    pay.method.setCurrentIndex(pay.method.findData("cash"))
    assert pay.last4.isHidden() and not pay.tendered.isHidden()
    pay.tendered.setText(f"{(total - 10000) / 100 + 50:.2f}")
    pay.take_payment()
    assert "Change due: $50.00" in pay.summary.text()
    assert not pay.pay_button.isEnabled() and pay.refund_button.isHidden()  # front desk
    assert [p.method for p in pay.model.rows()] == ["Card", "Cash"]
    assert Appointment.get_by_id(visit.id).status == "checked_out"

    printed = expect_preview()
    pay.receipt_button.click()
    assert f"Receipt {invoice.number}" in printed[0]
    assert "Card card ending 4242, auth OK77" in printed[0] and "Balance due $0.00" in printed[0]


def test_reopening_an_issued_visit_goes_to_its_payments(qtbot, visit):
    lines = tuple(invoices.draft_for_appointment(staff("frontdesk"), visit.id))
    invoices.issue_invoice(staff("frontdesk"), invoices.CheckoutInput(
        visit.patient_id, lines, visit.id))
    dialog = CheckoutDialog(staff("frontdesk"), visit.id)
    qtbot.addWidget(dialog)
    assert dialog.pages.currentIndex() == 1 and dialog.payments_panel.model.rowCount() == 0
    assert appointments.get_appointment(staff("frontdesk"), visit.id).status_key == "completed"


def test_the_billing_tab_lists_refunds_voids_and_closes_the_day(qtbot, visit):
    from medspa_desktop.ui.billing.tab import BillingTab, PaymentsDialog

    lines = tuple(invoices.draft_for_appointment(staff("frontdesk"), visit.id))
    invoice = invoices.issue_invoice(staff("frontdesk"), invoices.CheckoutInput(
        visit.patient_id, lines, visit.id))
    invoices.take_payment(staff("frontdesk"), invoice.id, invoices.PaymentInput(
        "card", invoice.total_cents, card_last4="4242", auth_code="OK1"))
    tab = BillingTab(staff("admin"))
    qtbot.addWidget(tab)
    assert tab.model.row_at(0).number == invoice.number  # newest first
    assert tab.count.text().startswith("200+ invoices")  # the demo's, loaded as you scroll
    due = tab.count.text().split(" · ")[1]
    tab.model.fetchMore()  # scrolled down: the count follows, what is due stays the filter's
    assert tab.count.text() in (f"400+ invoices · {due}", f"{tab.model.rowCount()} invoices · {due}")
    patient = tab.model.row_at(0).patient
    tab.patient.setText(patient.split(",")[0])
    tab.refresh()
    from medspa_desktop.services.platform.text import fold

    assert all(fold(patient.split(",")[0]) in fold(r.patient) for r in tab.model.rows())
    assert tab.model.rowCount() < 200  # any part of the name, accents folded
    tab.patient.clear()
    tab.status.setCurrentIndex(tab.status.findData("open"))
    assert tab.model.rowCount() == 0 and tab.count.text() == "0 invoices · $0.00 due"

    def refund_then_void(dialog: PaymentsDialog):
        panel = dialog.panel
        panel.void("wrong patient")
        assert "refund it first" in panel.message.text()
        panel.table.selectRow(0)
        panel.refund(f"{invoice.total_cents / 100:.2f}", "wrong patient")
        panel.void("wrong patient")
        assert "void: wrong patient" in panel.summary.text()
        dialog.accept()

    tab.status.setCurrentIndex(0)
    answer_next_modal(refund_then_void)
    tab.open_payments(0)
    assert tab.model.row_at(0).status == "void"
    printed = expect_preview()
    import datetime as dt

    tab.daily_close(dt.date.today(), "0")
    assert "Daily close" in printed[0] and "Voids" in printed[0]
    assert f"Invoice {invoice.number}: wrong patient" in printed[0]


def test_the_charts_account_tab_shows_what_is_owed(qtbot, visit):
    from medspa_desktop.ui.patients.chart import ChartDialog

    lines = tuple(invoices.draft_for_appointment(staff("frontdesk"), visit.id))
    invoice = invoices.issue_invoice(staff("frontdesk"), invoices.CheckoutInput(
        visit.patient_id, lines, visit.id))
    invoices.take_payment(staff("frontdesk"), invoice.id, invoices.PaymentInput("cash", 1000))
    chart = ChartDialog(staff("frontdesk"), visit.patient_id)
    qtbot.addWidget(chart)
    account = chart.account
    due = invoice.total_cents - 1000
    assert account.balance.text() == f"<b>Balance due: ${due / 100:,.2f}</b>"
    assert {r.patient_id for r in account.model.rows()} == {visit.patient_id}
    assert account.model.row_at(0).number == invoice.number


def test_a_double_click_on_issue_invoice_does_not_close_with_money_owed(qtbot, visit):
    dialog = CheckoutDialog(staff("frontdesk"), visit.id)
    qtbot.addWidget(dialog)
    dialog.show()
    where = dialog.issue_button.mapTo(dialog, dialog.issue_button.rect().center())
    qtbot.mouseClick(dialog.issue_button, Qt.MouseButton.LeftButton)
    second = dialog.childAt(where)  # what the second click of a double-click lands on
    assert dialog.pages.currentIndex() == 1 and second is not dialog.close_button
    if second is not None and second is not dialog.payments_panel.receipt_button:
        qtbot.mouseClick(second, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert Invoice.select().where(Invoice.appointment == visit.id).count() == 1
    dialog.close_button.click()  # it says the balance is due
    assert dialog.isVisible() and "still owes" in dialog.message.text()


def test_closing_with_a_balance_due_warns_first_and_the_visit_stays_unpaid(qtbot, visit):
    dialog = CheckoutDialog(staff("frontdesk"), visit.id)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.issue_button.click()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible()
    assert "still owes $" in dialog.message.text() and "unpaid" in dialog.message.text()
    dialog.close_button.click()  # the second time: closed, unpaid
    assert not dialog.isVisible()
    assert appointments.get_appointment(staff("frontdesk"), visit.id).status_key == "completed"
    assert invoices.visit_owes(staff("frontdesk"), visit.id)


def test_a_paid_visit_closes_at_once(qtbot, visit):
    dialog = CheckoutDialog(staff("frontdesk"), visit.id)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.issue_button.click()
    pay = dialog.payments_panel
    pay.method.setCurrentIndex(pay.method.findData("cash"))
    pay.tendered.setText(pay.amount.text())
    pay.take_payment()
    dialog.close_button.click()
    assert not dialog.isVisible()


def test_a_visit_with_something_to_pay_is_not_offered_mark_checked_out(qtbot, visit):
    from medspa_desktop.ui.schedule.tab import ScheduleTab

    tab = ScheduleTab(staff("frontdesk"))
    qtbot.addWidget(tab)
    tab.set_day(visit.start.date())
    texts = [a.text() for a in tab.menu_for(visit.id).actions()]
    assert "Check out and pay…" in texts and "Mark checked out" not in texts
    tab.select(visit.id)
    opened = []
    answer_next_modal(lambda checkout: (opened.append(type(checkout).__name__),
                                        checkout.close()))
    tab.set_status("checked_out")  # Ctrl+Shift+O: the checkout, not a status change
    assert opened == ["CheckoutDialog"]
    assert appointments.get_appointment(staff("frontdesk"), visit.id).status_key == "completed"
    lines = tuple(invoices.draft_for_appointment(staff("frontdesk"), visit.id))
    invoice = invoices.issue_invoice(staff("frontdesk"), invoices.CheckoutInput(
        visit.patient_id, lines, visit.id, tip_cents=0))
    invoices.take_payment(staff("frontdesk"), invoice.id, invoices.PaymentInput(
        "card", invoice.total_cents, card_last4="4242", auth_code="OK1"))
    assert not invoices.visit_owes(staff("frontdesk"), visit.id)
