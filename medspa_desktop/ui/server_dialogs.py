"""A clinic on a server, on screen: File → Move to a server… (an admin copies this clinic file
into an empty PostgreSQL database, verified, and this PC starts using it) and File → Connect to
the clinic's server… (another PC is pointed at it), and at start-up: the server's password
from the keyring or typed, and an old clinic file that says its clinic moved.

The copy runs as the program's own ``move-to-server`` command in a process of its own, off the
UI thread (``ops.background_op``): it opens the server through the one database proxy, which
this window keeps on the clinic file meanwhile. Its password goes to it through ``PGPASSWORD``
in its environment, never on its command line. Which server this PC uses is a per-PC setting
(``store/pc_server.py``), never the clinic database's.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..services.exchange import copy_clinic
from ..services.exchange.copy_clinic import MoveRefused
from ..store import pc_server
from ..store.database import db, is_postgres_url, is_sqlite
from ..store.models import ALL_MODELS, User
from .ops import background_op, op
from .widgets.messages import ErrorLabel
from .widgets.modal import run_modal

DEFAULT_PORT = 5432


class ServerFields(QWidget):
    """Where the server is: a pasted address, or its parts; the password is never stored in
    the clinic's database."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.address = QLineEdit()
        self.address.setPlaceholderText("postgresql://user@server/medspa (optional)")
        self.address.setAccessibleName("Server address")
        self.address.textEdited.connect(self._pasted)
        self.host = QLineEdit()
        self.host.setPlaceholderText("e.g. office-pc or 192.168.1.10")
        self.host.setAccessibleName("Server")
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(DEFAULT_PORT)
        self.port.setAccessibleName("Port")
        self.database = QLineEdit("medspa")
        self.database.setAccessibleName("Database")
        self.user = QLineEdit()
        self.user.setAccessibleName("User")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Password")
        for edit in (self.host, self.database, self.user, self.password):
            edit.setMaxLength(200)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Paste an address:", self.address)
        form.addRow("Server:", self.host)
        form.addRow("Port:", self.port)
        form.addRow("Database:", self.database)
        form.addRow("User:", self.user)
        form.addRow("Password:", self.password)

    def _pasted(self, text: str) -> None:
        text = text.strip()
        if not is_postgres_url(text):
            return
        parts = urlsplit(text)
        query = parse_qs(parts.query)
        self.host.setText(query.get("host", [parts.hostname or ""])[0])
        try:
            port = parts.port
        except ValueError:
            port = None
        self.port.setValue(int(query.get("port", [port or DEFAULT_PORT])[0]))
        self.database.setText(unquote(parts.path.lstrip("/")))
        self.user.setText(unquote(parts.username or ""))
        if parts.password:
            self.password.setText(unquote(parts.password))
        # the address box keeps no password on screen
        self.address.setText(pc_server.without_password(text)[0])

    def problem(self) -> str | None:
        if not self.host.text().strip():
            return "Type the server's name or address (or paste its postgresql:// address)."
        if not self.database.text().strip():
            return "Type the name of the clinic's database on the server."
        if not self.user.text().strip():
            return "Type the user name the server gave MedSpa Desktop."
        return None

    def bare_url(self) -> str:
        """The address without its password."""
        host = self.host.text().strip()
        user = quote(self.user.text().strip(), safe="")
        database = quote(self.database.text().strip(), safe="")
        port = self.port.value()
        if host.startswith("/"):  # a Unix socket folder on this computer
            extra = f"&port={port}" if port != DEFAULT_PORT else ""
            return f"postgresql://{user}@/{database}?host={host}{extra}"
        if ":" in host:
            host = f"[{host}]"
        return f"postgresql://{user}@{host}:{port}/{database}"

    def url(self) -> str:
        return pc_server.with_password(self.bare_url(), self.password.text())


class _ServerDialog(QDialog):
    """The frame both dialogs share: an introduction, the fields, Test, the result."""

    def __init__(self, title: str, intro: str, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(560)
        self.probed = None
        text = QLabel(intro)
        text.setWordWrap(True)
        self.fields = ServerFields()
        self.test_button = QPushButton("&Test the connection")
        self.test_button.clicked.connect(self.test_connection)
        self.result = QLabel()
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message = ErrorLabel()
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self.reject)
        self.buttons = QHBoxLayout()
        self.buttons.addWidget(self.test_button)
        self.buttons.addStretch(1)
        self.buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(self.fields)
        self.middle = QVBoxLayout()
        layout.addLayout(self.middle)
        layout.addWidget(self.result)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addLayout(self.buttons)
        self.task = None

    def _checked_fields(self) -> bool:
        problem = self.fields.problem()
        if problem:
            self.message.say(problem)
            self.fields.setFocus()
            return False
        self.message.hide()
        return True

    def test_connection(self) -> None:
        if not self._checked_fields():
            return
        url = self.fields.url()
        self.result.setText("Connecting…")
        self.test_button.setEnabled(False)

        def done(found: pc_server.Probe) -> None:
            self.task = None
            self.test_button.setEnabled(True)
            self.probed = found
            self.result.setText(found.describe())
            self.tested(found)

        def failed(exc: Exception) -> None:
            self.task = None
            self.test_button.setEnabled(True)
            self.probed = None
            self.result.setText("")
            self.message.say(str(exc))

        self.task = background_op(self, lambda _say: pc_server.probe(url), on_success=done,
                                  on_failure=failed)

    def tested(self, found: pc_server.Probe) -> None:
        """What a subclass does once the connection answered."""


