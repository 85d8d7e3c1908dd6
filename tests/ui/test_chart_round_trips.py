"""The chart window reads what is in view in a handful of statements, whatever the patient's
history and merges: the patient with its merged charts and the review period, the answers,
the timeline in one query, the newest photo for the portrait (audited with the opening), and who
else is writing on this chart. The other tabs read their rows when first shown. Account checks
and the audit's own statements are counted apart (services/platform is making them cheaper;
the audit of every opening is a rule)."""

from __future__ import annotations

from medspa_desktop.services.charts import chart
from medspa_desktop.store.models import AuditEvent
from medspa_desktop.ui.patients.chart import ChartDialog
from tests.conftest import staff
from tests.services.charts.test_chart_round_trips import _chart_reads, _merged_rich_chart


def _events(action: str) -> int:
    return AuditEvent.select().where(AuditEvent.action == action).count()


def test_the_chart_window_opens_in_four_statements_and_shows_everything_in_view(
        qtbot, demo_db, statements, tmp_path):
    director = staff("director")
    kept, _other = _merged_rich_chart()
    opened, viewed = _events("patient.open"), _events("photo.view")
    statements.clear()
    dialog = ChartDialog(director, kept.id)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.grab().save(str(tmp_path / "chart.png"))
    reads = _chart_reads(statements)
    # who else edits it, the patient with its merges and the review period, the answers,
    # the timeline
    assert len(reads) == 4, reads
    assert _events("patient.open") == opened + 1 and _events("photo.view") == viewed + 1
    # what the user sees is what the chart's services say
    head = chart.header(director, kept.id, opening=False)
    assert dialog.header == head
    assert dialog.banner.text() == "⚠ " + "   ·   ".join(head.alerts)
    assert dialog.timeline_model.rows() == chart.timeline(director, kept.id)
    assert {i.kind for i in dialog.timeline_model.rows()} == {
        "appointment", "note", "photo", "consent", "treatment", "history"}
    assert not dialog.portrait.pixmap().isNull()  # the newest photo, not initials
    # the tabs not in view read nothing until shown
    assert not any(page.built() for page in dialog._pages.values())
    statements.clear()
    dialog.show_tab("photos")
    assert dialog._pages["photos"].built() and not dialog._pages["notes"].built()
    assert any('FROM "photo"' in sql for sql in _chart_reads(statements))


def test_the_front_desk_opens_a_chart_without_its_photos(qtbot, demo_db, statements):
    kept, _other = _merged_rich_chart()
    viewed, desk = _events("photo.view"), staff("frontdesk")
    statements.clear()
    dialog = ChartDialog(desk, kept.id)
    qtbot.addWidget(dialog)
    dialog.show()
    assert len(_chart_reads(statements)) == 4
    assert _events("photo.view") == viewed
    assert dialog.portrait.text() == "".join(w[0] for w in dialog.header.name.split()[:2])
    kinds = {i.kind for i in dialog.timeline_model.rows()}
    assert "photo" not in kinds and "treatment" not in kinds


def test_a_change_to_the_patient_refreshes_the_open_chart_in_one_reading(qtbot, demo_db,
                                                                        statements):
    """The header and the timeline after a change to the patient come from one reading of the
    patient with its merged charts, and re-reading an open chart is not a new access."""
    from dataclasses import replace

    from medspa_desktop.services.charts import patients

    director = staff("director")
    kept, _other = _merged_rich_chart()
    dialog = ChartDialog(director, kept.id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.wait(50)  # the bus delivers the changes of setting up the chart first
    opened = _events("patient.open")
    details = patients.patient_details(director, kept.id)
    on_file = patients.PatientInput(details.first_name, details.last_name, details.dob,
                                    phone=details.phone, email=details.email)
    patients.update_patient(director, kept.id, replace(on_file, preferred_name="Bee"),
                            details.version)
    statements.clear()
    qtbot.waitUntil(lambda: dialog.header.preferred_name == "Bee")
    merges = [sql for sql in _chart_reads(statements) if "merged_into" in sql]
    assert len(merges) == 1, _chart_reads(statements)
    assert "“Bee”" in dialog.name.text()
    assert dialog.timeline_model.rows() == chart.timeline(director, kept.id)
    assert _events("patient.open") == opened
