"""Memberships on screen, in a clinic that just installed the program: an admin sets up a plan
in Clinic setup, the desk enrols a patient from the chart's Account tab (the agreement signed
on the pads), and freezes and cancels the membership there."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt

from medspa_desktop.services.billing import memberships
from medspa_desktop.services.charts import patients
from medspa_desktop.services.platform import auth
from medspa_desktop.store.models import Invoice, Membership, MembershipDues, MembershipEvent
from medspa_desktop.ui.billing.account_panel import AccountPanel
from medspa_desktop.ui.billing.membership_dialogs import (
    EnrolDialog,
    FreezeDialog,
    OverdueDuesDialog,
    PlanDialog,
)
from medspa_desktop.ui.setup.window import ClinicSetupWindow
from medspa_desktop.ui.widgets.reason_prompt import ReasonDialog
from tests.documents.pdftext import pdf_text
from tests.ui.modal import answer_next_modal
from tests.ui.test_checkout import visit  # noqa: F401 (fixture)
from tests.ui.test_consents import draw


def _plan_through_setup(qtbot, admin):
    window = ClinicSetupWindow(admin, section="Membership plans")
    qtbot.addWidget(window)
    page = window.plans
    assert page.model.rows() == []

    def fill(dialog: PlanDialog) -> None:
        qtbot.keyClicks(dialog.name, "Glow Club")
        qtbot.keyClicks(dialog.fee, "99")
        dialog.term.setValue(6)
        dialog.notice.setValue(30)
        dialog.grace.setValue(30)
        rows = {(k, getattr(w, "name", w)): i for i, (k, w) in enumerate(dialog.rows)}
        dialog.benefits.item(rows[("category", "neurotoxin")], 1).setText("10")
        dialog.benefits.item(rows[("service", "Botox Cosmetic")], 3).setText("20 / 50")
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    answer_next_modal(fill)
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    (plan,) = page.model.rows()
    assert (plan.name, plan.fee_cents, plan.min_term_months, plan.credit_grace_days) == (
        "Glow Club", 9900, 6, 30)
    assert "10 % off Neurotoxin" in " ".join(memberships.benefit_lines(plan))
    return plan


def test_a_plan_is_set_up_and_the_desk_enrols_freezes_and_cancels_a_patient(qtbot, admin):
    plan = _plan_through_setup(qtbot, admin)
    desk = auth.create_user(admin, auth.UserInput("desk", "Sam Desk", "front_desk",
                                                  "long-enough"))
    zoe = patients.create_patient(desk, patients.PatientInput("Zoë", "Ng", dt.date(1990, 1, 1)))
    panel = AccountPanel(desk, zoe.id)
    qtbot.addWidget(panel)
    box = panel.membership
    assert box.state.text() == "Not a member."
    assert not box.enrol_button.isHidden() and box.cancel_button.isHidden()

    def sign(dialog: EnrolDialog) -> None:
        assert dialog.chosen().id == plan.id
        assert "minimum term is 6 months" in dialog.terms.text()
        assert not dialog.enrol_button.isEnabled()
        draw(qtbot, dialog.patient_pad)
        draw(qtbot, dialog.witness_pad)
        assert dialog.enrol_button.isEnabled()
        qtbot.mouseClick(dialog.enrol_button, Qt.MouseButton.LeftButton)

    answer_next_modal(sign)
    qtbot.mouseClick(box.enrol_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Member: Glow Club" in box.state.text())
    assert "Dues unpaid: $99.00" in box.state.text()
    assert "20 × Botox Cosmetic" in box.state.text()
    assert box.enrol_button.isHidden() and not box.cancel_button.isHidden()
    membership = Membership.get()
    assert "Zoë Ng" in pdf_text(memberships.agreement_pdf(desk, membership.id))
    assert Invoice.get_by_id(MembershipDues.get().invoice_id).total_cents == 9900
    assert panel.model.rowCount() == 1  # the dues invoice is on the account
    overdue = OverdueDuesDialog(desk)
    qtbot.addWidget(overdue)
    assert [(r.patient, r.balance_cents) for r in overdue.model.rows()] == [("Zoë Ng", 9900)]
    assert overdue.total.text() == "1 unpaid, $99.00"

    def freeze(dialog: FreezeDialog) -> None:
        qtbot.keyClicks(dialog.reason, "travelling")
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    answer_next_modal(freeze)
    qtbot.mouseClick(box.freeze_button, Qt.MouseButton.LeftButton)
    assert MembershipEvent.get().kind == "freeze"

    def cancel(dialog: ReasonDialog) -> None:
        qtbot.keyClicks(dialog.text, "moving away")
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    answer_next_modal(cancel)
    qtbot.mouseClick(box.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "cancelled from" in box.state.text())
    assert not box.reactivate_button.isHidden()


def test_enrolling_without_plans_says_where_to_set_them_up(qtbot, admin):
    zoe = patients.create_patient(admin, patients.PatientInput("Zoë", "Ng", dt.date(1990, 1, 1)))
    dialog = EnrolDialog(admin, zoe.id)
    qtbot.addWidget(dialog)
    assert "Clinic setup… → Membership plans" in dialog.terms.text()
    assert not dialog.enrol_button.isEnabled()


def test_checkout_gives_a_member_the_banked_credits_and_the_member_price(qtbot, visit):  # noqa: F811
    from decimal import Decimal

    from medspa_desktop.documents.membership_agreement import render_agreement
    from medspa_desktop.printouts import _letterhead
    from medspa_desktop.services.billing import invoices
    from medspa_desktop.services.platform.png import grey_png
    from medspa_desktop.ui.billing.checkout_dialog import CheckoutDialog
    from tests.conftest import staff

    plan = memberships.save_plan(staff("admin"), memberships.PlanInput(
        "Checkout Club", 9900, category_discounts_bp=(("neurotoxin", 1000),),
        credits=(memberships.BankedCredit(visit.service_id, Decimal(5), Decimal(5)),),
        retail_discount_bp=1500))
    memberships.enrol(staff("frontdesk"), memberships.EnrolInput(
        visit.patient_id, plan.id, grey_png(40, 20), grey_png(40, 20)),
        lambda sheet: render_agreement(sheet, _letterhead()),
        now=visit.start - dt.timedelta(days=1))
    dialog = CheckoutDialog(staff("frontdesk"), visit.id)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.member_credits.isVisible() and dialog.member_credits.isChecked()
    assert dialog.table.rowCount() == 2
    assert dialog.table.item(0, 0).text().endswith("banked membership credits")
    assert (dialog.table.item(0, 1).text(), dialog.table.item(0, 2).text()) == ("5", "0.00")
    assert (dialog.table.item(1, 3).text(), dialog.table.item(1, 4).text()) == (
        "10%", "Checkout Club member price")
    dialog.member_credits.setChecked(False)  # the desk keeps the credits for later
    assert dialog.table.rowCount() == 1 and dialog.table.item(0, 3).text() == "10%"
    dialog.member_credits.setChecked(True)
    dialog.product.setCurrentIndex(0)
    dialog.add_product()  # retail at the member's price too
    assert (dialog.table.item(2, 3).text(), dialog.table.item(2, 4).text()) == (
        "15%", "Checkout Club member price")
    dialog.issue_button.click()
    invoice = Invoice.get(Invoice.appointment == visit.id)
    view = invoices.invoice_view(staff("frontdesk"), invoice.id)
    assert view.lines[0].description.endswith("banked membership credits (0 left)")
    assert view.lines[1].discount_reason == "Checkout Club member price"
    assert view.lines[1].discount_cents > 0


def test_the_account_tab_shows_credits_usable_after_cancelling_then_expired(qtbot, admin):
    from decimal import Decimal

    from medspa_desktop.documents.membership_agreement import render_agreement
    from medspa_desktop.printouts import _letterhead
    from medspa_desktop.services.platform.png import grey_png
    from medspa_desktop.store.models import Service

    botox = Service.get(Service.name == "Botox Cosmetic")
    now = dt.datetime.now().replace(microsecond=0)
    plan = memberships.save_plan(admin, memberships.PlanInput(
        "Grace Club", 9900, credits=(memberships.BankedCredit(botox.id, Decimal(20),
                                                              Decimal(20)),),
        credit_grace_days=30), now=now - dt.timedelta(days=90))
    shown = {}
    for name, cancelled_days_ago in (("Zoë", 10), ("Ann", 40)):
        patient = patients.create_patient(admin, patients.PatientInput(
            name, "Ng", dt.date(1990, 1, 1)))
        m = memberships.enrol(admin, memberships.EnrolInput(
            patient.id, plan.id, grey_png(40, 20), grey_png(40, 20)),
            lambda sheet: render_agreement(sheet, _letterhead()),
            now=now - dt.timedelta(days=60))
        memberships.cancel(admin, m.id, "moving", now=now - dt.timedelta(days=cancelled_days_ago))
        panel = AccountPanel(admin, patient.id)
        qtbot.addWidget(panel)
        shown[name] = panel.membership.state.text()
    usable_until = (now - dt.timedelta(days=10) + dt.timedelta(days=29)).date()
    assert f"Banked: 20 × Botox Cosmetic (usable until {usable_until:%d %b %Y})" in shown["Zoë"]
    expired_on = (now - dt.timedelta(days=10)).date()
    assert "Banked:" not in shown["Ann"]
    assert f"Banked credits expired: 20 × Botox Cosmetic on {expired_on:%d %b %Y}" in \
        shown["Ann"]


def test_a_non_member_enrolled_at_checkout_pays_member_prices_in_the_same_checkout(
        qtbot, visit, tmp_path):  # noqa: F811
    from medspa_desktop.services.billing import invoices
    from medspa_desktop.services.platform.vocabulary import PaymentMethod
    from medspa_desktop.ui.billing.checkout_dialog import CheckoutDialog
    from medspa_desktop.ui.billing.tab import PaymentsDialog
    from tests.conftest import staff

    desk = staff("frontdesk")
    assert memberships.current_membership(desk, visit.patient_id) is None
    plan = memberships.save_plan(staff("admin"), memberships.PlanInput(
        "Desk Club", 9900, category_discounts_bp=(("neurotoxin", 1000),),
        retail_discount_bp=1500))
    dialog = CheckoutDialog(desk, visit.id)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.enrol_button.isVisible() and not dialog.pay_dues_button.isVisible()
    assert dialog.table.item(0, 3).text() == ""  # list price
    dialog.product.setCurrentIndex(0)
    dialog.add_product()  # retail put on before enrolling
    list_total = invoices.preview(desk, dialog.checkout_input()).total_cents
    dialog.grab().save(str(tmp_path / "checkout_before.png"))

    def sign(enrol: EnrolDialog) -> None:
        enrol.plan.setCurrentIndex(enrol.plan.findText("Desk Club", Qt.MatchFlag.MatchStartsWith))
        assert enrol.chosen().id == plan.id
        draw(qtbot, enrol.patient_pad)
        draw(qtbot, enrol.witness_pad)
        qtbot.mouseClick(enrol.enrol_button, Qt.MouseButton.LeftButton)

    answer_next_modal(sign)
    qtbot.mouseClick(dialog.enrol_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.enrol_button.isVisible())
    # the member's prices at once, on the visit and on the retail already on the invoice
    assert (dialog.table.item(0, 3).text(), dialog.table.item(0, 4).text()) == (
        "10%", "Desk Club member price")
    assert (dialog.table.item(1, 3).text(), dialog.table.item(1, 4).text()) == (
        "15%", "Desk Club member price")
    member_total = invoices.preview(desk, dialog.checkout_input()).total_cents
    assert member_total < list_total
    dues = MembershipDues.get(MembershipDues.membership == Membership.get(
        Membership.patient == visit.patient_id).id)
    number = Invoice.get_by_id(dues.invoice_id).number
    assert f"invoice {number}" in dialog.enrolled_text.text()
    assert "owe $99.00" in dialog.enrolled_text.text()
    dialog.grab().save(str(tmp_path / "checkout_enrolled.png"))

    def pay(payments: PaymentsDialog) -> None:
        panel = payments.panel
        panel.method.setCurrentIndex(panel.method.findData(PaymentMethod.CASH))
        panel.tendered.setText("100")
        panel.take_payment()
        assert "Change due: $1.00" in panel.summary.text()
        payments.accept()

    answer_next_modal(pay)
    qtbot.mouseClick(dialog.pay_dues_button, Qt.MouseButton.LeftButton)
    assert "are paid" in dialog.enrolled_text.text() and not dialog.pay_dues_button.isVisible()
    dialog.issue_button.click()
    invoice = Invoice.get(Invoice.appointment == visit.id)
    assert invoice.total_cents == member_total
    view = invoices.invoice_view(desk, invoice.id)
    assert [line.discount_reason for line in view.lines] == ["Desk Club member price"] * 2
    assert dialog.membership_row.isVisible() and not dialog.enrol_button.isVisible()


def test_checkout_offers_no_enrolment_to_a_member(qtbot, visit):  # noqa: F811
    from medspa_desktop.documents.membership_agreement import render_agreement
    from medspa_desktop.printouts import _letterhead
    from medspa_desktop.services.platform.png import grey_png
    from medspa_desktop.ui.billing.checkout_dialog import CheckoutDialog
    from tests.conftest import staff

    plan = memberships.save_plan(staff("admin"), memberships.PlanInput("Desk Club", 9900))
    memberships.enrol(staff("frontdesk"), memberships.EnrolInput(
        visit.patient_id, plan.id, grey_png(40, 20), grey_png(40, 20)),
        lambda sheet: render_agreement(sheet, _letterhead()))
    dialog = CheckoutDialog(staff("frontdesk"), visit.id)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.enrol_button.isVisible() and not dialog.membership_row.isVisible()