def _program() -> list[str]:
    """How to start this program again (the bundle's executable, or python -m)."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    return [sys.executable, "-m", "medspa_desktop"]


def run_move(source: Path, url: str, say) -> str:
    """``move-to-server`` in a process of its own; its progress lines to ``say``; what it
    printed when the copy was verified, or MoveRefused with its reason."""
    bare, password = pc_server.without_password(url)
    env = dict(os.environ)
    env.pop("MEDSPA_DB", None)
    if password:
        env["PGPASSWORD"] = password
    with subprocess.Popen([*_program(), "move-to-server", "--from", str(source), "--to", bare],
                          env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          stdin=subprocess.DEVNULL, text=True, encoding="utf-8") as proc:
        errors = []
        for line in proc.stderr:
            line = line.strip()
            if line.startswith("move-to-server: "):
                say(line.removeprefix("move-to-server: "))
            elif line:
                errors.append(line)
        out = proc.stdout.read()
        proc.wait()
    if proc.returncode != 0:
        reason = next((e.removeprefix("medspa-desktop: error: ") for e in reversed(errors)
                       if e.startswith("medspa-desktop: error: ")), errors[-1] if errors
                      else "the copy stopped")
        raise MoveRefused(reason[:1].upper() + reason[1:])
    return out


def verified_in_words(printed: str) -> str:
    """The command's report as sentences for the dialog."""
    counts = {}
    documents = photos = "0"
    for line in printed.splitlines():
        line = line.strip()
        if line.startswith("stored documents checked:"):
            head, _, tail = line.partition(", photo files: ")
            documents, photos = head.rsplit(" ", 1)[-1], tail
        elif ": " in line and not line.startswith("Moved"):
            table, _, n = line.partition(": ")
            if n.isdigit():
                counts[table] = int(n)
    rows = sum(counts.values())
    named = ", ".join(f"{counts[t]:,} {w}" for t, w in (
        ("patient", "patients"), ("appointment", "appointments"), ("invoice", "invoices"),
        ("audit_event", "audit events")) if counts.get(t))
    return (f"Copied and checked: {rows:,} rows in {len(counts)} tables ({named}). Every "
            f"table holds as many rows on the server as in this file, the check finds nothing "
            f"wrong there, the audit chain verifies, and {documents} stored documents and "
            f"{photos} photos match their fingerprints.")


class MoveToServerDialog(_ServerDialog):
    """An admin moves this clinic file to an empty database on the server."""

    def __init__(self, user: User, parent=None) -> None:
        super().__init__(
            "Move to a server",
            "Copy this clinic into an EMPTY database on the clinic's PostgreSQL server, so "
            "that every PC can work on it at once. Everything is copied and checked on the "
            "server before this PC starts using it; a failure keeps nothing there. This file "
            "stays as it is, as the fallback. The other PCs then connect to it with File → "
            "Connect to the clinic's server…", parent)
        self.user = user
        self.source = Path(db.obj.database).resolve()
        self.moved_to: str | None = None  # the server's address (no password) once moved
        self.password_kept = False
        self.progress = QProgressBar()
        self.progress.setRange(0, len(ALL_MODELS) + 3)  # each table, photos, the check, ANALYZE
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.step = QLabel()
        self.middle.addWidget(self.progress)
        self.middle.addWidget(self.step)
        self.move_button = QPushButton("&Move the clinic")
        self.move_button.setEnabled(False)
        self.move_button.setToolTip("Test the connection first.")
        self.move_button.clicked.connect(self.move)
        self.buttons.insertWidget(1, self.move_button)

    def tested(self, found: pc_server.Probe) -> None:
        self.move_button.setEnabled(found.empty)
        if not found.empty:
            self.message.say("Move only into an empty database: ask whoever set up the "
                             "server for a new one.")

    def move(self) -> None:
        if not self._checked_fields() or self.probed is None or not self.probed.empty:
            return
        url = self.fields.url()
        for widget in (self.fields, self.test_button, self.move_button, self.close_button):
            widget.setEnabled(False)
        self.progress.show()
        self.progress.setValue(0)

        def said(step: str) -> None:
            self.progress.setValue(self.progress.value() + 1)
            self.step.setText(step[:1].upper() + step[1:] + "…")

        def done(printed: str) -> None:
            self.task = None
            self.progress.setValue(self.progress.maximum())
            self.step.setText("")
            self.close_button.setEnabled(True)
            self.close_button.setText("Close")
            marked = op(self, lambda: copy_clinic.mark_moved(self.user, url),
                        error_label=self.message)
            bare = pc_server.without_password(url)[0]
            self.password_kept = pc_server.remember(url, moved_from=str(self.source))
            self.moved_to = bare
            self.result.setText(
                verified_in_words(printed) + "\n\nThis PC now uses the server: when you close "
                "this window, sign in to the server and go on working."
                + (" The server's password is kept in this computer's keyring."
                   if self.password_kept else " Type the server's password when asked "
                   "(this computer has no keyring to keep it in).")
                + ("" if marked else " (This file could not be marked as moved.)"))

        def failed(exc: Exception) -> None:
            self.task = None
            self.progress.hide()
            self.step.setText("")
            for widget in (self.fields, self.test_button, self.move_button,
                           self.close_button):
                widget.setEnabled(True)
            self.message.say(f"The clinic was not moved; nothing was kept on the server. {exc}")

        self.task = background_op(self, lambda say: run_move(self.source, url, say),
                                  on_success=done, on_failure=failed, on_progress=said)


