"""MedSpa Desktop: offline-first clinic management for medical spas."""

import sys
from importlib.metadata import PackageNotFoundError, version


def _import_peewee_without_psycopg() -> None:
    """peewee, and playhouse.migrate through playhouse's PostgreSQL extensions, import the
    PostgreSQL driver when it is installed, as they are imported themselves (about a tenth of
    a second before the sign-in could show); a clinic on one PC never needs it. So they are
    imported first here, before any module of the program, with psycopg hidden;
    ``store/database.py`` (``_give_peewee_psycopg``) hands it to peewee when a
    ``postgresql://`` database is opened (the program uses no playhouse extension that needs
    it). A process that imported either before keeps them as they are."""
    if "peewee" in sys.modules or "psycopg" in sys.modules:
        return
    sys.modules["psycopg"] = None  # type: ignore[assignment]  # import psycopg: ImportError
    try:
        import peewee  # noqa: F401
        import playhouse.migrate  # noqa: F401
    finally:
        if "psycopg" in sys.modules and sys.modules["psycopg"] is None:
            del sys.modules["psycopg"]


_import_peewee_without_psycopg()

try:
    __version__ = version("medspa-desktop")
except PackageNotFoundError:  # a bare checkout that was never installed
    __version__ = "0+unknown"

APP_NAME = "MedSpa Desktop"
