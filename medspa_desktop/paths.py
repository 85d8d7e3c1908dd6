"""Where things live: the database, logs, backups (platformdirs) and bundled resources, and
keeping them to the person's own OS account.

``MEDSPA_DB`` (a file path or a ``postgresql://`` URL) overrides the default database, and the
``--db`` option overrides both. Without either, a PC told to use the clinic's server
(``server.json`` in the data folder, ``store/pc_server.py``) opens that server. ``MEDSPA_LOG_DIR`` overrides the log folder (which also holds
the audit anchors, ``services/platform/audit_anchor.py``).

On a shared PC every OS account could read a file made with the usual modes (0644, folders
0755). So on Linux and macOS the program works with umask 077 (``owner_only_umask``), and the
folders it keeps data in are made 0700 and its files 0600 explicitly as well
(``private_dir``, ``private_file``, ``private_database``): files copied from elsewhere keep
their source's mode, and a clinic set up by an earlier version is tightened when it is opened.
On Windows the per-user data folder (``%LOCALAPPDATA%``) is already the account's own, and
nothing is changed.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
from pathlib import Path

from platformdirs import PlatformDirs

_dirs = PlatformDirs(appname="MedSpaDesktop", appauthor="MedSpa", roaming=False)


def data_dir() -> Path:
    return Path(_dirs.user_data_dir)


def log_dir() -> Path:
    return Path(os.environ.get("MEDSPA_LOG_DIR") or _dirs.user_log_dir)


def backup_dir() -> Path:
    return data_dir() / "backups"


def server_file() -> Path:
    """This PC's choice of the clinic's server (written by ``store/pc_server.py``)."""
    return data_dir() / "server.json"


def server_setting() -> dict | None:
    """What ``server_file`` holds (``url`` without its password, ``since``…), or None."""
    import json

    try:
        setting = json.loads(server_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return setting if isinstance(setting, dict) and setting.get("url") else None


def default_database() -> str:
    if os.environ.get("MEDSPA_DB"):
        return os.environ["MEDSPA_DB"]
    server = server_setting()
    return server["url"] if server else str(data_dir() / "clinic.db")


def resources_dir() -> Path:
    """resources/ beside the package, or inside a PyInstaller bundle when frozen."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


# -- owner-only files --------------------------------------------------------------------------
PRIVATE_DIR_MODE, PRIVATE_FILE_MODE = 0o700, 0o600
POSIX = os.name == "posix"


def sha256_of(path: str | os.PathLike) -> str:
    """The SHA-256 of a file, read a megabyte at a time (a backup, a photo, an export's
    file)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def owner_only_umask() -> None:
    """From now on, whatever this process creates is its OS account's own (Linux, macOS)."""
    if POSIX:
        os.umask(0o077)


def _chmod(path: Path, mode: int) -> None:
    """By path (``os.chmod`` does not open the file, so it is safe on a live database); a
    drive without modes (FAT, exFAT, a network share) keeps what it has."""
    if POSIX:
        with contextlib.suppress(OSError):
            os.chmod(path, mode)


def private_dir(path: str | os.PathLike, *, tighten: bool = True) -> Path:
    """Make ``path`` (and every missing folder above it) a folder only its owner can open.
    ``tighten=False`` leaves a folder that already exists as it is (a folder the person chose,
    which may hold other things): only the folders created here are made 0700."""
    path = Path(path)
    missing = []
    folder = path
    while not folder.exists() and folder.parent != folder:
        missing.append(folder)
        folder = folder.parent
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):
            folder.mkdir(mode=PRIVATE_DIR_MODE)
        _chmod(folder, PRIVATE_DIR_MODE)
    if tighten and not missing:
        _chmod(path, PRIVATE_DIR_MODE)
    return path


def private_file(path: str | os.PathLike, *, create: bool = False) -> Path:
    """Make the file at ``path`` readable by its owner only; ``create``: make it (empty, and
    owner-only from its first moment) when it does not exist yet. A missing file is left
    missing otherwise."""
    path = Path(path)
    if create:
        with contextlib.suppress(FileExistsError):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE))
    if path.is_file():
        _chmod(path, PRIVATE_FILE_MODE)
    return path


def write_private(path: str | os.PathLike, data: bytes) -> Path:
    """Write a whole (small) file that only its owner can read."""
    path = Path(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE_MODE)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    _chmod(path, PRIVATE_FILE_MODE)
    return path


SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def private_database(path: str | os.PathLike) -> Path:
    """Before SQLite opens the clinic file at ``path``: the file exists and is its owner's only
    (SQLite gives the WAL and shared-memory files it makes the database file's mode), its
    folder is owner-only when it is made here or is the program's own data folder (a folder the
    person chose keeps its mode), and a clinic set up by an earlier version is tightened: the
    file's WAL, and the photos and backups folders beside it.

    Only ``os.chmod`` by path touches the file: never an open of a live database."""
    path = Path(path)
    parent = path.parent
    ours = not parent.exists() or parent.resolve() == data_dir().resolve()
    private_dir(parent, tighten=ours)
    private_file(path, create=True)
    for suffix in SQLITE_COMPANIONS:
        private_file(Path(f"{path}{suffix}"))
    for name in ("photos", "backups"):
        if (parent / name).is_dir():
            private_dir(parent / name)
    return path
