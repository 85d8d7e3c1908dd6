"""The inventory screen: stock per product, lots, the ledger; receive and adjust through the
forms, with refusals shown in place."""

from __future__ import annotations

import datetime as dt

import pytest

from medspa_desktop.store.models import AuditEvent, Lot
from medspa_desktop.ui.treatments.inventory_dialog import InventoryDialog
from medspa_desktop.ui.treatments.stock_dialogs import (
    AdjustDialog,
    ReceiveDialog,
    RetailPriceDialog,
)
from tests.conftest import staff
from tests.ui.modal import answer_next_modal


@pytest.fixture
def screen(qtbot, demo_db):
    dialog = InventoryDialog(staff("director"))
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _product(screen, name):
    return next(r for r in screen.products.rows() if r.name == name)


def test_receiving_a_lot_raises_the_stock_and_lists_it(qtbot, screen):
    before = _product(screen, "Juvederm Ultra XC").on_hand
    screen.product_table.selectRow(screen.products.rows().index(
        _product(screen, "Juvederm Ultra XC")))
    steps = []

    def fill(dialog: ReceiveDialog):
        assert dialog.product.currentText().startswith("Juvederm Ultra XC")
        assert dialog.expiry.text() == ""  # no expiry proposed: it is read off the box
        dialog.lot_number.setText("ju-7781")
        dialog.quantity.setText("10")
        dialog.cost.setText("abc")
        dialog.save_button.click()
        steps.append(dialog.message.text())  # refused in place, the form stays open
        dialog.expiry.setText((dt.date.today() - dt.timedelta(days=1)).isoformat())
        dialog.save_button.click()
        steps.append(dialog.message.text())
        dialog.cost.setText("$210.00")
        dialog.save_button.click()
        steps.append(dialog.message.text())
        dialog.expiry.setText(f"{dt.date.today().year + 2}-08")
        dialog.save_button.click()

    answer_next_modal(fill)
    screen.receive_button.click()
    assert steps[0] == "Enter the expiry printed on the box (e.g. 2027-08)."
    assert steps[1] == "Enter the cost per unit as a number, e.g. 4.50."
    assert steps[2].startswith("Lot JU-7781 expired on")
    assert before == "20 syringes" and _product(screen, "Juvederm Ultra XC").on_hand == \
        "30 syringes"
    lot = screen.selected_lot()
    assert (lot.lot_number, lot.remaining, lot.cost) == ("JU-7781", "10 syringes",
                                                         "$210.00 / syringe")
    assert [(m.kind, m.change) for m in screen.ledger.rows()] == [("Received", "+10 syringes")]


def test_an_adjustment_needs_a_reason_and_is_audited(qtbot, screen):
    screen.product_table.selectRow(screen.products.rows().index(
        _product(screen, "Botox Cosmetic")))
    lot = screen.selected_lot()
    left = Lot.get_by_id(lot.id).remaining_centi
    said = []

    def fill(dialog: AdjustDialog):
        dialog.change.setText("−2")
        dialog.save_button.click()
        said.append(dialog.message.text())
        dialog.reason.setText("Vial dropped")
        dialog.save_button.click()

    answer_next_modal(fill)
    screen.adjust_button.click()
    assert said == ["Give the reason for the adjustment (e.g. vial broken, recount)."]
    assert Lot.get_by_id(lot.id).remaining_centi == left - 200
    assert screen.selected_lot().id == lot.id
    assert screen.ledger.rows()[0].detail == "Vial dropped"
    assert AuditEvent.select().where(AuditEvent.action == "stock.adjust").count() == 1


def test_the_front_desk_sees_stock_but_cannot_change_it(qtbot, demo_db):
    dialog = InventoryDialog(staff("frontdesk"))
    qtbot.addWidget(dialog)
    assert dialog.products.rowCount() > 0 and dialog.lots.rowCount() > 0
    assert not any(b.isEnabled() for b in (dialog.new_button, dialog.receive_button,
                                           dialog.adjust_button, dialog.price_button))
    assert dialog.selected_product().name == "Botox Cosmetic"
    details = {m.detail for m in dialog.ledger.rows()}
    assert "Used at a visit" in details  # who was treated is not hers to see
    assert not any(d.startswith("Treated") for d in details)


def test_a_retail_item_is_priced_for_the_checkout(qtbot, screen):
    screen.product_table.selectRow(screen.products.rows().index(
        _product(screen, "Botox Cosmetic")))
    assert not screen.price_button.isEnabled()  # not sold over the counter
    spf = next(r for r in screen.products.rows() if r.kind == "retail")
    screen.product_table.selectRow(screen.products.rows().index(spf))
    said = []

    def fill(dialog: RetailPriceDialog):
        assert dialog.price.text() == f"{spf.price_cents / 100:.2f}"
        dialog.price.setText("12,50")
        dialog.save_button.click()
        said.append(dialog.message.text())
        dialog.price.setText("38.50")
        dialog.sku.setText("spf-50")
        dialog.taxable.setChecked(False)
        dialog.save_button.click()

    answer_next_modal(fill)
    screen.price_button.click()
    assert said == ["Enter the price as a number, e.g. 4.50."]
    priced = _product(screen, spf.name)
    assert (priced.price_cents, priced.sku, priced.taxable) == (3850, "SPF-50", False)
    assert screen.products.data(screen.products.index(
        screen.products.rows().index(priced), 5)) == "$38.50"
