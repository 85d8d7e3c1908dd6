"""Columns for lists of appointments (``appointments.AppointmentRow``), and the one name of
each status step wherever it is offered (menus, buttons, the Appointments menu)."""

from __future__ import annotations

from ..services.platform.vocabulary import AppointmentStatus as S
from .models import Column

# what the user does to move a visit to a status, in the order offered
STATUS_ACTIONS = {
    S.CONFIRMED: "Confirm",
    S.ARRIVED: "Mark arrived",
    S.IN_TREATMENT: "Start treatment",
    S.COMPLETED: "Mark completed",
    S.CHECKED_OUT: "Mark checked out",
    S.NO_SHOW: "Mark no-show",
    S.CANCELLED: "Cancel…",
}

TIME = Column("Time", lambda r: r.start, lambda r: f"{r.start:%H:%M}–{r.end:%H:%M}")
PATIENT = Column("Patient", lambda r: r.patient)
SERVICE = Column("Service", lambda r: r.service)
PROVIDER = Column("Provider", lambda r: r.provider)
ROOM = Column("Room", lambda r: r.room)
DEVICE = Column("Device", lambda r: r.device)
STATUS = Column("Status", lambda r: r.status)
