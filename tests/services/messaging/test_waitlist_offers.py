"""A freed slot emailed to the waiting patients it suits, with the clinic's phone; a patient
who said no to messages, or has no email, is left out; one slot is offered once."""

from __future__ import annotations

import datetime as dt

from medspa_desktop.services.charts import patients
from medspa_desktop.services.messaging import contact_consent, waitlist_offers
from medspa_desktop.services.platform import auth
from medspa_desktop.services.scheduling import appointments, waitlist
from medspa_desktop.store.models import AuditEvent, OutboxMessage, Room, Service

DAY = dt.date.today() + dt.timedelta(days=7)
while DAY.weekday() == 6:
    DAY += dt.timedelta(days=1)


def at(hhmm: str) -> dt.datetime:
    return dt.datetime.combine(DAY, dt.time.fromisoformat(hhmm))


def test_the_freed_slot_is_emailed_to_those_waiting_who_may_be_messaged(admin):
    lee = auth.create_user(admin, auth.UserInput("lee", "Mia Lee", "medical_director",
                                                 "long-enough", "Dr Lee", "MD"))
    botox = Service.get(Service.name == "Botox Cosmetic")

    def person(first, email):
        return patients.create_patient(admin, patients.PatientInput(
            first, "Ng", dt.date(1980, 1, 2), email=email))

    taker, ann, bo, cy = (person("Tia", "tia@example.com"), person("Ann", "ann@example.com"),
                          person("Bo", "bo@example.com"), person("Cy", ""))
    taken = appointments.book_appointment(admin, appointments.AppointmentInput(
        taker.id, botox.id, lee.id, at("10:00"), at("10:30"), Room.get(Room.name == "Room 1").id))
    entries = [waitlist.add(admin, waitlist.WaitlistInput(p.id, botox.id, DAY, DAY))
               for p in (ann, bo, cy)]
    contact_consent.record_answers(admin, bo.id, {"reminders": False})
    appointments.change_status(admin, taken.id, "cancelled", taken.version, reason="unwell")

    outcome = waitlist_offers.offer_by_email(admin, [e.id for e in entries], at("10:00"),
                                             at("10:30"), lee.id)
    assert outcome.emailed == ("Ng, Ann",)
    assert dict(outcome.skipped) == {"Ng, Bo": "said no to messages",
                                     "Ng, Cy": "no email address"}
    [message] = OutboxMessage.select()
    assert (message.to_address, message.kind, message.patient_id) == (
        "ann@example.com", "waitlist_offer", ann.id)
    assert f"{at('10:00'):%A %d %B} at 10:00 with Dr Lee" in message.body
    assert "Call us on (555) 010-0100" in message.body
    assert AuditEvent.select().where(AuditEvent.action == "message.waitlist_offer").count() == 1

    again = waitlist_offers.offer_by_email(admin, [entries[0].id], at("10:00"), at("10:30"),
                                           lee.id)
    assert again.emailed == () and dict(again.skipped) == {
        "Ng, Ann": "already offered this slot"}
    assert OutboxMessage.select().count() == 1

