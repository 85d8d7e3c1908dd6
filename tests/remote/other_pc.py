"""Another PC (or a command line beside the window) on the clinic's database: a process of its
own that does what it is told on stdin and says "DONE <id>" once it has committed.

    python -m tests.remote.other_pc DB
    book HH:MM       book Botox with the director on DAY at HH:MM (the first room)
    patient NAME     register a patient NAME Remote
    sell             check out a retail sale of the first product on sale to that patient
    present PC       the director signs in at the PC named PC (a presence row)
    write ID         …and starts writing a note on patient ID's chart
    leave            …and signs out
    phone ID NUMBER  the director corrects patient ID's phone to NUMBER
    admin PC         the admin signs in at the PC named PC
    room ID NAME     …and renames room ID to NAME
    slot MINUTES     …and sets the schedule's grid to MINUTES (the settings screen's save)
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import fields, replace

from medspa_desktop.services.billing import invoices
from medspa_desktop.services.charts import patients
from medspa_desktop.services.clinic import catalog
from medspa_desktop.services.platform import presence
from medspa_desktop.services.scheduling import appointments, hours
from medspa_desktop.store.database import close_database, open_database
from medspa_desktop.store.models import Product, Room, Service, User

DAY = dt.date(2031, 3, 4)  # a Tuesday far from the demo's bookings


def main(target: str) -> int:
    open_database(target)
    director = User.get(User.username == "director")
    admin = User.select().where(User.role == "admin").order_by(User.id).first()
    botox = Service.get(Service.category == "neurotoxin")
    room = Room.select().order_by(Room.id).first()
    patient = patients.create_patient(director, patients.PatientInput(
        "Other", "Pc", dt.date(1985, 5, 5)))
    here = None  # this process's presence row
    print("READY", flush=True)
    for line in sys.stdin:
        command, _, argument = line.strip().partition(" ")
        if command == "book":
            start = dt.datetime.combine(DAY, dt.time.fromisoformat(argument))
            made = appointments.book_appointment(director, appointments.AppointmentInput(
                patient.id, botox.id, director.id, start,
                start + dt.timedelta(minutes=botox.default_minutes), room_id=room.id))
            print("DONE", made.id, flush=True)
        elif command == "present":
            here = presence.begin(director, argument)
            print("DONE", here, flush=True)
        elif command == "write":
            presence.editing(director, here, int(argument), presence.WRITING_A_NOTE)
            print("DONE", argument, flush=True)
        elif command == "leave":
            presence.end(director, here)
            print("DONE", here, flush=True)
        elif command == "sell":
            product = (Product.select().where(Product.active, Product.price_cents > 0)
                       .order_by(Product.id).first())
            made = invoices.issue_invoice(director, invoices.CheckoutInput(
                patient.id, (invoices.product_line(director, product.id),)))
            print("DONE", made.id, flush=True)
        elif command == "phone":
            patient_id, number = argument.split(" ", 1)
            on_file = patients.patient_details(director, int(patient_id))
            data = patients.PatientInput(**{f.name: getattr(on_file, f.name)
                                            for f in fields(patients.PatientInput)})
            patients.update_patient(director, on_file.id, replace(data, phone=number),
                                    on_file.version)
            print("DONE", on_file.id, flush=True)
        elif command == "admin":
            print("DONE", presence.begin(admin, argument), flush=True)
        elif command == "room":
            room_id, name = argument.split(" ", 1)
            stored = Room.get_by_id(int(room_id))
            catalog.rename_room(admin, stored.id, name, stored.version)
            print("DONE", stored.id, flush=True)
        elif command == "slot":
            hours.set_schedule_settings(admin, slot=int(argument))
            print("DONE", argument, flush=True)
        elif command == "patient":
            made = patients.create_patient(director, patients.PatientInput(
                argument, "Remote", dt.date(1990, 1, 1)))
            print("DONE", made.id, flush=True)
    close_database()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
