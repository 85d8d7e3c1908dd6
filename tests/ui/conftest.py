"""UI tests: QSettings go to a temporary folder so no test reads or writes the user's."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication, QSettings


@pytest.fixture(autouse=True)
def private_settings(tmp_path, qapp):
    QCoreApplication.setOrganizationName("MedSpaTest")
    QCoreApplication.setApplicationName("MedSpaDesktopTest")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path))
    yield
    QSettings().clear()
