"""Rooms, devices and the services catalog, with the defaults a new clinic starts from.

Prices and durations are the typical values in docs/domain.md; each clinic changes them to
its own.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from peewee import fn

from ...store.database import db
from ...store.models import (
    CATEGORIES,
    PRICING_UNITS,
    Appointment,
    Device,
    Patient,
    Product,
    Room,
    Service,
    ServicePrice,
    User,
)
from ..charts.patients import listed_name
from ..consents.consent_templates import KINDS as CONSENT_KINDS
from ..consents.consent_templates import NO_CONSENT
from ..platform import audit, changes, limits, stale
from ..platform.errors import ConflictError, NotFound, ValidationError
from ..platform.permissions import require
from ..platform.text import clean_line, fold
from ..platform.vocabulary import AppointmentStatus


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    category: str
    minutes: int
    price_cents: int
    pricing_unit: str
    device_kind: str | None = None
    needs_provider: bool = True
    needs_room: bool = True
    tax_exempt: bool = False
    colour: str = ""  # "#rrggbb"; "": its category's colour
    consent_category: str = ""  # a consent category, "" its own category's, or NO_CONSENT
    default_product_id: int | None = None


STEP_MINUTES = 5  # a service's length is a whole number of these (the finest schedule grid)
MAX_PRICE_CENTS = 10_000_000  # $100,000: more is a typing slip

# Device kinds a service may need; a clinic's devices each carry one.
DEVICE_KINDS = {
    "co2": "CO2 fractional laser",
    "erbium": "Erbium laser",
    "nonablative": "Non-ablative fractional laser",
    "alexandrite": "755 nm alexandrite laser",
    "diode": "810 nm diode laser",
    "ndyag": "1064 nm Nd:YAG laser",
    "ipl": "IPL",
    "led": "LED panel",
    "cryolipolysis": "Cryolipolysis",
    "rf": "Radio-frequency body device",
    "microneedling": "Microneedling pen",
}

DEFAULT_SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec("Botox Cosmetic", "neurotoxin", 30, 1400, "unit"),
    ServiceSpec("Dysport", "neurotoxin", 30, 450, "unit"),
    ServiceSpec("Xeomin", "neurotoxin", 30, 1300, "unit"),
    ServiceSpec("Jeuveau", "neurotoxin", 30, 1200, "unit"),
    ServiceSpec("Daxxify", "neurotoxin", 30, 1600, "unit"),
    ServiceSpec("Juvederm Ultra XC", "filler", 60, 75000, "syringe"),
    ServiceSpec("Restylane Lyft", "filler", 60, 72500, "syringe"),
    ServiceSpec("RHA 3", "filler", 60, 80000, "syringe"),
    ServiceSpec("Radiesse", "filler", 60, 85000, "syringe"),
    ServiceSpec("Sculptra", "filler", 45, 90000, "syringe"),
    ServiceSpec("CO2 fractional resurfacing", "laser_resurfacing", 90, 150000, "session", "co2"),
    ServiceSpec("Laser hair reduction, small area", "laser_hair", 15, 15000, "area",
                "alexandrite"),
    ServiceSpec("Laser hair reduction, large area", "laser_hair", 45, 35000, "area",
                "alexandrite"),
    ServiceSpec("IPL photofacial", "ipl", 45, 40000, "session", "ipl"),
    ServiceSpec("Blue/red LED acne therapy", "acne_light", 30, 9000, "session", "led"),
    ServiceSpec("Vascular / pigment spot treatment", "pigment_vascular", 30, 30000, "session",
                "ipl"),
    ServiceSpec("Cryolipolysis, one applicator cycle", "body_contouring", 60, 75000, "cycle",
                "cryolipolysis"),
    ServiceSpec("Mesotherapy, revitalising", "mesotherapy", 45, 30000, "session"),
    ServiceSpec("Mesotherapy, lipolytic", "mesotherapy", 45, 35000, "session"),
    ServiceSpec("Chemical peel, medium", "peel_microneedling", 45, 25000, "session"),
    ServiceSpec("Microneedling with PRP", "peel_microneedling", 60, 60000, "session"),
    ServiceSpec("Hyaluronic wrinkle filler cream (retail)", "retail", 0, 8900, "item",
                needs_provider=False, needs_room=False),
    ServiceSpec("Mineral sunscreen SPF 50 (retail)", "retail", 0, 4200, "item",
                needs_provider=False, needs_room=False),
)


def _name(typed: str, what: str, limit: int) -> str:
    """A service's, room's or device's name as typed, cleaned; refused empty or too long."""
    name = clean_line(typed)
    if not name:
        raise ValidationError(f"Enter the {what}'s name.")
    if len(name) > limit:
        raise ValidationError(f"A {what}'s name must be at most {limit} characters.")
    return name


