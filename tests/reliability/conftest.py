"""A small clinic's database file, closed, for the tests that run processes against it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from medspa_desktop.services.charts import patients
from medspa_desktop.services.clinic import clinic
from medspa_desktop.services.platform import auth
from medspa_desktop.store.database import close_database, open_database
from medspa_desktop.store.migrations import migrate


@pytest.fixture
def clinic_file(tmp_path) -> Path:
    path = tmp_path / "clinic.db"
    open_database(path)
    migrate()
    admin = clinic.create_clinic(clinic.ClinicInfo("Durable Clinic"),
                                 auth.UserInput("admin", "Ada Admin", "admin", "long-enough"))
    for username in ("lee", "kim"):
        auth.create_user(admin, auth.UserInput(username, username.title(), "provider",
                                               "long-enough"))
    for name in ("Ann", "Bo", "Cy", "Di", "Ed", "Flo", "Gus", "Hal", "Ida", "Jo", "Kai", "Lu"):
        patients.create_patient(admin, patients.PatientInput(name, "Test", dt.date(1980, 1, 1)))
    close_database()
    return path


