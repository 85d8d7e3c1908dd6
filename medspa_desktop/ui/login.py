"""The sign-in dialog. Every session names a person: there are no shared logins.

On a clinic server the dialog shows at once and the server opens behind it
(``store.opening.ServerOpening``: the driver, the connection, the schema check) while the
person types; Sign in waits, saying "Connecting to the clinic's server…", only when it is
pressed before the server is ready. A server that cannot be reached says so in plain words,
with Retry: the window never freezes on the network.
"""

from __future__ import annotations

import contextlib
import html

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
)

from .. import APP_NAME
from ..services.platform import auth
from ..services.platform.errors import AuthError
from ..store.models import User
from ..store.opening import ServerOpening
from . import style
from .widgets.messages import ErrorLabel

CONNECTING = "Connecting to the clinic's server\u2026"


class _Over(QObject):
    """Carries the opening's end from its thread to the UI's (a queued signal)."""

    over = Signal(object)


def _clinic_at_sign_in() -> tuple[bool, str]:
    """What the sign-in needs of a clinic (read on the opening's thread): whether it is set
    up (else the first run) and its name."""
    from ..services.clinic import clinic

    set_up = clinic.is_set_up()
    return set_up, clinic.clinic_info().name if set_up else ""


class LoginDialog(QDialog):
    """Opens with an empty name, always: a name left from the last person would make the next
    one's wrong passwords count against that account's lockout. Enter in either field signs in
    (in the name field, with no password yet, it moves to the password); there is no default
    button whose state a mouse click could change."""

    def __init__(self, clinic_name: str, hint: str = "", parent=None,
                 server: str | None = None) -> None:
        super().__init__(parent)
        self.user: User | None = None
        # a clinic server: "connecting" until it is open ("ready") or cannot be ("failed")
        self.server_state = "connecting" if server else "ready"
        self.needs_first_run = False  # the server's clinic has no one yet: the first run
        self.opened_target = server  # the server's address with the password it opened with
        self._pending = False  # Sign in was pressed before the server was ready
        self._opening: ServerOpening | None = None
        self.setWindowTitle(f"Sign in — {APP_NAME}")
        self.setMinimumWidth(380)

        self.heading = heading = QLabel()
        heading.setTextFormat(Qt.TextFormat.RichText)
        self._show_clinic(clinic_name)
        prompt = QLabel("Sign in to continue." + (f"<br>{html.escape(hint)}" if hint else ""))
        prompt.setTextFormat(Qt.TextFormat.RichText)
        self.username = QLineEdit()
        self.username.setAccessibleName("User name")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Password")
        self.message = ErrorLabel()
        self.waiting = QLabel(CONNECTING)  # only while Sign in waits for the server
        self.waiting.setStyleSheet(style.QUIET_LINE)
        self.waiting.setAccessibleName("Connection")
        self.waiting.hide()

        form = QFormLayout()
        form.addRow("&User name", self.username)
        form.addRow("&Password", self.password)
        buttons = QDialogButtonBox()
        self.sign_in = buttons.addButton("Sign in", QDialogButtonBox.ButtonRole.AcceptRole)
        self.retry = buttons.addButton("Retry", QDialogButtonBox.ButtonRole.ActionRole)
        self.retry.hide()  # only when the server could not be opened
        quit_button = buttons.addButton("Quit", QDialogButtonBox.ButtonRole.RejectRole)
        for button in (self.sign_in, self.retry, quit_button):
            button.setAutoDefault(False)
        self.retry.clicked.connect(self.retry_server)
        buttons.accepted.connect(self.try_sign_in)
        buttons.rejected.connect(self.reject)
        self.username.returnPressed.connect(self._enter_in_name)
        self.password.returnPressed.connect(self.try_sign_in)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(prompt)
        layout.addLayout(form)
        layout.addWidget(self.waiting)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.username.setFocus()
        self._over = _Over()
        self._over.over.connect(self._server_over)
        if server:
            self._open_server(server)

    def _show_clinic(self, name: str) -> None:
        self.heading.setText(f"<h2>{html.escape(name or APP_NAME)}</h2>")

    # -- the clinic's server, opened behind the dialog ------------------------------------
    def _open_server(self, target: str) -> None:
        self.server_state = "connecting"
        self.retry.hide()
        self.sign_in.setEnabled(not self._pending)
        self.waiting.setVisible(self._pending)

        def over(opening: ServerOpening) -> None:  # on the opening's thread
            with contextlib.suppress(RuntimeError):  # the dialog is gone (the person quit)
                self._over.over.emit(opening)

        self._opening = ServerOpening(target, _clinic_at_sign_in, over).start()

    def _server_over(self, opening: ServerOpening) -> None:
        if opening is not self._opening:
            return  # an earlier try's late answer
        if opening.password_refused:
            from ..store import pc_server
            from .server_dialogs import ask_password

            bare = pc_server.without_password(opening.target)[0]
            password = ask_password(self, bare)
            if password is not None:
                self._open_server(pc_server.with_password(bare, password))
                return
            self._failed("The clinic's server needs its password to open. Retry to type it.")
            return
        if opening.refusal is not None:
            self._failed(opening.refusal)
            return
        opening.take_over()  # its connection is this thread's now: no second connect
        self.opened_target = opening.target
        self.server_state = "ready"
        set_up, name = opening.found
        self._show_clinic(name)
        self.waiting.hide()
        self.sign_in.setEnabled(True)
        if not set_up:
            self.needs_first_run = True
            self.reject()
            return
        if self._pending:
            self._pending = False
            self.try_sign_in()

    def _failed(self, words: str) -> None:
        self.server_state = "failed"
        self._pending = False
        self.waiting.hide()
        self.message.say(words)
        self.sign_in.setEnabled(False)
        self.retry.show()
        self.adjustSize()  # the words whole, below the fields (a wrapped label's height)
        self.retry.setFocus()

    def retry_server(self) -> None:
        self.message.hide()
        target = self._opening.target if self._opening is not None else self.opened_target
        if self._opening is not None and self._opening.password_refused:
            from ..store import pc_server

            target = pc_server.without_password(target)[0]  # the keyring's, then asked
        self._open_server(target)

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()  # the fields' returnPressed did what Enter does; never a 2nd try
            return
        super().keyPressEvent(event)

    def _enter_in_name(self) -> None:
        if self.username.text().strip() and not self.password.text():
            self.password.setFocus()
        else:
            self.try_sign_in()

    def try_sign_in(self) -> None:
        if not self.username.text().strip():
            self.message.say("Enter your user name.")
            self.username.setFocus()
            return
        if self.server_state != "ready":  # signs in by itself once the server is open
            self._pending = True
            self.message.hide()
            self.waiting.show()
            self.sign_in.setEnabled(False)
            if self.server_state == "failed":
                self.retry_server()
            return
        try:
            self.user = auth.authenticate(self.username.text(), self.password.text())
        except AuthError as exc:
            self.message.say(str(exc))
            self.password.clear()
            self.password.setFocus()
            return
        self.accept()
