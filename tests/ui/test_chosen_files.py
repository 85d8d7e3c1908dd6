"""A file a person picks or drops is never the clinic's own database: read by hand while the
program has it open, it would lose SQLite's locks (and with them the WAL of the newest
commits); written over, it would be gone."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from medspa_desktop.services.platform import chosen_files
from medspa_desktop.services.platform.errors import ValidationError
from medspa_desktop.services.platform.integrity import check_database
from medspa_desktop.store.models import Patient, Photo
from medspa_desktop.ui.patients.chart import ChartDialog
from medspa_desktop.ui.treatments.tab import TreatmentLogTab
from tests.conftest import staff
from tests.ui.modal import answer_next_modal


def _another_program_opens_and_quits(path: Path) -> None:
    subprocess.run([sys.executable, "-c", "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]);"
                    " c.execute('SELECT COUNT(*) FROM patient').fetchone(); c.close()",
                    str(path)], check=True, timeout=60)


def test_the_database_dropped_on_the_photos_is_refused_and_keeps_its_wal(qtbot, demo_db):
    zoe = Patient.select().where(Patient.first_name == "Zoë").first()
    chart = ChartDialog(staff("director"), zoe.id)
    qtbot.addWidget(chart)
    chart.show()
    chart.show_tab("photos")

    def fill(dialog):
        dialog.area.setText("Glabella")
        dialog.consent.setText("Consent signed on paper today")
        dialog.ok_button.click()

    answer_next_modal(fill)
    assert chart.photos.import_files([demo_db]) == 0
    assert "demo.db is the clinic's database, not a photo or a scan" in \
        chart.photos.message.text()
    assert Photo.select().count() == 0
    _another_program_opens_and_quits(demo_db)
    assert Path(f"{demo_db}-wal").exists()  # this program's locks held: its WAL stays


def test_an_export_over_the_database_is_refused_and_the_database_stays_whole(qtbot, demo_db):
    tab = TreatmentLogTab(staff("director"))
    qtbot.addWidget(tab)
    patients = Patient.select().count()
    with pytest.raises(ValidationError, match="is the clinic's database. Save under another"):
        tab.export(str(demo_db))
    assert Patient.select().count() == patients
    assert check_database() == []


def test_the_databases_own_files_are_refused_under_any_name(demo_db, tmp_path):
    Patient.select().count()  # the WAL is there
    other_name = tmp_path / "holiday.jpg"
    other_name.symlink_to(demo_db)
    for chosen in (other_name, Path(f"{demo_db}-wal"), demo_db.parent / "." / demo_db.name):
        with pytest.raises(ValidationError, match="clinic's database"):
            chosen_files.read_chosen(chosen)
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"\xff\xd8 a photo")
    assert chosen_files.read_chosen(photo) == b"\xff\xd8 a photo"
