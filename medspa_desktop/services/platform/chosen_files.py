"""Files a person picks in a dialog or drops on a window: a photo to import, the scan of a
paper form, where an export or a PDF is saved. Never the clinic's own database: reading it by
hand while the program has it open drops SQLite's locks on it (the lost-work bug of
``store/database._refuse_non_sqlite``), and writing over it destroys it."""

from __future__ import annotations

import os
from pathlib import Path

from ...store.database import is_open_database_file
from .errors import ValidationError


def read_chosen(path: str | os.PathLike) -> bytes:
    """The bytes of a file a person chose to bring in (OSError when it cannot be read)."""
    path = Path(path)
    if is_open_database_file(path):
        raise ValidationError(f"{path.name} is the clinic's database, not a photo or a scan.")
    return path.read_bytes()


def refuse_overwriting_database(path: str | os.PathLike) -> Path:
    """Before saving to a file a person chose: never over the clinic's database."""
    path = Path(path)
    if is_open_database_file(path):
        raise ValidationError(f"{path} is the clinic's database. Save under another name.")
    return path
