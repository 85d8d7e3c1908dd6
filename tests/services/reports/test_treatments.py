"""Units per month, per provider and per patient, and the stock's value at cost, by hand."""

from __future__ import annotations

import datetime as dt

from medspa_desktop.services.reports import treatments
from medspa_desktop.services.treatments import inventory
from tests.services.billing.test_invoices import _charted_visit, shop  # noqa: F401
from tests.services.treatments.test_treatment_records import (  # noqa: F401 (fixture)
    TODAY,  # the fixture's visits are on this day
    clinic,
)


def test_units_per_month_provider_and_patient(shop):  # noqa: F811
    _charted_visit(shop, 20)
    _charted_visit(shop, 10, hour=12)
    use = treatments.injectable_use(shop["admin"], TODAY.replace(day=1), TODAY)
    assert use.months == (TODAY.replace(day=1),)
    assert use.per_month == (("Botox Cosmetic", "U", (3000,)),)
    [botox] = use.by_product
    assert (botox.centi, botox.patients, botox.treatments) == (3000, 1, 2)
    assert (botox.per_patient_centi, botox.per_treatment_centi) == (3000, 1500)
    [by_jo] = use.by_provider
    assert (by_jo.provider, by_jo.centi) == ("Jo Kim", 3000)
    earlier = TODAY.replace(day=1) - dt.timedelta(days=40)
    assert treatments.injectable_use(shop["admin"], earlier, earlier).empty


def test_stock_value_at_cost_and_what_expires_soon(shop):  # noqa: F811
    admin = shop["admin"]
    filler = inventory.add_product(admin, "Juvederm", "filler")
    inventory.receive(admin, filler.id, "J1", TODAY + dt.timedelta(days=45), 4, cost_cents=30000)
    inventory.receive(admin, shop["botox"].id, "C2", TODAY + dt.timedelta(days=200), 50,
                      cost_cents=520)
    # the fixture's lots: Botox C1 (100 U, no cost, 30 days), SPF S1 (5, no cost, 400 days),
    # both counted from the fixture's day
    value = treatments.stock_value(admin, TODAY)
    assert value.on_hand_cents == 4 * 30000 + 50 * 520
    assert value.uncosted_lots == 2
    assert value.by_product == (("Botox Cosmetic", "150 U", 26000),
                                ("Juvederm", "4 syringes", 120000),
                                ("Sunscreen SPF 50", "5 items", 0))
    assert value.expiring == ((30, 1, 0), (60, 2, 120000), (90, 2, 120000))
    assert [(lot.lot_number, lot.value_cents, lot.costed) for lot in value.expiring_lots] == [
        ("C1", 0, False), ("J1", 120000, True)]
    later = treatments.stock_value(admin, TODAY + dt.timedelta(days=46))
    assert later.expired_cents == 120000 and later.on_hand_cents == 26000


def test_an_empty_clinic_has_nothing_to_show(admin):
    assert treatments.injectable_use(admin, TODAY, TODAY).empty
    assert treatments.stock_value(admin).empty
