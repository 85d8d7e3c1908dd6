"""A real mail server on loopback (aiosmtpd), a file credential store, and a clinic that sends
through them."""

from __future__ import annotations

import datetime as dt
import socket
import threading

import keyring
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from keyrings.alt.file import PlaintextKeyring

from medspa_desktop.services.charts import patients
from medspa_desktop.services.messaging import sending
from medspa_desktop.services.platform import auth, settings
from medspa_desktop.store.database import db
from medspa_desktop.store.models import Room, Service

FROM = "desk@glow.example"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """The server's side: every message it accepted, and what it answers."""

    def __init__(self) -> None:
        self.envelopes = []
        self.received = threading.Event()
        self.on_data = None  # called (in the server's thread) before it answers 250

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        if self.on_data is not None:
            self.on_data(envelope)
        self.received.set()
        return "250 2.0.0 Ok: queued as TEST1"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.endswith("@nobody.example"):
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"


class MailServer:
    def __init__(self, port: int, authenticator=None) -> None:
        self.port, self.inbox, self.authenticator = port, Inbox(), authenticator
        self.controller = None

    def start(self) -> MailServer:
        kwargs = {}
        if self.authenticator is not None:
            kwargs = {"authenticator": self.authenticator, "auth_require_tls": False}
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port, **kwargs)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def mail_server():
    server = MailServer(free_port()).start()
    yield server
    server.stop()


@pytest.fixture
def credential_store(tmp_path):
    """A file credential store of this test's own (the OS's is never touched)."""
    before = keyring.get_keyring()
    store = PlaintextKeyring()
    store.file_path = str(tmp_path / "keyring.cfg")
    keyring.set_keyring(store)
    yield store
    keyring.set_keyring(before)


def use_mail_server(admin, port: int, *, user: str = "", password: str | None = None,
                    quiet=("20:00", "08:00"), sms: sending.SmsSettings | None = None) -> None:
    sending.save_settings(admin, sending.MessageSettings(
        sending.MailSettings("127.0.0.1", port, "none", user, FROM),
        sms or sending.SmsSettings("", "", "", "https://api.twilio.com"), *quiet),
        mail_password=password)


@pytest.fixture
def glow(admin, credential_store):
    """A clinic in Chicago with a provider and a patient with an email address."""
    with db.atomic():
        settings.put({settings.CLINIC_TIME_ZONE: "America/Chicago",
                      settings.CLINIC_NAME: "Glow Med Spa",
                      settings.CLINIC_ADDRESS: "12 Lake St, Chicago IL 60601",
                      settings.CLINIC_PHONE: "312 555 0100"})
    lee = auth.create_user(admin, auth.UserInput("lee", "Mia Lee", "medical_director",
                                                 "long-enough", "Dr Lee", "MD"))
    ann = patients.create_patient(admin, patients.PatientInput(
        "Ann", "Park", dt.date(1980, 1, 2), email="ann@patients.example", phone="3125550199"))
    botox = Service.get(Service.name == "Botox Cosmetic")
    Service.update(preparation="Avoid blood thinners for 7 days before.").where(
        Service.id == botox.id).execute()
    return {"admin": admin, "lee": lee, "ann": ann, "botox": botox,
            "room": Room.get(Room.name == "Room 1")}


__all__ = ["AuthResult", "FROM", "MailServer", "free_port", "use_mail_server"]