def validate_service(spec: ServiceSpec) -> ServiceSpec:
    """The spec cleaned, or a ValidationError naming the first thing wrong with it."""
    name = _name(spec.name, "service", limits.SERVICE_NAME)
    if spec.category not in CATEGORIES:
        raise ValidationError("Choose the service's category.")
    if spec.pricing_unit not in PRICING_UNITS:
        raise ValidationError("Choose how the service is priced.")
    if spec.price_cents < 0:
        raise ValidationError("A price cannot be negative.")
    if spec.price_cents > MAX_PRICE_CENTS:
        raise ValidationError("That price is too high; check the amount.")
    if spec.minutes < 0 or spec.minutes > 12 * 60:
        raise ValidationError("A service lasts between 0 minutes and 12 hours.")
    if spec.category != "retail" and spec.minutes == 0:
        raise ValidationError("A treatment must take at least one minute.")
    if spec.minutes % STEP_MINUTES:
        raise ValidationError(f"A service's length must be a multiple of {STEP_MINUTES} "
                              f"minutes (the schedule's finest step).")
    if spec.device_kind is not None and spec.device_kind not in DEVICE_KINDS:
        raise ValidationError("Choose a device type the clinic knows.")
    colour = spec.colour.strip().lower()
    if colour and not re.fullmatch(r"#[0-9a-f]{6}", colour):
        raise ValidationError("Choose the colour from the colour picker (#rrggbb).")
    if spec.consent_category not in ("", NO_CONSENT) and spec.consent_category not in \
            CONSENT_KINDS:
        raise ValidationError("Choose a consent form the clinic has.")
    if spec.default_product_id is not None:
        product = Product.get_or_none(Product.id == spec.default_product_id)
        if product is None or not product.active:
            raise ValidationError("Choose a product the clinic stocks.")
    return replace(spec, name=name, colour=colour)


def _insert_service(spec: ServiceSpec) -> Service:
    spec = validate_service(spec)
    _unique_name(Service, spec.name, "service")
    return Service.create(name=spec.name, price_cents=spec.price_cents, **_columns(spec))


def _columns(spec: ServiceSpec) -> dict:
    """A validated spec's columns, but the name and the price."""
    return dict(category=spec.category, default_minutes=spec.minutes,
                pricing_unit=spec.pricing_unit, device_kind=spec.device_kind,
                needs_provider=spec.needs_provider, needs_room=spec.needs_room,
                tax_exempt=spec.tax_exempt, colour=spec.colour,
                consent_category=spec.consent_category,
                default_product=spec.default_product_id)


def add_room(actor: User, name: str) -> Room:
    require(actor, "catalog.write")
    name = _name(name, "room", limits.ROOM_NAME)
    with db.atomic():
        _unique_name(Room, name, "room")
        last = Room.select(fn.MAX(Room.position)).scalar() or 0
        room = Room.create(name=name, position=last + 1)
        audit.record(actor, "room.create", "room", room.id, name)
        changes.note("catalog", room.id)
    return room


def add_device(actor: User, name: str, kind: str, cleanup_minutes: int = 0) -> Device:
    require(actor, "catalog.write")
    name = _check_device(name, kind, cleanup_minutes)
    with db.atomic():
        _unique_name(Device, name, "device")
        device = Device.create(name=name, kind=kind, cleanup_minutes=cleanup_minutes)
        audit.record(actor, "device.create", "device", device.id, f"{name} ({kind})")
        changes.note("catalog", device.id)
    return device


def install_default_services(actor: User) -> int:
    """Give a new clinic the catalog of docs/domain.md; returns how many services were
    added."""
    require(actor, "catalog.write")
    with db.atomic():
        for spec in DEFAULT_SERVICES:
            _insert_service(spec)
        audit.record(actor, "service.defaults", "service", "",
                     f"{len(DEFAULT_SERVICES)} default services")
        changes.note("catalog")
    return len(DEFAULT_SERVICES)


