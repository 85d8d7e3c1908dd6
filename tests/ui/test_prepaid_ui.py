"""Packages and gift cards at the desk: a visit drawn from the patient's package (or charged,
if the desk says so), a gift card sold at checkout and spent on another invoice, looked up by
its code, and a package's unused credits cancelled from the chart."""

from __future__ import annotations

from medspa_desktop.services.billing import invoices, prepaid
from medspa_desktop.store.models import Appointment, Invoice, Product
from medspa_desktop.ui.billing.checkout_dialog import CheckoutDialog
from medspa_desktop.ui.billing.prepaid_dialogs import GiftCardDialog, SellGiftCardDialog
from medspa_desktop.ui.widgets.reason_prompt import ReasonDialog
from tests.conftest import staff
from tests.ui.modal import answer_next_modal
from tests.ui.test_checkout import visit  # noqa: F401 (fixture)


def _bank(appt: Appointment, units: int = 30) -> int:
    """A paid package of units of the visit's toxin for its patient; the package's id."""
    sale = invoices.issue_invoice(staff("frontdesk"), invoices.CheckoutInput(appt.patient_id, (
        invoices.package_line(staff("frontdesk"), appt.service_id, units, 30000,
                              no_expiry=True),)))
    invoices.take_payment(staff("frontdesk"), sale.id, invoices.PaymentInput("cash", 30000))
    return prepaid.patient_packages(staff("frontdesk"), appt.patient_id)[0].id


def test_a_visit_is_drawn_from_the_patients_package_unless_the_desk_says_not(
        qtbot, visit):  # noqa: F811
    package_id = _bank(visit, 2)  # fewer units than any visit: the rest is charged
    dialog = CheckoutDialog(staff("frontdesk"), visit.id)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.package_row.isVisible() and dialog.package.currentData() == package_id
    assert dialog.table.rowCount() == 2
    assert dialog.table.item(0, 0).text().endswith(f"from package P{package_id}")
    assert dialog.table.item(0, 1).text() == "2" and dialog.table.item(0, 2).text() == "0.00"
    drawn_total = invoices.preview(staff("frontdesk"), dialog.checkout_input()).total_cents

    dialog.package.setCurrentIndex(0)  # "No package": the whole visit is charged
    assert dialog.table.rowCount() == 1
    charged = invoices.preview(staff("frontdesk"), dialog.checkout_input()).total_cents
    assert charged - drawn_total == 2 * dialog.drafts[0].unit_price_cents
    dialog.package.setCurrentIndex(1)
    dialog.issue_button.click()
    invoice = Invoice.get(Invoice.appointment == visit.id)
    assert invoice.total_cents == drawn_total
    assert prepaid.patient_packages(staff("frontdesk"), visit.patient_id)[0].left == "0 units"


