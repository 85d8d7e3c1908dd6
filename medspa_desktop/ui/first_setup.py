"""Right after the first run: what a new clinic needs before its first booking, a page each —
the services it keeps from the standard catalog (at its own lengths and prices), its rooms
and devices, its first providers. Every page can be skipped (File → Clinic setup… and
File → Staff accounts… do the same later); each page's save is one service call, so a
refused page writes nothing."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ..services.clinic import catalog
from ..services.clinic.catalog import DEVICE_KINDS
from ..services.platform import auth, limits
from ..services.platform.errors import ValidationError
from ..services.platform.vocabulary import Role
from ..services.scheduling import hours
from ..store.models import User
from . import style
from .ops import op
from .provider_booking import CategoriesBox, HoursBox
from .setup.standard import ServicesStep
from .widgets.messages import ErrorLabel

DEVICE_LINES = 4


class RoomsStep(QWidget):
    """The rooms, a name a line, and the devices (lasers and the like), name and type."""

    title = "Rooms and devices"
    later = "Later: File → Clinic setup… → Rooms, Devices"
    help = ("Each room is a column on the schedule. Add the devices a service needs (a "
            "laser, an IPL): a booking for that service reserves one.")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rooms = QPlainTextEdit("Room 1\nRoom 2")
        self.rooms.setAccessibleName("Rooms, one a line")
        self.rooms.setTabChangesFocus(True)
        self.rooms.setFixedHeight(110)
        self.device_names: list[QLineEdit] = []
        self.device_kinds: list[QComboBox] = []
        devices = QWidget()
        grid = QFormLayout(devices)
        grid.setContentsMargins(0, 0, 0, 0)
        for line in range(DEVICE_LINES):
            name = QLineEdit()
            name.setMaxLength(limits.DEVICE_NAME)
            name.setPlaceholderText("e.g. GentleMax Pro" if line == 0 else "")
            name.setAccessibleName(f"Device {line + 1} name")
            kind = QComboBox()
            kind.setAccessibleName(f"Device {line + 1} type")
            kind.addItem("Choose its type…", "")
            for key, label in DEVICE_KINDS.items():
                kind.addItem(label, key)
            row = QHBoxLayout()
            row.addWidget(name, 1)
            row.addWidget(kind)
            grid.addRow(f"Device {line + 1}", row)
            self.device_names.append(name)
            self.device_kinds.append(kind)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("&Rooms\n(one a line)", self.rooms)
        form.addRow(devices)

    def set_device(self, line: int, name: str, kind: str) -> None:
        self.device_names[line].setText(name)
        self.device_kinds[line].setCurrentIndex(self.device_kinds[line].findData(kind))

    def values(self) -> tuple[list[str], list[tuple[str, str]]]:
        rooms = [line.strip() for line in self.rooms.toPlainText().splitlines() if line.strip()]
        devices = [(n.text(), k.currentData()) for n, k in zip(self.device_names,
                                                                self.device_kinds, strict=True)
                   if n.text().strip() or k.currentData()]
        return rooms, devices

    def save(self, user: User) -> None:
        rooms, devices = self.values()
        if not rooms and not devices:
            raise ValidationError("Enter at least one room, or skip this step.")
        catalog.add_rooms_and_devices(user, rooms, devices)


class ProvidersStep(QWidget):
    """A provider at a time: their account, the categories they treat, their hours."""

    title = "Your providers"
    later = "Later: File → Staff accounts…"
    help = ("Add each person who treats patients, one after the other: they are offered for "
            "booking in the categories they treat, on their hours.")

    def __init__(self, user: User, parent=None) -> None:
        super().__init__(parent)
        self.user = user
        self.added: list[str] = []
        self.full_name = self._line(limits.FULL_NAME, "Dr Maya Vasquez")
        self.credentials = self._line(limits.CREDENTIALS, "MD, NP, RN (optional)")
        self.username = self._line(40, "mvasquez")
        self.password = self._line(128, "at least 8 characters")
        self.confirm = self._line(128, "")
        for field in (self.password, self.confirm):
            field.setEchoMode(QLineEdit.EchoMode.Password)
        for field, name in ((self.full_name, "Provider full name"),
                            (self.credentials, "Provider credentials"),
                            (self.username, "Provider user name"),
                            (self.password, "Provider password"),
                            (self.confirm, "Repeat provider password")):
            field.setAccessibleName(name)
        account = QFormLayout()
        account.addRow("&Full name", self.full_name)
        account.addRow("&Credentials", self.credentials)
        account.addRow("&User name", self.username)
        account.addRow("&Password", self.password)
        account.addRow("&Repeat password", self.confirm)
        self.categories = CategoriesBox()
        self.categories.set_value([])
        self.hours = HoursBox()
        booking = QHBoxLayout()
        booking.addWidget(self.categories, 1)
        booking.addWidget(self.hours, 1)
        self.add_button = QPushButton("&Add this provider")
        self.add_button.clicked.connect(lambda: self.add())
        self.listed = QLabel("No providers added yet.")
        self.listed.setWordWrap(True)
        self.listed.setStyleSheet(style.QUIET_LINE)
        self.message = ErrorLabel()
        bottom = QHBoxLayout()
        bottom.addWidget(self.listed, 1)
        bottom.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(account)
        layout.addLayout(booking, 1)
        layout.addWidget(self.message)
        layout.addLayout(bottom)

    @staticmethod
    def _line(limit: int, hint: str) -> QLineEdit:
        field = QLineEdit()
        field.setMaxLength(limit)
        field.setPlaceholderText(hint)
        return field

    def typed(self) -> bool:
        return any(f.text().strip() for f in (self.full_name, self.username, self.password))

    def _create(self) -> User:
        if self.password.text() != self.confirm.text():
            raise ValidationError("The two passwords are not the same.")
        data = auth.UserInput(self.username.text(), self.full_name.text(), Role.PROVIDER,
                              self.password.text(), credentials=self.credentials.text())
        return hours.create_provider(self.user, data, self.categories.value(),
                                     self.hours.value())

    def add(self, error_label: ErrorLabel | None = None) -> bool:
        """Save the provider typed (one transaction); the form is then emptied for the
        next."""
        label = error_label or self.message
        done = op(self, self._create, error_label=label)
        if not done:
            return False
        label.hide()
        provider = done.value
        self.added.append(f"{provider.display_name} ({provider.username})")
        self.listed.setText("Added: " + ", ".join(self.added) + ".")
        for field in (self.full_name, self.credentials, self.username, self.password,
                      self.confirm):
            field.clear()
        self.categories.set_value([])
        self.hours.set_value({})
        self.full_name.setFocus()
        return True


class FirstSetupDialog(QDialog):
    """The steps after the clinic's name and admin. ``done_steps`` names the steps saved."""

    def __init__(self, user: User, parent=None) -> None:
        super().__init__(parent)
        self.user = user
        self.done_steps: list[str] = []
        self.setWindowTitle("Set up your clinic")
        self.setMinimumSize(900, 700)
        self.services = ServicesStep()
        self.rooms = RoomsStep()
        self.providers = ProvidersStep(user)
        self.steps = (self.services, self.rooms, self.providers)
        self.heading = QLabel()
        self.help = QLabel()
        self.help.setWordWrap(True)
        self.help.setMinimumHeight(self.help.fontMetrics().lineSpacing() * 2)
        self.pages = QStackedWidget()
        for step in self.steps:
            self.pages.addWidget(step)
        self.message = ErrorLabel()
        self.message.keep_room()
        self.back_button = QPushButton("← &Back")
        self.back_button.clicked.connect(lambda: self._show(self.pages.currentIndex() - 1))
        self.skip_button = QPushButton()
        self.save_button = QPushButton()
        self.save_button.setDefault(True)
        self.skip_button.clicked.connect(lambda: self.skip())
        self.save_button.clicked.connect(lambda: self.save())
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.skip_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.help)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self._show(0)

    @property
    def step(self):
        return self.steps[self.pages.currentIndex()]

    def _show(self, index: int) -> None:
        self.pages.setCurrentIndex(index)
        step = self.step
        self.heading.setText(f"<h2>{step.title}</h2>Step {index + 1} of {len(self.steps)}")
        saved = step.title in self.done_steps
        # a saved page is shown as it was saved: changing it is the setup window's work
        step.setEnabled(not saved)
        self.help.setText(f"Saved. To change it: {step.later.removeprefix('Later: ')}."
                          if saved else step.help)
        self.back_button.setVisible(index > 0)
        self.skip_button.setVisible(not saved)
        self.skip_button.setText(f"Skip — {step.later}")
        last = index == len(self.steps) - 1
        self.save_button.setText("&Finish" if last
                                 else "&Continue" if saved else "&Save and continue")
        self.message.hide()

    def _next(self) -> None:
        if self.pages.currentIndex() == len(self.steps) - 1:
            self.accept()
        else:
            self._show(self.pages.currentIndex() + 1)

    def skip(self) -> None:
        self._next()

    def save(self) -> None:
        step = self.step
        if step.title in self.done_steps:
            self._next()
            return
        if step is self.providers:
            # a provider typed but not yet added is added now; nothing typed: just finish
            if step.typed() and not step.add(self.message):
                return
        elif not op(self, lambda: step.save(self.user), error_label=self.message):
            return
        self.done_steps.append(step.title)
        self._next()
