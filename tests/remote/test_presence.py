"""Who is signed in where, between two real processes on one clinic file: the status bar lists
the other PC's person, a chart says when they are writing a note on it, and both go when they
sign out. In one process: the notes panel marks this window while a note is being written."""

from __future__ import annotations

from medspa_desktop.services.platform import presence
from medspa_desktop.store.models import Patient, Presence
from medspa_desktop.ui.patients.chart import ChartDialog
from tests.conftest import staff
from tests.remote.test_other_pcs import OtherPc, _shown_within, _window


def test_the_status_bar_and_the_chart_show_who_is_where_on_another_pc(qtbot, demo_db):
    window = _window(qtbot)
    assert window.presence_label.text() == "No one else signed in"
    patient = Patient.select().order_by(Patient.id).first()
    chart = ChartDialog(staff("frontdesk"), patient.id, window)
    qtbot.addWidget(chart)
    chart.show()
    assert not chart.also_editing.isVisible()
    director = staff("director").display_name
    other = OtherPc(str(demo_db))
    try:
        _, at = other.do("present Room 2")
        _shown_within(qtbot, lambda: window.presence_label.text()
                      == f"Also signed in: {director} (Room 2)", at)
        assert "Room 2" in window.presence_label.toolTip()
        assert "this window" in window.presence_label.toolTip()
        _, at = other.do(f"write {patient.id}")
        _shown_within(qtbot, chart.also_editing.isVisible, at)
        assert chart.also_editing.text() == (
            f"✎ {director} is writing a note for this patient at Room 2.")
        _, at = other.do("leave")
        _shown_within(qtbot, lambda: not chart.also_editing.isVisible()
                      and window.presence_label.text() == "No one else signed in", at)
    finally:
        other.close()


def test_writing_a_note_marks_this_window_until_it_is_saved_and_closing_ends_it(
        qtbot, demo_db):
    injector = staff("injector")
    window = _window(qtbot, "injector")
    mine = window.presence.id
    patient = Patient.select().order_by(Patient.id).first()
    chart = ChartDialog(injector, patient.id, window)
    qtbot.addWidget(chart)
    chart.show()
    panel = chart.show_tab("notes")
    panel.new_note()
    row = Presence.get_by_id(mine)
    assert (row.editing_patient, row.editing) == (patient.id, presence.WRITING_A_NOTE)
    panel.sections["subjective"].setPlainText("Wants softer frown lines.")
    panel.save()
    assert Presence.get_by_id(mine).editing_patient is None  # saved: no longer writing
    panel.sections["plan"].setPlainText("Review in 2 weeks.")  # typing in the draft again
    assert Presence.get_by_id(mine).editing_patient == patient.id
    chart.done(0)  # closing saves the draft and the mark goes
    assert Presence.get_by_id(mine).editing_patient is None
    window.sign_out()
    assert not Presence.select().where(Presence.id == mine).exists()


def test_a_pc_switched_off_while_writing_stops_being_named_on_the_chart(qtbot, demo_db):
    import datetime as dt

    director = staff("director")
    patient = Patient.select().order_by(Patient.id).first()
    there = presence.begin(director, "Room 2")  # as the other PC does
    presence.editing(director, there, patient.id, presence.WRITING_A_NOTE)
    window = _window(qtbot)
    chart = ChartDialog(staff("frontdesk"), patient.id, window)
    qtbot.addWidget(chart)
    chart.show()
    assert chart.also_editing.isVisible()
    # Room 2 loses power: its heartbeats stop
    Presence.update(seen_at=dt.datetime.now() - dt.timedelta(seconds=presence.STALE_S + 1)) \
        .where(Presence.id == there).execute()
    chart.also_editing.timer.timeout.emit()  # the next check, every HEARTBEAT_S
    assert not chart.also_editing.isVisible()
    window.presence_label.timer.timeout.emit()
    assert window.presence_label.text() == "No one else signed in"
