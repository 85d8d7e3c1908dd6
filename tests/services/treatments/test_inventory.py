"""Stock and lots: received, drawn soonest-expiry-first, refused when expired or short,
adjusted with a reason, recalled by lot number, exported as CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from medspa_desktop.services.charts import patients
from medspa_desktop.services.platform import auth, exports
from medspa_desktop.services.platform.errors import ConflictError, PermissionDenied, ValidationError
from medspa_desktop.services.platform.integrity import check_database
from medspa_desktop.services.scheduling import appointments
from medspa_desktop.services.treatments import inventory
from medspa_desktop.store.database import db
from medspa_desktop.store.models import (
    Appointment,
    AuditEvent,
    Lot,
    Room,
    Service,
    StockMovement,
)

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def stock(admin):
    rn = auth.create_user(admin, auth.UserInput("rn", "Jo Kim", "provider", "long-enough",
                                                "Jo Kim, RN"))
    desk = auth.create_user(admin, auth.UserInput("desk", "Sam", "front_desk", "long-enough"))
    botox = inventory.add_product(admin, "Botox Cosmetic 100 U", "toxin", low_stock=50)
    old = inventory.receive(admin, botox.id, "c1234", TODAY + dt.timedelta(days=20), 100,
                            cost_cents=450, today=TODAY)
    new = inventory.receive(admin, botox.id, "C2000", TODAY + dt.timedelta(days=200), 100,
                            today=TODAY)
    return {"admin": admin, "rn": rn, "desk": desk, "botox": botox, "old": old, "new": new}


def _visit(stock, first="Zoë", last="=HYPERLINK(1)", phone="555 201 3344"):
    p = patients.create_patient(stock["admin"], patients.PatientInput(
        first, last, dt.date(1990, 4, 17), phone=phone, email="zoe@example.com"))
    start = dt.datetime(2030, 1, 8, 10, 0) + dt.timedelta(hours=Appointment.select().count())
    return appointments.book_appointment(stock["admin"], appointments.AppointmentInput(
        p.id, Service.get(Service.name == "Botox Cosmetic").id, stock["rn"].id, start,
        start + dt.timedelta(minutes=30), Room.get(Room.name == "Room 1").id))


def test_quantities_keep_two_decimals_exactly():
    assert inventory.to_centi("12.5") == 1250 and inventory.to_centi(Decimal("0.125")) == 13
    assert inventory.from_centi(1250) == Decimal("12.50")
    assert inventory.show(2000, "U") == "20 U" and inventory.show(150, "mL") == "1.5 mL"
    assert inventory.show(100, "syringe") == "1 syringe"
    with pytest.raises(ValidationError, match="is not a quantity"):
        inventory.to_centi("lots")


def test_drawing_takes_the_soonest_expiring_lot_that_has_enough(stock):
    appt = _visit(stock)
    (drawn,) = inventory.draw(stock["rn"], stock["botox"].id, 20, appointment_id=appt.id,
                              today=TODAY)
    assert (drawn.lot.lot_number, drawn.lot.remaining_centi, drawn.centi) == ("C1234", 8000,
                                                                              2000)
    assert StockMovement.select().where(StockMovement.kind == "use").count() == 1


def test_a_draw_uses_up_the_older_lot_then_opens_the_next(stock):
    """90 U when the older vial has 80 U left: its 80 U, then 10 U of the next, both in the
    ledger (a half-used vial is not left to expire)."""
    appt = _visit(stock)
    inventory.draw(stock["rn"], stock["botox"].id, 20, appointment_id=appt.id, today=TODAY)
    drawn = inventory.draw(stock["rn"], stock["botox"].id, Decimal("90"),
                           appointment_id=appt.id, today=TODAY)
    assert [(d.lot.lot_number, d.centi, d.lot.remaining_centi) for d in drawn] == [
        ("C1234", 8000, 0), ("C2000", 1000, 9000)]
    uses = (StockMovement.select(StockMovement, Lot).join(Lot)
            .where(StockMovement.kind == "use").order_by(StockMovement.id))
    assert [(m.lot.lot_number, m.change_centi, m.appointment_id) for m in uses] == [
        ("C1234", -2000, appt.id), ("C1234", -8000, appt.id), ("C2000", -1000, appt.id)]
    assert check_database() == []


def test_a_chosen_lot_with_too_little_is_used_up_and_the_rest_comes_from_the_next(stock):
    appt = _visit(stock)
    inventory.draw(stock["rn"], stock["botox"].id, 95, appointment_id=appt.id,
                   lot_id=stock["new"].id, today=TODAY)  # the later vial, chosen: 5 U left
    drawn = inventory.draw(stock["rn"], stock["botox"].id, 20, appointment_id=appt.id,
                           lot_id=stock["new"].id, today=TODAY)
    assert [(d.lot.lot_number, d.centi) for d in drawn] == [("C2000", 500), ("C1234", 1500)]
    with pytest.raises(ConflictError, match="Lot C2000 of Botox Cosmetic 100 U is used up"):
        inventory.draw(stock["rn"], stock["botox"].id, 1, appointment_id=appt.id,
                       lot_id=stock["new"].id, today=TODAY)


def test_an_expired_lot_is_refused_by_name_and_skipped_by_default(stock):
    appt = _visit(stock)
    later = TODAY + dt.timedelta(days=30)  # C1234 has expired by then
    with pytest.raises(ConflictError, match=r"Lot C1234 of Botox Cosmetic 100 U expired on"):
        inventory.draw(stock["rn"], stock["botox"].id, 10, appointment_id=appt.id,
                       lot_id=stock["old"].id, today=later)
    assert [d.lot.lot_number for d in inventory.draw(
        stock["rn"], stock["botox"].id, 10, appointment_id=appt.id, today=later)] == ["C2000"]


def test_not_enough_stock_says_what_is_left_and_draws_nothing(stock):
    appt = _visit(stock)
    before = StockMovement.select().count()
    with pytest.raises(ConflictError, match=r"Only 200 U of Botox Cosmetic 100 U in stock "
                                            r"\(100 U in lot C1234, 100 U in lot C2000\); "
                                            "250 U are needed."):
        inventory.draw(stock["rn"], stock["botox"].id, 250, appointment_id=appt.id,
                       today=TODAY)
    assert StockMovement.select().count() == before
    assert Lot.get_by_id(stock["old"].id).remaining_centi == 10000


def test_only_clinicians_draw_and_only_managers_receive(stock):
    appt = _visit(stock)
    with pytest.raises(PermissionDenied, match="may not draw stock for a treatment"):
        inventory.draw(stock["desk"], stock["botox"].id, 5, appointment_id=appt.id)
    with pytest.raises(PermissionDenied, match="may not receive or adjust stock"):
        inventory.receive(stock["rn"], stock["botox"].id, "X1", TODAY, 10, today=TODAY)


def test_adjustments_need_a_reason_are_audited_and_keep_the_ledger_true(stock):
    with pytest.raises(ValidationError, match="Give the reason"):
        inventory.adjust(stock["admin"], stock["old"].id, -5, " ")
    with pytest.raises(ValidationError, match="has only 100 U"):
        inventory.adjust(stock["admin"], stock["old"].id, -120, "recount")
    with pytest.raises(ValidationError, match="at most 500 characters"):  # refused, not cut
        inventory.adjust(stock["admin"], stock["old"].id, -1, "r" * 501)
    lot = inventory.adjust(stock["admin"], stock["old"].id, Decimal("-2.5"), "vial dropped")
    assert lot.remaining_centi == 9750
    assert AuditEvent.get(AuditEvent.action == "stock.adjust").summary == \
        "-2.5 U: vial dropped"
    assert check_database() == []
    db.execute_sql("UPDATE lot SET remaining_centi = 9999 WHERE id = ?", (lot.id,))
    assert "lot C1234 shows 99.99 left but its ledger adds up to 97.5" in check_database()


def test_low_stock_and_expiry_alerts(stock):
    assert [a.kind for a in inventory.alerts(stock["desk"], today=TODAY)] == ["expiring"]
    appt = _visit(stock)
    inventory.draw(stock["rn"], stock["botox"].id, 100, appointment_id=appt.id, today=TODAY)
    inventory.draw(stock["rn"], stock["botox"].id, 60, appointment_id=appt.id, today=TODAY)
    messages = [a.message for a in inventory.alerts(stock["desk"], today=TODAY)]
    assert messages == ["Botox Cosmetic 100 U: 40 U left (reorder at 50 U)."]
    filler = inventory.add_product(stock["admin"], "Juvederm Ultra XC", "filler")
    inventory.receive(stock["admin"], filler.id, "J1", TODAY + dt.timedelta(days=5), 2,
                      today=TODAY)
    later = [a.message for a in inventory.alerts(stock["desk"], today=TODAY +
                                                 dt.timedelta(days=6))]
    assert "Juvederm Ultra XC lot J1 expired on 2026-11-28 (2 syringes to discard)." in later


def test_a_recall_lists_everyone_who_received_the_lot_and_exports_safely(stock):
    first = _visit(stock)
    second = _visit(stock, "Ann", "Lee", "555 777 8888")
    inventory.draw(stock["rn"], stock["botox"].id, 20, appointment_id=first.id, today=TODAY)
    inventory.draw(stock["rn"], stock["botox"].id, Decimal("12.5"), appointment_id=second.id,
                   today=TODAY)
    rows = inventory.recall(stock["admin"], "c1234")
    assert [(r.patient, r.dose, r.provider, r.phone) for r in rows] == [
        ("Lee, Ann", "12.5 U", "Jo Kim, RN", "(555) 777-8888"),
        ("=HYPERLINK(1), Zoë", "20 U", "Jo Kim, RN", "(555) 201-3344")]
    assert AuditEvent.select().where(AuditEvent.action == "report.recall").exists()
    read = list(csv.reader(io.StringIO(exports.recall_csv(rows))))
    assert read[0][:4] == ["Date", "Patient", "Chart", "Phone"]
    assert read[2][1] == "'=HYPERLINK(1), Zoë"  # a formula-looking name stays text
    assert read[1][7] == "12.5 U" and len(read) == 3
    with pytest.raises(PermissionDenied):
        inventory.recall(stock["desk"], "C1234")


def test_receiving_refuses_expired_duplicate_or_empty_lots(stock):
    for args, message in (((stock["botox"].id, "X9", TODAY - dt.timedelta(days=1), 10),
                           "expired on"),
                          ((stock["botox"].id, "c1234", TODAY + dt.timedelta(days=9), 10),
                           "already received"),
                          ((stock["botox"].id, "X8", TODAY + dt.timedelta(days=9), 0),
                           "more than zero"),
                          ((stock["botox"].id, "=cmd|' /C calc'!A0",
                            TODAY + dt.timedelta(days=9), 5), "is not a lot number")):
        with pytest.raises(ValidationError, match=message):
            inventory.receive(stock["admin"], *args, today=TODAY)
    assert Lot.select().count() == 2


def test_an_expiry_is_read_as_printed_on_the_box():
    assert inventory.parse_expiry("2027-08-31") == dt.date(2027, 8, 31)
    assert inventory.parse_expiry(" 2027-08 ") == dt.date(2027, 8, 31)  # the month's last day
    assert inventory.parse_expiry("02/2028") == dt.date(2028, 2, 29)
    assert inventory.parse_expiry("31.08.2027") == dt.date(2027, 8, 31)
    for typed, message in (("", "Enter the expiry"), ("next year", "is not an expiry")):
        with pytest.raises(ValidationError, match=message):
            inventory.parse_expiry(typed)


def test_a_recall_lists_who_bought_the_lot_at_the_desk_until_the_sale_is_returned(stock):
    from medspa_desktop.services.billing import invoices

    spf = inventory.add_product(stock["admin"], "Sunscreen SPF 50", "retail")
    invoices.set_retail(stock["admin"], spf.id, 4200, "spf50", True)
    inventory.receive(stock["admin"], spf.id, "S1", TODAY + dt.timedelta(days=400), 1,
                      today=TODAY)
    inventory.receive(stock["admin"], spf.id, "S2", TODAY + dt.timedelta(days=500), 5,
                      today=TODAY)
    treated = _visit(stock)
    inventory.draw(stock["rn"], stock["botox"].id, 20, appointment_id=treated.id, today=TODAY)
    buyer = patients.create_patient(stock["admin"], patients.PatientInput(
        "Ann", "Lee", dt.date(1980, 2, 2), phone="555 777 8888"))
    invoice = invoices.issue_invoice(stock["admin"], invoices.CheckoutInput(
        buyer.id, (invoices.product_line(stock["admin"], spf.id, 3),)))
    sold = inventory.recall(stock["admin"], "S1")  # 1 item from S1, the other 2 from S2
    assert [(r.patient, r.dose, r.provider, r.sold, r.appointment_id) for r in sold] == [
        ("Lee, Ann", "1 item", f"Retail sale, invoice {invoice.number}", True, None)]
    assert [r.dose for r in inventory.recall(stock["admin"], "S2")] == ["2 items"]
    assert [(r.patient, r.sold) for r in inventory.recall(stock["admin"], "C1234")] == [
        ("=HYPERLINK(1), Zoë", False)]  # a lot used at a visit, as before
    invoices.void_invoice(stock["admin"], invoice.id, "changed her mind", restock=True)
    assert inventory.recall(stock["admin"], "S1") == []  # the bottle came back unopened
