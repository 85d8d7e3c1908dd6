"""The front desk's outbox, the admin's messages settings (with a real test email to a mail
server on loopback) and the main window's timed work."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QItemSelectionModel

from medspa_desktop.services.messaging import outbox, sending
from medspa_desktop.services.platform import settings
from medspa_desktop.store.models import OutboxMessage, Service
from medspa_desktop.ui.main_window import MainWindow
from medspa_desktop.ui.messages_dialog import MessagesDialog
from medspa_desktop.ui.outbox_dialog import OutboxDialog
from tests.conftest import shots
from tests.services.messaging.conftest import (  # noqa: F401 - fixtures
    credential_store,
    mail_server,
    use_mail_server,
)


def shot(widget, name: str) -> None:
    assert widget.grab().save(str(shots() / f"{name}.png"))


def select(dialog: OutboxDialog, message_id: int) -> None:
    for row in range(dialog.model.rowCount()):
        if dialog.model.row_at(row).id == message_id:
            dialog.table.selectionModel().select(
                dialog.model.index(row, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows)
            return
    raise AssertionError(f"message {message_id} is not listed")


def test_the_desk_sees_a_failed_message_with_the_servers_answer_and_retries_it(qtbot, admin):
    failed = outbox.enqueue(admin, to_address="ann@patients.example", kind="recall",
                            subject="We miss you", body="Hello")
    waiting = outbox.enqueue(admin, to_address="bo@patients.example", kind="recall",
                             subject="Time for a touch-up", body="Hello")
    OutboxMessage.update(state="failed", last_error="550 5.1.1 User unknown").where(
        OutboxMessage.id == failed).execute()
    dialog = OutboxDialog(admin)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.count.text() == "2 messages"
    select(dialog, failed)
    assert dialog.retry_button.isEnabled() and dialog.withdraw_button.isEnabled()
    listed = dialog.model.row_at(dialog.list.selected_row())
    assert (listed.state, listed.last_error) == ("Failed", "550 5.1.1 User unknown")
    shot(dialog, "outbox")
    dialog.retry_button.click()
    assert OutboxMessage.get_by_id(failed).state == "queued"
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 2)
    select(dialog, waiting)
    assert not dialog.retry_button.isEnabled()  # only a failed one is retried
    dialog.withdraw_button.click()
    assert OutboxMessage.get_by_id(waiting).state == "withdrawn"
    dialog.show_state("withdrawn")
    assert [dialog.model.row_at(r).id for r in range(dialog.model.rowCount())] == [waiting]


def test_the_admin_sets_up_the_mail_server_and_the_test_email_arrives(
        qtbot, admin, mail_server, credential_store):  # noqa: F811 - fixtures
    dialog = MessagesDialog(admin)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.host.setText("127.0.0.1")
    dialog.port.setValue(mail_server.port)
    dialog.security.setCurrentIndex(dialog.security.findData("none"))
    dialog.from_address.setText("desk@glow.example")
    dialog.test_to.setText("owner@glow.example")
    dialog.test_button.click()
    qtbot.waitUntil(lambda: dialog.test_answer.text().startswith("The mail server accepted"),
                    timeout=20_000)
    assert "250" in dialog.test_answer.text()
    [envelope] = mail_server.inbox.envelopes
    assert envelope.rcpt_tos == ["owner@glow.example"]
    botox = dialog.services.findText("Botox Cosmetic")
    dialog.services.setCurrentIndex(botox)
    dialog.preparation.setPlainText("No alcohol the day before.")
    dialog.mail_user.setText("desk")
    dialog.password.setText("typed-Secret-1")
    dialog.by_category["filler"].setText("7")
    shot(dialog, "messages_settings")
    dialog.save_button.click()
    assert dialog.message.text() == ""
    chosen = sending.message_settings()
    assert (chosen.mail.host, chosen.mail.port, chosen.mail.from_address) == (
        "127.0.0.1", mail_server.port, "desk@glow.example")
    assert sending.stored_secret("mail", "desk", "127.0.0.1") == "typed-Secret-1"
    assert settings.get(settings.REMINDER_DAYS_BY_CATEGORY[1]) == "7"
    assert Service.get(Service.name == "Botox Cosmetic").preparation == \
        "No alcohol the day before."


def test_a_template_mistake_is_said_in_the_dialog_and_nothing_is_saved(qtbot, admin):
    dialog = MessagesDialog(admin)
    qtbot.addWidget(dialog)
    dialog.host.setText("smtp.glow.example")
    dialog.from_address.setText("desk@glow.example")
    dialog.body_text.setPlainText("Hello {name}")
    dialog.save_button.click()
    assert "{name}, which is not a placeholder" in dialog.message.text()
    assert sending.message_settings().mail.host == ""


def test_a_test_email_to_a_server_that_is_down_says_so(qtbot, admin, mail_server):  # noqa: F811
    port = mail_server.port
    mail_server.stop()
    dialog = MessagesDialog(admin)
    qtbot.addWidget(dialog)
    dialog.host.setText("127.0.0.1")
    dialog.port.setValue(port)
    dialog.security.setCurrentIndex(dialog.security.findData("none"))
    dialog.from_address.setText("desk@glow.example")
    dialog.test_to.setText("owner@glow.example")
    dialog.test_button.click()
    qtbot.waitUntil(lambda: dialog.test_answer.text().startswith("Not sent"), timeout=20_000)
    assert "could not be reached" in dialog.test_answer.text()


@pytest.fixture
def window(qtbot, admin):
    w = MainWindow(admin, remember=False)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.timed_timer.stop()


def test_the_windows_timed_work_sends_and_the_status_bar_shows_what_failed(
        qtbot, window, admin, mail_server, credential_store):  # noqa: F811
    use_mail_server(admin, mail_server.port, quiet=("00:00", "00:00"))  # never quiet
    outbox.enqueue(admin, to_address="ann@patients.example", kind="recall", body="Hello",
                   due_at=dt.datetime.now() - dt.timedelta(minutes=1))
    outbox.enqueue(admin, to_address="gone@nobody.example", kind="recall", body="Hello",
                   due_at=dt.datetime.now() - dt.timedelta(minutes=1))
    assert window.outbox_action.isEnabled() and window.messages_action.isEnabled()
    window.run_timed_work()
    qtbot.waitUntil(lambda: window._timed_task is None, timeout=20_000)
    assert len(mail_server.inbox.envelopes) == 1
    assert window.outbox_label.isVisible() and window.outbox_label.text() == "1 message not sent"
    failed = OutboxMessage.get(OutboxMessage.state == "failed")
    outbox.withdraw(admin, failed.id)
    qtbot.waitUntil(lambda: not window.outbox_label.isVisible())
