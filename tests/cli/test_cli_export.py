"""`medspa-desktop export`, run as a real process."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tests.cli.test_cli import one_line_error, run


@pytest.fixture
def closed_demo(demo_template, tmp_path):
    path = tmp_path / "demo.db"
    path.write_bytes(demo_template.read_bytes())
    return path


def test_export_writes_the_clinic_into_a_named_folder_and_prints_the_counts(closed_demo,
                                                                            tmp_path):
    drive = tmp_path / "usb"
    drive.mkdir()
    result = run("export", "--db", str(closed_demo), "--to", str(drive))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "export: Writing patients (FHIR)" in result.stderr
    (folder,) = drive.iterdir()
    assert folder.name.startswith("Lumière Aesthetics & Laser (demo) export ")
    assert f"to {folder}" in result.stdout
    assert "Patient 300" in result.stdout and "patient 300" in result.stdout
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["fhir"]["Patient"] == 300
    assert manifest["exportedBy"] == "system"
    con = sqlite3.connect(closed_demo)
    [(summary,)] = con.execute("SELECT summary FROM audit_event WHERE action = 'data.export'")
    con.close()
    assert str(folder) in summary
    assert run("check", "--db", str(closed_demo)).returncode == 0  # the chain still holds


def test_export_into_a_folder_that_cannot_exist_is_one_line(closed_demo, tmp_path):
    one_line_error(run("export", "--db", str(closed_demo), "--to",
                       str(tmp_path / "no such drive" / "export")), "does not exist")
    assert not (tmp_path / "no such drive").exists()
