"""Every one-line text field in the program has a length limit, whether or not its form set
one: a pasted page of text stops at the limit."""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit

from medspa_desktop.ui.audit_dialog import AuditDialog
from medspa_desktop.ui.billing.prepaid_dialogs import SellGiftCardDialog, SellPackageDialog
from medspa_desktop.ui.main_window import MainWindow
from medspa_desktop.ui.patients.new_patient import NewPatientDialog
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
