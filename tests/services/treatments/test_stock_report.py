"""The inventory screen's lists: stock per product, a product's lots, a lot's ledger."""

from __future__ import annotations

import datetime as dt

from medspa_desktop.services.treatments import inventory, stock_report
from tests.services.treatments.test_inventory import TODAY, _visit, stock  # noqa: F401 (fixture)


def test_overview_counts_only_usable_stock_and_flags_low(stock):  # noqa: F811
    filler = inventory.add_product(stock["admin"], "Restylane Lyft", "filler", low_stock=2)
    inventory.receive(stock["admin"], filler.id, "R1", TODAY + dt.timedelta(days=5), 1,
                      today=TODAY)
    rows = {r.name: r for r in stock_report.overview(stock["desk"], today=TODAY)}
    botox = rows["Botox Cosmetic 100 U"]
    assert (botox.on_hand, botox.reorder_at, botox.low) == ("200 U", "50 U", False)
    assert botox.next_expiry == TODAY + dt.timedelta(days=20)
    assert (rows["Restylane Lyft"].on_hand, rows["Restylane Lyft"].low) == ("1 syringe", True)
    # Once the older lot has expired, it no longer counts.
    later = TODAY + dt.timedelta(days=21)
    botox = {r.name: r for r in stock_report.overview(stock["desk"], today=later)}[
        "Botox Cosmetic 100 U"]
    assert (botox.on_hand, botox.next_expiry) == ("100 U", TODAY + dt.timedelta(days=200))


def test_lots_show_their_state_and_cost(stock):  # noqa: F811
    inventory.adjust(stock["admin"], stock["new"].id, -100, "Vials broken in delivery")
    lots = stock_report.product_lots(stock["desk"], stock["botox"].id, today=TODAY)
    assert [(x.lot_number, x.remaining, x.state, x.cost) for x in lots] == [
        ("C1234", "100 U", "expires soon", "$4.50 / U"),
        ("C2000", "0 U", "used up", ""),  # used-up lots go last
    ]
    later = stock_report.product_lots(stock["desk"], stock["botox"].id,
                                      today=TODAY + dt.timedelta(days=30))
    assert later[0].state == "expired"


def test_the_ledger_names_the_patient_only_to_clinical_staff(stock):  # noqa: F811
    appt = _visit(stock, "Ann", "Lee")
    appt = inventory.draw(stock["rn"], stock["botox"].id, 20, appointment_id=appt.id,
                          lot_id=stock["old"].id, today=TODAY)
    inventory.adjust(stock["admin"], stock["old"].id, 5, "Recount")
    rows = stock_report.lot_ledger(stock["rn"], stock["old"].id)
    assert [(m.kind, m.change, m.detail) for m in rows] == [
        ("Adjusted", "+5 U", "Recount"), ("Used", "−20 U", "Treated Lee, Ann"),
        ("Received", "+100 U", "received")]
    assert stock_report.lot_ledger(stock["desk"], stock["old"].id)[1].detail == \
        "Used at a visit"
