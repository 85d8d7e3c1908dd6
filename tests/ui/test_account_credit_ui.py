"""Credit on account at the desk: checkout offers the patient's credit ("Credit on account:
$25.00 — Use it") and pays from it; cash above the balance is kept as credit when the desk
ticks it; the chart's Account tab shows the credit and its ledger, where an admin gives a
goodwill credit and the front desk cannot."""

from __future__ import annotations

import os
from pathlib import Path

from medspa_desktop.services.billing import account_credit, invoices
from medspa_desktop.store.models import Appointment, Invoice, Product
from medspa_desktop.ui.billing.checkout_dialog import CheckoutDialog
from tests.conftest import staff
from tests.ui.test_checkout import visit  # noqa: F401 (fixture)

SHOTS = os.environ.get("MEDSPA_SHOTS")  # a folder: save what the tests show, to look at


def _shot(widget, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(Path(SHOTS) / f"{name}.png"))


def test_checkout_pays_from_the_credit_on_account(qtbot, visit):  # noqa: F811
    account_credit.give_goodwill(staff("admin"), visit.patient_id, 2500, "waited 40 minutes")
    dialog = CheckoutDialog(staff("frontdesk"), visit.id)
    qtbot.addWidget(dialog)
    dialog.resize(900, 700)
    dialog.show()
    dialog.issue_button.click()
    pay = dialog.payments_panel
    assert pay.credit_row.isVisible()
    assert "Credit on account: $25.00" in pay.credit_note.text()
    qtbot.wait(50)
    _shot(dialog, "checkout_credit_offered")
    invoice = Invoice.get(Invoice.appointment == visit.id)
    pay.use_credit_button.click()
    assert pay.method.currentData() == "account_credit" and pay.amount.text() == "25.00"
    pay.take_payment()
    assert account_credit.balance_cents(staff("frontdesk"), visit.patient_id) == 0
    assert invoices.balance_cents(Invoice.get_by_id(invoice.id)) == invoice.total_cents - 2500
    assert [(p.method, p.amount_cents) for p in pay.model.rows()] == [("Account credit", 2500)]
    assert not pay.credit_row.isVisible()  # nothing more held

    pay.method.setCurrentIndex(pay.method.findData("cash"))  # the rest, with $20 over
    due = invoice.total_cents - 2500
    pay.tendered.setText(f"{(due + 2000) / 100:.2f}")
    assert pay.keep_credit.isVisible() and pay.keep_credit.text() == (
        "Keep $20.00 as credit on account (not change)")
    pay.keep_credit.setChecked(True)
    _shot(dialog, "checkout_keep_as_credit")
    pay.take_payment()
    assert "$20.00 kept as credit on account" in pay.summary.text()
    assert Appointment.get_by_id(visit.id).status == "checked_out"
    assert account_credit.balance_cents(staff("frontdesk"), visit.patient_id) == 2000


def test_the_account_tab_shows_the_credit_and_an_admin_gives_goodwill(qtbot, visit):  # noqa: F811
    from medspa_desktop.ui.patients.chart import ChartDialog

    desk = ChartDialog(staff("frontdesk"), visit.patient_id)
    qtbot.addWidget(desk)
    assert desk.account.credit.goodwill_button.isHidden()
    chart = ChartDialog(staff("admin"), visit.patient_id)
    qtbot.addWidget(chart)
    credit = chart.account.credit
    assert not credit.goodwill_button.isHidden()
    credit.give_goodwill("0", "sorry")
    assert "more than zero" in credit.message.text()
    credit.give_goodwill("15", "price match")
    qtbot.waitUntil(lambda: "Credit on account: $15.00" in credit.title.text())
    assert [(r.what, r.amount_cents, r.reason) for r in credit.model.rows()] == [
        ("Goodwill credit", 1500, "price match")]
    assert "Credit on account: $15.00" in chart.account.balance.text()

    spf = Product.get(Product.name.contains("sunscreen"))
    sale = invoices.issue_invoice(staff("frontdesk"), invoices.CheckoutInput(
        visit.patient_id, (invoices.product_line(staff("frontdesk"), spf.id),)))
    invoices.take_payment(staff("frontdesk"), sale.id, invoices.PaymentInput(
        "account_credit", 1500))
    qtbot.waitUntil(lambda: credit.model.rowCount() == 2)
    assert credit.model.row_at(0).what == "Paid an invoice"
    assert credit.model.row_at(0).invoice == sale.number
    chart.resize(1000, 800)
    chart.show()
    chart.show_tab("account")
    qtbot.wait(50)
    _shot(chart, "chart_account_credit")


def test_check_in_shows_the_credit_on_account(qtbot, visit):  # noqa: F811
    from medspa_desktop.services.scheduling.check_in import due_at_check_in
    from medspa_desktop.ui.schedule.check_in import CheckInDialog

    account_credit.give_goodwill(staff("admin"), visit.patient_id, 2000, "waited 40 minutes")
    dialog = CheckInDialog(staff("frontdesk"), due_at_check_in(staff("frontdesk"), visit.id))
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.credit.isVisible() and dialog.credit.text().startswith(
        "Credit on account: $20.00")
    qtbot.wait(50)
    _shot(dialog, "check_in_credit")


def test_an_admin_pays_the_credit_out_from_the_account_tab(qtbot, visit, tmp_path):  # noqa: F811
    from PySide6.QtCore import Qt

    from medspa_desktop.services.billing import billing_reports
    from medspa_desktop.services.platform.vocabulary import PaymentMethod
    from medspa_desktop.ui.billing.account_panel import AccountPanel, PayOutDialog
    from tests.ui.modal import answer_next_modal

    desk = AccountPanel(staff("frontdesk"), visit.patient_id)
    qtbot.addWidget(desk)
    assert desk.credit.pay_out_button.isHidden()
    panel = AccountPanel(staff("admin"), visit.patient_id)
    qtbot.addWidget(panel)
    credit = panel.credit
    assert not credit.pay_out_button.isHidden() and not credit.pay_out_button.isEnabled()
    account_credit.give_goodwill(staff("admin"), visit.patient_id, 4000, "waited an hour")
    qtbot.waitUntil(lambda: credit.pay_out_button.isEnabled())
    before = billing_reports.daily_close(staff("admin"), visit.start.date().today(),
                                         record=False).cash_expected_cents

    def pay_out(dialog: PayOutDialog) -> None:
        assert "holds $40.00 credit on account" in dialog.intro.text()
        assert dialog.amount.text() == "40.00"
        dialog.amount.setText("45.00")
        qtbot.keyClicks(dialog.reason, "moving away")
        dialog.resize(520, dialog.sizeHint().height())
        dialog.show()
        dialog.grab().save(str(tmp_path / "pay_out.png"))
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        assert "only $40.00 credit on account" in dialog.message.text()  # stays open
        dialog.amount.setText("40.00")
        assert dialog.method.currentData() == PaymentMethod.CASH
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    answer_next_modal(pay_out)
    qtbot.mouseClick(credit.pay_out_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Credit on account: $0.00" in credit.title.text())
    assert [(r.what, r.amount_cents, r.reason) for r in credit.model.rows()][0] == (
        "Paid out in cash", -4000, "moving away")
    assert not credit.pay_out_button.isEnabled()
    after = billing_reports.daily_close(staff("admin"), visit.start.date().today(),
                                        record=False)
    assert before - after.cash_expected_cents == 4000
