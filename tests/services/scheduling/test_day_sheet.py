"""The day sheet's data: who, when, with which alerts; and that printing it is audited."""

from __future__ import annotations

import datetime as dt

from medspa_desktop.services.charts import intake, patients
from medspa_desktop.services.platform import auth
from medspa_desktop.services.scheduling import appointments, day_sheet
from medspa_desktop.store.models import AuditEvent, Room, Service

DAY = dt.date(2030, 1, 8)


def test_the_day_sheet_groups_by_provider_flags_minors_and_is_audited(admin):
    lee = auth.create_user(admin, auth.UserInput("lee", "Mia Lee", "medical_director",
                                                 "long-enough", "Dr Lee"))
    kim = auth.create_user(admin, auth.UserInput("kim", "Jo Kim", "provider", "long-enough"))
    teen = patients.create_patient(admin, patients.PatientInput(
        "Tia", "Young", DAY.replace(year=DAY.year - 16)))
    adult = patients.create_patient(admin, patients.PatientInput("Ann", "Lee",
                                                                 dt.date(1980, 1, 2)))
    intake.record_answers(admin, adult.id, {"keloids": False})
    botox = Service.get(Service.name == "Botox Cosmetic")
    for patient, provider, hour, room in ((teen, lee, 10, "Room 1"), (adult, kim, 11, "Room 2")):
        start = dt.datetime.combine(DAY, dt.time(hour))
        appointments.book_appointment(admin, appointments.AppointmentInput(
            patient.id, botox.id, provider.id, start, start + dt.timedelta(minutes=30),
            Room.get(Room.name == room).id))
    groups = day_sheet.day_sheet(admin, DAY)
    assert [g.title for g in groups] == ["Dr Lee", "Jo Kim"]
    assert groups[0].entries[0].alerts == (
        "Minor (16): a guardian must consent.", "No medical history on file",
        "Contraindicated: Under 18 (16): not for minors.")
    assert groups[1].entries[0].alerts == ()
    only_kim = day_sheet.day_sheet(admin, DAY, kim.id)
    assert [(g.title, len(g.entries)) for g in only_kim] == [("Jo Kim", 1)]
    one_list = day_sheet.day_sheet(admin, DAY, by_provider=False)
    assert [len(g.entries) for g in one_list] == [2]
    printed = AuditEvent.select().where(AuditEvent.action == "report.day_sheet").count()
    assert printed == 3
