"""Clinic setup's catalog: rooms, devices, services and dated prices — every rule a clinic
runs into, refused with a sentence and nothing written, audited, and announced."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest

from medspa_desktop.services.billing import invoices
from medspa_desktop.services.billing.invoices import CheckoutInput
from medspa_desktop.services.charts import patients
from medspa_desktop.services.clinic import catalog
from medspa_desktop.services.clinic.catalog import ServiceSpec
from medspa_desktop.services.consents import consent_policy
from medspa_desktop.services.platform import auth, changes
from medspa_desktop.services.platform.errors import (
    ConflictError,
    PermissionDenied,
    StaleEditError,
    ValidationError,
)
from medspa_desktop.services.scheduling import appointments
from medspa_desktop.services.treatments import inventory
from medspa_desktop.store.models import (
    Appointment,
    AuditEvent,
    Device,
    Invoice,
    InvoiceLine,
    Room,
    Service,
    ServicePrice,
)

DAY = dt.date(2030, 3, 5)  # a Tuesday
BEFORE = dt.datetime.combine(DAY, dt.time(8))  # that morning, before its visits


@pytest.fixture
def setup(database):
    """A clinic as the first run leaves it without the demo or the default catalog: its
    name and its admin, and nothing else — then a provider, a front desk and a patient."""
    from medspa_desktop.services.clinic import clinic

    admin = clinic.create_clinic(clinic.ClinicInfo("New Clinic"),
                                 auth.UserInput("owner", "Olive Owner", "admin", "long-enough"),
                                 default_catalog=False)
    rn = auth.create_user(admin, auth.UserInput("rn", "Jo Kim", "provider", "long-enough"))
    desk = auth.create_user(admin, auth.UserInput("desk", "Sam", "front_desk", "long-enough"))
    zoe = patients.create_patient(admin, patients.PatientInput("Zoë", "Ng", dt.date(1990, 1, 1)))
    return {"admin": admin, "rn": rn, "desk": desk, "zoe": zoe}


@pytest.fixture
def heard():
    seen: list[changes.ChangeSet] = []
    unsubscribe = changes.subscribe(seen.append)
    yield seen
    unsubscribe()


def _facial(**overrides) -> ServiceSpec:
    values = dict(name="Hydrafacial", category="peel_microneedling", minutes=45,
                  price_cents=19900, pricing_unit="session")
    return ServiceSpec(**{**values, **overrides})


def _book(s, service: Service, room: Room | None, hour: int = 10, device=None,
          day: dt.date = DAY) -> Appointment:
    start = dt.datetime.combine(day, dt.time(hour))
    return appointments.book_appointment(s["admin"], appointments.AppointmentInput(
        s["zoe"].id, service.id, s["rn"].id, start,
        start + dt.timedelta(minutes=service.default_minutes), room.id if room else None,
        device.id if device else None))


def _audits(action: str) -> int:
    return AuditEvent.select().where(AuditEvent.action == action).count()


# -- rooms ---------------------------------------------------------------------------------
def test_rooms_are_added_renamed_and_kept_in_the_clinics_order(setup, heard):
    admin = setup["admin"]
    one = catalog.add_room(admin, "Treatment room")
    two = catalog.add_room(admin, "Laser suite")
    assert [r.name for r in catalog.rooms()] == ["Treatment room", "Laser suite"]
    catalog.move_room(admin, two.id, -1)
    assert [r.name for r in catalog.rooms()] == ["Laser suite", "Treatment room"]
    catalog.move_room(admin, two.id, -1)  # already first: nothing moves
    assert [r.name for r in catalog.rooms()] == ["Laser suite", "Treatment room"]
    catalog.rename_room(admin, one.id, "Injection room")
    with pytest.raises(ValidationError, match="A room named 'laser suite' already exists"):
        catalog.rename_room(admin, one.id, "laser suite")
    with pytest.raises(ValidationError, match="Enter the room's name"):
        catalog.add_room(admin, "   ")
    assert [r.name for r in catalog.rooms()] == ["Laser suite", "Injection room"]
    assert _audits("room.rename") == 1 and _audits("room.order") == 1
    assert any(batch.touches("catalog") and one.id in batch.ids("catalog") for batch in heard)


def test_a_room_with_visits_to_come_is_not_taken_out_of_use_and_they_are_named(setup):
    admin = setup["admin"]
    room = catalog.add_room(admin, "Room A")
    catalog.add_room(admin, "Room B")
    service = catalog.add_service(admin, _facial())
    appt = _book(setup, service, room)
    with pytest.raises(ConflictError) as refused:
        catalog.set_room_active(admin, room.id, False, now=BEFORE)
    assert str(refused.value) == (
        "Room A is booked for 1 visit still to come; move or cancel them first:\n"
        "Ng, Zoë — Tue 2030-03-05 10:00")
    assert Room.get_by_id(room.id).active and _audits("room.deactivate") == 0

    # once the visit is over, the room may go; the visit keeps showing where it was
    after = dt.datetime.combine(DAY, dt.time(18))
    catalog.set_room_active(admin, room.id, False, now=after)
    assert [r.name for r in catalog.rooms()] == ["Room B"]
    assert [r.name for r in catalog.all_rooms()] == ["Room A", "Room B"]
    assert appointments.get_appointment(admin, appt.id).room == "Room A"
    later = dt.datetime.combine(DAY, dt.time(15))
    with pytest.raises(ValidationError, match="Room A is out of use"):
        appointments.book_appointment(admin, appointments.AppointmentInput(
            setup["zoe"].id, service.id, setup["rn"].id, later,
            later + dt.timedelta(minutes=45), room.id))
    catalog.set_room_active(admin, room.id, True)
    assert [r.name for r in catalog.rooms()] == ["Room A", "Room B"]
    assert (_audits("room.deactivate"), _audits("room.activate")) == (1, 1)


def test_a_cancelled_visit_does_not_hold_a_room(setup):
    admin = setup["admin"]
    room = catalog.add_room(admin, "Room A")
    appt = _book(setup, catalog.add_service(admin, _facial()), room)
    appointments.change_status(admin, appt.id, "cancelled", appt.version, reason="flu")
    catalog.set_room_active(admin, room.id, False, now=BEFORE)
    assert not Room.get_by_id(room.id).active


# -- devices -------------------------------------------------------------------------------
def test_devices_are_added_changed_and_taken_out_of_use_unless_booked(setup):
    admin = setup["admin"]
    room = catalog.add_room(admin, "Laser suite")
    laser = catalog.add_device(admin, "GentleLase", "alexandrite", 10)
    with pytest.raises(ValidationError, match="Choose the device's type"):
        catalog.add_device(admin, "Mystery box", "teleporter")
    with pytest.raises(ValidationError, match="between 0 and 240 minutes"):
        catalog.update_device(admin, laser.id, "GentleLase", "alexandrite", 300)
    catalog.update_device(admin, laser.id, "GentleLase Pro", "alexandrite", 15)
    assert (Device.get_by_id(laser.id).name, Device.get_by_id(laser.id).cleanup_minutes) == (
        "GentleLase Pro", 15)
    hair = catalog.add_service(admin, ServiceSpec(
        "Laser hair, underarms", "laser_hair", 15, 15000, "area", device_kind="alexandrite"))
    _book(setup, hair, room, device=laser)
    with pytest.raises(ConflictError, match="The GentleLase Pro is booked for 1 visit"):
        catalog.set_device_active(admin, laser.id, False, now=BEFORE)
    with pytest.raises(ConflictError, match="Ng, Zoë — Tue 2030-03-05 10:00"):
        catalog.update_device(admin, laser.id, "GentleLase Pro", "ndyag", 15)
    assert Device.get_by_id(laser.id).active and Device.get_by_id(laser.id).kind == "alexandrite"
    catalog.set_device_active(admin, laser.id, False, now=dt.datetime.combine(DAY, dt.time(20)))
    assert catalog.devices() == [] and [d.name for d in catalog.all_devices()] == [
        "GentleLase Pro"]


# -- services ------------------------------------------------------------------------------
@pytest.mark.parametrize(("overrides", "message"), [
    ({"price_cents": -500}, "A price cannot be negative."),
    ({"minutes": 0}, "A treatment must take at least one minute."),
    ({"minutes": 47}, "A service's length must be a multiple of 5 minutes"),
    ({"name": " "}, "Enter the service's name."),
    ({"colour": "pink"}, "Choose the colour from the colour picker"),
    ({"consent_category": "astrology"}, "Choose a consent form the clinic has."),
    ({"device_kind": "teleporter"}, "Choose a device type the clinic knows."),
    ({"pricing_unit": "per smile"}, "Choose how the service is priced."),
])
def test_a_bad_service_is_refused_with_a_sentence_and_nothing_written(setup, overrides,
                                                                      message):
    with pytest.raises(ValidationError, match=message):
        catalog.add_service(setup["admin"], _facial(**overrides))
    assert Service.select().count() == 0 and _audits("service.create") == 0


def test_only_an_admin_changes_rooms_devices_and_services(setup):
    desk, admin = setup["desk"], setup["admin"]
    service = catalog.add_service(admin, _facial())
    room = catalog.add_room(admin, "Room A")
    for call in (lambda: catalog.add_room(desk, "Room B"),
                 lambda: catalog.rename_room(desk, room.id, "Room C"),
                 lambda: catalog.set_room_active(desk, room.id, False),
                 lambda: catalog.add_device(desk, "IPL", "ipl"),
                 lambda: catalog.add_service(desk, _facial(name="Peel")),
                 lambda: catalog.update_service(desk, service.id, _facial(minutes=60), 1),
                 lambda: catalog.change_price(desk, service.id, 100, DAY),
                 lambda: catalog.set_service_active(desk, service.id, False)):
        with pytest.raises(PermissionDenied, match="change rooms, devices and services"):
            call()
    assert (Room.select().count(), Service.select().count()) == (1, 1)
    assert Service.get_by_id(service.id).default_minutes == 45


def test_a_service_is_edited_and_a_stale_edit_is_refused(setup):
    admin = setup["admin"]
    product = inventory.add_product(admin, "Hydra serum", "consumable")
    service = catalog.add_service(admin, _facial())
    catalog.update_service(admin, service.id, _facial(
        minutes=60, colour="#3366CC", consent_category="none", tax_exempt=True,
        default_product_id=product.id), service.version)
    edited = Service.get_by_id(service.id)
    assert (edited.default_minutes, edited.colour, edited.consent_category, edited.tax_exempt,
            edited.default_product_id, edited.version) == (60, "#3366cc", "none", True,
                                                           product.id, 2)
    with pytest.raises(StaleEditError,
                       match=rf"{admin.display_name} changed Hydrafacial at \d\d:\d\d since "):
        catalog.update_service(admin, service.id, _facial(minutes=30), 1)
    assert Service.get_by_id(service.id).default_minutes == 60
    assert _audits("service.update") == 1


def test_a_retired_service_is_not_booked_and_is_not_retired_while_booked(setup):
    admin = setup["admin"]
    room = catalog.add_room(admin, "Room A")
    service = catalog.add_service(admin, _facial())
    appt = _book(setup, service, room)
    with pytest.raises(ConflictError, match="Hydrafacial is booked for 1 visit still to come"):
        catalog.set_service_active(admin, service.id, False, now=BEFORE)
    appointments.change_status(admin, appt.id, "cancelled", appt.version, reason="moved away")
    catalog.set_service_active(admin, service.id, False, now=BEFORE)
    assert catalog.services() == []
    with pytest.raises(ValidationError, match="Hydrafacial is no longer offered"):
        _book(setup, Service.get_by_id(service.id), room, hour=11)
    # its past rows stay readable, and it can come back
    assert appointments.get_appointment(admin, appt.id).service == "Hydrafacial"
    catalog.set_service_active(admin, service.id, True)
    _book(setup, Service.get_by_id(service.id), room, hour=11)
    assert (_audits("service.retire"), _audits("service.activate")) == (1, 1)


def test_the_list_is_grouped_by_category_with_price_and_length_and_searchable(setup):
    admin = setup["admin"]
    catalog.add_service(admin, ServiceSpec("Botox Cosmetic", "neurotoxin", 30, 1400, "unit"))
    catalog.add_service(admin, _facial())
    catalog.add_service(admin, ServiceSpec("Chemical peel", "peel_microneedling", 30, 15000,
                                           "session"))
    retired = catalog.add_service(admin, ServiceSpec("Dysport", "neurotoxin", 30, 450, "unit"))
    catalog.set_service_active(admin, retired.id, False)
    rows = catalog.service_rows()
    assert [(r.category, r.name, r.minutes, r.price_cents, r.active) for r in rows] == [
        ("Neurotoxin", "Botox Cosmetic", 30, 1400, True),
        ("Neurotoxin", "Dysport", 30, 450, False),
        ("Peel / microneedling / PRP", "Chemical peel", 30, 15000, True),
        ("Peel / microneedling / PRP", "Hydrafacial", 45, 19900, True)]
    assert [r.name for r in catalog.service_rows("FACIAL")] == ["Hydrafacial"]
    assert [r.name for r in catalog.service_rows("cal pe")] == ["Chemical peel"]
    assert [r.name for r in catalog.service_rows(include_retired=False)] == [
        "Botox Cosmetic", "Chemical peel", "Hydrafacial"]


def test_a_service_can_need_another_consent_or_none(setup):
    admin = setup["admin"]
    facial = catalog.add_service(admin, _facial())
    assert consent_policy.category_for(facial) == "peel_microneedling"
    catalog.update_service(admin, facial.id, _facial(consent_category="none"), 1)
    assert consent_policy.category_for(Service.get_by_id(facial.id)) is None
    catalog.update_service(admin, facial.id, _facial(consent_category="laser_resurfacing"), 2)
    assert consent_policy.category_for(Service.get_by_id(facial.id)) == "laser_resurfacing"


def test_a_service_that_needs_no_consent_is_started_without_one(setup):
    admin = setup["admin"]
    room = catalog.add_room(admin, "Room A")
    facial = catalog.add_service(admin, _facial(consent_category="none"))
    appt = _book(setup, facial, room)
    appt = appointments.change_status(admin, appt.id, "arrived", appt.version)
    appt = appointments.change_status(setup["rn"], appt.id, "in_treatment", appt.version)
    assert appt.status == "in_treatment"
    assert appointments.get_appointment(admin, appt.id).consent_key is None


# -- prices --------------------------------------------------------------------------------
def _checked_out_on(setup, service: Service, room: Room, hour: int,
                    day: dt.date = DAY) -> Invoice:
    appt = _book(setup, service, room, hour, day=day)
    appt = appointments.change_status(setup["admin"], appt.id, "arrived", appt.version)
    appt = appointments.change_status(setup["rn"], appt.id, "in_treatment", appt.version)
    appt = appointments.change_status(setup["rn"], appt.id, "completed", appt.version)
    lines = invoices.draft_for_appointment(setup["desk"], appt.id)
    return invoices.issue_invoice(setup["desk"], CheckoutInput(setup["zoe"].id, lines,
                                                               appointment_id=appt.id))


def test_a_price_change_applies_from_its_date_and_never_to_an_issued_invoice(setup, heard):
    admin = setup["admin"]
    room = catalog.add_room(admin, "Room A")
    facial = catalog.add_service(admin, _facial(consent_category="none"))
    issued = _checked_out_on(setup, facial, room, 9)
    assert issued.total_cents == 19900
    line_before = InvoiceLine.get(InvoiceLine.invoice == issued.id).unit_price_cents

    catalog.change_price(admin, facial.id, 24900, DAY + dt.timedelta(days=1))
    catalog.change_price(admin, facial.id, 22900, DAY + dt.timedelta(days=1))  # corrected
    with pytest.raises(ValidationError, match="A price cannot be negative"):
        catalog.change_price(admin, facial.id, -5, DAY)
    assert ServicePrice.select().count() == 2
    assert catalog.price_on(facial, DAY) == 19900
    assert catalog.price_on(facial, DAY + dt.timedelta(days=1)) == 22900
    assert [(c.effective_on, c.price_cents, c.set_by) for c in catalog.price_history(
        facial.id)] == [(DAY + dt.timedelta(days=1), 22900, "Olive Owner"),
                        (DAY + dt.timedelta(days=1), 24900, "Olive Owner")]

    # a checkout on the day before the change: the old price; the issued one is unchanged
    same_day = _checked_out_on(setup, facial, room, 11)
    assert invoices.draft_for_appointment(setup["desk"], same_day.appointment_id)[
        0].unit_price_cents == 19900
    assert same_day.total_cents == 19900
    assert Invoice.get_by_id(issued.id).total_cents == 19900
    assert InvoiceLine.get(InvoiceLine.invoice == issued.id).unit_price_cents == line_before

    # a visit on the day of the change: the new price
    later = _checked_out_on(setup, facial, room, 10, day=DAY + dt.timedelta(days=1))
    assert later.total_cents == 22900
    assert _audits("service.price") == 2
    assert any(facial.id in batch.ids("catalog") for batch in heard)


def test_an_edit_that_changes_the_price_dates_it(setup):
    admin = setup["admin"]
    facial = catalog.add_service(admin, _facial())
    catalog.update_service(admin, facial.id, _facial(price_cents=20900), 1, price_from=DAY)
    assert catalog.price_on(facial, DAY - dt.timedelta(days=1)) == 19900
    assert catalog.price_on(facial, DAY) == 20900
    assert Service.get_by_id(facial.id).price_cents == 19900  # the first price stays as it was
    catalog.update_service(admin, facial.id, _facial(price_cents=20900, minutes=50), 2,
                           price_from=DAY)
    assert ServicePrice.select().count() == 1  # the same price: no second change


def test_a_package_is_priced_on_the_day_it_is_sold(setup):
    admin = setup["admin"]
    facial = catalog.add_service(admin, _facial())
    catalog.change_price(admin, facial.id, 10000, DAY)
    before = invoices.package_line(setup["desk"], facial.id, 3, today=DAY - dt.timedelta(days=1))
    after = invoices.package_line(setup["desk"], facial.id, 3, today=DAY)
    assert (before.unit_price_cents, after.unit_price_cents) == (59700, 30000)
    assert before.quantity == Decimal(1)


def test_a_service_priced_per_ml_is_charged_for_the_volume_charted(setup):
    """A clinic may price filler or mesotherapy per mL (a pricing unit setup offers): the
    checkout is the charted volume times the price on the day."""
    from medspa_desktop.services.treatments import treatment_records

    admin = setup["admin"]
    room = catalog.add_room(admin, "Room A")
    meso = catalog.add_service(admin, ServiceSpec("Mesotherapy per mL", "mesotherapy", 30,
                                                  8000, "ml", consent_category="none"))
    solution = inventory.add_product(admin, "Revitalising cocktail", "solution")
    inventory.receive(admin, solution.id, "M1", DAY + dt.timedelta(days=90), 20,
                      today=DAY - dt.timedelta(days=1))
    appt = _book(setup, meso, room)
    appt = appointments.change_status(admin, appt.id, "arrived", appt.version)
    appt = appointments.change_status(setup["rn"], appt.id, "in_treatment", appt.version)
    treatment_records.record_treatment(setup["rn"], appt.id, {
        "product_id": solution.id, "volume_ml": 2.5, "area": "Face", "depth_mm": 1,
        "points": 40, "technique": "nappage"}, today=DAY)
    (line,) = invoices.draft_for_appointment(setup["desk"], appt.id)
    assert (line.quantity, line.unit_price_cents) == (Decimal("2.5"), 8000)


# -- the first-setup wizard's saves -------------------------------------------------------------
def test_a_new_clinic_keeps_the_standard_services_it_chose_at_its_own_prices(setup, heard):
    botox, peel = catalog.DEFAULT_SERVICES[0], catalog.DEFAULT_SERVICES[19]
    chosen = [replace(botox, price_cents=1250), replace(peel, minutes=30)]
    assert catalog.install_services(setup["admin"], chosen) == 2
    kept = {s.name: s for s in Service.select()}
    assert set(kept) == {botox.name, peel.name}
    assert kept[botox.name].price_cents == 1250 and kept[peel.name].default_minutes == 30
    assert _audits("service.defaults") == 1
    assert "Botox Cosmetic 30 min 12.50" in AuditEvent.get(
        AuditEvent.action == "service.defaults").summary
    assert any(batch.touches("catalog") for batch in heard)


def test_one_bad_service_in_the_chosen_catalog_is_named_and_nothing_is_installed(setup):
    good, bad = catalog.DEFAULT_SERVICES[0], replace(catalog.DEFAULT_SERVICES[5], minutes=42)
    with pytest.raises(ValidationError, match=r"^Juvederm Ultra XC: A service's length must "
                                              r"be a multiple of 5"):
        catalog.install_services(setup["admin"], [good, bad])
    assert Service.select().count() == 0 and _audits("service.defaults") == 0
    with pytest.raises(PermissionDenied):
        catalog.install_services(setup["desk"], [good])


def test_rooms_and_devices_are_added_together_or_not_at_all(setup):
    with pytest.raises(ValidationError, match="A room named 'room a' already exists"):
        catalog.add_rooms_and_devices(setup["admin"], ["Room A", "room a"], [])
    with pytest.raises(ValidationError, match="^GentleMax: Choose the device's type"):
        catalog.add_rooms_and_devices(setup["admin"], ["Room A"], [("GentleMax", "")])
    assert Room.select().count() == 0 and Device.select().count() == 0
    catalog.add_rooms_and_devices(setup["admin"], ["Room A", "Laser room"],
                                  [("GentleMax", "alexandrite")])
    assert [r.name for r in catalog.rooms()] == ["Room A", "Laser room"]
    assert [(d.name, d.kind) for d in catalog.devices()] == [("GentleMax", "alexandrite")]
    assert _audits("room.create") == 2 and _audits("device.create") == 1
