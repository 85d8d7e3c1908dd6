"""The screens a receptionist or provider opens all day send a fixed number of statements to
the database, however many rows they show: no query per row (the clinic-scale benchmark,
``make bench``, times them on ten years of data). The permission check's read of the account
is counted apart: it is sent at most once a second (``permissions.FRESH_FOR``), so whether a
call sends it depends on the call before."""

from __future__ import annotations

import datetime as dt

from peewee import fn

from medspa_desktop.services.scheduling import appointments
from medspa_desktop.services.treatments import inventory
from medspa_desktop.services.treatments.treatment_log import LogFilter, treatment_log
from medspa_desktop.store.database import db
from medspa_desktop.store.models import Lot, StockMovement
from tests.conftest import busy_weekday, but_the_account_check, staff


def _sent(statements, action) -> tuple[object, int]:
    statements.clear()
    result = action()
    return result, len(but_the_account_check(statements))


def test_a_day_on_the_schedule_is_one_query(demo_db, statements):
    desk = staff("frontdesk")
    busy, busy_count = _sent(statements, lambda: appointments.day_schedule(desk, busy_weekday()))
    empty, empty_count = _sent(statements, lambda: appointments.day_schedule(
        desk, dt.date.today() + dt.timedelta(days=400)))
    assert len(busy) >= 10 and empty == []
    assert busy_count == empty_count == 1  # the day


def test_a_page_of_the_treatment_log_is_one_query(demo_db, statements):
    director = staff("director")
    first, count = _sent(statements, lambda: treatment_log(director, LogFilter(), limit=50))
    following, next_count = _sent(statements, lambda: treatment_log(
        director, LogFilter(), limit=50, after=first[-1]))
    assert len(first) == 50 and following and following[0].at <= first[-1].at
    assert count == next_count == 1  # the page


def test_a_later_page_of_the_log_seeks_to_where_the_last_one_ended(demo_db, statements):
    """The hundredth page of ten years costs what the first does: the database starts at the
    last row shown instead of walking every newer row to find it."""
    director = staff("director")
    first = treatment_log(director, LogFilter(), limit=20)
    statements.clear()
    treatment_log(director, LogFilter(), limit=20, after=first[-1])
    (sql, params), = but_the_account_check(statements)
    plan = [row[-1] for row in db.execute_sql("EXPLAIN QUERY PLAN " + sql, params)]
    assert "SEARCH t2 USING INDEX appointment_start (start<?)" in plan[0]


def test_a_lot_recall_costs_the_same_for_many_patients_as_for_one(demo_db, statements):
    director = staff("director")
    uses = (Lot.select(Lot.lot_number, fn.COUNT(StockMovement.id)).join(StockMovement)
            .where(StockMovement.kind == "use").group_by(Lot.id)
            .order_by(fn.COUNT(StockMovement.id)).tuples())
    (small_lot, _), *_rest, (big_lot, big) = list(uses)
    assert big >= 3
    small, small_count = _sent(statements, lambda: inventory.recall(director, small_lot))
    large, large_count = _sent(statements, lambda: inventory.recall(director, big_lot))
    assert len(large) == big > len(small)
    assert large_count == small_count


def test_a_chart_costs_the_same_for_a_long_history_as_for_a_short_one(demo_db, statements):
    """The timeline (visits, notes with their addenda and co-signers, photos, consents,
    treatments) and the notes list: no query per item."""
    from medspa_desktop.services.charts import chart, notes
    from medspa_desktop.store.models import Note, Patient

    director = staff("director")
    by_notes = (Patient.select(Patient.id, fn.COUNT(Note.id)).join(Note)
                .group_by(Patient.id).order_by(fn.COUNT(Note.id)).tuples())
    (short, few), *_rest, (long, many) = list(by_notes)
    assert many > few

    def cost(patient_id):
        timeline, sent = _sent(statements, lambda: chart.timeline(director, patient_id))
        listed, listing = _sent(statements, lambda: notes.patient_notes(director, patient_id))
        return len(timeline), sent, len(listed), listing

    short_items, short_sent, short_notes, short_listing = cost(short)
    long_items, long_sent, long_notes, long_listing = cost(long)
    assert long_items > short_items and long_notes > short_notes
    assert long_sent == short_sent and long_listing == short_listing


def test_a_reports_invoices_are_found_by_range_on_their_dates(demo_db, statements):
    """A month's report seeks the month's invoices (issued, voided) and payments instead of
    reading ten years of them."""
    from medspa_desktop.services.billing import billing_reports

    today = dt.date.today()
    statements.clear()
    billing_reports.sales_report(staff("director"), today.replace(day=1), today, record=False)
    selects = [(sql, params) for sql, params in statements if sql.startswith("SELECT")]
    plans = [" / ".join(row[-1] for row in db.execute_sql("EXPLAIN QUERY PLAN " + sql, params))
             for sql, params in selects]
    for column in ("issued_at", "voided_at"):
        assert any(f"USING INDEX invoice_{column} ({column}>? AND {column}<?)" in plan
                   for plan in plans), plans
    assert not any("SCAN t1" in plan and '"invoice"' in sql
                   for plan, (sql, _p) in zip(plans, selects, strict=True))


def test_what_is_due_is_found_on_the_open_invoices_not_every_invoice(demo_db, statements):
    """The Billing tab shows what its filter's invoices owe as it opens: on ten years of
    invoices that must not read them all."""
    from medspa_desktop.services.billing import billing_reports

    desk = staff("frontdesk")
    statements.clear()
    billing_reports.amount_due(desk)
    selects = [(sql, params) for sql, params in statements
               if sql.startswith("SELECT") and 'FROM "user"' not in sql]
    plans = [" / ".join(row[-1] for row in db.execute_sql("EXPLAIN QUERY PLAN " + sql, params))
             for sql, params in selects]
    assert len(plans) == 2 and all("USING INDEX invoice_status (status=?)" in p for p in plans)


def test_the_alerts_of_a_schedule_are_read_at_once_and_say_what_booking_says(demo_db,
                                                                              statements):
    """The schedule marks each visit with its patient's alerts: as many statements for a
    week as for a day, and each visit's list is the one the booking dialog shows."""
    from medspa_desktop.services.charts import alerts

    desk = staff("frontdesk")
    day = busy_weekday()
    monday = dt.datetime.combine(day - dt.timedelta(days=day.weekday()), dt.time())
    one_day = [r for r in appointments.day_schedule(desk, day) if r.active]
    week = [r for r in appointments.schedule_between(desk, monday,
                                                      monday + dt.timedelta(days=7))
            if r.active]
    assert len(week) > len(one_day) >= 10
    found, day_count = _sent(statements, lambda: alerts.visit_alerts(desk, one_day))
    found_week, week_count = _sent(statements, lambda: alerts.visit_alerts(desk, week))
    assert day_count == week_count <= 12
    assert found == {r.id: tuple(alerts.booking_alerts(desk, r.patient_id, r.service_id,
                                                       r.start.date())) for r in one_day}
    assert found_week == {r.id: tuple(alerts.booking_alerts(desk, r.patient_id, r.service_id,
                                                            r.start.date())) for r in week}
    assert any(items for items in found_week.values())  # the demo's patients have alerts
