"""A refusal coming or going moves no control: the checkout's discount, reason and tip stay
where the user aims (a tip once went into "Discount reason"), the booking form's Book button
stays put, and so does the reason prompt's OK."""

from __future__ import annotations

from PySide6.QtCore import QPoint

from medspa_desktop.store.models import Patient
from medspa_desktop.ui.billing.checkout_dialog import CheckoutDialog
from medspa_desktop.ui.schedule.booking_dialog import BookingDialog
from medspa_desktop.ui.widgets.reason_prompt import ReasonDialog
from tests.conftest import staff
from tests.ui.test_checkout import visit  # noqa: F401 (fixture)
from tests.ui.test_schedule import _book, quiet_weekday


def _places(dialog, *widgets) -> list[tuple[int, int, int, int]]:
    out = []
    for w in widgets:
        at = w.mapTo(dialog, QPoint(0, 0))
        out.append((at.x(), at.y(), w.width(), w.height()))
    return out


def test_the_checkout_discount_error_moves_neither_the_reason_nor_the_tip(qtbot, visit):  # noqa: F811
    dialog = CheckoutDialog(staff("frontdesk"), visit.id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    fields = (dialog.discount, dialog.discount_reason, dialog.tip, dialog.issue_button,
              dialog.table)
    before = _places(dialog, *fields)
    qtbot.keyClicks(dialog.discount, "10")  # a discount needs a reason: the form says so
    qtbot.wait(10)
    assert dialog.message.isVisible() and "reason" in dialog.message.text()
    assert _places(dialog, *fields) == before
    qtbot.keyClicks(dialog.discount_reason, "loyalty")
    qtbot.wait(10)
    assert dialog.message.isHidden()
    assert _places(dialog, *fields) == before
    qtbot.keyClicks(dialog.tip, "5")
    assert dialog.tip.text() == "5" and dialog.discount_reason.text() == "loyalty"


def test_the_booking_forms_messages_move_no_field_or_button(qtbot, demo_db):
    day = quiet_weekday()
    taken = _book("Zoë", "injector", day, "10:00", room="Room 2")
    dialog = BookingDialog(staff("frontdesk"), taken.start, provider_id=staff("injector").id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    watched = (dialog.service, dialog.notes, dialog.book_button)
    before = _places(dialog, *watched)
    assert dialog.problems.text() == "Choose the patient."
    other = Patient.select().where(Patient.id != taken.patient_id).first()
    dialog.picker.set_patient(other.id, other.last_name)  # Priya is busy: a reason appears
    qtbot.wait(10)
    assert dialog.reason.isVisible()
    assert _places(dialog, *watched) == before
    dialog.time.setTime(dialog.time.time().addSecs(3 * 3600))  # free then: all clear
    qtbot.wait(10)
    assert dialog.problems.isHidden() and dialog.reason.isHidden()
    assert _places(dialog, *watched) == before


def test_the_reason_prompts_refusal_moves_nothing(qtbot):
    def refuse(_reason: str) -> bool:
        dialog.message.say("Someone changed this appointment meanwhile: look again.")
        return False

    dialog = ReasonDialog("Cancel appointment", "Why?", on_ok=refuse)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.keyClicks(dialog.text, "unwell")
    before = _places(dialog, dialog.text, dialog.ok_button)
    dialog.ok_button.click()
    assert dialog.isVisible() and dialog.message.isVisible()
    assert _places(dialog, dialog.text, dialog.ok_button) == before
    assert dialog.text.toPlainText() == "unwell"
