"""Staff accounts (admin): add someone, change a role, reset a password, open a locked
account, deactivate someone who left. Each form refuses bad input in place; the services
check the permission and audit the change."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QInputDialog,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from ..services.platform import auth, staff
from ..services.platform.errors import ValidationError
from ..services.platform.vocabulary import Role
from ..store.models import User
from .models import Column, RowTableModel
from .ops import op
from .widgets.form_dialog import FormDialog
from .widgets.messages import ErrorLabel
from .widgets.modal import run_modal
from .widgets.table import fit_columns, make_table

COLUMNS = (
    Column("Name", lambda r: r.full_name),
    Column("Shown as", lambda r: r.display_name),
    Column("User name", lambda r: r.username),
    Column("Role", lambda r: r.role),
    Column("State", lambda r: "deactivated" if not r.active else
           f"locked until {r.locked_until:%H:%M}" if r.locked_until else "active"),
)


def _roles(combo: QComboBox, current: str = Role.PROVIDER) -> None:
    for key, label in Role.labels().items():
        combo.addItem(label, key)
    combo.setCurrentIndex(combo.findData(current))


class NewStaffDialog(FormDialog):
    def __init__(self, user: User, parent=None) -> None:
        super().__init__("Add a staff account", parent)
        self.user = user
        self.full_name = self._line("Full name", 120, "Jordan Lee")
        self.display = self._line("Shown as", 60, "Jordan Lee, LE (optional)")
        self.credentials = self._line("Credentials", 40, "MD, NP, RN, LE (optional)")
        self.username = self._line("User name", 40, "jlee")
        self.role = QComboBox()
        self.role.setAccessibleName("Role")
        _roles(self.role)
        self.form.addRow("Role", self.role)
        self.password = self._line("First password", 128, "at least 8 characters")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)

    def submit(self) -> None:
        auth.create_user(self.user, auth.UserInput(
            self.username.text(), self.full_name.text(), self.role.currentData(),
            self.password.text(), self.display.text(), self.credentials.text()))


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
        self.resize(860, 480)
        self.model = RowTableModel(COLUMNS, parent=self)
        self.table = make_table(self.model, "Staff accounts")
        self.message = ErrorLabel()
        self.add_button = QPushButton("&Add…")
        self.role_button = QPushButton("Change &role…")
        self.password_button = QPushButton("Reset &password…")
        self.unlock_button = QPushButton("&Unlock")
        self.active_button = QPushButton("&Deactivate…")
        close = QPushButton("Close")
        self.add_button.clicked.connect(self.add)
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
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addLayout(bar)
        self.refresh()

    def refresh(self, select_id: int | None = None) -> None:
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
        for button in (self.role_button, self.password_button, self.active_button):
            button.setEnabled(row is not None)
        self.unlock_button.setEnabled(row is not None and row.locked_until is not None)
        self.active_button.setText("&Deactivate…" if row is None or row.active
                                   else "Re&activate")

    def _do(self, work) -> None:
        row = self.selected()
        if not op(self, lambda: work(row), error_label=self.message):
            return
        self.message.hide()
        self.refresh(row.id if row else None)

    def add(self) -> None:
        if run_modal(NewStaffDialog(self.user, self)):
            self.refresh()

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
        self._do(lambda r: staff.change_role(self.user, r.id, role))

    def reset_password(self) -> None:
        row = self.selected()
        if row is not None and run_modal(PasswordDialog(self.user, row, self)):
            self.message.hide()
            self.refresh(row.id)

    def unlock(self) -> None:
        self._do(lambda r: staff.unlock_account(self.user, r.id))

    def toggle_active(self, reason: str | None = None) -> None:
        row = self.selected()
        if row is None:
            return
        if row.active and reason is None:
            reason, ok = QInputDialog.getText(self, "Deactivate",
                                              f"Why is {row.full_name}'s account deactivated?")
            if not ok:
                return
        self._do(lambda r: staff.set_active(self.user, r.id, not r.active, reason or ""))
