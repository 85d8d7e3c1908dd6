"""Filters the list services share: a range of days on a datetime column, and a patient
matched by every word typed (any part of the name, accents folded, wildcards literal)."""

from __future__ import annotations

import datetime as dt

from ..store.models import Patient
from .text import fold


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Midnight that starts ``day`` and the one that ends it."""
    start = dt.datetime.combine(day, dt.time())
    return start, start + dt.timedelta(days=1)


def between_days(query, column, date_from: dt.date | None, date_to: dt.date | None):
    """``query`` limited to ``column`` on ``date_from`` … ``date_to`` (inclusive; either open)."""
    if date_from:
        query = query.where(column >= day_bounds(date_from)[0])
    if date_to:
        query = query.where(column < day_bounds(date_to)[1])
    return query


def patient_named(query, text: str):
    """``query`` limited to patients whose name holds every word of ``text``."""
    for word in fold(text).split():
        query = query.where(Patient.search_name.contains(word))
    return query
