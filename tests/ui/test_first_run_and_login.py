"""First start and sign-in, driven through the real dialogs."""

from __future__ import annotations

import functools

from PySide6.QtCore import QPoint, Qt

from medspa_desktop import demo
from medspa_desktop.services.clinic import clinic
from medspa_desktop.store.models import Patient, User
from medspa_desktop.ui.first_run import FirstRunDialog
from medspa_desktop.ui.login import LoginDialog
from tests.conftest import PASSWORD


def _fill_new_clinic(qtbot, dialog, confirm="s3cret-pass"):
    qtbot.keyClicks(dialog.clinic_name, "Glow Med Spa")
    qtbot.keyClicks(dialog.clinic_address, "12 Harbor Way")
    qtbot.keyClick(dialog.clinic_address, Qt.Key.Key_Return)
    qtbot.keyClicks(dialog.clinic_address, "Naples, FL")
    qtbot.keyClicks(dialog.clinic_phone, "(239) 555-0142")
    qtbot.keyClicks(dialog.clinic_tax_id, "59-7654321")
    qtbot.keyClicks(dialog.admin_name, "Olivia Owner")
    dialog.admin_username.clear()
    qtbot.keyClicks(dialog.admin_username, "olivia")
    qtbot.keyClicks(dialog.admin_password, "s3cret-pass")
    qtbot.keyClicks(dialog.admin_confirm, confirm)


def test_first_run_creates_the_clinic_and_signs_in_its_admin(qtbot, database):
    dialog = FirstRunDialog("test.db")
    qtbot.addWidget(dialog)
    dialog.show()
    _fill_new_clinic(qtbot, dialog)
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert dialog.result() == dialog.DialogCode.Accepted
    assert dialog.choice == "new" and dialog.user.username == "olivia"
    assert dialog.user.role == "admin"
    info = clinic.clinic_info()
    assert (info.name, info.phone, info.tax_id) == ("Glow Med Spa", "2395550142", "59-7654321")
    assert info.address == "12 Harbor Way\nNaples, FL"


def test_first_run_refuses_mismatched_passwords_and_writes_nothing(qtbot, database):
    dialog = FirstRunDialog("test.db")
    qtbot.addWidget(dialog)
    dialog.show()
    _fill_new_clinic(qtbot, dialog, confirm="something-else")
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert dialog.result() != dialog.DialogCode.Accepted
    assert dialog.message.text() == "The two passwords are not the same."
    assert not dialog.message.isHidden()
    assert User.select().count() == 0


def test_first_run_without_a_clinic_name_says_so(qtbot, database):
    dialog = FirstRunDialog("test.db")
    qtbot.addWidget(dialog)
    dialog.show()
    _fill_new_clinic(qtbot, dialog)
    dialog.clinic_name.clear()
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert dialog.message.text() == "Enter the clinic's name."
    assert User.select().count() == 0 and not clinic.is_set_up()


def test_first_run_can_open_the_demo_clinic_built_in_the_background(qtbot, database):
    small = functools.partial(demo.build_demo, patient_count=12, days_back=2, days_ahead=1)
    dialog = FirstRunDialog("test.db", build_demo=small)
    qtbot.addWidget(dialog)
    dialog.show()
    # click on the label's text, as a person would (the button is wider than its text)
    label_pos = QPoint(12, dialog.demo_radio.height() // 2)
    qtbot.mouseClick(dialog.demo_radio, Qt.MouseButton.LeftButton, pos=label_pos)
    assert dialog.demo_radio.isChecked()
    assert dialog.ok.text() == "Open demo clinic"
    with qtbot.waitSignal(dialog.accepted, timeout=30_000):
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert dialog.choice == "demo"
    assert Patient.select().count() == 12
    assert User.get(User.username == "frontdesk").role == "front_desk"


def _sign_in(qtbot, dialog, username, password):
    dialog.username.clear()
    qtbot.keyClicks(dialog.username, username)
    dialog.password.clear()
    qtbot.keyClicks(dialog.password, password)
    qtbot.mouseClick(dialog.sign_in, Qt.MouseButton.LeftButton)


def test_a_wrong_password_is_refused_in_the_dialog(qtbot, admin):
    dialog = LoginDialog("Test Clinic")
    qtbot.addWidget(dialog)
    dialog.show()
    _sign_in(qtbot, dialog, "admin", "wrong-password")
    assert dialog.user is None and dialog.result() != dialog.DialogCode.Accepted
    assert dialog.message.text() == "Wrong user name or password."
    assert dialog.password.text() == ""


def test_the_fifth_failure_locks_the_account_even_for_the_right_password(qtbot, admin):
    dialog = LoginDialog("Test Clinic")
    qtbot.addWidget(dialog)
    dialog.show()
    for _ in range(5):
        _sign_in(qtbot, dialog, "admin", "wrong-password")
    assert "locked after 5 wrong passwords" in dialog.message.text()
    _sign_in(qtbot, dialog, "admin", PASSWORD)
    assert dialog.user is None
    assert "locked" in dialog.message.text()


def test_the_right_password_signs_in(qtbot, admin):
    dialog = LoginDialog("Test Clinic")
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.username.text() == "" and dialog.focusWidget() is dialog.username
    qtbot.keyClicks(dialog.username, "admin")
    qtbot.keyClick(dialog.username, Qt.Key.Key_Return)  # on to the password, not a try
    assert dialog.focusWidget() is dialog.password and dialog.message.text() == ""
    qtbot.keyClicks(dialog.password, PASSWORD)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert dialog.result() == dialog.DialogCode.Accepted
    assert dialog.user.id == admin.id


def test_after_a_failed_try_with_the_button_enter_signs_in_and_counts_one_try(qtbot, admin):
    dialog = LoginDialog("Test Clinic")
    qtbot.addWidget(dialog)
    dialog.show()
    _sign_in(qtbot, dialog, "admin", "wrong-password")
    assert User.get_by_id(admin.id).failed_logins == 1
    assert dialog.focusWidget() is dialog.password and dialog.username.text() == "admin"
    qtbot.keyClicks(dialog.password, "wrong-again")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert User.get_by_id(admin.id).failed_logins == 2  # one Enter, one try
    qtbot.keyClicks(dialog.password, PASSWORD)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert dialog.result() == dialog.DialogCode.Accepted and dialog.user.id == admin.id
