"""Columns for lists of appointments (``appointments.AppointmentRow``)."""

from __future__ import annotations

from .models import Column

TIME = Column("Time", lambda r: r.start, lambda r: f"{r.start:%H:%M}–{r.end:%H:%M}")
PATIENT = Column("Patient", lambda r: r.patient)
SERVICE = Column("Service", lambda r: r.service)
PROVIDER = Column("Provider", lambda r: r.provider)
ROOM = Column("Room", lambda r: r.room)
DEVICE = Column("Device", lambda r: r.device)
STATUS = Column("Status", lambda r: r.status)
