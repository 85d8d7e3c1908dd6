"""A rotating log file in the user log folder, for what goes wrong unexpectedly. The folder is
the account's own (0700) and every log file in it 0600 (``paths.private_dir``)."""

from __future__ import annotations

import logging
import os
from logging.handlers import RotatingFileHandler
from pathlib import Path

from . import paths

LOG_NAME = "medspa-desktop.log"
log = logging.getLogger("medspa_desktop")


class PrivateRotatingFileHandler(RotatingFileHandler):
    """Each log file it opens (the first, and the new one after every rotation) is made
    owner-only from its first moment; a file left by an earlier version is tightened."""

    def _open(self):
        stream = open(self.baseFilename, self.mode, encoding=self.encoding,  # noqa: SIM115
                      errors=self.errors,
                      opener=lambda path, flags: os.open(path, flags, paths.PRIVATE_FILE_MODE))
        paths.private_file(self.baseFilename)
        return stream


def setup_logging(folder: Path | None = None) -> Path:
    """Send the program's log to a rotating file (1 MB x 5) and return its path."""
    folder = paths.private_dir(folder or paths.log_dir())
    path = folder / LOG_NAME
    for old in folder.glob(f"{LOG_NAME}*"):  # rotated files from before modes were kept
        paths.private_file(old)
    if not any(getattr(h, "baseFilename", None) == str(path) for h in log.handlers):
        handler = PrivateRotatingFileHandler(path, maxBytes=1_000_000, backupCount=5,
                                             encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        log.addHandler(handler)
    log.setLevel(logging.INFO)
    return path
