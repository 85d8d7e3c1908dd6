"""What a person sees when something is refused, and when something breaks."""

from __future__ import annotations

import sqlite3
import sys

import pytest
from PySide6.QtWidgets import QMessageBox

from medspa_desktop.logs import log, setup_logging
from medspa_desktop.services.platform.errors import ValidationError
from medspa_desktop.store.database import close_database
from medspa_desktop.store.opening import open_clinic_database
from medspa_desktop.ui import errors


@pytest.fixture
def boxes(monkeypatch, tmp_path):
    """Message boxes shown, as (kind, text), instead of waiting for a click; and a log file."""
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(QMessageBox, "critical",
                        lambda _parent, _title, text: shown.append(("critical", text)))
    monkeypatch.setattr(QMessageBox, "warning",
                        lambda _parent, _title, text: shown.append(("warning", text)))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    path = setup_logging(tmp_path / "logs")
    errors.install_excepthook(path)
    yield shown, path
    for handler in list(log.handlers):
        if getattr(handler, "baseFilename", "") == str(path):
            log.removeHandler(handler)
            handler.close()


def _raise(exc: Exception):
    try:
        raise exc
    except Exception as caught:
        return type(caught), caught, caught.__traceback__


def test_an_unexpected_error_is_logged_and_the_dialog_says_where(boxes):
    shown, path = boxes
    sys.excepthook(*_raise(RuntimeError("disk on fire")))
    assert len(shown) == 1 and shown[0][0] == "critical"
    assert "did not expect" in shown[0][1] and str(path) in shown[0][1]
    logged = path.read_text(encoding="utf-8")
    assert "RuntimeError: disk on fire" in logged and "Traceback" in logged


def test_a_refusal_is_shown_as_it_is_and_not_logged(boxes):
    shown, path = boxes
    sys.excepthook(*_raise(ValidationError("Enter the clinic's name.")))
    assert shown == [("warning", "Enter the clinic's name.")]
    assert "Enter the clinic's name." not in path.read_text(encoding="utf-8")


def test_the_window_will_not_open_a_file_that_is_not_a_medspa_database(tmp_path):
    letter = tmp_path / "letter.db"
    letter.write_text("Dear patient,\n" * 40)
    assert "is not a MedSpa database" in open_clinic_database(str(letter))


def test_the_window_will_not_open_a_newer_database(tmp_path):
    path = tmp_path / "future.db"
    assert open_clinic_database(str(path)) is None
    close_database()
    con = sqlite3.connect(path)
    con.execute("UPDATE schema_meta SET value = '42' WHERE key = 'schema_version'")
    con.commit()
    con.close()
    message = open_clinic_database(str(path))
    close_database()
    assert message.startswith("This database was written by a newer MedSpa Desktop")
