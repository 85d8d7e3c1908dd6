"""Staff accounts (admin): add someone, change a role, reset a password, open a locked
account, deactivate someone who left; the name shown and the credential line (MD, RN, LE…)
printed on records; and for providers what makes them bookable: the treatment categories
they do, their weekly hours and their time off (``provider_booking.py``). Each form refuses
bad input in place; the services check the permission and audit the change; the list follows
the change bus."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..services.platform import auth, limits, staff
from ..services.platform.errors import ValidationError
from ..services.platform.permissions import CLINICAL
from ..services.platform.vocabulary import Role
from ..services.scheduling import hours
from ..store.models import User
from .bus import on_change
from .models import Column, RowTableModel
from .ops import op, with_reason
from .provider_booking import CategoriesBox, HoursBox, ProviderBookingDialog, TimeOffDialog
from .widgets.form_dialog import FormDialog
from .widgets.messages import ErrorLabel
from .widgets.modal import run_modal
from .widgets.table import fit_columns, make_table


def _treats(r) -> str:
    if r.role_key not in CLINICAL:
        return ""
    keys = set(hours.skills(r.id))
    return ", ".join(label for key, label in hours.TREATMENT_CATEGORIES.items()
                     if key in keys) or "every category"


def _hours(r) -> str:
    return hours.hours_summary(hours.working_hours_text(r.id)) if r.role_key in CLINICAL else ""


COLUMNS = (
    Column("Name", lambda r: r.full_name),
    Column("Shown as", lambda r: r.display_name),
    Column("Credentials", lambda r: r.credentials),
    Column("User name", lambda r: r.username),
    Column("Role", lambda r: r.role),
    Column("Treats", _treats),
    Column("Hours", _hours),
    Column("State", lambda r: "deactivated" if not r.active else
           f"locked until {r.locked_until:%H:%M}" if r.locked_until else "active"),
)


def _roles(combo: QComboBox, current: str = Role.PROVIDER) -> None:
    for key, label in Role.labels().items():
        combo.addItem(label, key)
    combo.setCurrentIndex(combo.findData(current))


class NewStaffDialog(FormDialog):
    """A new account; for a provider or medical director also the categories they treat and
    their hours, so they are bookable from the moment they are saved."""

    def __init__(self, user: User, parent=None) -> None:
        super().__init__("Add a staff account", parent, min_width=820)
        self.user = user
        self.full_name = self._line("Full name", limits.FULL_NAME, "Jordan Lee")
        self.display = self._line("Shown as", limits.DISPLAY_NAME, "Jordan Lee (optional)")
        self.credentials = self._line("Credentials", limits.CREDENTIALS, "MD, NP, RN, LE (optional)")
        self.username = self._line("User name", 40, "jlee")
        self.role = QComboBox()
        self.role.setAccessibleName("Role")
        _roles(self.role)
        self.form.addRow("Role", self.role)
        self.password = self._line("First password", 128, "at least 8 characters")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.categories = CategoriesBox()
        self.hours = HoursBox()
        self.booking = QWidget()
        row = QHBoxLayout(self.booking)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.categories, 1)
        row.addWidget(self.hours, 1)
        self.body.addWidget(self.booking)
        self.role.currentIndexChanged.connect(lambda _i: self._role_changed())
        self._role_changed()

    def _role_changed(self) -> None:
        self.booking.setVisible(self.role.currentData() in CLINICAL)

    def submit(self) -> None:
        data = auth.UserInput(self.username.text(), self.full_name.text(),
                              self.role.currentData(), self.password.text(),
                              self.display.text(), self.credentials.text())
        if data.role in CLINICAL:
            hours.create_provider(self.user, data, self.categories.value(), self.hours.value())
        else:
            auth.create_user(self.user, data)


class DetailsDialog(FormDialog):
    """The name shown on the schedule and paperwork, and the credential line."""

    def __init__(self, user: User, target, parent=None) -> None:
        super().__init__(f"Name and credentials — {target.full_name}", parent)
        self.user, self.target_id = user, target.id
        self.version = target.version
        self.display = self._line("Shown as", limits.DISPLAY_NAME, "Dr Lee")
        self.display.setText(target.display_name)
        self.credentials = self._line("Credentials", limits.CREDENTIALS, "MD, NP, RN, LE")
        self.credentials.setText(target.credentials)
        hint = QLabel("Treatment records and consents print the name with the credentials "
                      "after it: “Dr Lee, MD”.")
        hint.setWordWrap(True)
        self.form.addRow("", hint)

    def reload_stored(self) -> None:
        """Another admin saved the account first: show it as stored now, and edit that."""
        row = staff.staff_row(self.user, self.target_id)
        self.version = row.version
        self.display.setText(row.display_name)
        self.credentials.setText(row.credentials)

    def submit(self) -> None:
        staff.change_details(self.user, self.target_id, self.display.text(),
                             self.credentials.text(), self.version)


class PasswordDialog(FormDialog):
    """A new password typed twice (an admin's reset)."""

    def __init__(self, user: User, target, parent=None) -> None:
        super().__init__(f"New password for {target.full_name}", parent)
        self.user, self.target = user, target
        self.first = self._line("New password", 128, "at least 8 characters")
        self.again = self._line("Again", 128)
        for edit in (self.first, self.again):
            edit.setEchoMode(QLineEdit.EchoMode.Password)

    def submit(self) -> None:
        if self.first.text() != self.again.text():
            raise ValidationError("The two passwords are not the same.")
        staff.reset_password(self.user, self.target.id, self.first.text())


class OwnPasswordDialog(FormDialog):
    """Change one's own password, with the current one."""

    def __init__(self, user: User, parent=None) -> None:
        super().__init__("Change my password", parent)
        self.user = user
        self.current = self._line("Current password", 128)
        self.first = self._line("New password", 128, "at least 8 characters")
        self.again = self._line("Again", 128)
        for edit in (self.current, self.first, self.again):
            edit.setEchoMode(QLineEdit.EchoMode.Password)

    def submit(self) -> None:
        if self.first.text() != self.again.text():
            raise ValidationError("The two new passwords are not the same.")
        staff.change_own_password(self.user, self.current.text(), self.first.text())


class StaffDialog(QDialog):
    def __init__(self, user: User, parent=None) -> None:
        super().__init__(parent)
        self.user = user
        self.setWindowTitle("Staff accounts")
        self.resize(1180, 520)
        self.model = RowTableModel(COLUMNS, parent=self)
        self.table = make_table(self.model, "Staff accounts")
        self.message = ErrorLabel()
        self.add_button = QPushButton("&Add…")
        self.details_button = QPushButton("&Name and credentials…")
        self.booking_button = QPushButton("&Treatments and hours…")
        self.time_off_button = QPushButton("&Time off…")
        self.role_button = QPushButton("Change &role…")
        self.password_button = QPushButton("Reset &password…")
        self.unlock_button = QPushButton("&Unlock")
        self.active_button = QPushButton("&Deactivate…")
        close = QPushButton("Close")
        self.add_button.clicked.connect(self.add)
        self.details_button.clicked.connect(self.edit_details)
        self.booking_button.clicked.connect(self.edit_booking)
        self.time_off_button.clicked.connect(self.time_off)
        self.role_button.clicked.connect(lambda: self.change_role())
        self.password_button.clicked.connect(self.reset_password)
        self.unlock_button.clicked.connect(self.unlock)
        self.active_button.clicked.connect(lambda: self.toggle_active())
        close.clicked.connect(self.accept)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._buttons())
        bar = QHBoxLayout()
        for button in (self.add_button, self.role_button, self.password_button,
                       self.unlock_button, self.active_button):
            bar.addWidget(button)
        bar.addStretch(1)
        bar.addWidget(close)
        provider_bar = QHBoxLayout()
        for button in (self.details_button, self.booking_button, self.time_off_button):
            provider_bar.addWidget(button)
        provider_bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addLayout(provider_bar)
        layout.addLayout(bar)
        on_change(self, ("staff", "hours"))
        self.refresh()

    def refresh(self, select_id: int | None = None) -> None:
        if select_id is None:  # a redraw keeps the row the user is on
            current = self.selected()
            select_id = current.id if current else None
        rows = staff.staff(self.user)
        self.model.set_rows(rows)
        fit_columns(self.table)
        index = next((i for i, r in enumerate(rows) if r.id == select_id), 0)
        if rows:
            self.table.selectRow(index)
        self._buttons()

    def selected(self):
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _buttons(self) -> None:
        row = self.selected()
        for button in (self.role_button, self.password_button, self.active_button,
                       self.details_button):
            button.setEnabled(row is not None)
        clinician = row is not None and row.role_key in CLINICAL and row.active
        for button in (self.booking_button, self.time_off_button):
            button.setEnabled(clinician)
            button.setToolTip("" if clinician else "For providers and medical directors.")
        self.unlock_button.setEnabled(row is not None and row.locked_until is not None)
        self.active_button.setText("&Deactivate…" if row is None or row.active
                                   else "Re&activate")

    def _do(self, work) -> None:
        row = self.selected()
        if op(self, lambda: work(row), error_label=self.message):
            self.message.hide()  # the list redraws itself from the change bus

    def add(self) -> None:
        run_modal(NewStaffDialog(self.user, self))  # the list follows the change bus

    def edit_details(self) -> None:
        row = self.selected()
        if row is not None:
            run_modal(DetailsDialog(self.user, row, self))

    def edit_booking(self) -> None:
        row = self.selected()
        if row is not None and row.role_key in CLINICAL:
            run_modal(ProviderBookingDialog(self.user, row, self))

    def time_off(self) -> None:
        row = self.selected()
        if row is not None and row.role_key in CLINICAL:
            run_modal(TimeOffDialog(self.user, row, self))

    def change_role(self, role: str | None = None) -> None:
        row = self.selected()
        if row is None:
            return
        if role is None:
            roles = list(Role)
            labels = [r.label for r in roles]
            label, ok = QInputDialog.getItem(self, "Change role", f"Role of {row.full_name}",
                                             labels, roles.index(Role(row.role_key)), False)
            if not ok:
                return
            role = roles[labels.index(label)]
        self._do(lambda r: staff.change_role(self.user, r.id, role, r.version))

    def reset_password(self) -> None:
        row = self.selected()
        if row is not None and run_modal(PasswordDialog(self.user, row, self)):
            self.message.hide()

    def unlock(self) -> None:
        self._do(lambda r: staff.unlock_account(self.user, r.id))

    def toggle_active(self, reason: str | None = None) -> None:
        row = self.selected()
        if row is None:
            return
        if row.active and reason is None:  # the reason prompt runs it, refusals in it
            with_reason(self, "Deactivate", f"Why is {row.full_name}'s account deactivated?",
                        lambda typed: staff.set_active(self.user, row.id, False, typed,
                                                       row.version),
                        limit=limits.SHORT_REASON)
            return
        self._do(lambda r: staff.set_active(self.user, r.id, not r.active, reason or "",
                                            r.version))
