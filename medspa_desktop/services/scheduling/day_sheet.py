"""Reports built from the schedule. A report that lists patients is audited like any other
access to their records."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ...store.database import db
from ...store.models import User
from ..charts import alerts
from ..platform import audit
from ..platform.permissions import require
from . import appointments


@dataclass(frozen=True)
class DaySheetEntry:
    row: appointments.AppointmentRow
    alerts: tuple[str, ...]


@dataclass(frozen=True)
class DaySheetGroup:
    title: str
    entries: tuple[DaySheetEntry, ...]


def day_sheet(actor: User, day: dt.date, provider_id: int | None = None,
              by_provider: bool = True) -> list[DaySheetGroup]:
    """The day's active appointments with their alerts: one group per provider (or only
    ``provider_id``), or one group for the whole clinic."""
    require(actor, "schedule.read")
    rows = [r for r in appointments.day_schedule(actor, day) if r.active]
    if provider_id is not None:
        rows = [r for r in rows if r.provider_id == provider_id]
    found = alerts.visit_alerts(actor, rows)
    entries = [DaySheetEntry(r, found[r.id]) for r in rows]
    if by_provider:
        names = sorted({e.row.provider or "No provider" for e in entries})
        groups = [DaySheetGroup(name, tuple(e for e in entries
                                            if (e.row.provider or "No provider") == name))
                  for name in names]
        if provider_id is not None and not groups:
            provider = User.get_or_none(User.id == provider_id)
            groups = [DaySheetGroup(provider.display_name if provider else "Provider", ())]
    else:
        groups = [DaySheetGroup("Whole clinic", tuple(entries))]
    with db.atomic():
        audit.record(actor, "report.day_sheet", "schedule", day.isoformat(),
                     f"{len(entries)} appointments"
                     + (f", provider {provider_id}" if provider_id else ""))
    return groups
