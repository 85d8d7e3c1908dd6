"""Where things live: the database, logs, backups (platformdirs) and bundled resources.

``MEDSPA_DB`` (a file path or a ``postgresql://`` URL) overrides the default database, and the
``--db`` option overrides both.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from platformdirs import PlatformDirs

_dirs = PlatformDirs(appname="MedSpaDesktop", appauthor="MedSpa", roaming=False)


def data_dir() -> Path:
    return Path(_dirs.user_data_dir)


def log_dir() -> Path:
    return Path(_dirs.user_log_dir)


def backup_dir() -> Path:
    return data_dir() / "backups"


def default_database() -> str:
    return os.environ.get("MEDSPA_DB") or str(data_dir() / "clinic.db")


def resources_dir() -> Path:
    """resources/ beside the package, or inside a PyInstaller bundle when frozen."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)