def install_services(actor: User, specs: Sequence[ServiceSpec]) -> int:
    """The services a new clinic keeps from the standard catalog (DEFAULT_SERVICES), at the
    lengths and prices it chose: all of them, or (on a bad one, named in the refusal) none.
    Returns how many were added."""
    require(actor, "catalog.write")
    with db.atomic():
        for spec in specs:
            try:
                _insert_service(spec)
            except ValidationError as refusal:
                raise ValidationError(f"{clean_line(spec.name) or 'A service'}: "
                                      f"{refusal}") from None
        if specs:
            audit.record(actor, "service.defaults", "service", "",
                         (f"{len(specs)} from the standard catalog: " + "; ".join(
                             f"{s.name} {s.minutes} min {s.price_cents / 100:.2f}"
                             for s in specs))[:2000])
            changes.note("catalog")
    return len(specs)


def add_rooms_and_devices(actor: User, rooms: Sequence[str],
                          devices: Sequence[tuple[str, str]]) -> None:
    """A new clinic's rooms (in the order given) and devices (name, kind): all of them, or
    (on a bad or repeated name) none."""
    require(actor, "catalog.write")
    with db.atomic():
        for name in rooms:
            add_room(actor, name)
        for name, kind in devices:
            try:
                add_device(actor, name, kind)
            except ValidationError as refusal:
                named = clean_line(name)
                raise ValidationError(f"{named}: {refusal}" if named and named not in
                                      str(refusal) else str(refusal)) from None


def services(include_retail: bool = True) -> list[Service]:
    """The services the clinic offers now (retired ones left out), by category and name."""
    q = Service.select().where(Service.active)
    if not include_retail:
        q = q.where(Service.category != "retail")
    return list(q.order_by(Service.category, Service.name))


def rooms() -> list[Room]:
    """The rooms in use, in the clinic's order: bookable, and the schedule's columns."""
    return list(Room.select().where(Room.active).order_by(Room.position, Room.name))


def devices() -> list[Device]:
    """The devices in use (bookable), by name."""
    return list(Device.select().where(Device.active).order_by(Device.name))


def all_rooms() -> list[Room]:
    """Every room, out-of-use ones too, in the clinic's order (the setup window's list)."""
    return list(Room.select().order_by(Room.position, Room.name))


def all_devices() -> list[Device]:
    """Every device, out-of-use ones too, by name."""
    return list(Device.select().order_by(Device.name))


# -- rooms and devices -------------------------------------------------------------------------
HELD_STATUSES = (AppointmentStatus.BOOKED, AppointmentStatus.CONFIRMED,
                 AppointmentStatus.ARRIVED, AppointmentStatus.IN_TREATMENT)
LISTED_BOOKINGS = 10  # a refusal names at most this many and counts the rest


def _future_bookings(where, now: dt.datetime) -> list[str]:
    """ "Lee, Ann — Mon 2027-01-04 10:00" for each visit still to come that ``where`` picks."""
    rows = (Appointment.select(Appointment.start, Patient.first_name, Patient.last_name,
                               Patient.preferred_name)
            .join(Patient)
            .where(where, Appointment.end > now, Appointment.status.in_(HELD_STATUSES))
            .order_by(Appointment.start))
    return [f"{listed_name(r.patient.first_name, r.patient.last_name, r.patient.preferred_name)}"
            f" — {r.start:%a %Y-%m-%d %H:%M}" for r in rows]


def _refuse_if_booked(what: str, bookings: list[str]) -> None:
    if not bookings:
        return
    shown = bookings[:LISTED_BOOKINGS]
    more = len(bookings) - len(shown)
    raise ConflictError(
        f"{what} is booked for {len(bookings)} visit{'s' if len(bookings) > 1 else ''} still "
        "to come; move or cancel them first:\n" + "\n".join(shown)
        + (f"\n… and {more} more." if more else ""))


def _room(room_id: int) -> Room:
    room = Room.get_or_none(Room.id == room_id)
    if room is None:
        raise NotFound("That room does not exist.")
    return room


def _unique_name(model, name: str, what: str, exclude_id: int | None = None) -> None:
    query = model.select().where(fn.LOWER(model.name) == name.lower())
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    if query.exists():
        raise ValidationError(f"A {what} named '{name}' already exists.")


_ROOM_CHANGES = ("room.rename", "room.activate", "room.deactivate")
_DEVICE_CHANGES = ("device.update", "device.activate", "device.deactivate")
_STALE_REST = " since you opened it; nothing was saved. What is stored now is shown."


