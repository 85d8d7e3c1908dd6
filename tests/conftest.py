"""Shared fixtures: a fresh temporary database per test, and the demo clinic built once per run
and copied for each test that needs it. Qt runs offscreen."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
import uuid
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from medspa_desktop import demo  # noqa: E402
from medspa_desktop.services.clinic import clinic  # noqa: E402
from medspa_desktop.services.platform import auth  # noqa: E402
from medspa_desktop.store.database import close_database, db, open_database  # noqa: E402
from medspa_desktop.store.migrations import migrate  # noqa: E402
from medspa_desktop.store.models import User  # noqa: E402

PASSWORD = "correct-horse"


@pytest.fixture(autouse=True)
def private_log_dir(tmp_path_factory, monkeypatch) -> Path:
    """Each test's log folder (and the audit anchors in it) is its own, never the real one;
    programs a test starts inherit it."""
    folder = tmp_path_factory.mktemp("log")
    monkeypatch.setenv("MEDSPA_LOG_DIR", str(folder))
    return folder


_SHOTS: list[Path] = []


@pytest.fixture(scope="session", autouse=True)
def _shots_folder(tmp_path_factory) -> None:
    chosen = os.environ.get("MEDSPA_SHOTS")
    _SHOTS[:] = [Path(chosen) if chosen else tmp_path_factory.mktemp("shots")]


def shots() -> Path:
    """Where tests save the pictures of windows to look at: ``$MEDSPA_SHOTS`` when set, else a
    folder of this run's own (never a fixed one other runs write to)."""
    _SHOTS[0].mkdir(parents=True, exist_ok=True)
    return _SHOTS[0]


@pytest.fixture
def database(tmp_path):
    """An empty, migrated SQLite file."""
    path = tmp_path / "clinic.db"
    open_database(path)
    migrate()
    yield path
    close_database()


@pytest.fixture
def admin(database) -> User:
    """A set-up clinic (default rooms and catalog) and its admin."""
    return clinic.create_clinic(
        clinic.ClinicInfo("Test Clinic", "1 Main St", "555 010 0100", "12-3456789"),
        auth.UserInput("admin", "Ada Admin", "admin", PASSWORD),
    )


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory):
    """The default demo clinic, anchored on today, built once for the whole run."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    open_database(path)
    migrate()
    demo.build_demo(seed=1, today=dt.date.today())
    close_database()
    return path


@pytest.fixture
def demo_db(demo_template, tmp_path):
    """A private copy of the demo clinic, open."""
    path = tmp_path / "demo.db"
    shutil.copy(demo_template, path)
    open_database(path)
    yield path
    close_database()


ACCOUNT_CHECK = 'SELECT "t1"."active", "t1"."role" FROM "user"'


def but_the_account_check(statements: list[tuple[str, tuple]]) -> list[tuple[str, tuple]]:
    """The statements sent, but the permission check's read of the account: it is read at
    most once a second (``permissions.FRESH_FOR``), so whether a call sends it depends on the
    call before."""
    return [(sql, params) for sql, params in statements if not sql.startswith(ACCOUNT_CHECK)]


@pytest.fixture
def statements(monkeypatch) -> list[tuple[str, tuple]]:
    """The SQL statements (and their values) the open database is sent from now on."""
    sent: list[tuple[str, tuple]] = []
    real = db.obj.execute_sql

    def counting(sql, params=None, *args, **kwargs):
        sent.append((sql, tuple(params or ())))
        return real(sql, params, *args, **kwargs)

    monkeypatch.setattr(db.obj, "execute_sql", counting)
    return sent


@pytest.fixture(scope="session")
def pg_server():
    """A private PostgreSQL server for the whole run (see tests/pgserver.py).

    CI must run these tests, so there a missing server is an error; on a developer's machine
    without PostgreSQL the tests that need it are skipped with the reason.
    """
    from tests.pgserver import PgServer

    folder = Path(tempfile.mkdtemp(prefix="medspa-pg-"))
    try:
        server = PgServer(folder)
    except FileNotFoundError as exc:
        shutil.rmtree(folder)
        if os.environ.get("CI"):
            raise
        pytest.skip(f"{exc}; install PostgreSQL to run the multi-PC tests")
    server.start()
    yield server
    server.stop()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def pg_database(pg_server):
    """A new, migrated database on the PostgreSQL server, open."""
    name = pg_server.create_database(f"medspa_{uuid.uuid4().hex[:12]}")
    open_database(pg_server.url(name))
    migrate()
    yield name
    close_database()


def staff(username: str) -> User:
    return User.get(User.username == username)


def give_consent(actor: User, patient_id: int, category: str) -> None:
    """The patient's consent for ``category``, signed on paper a moment ago (a test that is
    not about consents starts treatments past the consent guard this way)."""
    from medspa_desktop.services.consents import consent_policy, consent_templates, signing
    from medspa_desktop.services.platform.png import grey_png

    now = dt.datetime.now() - dt.timedelta(minutes=1)
    if consent_policy.missing_consent(actor, patient_id, category, now):
        signing.record_paper(actor, patient_id,
                             consent_templates.current(actor, category).id, now,
                             grey_png(20, 20))


def busy_weekday(today: dt.date | None = None) -> dt.date:
    """A past day on which the demo clinic was open (it closes on Sundays)."""
    day = (today or dt.date.today()) - dt.timedelta(days=1)
    while day.weekday() == 6:
        day -= dt.timedelta(days=1)
    return day
