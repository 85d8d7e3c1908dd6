"""First start with no clinic in the database: create a clinic and its first admin, or
fill the database with the demo clinic."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
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
from ..services.platform import auth
from ..services.platform.errors import DomainError
from ..services.platform.vocabulary import Role
from ..store.models import User
from . import style
from .errors import unexpected_error_text
from .ops import background_op, op
from .widgets.messages import ErrorLabel
from .widgets.modal import run_modal


class FirstRunDialog(QDialog):
    """After ``exec()``: ``choice`` is "new" (``user`` is the signed-in admin; open
    FirstSetupDialog next for its services, rooms and providers), "demo", or "server" (this
    PC now uses the clinic's server at ``server``: open it and sign in there)."""

    def __init__(self, database_label: str, parent=None, *,
                 build_demo: Callable[..., object] = demo.build_demo) -> None:
        super().__init__(parent)
        self.user: User | None = None
        self._build_demo_clinic = build_demo
        self.choice = ""
        self._task = None
        self.setWindowTitle(f"Welcome to {APP_NAME}")
        self.setMinimumWidth(520)

        intro = QLabel(
            f"<h2>Welcome to {APP_NAME}</h2>"
            "There is no clinic in this database yet. Set up your clinic, or open the demo "
            "clinic to try the program with made-up patients.")
        intro.setWordWrap(True)
        where = QLabel(f"Database: {database_label}")
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        where.setStyleSheet(style.QUIET_LINE)

        self.new_radio = QRadioButton("&Create a new clinic")
        self.demo_radio = QRadioButton("Open the &demo clinic")
        self.new_radio.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.new_radio)
        group.addButton(self.demo_radio)

        self.pages = QStackedWidget()
        self.pages.addWidget(self._new_clinic_page())
        self.pages.addWidget(self._demo_page())
        self.new_radio.toggled.connect(self._choose)
        self.server = ""  # the clinic's server, when this PC joins it instead
        self.server_button = QPushButton("The clinic already works on a server: co&nnect "
                                         "this PC to it…")
        self.server_button.setFlat(True)
        self.server_button.clicked.connect(self.connect_to_server)

        self.message = ErrorLabel()

        buttons = QDialogButtonBox()
        self.ok = buttons.addButton("Create clinic", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("Quit", QDialogButtonBox.ButtonRole.RejectRole)
        self.ok.setDefault(True)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(where)
        layout.addWidget(self.new_radio)
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

    def _choose(self, new: bool) -> None:
        self.pages.setCurrentIndex(0 if new else 1)
        self.ok.setText("Create clinic" if new else "Open demo clinic")
        self.message.hide()

    # -- actions ----------------------------------------------------------------------------
    def submit(self) -> None:
        if self.new_radio.isChecked():
            self._create_clinic()
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
