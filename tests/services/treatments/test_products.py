"""Products and retail: added and edited by who may write inventory, retired and brought
back (never deleted), audited, noted on the change bus; bad input refused with a sentence
and nothing written."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from medspa_desktop.services.billing import invoices
from medspa_desktop.services.platform import auth, changes
from medspa_desktop.services.platform.errors import PermissionDenied, ValidationError
from medspa_desktop.services.treatments import inventory
from medspa_desktop.store.models import AuditEvent, Product

TODAY = dt.date(2030, 1, 8)
SERUM = inventory.ProductInput("Vitamin C serum", "retail", None, 3, 6400, "vc-30", True)


@pytest.fixture
def people(admin):
    director = auth.create_user(admin, auth.UserInput("md", "Dr Vee", "medical_director",
                                                      "long-enough"))
    rn = auth.create_user(admin, auth.UserInput("rn", "Jo Kim", "provider", "long-enough"))
    desk = auth.create_user(admin, auth.UserInput("desk", "Sam", "front_desk", "long-enough"))
    return {"admin": admin, "md": director, "rn": rn, "desk": desk}


def test_a_retail_item_is_added_with_its_price_sku_and_tax(people):
    heard = []
    stop = changes.subscribe(heard.append)
    try:
        serum = inventory.create_product(people["md"], SERUM)
    finally:
        stop()
    row = Product.get_by_id(serum.id)
    assert (row.name, row.kind, row.unit, row.low_stock_centi, row.price_cents, row.sku,
            row.taxable, row.active) == ("Vitamin C serum", "retail", "item", 300, 6400,
                                         "VC-30", True, True)
    assert heard[0].ids("product") == {serum.id}
    event = AuditEvent.get(AuditEvent.action == "product.create")
    assert "price $64.00" in event.summary and "sku VC-30" in event.summary
    assert invoices.product_line(people["desk"], serum.id).unit_price_cents == 6400


def test_each_kind_defaults_to_its_usual_unit(people):
    kinds = {"toxin": "U", "filler": "syringe", "solution": "mL", "consumable": "item",
             "retail": "item"}
    for kind, unit in kinds.items():
        product = inventory.create_product(people["admin"],
                                           inventory.ProductInput(f"A {kind}", kind))
        assert product.unit == unit
    assert inventory.create_product(people["admin"], inventory.ProductInput(
        "Restylane 1 mL", "filler", "mL")).unit == "mL"


@pytest.mark.parametrize(("data", "message"), [
    (inventory.ProductInput("  ", "retail"), "Enter the product's name."),
    (inventory.ProductInput("X", "gadget"), "Choose the kind: neurotoxin, dermal filler"),
    (inventory.ProductInput("X", "retail", "box"), "Choose units"),
    (inventory.ProductInput("X", "retail", None, -1), "reorder level cannot be negative"),
    (inventory.ProductInput("X", "retail", None, "lots"), "'lots' is not a quantity"),
    (inventory.ProductInput("X", "retail", None, 0, -500), "A price cannot be negative."),
    (inventory.ProductInput("X", "retail", None, 0, 0, "S" * 41), "SKU must be at most 40"),
    (inventory.ProductInput("N" * 121, "retail"), "at most 120 characters"),
])
def test_bad_input_is_refused_and_nothing_written(people, data, message):
    with pytest.raises(ValidationError, match=message):
        inventory.create_product(people["admin"], data)
    assert Product.select().count() == 0
    assert not AuditEvent.select().where(AuditEvent.record_type == "product").exists()


def test_names_and_skus_are_the_clinics_own(people):
    inventory.create_product(people["admin"], SERUM)
    with pytest.raises(ValidationError, match="A product named 'Vitamin C serum' already"):
        inventory.create_product(people["admin"], SERUM)
    with pytest.raises(ValidationError, match="The SKU VC-30 is already used by Vitamin C"):
        inventory.create_product(people["admin"], inventory.ProductInput(
            "Other", "retail", sku="vc-30"))


def test_only_those_who_write_inventory_add_or_change_products(people):
    for who in ("rn", "desk"):
        with pytest.raises(PermissionDenied, match="may not receive or adjust stock"):
            inventory.create_product(people[who], SERUM)
    serum = inventory.create_product(people["admin"], SERUM)
    with pytest.raises(PermissionDenied):
        inventory.edit_product(people["desk"], serum.id, SERUM)
    with pytest.raises(PermissionDenied):
        inventory.set_product_active(people["rn"], serum.id, False, "gone")


def test_an_edit_changes_the_details_but_not_the_unit_once_stock_is_counted(people):
    botox = inventory.create_product(people["admin"], inventory.ProductInput(
        "Botox 100 U", "toxin", None, 50))
    edited = inventory.edit_product(people["admin"], botox.id, inventory.ProductInput(
        "Botox Cosmetic 100 U", "toxin", "U", Decimal("40.5")))
    assert (edited.name, edited.low_stock_centi) == ("Botox Cosmetic 100 U", 4050)
    inventory.receive(people["admin"], botox.id, "C1", TODAY + dt.timedelta(days=90), 100,
                      today=TODAY)
    with pytest.raises(ValidationError, match="already has stock counted in U; its unit "
                                              "cannot change"):
        inventory.edit_product(people["admin"], botox.id, inventory.ProductInput(
            "Botox Cosmetic 100 U", "toxin", "mL"))
    assert Product.get_by_id(botox.id).unit == "U"
    assert [e.action for e in AuditEvent.select().where(
        AuditEvent.record_type == "product")] == ["product.create", "product.edit"]


def test_a_retired_product_stays_on_record_and_leaves_the_pick_lists(people):
    serum = inventory.create_product(people["admin"], SERUM)
    with pytest.raises(ValidationError, match="Give the reason the product is retired"):
        inventory.set_product_active(people["admin"], serum.id, False, " ")
    inventory.set_product_active(people["admin"], serum.id, False, "discontinued")
    assert Product.get_by_id(serum.id).active is False  # never deleted
    assert serum.id not in [p.id for p in inventory.products(people["desk"])]
    assert [p.name for p in inventory.all_products(people["desk"])] == ["Vitamin C serum"]
    with pytest.raises(ValidationError, match="retired and no longer sold"):
        invoices.product_line(people["desk"], serum.id)
    with pytest.raises(ValidationError, match="is retired; bring it back before receiving"):
        inventory.receive(people["admin"], serum.id, "L1", TODAY + dt.timedelta(days=90), 5,
                          today=TODAY)
    inventory.set_product_active(people["admin"], serum.id, True)
    assert serum.id in [p.id for p in inventory.products(people["desk"])]
    assert [e.action for e in AuditEvent.select().where(
        AuditEvent.record_type == "product")][-2:] == ["product.retire", "product.activate"]
