"""The one form frame: every form dialog opens with the cursor in a field, shows a refusal under
its fields without moving them or the Save button just clicked, and closes on Esc without
saving."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QDialog, QLineEdit

from medspa_desktop.store.models import Appointment, Patient, Service, TimeBlock, TreatmentRecord
from medspa_desktop.ui.patients.new_patient import NewPatientDialog
from medspa_desktop.ui.schedule.block_dialog import BlockTimeDialog
from medspa_desktop.ui.schedule.waitlist_dialogs import AddToWaitlistDialog
from medspa_desktop.ui.settings_dialog import ClinicSettingsDialog
from medspa_desktop.ui.staff_dialog import NewStaffDialog
from medspa_desktop.ui.treatments.record_dialog import TreatmentRecordDialog
from medspa_desktop.ui.treatments.record_preview import AmendDialog
from medspa_desktop.ui.widgets.form_dialog import FormDialog
from tests.conftest import staff


def _visit(category: str) -> int:
    return (Appointment.select().join(Service)
            .where(Service.category == category, Appointment.start < dt.datetime.now())
            .order_by(Appointment.start.desc()).first().id)


def _charted() -> int:
    return TreatmentRecord.select().first().appointment_id


DIALOGS = {
    "new patient": lambda: NewPatientDialog(staff("frontdesk")),
    "block time": lambda: BlockTimeDialog(staff("admin"), dt.datetime.now().replace(
        hour=10, minute=0, second=0, microsecond=0)),
    "clinic settings": lambda: ClinicSettingsDialog(staff("admin")),
    "add to waitlist": lambda: AddToWaitlistDialog(staff("frontdesk")),
    "amend a record": lambda: AmendDialog(staff("director"), _charted()),
    "chart a toxin": lambda: TreatmentRecordDialog(staff("director"), _visit("neurotoxin")),
    "chart a laser": lambda: TreatmentRecordDialog(staff("director"), _visit("laser_hair")),
    "new staff": lambda: NewStaffDialog(staff("admin")),
}
# What makes each form refuse: the form as it opens, or one field spoilt
SPOIL = {
    "block time": lambda d: d.end.setTime(d.start.time().addSecs(-3600)),
    "clinic settings": lambda d: d.day_hours[0].setText("11:00-ish"),
}


def _where(widget, dialog) -> QPoint:
    return widget.mapTo(dialog, QPoint(0, 0))


@pytest.mark.parametrize("name", DIALOGS)
def test_a_refusal_shows_under_the_fields_and_moves_nothing(qtbot, demo_db, name):
    dialog = DIALOGS[name]()
    qtbot.addWidget(dialog)
    assert isinstance(dialog, FormDialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    first = dialog.focusWidget()
    assert first is not None and not dialog.buttons.isAncestorOf(first), \
        "the form opens with the cursor in a field, not on Save"
    fields_at, save_at, size = _where(first, dialog), _where(dialog.save_button, dialog), \
        dialog.size()
    SPOIL.get(name, lambda d: None)(dialog)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.message.isVisible() and dialog.message.text()
    assert dialog.message.geometry().top() > first.mapTo(dialog, QPoint(0, first.height())).y()
    assert (_where(first, dialog), _where(dialog.save_button, dialog), dialog.size()) == \
        (fields_at, save_at, size), "the refusal moved the form"


def test_esc_closes_a_form_with_typing_in_it_without_saving_or_asking(qtbot, demo_db):
    patients_before, blocks_before = Patient.select().count(), TimeBlock.select().count()
    for dialog in (NewPatientDialog(staff("frontdesk")), DIALOGS["block time"]()):
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        typed = dialog.first_name if isinstance(dialog, NewPatientDialog) else dialog.reason
        assert isinstance(typed, QLineEdit)
        qtbot.keyClicks(typed, "Half typed")
        qtbot.keyClick(typed, Qt.Key.Key_Escape)
        assert not dialog.isVisible() and dialog.result() == QDialog.DialogCode.Rejected
    assert (Patient.select().count(), TimeBlock.select().count()) == \
        (patients_before, blocks_before)
