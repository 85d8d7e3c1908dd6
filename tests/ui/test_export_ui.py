"""File → Export clinic data…: an admin picks a folder, the export runs in the background
with progress, and the message says where it went; Cancel leaves nothing."""

from __future__ import annotations

import json

from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog, QPushButton

from medspa_desktop.store.models import AuditEvent
from medspa_desktop.ui.main_window import MainWindow
from tests.conftest import staff


def _window(qtbot, who: str) -> MainWindow:
    window = MainWindow(staff(who), remember=False)
    qtbot.addWidget(window)
    window.show()
    return window


def _answers(monkeypatch, folder) -> list[str]:
    told: list[str] = []
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(folder))
    monkeypatch.setattr(QMessageBox, "information",
                        lambda _parent, _title, text, *a, **k: told.append(text))
    return told


def test_an_admin_exports_the_clinic_to_a_folder_and_is_told_where(qtbot, demo_db, tmp_path,
                                                                   monkeypatch):
    usb = tmp_path / "usb"
    usb.mkdir()
    told = _answers(monkeypatch, usb)
    window = _window(qtbot, "admin")
    assert window.export_action.isEnabled()
    window.export_action.trigger()
    run = window.clinic_export
    assert run.progress.isVisible() and run.progress.windowTitle() == "Export clinic data"
    qtbot.waitUntil(lambda: bool(told), timeout=120_000)
    (folder,) = usb.iterdir()
    assert folder.name.startswith("Lumière Aesthetics & Laser (demo) export ")
    assert str(folder) in told[0] and "300 patients" in told[0]
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["exportedBy"] == "admin" and manifest["counts"]["fhir"]["Patient"] == 300
    assert run.finished
    assert not [d for d in window.findChildren(QProgressDialog) if d.isVisible()]
    assert AuditEvent.select().where(AuditEvent.action == "data.export").count() == 1


def test_cancel_leaves_no_folder(qtbot, demo_db, tmp_path, monkeypatch):
    usb = tmp_path / "usb"
    usb.mkdir()
    told = _answers(monkeypatch, usb)
    window = _window(qtbot, "admin")
    window.export_action.trigger()
    run = window.clinic_export
    (cancel,) = run.progress.findChildren(QPushButton)
    cancel.click()
    qtbot.waitUntil(lambda: bool(told), timeout=120_000)
    assert told == ["The export was cancelled; nothing was written."]
    assert list(usb.iterdir()) == []
    assert not AuditEvent.select().where(AuditEvent.action == "data.export").exists()


def test_only_an_admin_has_the_menu_entry(qtbot, demo_db):
    for who in ("frontdesk", "director", "injector"):
        assert not _window(qtbot, who).export_action.isEnabled()
