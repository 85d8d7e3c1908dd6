"""Products and retail on screen, on an EMPTY clinic: an admin adds a retail item beside
the inventory (a bad price is refused in place), sees it in the inventory at once, changes
its price, retires it and brings it back; front desk may look but not change."""

from __future__ import annotations

from medspa_desktop.services.platform import auth
from medspa_desktop.store.models import Product
from medspa_desktop.ui.treatments.inventory_dialog import InventoryDialog
from medspa_desktop.ui.treatments.products_dialog import ProductsDialog
from medspa_desktop.ui.treatments.stock_dialogs import ProductDialog
from tests.ui.modal import answer_next_modal
from tests.ui.test_provider_setup import shot


def _texts(model, column: int) -> list[str]:
    return [model.index(r, column).data() for r in range(model.rowCount())]


def test_an_admin_adds_a_retail_item_and_sees_it_in_the_inventory(qtbot, admin, tmp_path):
    inventory = InventoryDialog(admin)
    qtbot.addWidget(inventory)
    assert inventory.products.rowCount() == 0  # a new clinic stocks nothing yet
    products = ProductsDialog(admin, inventory)
    said = []

    def fill(form: ProductDialog) -> None:
        form.name.setText("Vitamin C serum")
        form.kind.setCurrentIndex(form.kind.findData("retail"))
        assert form.unit.currentData() == "item"
        form.low.setText("3")
        form.price.setText("-5")
        form.sku.setText("vc-30")
        form.save_button.click()
        said.append(form.message.text())
        form.price.setText("64.00")
        shot(form, "new_product", tmp_path)
        form.save_button.click()

    answer_next_modal(fill)
    products.add_button.click()
    assert said == ["The retail price cannot be negative."]
    assert _texts(products.list.model, 0) == ["Vitamin C serum"]
    assert products.selected().name == "Vitamin C serum"
    row = [products.list.model.index(0, c).data() for c in range(8)]
    assert row == ["Vitamin C serum", "Retail item", "item", "3 items", "$64.00", "VC-30",
                   "taxed", "in use"]
    # the inventory already open shows it, from the change bus
    assert _texts(inventory.products, 0) == ["Vitamin C serum"]

    def reprice(form: ProductDialog) -> None:
        assert form.price.text() == "64.00" and form.sku.text() == "VC-30"
        form.price.setText("59.00")
        form.save_button.click()

    answer_next_modal(reprice)
    products.edit_button.click()
    assert products.list.model.index(0, 4).data() == "$59.00"
    shot(products, "products_and_retail", tmp_path)

    products.toggle_active("discontinued")
    assert products.list.model.index(0, 7).data() == "retired"
    assert products.active_button.text() == "&Bring back"
    assert inventory.products.rowCount() == 0
    assert Product.get().active is False  # kept, never deleted
    products.toggle_active()
    assert _texts(inventory.products, 0) == ["Vitamin C serum"]
    shot(inventory, "inventory", tmp_path)


def test_front_desk_sees_products_but_cannot_change_them(qtbot, admin):
    desk = auth.create_user(admin, auth.UserInput("desk", "Sam", "front_desk", "long-enough"))
    products = ProductsDialog(desk)
    qtbot.addWidget(products)
    assert not products.add_button.isEnabled()
    assert products.add_button.toolTip() == "Your role may see products but not change them."
