"""The pick lists several dialogs share: the treatments the clinic can book, and the
providers who do a given one."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox

from ...services.scheduling import availability, hours


def service_combo(accessible_name: str = "Service") -> QComboBox:
    """A combo of the services the clinic can book (someone does them, the device exists)."""
    combo = QComboBox()
    combo.setAccessibleName(accessible_name)
    for s in availability.bookable_services():
        combo.addItem(s.name, s.id)
    return combo


def fill_providers(combo: QComboBox, service_id: int, *, anyone: str | None = "Anyone") -> None:
    """Refill ``combo`` with the providers who do this service (first ``anyone``, if given)."""
    service = next((s for s in availability.bookable_services() if s.id == service_id), None)
    combo.clear()
    if anyone is not None:
        combo.addItem(anyone, None)
    if service is not None:
        for u in hours.providers_for(service.category):
            combo.addItem(u.display_name, u.id)
