"""Which clinic server this PC uses: a per-PC setting, not the clinic's.

When a clinic moves to a PostgreSQL server (File → Move to a server…) or another PC is pointed
at it (File → Connect to the clinic's server…), the server's address is written to
``server.json`` in this OS account's data folder (``paths.server_file``; owner-only). At
start-up, with neither ``--db`` nor ``$MEDSPA_DB`` given, the program opens that server instead
of the data folder's ``clinic.db`` (``paths.default_database``).

The address is stored WITHOUT its password. The password goes to the operating system's
keyring (Windows Credential Manager, macOS Keychain, the Secret Service on Linux) through the
``keyring`` package when it is installed and offers such a keyring; a keyring that is only a
plain file (``keyrings.alt``'s) or none at all does not count, and the person then types the
server's password once each time the program starts. The password is never written to the
clinic's database, the setting file or the log.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from .. import paths

SERVICE = "MedSpa Desktop server"


def without_password(url: str) -> tuple[str, str]:
    """(``url`` with no password, the password it held or "")."""
    parts = urlsplit(url)
    if parts.password is None:
        return url, ""
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = (quote(unquote(parts.username or ""), safe="") + "@" if parts.username else "") \
        + host + (f":{parts.port}" if parts.port else "")
    return (urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment)),
            unquote(parts.password))


def with_password(url: str, password: str) -> str:
    """``url`` (without a password) with ``password`` put in (quoted)."""
    if not password:
        return url
    parts = urlsplit(url)
    user, _, host = parts.netloc.rpartition("@")
    netloc = f"{user}:{quote(password, safe='')}@{host}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def _keyring():
    """The keyring module when it offers a real OS keyring, else None."""
    try:
        import keyring
        from keyring.backends import fail
    except ImportError:
        return None
    try:
        backend = keyring.get_keyring()
    except Exception:  # noqa: BLE001 — a broken keyring is no keyring
        return None
    module = type(backend).__module__
    if isinstance(backend, fail.Keyring) or module.startswith("keyrings.alt") \
            or "null" in module or getattr(backend, "priority", 0) < 1:
        return None
    return keyring


def keyring_available() -> bool:
    return _keyring() is not None


def remember(url: str, *, moved_from: str = "") -> bool:
    """This PC uses the server at ``url`` from its next start. Returns whether its password
    is kept (in the keyring); False: it is asked for at each start."""
    bare, password = without_password(url)
    kept = False
    ring = _keyring()
    if password and ring is not None:
        try:
            ring.set_password(SERVICE, bare, password)
            kept = True
        except Exception:  # noqa: BLE001 — a keyring that refuses: asked for at start instead
            kept = False
    setting = {"url": bare, "since": dt.datetime.now().isoformat(timespec="seconds"),
               "password_kept": kept}
    if moved_from:
        setting["moved_from"] = moved_from
    file = paths.server_file()
    paths.private_dir(file.parent)
    paths.write_private(file, json.dumps(setting, indent=1).encode("utf-8"))
    return kept


def password_for(bare_url: str) -> str:
    """The kept password of a remembered server, or "" (none kept, or no keyring)."""
    ring = _keyring()
    if ring is None:
        return ""
    try:
        return ring.get_password(SERVICE, bare_url) or ""
    except Exception:  # noqa: BLE001
        return ""


def forget() -> None:
    """This PC goes back to its own clinic file."""
    setting = paths.server_setting()
    if setting and setting.get("url"):
        ring = _keyring()
        if ring is not None:
            with contextlib.suppress(Exception):  # nothing was kept
                ring.delete_password(SERVICE, setting["url"])
    paths.server_file().unlink(missing_ok=True)


# -- looking at a server before using it -------------------------------------------------------
@dataclass(frozen=True)
class Probe:
    """What "Test the connection" found."""

    version: str  # the server's PostgreSQL version
    tables: int  # tables in the database
    clinic: str  # the MedSpa clinic's name it holds, or ""

    @property
    def empty(self) -> bool:
        return self.tables == 0

    def describe(self) -> str:
        if self.empty:
            return (f"Connected to PostgreSQL {self.version}. The database is empty: ready "
                    "for the clinic.")
        if self.clinic:
            return (f"Connected to PostgreSQL {self.version}. The database holds the clinic "
                    f"\u201c{self.clinic}\u201d.")
        return (f"Connected to PostgreSQL {self.version}. The database holds {self.tables} "
                "tables of another program.")


class ServerUnreachable(Exception):
    """The server did not answer, or refused the user or password; the reason in words."""


def probe(url: str, timeout: int = 5) -> Probe:
    """Connect to ``url`` on a connection of its own (never the program's), and look."""
    from .database import _give_peewee_psycopg

    _give_peewee_psycopg()
    try:
        import psycopg
    except ImportError:
        raise ServerUnreachable("The PostgreSQL driver is not installed with this copy of "
                                "MedSpa Desktop (pip install 'medspa-desktop[postgres]').") \
            from None
    from playhouse.db_url import parse

    params = parse(url)
    database = params.pop("database")
    try:
        with psycopg.connect(dbname=database, connect_timeout=timeout, **params) as con:
            version = con.execute("SHOW server_version").fetchone()[0].split()[0]
            tables = con.execute(
                "SELECT COUNT(*) FROM pg_tables WHERE schemaname NOT IN "
                "('pg_catalog', 'information_schema')").fetchone()[0]
            clinic = ""
            has_settings = con.execute(
                "SELECT to_regclass('clinic_setting') IS NOT NULL").fetchone()[0]
            if has_settings:
                row = con.execute("SELECT value FROM clinic_setting WHERE key = "
                                  "'clinic.name'").fetchone()
                clinic = row[0] if row and row[0] else "(no name yet)"
    except psycopg.Error as exc:
        raise ServerUnreachable(_in_words(exc)) from None
    return Probe(version, tables, clinic)


def _in_words(exc: Exception) -> str:
    return in_words(str(exc))


def in_words(error: str) -> str:
    """The driver's (or the opening's) words about a failed connection, as staff say it. The
    driver's lines become sentences ("Connection refused. Is the server running…"), not one
    run-on line."""
    lines = [" ".join(line.split()) for line in error.splitlines()]
    text = " ".join(line if line[-1] in ".?!:;," else f"{line}." for line in lines if line)
    lowered = text.lower()
    if "password authentication failed" in lowered or "no password supplied" in lowered:
        return "The server refused the user name or password. Check them and try again."
    if "does not exist" in lowered and "database" in lowered:
        return ("The server has no database of that name. Ask whoever set up the server to "
                "create it (an empty one, e.g. createdb medspa).")
    if "timeout" in lowered or "could not connect" in lowered or "connection refused" in \
            lowered or "could not translate host name" in lowered:
        return ("The server did not answer. Check the server's name and port, that it is "
                f"switched on and that this PC is on the clinic's network. ({text[:160]})")
    return f"The server refused the connection: {text[:200]}"
