"""Login and lock, the proof issue 8 asks for beside the others (sign-in lockout itself is
in tests/services/platform/test_auth.py). The screen lock: idle time locks the program behind a screen without patient data; only
the same person's password opens it; wrong ones lock the account as at sign-in; Ctrl+L locks
at once; Switch user signs out; every lock and unlock is audited."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel

from medspa_desktop.demo import DEMO_PASSWORD
from medspa_desktop.services.platform import auth
from medspa_desktop.store.models import AuditEvent, Patient
from medspa_desktop.ui.main_window import MainWindow
from tests.conftest import staff


def _window(qtbot) -> MainWindow:
    window = MainWindow(staff("frontdesk"), remember=False)
    qtbot.addWidget(window)
    window.show()
    return window


def _events(action: str) -> list[str]:
    return [e.summary for e in AuditEvent.select().where(AuditEvent.action == action)]


def test_idle_time_locks_and_only_the_same_password_unlocks(qtbot, demo_db):
    window = _window(qtbot)
    window.idle.set_timeout(300)
    qtbot.waitUntil(lambda: window.lock_screen is not None, timeout=3000)
    screen = window.lock_screen
    assert screen.isVisible() and screen.isFullScreen()
    shown = " ".join(label.text() for label in screen.findChildren(QLabel))
    names = {p.last_name for p in Patient.select(Patient.last_name)}
    assert not any(name in shown for name in names)  # no patient data on the lock
    assert QApplication.activeModalWidget() in (None, screen)
    assert _events("lock") == [f"idle {auth.lock_minutes()} minutes"]

    qtbot.keyClicks(screen.password, "not-it")
    qtbot.keyClick(screen.password, Qt.Key.Key_Return)
    assert screen.message.text() == "Wrong user name or password."
    assert window.lock_screen is screen
    screen.password.setText(DEMO_PASSWORD)
    screen.unlock_button.click()
    assert window.lock_screen is None and not screen.isVisible()
    assert _events("unlock") == ["unlocked the screen"]
    assert not window.idle.paused


def test_five_wrong_passwords_at_the_lock_lock_the_account(qtbot, demo_db):
    window = _window(qtbot)
    window.lock("locked by the user")
    screen = window.lock_screen
    for _ in range(5):
        screen.password.setText("wrong-one")
        screen.try_unlock()
    assert "locked after 5 wrong passwords" in screen.message.text()
    screen.password.setText(DEMO_PASSWORD)  # even the right one, for five minutes
    screen.try_unlock()
    assert window.lock_screen is screen
    screen.switch_button.click()
    qtbot.waitUntil(lambda: window.signed_out)
    assert window.lock_screen is None and not any(
        w.objectName() == "LockScreen" and w.isVisible() for w in QApplication.topLevelWidgets())


def test_ctrl_l_locks_at_once(qtbot, demo_db):
    window = _window(qtbot)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window.tabs.currentWidget(), Qt.Key.Key_L,
                   Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.lock_screen is not None, timeout=2000)
    assert _events("lock") == ["locked by the user"]
    window.lock_screen.password.setText(DEMO_PASSWORD)
    window.lock_screen.try_unlock()
    assert window.lock_screen is None
