"""Printouts: the services' data drawn by the documents layer. No Qt here, so the window
and the command line make the same PDFs."""

from __future__ import annotations

import datetime as dt

from .documents.day_sheet import DaySheet, DaySheetLine, DaySheetSection, render_day_sheet
from .documents.styles import Letterhead
from .services import clinic, reports
from .services.patients import format_phone
from .store.models import User


def day_sheet_pdf(user: User, day: dt.date, provider_id: int | None = None,
                  by_provider: bool = True) -> bytes:
    groups = reports.day_sheet(user, day, provider_id, by_provider)
    info = clinic.clinic_info()
    sections = tuple(
        DaySheetSection(group.title, tuple(
            DaySheetLine(e.row.start, e.row.end, e.row.patient, e.row.service, e.row.room,
                         e.row.device, e.row.status, e.alerts, e.row.notes)
            for e in group.entries))
        for group in groups)
    return render_day_sheet(DaySheet(
        Letterhead(info.name, info.address, format_phone(info.phone), info.tax_id), day,
        sections,
        dt.datetime.now(), user.display_name, clinic.paper_size()))
