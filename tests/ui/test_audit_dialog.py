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


def test_the_log_reads_in_names_with_the_stored_values_on_hover(qtbot, demo_db):
    from PySide6.QtCore import Qt

    patient = Patient.select().order_by(Patient.id).first()
    patients.open_chart(staff("frontdesk"), patient.id)
    dialog = AuditDialog(staff("director"))
    qtbot.addWidget(dialog)
    dialog.resize(1280, 640)
    dialog.show()
    row = next(i for i, r in enumerate(dialog.model.rows()) if r.action == "patient.open")
    cells = [dialog.model.index(row, c) for c in range(5)]
    shown = [dialog.model.data(c) for c in cells]
    tips = [dialog.model.data(c, Qt.ItemDataRole.ToolTipRole) for c in cells]
    frontdesk = staff("frontdesk")
    assert shown[1:4] == [frontdesk.full_name, "Chart opened",
                          f"{patient.last_name}, {patient.first_name}"
                          + (f" ({patient.preferred_name})" if patient.preferred_name else "")
                          + f" (chart {patient.chart_number})"]
    assert tips[1:4] == ["user name: frontdesk", "patient.open", f"patient {patient.id}"]
    assert tips[0].startswith(dialog.model.rows()[row].at.strftime("%Y-%m-%d %H:%M:%S"))
    when = dialog.model.rows()[row].at
    assert shown[0] == f"{when:%a} {when.day} {when:%b %Y %H:%M}"
    assert dialog.username.itemText(dialog.username.findData("frontdesk")) == \
        f"{frontdesk.full_name} (frontdesk)"
