"""Patient → Patients due…: the four lists on the demo clinic, printed (read back from the
PDF) and exported; a just-installed clinic says nobody is due."""

from __future__ import annotations

import csv
import datetime as dt

from PySide6.QtCore import Qt

from medspa_desktop.printouts import patients_due_pdf
from medspa_desktop.services.messaging import due_lists
from medspa_desktop.store.models import AuditEvent
from medspa_desktop.ui.messaging.due_dialog import PatientsDueDialog
from medspa_desktop.ui.widgets.pdf_preview import PdfPreviewDialog
from tests.conftest import shots, staff
from tests.documents.pdftext import pdf_text
from tests.ui.modal import answer_next_modal


def _dialog(qtbot, user) -> PatientsDueDialog:
    dialog = PatientsDueDialog(user)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_the_demo_has_toxin_patients_due_shown_printed_and_exported(qtbot, demo_db, tmp_path):
    desk = staff("frontdesk")
    dialog = _dialog(qtbot, desk)
    toxin = dialog.lists.toxin
    assert len(toxin) >= 3
    low, high = due_lists.toxin_window()
    assert all(low <= r.days <= high for r in toxin)
    assert dialog.tabs.tabText(0) == f"Toxin due ({len(toxin)})"
    model = dialog.models["toxin"]
    assert model.rowCount() == len(toxin)
    first = toxin[0]
    shown = [model.index(0, c).data() for c in range(model.columnCount())]
    assert shown[0] == first.name and shown[2] == first.phone and first.phone
    assert dialog.lists.filler and dialog.lists.lapsed
    assert dialog.grab().save(str(shots() / "patients_due.png"))

    seen = {}

    def read(preview: PdfPreviewDialog) -> None:
        seen["pages"] = len(preview.images)
        preview.grab().save(str(shots() / "patients_due_preview.png"))
        preview.reject()

    answer_next_modal(read)
    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    assert seen["pages"] >= 1
    assert AuditEvent.select().where(AuditEvent.action == "print.patients_due").count() == 1

    text = pdf_text(patients_due_pdf(desk, dialog.lists))
    assert f"Patients due on {dt.date.today():%a %d %b %Y}" in text
    assert f"Toxin due ({len(toxin)})" in text
    for row in toxin:
        assert row.phone in text and row.chart_number in text
    assert first.due.split(",")[0] in text

    path = dialog.export(str(tmp_path / "due.csv"))
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0][:4] == ["List", "Patient", "Chart", "Phone"]
    assert len(rows) - 1 == len(dialog.lists.all_rows())
    assert ["Toxin due", first.name, first.chart_number, first.phone] == rows[1][:4]


def test_a_just_installed_clinic_says_nobody_is_due(qtbot, admin):
    dialog = _dialog(qtbot, admin)
    assert [dialog.tabs.tabText(i) for i in range(4)] == [
        "Toxin due (0)", "Filler due (0)", "Unfinished series (0)", "Lapsed (0)"]
    assert not dialog.print_button.isEnabled() and not dialog.export_button.isEnabled()
    assert dialog.summary.text().startswith("0 patients to call")


def test_recall_emails_go_to_the_selected_who_agreed_and_no_one_else(qtbot, demo_db):
    from PySide6.QtCore import QItemSelectionModel

    from medspa_desktop.services.messaging import contact_consent
    from medspa_desktop.services.messaging import due_lists as lists_
    from medspa_desktop.store.models import OutboxMessage

    desk = staff("frontdesk")
    first, second = lists_.patients_due(desk).toxin[:2]
    contact_consent.record_answers(desk, first.patient_id, {"marketing": True})
    contact_consent.record_answers(desk, second.patient_id, {"marketing": False})
    dialog = _dialog(qtbot, desk)
    rows = dialog.lists.toxin
    agreed = [r for r in rows if r.marketing]
    assert first.patient_id in {r.patient_id for r in agreed}
    assert second.patient_id not in {r.patient_id for r in agreed}
    table = dialog.tables["toxin"]
    for i in range(len(rows)):
        table.selectionModel().select(
            dialog.models["toxin"].index(i, 0),
            QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)
    assert dialog.send_button.text() == f"Send recall &email to {len(agreed)} of {len(rows)}…"
    before = OutboxMessage.select().count()
    qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    new = list(OutboxMessage.select().where(OutboxMessage.id > before))
    assert {m.patient_id for m in new} == {r.patient_id for r in agreed}
    assert all(contact_consent.may_contact(m.patient_id, "marketing") for m in new)
    assert all("reply STOP" in m.body for m in new)
    assert dialog.sent.text().startswith(f"{len(agreed)} recall email")
    assert f"Not sent — has not agreed to marketing emails: {second.name}" in dialog.sent.text()
    dialog.grab().save(str(shots() / "patients_due_sent.png"))


def test_enter_on_a_patient_due_opens_their_chart(qtbot, demo_db):
    dialog = _dialog(qtbot, staff("frontdesk"))
    table = dialog.tables["toxin"]
    first = dialog.lists.toxin[0]
    table.setFocus()
    table.setCurrentIndex(dialog.models["toxin"].index(0, 0))
    opened = {}

    def read(chart) -> None:
        opened["patient"], opened["title"] = chart.patient_id, chart.windowTitle()
        chart.reject()

    answer_next_modal(read)
    qtbot.keyClick(table, Qt.Key.Key_Return)
    assert opened["patient"] == first.patient_id
    assert first.name.split(",")[0] in opened["title"]
