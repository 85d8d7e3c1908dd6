"""The audit log review on screen: filtered as you choose, exported to a CSV file."""

from __future__ import annotations

import csv

from medspa_desktop.services.charts import patients
from medspa_desktop.store.models import Patient
from medspa_desktop.ui.audit_dialog import AuditDialog
from medspa_desktop.ui.main_window import MainWindow
from tests.conftest import staff


def test_review_the_charts_a_user_opened_and_export_them(qtbot, demo_db, tmp_path):
    patient = Patient.select().order_by(Patient.id).first()
    patients.open_chart(staff("frontdesk"), patient.id)
    dialog = AuditDialog(staff("director"))
    qtbot.addWidget(dialog)
    assert dialog.model.rowCount() == 200 and dialog.model.canFetchMore()
    dialog.username.setCurrentIndex(dialog.username.findData("frontdesk"))
    dialog.group.setCurrentIndex(dialog.group.findData("Charts opened and changed"))
    dialog.patient.setText(patient.chart_number)
    dialog.refresh()
    assert [(r.username, r.action) for r in dialog.model.rows()][0] == ("frontdesk",
                                                                       "patient.open")
    from PySide6.QtCore import QDate

    dialog.dates.date_to.setDate(QDate(2001, 1, 31))
    dialog.dates.date_from.setDate(QDate(2001, 1, 1))
    dialog.dates.use_dates.setChecked(True)  # a month long before the clinic opened
    assert dialog.model.rowCount() == 0
    dialog.dates.use_dates.setChecked(False)
    out = tmp_path / "audit.csv"
    dialog.export(str(out))
    rows = list(csv.reader(out.open(encoding="utf-8-sig")))
    assert rows[1][2:5] == ["frontdesk", "patient.open", f"patient {patient.id}"]


def test_the_menu_offers_the_log_only_to_those_who_may_review_it(qtbot, demo_db):
    for who, may in (("admin", True), ("director", True), ("frontdesk", False)):
        window = MainWindow(staff(who), remember=False)
        qtbot.addWidget(window)
        assert window.audit_action.isEnabled() == may
