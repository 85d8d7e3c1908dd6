"""Every one-line text field in the program has a length limit, whether or not its form set
one: a pasted page of text stops at the limit."""

from __future__ import annotations

import datetime as dt

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLineEdit

from medspa_desktop.services.platform import limits
from medspa_desktop.ui.audit_dialog import AuditDialog
from medspa_desktop.ui.billing.prepaid_dialogs import SellGiftCardDialog, SellPackageDialog
from medspa_desktop.ui.main_window import MainWindow
from medspa_desktop.ui.patients.new_patient import NewPatientDialog
from medspa_desktop.ui.schedule.booking_dialog import BookingDialog
from medspa_desktop.ui.schedule.waitlist_dialogs import AddToWaitlistDialog
from medspa_desktop.ui.settings_dialog import ClinicSettingsDialog
from medspa_desktop.ui.setup.services import ServiceDialog
from medspa_desktop.ui.setup.window import ClinicSetupWindow
from medspa_desktop.ui.staff_dialog import NewStaffDialog, OwnPasswordDialog
from medspa_desktop.ui.treatments.inventory_dialog import InventoryDialog
from medspa_desktop.ui.widgets.limits import DEFAULT_MAX_LENGTH, install_text_limits
from tests.conftest import staff


def test_no_text_field_takes_unlimited_text(qtbot, qapp, demo_db):
    install_text_limits(qapp)
    admin = staff("admin")
    patient_id = 1
    screens = [MainWindow(admin, remember=False), NewPatientDialog(admin),
               ClinicSettingsDialog(admin), NewStaffDialog(admin), OwnPasswordDialog(admin),
               SellGiftCardDialog(admin, patient_id), SellPackageDialog(admin, patient_id),
               AuditDialog(admin), InventoryDialog(admin), ClinicSetupWindow(admin),
               ServiceDialog(admin, 1)]
    fields = 0
    for screen in screens:
        qtbot.addWidget(screen)
        screen.show()
        qapp.processEvents()
        for edit in screen.findChildren(QLineEdit):
            if not edit.isVisible():
                continue
            fields += 1
            assert edit.maxLength() <= 500, (type(screen).__name__, edit.accessibleName())
            edit.setText("x" * 10_000)
            assert len(edit.text()) <= 500
        screen.close()
    assert fields > 30
    unlimited = QLineEdit()
    qtbot.addWidget(unlimited)
    unlimited.show()
    assert unlimited.maxLength() == DEFAULT_MAX_LENGTH


def test_notes_boxes_stop_where_the_service_would_refuse(qtbot, demo_db):
    """A pasted page in an appointment's or a waitlist entry's notes keeps what fits (the
    service's limit) instead of being refused on save with the typing lost."""
    admin = staff("admin")
    booking = BookingDialog(admin, dt.datetime.combine(dt.date.today(), dt.time(10)))
    waiting = AddToWaitlistDialog(admin)
    for dialog, limit in ((booking, limits.APPOINTMENT_NOTES), (waiting, limits.WAITLIST_NOTES)):
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.notes.setFocus()
        dialog.notes.insertPlainText("start ")
        QGuiApplication.clipboard().setText("a whole page " * 400)
        dialog.notes.paste()
        typed = dialog.notes.toPlainText()
        assert len(typed) == limit and typed.startswith("start a whole page")
        dialog.notes.insertPlainText("more")  # typing at the limit adds nothing
        assert dialog.notes.toPlainText() == typed
