"""Who gets a reminder and how; text messages through a real HTTP server on loopback; the
timed work."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from medspa_desktop.services.messaging import reminders, sending
from medspa_desktop.services.platform import timed_jobs
from medspa_desktop.services.platform.errors import ValidationError
from medspa_desktop.services.scheduling import appointments
from medspa_desktop.store.models import OutboxMessage, Patient, Service
from tests.services.messaging.conftest import use_mail_server
from tests.services.messaging.test_sending import DAY, book


class Provider(BaseHTTPRequestHandler):
    """Twilio's Messages endpoint as far as the adapter uses it."""

    posts: list = []

    def do_POST(self):  # noqa: N802 - http.server's name
        length = int(self.headers["Content-Length"])
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        Provider.posts.append((self.path, self.headers["Authorization"], form))
        if form["To"][0].endswith("0000000"):
            status, answer = 400, {"code": 21211,
                                   "message": "The 'To' number is not a valid phone number."}
        else:
            status, answer = 201, {"sid": "SM0123", "status": "queued"}
        body = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def sms_provider():
    Provider.posts = []
    server = HTTPServer(("127.0.0.1", 0), Provider)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_a_patient_without_email_gets_a_text_message_when_the_clinic_has_sms(
        glow, sms_provider):
    sending.save_settings(glow["admin"], sending.MessageSettings(
        sending.MailSettings("", 587, "starttls", "", ""),
        sending.SmsSettings("twilio", "AC123", "+13125550000", sms_provider), "20:00", "08:00"),
        sms_token="tw-token")
    Patient.update(email="").where(Patient.id == glow["ann"].id).execute()
    book(glow)
    rows = list(OutboxMessage.select().order_by(OutboxMessage.due_at))
    assert [(r.channel, r.to_address, r.ics) for r in rows] == [("sms", "3125550199", None)] * 2
    assert rows[0].body == ("Glow Med Spa: reminder of your Botox Cosmetic on Tuesday "
                            "8 January 2030 at 10:00. To change, call 312 555 0100.")
    assert sending.send_due(dt.datetime(2030, 1, 6, 8, 0)).sent == 1
    [(path, authorization, form)] = Provider.posts
    assert path == "/2010-04-01/Accounts/AC123/Messages.json"
    assert authorization.startswith("Basic ")
    assert form["To"] == ["3125550199"] and form["From"] == ["+13125550000"]
    assert OutboxMessage.get_by_id(rows[0].id).last_error == "201 SM0123 queued"


def test_a_number_no_sms_provider_takes_gets_no_text_and_the_booking_is_made(glow, sms_provider):
    """An imported chart's phone that is only an extension: the booking goes ahead without a
    text reminder (it was refused whole: "“12” is not a mobile number")."""
    sending.save_settings(glow["admin"], sending.MessageSettings(
        sending.MailSettings("", 587, "starttls", "", ""),
        sending.SmsSettings("twilio", "AC123", "+13125550000", sms_provider), "20:00", "08:00"),
        sms_token="tw-token")
    Patient.update(email="", phone="12").where(Patient.id == glow["ann"].id).execute()
    appointment = book(glow)
    assert appointment.id is not None
    assert OutboxMessage.select().count() == 0


def test_the_sms_provider_refusal_is_kept_in_its_words(glow, sms_provider):
    sending.save_settings(glow["admin"], sending.MessageSettings(
        sending.MailSettings("", 587, "starttls", "", ""),
        sending.SmsSettings("twilio", "AC123", "+13125550000", sms_provider), "20:00", "08:00"),
        sms_token="tw-token")
    from medspa_desktop.services.messaging import outbox

    message_id = outbox.enqueue(glow["admin"], to_address="+1 555 0000000", channel="sms",
                                kind="recall", body="Hello")
    assert sending.send_due(dt.datetime(2030, 1, 1, 10, 0)).failed == 1
    assert "not a valid phone number" in OutboxMessage.get_by_id(message_id).last_error


def test_no_reminder_without_a_way_to_send_until_the_clinic_sets_one_up(glow, mail_server):
    appt = book(glow)
    assert OutboxMessage.select().count() == 0
    assert timed_jobs.run_due(dt.datetime(2030, 1, 1, 9, 0), [
        timed_jobs.Job("reminders", reminders.queue_missing_reminders)])[0].summary == \
        "no way to send set up"
    use_mail_server(glow["admin"], mail_server.port)
    now = dt.datetime(2030, 1, 1, 9, 0)
    results = timed_jobs.run_due(now)
    assert [(r.name, r.failed) for r in results] == [("reminders", False), ("outbox", False),
                                                    ("membership dues", False),
                                                    ("membership credits expiring", False)]
    assert results[0].summary == "2 reminders queued"
    assert timed_jobs.run_due(now)[0].summary == "0 reminders queued"  # idempotent
    assert {m.appointment_id for m in OutboxMessage.select()} == {appt.id}


def test_an_appointment_booked_inside_the_reminder_window_gets_only_what_is_still_ahead(
        glow, mail_server):
    use_mail_server(glow["admin"], mail_server.port)
    soon = dt.datetime.now() + dt.timedelta(days=1)
    times = reminders.reminder_times(soon.replace(hour=11, minute=0), "neurotoxin",
                                     reminders.reminder_settings(), dt.datetime.now())
    assert times == [soon.replace(hour=8, minute=0, second=0, microsecond=0)]
    early = reminders.reminder_times(dt.datetime.combine(DAY, dt.time(7, 30)), "neurotoxin",
                                     reminders.reminder_settings(), dt.datetime(2030, 1, 1))
    assert early == [dt.datetime(2030, 1, 6, 8, 0)]  # no "morning of" after it started