class ConnectServerDialog(_ServerDialog):
    """Another PC is pointed at the clinic's server (remembered for this PC only). ``user``
    None: a PC's first start, before any clinic (the server's own password is the check)."""

    def __init__(self, user: User | None, parent=None) -> None:
        super().__init__(
            "Connect to the clinic's server",
            "Make this PC work on the clinic's PostgreSQL server, as the other PCs do. The "
            "address is kept for this PC only; the password in this computer's keyring when "
            "it has one, otherwise it is asked for at each start.", parent)
        self.user = user
        self.chosen: str | None = None
        self.password_kept = False
        self.use_button = QPushButton("&Use this server")
        self.use_button.setEnabled(False)
        self.use_button.setToolTip("Test the connection first.")
        self.use_button.clicked.connect(self.use)
        self.buttons.insertWidget(1, self.use_button)
        setting = pc_server.paths.server_setting()
        if setting:
            self.fields.address.setText(setting["url"])
            self.fields._pasted(setting["url"])

    def tested(self, found: pc_server.Probe) -> None:
        self.use_button.setEnabled(bool(found.clinic))
        if not found.clinic:
            self.message.say("That database holds no clinic yet: move the clinic there "
                             "first (File → Move to a server… on the PC that has it).")

    def use(self) -> None:
        from ..services.platform.permissions import require

        if self.probed is None or not self.probed.clinic:
            return
        if self.user is not None and not op(self, lambda: require(self.user, "clinic.move"),
                                            error_label=self.message):
            return
        url = self.fields.url()
        self.password_kept = pc_server.remember(url)
        self.chosen = pc_server.without_password(url)[0]
        self.accept()


# -- at start-up -------------------------------------------------------------------------------
def with_kept_password(target: str) -> str:
    """A remembered server's address with the password the keyring keeps (if any)."""
    if not is_postgres_url(target) or urlsplit(target).password is not None:
        return target
    return pc_server.with_password(target, pc_server.password_for(target))


def ask_password(parent: QWidget | None, target: str) -> str | None:
    """The server's password, typed; None when the person cancels."""
    shown = copy_clinic.masked(target)
    text, ok = QInputDialog.getText(
        parent, "The clinic's server", f"The password for the clinic's server\n{shown}:",
        QLineEdit.EchoMode.Password)
    return text if ok else None


def moved_notice(parent: QWidget | None) -> str | None:
    """The open clinic file's clinic moved to a server: say so; the server's address (no
    password) when the person chooses to open it instead, None to go on with the file."""
    if not is_sqlite():
        return None
    moved = copy_clinic.moved_to()
    if moved is None:
        return None
    box = QMessageBox(QMessageBox.Icon.Warning, "This clinic has moved",
                      f"This clinic moved to the server {moved.server} on "
                      f"{moved.at.replace('T', ' at ')}. This file is the copy it left "
                      "behind, kept unchanged as the fallback: what is written here does not "
                      "reach the server, and the server's changes are not here.", parent=parent)
    server = box.addButton("Open the server", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Open this file anyway", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(server)
    run_modal(box)  # deleted once the event loop turns again: its answer is read now
    if box.clickedButton() is not server:
        return None
    remembered = pc_server.paths.server_setting()
    return remembered["url"] if remembered else pc_server.without_password(moved.server)[0]
