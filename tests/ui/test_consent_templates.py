"""Consent forms in the app: an admin saves an edit as a new version; others only read."""

from __future__ import annotations

from medspa_desktop.services.consents import consent_templates
from medspa_desktop.ui.consents.templates_dialog import ConsentTemplatesDialog
from tests.conftest import staff


def _open(qtbot, username: str, category: str) -> ConsentTemplatesDialog:
    dialog = ConsentTemplatesDialog(staff(username))
    qtbot.addWidget(dialog)
    dialog.show()
    row = next(i for i in range(dialog.categories.count())
               if dialog.categories.item(i).data(256) == category)
    dialog.categories.setCurrentRow(row)
    return dialog


def test_an_admin_saves_an_edit_as_a_new_version(qtbot, demo_db):
    dialog = _open(qtbot, "admin", "mesotherapy")
    assert dialog.versions.currentText() == "Version 1 (in use)"
    dialog.body.setPlainText("Not a consent")
    dialog.save_button.click()
    assert dialog.message.text().startswith("Start the consent text with a section heading")
    dialog.discard_button.click()  # back to the text as saved
    dialog.body.setPlainText(dialog.body.toPlainText()
                             + "\n\n## Ingredients [initials]\nI was told every ingredient.")
    dialog.save_button.click()
    assert [dialog.versions.itemText(i) for i in range(dialog.versions.count())] == [
        "Version 2 (in use)", "Version 1"]
    current = consent_templates.current(staff("admin"), "mesotherapy")
    assert current.version == 2 and current.sections[-1].heading == "Ingredients"
    dialog.versions.setCurrentIndex(1)  # the old version stays readable, not editable
    assert dialog.body.isReadOnly() and "Ingredients" not in dialog.body.toPlainText()
    assert "an earlier version, kept as it was" in dialog.info.text()


def test_other_roles_read_the_forms_without_editing(qtbot, demo_db):
    dialog = _open(qtbot, "frontdesk", "neurotoxin")
    assert dialog.body.isReadOnly() and dialog.save_button.isHidden()
    assert "## Risks and side effects [initials]" in dialog.body.toPlainText()
