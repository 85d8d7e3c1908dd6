"""Several PCs on one PostgreSQL server: a message another PC is taking is skipped, not
waited for, and never taken twice."""

from __future__ import annotations

import datetime as dt

import psycopg

from medspa_desktop.services.clinic import clinic
from medspa_desktop.services.messaging import outbox, sending
from medspa_desktop.services.platform import auth
from medspa_desktop.store.models import OutboxMessage
from tests.conftest import PASSWORD


def test_a_message_another_pc_is_taking_is_skipped_not_waited_for(pg_server, pg_database):
    admin = clinic.create_clinic(
        clinic.ClinicInfo("Glow", "1 Main St", "555 010 0100", ""),
        auth.UserInput("admin", "Ada Admin", "admin", PASSWORD))
    due = dt.datetime(2030, 1, 1, 9, 0)
    first = outbox.enqueue(admin, to_address="ann@patients.example", kind="recall",
                           body="Hello", due_at=due)
    second = outbox.enqueue(admin, to_address="bo@patients.example", kind="recall",
                            body="Hello", due_at=due)
    other_pc = psycopg.connect(host=str(pg_server.socket_dir), user=pg_server.user,
                               dbname=pg_database)
    try:
        other_pc.execute("SET lock_timeout = '5s'")
        # the other PC is in the middle of its claim of the first message
        other_pc.execute("SELECT id FROM outbox_message WHERE id = %s FOR UPDATE", (first,))
        taken = sending.claim(due, ["email"])
        assert taken is not None and taken.id == second and taken.state == "sending"
        assert sending.claim(due, ["email"]) is None  # the first is still held elsewhere
    finally:
        other_pc.rollback()
        other_pc.close()
    again = sending.claim(due, ["email"])
    assert again is not None and again.id == first
    assert sending.claim(due, ["email"]) is None  # each taken once
    assert {m.state for m in OutboxMessage.select()} == {"sending"}
