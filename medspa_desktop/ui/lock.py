"""The screen lock: after the clinic's idle minutes (a warning half a minute before), or at
once with Ctrl+L, every window of the program is covered by a screen that shows no patient
data. The same person's password opens it again; "Switch user" signs out instead.

Open dialogs stay as they were underneath (a half-written note is not lost); the lock covers
every screen and takes all input until it is opened.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from .. import APP_NAME
from ..services.platform import auth
from ..services.platform.errors import AuthError
from ..store.models import User
from . import style
from .widgets.messages import ErrorLabel

WARNING_MS = 30_000
ACTIVITY = {QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove, QEvent.Type.KeyPress,
            QEvent.Type.Wheel, QEvent.Type.TouchBegin, QEvent.Type.TabletPress}


class IdleWatcher(QObject):
    """Any key, click, touch or mouse movement in the program restarts the countdown."""

    warn = Signal()
    idle = Signal()

    def __init__(self, timeout_ms: int, parent=None) -> None:
        super().__init__(parent)
        self.timeout_ms = timeout_ms
        self.paused = False
        self._warn = QTimer(self, singleShot=True)
        self._warn.timeout.connect(self.warn)
        self._idle = QTimer(self, singleShot=True)
        self._idle.timeout.connect(self.idle)
        QApplication.instance().installEventFilter(self)
        self.restart()

    def set_timeout(self, timeout_ms: int) -> None:
        self.timeout_ms = timeout_ms
        self.restart()

    def restart(self) -> None:
        if self.paused:
            return
        self._idle.start(self.timeout_ms)
        if self.timeout_ms > 2 * WARNING_MS:
            self._warn.start(self.timeout_ms - WARNING_MS)

    def pause(self) -> None:
        self.paused = True
        self._idle.stop()
        self._warn.stop()

    def resume(self) -> None:
        self.paused = False
        self.restart()

    def stop(self) -> None:
        self.pause()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        if event.type() in ACTIVITY and not self.paused:
            self.restart()
        return False


class LockScreen(QWidget):
    """Full screen over every window; the signed-in person's password, or switch user."""

    unlocked = Signal()
    switch_user = Signal()

    def __init__(self, user: User, clinic_name: str) -> None:
        super().__init__(None, Qt.WindowType.Window | Qt.WindowType.FramelessWindowHint
                         | Qt.WindowType.WindowStaysOnTopHint)
        self.user = user
        self.setWindowTitle(f"{APP_NAME} — locked")
        self.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.setObjectName("LockScreen")
        self.setStyleSheet(style.LOCK_SCREEN)
        title = QLabel(f"<h1>{html.escape(clinic_name or APP_NAME)}</h1>")
        title.setTextFormat(Qt.TextFormat.RichText)
        who = QLabel(f"Locked. {html.escape(user.display_name)}, type your password to go on.")
        who.setTextFormat(Qt.TextFormat.RichText)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Password")
        self.password.setPlaceholderText("Password")
        self.password.setMinimumWidth(280)
        self.password.returnPressed.connect(self.try_unlock)
        self.message = ErrorLabel()
        self.message.setStyleSheet(style.LOCK_MESSAGE)
        self.unlock_button = QPushButton("&Unlock")
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self.try_unlock)
        self.switch_button = QPushButton("&Switch user")
        self.switch_button.clicked.connect(self.switch_user)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.password)
        row.addWidget(self.unlock_button)
        row.addWidget(self.switch_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        for label in (title, who):
            layout.addWidget(label, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addLayout(row)
        self.message.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.message)
        layout.addStretch(3)
        self.covers: list[QWidget] = []  # blank covers for the other screens

    def cover(self) -> None:
        screens = QGuiApplication.screens()
        if screens:
            self.setGeometry(screens[0].geometry())
        self.showFullScreen()
        for screen in screens[1:]:
            blank = QWidget(None, Qt.WindowType.Window | Qt.WindowType.FramelessWindowHint
                            | Qt.WindowType.WindowStaysOnTopHint)
            blank.setStyleSheet(style.LOCK_BLANK)
            blank.setGeometry(screen.geometry())
            blank.showFullScreen()
            self.covers.append(blank)
        self.raise_()
        self.activateWindow()
        self.password.setFocus()

    def try_unlock(self) -> None:
        try:
            auth.unlock(self.user, self.password.text())
        except AuthError as exc:
            self.password.clear()
            self.message.say(str(exc))
            return
        self.close_cover()
        self.unlocked.emit()

    def close_cover(self) -> None:
        for blank in self.covers:
            blank.close()
            blank.deleteLater()
        self.covers.clear()
        self.close()
        self.deleteLater()
