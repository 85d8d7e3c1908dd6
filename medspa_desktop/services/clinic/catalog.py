"""Rooms, devices and the services catalog, with the defaults a new clinic starts from.

Prices and durations are the typical values in docs/domain.md; each clinic changes them to
its own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import fn

from ...store.database import db
from ...store.models import (
    CATEGORIES,
    PRICING_UNITS,
    Device,
    Room,
    Service,
    ServicePrice,
    User,
)
from ..platform import audit, changes
from ..platform.errors import NotFound, ValidationError
from ..platform.permissions import require
from ..platform.text import clean_line


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


def validate_service(spec: ServiceSpec) -> ServiceSpec:
    name = clean_line(spec.name)
    if not name:
        raise ValidationError("Enter the service's name.")
    if spec.category not in CATEGORIES:
        raise ValidationError("Choose the service's category.")
    if spec.pricing_unit not in PRICING_UNITS:
        raise ValidationError("Choose how the service is priced.")
    if spec.price_cents < 0:
        raise ValidationError("A price cannot be negative.")
    if spec.minutes < 0 or spec.minutes > 12 * 60:
        raise ValidationError("A service lasts between 0 minutes and 12 hours.")
    if spec.category != "retail" and spec.minutes == 0:
        raise ValidationError("A treatment must take at least one minute.")
    if spec.device_kind is not None and spec.device_kind not in DEVICE_KINDS:
        raise ValidationError("Choose a device type the clinic knows.")
    return ServiceSpec(name, spec.category, spec.minutes, spec.price_cents, spec.pricing_unit,
                       spec.device_kind, spec.needs_provider, spec.needs_room)


def _insert_service(spec: ServiceSpec) -> Service:
    spec = validate_service(spec)
    if Service.select().where(Service.name == spec.name).exists():
        raise ValidationError(f"A service named '{spec.name}' already exists.")
    return Service.create(
        name=spec.name, category=spec.category, default_minutes=spec.minutes,
        price_cents=spec.price_cents, pricing_unit=spec.pricing_unit,
        device_kind=spec.device_kind, needs_provider=spec.needs_provider,
        needs_room=spec.needs_room,
    )


def add_room(actor: User, name: str) -> Room:
    require(actor, "catalog.write")
    name = clean_line(name)
    if not name:
        raise ValidationError("Enter the room's name.")
    with db.atomic():
        if Room.select().where(Room.name == name).exists():
            raise ValidationError(f"A room named '{name}' already exists.")
        last = Room.select(fn.MAX(Room.position)).scalar() or 0
        room = Room.create(name=name, position=last + 1)
        audit.record(actor, "room.create", "room", room.id, name)
        changes.note("catalog", room.id)
    return room


def add_device(actor: User, name: str, kind: str, cleanup_minutes: int = 0) -> Device:
    require(actor, "catalog.write")
    name = clean_line(name)
    if not name:
        raise ValidationError("Enter the device's name.")
    if kind not in DEVICE_KINDS:
        raise ValidationError("Choose the device's type.")
    if not 0 <= cleanup_minutes <= 240:
        raise ValidationError("The clean-up buffer must be between 0 and 240 minutes.")
    with db.atomic():
        if Device.select().where(Device.name == name).exists():
            raise ValidationError(f"A device named '{name}' already exists.")
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


def services(include_retail: bool = True) -> list[Service]:
    q = Service.select().where(Service.active)
    if not include_retail:
        q = q.where(Service.category != "retail")
    return list(q.order_by(Service.category, Service.name))


def rooms() -> list[Room]:
    return list(Room.select().where(Room.active).order_by(Room.position, Room.name))


def devices() -> list[Device]:
    return list(Device.select().where(Device.active).order_by(Device.name))


MAX_PRICE_CENTS = 10_000_000  # $100,000: more is a typing slip


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
        service = Service.get_or_none(Service.id == service_id)
        if service is None:
            raise NotFound("That service does not exist.")
        before = price_on(service, effective_on)
        ServicePrice.create(service=service.id, price_cents=price_cents,
                            effective_on=effective_on, set_by=actor.id,
                            set_at=dt.datetime.now())
        audit.record(actor, "service.price", "service", service.id,
                     f"{service.name}: {before / 100:.2f} -> {price_cents / 100:.2f} "
                     f"from {effective_on.isoformat()}")
        changes.note("catalog", service.id)
