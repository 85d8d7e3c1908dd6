"""A damaged database file, or a file that is not a database, is refused with a message a
receptionist understands and left exactly as it was; the newest good backup is offered."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from medspa_desktop.app import offer_restore, watch_database
from medspa_desktop.services.platform import backup
from medspa_desktop.services.platform.integrity import check_database
from medspa_desktop.store import database
from medspa_desktop.store.database import close_database, damage_note, open_database
from medspa_desktop.store.opening import open_clinic_database
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


def _flip_a_middle_leaf_of(path: Path, table: str) -> None:
    """Damage a page deep inside a big table, where reading its first and last rows does not
    reach."""
    con = sqlite3.connect(path)
    columns = [c[1] for c in con.execute(f"PRAGMA table_info({table})") if c[1] != "id"]
    listed = ", ".join(columns)
    for _ in range(6):  # 64 times the rows: many pages
        con.execute(f"INSERT INTO {table} ({listed}) SELECT {listed} FROM {table}")
    con.commit()
    leaves = [n for (n,) in con.execute("SELECT pageno FROM dbstat WHERE name = ? AND "
                                        "pagetype = 'leaf' ORDER BY pageno", (table,))]
    size = con.execute("PRAGMA page_size").fetchone()[0]
    con.close()
    assert len(leaves) > 4
    data = bytearray(path.read_bytes())
    for offset in range(8):
        data[(leaves[len(leaves) // 2] - 1) * size + offset] ^= 0xA5
    path.write_bytes(bytes(data))


def test_damage_deep_in_a_big_table_is_found_while_staff_work_and_refused_next_start(
        qtbot, clinic_file, monkeypatch):
    """Start-up reads a bounded part of the file (a ten-year file opens as fast as a new
    one); the whole file is checked in the background, damage is said at once, and the next
    start refuses the file before anything more is written to it, and offers a backup."""
    monkeypatch.setattr(database, "SMALL_TABLE_ROWS", 100)  # the audit log counts as big
    _flip_a_middle_leaf_of(clinic_file, "audit_event")
    assert open_clinic_database(str(clinic_file)) is None
    said = []
    answer_next_modal(lambda box: (said.append(box.text()), box.accept()))
    check = watch_database(str(clinic_file))
    qtbot.waitUntil(lambda: check.done, timeout=30000)
    qtbot.waitUntil(lambda: bool(said), timeout=5000)
    assert said[0].startswith(f"The database {clinic_file} is damaged")
    assert "starts again it offers to restore the newest good backup" in said[0]
    close_database()
    assert damage_note(clinic_file).exists()

    before = clinic_file.read_bytes()
    refusal = open_clinic_database(str(clinic_file))
    assert refusal is not None and refusal.startswith(f"The database {clinic_file} is damaged")
    assert clinic_file.read_bytes() == before


def test_a_sound_file_checked_in_the_background_says_nothing(qtbot, clinic_file):
    assert open_clinic_database(str(clinic_file)) is None
    check = watch_database(str(clinic_file))
    qtbot.waitUntil(lambda: check.done, timeout=30000)
    qtbot.wait(1200)  # the watch has looked
    assert check.problems == [] and not damage_note(clinic_file).exists()
    assert QApplication.activeModalWidget() is None
    close_database()
