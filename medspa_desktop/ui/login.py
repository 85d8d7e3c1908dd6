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
    def __init__(self, clinic_name: str, username: str = "", parent=None) -> None:
        super().__init__(parent)
        self.user: User | None = None
        self.setWindowTitle(f"Sign in — {APP_NAME}")
        self.setMinimumWidth(380)

        heading = QLabel(f"<h2>{html.escape(clinic_name or APP_NAME)}</h2>")
        heading.setTextFormat(Qt.TextFormat.RichText)
        prompt = QLabel("Sign in to continue.")
        self.username = QLineEdit(username)
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
        buttons.addButton("Quit", QDialogButtonBox.ButtonRole.RejectRole)
        self.sign_in.setDefault(True)
        buttons.accepted.connect(self.try_sign_in)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(prompt)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        (self.password if username else self.username).setFocus()

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
