"""The actions the benchmark times, each against the target the clinic's staff feel.

Every data fetch is timed beside its lower bound: the same rows read with one hand-written
query on a plain read-only ``sqlite3`` connection to the same file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from peewee import fn

from medspa_desktop import printouts
from medspa_desktop.services.billing import billing_reports
from medspa_desktop.services.charts import chart, patients
from medspa_desktop.services.consents import consent_templates, signing
from medspa_desktop.services.messaging import contact_consent, sending
from medspa_desktop.services.platform import audit, backup
from medspa_desktop.services.platform.png import grey_png
from medspa_desktop.services.reports import memberships as membership_reports
from medspa_desktop.services.reports import patients as patient_reports
from medspa_desktop.services.reports import revenue, staff_pay, treatments, utilisation
from medspa_desktop.services.reports.period import Period
from medspa_desktop.services.scheduling import appointments
from medspa_desktop.services.treatments import inventory
from medspa_desktop.services.treatments.treatment_log import LogFilter, treatment_log
from medspa_desktop.store.models import Service, User

from .timing import Result, times_ms


@dataclass
class Context:
    path: Path
    anchor: dt.date
    scale: float
    quick: bool
    raw: sqlite3.Connection
    say: Callable[[str], None]
    lower_bounds: bool = True  # off on PostgreSQL: ``raw`` is the SQLite file, not the server
    target: str = ""  # what a new process opens: the server's address on PostgreSQL, else path

    def __post_init__(self) -> None:
        self.rng = random.Random(7)
        users = {u.username: u for u in User.select()}
        self.desk, self.admin = users["frontdesk"], users["admin"]
        self.director, self.injector = users["director"], users["injector"]

    def reps(self, n: int) -> int:
        return max(5, n // 10) if self.quick else n

    def lower(self, sql: str, args: Callable[[int], tuple],
              repetitions: int) -> list[float] | None:
        if not self.lower_bounds:
            return None
        return times_ms(lambda i: self.raw.execute(sql, args(i)).fetchall(), repetitions)

    def open_days(self, count: int, back: int = 365) -> list[dt.date]:
        """``count`` days the clinic was open within ``back`` days before the anchor."""
        days = [day for (day,) in self.raw.execute(
            "SELECT DISTINCT date(start) FROM appointment WHERE start >= ? AND start < ?",
            ((self.anchor - dt.timedelta(days=back)).isoformat(),
             self.anchor.isoformat()))]
        return [dt.date.fromisoformat(d) for d in self.rng.sample(days, min(count, len(days)))]


APPOINTMENT_ROWS = """
SELECT a.id, a.start, a."end", a.patient_id, p.first_name, p.last_name, p.preferred_name,
       a.service_id, s.name, s.category, a.provider_id, u.display_name, a.room_id, r.name,
       a.device_id, d.name, a.status, a.notes, a.late_cancel, a.series_id, a.version
