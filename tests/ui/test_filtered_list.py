"""The one filtered list behind the invoices, the Treatment Log and the audit log: typing in a
filter reloads once the typing pauses (the same pause on every list), a choice at once."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex

from medspa_desktop.ui.audit_dialog import AuditDialog
from medspa_desktop.ui.billing.tab import BillingTab
from medspa_desktop.ui.treatments.tab import TreatmentLogTab
from medspa_desktop.ui.widgets.filtered_list import DEBOUNCE_MS, FilteredList
from tests.conftest import staff

SCREENS = {
    "invoices": (lambda: BillingTab(staff("admin")), "provider"),
    "treatment log": (lambda: TreatmentLogTab(staff("director")), "provider"),
    "audit log": (lambda: AuditDialog(staff("director")), "username"),
}


@pytest.mark.parametrize("name", SCREENS)
def test_typing_reloads_once_the_typing_pauses_and_a_choice_at_once(qtbot, demo_db, name):
    make, choice = SCREENS[name]
    screen = make()
    qtbot.addWidget(screen)
    assert isinstance(screen.list, FilteredList) and screen.list.timer.interval() == DEBOUNCE_MS
    reloads: list[int] = []
    screen.model.modelReset.connect(lambda: reloads.append(screen.model.rowCount()))
    for letter in "zq":
        qtbot.keyClicks(screen.patient, letter)
    assert reloads == [], "reloaded between the letters of a name"
    qtbot.waitUntil(lambda: len(reloads) == 1, timeout=DEBOUNCE_MS * 8)
    assert screen.model.rowCount() == 0 and screen.count.text().startswith("0 ")
    combo = getattr(screen, choice)
    combo.setCurrentIndex(1)
    assert len(reloads) == 2  # at once, no pause
    qtbot.wait(DEBOUNCE_MS * 2)
    assert len(reloads) == 2  # the choice cancelled nothing pending, and started nothing late


def test_the_lazy_list_passes_the_model_checks(qtbot, qtmodeltester, demo_db):
    screen = BillingTab(staff("admin"))
    qtbot.addWidget(screen)
    assert screen.model.canFetchMore(QModelIndex())
    qtmodeltester.check(screen.model)
    assert screen.count.text().startswith(f"{screen.model.rowCount()}+ invoices")
