"""A window open while an admin deactivates its account signs out to the sign-in with a plain
message; one whose role is lowered follows the new role at once."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialog

from medspa_desktop.services.charts import patients
from medspa_desktop.services.platform import auth, staff
from medspa_desktop.services.platform.errors import PermissionDenied
from medspa_desktop.ui.main_window import MainWindow
from tests.conftest import PASSWORD
from tests.ui.modal import answer_next_modal


def _window(qtbot, user) -> MainWindow:
    window = MainWindow(user, remember=False)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def _answer(said: list[str]) -> None:
    def read(box) -> None:
        said.append(box.text())
        box.accept()

    answer_next_modal(read)


@pytest.fixture
def desk(admin):
    return auth.create_user(admin, auth.UserInput("sam", "Sam O'Neill", "front_desk",
                                                  PASSWORD))


def test_a_deactivated_persons_window_signs_out_within_the_check(qtbot, admin, desk):
    window = _window(qtbot, desk)
    window.account_timer.setInterval(50)
    open_dialog = QDialog(window)
    open_dialog.show()
    staff.set_active(admin, desk.id, False, "left the clinic")
    said: list[str] = []
    _answer(said)
    qtbot.waitUntil(lambda: window.signed_out, timeout=5000)
    assert not window.isVisible() and not open_dialog.isVisible()
    assert said == ["An admin has deactivated the account of Sam O'Neill, so you are signed "
                    "out. Anything not yet saved was not kept."]


def test_the_first_refused_action_signs_out_without_waiting(qtbot, admin, desk):
    window = _window(qtbot, desk)
    window.account_timer.stop()  # only the refusal can tell the window now
    staff.set_active(admin, desk.id, False, "left the clinic")
    with pytest.raises(PermissionDenied, match="deactivated"):
        patients.search_patients(window.user, "lee")
    said: list[str] = []
    _answer(said)
    qtbot.waitUntil(lambda: window.signed_out, timeout=5000)
    assert "deactivated" in said[0]


def test_a_lowered_role_closes_what_it_may_no_longer_see(qtbot, admin):
    rn = auth.create_user(admin, auth.UserInput("kim", "Jo Kim", "provider", PASSWORD))
    window = _window(qtbot, rn)
    window.account_timer.setInterval(50)
    assert window.treatments.content.isVisibleTo(window.treatments)
    chart = QDialog(window)  # a chart left open
    chart.show()
    staff.change_role(admin, rn.id, "front_desk")
    said: list[str] = []
    _answer(said)
    qtbot.waitUntil(lambda: bool(said), timeout=5000)
    qtbot.waitUntil(lambda: window.treatments.notice.isVisibleTo(window.treatments))
    assert said[0].startswith("An admin has changed your role from Provider to Front desk. "
                              "Open windows were closed; you may no longer ")
    assert not chart.isVisible() and not window.signed_out
    assert window.treatments.content.isHidden()
    assert window.user_label.text() == "Signed in: Jo Kim (Front desk)"