FROM appointment a JOIN patient p ON p.id = a.patient_id JOIN service s ON s.id = a.service_id
LEFT JOIN "user" u ON u.id = a.provider_id LEFT JOIN room r ON r.id = a.room_id
LEFT JOIN device d ON d.id = a.device_id
"""


def _day_args(days: list[dt.date]) -> Callable[[int], tuple]:
    def args(i: int) -> tuple:
        day = days[i % len(days)]
        return day.isoformat(), (day + dt.timedelta(days=1)).isoformat()
    return args


def day_view_fetch(c: Context) -> Result:
    days = c.open_days(60)
    samples = times_ms(lambda i: appointments.day_schedule(c.desk, days[i % len(days)]),
                       c.reps(200))
    lower = c.lower(APPOINTMENT_ROWS + " WHERE a.start >= ? AND a.start < ? "
                    "ORDER BY a.start, a.id", _day_args(days), c.reps(200))
    per_day = c.raw.execute("SELECT COUNT(*) FROM appointment WHERE start >= ? AND start < ?",
                            _day_args(days)(0)).fetchone()[0]
    return Result.timed("schedule day view, all providers: fetch", 10, samples, lower=lower,
                        details={"appointments_that_day": per_day})


def _painted_days(c: Context, repetitions: int, view: tuple | None = None) -> list[float]:
    """Times of showing the schedule tab (in ``view``, else the day by provider) on busy days
    and painting it."""
    from medspa_desktop.ui.schedule.tab import ScheduleTab

    days = c.open_days(60)
    tab = ScheduleTab(c.desk)
    tab.resize(1280, 800)
    tab.show()
    if view is not None:
        tab.set_view(*view)

    def show(i: int) -> None:
        tab.set_day(days[i % len(days)])
        tab.grab()

    samples = times_ms(show, repetitions)
    tab.close()
    return samples


def day_view_paint(c: Context) -> Result:
    return Result.timed("schedule day view, all providers: fetch + paint", 50,
                        _painted_days(c, c.reps(100)))


def week_view_paint(c: Context) -> Result:
    return Result.timed("week view for one provider: fetch + paint", 50,
                        _painted_days(c, c.reps(60), ("week", "provider", c.injector.id)))


def book_and_move(c: Context) -> Result:
    """Book a visit (conflict checks, write, history, audit), then move it 30 minutes."""
    service = Service.get(Service.name == "Botox Cosmetic")
    room = c.raw.execute("SELECT id FROM room ORDER BY id").fetchone()[0]
    patient_ids = [p for (p,) in c.raw.execute(
        "SELECT id FROM patient WHERE archived = 0 ORDER BY id DESC LIMIT 500")]
    # past the booked weeks, on weekdays, where every slot is free
    days = [c.anchor + dt.timedelta(days=n) for n in range(40, 400)]
    days = [d for d in days if d.weekday() < 5]
    booked: list = []

    def book(i: int) -> None:
        start = dt.datetime.combine(days[i // 8], dt.time(9)) + dt.timedelta(hours=i % 8)
        data = appointments.AppointmentInput(patient_ids[i % len(patient_ids)], service.id,
                                             c.injector.id, start,
                                             start + dt.timedelta(minutes=30), room_id=room)
        booked.append(appointments.book_appointment(c.desk, data))

    def move(i: int) -> None:
        appt = booked[i]
        appointments.move_appointment(c.desk, appt.id, appt.version,
                                      appt.start + dt.timedelta(minutes=30),
                                      appt.end + dt.timedelta(minutes=30))

    book_ms = times_ms(book, c.reps(100), warmup=0)
    move_ms = times_ms(move, len(booked), warmup=0)
    return Result.timed("book or move an appointment", 20, book_ms + move_ms,
                        details={"book_median_ms": sorted(book_ms)[len(book_ms) // 2],
                                 "move_median_ms": sorted(move_ms)[len(move_ms) // 2]})


@contextlib.contextmanager
def _sending(c: Context):
    """The clinic sends email and text messages while the reminder rows run, then as before.
    Nothing is ever sent: the mail server and the SMS endpoint are addresses that lead
    nowhere, no password or token is stored, and the benchmark runs no timed work — a booking
    only writes its reminders to the outbox, as it does at the desk."""
    before = sending.message_settings()
    sending.save_settings(c.admin, sending.MessageSettings(
        sending.MailSettings("mail.benchmark.invalid", 587, "starttls", "",
                             "desk@benchmark.invalid"),
        sending.SmsSettings("twilio", "AC-benchmark", "+15550100", "http://127.0.0.1:9"),
        before.quiet_from, before.quiet_until))
    try:
        yield
    finally:
        sending.save_settings(c.admin, before)


def _reachable(c: Context, count: int) -> list[int]:
    """Patients with an email address and a mobile number who said yes to reminders and to
    offers (their answers recorded here, not timed)."""
    ids = [p for (p,) in c.raw.execute(
        "SELECT id FROM patient WHERE archived = 0 AND merged_into_id IS NULL AND email LIKE "
        "'%@%.%' AND phone <> '' ORDER BY id DESC LIMIT ?", (count,))]
    for patient_id in ids:
        contact_consent.record_answers(c.admin, patient_id, {"reminders": True,
                                                             "marketing": True})
    return ids


def _reminded_bookings(c: Context, first_day: int, count: int, timed: bool = False):
    """``count`` bookings of reachable patients from ``first_day`` days after the anchor (on
    weekdays, past every other row's bookings, where every slot is free), each queueing its
    reminders; the bookings' times when ``timed``."""
    service = Service.get(Service.name == "Botox Cosmetic")
    room = c.raw.execute("SELECT id FROM room ORDER BY id").fetchone()[0]
    patient_ids = _reachable(c, min(count, 200))
    days = [c.anchor + dt.timedelta(days=n) for n in range(first_day, first_day + 400)]
    days = [d for d in days if d.weekday() < 5]
    booked: list = []

    def book(i: int) -> None:
        start = dt.datetime.combine(days[i // 8], dt.time(9)) + dt.timedelta(hours=i % 8)
        booked.append(appointments.book_appointment(c.desk, appointments.AppointmentInput(
            patient_ids[i % len(patient_ids)], service.id, c.injector.id, start,
            start + dt.timedelta(minutes=30), room_id=room)))

    if timed:
        return booked, times_ms(book, count, warmup=0)
    for i in range(count):
        book(i)
    return booked, []


def book_with_reminders(c: Context) -> Result:
    """A booking in a clinic that sends reminders: its checks and write, and its reminders
    (two emails with the calendar invitation) queued in the same transaction."""
    with _sending(c):
        _booked, took = _reminded_bookings(c, 420, c.reps(100), timed=True)
    return Result.timed("book an appointment, the clinic sending reminders", 20, took)


def move_with_reminders(c: Context) -> Result:
    """Moving a booking whose reminders are queued: withdrawn, and new ones queued."""
    with _sending(c):
        booked, _ = _reminded_bookings(c, 560, c.reps(100))

        def move(i: int) -> None:
            appt = booked[i]
            appointments.move_appointment(c.desk, appt.id, appt.version,
                                          appt.start + dt.timedelta(minutes=30),
                                          appt.end + dt.timedelta(minutes=30))

        took = times_ms(move, len(booked), warmup=0)
    return Result.timed("move an appointment, the clinic sending reminders", 20, took)


def cancel_with_reminders(c: Context) -> Result:
    """Cancelling a booking whose first reminder (with its invitation) went out: the rest
    withdrawn, and a cancellation queued so the patient's calendar drops the event."""
    from medspa_desktop.store.models import OutboxMessage

    with _sending(c):
        booked, _ = _reminded_bookings(c, 700, c.reps(100))
        first = (OutboxMessage.select(OutboxMessage.appointment, fn.MIN(OutboxMessage.id))
                 .where(OutboxMessage.appointment.in_([a.id for a in booked]))
                 .group_by(OutboxMessage.appointment).tuples())
        OutboxMessage.update(state="sent").where(
            OutboxMessage.id.in_([key for _, key in first])).execute()

        def cancel(i: int) -> None:
            appt = booked[i]
            appointments.change_status(c.desk, appt.id, "cancelled", appt.version,
                                       reason="the patient is unwell")

        took = times_ms(cancel, len(booked), warmup=0)
    return Result.timed("cancel an appointment, the clinic sending reminders", 20, took)


def check_in_with_reminders(c: Context) -> Result:
    """Checking in a booking whose reminders are queued (they are left as they are)."""
    with _sending(c):
        booked, _ = _reminded_bookings(c, 840, c.reps(100))

        def check_in(i: int) -> None:
            appt = booked[i]
            appointments.change_status(c.desk, appt.id, "arrived", appt.version)

        took = times_ms(check_in, len(booked), warmup=0)
    return Result.timed("check in, the clinic sending reminders", 20, took)


def _typed_names(c: Context, count: int) -> list[str]:
    rows = c.raw.execute("SELECT last_name, first_name FROM patient ORDER BY random() "
                         "LIMIT ?", (count,)).fetchall()
    names = [last for last, _ in rows[: count // 2]]
    names += [f"{last} {first[:3]}" for last, first in rows[count // 2:]]
    return names + ["xq", "zzz"]  # and what finds nobody


def patient_search(c: Context) -> Result:
    """Every keystroke of typing names: "g", "ga", "gar"…, the first 50 results each."""
    typed = [name[:n] for name in _typed_names(c, c.reps(40))
             for n in range(1, len(name) + 1) if not name[:n].endswith(" ")]
    samples = times_ms(lambda i: patients.search_patients(c.desk, typed[i % len(typed)],
                                                          limit=50), len(typed))
    return Result.timed("patient search, per keystroke, first 50", 10, samples,
                        details={"keystrokes": len(typed)})


def _regulars(c: Context, count: int) -> list[int]:
    """Patients to open: most at random among those seen, a few of the most frequent."""
    busiest = [p for (p,) in c.raw.execute(
        "SELECT patient_id FROM appointment GROUP BY patient_id ORDER BY COUNT(*) DESC "
        "LIMIT ?", (max(2, count // 10),))]
    seen = [p for (p,) in c.raw.execute(
        "SELECT patient_id FROM appointment WHERE start >= ? ORDER BY random() LIMIT ?",
        ((c.anchor - dt.timedelta(days=90)).isoformat(), count))]
    return busiest + seen


def open_chart(c: Context) -> Result:
    ids = _regulars(c, c.reps(100))

    def open_one(i: int) -> None:
        chart.open_chart(c.director, ids[i % len(ids)])  # what the chart window calls

    samples = times_ms(open_one, len(ids))
    lower = c.lower(APPOINTMENT_ROWS + " WHERE a.patient_id = ? ORDER BY a.start DESC",
                    lambda i: (ids[i % len(ids)],), len(ids))
    most = c.raw.execute("SELECT COUNT(*) FROM appointment WHERE patient_id = ?",
                         (ids[0],)).fetchone()[0]
    return Result.timed("open a chart (header, alerts, timeline)", 50, samples, lower=lower,
                        details={"busiest_patient_appointments": most})


def open_chart_window(c: Context) -> Result:
    from medspa_desktop.ui.patients.chart import ChartDialog

    ids = _regulars(c, c.reps(40))

    def open_one(i: int) -> None:
        dialog = ChartDialog(c.director, ids[i % len(ids)])
        dialog.show()
        dialog.grab()
        dialog.close()
        dialog.deleteLater()

    samples = times_ms(open_one, len(ids))
    return Result.timed("open a chart window, painted", 50, samples)


LOG_ROWS = """
SELECT t.appointment_id, a.start, p.first_name, p.last_name, p.preferred_name, u.display_name,
       t.modality, s.name, pr.name, pr.unit, l.lot_number, m.change_centi
FROM treatment_record t JOIN appointment a ON a.id = t.appointment_id
JOIN service s ON s.id = a.service_id JOIN patient p ON p.id = t.patient_id
JOIN "user" u ON u.id = t.provider_id
LEFT JOIN stock_movement m ON m.appointment_id = t.appointment_id AND m.kind = 'use'
LEFT JOIN lot l ON l.id = m.lot_id LEFT JOIN product pr ON pr.id = l.product_id
"""


def treatment_log_first_page(c: Context) -> Result:
    ends = [c.anchor - dt.timedelta(days=30 * n) for n in range(12)]
    f = [LogFilter(date_from=e - dt.timedelta(days=365), date_to=e) for e in ends]
    samples = times_ms(lambda i: treatment_log(c.director, f[i % len(f)], limit=200),
                       c.reps(60))
    sql = (LOG_ROWS + " WHERE a.start >= ? AND a.start < ? ORDER BY a.start DESC, t.id DESC LIMIT 200")
    lower = c.lower(sql, lambda i: (f[i % len(f)].date_from.isoformat(),
                                    (f[i % len(f)].date_to + dt.timedelta(days=1)).isoformat()),
                    c.reps(60))
    return Result.timed("treatment log, first page of a one-year filter", 50, samples,
                        lower=lower)


def lot_recall(c: Context) -> Result:
    lots = [n for (n,) in c.raw.execute(
        "SELECT l.lot_number FROM lot l JOIN stock_movement m ON m.lot_id = l.id "
        "WHERE m.kind = 'use' GROUP BY l.id ORDER BY COUNT(*) DESC LIMIT 20")]
    samples = times_ms(lambda i: inventory.recall(c.director, lots[i % len(lots)]), c.reps(40))
    lower = c.lower(
        "SELECT a.start, p.id, p.first_name, p.last_name, p.chart_number, p.phone, p.email, "
        "pr.name, l.lot_number, m.change_centi, pr.unit, u.display_name, a.id "
        "FROM stock_movement m JOIN lot l ON l.id = m.lot_id JOIN product pr "
        "ON pr.id = l.product_id JOIN patient p ON p.id = m.patient_id JOIN appointment a "
        "ON a.id = m.appointment_id JOIN \"user\" u ON u.id = a.provider_id "
        "WHERE l.lot_number = ? AND m.kind = 'use' ORDER BY a.start DESC, m.id DESC",
        lambda i: (lots[i % len(lots)],), c.reps(40))
    size = c.raw.execute("SELECT COUNT(*) FROM stock_movement m JOIN lot l ON l.id = m.lot_id "
                         "WHERE l.lot_number = ? AND m.kind = 'use'", (lots[0],)).fetchone()[0]
    return Result.timed("lot recall (who received lot X)", 50, samples, lower=lower,
                        details={"patients_in_largest_lot": size})


def consent_pdf(c: Context) -> Result:
    """Sign a consent on screen: the PDF with both signatures, stored and audited."""
    template = consent_templates.current(c.desk, "neurotoxin")
    ids = _regulars(c, c.reps(30))
    signature = grey_png(480, 160, background=0xFF, ink_row=90)

    def sign(i: int) -> None:
        printouts.sign_consent(c.desk, signing.SigningInput(
            ids[i % len(ids)], template.id,
            tuple("AB" if s.initials else "" for s in template.sections), signature,
            signature))

    samples = times_ms(sign, len(ids))
    return Result.timed("consent PDF with signatures", 100, samples)


def invoice_pdf(c: Context) -> Result:
    ids = [i for (i,) in c.raw.execute("SELECT id FROM invoice ORDER BY random() LIMIT ?",
                                       (c.reps(40),))]
    samples = times_ms(lambda i: printouts.invoice_pdf(c.desk, ids[i % len(ids)], True),
                       len(ids))
    return Result.timed("invoice PDF", 50, samples)


# the lower bound of a report: a period's invoices with their lines
INVOICE_LINES = """
SELECT i.*, l.kind, l.gross_cents - l.discount_cents, s.category
FROM invoice i JOIN invoice_line l ON l.invoice_id = i.id
LEFT JOIN service s ON s.id = l.service_id
WHERE i.issued_at >= ? AND i.issued_at < ?
"""


def daily_close(c: Context) -> Result:
    days = c.open_days(40)
    samples = times_ms(lambda i: billing_reports.daily_close(c.admin, days[i % len(days)]),
                       c.reps(40))
    lower = c.lower(INVOICE_LINES, _day_args(days), c.reps(40))
    return Result.timed("daily close", 100, samples, lower=lower)


def month_report(c: Context) -> Result:
    """One month's sales report, added up and laid out as its PDF (the preview's work)."""
    months = []  # the twelve months before the anchor's
    last = c.anchor.replace(day=1) - dt.timedelta(days=1)
    for _ in range(12):
        months.append((last.replace(day=1), last))
        last = last.replace(day=1) - dt.timedelta(days=1)
    samples = times_ms(lambda i: printouts.sales_report_pdf(c.admin, *months[i % len(months)]),
                       c.reps(24))

    def month_args(i: int) -> tuple:
        first, last = months[i % len(months)]
        return first.isoformat(), (last + dt.timedelta(days=1)).isoformat()

    lower = c.lower(INVOICE_LINES, month_args, c.reps(24))
    return Result.timed("one month's sales report (PDF)", 500, samples, lower=lower)


def _year(c: Context) -> tuple[dt.date, dt.date]:
    """The twelve whole months before the anchor's month (a report's "last 12 months")."""
    last = c.anchor.replace(day=1) - dt.timedelta(days=1)
    first = (last.replace(day=1) - dt.timedelta(days=335)).replace(day=1)
    return first, last


def _year_args(c: Context) -> Callable[[int], tuple]:
    first, last = _year(c)
    return lambda _i: (first.isoformat(), (last + dt.timedelta(days=1)).isoformat())


YEAR_APPOINTMENTS = """
SELECT provider_id, room_id, device_id, start, "end" FROM appointment
WHERE start >= ? AND start < ? AND status NOT IN ('cancelled', 'no_show')
"""


def utilisation_year(c: Context) -> Result:
    """The schedule's use over twelve months (the Reports tab's heat map), with the open time
    of the next 14 days."""
    first, last = _year(c)
    now = dt.datetime.combine(c.anchor, dt.time(9))
    samples = times_ms(lambda _i: utilisation.utilisation(c.admin, first, last, now=now),
                       c.reps(10))
    lower = c.lower(YEAR_APPOINTMENTS, _year_args(c), c.reps(10))
    return Result.timed("the schedule's use, 12 months (report)", 500, samples, lower=lower)


YEAR_INJECTABLES = """
SELECT a.start, a.id, m.patient_id, p.name, p.kind, p.unit, u.display_name, m.change_centi
FROM appointment a JOIN stock_movement m ON m.appointment_id = a.id
JOIN lot l ON l.id = m.lot_id JOIN product p ON p.id = l.product_id
LEFT JOIN treatment_record t ON t.appointment_id = a.id LEFT JOIN "user" u ON u.id = t.provider_id
WHERE a.start >= ? AND a.start < ? AND m.kind = 'use'
  AND p.kind IN ('toxin', 'filler', 'solution')
"""


def injectables_year(c: Context) -> Result:
    """Units per month, provider and patient over twelve months, and the stock's value."""
    first, last = _year(c)

    def report(_i: int) -> None:
        treatments.injectable_use(c.admin, first, last)
        treatments.stock_value(c.admin, c.anchor)

    samples = times_ms(report, c.reps(10))
    lower = c.lower(YEAR_INJECTABLES, _year_args(c), c.reps(10))
    return Result.timed("injectables and stock, 12 months (report)", 500, samples, lower=lower)


def staff_pay_year(c: Context) -> Result:
    """Every provider's pay figures over twelve months."""
    first, last = _year(c)
    samples = times_ms(lambda _i: staff_pay.staff_pay(c.admin, first, last), c.reps(10))
    lower = c.lower(INVOICE_LINES, _year_args(c), c.reps(10))
    return Result.timed("staff pay, 12 months (report)", 500, samples, lower=lower)


def revenue_year(c: Context) -> Result:
    """Net sales by month with the year before, by category, provider and service, compared
    with the twelve months before (every Revenue page reads this)."""
    period = Period(*_year(c))
    samples = times_ms(lambda _i: revenue.revenue(c.admin, period, compare=True), c.reps(10))
    lower = c.lower(INVOICE_LINES, _year_args(c), c.reps(10))
    return Result.timed("revenue, 12 months (report)", 500, samples, lower=lower)


def memberships_year(c: Context) -> Result:
    """Members and MRR per month, new and cancelled, dues invoiced and collected, compared
    with the twelve months before (both Memberships pages read this). Its lower bound: the
    period's invoices with their lines, which the dues are found among."""
    period = Period(*_year(c))
    samples = times_ms(lambda _i: membership_reports.membership_figures(
        c.admin, period, compare=True), c.reps(10))
    lower = c.lower(INVOICE_LINES, _year_args(c), c.reps(10))
    return Result.timed("memberships, 12 months (report)", 500, samples, lower=lower)


YEAR_VISITS = """
SELECT patient_id, start, provider_id, status, late_cancel, created_at FROM appointment
WHERE start >= ? AND start < ?
"""


def _patients_row(c: Context, name: str, call) -> Result:
    period = Period(*_year(c))
    samples = times_ms(lambda _i: call(c.admin, period), c.reps(10))
    lower = c.lower(YEAR_VISITS, _year_args(c), c.reps(10))
    return Result.timed(f"{name}, 12 months (report)", 500, samples, lower=lower)


def patient_flow_year(c: Context) -> Result:
    """New and returning patients per month and each month's return-rate cohort."""
    return _patients_row(c, "new, returning and return rate",
                         lambda actor, period: patient_reports.patient_flow(
                             actor, period, today=c.anchor))


def rebooking_year(c: Context) -> Result:
    return _patients_row(c, "rebooking rate", patient_reports.rebooking)


def no_shows_year(c: Context) -> Result:
    return _patients_row(c, "no-shows and late cancellations", patient_reports.no_shows)


def lost_year(c: Context) -> Result:
    return _patients_row(c, "patients lost", lambda actor, period: patient_reports.lost_patients(
        actor, period, today=c.anchor))


def audit_chain(c: Context) -> Result:
    rows = c.raw.execute("SELECT COUNT(*) FROM audit_event").fetchone()[0]
    calls = []
    started = time.perf_counter()
    problems = audit.verify_chain(progress=lambda done, total: calls.append(done))
    seconds = time.perf_counter() - started
    return Result("audit chain verification", "rows/s", 200_000, value=rows / seconds,
                  repetitions=1, interactive=False,
                  note="" if not problems else f"{len(problems)} problems found",
                  details={"rows": rows, "seconds": seconds, "progress_reports": len(calls)})


def backup_throughput(c: Context) -> Result:
    size = c.path.stat().st_size
    with tempfile.TemporaryDirectory(dir=c.path.parent) as folder:
        started = time.perf_counter()
        shutil.copyfile(c.path, Path(folder) / "raw-copy.db")
        raw_s = time.perf_counter() - started
        os.unlink(Path(folder) / "raw-copy.db")
        result = backup.create_backup(c.admin, Path(folder) / "backups", reason="benchmark")
    return Result("backup", "share", 0.5, value=raw_s / result.seconds, repetitions=1,
                  interactive=False,
                  details={"bytes": size, "raw_copy_s": raw_s, "backup_s": result.seconds,
                           "raw_mb_per_s": size / raw_s / 1e6,
                           "backup_mb_per_s": size / result.seconds / 1e6})


def _child(*args: str, timeout: float) -> dict:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-m", "benchmarks.processes", *args], env=env,
                         capture_output=True, text=True, timeout=timeout,
                         cwd=Path(__file__).resolve().parent.parent)
    if out.returncode != 0:
        raise RuntimeError(f"benchmark child {args[0]} failed: {out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def cold_start_sign_in(c: Context) -> Result:
    """A new process, until the sign-in dialog is painted: what a person waits for after
    double-clicking the program (to the paint the process reports, not to its exit). On a
    server the sign-in paints first and the server opens behind it: the details say how long
    after the paint it was ready."""
    samples, ready, found = [], [], {}
    for _ in range(5 if c.quick else 11):
        started = time.time()
        found = _child("sign-in", c.target or str(c.path), timeout=120)
        samples.append((found["painted_at"] - started) * 1000)
        if found.get("ready_ms") is not None:
            ready.append(found["ready_ms"])
    details = {"modules": found.get("modules")}
    note = f"imported: {', '.join(found['imported'])}" if found.get("imported") else ""
    if ready:
        details["server_ready_after_paint_ms"] = {
            "median": statistics.median(ready), "max": max(ready)}
        note = (note + "; " if note else "") + (
            f"the server open {statistics.median(ready):.0f} ms after the paint (median)")
    return Result.timed("cold start to the painted sign-in", 600, samples, note=note,
                        details=details)


def cold_start(c: Context) -> Result:
    """A new process, until the main window is painted with the anchor day's schedule."""
    samples = []
    for _ in range(3 if c.quick else 7):
        started = time.perf_counter()
        _child("cold-start", c.target or str(c.path), c.anchor.isoformat(), timeout=120)
        samples.append((time.perf_counter() - started) * 1000)
    return Result.timed("cold start to the painted main window", 1500, samples)


def scroll_log(c: Context) -> list[Result]:
    """Scroll the treatment log end to end over all the years, in a process of its own (so
    its peak memory is the log's): the longest page load, and the peak RSS after it."""
    found = _child("scroll", str(c.path), timeout=3600)
    stall = Result("treatment log, scroll end to end: longest page", "ms", 100,
                   median=found["median_ms"], p95=found["max_ms"], repetitions=found["pages"],
                   details={"rows": found["rows"], "pages": found["pages"]})
    memory = Result("memory after scrolling the whole log", "MB", 400,
                    value=found["peak_rss_mb"], repetitions=1, interactive=False,
                    details={"rows": found["rows"]})
    return [stall, memory]


IMPORTED_PATIENTS = 40_000


def patient_import(c: Context) -> list[Result]:
    """A clinic moving in from another system: 40,000 patients from CSV into a new, empty
    clinic file, in a process of its own (its peak memory is the import's). Not scaled: it
    is the size of a large clinic's list, whatever the benchmark clinic's size."""
    count = 2_000 if c.quick else IMPORTED_PATIENTS
    with tempfile.TemporaryDirectory(dir=c.path.parent) as folder:
        found = _child("import", folder, str(count), timeout=1800)
    note = f"{found['imported']:,} imported" + (" (quick: not the 40,000 of the target)"
                                                if c.quick else "")
    dry = Result(f"import {IMPORTED_PATIENTS:,} patients from CSV: dry run", "ms", 30_000,
                 median=found["dry_run_s"] * 1000, p95=found["dry_run_s"] * 1000,
                 repetitions=1, interactive=False, note=note)
    real = Result(f"import {IMPORTED_PATIENTS:,} patients from CSV: import", "ms", 30_000,
                  median=found["import_s"] * 1000, p95=found["import_s"] * 1000,
                  repetitions=1, interactive=False, note=note)
    memory = Result(f"memory importing {IMPORTED_PATIENTS:,} patients", "MB", 400,
                    value=found["peak_rss_mb"], repetitions=1, interactive=False)
    return [dry, real, memory]


def export_everything(c: Context) -> list[Result]:
    """File → Export clinic data… of the whole clinic (FHIR, CSV, documents, photos), in a
    process of its own: its time (target under 5 minutes at scale 1) and its peak memory.
    Then the round trip: that export imported into a new, empty clinic file (the first run's
    "Move in from an export…"), in a process of its own: its time and peak memory."""
    with tempfile.TemporaryDirectory(dir=c.path.parent) as folder:
        export = str(Path(folder) / "export")
        found = _child("export", str(c.path), c.admin.username, export, timeout=3600)
        back = _child("import-clinic", export, str(Path(folder) / "moved" / "clinic.db"),
                      timeout=3600)
    back_details = {"rows": back["rows"], "memory_before_import_mb": back["before_mb"]}
    imported = Result("import a clinic export into a new clinic (the round trip)", "ms",
                      300_000, median=back["seconds"] * 1000, p95=back["seconds"] * 1000,
                      repetitions=1, interactive=False, details=back_details)
    import_memory = Result("memory peak while importing a clinic export", "MB", 400,
                           value=back["peak_rss_mb"], repetitions=1, interactive=False,
                           details=back_details)
    details = {"resources": found["counts"], "files": found["files"], "bytes": found["bytes"],
               "memory_before_export_mb": found["before_mb"]}
    took = Result("export the whole clinic (File → Export clinic data)", "ms", 300_000,
                  median=found["seconds"] * 1000, p95=found["seconds"] * 1000, repetitions=1,
                  interactive=False, details=details)
    memory = Result("memory peak while exporting the whole clinic", "MB", 400,
                    value=found["peak_rss_mb"], repetitions=1, interactive=False,
                    details=details)
    return [took, memory, imported, import_memory]


ACTIONS: tuple[Callable[[Context], Result | list[Result]], ...] = (
    cold_start_sign_in, cold_start, day_view_fetch, day_view_paint, week_view_paint, book_and_move,
    book_with_reminders, move_with_reminders, cancel_with_reminders, check_in_with_reminders,
    patient_search, open_chart, open_chart_window, treatment_log_first_page, scroll_log,
    lot_recall, consent_pdf, invoice_pdf, daily_close, month_report, utilisation_year,
    injectables_year, staff_pay_year, revenue_year, memberships_year, patient_flow_year, rebooking_year,
    no_shows_year, lost_year, audit_chain,
    backup_throughput, patient_import, export_everything,
)
# Not timed again for the growth column: each reads everything, so it grows with the data.
NOT_INTERACTIVE = (scroll_log, audit_chain, backup_throughput, patient_import, export_everything)