def _refuse_if_stale(row, version: int | None, record_type: str, actions: tuple[str, ...],
                     what: str) -> None:
    """Refuse the save when someone else saved the room or device since ``version`` was
    read (None: no check), naming who, when and at which PC."""
    if version is not None and row.version != version:
        stale.refuse(stale.last_change(record_type, row.id, actions), what, _STALE_REST,
                     nobody=f"Someone else changed {what}")


def rename_room(actor: User, room_id: int, name: str, version: int | None = None) -> None:
    """A room's new name; past appointments show it too (they point at the room). Refused
    when someone else saved the room since ``version`` was read."""
    require(actor, "catalog.write")
    name = _name(name, "room", limits.ROOM_NAME)
    with db.atomic():
        room = _room(room_id)
        _refuse_if_stale(room, version, "room", _ROOM_CHANGES, "this room")
        _unique_name(Room, name, "room", room.id)
        if name == room.name:
            return
        Room.update(name=name, version=Room.version + 1).where(Room.id == room.id).execute()
        audit.record(actor, "room.rename", "room", room.id, f"{room.name} -> {name}")
        changes.note("catalog", room.id)


def move_room(actor: User, room_id: int, step: int) -> None:
    """Move a room one place up (``step`` -1) or down (+1) in the clinic's order."""
    require(actor, "catalog.write")
    with db.atomic():
        order = all_rooms()
        index = next((i for i, r in enumerate(order) if r.id == room_id), None)
        if index is None:
            raise NotFound("That room does not exist.")
        target = index + (1 if step > 0 else -1)
        if not 0 <= target < len(order):
            return  # already first or last
        order[index], order[target] = order[target], order[index]
        for position, room in enumerate(order, start=1):
            if room.position != position:
                Room.update(position=position).where(Room.id == room.id).execute()
        audit.record(actor, "room.order", "room", room_id,
                     "; ".join(r.name for r in order))
        changes.note("catalog", *(r.id for r in order))


def set_room_active(actor: User, room_id: int, active: bool, *,
                    now: dt.datetime | None = None, version: int | None = None) -> None:
    """Take a room out of use (refused, naming them, while visits still to come are booked
    in it) or back into use. Its past appointments keep showing its name. Refused when
    someone else saved the room since ``version`` (the list's row) was read."""
    require(actor, "catalog.write")
    now = now or dt.datetime.now()
    with db.atomic():
        room = _room(room_id)
        if room.active == active:
            return
        _refuse_if_stale(room, version, "room", _ROOM_CHANGES, "this room")
        if not active:
            _refuse_if_booked(room.name, _future_bookings(Appointment.room == room.id, now))
        Room.update(active=active, version=Room.version + 1).where(Room.id == room.id).execute()
        audit.record(actor, "room.activate" if active else "room.deactivate", "room", room.id,
                     room.name)
        changes.note("catalog", room.id)


def get_room(room_id: int) -> Room:
    """The room as stored now (a form reloads it when its save was refused as stale)."""
    return _room(room_id)


def get_device(device_id: int) -> Device:
    """The device as stored now."""
    return _device(device_id)


def _device(device_id: int) -> Device:
    device = Device.get_or_none(Device.id == device_id)
    if device is None:
        raise NotFound("That device does not exist.")
    return device


def _check_device(name: str, kind: str, cleanup_minutes: int) -> str:
    name = _name(name, "device", limits.DEVICE_NAME)
    if kind not in DEVICE_KINDS:
        raise ValidationError("Choose the device's type.")
    if not 0 <= cleanup_minutes <= 240:
        raise ValidationError("The clean-up buffer must be between 0 and 240 minutes.")
    return name


def update_device(actor: User, device_id: int, name: str, kind: str,
                  cleanup_minutes: int, version: int | None = None) -> None:
    """A device's name, type and clean-up buffer. Its type cannot change while visits still
    to come need it for a service of the old type. Refused when someone else saved the
    device since ``version`` was read."""
    require(actor, "catalog.write")
    name = _check_device(name, kind, cleanup_minutes)
    with db.atomic():
        device = _device(device_id)
        _refuse_if_stale(device, version, "device", _DEVICE_CHANGES, "this device")
        _unique_name(Device, name, "device", device.id)
        if (name, kind, cleanup_minutes) == (device.name, device.kind, device.cleanup_minutes):
            return
        if kind != device.kind:
            _refuse_if_booked(f"The {device.name}", _future_bookings(
                Appointment.device == device.id, dt.datetime.now()))
        Device.update(name=name, kind=kind, cleanup_minutes=cleanup_minutes,
                      version=Device.version + 1).where(Device.id == device.id).execute()
        audit.record(actor, "device.update", "device", device.id,
                     f"{device.name} ({device.kind}, {device.cleanup_minutes} min) -> "
                     f"{name} ({kind}, {cleanup_minutes} min)")
        changes.note("catalog", device.id)


