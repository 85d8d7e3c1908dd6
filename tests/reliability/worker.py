"""A separate process that writes to a clinic database the way the program does — run by
the reliability tests, never by a person:

    python -m tests.reliability.worker crash DB SEED      write until killed; print "ACK ..."
                                                          after each commit returns
    python -m tests.reliability.worker desk DB SEED N     N bookings, moves, cancellations and
                                                          retail checkouts; print a JSON summary
    python -m tests.reliability.worker window DB SEED     open the file as the window does (the
                                                          start-up checks, the background check),
                                                          then 5 patients per line read on stdin;
                                                          "ACK ..." after each commit, "WAITING"
                                                          after each 5
    python -m tests.reliability.worker open-and-quit DB   open it as the window does, and quit
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sys
from decimal import Decimal

from medspa_desktop.services.billing import invoices
from medspa_desktop.services.charts import patients
from medspa_desktop.services.platform.errors import DomainError
from medspa_desktop.services.scheduling import appointments
from medspa_desktop.store.database import close_database, open_database
from medspa_desktop.store.models import Appointment, Room, Service, User

DAY = dt.date(2030, 1, 8)  # a Tuesday: the clinic is open 09:00–18:00
SLOTS = 32
DAYS = 4  # Tuesday to Friday


def _at(slot: int) -> dt.datetime:
    """One of SLOTS quarter-hours on one of five weekdays: busy, so the PCs collide."""
    day = DAY + dt.timedelta(days=slot // SLOTS)
    return dt.datetime.combine(day, dt.time(9)) + dt.timedelta(minutes=15 * (slot % SLOTS))


def crash(rng: random.Random) -> None:
    """Patients, their bookings and their retail sales, acknowledged one commit at a time."""
    admin = User.get(User.username == "admin")
    botox = Service.get(Service.name == "Botox Cosmetic")
    peel = Service.get(Service.name == "Chemical peel, medium")
    provider = User.get(User.username == "lee")
    while True:
        p = patients.create_patient(admin, patients.PatientInput(
            f"Crash{rng.randrange(10**9)}", "Test", dt.date(1980, 1, 1)))
        print(f"ACK patient {p.id}", flush=True)
        start = dt.datetime.combine(DAY + dt.timedelta(days=7 * p.id), dt.time(9))  # a Tuesday
        a = appointments.book_appointment(admin, appointments.AppointmentInput(
            p.id, botox.id, provider.id, start, start + dt.timedelta(minutes=30),
            Room.select().first().id))
        print(f"ACK appointment {a.id}", flush=True)
        invoice = invoices.issue_invoice(admin, invoices.CheckoutInput(p.id, (invoices.LineDraft(
            "service", "Peel", Decimal(1), 9000, service_id=peel.id),)))
        print(f"ACK invoice {invoice.number}", flush=True)


def desk(rng: random.Random, operations: int) -> dict:
    """The front desk of one PC, racing the other for the same slots."""
    admin = User.get(User.username == "admin")
    providers = list(User.select().where(User.role == "provider").order_by(User.id))
    rooms = list(Room.select().order_by(Room.id))[:2]
    botox = Service.get(Service.name == "Botox Cosmetic")
    peel = Service.get(Service.name == "Chemical peel, medium")
    patient_ids = [p.id for p in patients.search_patients(admin, "test")]
    done = {"booked": 0, "moved": 0, "cancelled": 0, "refused": 0, "invoices": []}
    mine: list[int] = []
    for _ in range(operations):
        kind = rng.choices(("book", "move", "cancel", "checkout"), (5, 3, 1, 2))[0]
        try:
            if kind == "book":
                slot = rng.randrange(DAYS * SLOTS)
                appt = appointments.book_appointment(admin, appointments.AppointmentInput(
                    rng.choice(patient_ids), botox.id, rng.choice(providers).id, _at(slot),
                    _at(slot) + dt.timedelta(minutes=rng.choice((15, 30, 45))),
                    rng.choice(rooms).id))
                mine.append(appt.id)
                done["booked"] += 1
            elif kind == "move" and mine:
                appt = Appointment.get_by_id(rng.choice(mine))
                slot = rng.randrange(DAYS * SLOTS)
                appointments.move_appointment(admin, appt.id, appt.version, _at(slot),
                                              _at(slot) + dt.timedelta(minutes=30),
                                              room_id=rng.choice(rooms).id)
                done["moved"] += 1
            elif kind == "cancel" and mine:
                appt = Appointment.get_by_id(mine.pop(rng.randrange(len(mine))))
                appointments.change_status(admin, appt.id, "cancelled", appt.version,
                                           reason="test")
                done["cancelled"] += 1
            elif kind == "checkout":
                invoice = invoices.issue_invoice(admin, invoices.CheckoutInput(
                    rng.choice(patient_ids), (invoices.LineDraft(
                        "service", "Peel", Decimal(1), 9000, service_id=peel.id),)))
                invoices.take_payment(admin, invoice.id, invoices.PaymentInput("cash", 9000))
                done["invoices"].append(invoice.number)
        except DomainError:
            done["refused"] += 1  # a clash or a stale version: refused cleanly
    return done


def open_as_the_window_does(path: str) -> None:
    """What ``run_gui`` does with the file before anyone signs in: the start-up check, the
    opening and schema check, and the whole check in the background (waited for here)."""
    from medspa_desktop.store.database import DamageCheck
    from medspa_desktop.store.opening import open_clinic_database

    refusal = open_clinic_database(path)
    if refusal is not None:
        raise SystemExit(refusal)
    check = DamageCheck(path)
    check.run()
    if check.problems:
        raise SystemExit(f"damage: {check.problems}")


def window(rng: random.Random) -> None:
    admin = User.get(User.username == "admin")
    while True:
        for _ in range(5):
            p = patients.create_patient(admin, patients.PatientInput(
                f"Window{rng.randrange(10**9)}", "Test", dt.date(1980, 1, 1)))
            print(f"ACK patient {p.id}", flush=True)
        print("WAITING", flush=True)
        if not sys.stdin.readline():
            return


def main(argv: list[str]) -> int:
    mode, path = argv[0], argv[1]
    if mode in ("window", "open-and-quit"):
        open_as_the_window_does(path)
        if mode == "window":
            window(random.Random(int(argv[2])))
        close_database()
        return 0
    seed = int(argv[2])
    open_database(path)
    rng = random.Random(seed)
    if mode == "crash":
        crash(rng)
    else:
        print(json.dumps(desk(rng, int(argv[3]))), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
