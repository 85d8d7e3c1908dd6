"""A damaged database file, or a file that is not a database, is refused with a message a
receptionist understands and left exactly as it was; the newest good backup is offered."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from medspa_desktop.app import offer_restore, open_clinic_database
from medspa_desktop.services import backup
from medspa_desktop.services.integrity import check_database
from medspa_desktop.store.database import close_database, open_database
from tests.ui.modal import answer_next_modal

ROOT = Path(__file__).resolve().parents[2]


def _flip_root_page_of(path: Path, table: str) -> None:
    """Turn one table's root page header into nonsense, as a failing disk would."""
    con = sqlite3.connect(path)
    root = con.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    size = con.execute("PRAGMA page_size").fetchone()[0]
    con.close()
    data = bytearray(path.read_bytes())
    for offset in range(8):
        data[(root - 1) * size + offset] ^= 0xA5
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("table", ["patient", "appointment", "audit_event"])
def test_a_byte_flipped_database_is_refused_and_left_unchanged(clinic_file, table):
    _flip_root_page_of(clinic_file, table)
    before = clinic_file.read_bytes()
    refusal = open_clinic_database(str(clinic_file))
    close_database()
    assert refusal is not None and refusal.startswith(f"The database {clinic_file} is damaged")
    assert "nothing more was written to it" in refusal
    assert clinic_file.read_bytes() == before
    assert sorted(p.name for p in clinic_file.parent.iterdir()) == ["clinic.db"]  # no WAL
    check = subprocess.run([sys.executable, str(ROOT / "main.py"), "check", "--db",
                            str(clinic_file)], capture_output=True, text=True, cwd=ROOT)
    assert check.returncode == 1 and "PROBLEM: integrity:" in check.stdout
    assert clinic_file.read_bytes() == before


def test_a_file_that_is_not_a_database_is_refused_and_left_unchanged(tmp_path):
    letter = tmp_path / "clinic.db"
    letter.write_text("Dear patient,\n" * 300)
    before = letter.read_bytes()
    refusal = open_clinic_database(str(letter))
    assert refusal is not None and "is not a MedSpa database" in refusal
    assert letter.read_bytes() == before


def test_the_newest_good_backup_is_offered_for_a_damaged_file(qtbot, clinic_file):
    open_database(clinic_file)
    backup.create_backup(None)  # into backups/ beside the database
    close_database()
    _flip_root_page_of(clinic_file, "patient")
    refusal = open_clinic_database(str(clinic_file))
    close_database()
    asked = []

    def yes(box: QMessageBox):
        asked.append(box.text())
        box.button(QMessageBox.StandardButton.Yes).click()

    answer_next_modal(yes)
    assert offer_restore(str(clinic_file), refusal)
    assert "Restore the backup taken" in asked[0]
    assert open_clinic_database(str(clinic_file)) is None
    try:
        assert check_database() == []
    finally:
        close_database()
    assert list(clinic_file.parent.glob("clinic.db.replaced-*"))  # the damaged file, kept