def test_sell_a_gift_card_at_checkout_and_spend_it_on_the_next_invoice(qtbot, visit):  # noqa: F811
    dialog = CheckoutDialog(staff("frontdesk"), visit.id)
    qtbot.addWidget(dialog)

    def fill(form: SellGiftCardDialog):
        form.amount.setText("2")
        form.save_button.click()  # refused in place: the form stays open
        assert "a gift card is for $5.00 to $10,000.00" in form.message.text()
        assert form.isVisible()
        form.amount.setText("150")
        form.code.setText("mom-2030")
        form.recipient.setText("Mum")
        form.save_button.click()

    answer_next_modal(fill)
    dialog.sell(SellGiftCardDialog(staff("frontdesk"), visit.patient_id, dialog))
    assert dialog.table.item(1, 0).text() == "Gift card for Mum"
    assert not dialog.table.item(1, 2).flags() & dialog.table.item(1, 2).flags().ItemIsEditable
    dialog.issue_button.click()
    pay = dialog.payments_panel
    assert "Gift card sold: <b>MOM2-030</b>" in pay.summary.text()
    pay.method.setCurrentIndex(pay.method.findData("card"))
    pay.last4.setText("4242")
    pay.auth.setText("OK1")
    pay.take_payment()
    assert Appointment.get_by_id(visit.id).status == "checked_out"

    spf = Product.get(Product.name.contains("sunscreen"))
    later = invoices.issue_invoice(staff("frontdesk"), invoices.CheckoutInput(
        visit.patient_id, (invoices.product_line(staff("frontdesk"), spf.id),)))
    assert later.total_cents == 4066  # $38.00 and 7 % tax
    pay.show_invoice(later.id)
    pay.method.setCurrentIndex(pay.method.findData("gift_card"))
    assert not pay.card_code.isHidden() and pay.last4.isHidden()
    pay.amount.setText("40.66")
    pay.card_code.setText("MOM2030")
    pay.take_payment()
    assert "Balance due $0.00" in pay.summary.text()
    assert pay.model.row_at(0).detail == "gift card ending 2030"

    from medspa_desktop.ui.billing.payments_panel import PaymentsPanel

    desk = PaymentsPanel(staff("admin"))  # a refund of a gift card payment, as cash
    qtbot.addWidget(desk)
    desk.show_invoice(later.id)
    desk.table.selectRow(0)

    def type_then(values: list[str]):
        def answer(box):
            if len(values) > 1:
                type_then(values[1:])
            if isinstance(box, ReasonDialog):
                box.text.setPlainText(values[0])
            else:
                box.setTextValue(values[0])
            box.accept()
        answer_next_modal(answer)

    type_then(["4.00", "As cash", "redo"])
    desk.refund()
    assert [(p.method, p.kind) for p in desk.model.rows()] == [("Gift card", "payment"),
                                                               ("Cash", "refund")]
    card = GiftCardDialog(staff("admin"), "mom2030")
    qtbot.addWidget(card)
    assert "MOM2-030 for Mum: $109.34 left" in card.summary.text()
    assert [e.what for e in card.model.rows()] == ["Sold", "Spent"]
    assert card.close_card_button.isEnabled()
    card.close_card("sold by mistake")
    assert "$0.00 left" in card.summary.text() and "closed" in card.summary.text()
    assert not card.close_card_button.isEnabled()  # nothing left to take off
    card.code.setText("nope")
    card.look_up()
    assert "No gift card has that code" in card.message.text()


def test_the_chart_lists_packages_and_an_admin_cancels_unused_credits(qtbot, visit):  # noqa: F811
    from medspa_desktop.ui.patients.chart import ChartDialog

    _bank(visit, 30)
    for who, may_cancel in (("frontdesk", False), ("admin", True)):
        chart = ChartDialog(staff(who), visit.patient_id)
        qtbot.addWidget(chart)
        packages = chart.account.packages
        assert packages.model.row_at(0).left == "30 units"
        assert packages.cancel_button.isHidden() != may_cancel
    packages.table.selectRow(0)
    packages.cancel_credits("moving away")
    assert (packages.model.row_at(0).left, packages.model.row_at(0).state) == (
        "0 units", "used up")


def test_the_suggested_package_price_follows_the_rounding_rule(qtbot, visit):  # noqa: F811
    from medspa_desktop.store.models import Service
    from medspa_desktop.ui.billing.prepaid_dialogs import SellPackageDialog

    Service.update(price_cents=1401).where(Service.id == visit.service_id).execute()
    form = SellPackageDialog(staff("frontdesk"), visit.patient_id, visit.service_id)
    qtbot.addWidget(form)
    assert form.credits.text() == "50" and form.price.text() == "700.50"
    form.credits.setText("0.5")  # $7.005: half a cent rounds up, as on every invoice
    assert form.price.text() == "7.01"
    form.credits.setText("lots")  # not a number: the suggestion stays, the save refuses
    assert form.price.text() == "7.01"
    form.save_button.click()
    assert form.message.text() == "Enter how many sessions or units the package holds."