def set_device_active(actor: User, device_id: int, active: bool, *,
                      now: dt.datetime | None = None, version: int | None = None) -> None:
    """Take a device out of use (refused, naming them, while visits still to come are booked
    on it) or back into use. Refused when someone else saved the device since ``version``
    (the list's row) was read."""
    require(actor, "catalog.write")
    now = now or dt.datetime.now()
    with db.atomic():
        device = _device(device_id)
        if device.active == active:
            return
        _refuse_if_stale(device, version, "device", _DEVICE_CHANGES, "this device")
        if not active:
            _refuse_if_booked(f"The {device.name}",
                              _future_bookings(Appointment.device == device.id, now))
        Device.update(active=active, version=Device.version + 1).where(
            Device.id == device.id).execute()
        audit.record(actor, "device.activate" if active else "device.deactivate", "device",
                     device.id, device.name)
        changes.note("catalog", device.id)


# -- services and prices -----------------------------------------------------------------------
@dataclass(frozen=True)
class ServiceRow:
    """A service as the setup window lists it: its price today and its length."""

    id: int
    name: str
    category_key: str
    category: str  # label
    minutes: int
    price_cents: int  # on the day asked
    pricing_unit_key: str
    pricing_unit: str  # label
    active: bool
    colour: str
    version: int


@dataclass(frozen=True)
class PriceChange:
    effective_on: dt.date
    price_cents: int
    set_by: str
    set_at: dt.datetime


def service_rows(search: str = "", *, include_retired: bool = True,
                 day: dt.date | None = None) -> list[ServiceRow]:
    """Services grouped by category (in the categories' order) and by name, priced on
    ``day`` (today); ``search`` keeps those with every typed word in any part of the name."""
    day = day or dt.date.today()
    words = fold(search).split()
    order = {key: i for i, key in enumerate(CATEGORIES)}
    query = Service.select()
    if not include_retired:
        query = query.where(Service.active)
    prices = _prices_on([s.id for s in query], day)
    rows = [ServiceRow(s.id, s.name, s.category, CATEGORIES.get(s.category, s.category),
                       s.default_minutes, prices.get(s.id, s.price_cents), s.pricing_unit,
                       PRICING_UNITS.get(s.pricing_unit, s.pricing_unit), s.active, s.colour,
                       s.version)
            for s in query if all(w in fold(s.name) for w in words)]
    return sorted(rows, key=lambda r: (order.get(r.category_key, len(order)), fold(r.name)))


def _prices_on(service_ids: list[int], day: dt.date) -> dict[int, int]:
    """{service id: its dated price on ``day``} for the services whose price has changed."""
    found: dict[int, int] = {}
    for change in (ServicePrice.select()
                   .where(ServicePrice.service.in_(service_ids),
                          ServicePrice.effective_on <= day)
                   .order_by(ServicePrice.effective_on, ServicePrice.id)):
        found[change.service_id] = change.price_cents  # the latest wins
    return found


def price_history(service_id: int) -> list[PriceChange]:
    """A service's dated price changes, the newest date first."""
    return [PriceChange(c.effective_on, c.price_cents, c.set_by.display_name, c.set_at)
            for c in (ServicePrice.select(ServicePrice, User).join(User)
                      .where(ServicePrice.service == service_id)
                      .order_by(ServicePrice.effective_on.desc(), ServicePrice.id.desc()))]


def spec_of(service: Service) -> ServiceSpec:
    """The service as a spec to edit, at its price today."""
    return ServiceSpec(service.name, service.category, service.default_minutes,
                       price_on(service, dt.date.today()), service.pricing_unit,
                       service.device_kind, service.needs_provider, service.needs_room,
                       service.tax_exempt, service.colour, service.consent_category,
                       service.default_product_id)


