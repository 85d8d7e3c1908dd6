"""The clinic's stored documents (``stored_file``: signed consents and agreements, scans, the
logo, a server's copy of each photo), kept once per SHA-256 and checked against it when read."""

from __future__ import annotations

import datetime as dt
import hashlib

from ...store.models import StoredFile


def keep(content: bytes, media_type: str, now: dt.datetime | None = None
         ) -> tuple[StoredFile, bool]:
    """The file stored under its SHA-256, and whether this call added it: one statement when
    it is new (as a signed PDF always is), and safe when another PC stores the same bytes at
    the same moment (the hash is unique: the second insert is ignored, the row read)."""
    sha = hashlib.sha256(content).hexdigest()
    now = now or dt.datetime.now()
    made = list(StoredFile.insert(sha256=sha, media_type=media_type, size=len(content),
                                  content=content, stored_at=now)
                .on_conflict_ignore().returning(StoredFile.id).tuples().execute())
    if made:
        return StoredFile(id=made[0][0], sha256=sha, media_type=media_type,
                          size=len(content), stored_at=now), True
    return StoredFile.get(StoredFile.sha256 == sha), False


def verified(stored: StoredFile) -> bytes | None:
    """The stored bytes, or None when they no longer match their SHA-256 (damaged)."""
    content = bytes(stored.content)
    return content if hashlib.sha256(content).hexdigest() == stored.sha256 else None