def test_a_no_show_withdraws_and_a_category_may_have_its_own_timing(glow, mail_server):
    use_mail_server(glow["admin"], mail_server.port)
    chosen = reminders.reminder_settings()
    reminders.save_reminder_settings(glow["admin"], reminders.ReminderSettings(
        chosen.days_before, False, "09:30", {"neurotoxin": "5"}, chosen.subject, chosen.body,
        chosen.sms))
    appt = book(glow)
    assert [m.due_at for m in OutboxMessage.select()] == [dt.datetime(2030, 1, 3, 9, 30)]
    arrived = appt  # a no-show is marked on a booked appointment
    appointments.change_status(glow["admin"], arrived.id, "no_show", arrived.version)
    assert [m.state for m in OutboxMessage.select()] == ["withdrawn"]


def test_a_template_with_an_unknown_placeholder_is_refused(glow):
    chosen = reminders.reminder_settings()
    with pytest.raises(ValidationError, match=r"\{firstname\}, which is not a placeholder"):
        reminders.save_reminder_settings(glow["admin"], reminders.ReminderSettings(
            2, True, "08:00", {}, chosen.subject, "Hi {firstname}", chosen.sms))
    with pytest.raises(ValidationError, match="does not close"):
        reminders.save_reminder_settings(glow["admin"], reminders.ReminderSettings(
            2, True, "08:00", {}, chosen.subject, "Hi {first_name", chosen.sms))
    assert reminders.reminder_settings() == chosen


def test_a_job_that_fails_does_not_stop_the_others():
    def broken(now):
        raise RuntimeError("disk full")

    results = timed_jobs.run_due(dt.datetime(2030, 1, 1), [
        timed_jobs.Job("broken", broken), timed_jobs.Job("fine", lambda now: "done")])
    assert [(r.name, r.summary, r.failed) for r in results] == [
        ("broken", "RuntimeError: disk full", True), ("fine", "done", False)]


def test_a_patient_who_said_no_to_reminders_gets_none(glow, mail_server):
    from medspa_desktop.services.messaging import contact_consent

    use_mail_server(glow["admin"], mail_server.port)
    contact_consent.record_answers(glow["admin"], glow["ann"].id, {"reminders": False})
    book(glow)
    assert OutboxMessage.select().count() == 0
    assert timed_jobs.run_due(dt.datetime(2030, 1, 1, 9, 0))[0].summary == "0 reminders queued"


def test_the_messages_setup_saves_all_of_it_or_none(glow):
    """One refused part (a preparation text too long) leaves the mail server and the reminders'
    timing as they were: the dialog's Save is one transaction, not three."""
    before = sending.read_settings(glow["admin"])
    timing = reminders.read_reminder_settings(glow["admin"])
    chosen = sending.MessageSettings(
        sending.MailSettings("mail.glow.example", 587, "starttls", "desk", "desk@glow.example"),
        before.sms, "21:00", "07:00")
    later = dataclasses.replace(timing, days_before=3)
    with pytest.raises(ValidationError, match="at most 2000 characters"):
        reminders.save_setup(glow["admin"], chosen, later, {glow["botox"].id: "x" * 2001})
    assert sending.read_settings(glow["admin"]) == before
    assert reminders.read_reminder_settings(glow["admin"]).days_before == timing.days_before
    reminders.save_setup(glow["admin"], chosen, later, {glow["botox"].id: "Come without make-up."})
    assert sending.read_settings(glow["admin"]).mail.host == "mail.glow.example"
    assert reminders.read_reminder_settings(glow["admin"]).days_before == 3
    assert Service.get_by_id(glow["botox"].id).preparation == "Come without make-up."


def test_two_pcs_saving_the_messages_setup_keep_each_others_changes_and_refuse_a_clash(glow):
    """PC 1 opens Messages and reminders; PC 2 then changes the quiet hours. PC 1's save of
    the reminders' timing keeps PC 2's quiet hours; a save that changed the quiet hours too is
    refused as stale, naming who, and writes nothing."""
    from medspa_desktop.services.platform import settings
    from medspa_desktop.services.platform.errors import StaleEditError

    admin = glow["admin"]
    seen = settings.seen(*reminders.SETUP_SETTINGS)  # PC 1 opens the form
    opened, timing = sending.read_settings(admin), reminders.read_reminder_settings(admin)
    sending.save_settings(admin, dataclasses.replace(opened, quiet_from="19:00"))  # PC 2
    reminders.save_setup(admin, opened, dataclasses.replace(timing, days_before=4), {},
                         seen=seen)
    assert sending.read_settings(admin).quiet_from == "19:00"  # PC 2's change kept
    assert reminders.read_reminder_settings(admin).days_before == 4
    seen = settings.seen(*reminders.SETUP_SETTINGS)
    sending.save_settings(admin, dataclasses.replace(opened, quiet_from="18:00"))  # PC 2 again
    with pytest.raises(StaleEditError, match="changed the messages setup .* Cancel and open "
                       "it again to see what is stored now"):
        reminders.save_setup(admin, dataclasses.replace(opened, quiet_from="22:00"),
                             dataclasses.replace(timing, days_before=1), {}, seen=seen)
    assert sending.read_settings(admin).quiet_from == "18:00"
    assert reminders.read_reminder_settings(admin).days_before == 4  # nothing half-written
