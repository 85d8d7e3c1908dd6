"""Staff accounts on screen: add someone, change a role, reset a password, deactivate."""

from __future__ import annotations

from medspa_desktop.services.platform import auth
from medspa_desktop.store.models import AuditEvent, User
from medspa_desktop.ui.staff_dialog import NewStaffDialog, PasswordDialog, StaffDialog
from tests.conftest import staff
from tests.ui.modal import answer_next_modal


def _select(dialog: StaffDialog, username: str) -> None:
    dialog.table.selectRow(next(i for i, r in enumerate(dialog.model.rows())
                                if r.username == username))


def test_an_admin_manages_staff_accounts(qtbot, demo_db):
    dialog = StaffDialog(staff("admin"))
    qtbot.addWidget(dialog)
    said = []

    def fill(form: NewStaffDialog):
        form.full_name.setText("Nora Quinn")
        form.username.setText("nq")
        form.role.setCurrentIndex(form.role.findData("front_desk"))
        form.password.setText("short")
        form.save_button.click()
        said.append(form.message.text())
        form.password.setText("long-enough")
        form.save_button.click()

    answer_next_modal(fill)
    dialog.add_button.click()
    assert said == ["The password must be at least 8 characters."]
    assert "nq" in [r.username for r in dialog.model.rows()]

    _select(dialog, "nq")
    dialog.change_role("provider")
    assert User.get(User.username == "nq").role == "provider"
    offered = []

    def pick(box):  # the list opens on the person's role, by its label
        offered.append(box.textValue())
        box.setTextValue("Medical director")
        box.accept()

    answer_next_modal(pick)
    _select(dialog, "nq")
    dialog.change_role()
    assert offered == ["Provider"]
    assert User.get(User.username == "nq").role == "medical_director"

    def new_password(form: PasswordDialog):
        form.first.setText("fresh-password")
        form.again.setText("fresh-passw0rd")
        form.save_button.click()
        said.append(form.message.text())
        form.again.setText("fresh-password")
        form.save_button.click()

    answer_next_modal(new_password)
    dialog.password_button.click()
    assert said[-1] == "The two passwords are not the same."
    assert auth.authenticate("nq", "fresh-password").username == "nq"

    dialog.toggle_active("left the clinic")
    assert not User.get(User.username == "nq").active
    assert dialog.active_button.text() == "Re&activate"
    _select(dialog, "admin")
    dialog.toggle_active("testing")
    assert dialog.message.text() == "You cannot deactivate your own account."
    actions = {e.action for e in AuditEvent.select().where(AuditEvent.record_type == "user")}
    assert {"user.create", "user.role", "user.password_reset", "user.deactivate"} <= actions
