"""A rotating log file in the user log folder, for what goes wrong unexpectedly."""

from __future__ import annotations

import logging
from logging.handlers import RotatingFileHandler
from pathlib import Path

from . import paths

LOG_NAME = "medspa-desktop.log"
log = logging.getLogger("medspa_desktop")


def setup_logging(folder: Path | None = None) -> Path:
    """Send the program's log to a rotating file (1 MB x 5) and return its path."""
    folder = folder or paths.log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOG_NAME
    if not any(getattr(h, "baseFilename", None) == str(path) for h in log.handlers):
        handler = RotatingFileHandler(path, maxBytes=1_000_000, backupCount=5, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        log.addHandler(handler)
    log.setLevel(logging.INFO)
    return path
