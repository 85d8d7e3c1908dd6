"""Queries the services share: a range of days on a datetime column, a patient matched by
every word typed (any part of the name, accents folded, wildcards literal), and the sums of
a ledger by kind of movement (payments and refunds, credits used and returned)."""

from __future__ import annotations

import datetime as dt

from peewee import fn

from ..store.models import Patient, Payment
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


def sums_by_kind(kind_column, amount_column, *where) -> dict[str, int]:
    """{kind: total} of a ledger's rows matching ``where``, in one grouped query."""
    query = (kind_column.model.select(kind_column, fn.SUM(amount_column)).where(*where)
             .group_by(kind_column).tuples())
    return {kind: total or 0 for kind, total in query}


def payments_of(*where) -> tuple[int, int]:
    """(payments taken, refunds given) of the payments matching ``where``."""
    sums = sums_by_kind(Payment.kind, Payment.amount_cents, *where)
    return sums.get("payment", 0), sums.get("refund", 0)
