"""The sign-in dialog. Every session names a person: there are no shared logins."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
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
from .widgets.messages import ErrorLabel


class LoginDialog(QDialog):
    """Opens with an empty name, always: a name left from the last person would make the next
    one's wrong passwords count against that account's lockout. Enter in either field signs in
    (in the name field, with no password yet, it moves to the password); there is no default
    button whose state a mouse click could change."""

    def __init__(self, clinic_name: str, hint: str = "", parent=None) -> None:
        super().__init__(parent)
        self.user: User | None = None
        self.setWindowTitle(f"Sign in — {APP_NAME}")
        self.setMinimumWidth(380)

        heading = QLabel(f"<h2>{html.escape(clinic_name or APP_NAME)}</h2>")
        heading.setTextFormat(Qt.TextFormat.RichText)
        prompt = QLabel("Sign in to continue." + (f"<br>{html.escape(hint)}" if hint else ""))
        prompt.setTextFormat(Qt.TextFormat.RichText)
        self.username = QLineEdit()
        self.username.setAccessibleName("User name")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Password")
        self.message = ErrorLabel()

        form = QFormLayout()
        form.addRow("&User name", self.username)
        form.addRow("&Password", self.password)
        buttons = QDialogButtonBox()
        self.sign_in = buttons.addButton("Sign in", QDialogButtonBox.ButtonRole.AcceptRole)
        quit_button = buttons.addButton("Quit", QDialogButtonBox.ButtonRole.RejectRole)
        for button in (self.sign_in, quit_button):
            button.setAutoDefault(False)
        buttons.accepted.connect(self.try_sign_in)
        buttons.rejected.connect(self.reject)
        self.username.returnPressed.connect(self._enter_in_name)
        self.password.returnPressed.connect(self.try_sign_in)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(prompt)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.username.setFocus()

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
        try:
            self.user = auth.authenticate(self.username.text(), self.password.text())
        except AuthError as exc:
            self.message.say(str(exc))
            self.password.clear()
            self.password.setFocus()
            return
        self.accept()