def get_service(service_id: int) -> Service:
    service = Service.get_or_none(Service.id == service_id)
    if service is None:
        raise NotFound("That service does not exist.")
    return service


def add_service(actor: User, spec: ServiceSpec) -> Service:
    """A new service at its price, offered from now on."""
    require(actor, "catalog.write")
    with db.atomic():
        service = _insert_service(spec)
        audit.record(actor, "service.create", "service", service.id,
                     f"{service.name}: {service.default_minutes} min, "
                     f"{service.price_cents / 100:.2f} {service.pricing_unit}")
        changes.note("catalog", service.id)
    return service


_SERVICE_CHANGES = ("service.update", "service.activate", "service.retire", "service.price")


def update_service(actor: User, service_id: int, spec: ServiceSpec, version: int, *,
                   price_from: dt.date | None = None) -> None:
    """Save an edited service. A price other than the one on ``price_from`` (today) is a
    price change from that date (see ``change_price``); everything else applies at once.
    Refused when someone else saved the service since ``version`` was read."""
    require(actor, "catalog.write")
    spec = validate_service(spec)
    price_from = price_from or dt.date.today()
    with db.atomic():
        service = get_service(service_id)
        if service.version != version:
            stale.refuse(stale.last_change("service", service.id, _SERVICE_CHANGES),
                         service.name, " since you opened it; nothing was saved. What is "
                         "stored now is shown.",
                         nobody=f"{service.name} was changed by someone else")
        _unique_name(Service, spec.name, "service", service.id)
        before = spec_of(service)
        Service.update(name=spec.name, version=Service.version + 1, **_columns(spec)).where(
            Service.id == service.id).execute()
        changed = [f for f in ("name", "category", "minutes", "pricing_unit", "device_kind",
                               "needs_provider", "needs_room", "tax_exempt", "colour",
                               "consent_category", "default_product_id")
                   if getattr(before, f) != getattr(spec, f)]
        if changed:
            audit.record(actor, "service.update", "service", service.id,
                         f"{service.name}: " + "; ".join(
                             f"{f} {getattr(before, f)!r} -> {getattr(spec, f)!r}"
                             for f in changed))
        if spec.price_cents != price_on(service, price_from):
            change_price(actor, service.id, spec.price_cents, price_from)
        changes.note("catalog", service.id)


def set_service_active(actor: User, service_id: int, active: bool, *,
                       now: dt.datetime | None = None) -> None:
    """Retire a service (no longer booked or sold; refused, naming them, while visits still
    to come are booked for it) or bring it back. Its past rows stay as they were."""
    require(actor, "catalog.write")
    now = now or dt.datetime.now()
    with db.atomic():
        service = get_service(service_id)
        if service.active == active:
            return
        if not active:
            _refuse_if_booked(service.name,
                              _future_bookings(Appointment.service == service.id, now))
        Service.update(active=active, version=Service.version + 1).where(
            Service.id == service.id).execute()
        audit.record(actor, "service.activate" if active else "service.retire", "service",
                     service.id, service.name)
        changes.note("catalog", service.id)


def price_on(service: Service, day: dt.date) -> int:
    """The service's price on ``day``: the latest change effective on or before it (a later
    change for the same date supersedes an earlier one), else the price it was created
    with."""
    change = (ServicePrice.select(ServicePrice.price_cents)
              .where(ServicePrice.service == service.id, ServicePrice.effective_on <= day)
              .order_by(ServicePrice.effective_on.desc(), ServicePrice.id.desc()).first())
    return change.price_cents if change else service.price_cents


def change_price(actor: User, service_id: int, price_cents: int, effective_on: dt.date) -> None:
    """A new price for a service from ``effective_on`` on. Bookings and checkouts on or after
    that day use it; invoices already issued keep theirs."""
    require(actor, "catalog.write")
    if not 0 <= price_cents <= MAX_PRICE_CENTS:
        raise ValidationError("A price cannot be negative." if price_cents < 0
                              else "That price is too high; check the amount.")
    with db.atomic():
        service = get_service(service_id)
        before = price_on(service, effective_on)
        ServicePrice.create(service=service.id, price_cents=price_cents,
                            effective_on=effective_on, set_by=actor.id,
                            set_at=dt.datetime.now())
        audit.record(actor, "service.price", "service", service.id,
                     f"{service.name}: {before / 100:.2f} -> {price_cents / 100:.2f} "
                     f"from {effective_on.isoformat()}")
        changes.note("catalog", service.id)
