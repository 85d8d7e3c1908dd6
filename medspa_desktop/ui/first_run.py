"""First start with no clinic in the database: create a clinic and its first admin, fill the
database with the demo clinic, or move in from a clinic export (``services/exchange``): see what
the export holds, choose the admin who gets a new password, import it in the background with a
Cancel that leaves the file empty, and sign in."""

from __future__ import annotations

import html
import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressDialog,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from .. import APP_NAME, demo
from ..logs import log
from ..services.clinic import clinic
from ..services.exchange import import_clinic
from ..services.exchange.import_clinic import ExportPreview, ImportCancelled, ImportResult
from ..services.platform import auth
from ..services.platform.errors import DomainError
from ..services.platform.vocabulary import Role
from ..store.models import User
from . import style
from .errors import unexpected_error_text
from .ops import background_op, op
from .widgets.messages import ErrorLabel
from .widgets.modal import run_modal

OK_LABELS = ("Create clinic", "Import and sign in", "Open demo clinic")


class FirstRunDialog(QDialog):
    """After ``exec()``: ``choice`` is "new" (``user`` is the signed-in admin; open
    FirstSetupDialog next for its services, rooms and providers), "demo", "import"
    (``user`` is the admin given a new password, signed in; ``imported`` says what came in
    and which staff still need a password), or "server" (this PC now uses the clinic's
    server at ``server``: open it and sign in there)."""

    def __init__(self, database_label: str, parent=None, *,
                 build_demo: Callable[..., object] = demo.build_demo) -> None:
        super().__init__(parent)
        self.user: User | None = None
        self._build_demo_clinic = build_demo
        self.choice = ""
        self.imported: ImportResult | None = None
        self.export: ExportPreview | None = None
        self.progress: QProgressDialog | None = None
        self._stop = threading.Event()
        self._task = None
        self.setWindowTitle(f"Welcome to {APP_NAME}")
        self.setMinimumWidth(600)

        intro = QLabel(
            f"<h2>Welcome to {APP_NAME}</h2>"
            "There is no clinic in this database yet. Set up your clinic, move in with the "
            "data of a clinic exported from MedSpa Desktop, or open the demo clinic to try "
            "the program with made-up patients.")
        intro.setWordWrap(True)
        where = QLabel(f"Database: {database_label}")
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        where.setStyleSheet(style.QUIET_LINE)

        self.new_radio = QRadioButton("&Create a new clinic")
        self.move_radio = QRadioButton("&Move in from an export…")
        self.demo_radio = QRadioButton("Open the &demo clinic")
        self.new_radio.setChecked(True)
        group = QButtonGroup(self)
        for radio in (self.new_radio, self.move_radio, self.demo_radio):
            group.addButton(radio)

        self.pages = QStackedWidget()
        self.pages.addWidget(self._new_clinic_page())
        self.pages.addWidget(self._move_in_page())
        self.pages.addWidget(self._demo_page())
        for radio in (self.new_radio, self.move_radio, self.demo_radio):
            radio.toggled.connect(lambda on: on and self._choose())
        self.server = ""  # the clinic's server, when this PC joins it instead
        self.server_button = QPushButton("The clinic already works on a server: co&nnect "
                                         "this PC to it…")
        self.server_button.setFlat(True)
        self.server_button.clicked.connect(self.connect_to_server)

        self.message = ErrorLabel()
        self.message.keep_room(2)  # a refused import takes two lines: nothing moves

        buttons = QDialogButtonBox()
        self.ok = buttons.addButton(OK_LABELS[0], QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("Quit", QDialogButtonBox.ButtonRole.RejectRole)
        self.ok.setDefault(True)
        # wide enough for each choice's label, so changing it moves nothing
        self.ok.setMinimumWidth(max(self.ok.fontMetrics().horizontalAdvance(label)
                                    for label in OK_LABELS) + 32)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(where)
        layout.addWidget(self.new_radio)
        layout.addWidget(self.move_radio)
        layout.addWidget(self.demo_radio)
        layout.addWidget(self.server_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.pages)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    def connect_to_server(self) -> None:
        """Another PC of a clinic on a server: remember the server and open it instead."""
        from .server_dialogs import ConnectServerDialog

        dialog = ConnectServerDialog(None, self)
        if run_modal(dialog) and dialog.chosen is not None:
            self.server = dialog.chosen
            self.choice = "server"
            self.accept()

    # -- pages ------------------------------------------------------------------------------
    def _new_clinic_page(self) -> QWidget:
        page = QWidget()
        self.clinic_name = QLineEdit()
        self.clinic_address = QPlainTextEdit()
        self.clinic_address.setTabChangesFocus(True)
        self.clinic_address.setFixedHeight(56)
        self.clinic_phone = QLineEdit()
        self.clinic_tax_id = QLineEdit()
        clinic_box = QGroupBox("Clinic")
        form = QFormLayout(clinic_box)
        form.addRow("Clinic &name", self.clinic_name)
        form.addRow("&Address", self.clinic_address)
        form.addRow("P&hone", self.clinic_phone)
        form.addRow("&Tax id", self.clinic_tax_id)

        self.admin_name = QLineEdit()
        self.admin_username = QLineEdit("admin")
        self.admin_password = QLineEdit()
        self.admin_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.admin_confirm = QLineEdit()
        self.admin_confirm.setEchoMode(QLineEdit.EchoMode.Password)
        admin_box = QGroupBox("First admin account")
        form = QFormLayout(admin_box)
        form.addRow("&Full name", self.admin_name)
        form.addRow("&User name", self.admin_username)
        form.addRow("&Password", self.admin_password)
        form.addRow("&Repeat password", self.admin_confirm)
        for field, name in ((self.clinic_name, "Clinic name"), (self.clinic_phone, "Clinic phone"),
                            (self.clinic_tax_id, "Tax id"), (self.admin_name, "Admin full name"),
                            (self.admin_username, "Admin user name"),
                            (self.admin_password, "Admin password"),
                            (self.admin_confirm, "Repeat admin password")):
            field.setAccessibleName(name)
        self.clinic_address.setAccessibleName("Clinic address")

        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(clinic_box)
        layout.addWidget(admin_box)
        return page

    def _move_in_page(self) -> QWidget:
        page = QWidget()
        self.move_in_note = explain = QLabel(
            "Bring in everything a clinic exported with File → Export clinic data…: its "
            "patients, schedule, charts, consents, photos, invoices, staff and audit log. "
            "Choose the export's folder (the one holding manifest.json); you see what it holds "
            "before anything is written.")
        explain.setWordWrap(True)
        self.export_folder = QLabel("No export chosen yet.")
        self.export_folder.setStyleSheet(style.QUIET_LINE)
        self.export_folder.setMinimumWidth(200)
        self.export_folder.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.choose_button = QPushButton("C&hoose the export folder…")
        self.choose_button.clicked.connect(lambda: self._ask_for_export())
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.export_folder, 1)
        folder_row.addWidget(self.choose_button)

        self.export_summary = QLabel()
        self.export_summary.setWordWrap(True)
        self.export_summary.setAccessibleName("What the export holds")
        holds_box = QGroupBox("What it holds")
        QVBoxLayout(holds_box).addWidget(self.export_summary)

        self.import_admin = QComboBox()
        self.import_admin.setAccessibleName("Admin who signs in")
        self.import_password = QLineEdit()
        self.import_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.import_password.setAccessibleName("New password for that admin")
        self.import_confirm = QLineEdit()
        self.import_confirm.setEchoMode(QLineEdit.EchoMode.Password)
        self.import_confirm.setAccessibleName("Repeat the new password")
        self.admin_box = QGroupBox("Who signs in first")
        form = QFormLayout()
        self.passwords_note = passwords = QLabel("Passwords never leave a clinic: every account comes in without "
                           "one. The admin you choose gets a new password now and signs in; "
                           "in File → Staff accounts… they then set the others'.")
        passwords.setWordWrap(True)
        passwords.setStyleSheet(style.QUIET_LINE)
        form.addRow("&Admin", self.import_admin)
        form.addRow("New &password", self.import_password)
        form.addRow("&Repeat password", self.import_confirm)
        box = QVBoxLayout(self.admin_box)
        box.addWidget(passwords)
        box.addLayout(form)

        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(explain)
        layout.addLayout(folder_row)
        layout.addWidget(holds_box)
        layout.addWidget(self.admin_box)
        layout.addStretch(1)
        self._show_export(None)
        return page

    def _demo_page(self) -> QWidget:
        accounts = ", ".join(s.username for s in demo.DEMO_STAFF)
        label = QLabel(
            "The demo clinic has six staff accounts, five rooms, three lasers, a full service "
            "catalog, 300 made-up patients and three months of appointments.<br><br>"
            f"Accounts: <b>{accounts}</b><br>Password for each: <b>{demo.DEMO_PASSWORD}</b>"
            "<br><br>Use it to try things out, never for real patients.")
        label.setWordWrap(True)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(label)
        layout.addStretch(1)
        return page

    def _choose(self) -> None:
        index = (0 if self.new_radio.isChecked() else 1 if self.move_radio.isChecked()
                 else 2)
        self.pages.setCurrentIndex(index)
        self.ok.setText(OK_LABELS[index])
        self.message.hide()
        self._fit()

    def _fit(self) -> None:
        """Grow to what the page shows now (wrapped text included), never shrink below it."""
        # wrapped text: a layout does not ask a label for its height at the width it gets
        for label in (self.export_summary, self.passwords_note, self.move_in_note):
            label.setMinimumHeight(label.heightForWidth(max(label.width(), self.width()) - 80))
        # once the layouts have taken the new heights in (they do so after this returns)
        QTimer.singleShot(0, self, lambda: self.resize(
            self.width(), max(self.height(), self.sizeHint().height())))

    # -- moving in --------------------------------------------------------------------------
    def _ask_for_export(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, "Choose the export's folder (the one holding manifest.json)",
            str(Path.home()))
        if folder:
            self.load_export(folder)

    def load_export(self, folder: str | Path) -> bool:
        """Read what the export in ``folder`` holds (nothing is written) and show it; a
        folder that is not an export says why."""
        self.message.hide()
        done = op(self, lambda: import_clinic.preview(folder), error_label=self.message)
        self._show_export(done.value if done else None)
        if not done:
            self._show_folder(folder)
        return bool(done)

    def _show_folder(self, folder: str | Path) -> None:
        """The folder on one line, its middle left out when long; all of it in the tooltip."""
        text = str(folder)
        width = max(self.export_folder.width(), 360)
        self.export_folder.setText(self.export_folder.fontMetrics().elidedText(
            text, Qt.TextElideMode.ElideMiddle, width))
        self.export_folder.setToolTip(text)

    def _show_export(self, export: ExportPreview | None) -> None:
        self.export = export
        self.import_admin.clear()
        if export is None:
            self.export_summary.setText("Choose an export to see what it holds.")
            self.admin_box.setEnabled(False)
            return
        self._show_folder(export.folder)
        when = (f" on {export.exported_at:%a %d %b %Y at %H:%M}" if export.exported_at
                else "")
        self.export_summary.setText(
            f"<b>{html.escape(export.clinic or 'A clinic')}</b>, exported{when}"
            f"{' by ' + html.escape(export.program) if export.program else ''}"
            + "".join(f"<br>{line}" for line in export.lines()))
        for username, full_name in export.admins:
            self.import_admin.addItem(f"{full_name} ({username})", username)
        self.admin_box.setEnabled(bool(export.admins))
        if not export.admins:
            self.message.say("The export has no active admin account, so no one could sign "
                             "in: import it from the command line (medspa-desktop import "
                             "--from FOLDER --db FILE) and add an admin there.")
        self._fit()

    def _move_in(self) -> None:
        export = self.export
        if export is None:
            self.message.say("Choose the export's folder first.")
            self.choose_button.setFocus()
            return
        if not export.admins:
            return
        if self.import_password.text() != self.import_confirm.text():
            self.message.say("The two passwords are not the same.")
            self.import_confirm.setFocus()
            return
        username, password = self.import_admin.currentData(), self.import_password.text()
        if not op(self, lambda: auth.validate_password(password), error_label=self.message):
            self.import_password.setFocus()
            return
        self.message.hide()
        self.ok.setEnabled(False)
        self._stop.clear()
        progress = QProgressDialog("Checking the export…", "Cancel", 0, 0, self)
        progress.setWindowTitle("Moving in")
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(0)
        progress.setAutoClose(False)
        progress.setAutoReset(False)
        progress.setMinimumWidth(420)
        progress.canceled.connect(self.cancel_import)
        progress.show()
        self.progress = progress

        def work(say):
            result = import_clinic.import_clinic(export.folder, say, admin=(username, password),
                                                 cancelled=self._stop.is_set)
            return result, auth.authenticate(username, password)

        def step(text: str) -> None:
            if not self._stop.is_set():
                progress.setLabelText(text)

        self._task = background_op(self, work, on_success=self._moved_in,
                                   on_failure=self._move_failed, on_progress=step)

    def cancel_import(self) -> None:
        if self.progress is None:
            return
        self._stop.set()
        self.progress.setLabelText("Cancelling: nothing will be kept…")

    def _close_progress(self) -> None:
        if self.progress is not None:
            progress, self.progress = self.progress, None
            progress.close()
            progress.deleteLater()
        self.ok.setEnabled(True)

    def _moved_in(self, outcome) -> None:
        self._close_progress()
        self.imported, self.user = outcome
        self.choice = "import"
        self.accept()

    def _move_failed(self, exc: Exception) -> None:
        self._close_progress()
        if isinstance(exc, ImportCancelled):
            self.message.say("The import was cancelled; nothing was written. The clinic file "
                             "is still empty.")
        elif isinstance(exc, DomainError):
            self.message.say(str(exc))
        else:
            log.error("Moving in from an export failed", exc_info=exc)
            self.message.say(unexpected_error_text())

    # -- actions ----------------------------------------------------------------------------
    def submit(self) -> None:
        if self.new_radio.isChecked():
            self._create_clinic()
        elif self.move_radio.isChecked():
            self._move_in()
        else:
            self._build_demo()

    def _create_clinic(self) -> None:
        if self.admin_password.text() != self.admin_confirm.text():
            self.message.say("The two passwords are not the same.")
            self.admin_confirm.setFocus()
            return
        info = clinic.ClinicInfo(self.clinic_name.text(), self.clinic_address.toPlainText(),
                                 self.clinic_phone.text(), self.clinic_tax_id.text())
        admin = auth.UserInput(self.admin_username.text(), self.admin_name.text(), Role.ADMIN,
                               self.admin_password.text())
        # services, rooms and providers are chosen next, in FirstSetupDialog
        done = op(self, lambda: clinic.create_clinic(info, admin, default_catalog=False),
                  error_label=self.message)
        if not done:
            return
        self.user = done.value
        self.choice = "new"
        self.accept()

    def _build_demo(self) -> None:
        self.ok.setEnabled(False)
        progress = QProgressDialog("Building the demo clinic…", "", 0, 0, self)
        progress.setWindowTitle("Demo clinic")
        progress.setCancelButton(None)
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(0)
        progress.show()

        def done(_summary) -> None:
            progress.close()
            self.choice = "demo"
            self.accept()

        def failed(exc: Exception) -> None:
            progress.close()
            self.ok.setEnabled(True)
            if isinstance(exc, DomainError):
                self.message.say(str(exc))
            else:
                log.error("Building the demo failed", exc_info=exc)
                self.message.say(unexpected_error_text())

        self._task = background_op(
            self, lambda say: self._build_demo_clinic(progress=say), on_success=done,
            on_failure=failed,
            on_progress=lambda step: progress.setLabelText(f"Building the demo clinic: {step}…"))
