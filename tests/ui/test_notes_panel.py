"""The notes panel as a clinician uses it: a signed note read with its addenda under it, and an
addendum written in one dialog."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QPoint, Qt

from medspa_desktop.services.charts import notes
from medspa_desktop.store.models import NoteAddendum, Patient
from medspa_desktop.ui.patients.addendum_dialog import DISCARD, NEEDS_BOTH, AddendumDialog
from medspa_desktop.ui.patients.chart import ChartDialog
from tests.conftest import staff
from tests.ui.modal import answer_next_modal

LONG = ("Moderate dynamic glabellar lines, mild static lines at rest. Frontalis strong, "
        "brow position symmetrical. No ptosis. ") * 4


@pytest.fixture
def signed(demo_db):
    """A signed note with long sections, of a patient of the demo."""
    patient = Patient.select().order_by(Patient.id).first()
    author = staff("injector")
    note = notes.start_note(author, patient.id, category="neurotoxin", sections={
        "subjective": "Wants softer frown lines.\n" + LONG,
        "objective": "Product: Botox Cosmetic, lot C7421A3.\nSites: glabella 20 U.\n" + LONG,
        "assessment": "Good candidate.\n" + LONG,
        "plan": "Review in 2 weeks.\n" + LONG})
    return notes.sign(author, note.id, note.version)


def _panel(qtbot, note, username="injector", size=(1000, 640)):
    chart = ChartDialog(staff(username), note.patient_id)
    qtbot.addWidget(chart)
    chart.resize(*size)
    chart.show()
    panel = chart.show_tab("notes")
    panel.refresh(select=note.id)
    qtbot.waitExposed(chart)
    return chart, panel


def test_five_addenda_show_under_the_note_and_never_squeeze_it(qtbot, signed):
    director = staff("director")
    for n in range(1, 6):
        notes.add_addendum(director, signed.id, f"Correction {n}",
                           f"Addendum number {n}: " + "the left side had 2 U more. " * 12)
    chart, panel = _panel(qtbot, signed)
    qtbot.wait(50)
    assert panel.current.id == signed.id and panel.current.signed
    for key, edit in panel.sections.items():
        assert edit.height() >= edit.text_height() > 0, key
        assert edit.verticalScrollBar().maximum() == 0, key  # nothing hidden inside it
        top = edit.mapTo(panel.page.widget(), QPoint(0, 0)).y()
        panel.page.verticalScrollBar().setValue(top)  # scrolled to its top
        qtbot.wait(10)
        shown = edit.visibleRegion().boundingRect()
        assert shown.height() == edit.height(), key  # scrolled to, all of it in view
    plan = panel.sections["plan"]
    objective = panel.sections["objective"]
    assert objective.geometry().bottom() < plan.geometry().top()
    assert panel.addenda.geometry().top() > plan.geometry().bottom()
    text = panel.addenda.text()
    assert text.count("Addendum</b> by Dr Vasquez") == 5
    assert all(f"Reason: Correction {n}" in text for n in range(1, 6))
    assert panel.page.verticalScrollBar().maximum() > 0  # the page scrolls instead
    chart.close()


def test_an_addendum_is_written_in_one_dialog_and_saved_only_when_complete(qtbot, signed):
    chart, panel = _panel(qtbot, signed)
    assert panel.addendum_button.isEnabled()

    def write(dialog):
        assert isinstance(dialog, AddendumDialog)
        assert not dialog.save_button.isEnabled() and dialog.hint.text() == NEEDS_BOTH
        qtbot.keyClicks(dialog.reason, "Wrong side")
        assert not dialog.save_button.isEnabled()
        qtbot.keyClicks(dialog.text, "Treated the left cheek, not the right. " * 6)
        assert dialog.save_button.isEnabled() and dialog.hint.text() == ""
        assert dialog.text.lineWrapMode() == dialog.text.LineWrapMode.WidgetWidth
        assert dialog.text.horizontalScrollBar().maximum() == 0  # long lines wrap
        dialog.save_button.click()

    answer_next_modal(write)
    qtbot.mouseClick(panel.addendum_button, Qt.MouseButton.LeftButton)
    rows = list(NoteAddendum.select().where(NoteAddendum.note == signed.id))
    assert [(r.reason, r.author_id) for r in rows] == [("Wrong side", staff("injector").id)]
    assert "Reason: Wrong side" in panel.addenda.text()
    assert "Treated the left cheek" in panel.addenda.text()
    chart.close()


def test_esc_with_an_addendum_typed_keeps_it_until_esc_again(qtbot, signed):
    dialog = AddendumDialog(staff("injector"), signed.id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.text, "Half written")
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible() and dialog.message.text() == DISCARD
    assert dialog.text.toPlainText() == "Half written"
    qtbot.keyClicks(dialog.text, " and more")  # typing again: Esc asks again
    assert not dialog.message.isVisible()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert not NoteAddendum.select().where(NoteAddendum.note == signed.id).exists()


def test_esc_on_an_empty_addendum_closes_at_once(qtbot, signed):
    dialog = AddendumDialog(staff("injector"), signed.id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_a_new_note_for_a_charted_visit_starts_filled_in_and_writes_nothing_until_saved(
        qtbot, demo_db):
    from medspa_desktop.services.treatments import treatment_records
    from medspa_desktop.store.models import Note, Product
    from tests.ui.test_treatment_record import _in_treatment

    patient = Patient.select().where(Patient.first_name == "Amélie").first()
    visit = _in_treatment(patient, "Botox Cosmetic", dt.date.today() + dt.timedelta(days=100))
    points = [{"view": "front", "x": x, "y": y, "site": "Glabella", "amount": 4}
              for x, y in ((150, 128), (138, 130), (162, 130), (130, 122), (170, 122))]
    botox = Product.get(Product.name == "Botox Cosmetic")
    record = treatment_records.record_treatment(
        staff("injector"), visit.id, {"product_id": botox.id, "dilution_ml": 2.5,
                                      "points": points, "total_units": 20},
        aftercare="Stay upright for 4 hours.", today=visit.start.date())
    lot = treatment_records.parameters(record)["lots"][0]
    before = Note.select().count()
    chart = ChartDialog(staff("injector"), patient.id)
    qtbot.addWidget(chart)
    chart.resize(1000, 700)
    chart.show()
    panel = chart.show_tab("notes")
    labels = [panel.visit.itemText(i) for i in range(panel.visit.count())]
    row = next(i for i, text in enumerate(labels) if text.startswith(f"{visit.start:%Y-%m-%d %H:%M}"))
    assert labels[row].endswith("Botox Cosmetic · charted")
    panel.category.setCurrentIndex(panel.category.findData("filler"))
    panel.visit.setCurrentIndex(row)
    assert panel.category.currentData() == "neurotoxin"  # the visit's
    qtbot.mouseClick(panel.new_button, Qt.MouseButton.LeftButton)
    objective = panel.sections["objective"].toPlainText()
    assert f"Product: Botox Cosmetic, lot {lot['lot']}, expires {lot['expiry']}" in objective
    assert "Sites: Glabella 20 U" in objective and "Total units: 20 U" in objective
    assert "Aftercare given: Stay upright for 4 hours." in panel.sections["plan"].toPlainText()
    assert "filled in from its treatment record" in panel.state.text()
    assert Note.select().count() == before  # nothing written yet
    qtbot.keyClicks(panel.sections["subjective"], "Frown lines bother her at work.")
    qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    note = Note.select().order_by(Note.id.desc()).first()
    assert Note.select().count() == before + 1
    assert (note.appointment_id, note.category) == (visit.id, "neurotoxin")
    assert "Frown lines bother her at work." in note.subjective and lot["lot"] in note.objective
    chart.close()


def test_typing_at_the_end_of_a_long_section_scrolls_the_page_with_the_cursor(qtbot, demo_db):
    patient = Patient.select().order_by(Patient.id).first()
    chart = ChartDialog(staff("injector"), patient.id)
    qtbot.addWidget(chart)
    chart.resize(1000, 600)
    chart.show()
    chart.activateWindow()
    qtbot.waitUntil(chart.isActiveWindow)
    panel = chart.show_tab("notes")
    panel.new_note()
    plan = panel.sections["plan"]
    plan.setPlainText("\n".join(f"Line {n}" for n in range(40)))
    plan.setFocus()
    qtbot.keyClick(plan, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(plan, " and the last word")
    assert plan.height() >= plan.text_height()
    qtbot.waitUntil(lambda: panel.page.verticalScrollBar().value() > 0)
    cursor = plan.cursorRect()
    at = plan.viewport().mapTo(panel.page.viewport(), cursor.center())
    assert panel.page.viewport().rect().contains(at)  # the cursor is in view
    chart.close()
