"""File → Move to a server… and File → Connect to the clinic's server…, on a real PostgreSQL
server: the connection tested in words, the demo clinic moved with progress and verified,
this PC told to use the server (the password never in the setting), the old file marked so
that opening it says where the clinic went; another PC pointed at the server."""

from __future__ import annotations

import json
import uuid

import psycopg
import pytest
from PySide6.QtWidgets import QMessageBox

from medspa_desktop import paths
from medspa_desktop.services.exchange import copy_clinic
from medspa_desktop.store import pc_server
from medspa_desktop.store.models import AuditEvent, Patient, User
from medspa_desktop.ui.server_dialogs import (
    ConnectServerDialog,
    MoveToServerDialog,
    moved_notice,
)
from tests.ui.modal import answer_next_modal


@pytest.fixture
def pc_data(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "pc-data"))
    return paths.data_dir()


def _fill(dialog, pg_server, database: str) -> None:
    dialog.fields.host.setText(str(pg_server.socket_dir))
    dialog.fields.database.setText(database)
    dialog.fields.user.setText(pg_server.user)


def _count(pg_server, database: str, table: str) -> int:
    with psycopg.connect(host=str(pg_server.socket_dir), user=pg_server.user,
                         dbname=database) as con:
        return con.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]


def test_an_admin_moves_the_clinic_and_this_pc_then_uses_the_server(
        qtbot, demo_db, pg_server, pc_data, tmp_path):
    admin = User.get(User.role == "admin")
    patients = Patient.select().count()
    name = pg_server.create_database(f"medspa_{uuid.uuid4().hex[:12]}")
    dialog = MoveToServerDialog(admin)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.move_button.isEnabled()  # tested first
    _fill(dialog, pg_server, "no_such_db")
    dialog.test_button.click()
    qtbot.waitUntil(lambda: dialog.message.isVisible(), timeout=10000)
    assert "no database of that name" in dialog.message.text()
    dialog.fields.password.setText("s3cret-pw")
    _fill(dialog, pg_server, name)
    dialog.test_button.click()
    qtbot.waitUntil(lambda: "empty" in dialog.result.text(), timeout=10000)
    assert dialog.result.text().startswith("Connected to PostgreSQL ")
    assert dialog.move_button.isEnabled()

    steps = []
    dialog.progress.valueChanged.connect(steps.append)
    dialog.move_button.click()
    assert not dialog.close_button.isEnabled()  # while it copies
    qtbot.waitUntil(lambda: dialog.moved_to is not None or dialog.message.isVisible(),
                    timeout=180000)
    assert dialog.moved_to is not None, dialog.message.text()
    assert len(steps) > 10 and dialog.progress.value() == dialog.progress.maximum()
    text = dialog.result.text()
    assert text.startswith("Copied and checked: ") and f"{patients:,} patients" in text
    assert "This PC now uses the server: when you close this window, sign in to the server" in text
    assert _count(pg_server, name, "patient") == patients

    # this PC's setting: the server, without its password (no real keyring here)
    setting = json.loads(paths.server_file().read_text())
    assert setting["url"] == dialog.moved_to and "s3cret" not in paths.server_file().read_text()
    assert name in setting["url"] and setting["password_kept"] is False
    assert paths.default_database() == setting["url"]
    assert "Type the server's password when asked" in text

    # the old file says where the clinic went, and offers it
    moved = copy_clinic.moved_to()
    assert moved is not None and name in moved.server and "s3cret" not in moved.server
    assert AuditEvent.select().where(AuditEvent.action == "clinic.moved_away").count() == 1
    assert Patient.select().count() == patients
    seen = []

    def open_server(box: QMessageBox) -> None:
        seen.append(box.text())
        next(b for b in box.buttons() if b.text() == "Open the server").click()

    answer_next_modal(open_server)
    assert moved_notice(None) == setting["url"]
    assert "This clinic moved to the server" in seen[0] and "fallback" in seen[0]

    # another PC connects to it
    pc_server.forget()
    other = ConnectServerDialog(admin)
    qtbot.addWidget(other)
    other.show()
    other.fields.address.setText(setting["url"])
    other.fields._pasted(setting["url"])
    assert other.fields.database.text() == name
    other.test_button.click()
    qtbot.waitUntil(lambda: "holds the clinic" in other.result.text(), timeout=10000)
    other.use_button.click()
    assert other.chosen == setting["url"]
    assert paths.server_setting()["url"] == setting["url"]


def test_a_database_that_holds_a_clinic_is_not_offered_for_the_move(qtbot, demo_db,
                                                                    pg_server, pc_data):
    admin = User.get(User.role == "admin")
    name = pg_server.create_database(f"medspa_{uuid.uuid4().hex[:12]}")
    with psycopg.connect(host=str(pg_server.socket_dir), user=pg_server.user, dbname=name,
                         autocommit=True) as con:
        con.execute("CREATE TABLE other_program (id int)")
    dialog = MoveToServerDialog(admin)
    qtbot.addWidget(dialog)
    dialog.show()
    _fill(dialog, pg_server, name)
    dialog.test_button.click()
    qtbot.waitUntil(lambda: dialog.message.isVisible(), timeout=10000)
    assert "1 tables of another program" in dialog.result.text()
    assert "Move only into an empty database" in dialog.message.text()
    assert not dialog.move_button.isEnabled()
    assert not paths.server_file().exists()


def test_fields_are_checked_before_connecting(qtbot, demo_db, pc_data):
    dialog = MoveToServerDialog(User.get(User.role == "admin"))
    qtbot.addWidget(dialog)
    dialog.test_button.click()
    assert dialog.message.text().startswith("Type the server's name")
    dialog.fields.address.setText("postgresql://medspa:pw@db.clinic.lan:5433/spa")
    dialog.fields._pasted(dialog.fields.address.text())
    assert (dialog.fields.host.text(), dialog.fields.port.value(), dialog.fields.user.text(),
            dialog.fields.database.text(), dialog.fields.password.text()) == (
        "db.clinic.lan", 5433, "medspa", "spa", "pw")
    assert "pw" not in dialog.fields.address.text()
    assert dialog.fields.url() == "postgresql://medspa:pw@db.clinic.lan:5433/spa"


def test_the_password_is_kept_only_in_a_real_keyring(pc_data):
    import keyring
    from keyring.backend import KeyringBackend

    class Vault(KeyringBackend):  # an OS keyring, as keyring sees one
        priority = 5
        kept: dict = {}

        def get_password(self, service, username):
            return self.kept.get((service, username))

        def set_password(self, service, username, password):
            self.kept[(service, username)] = password

        def delete_password(self, service, username):
            self.kept.pop((service, username), None)

    before = keyring.get_keyring()
    keyring.set_keyring(Vault())
    try:
        assert pc_server.remember("postgresql://medspa:p%40ss@db.lan:5432/spa") is True
        assert "p@ss" not in paths.server_file().read_text()
        bare = paths.server_setting()["url"]
        assert bare == "postgresql://medspa@db.lan:5432/spa"
        assert pc_server.password_for(bare) == "p@ss"
        pc_server.forget()
        assert pc_server.password_for(bare) == "" and not paths.server_file().exists()
    finally:
        keyring.set_keyring(before)
    assert not pc_server.keyring_available() or type(before).__module__ != "keyrings.alt.file"


def test_starting_on_the_file_a_clinic_moved_from_offers_the_server(qtbot, demo_db, pg_server,
                                                                    pc_data):
    from medspa_desktop.app import _open_start_target
    from medspa_desktop.store.database import close_database, database_label, open_database
    from medspa_desktop.store.migrations import migrate

    name = pg_server.create_database(f"medspa_{uuid.uuid4().hex[:12]}")
    url = pg_server.url(name)
    copy_clinic.mark_moved(User.get(User.role == "admin"), url)
    close_database()
    open_database(url)
    migrate()
    close_database()
    chosen = []

    def go_on_with_the_file(box: QMessageBox) -> None:
        next(b for b in box.buttons() if b.text() == "Open this file anyway").click()

    answer_next_modal(go_on_with_the_file)
    assert _open_start_target(str(demo_db)) == (str(demo_db), None)
    assert database_label() == str(demo_db.resolve())
    close_database()

    def open_server(box: QMessageBox) -> None:
        chosen.append(box.text())
        next(b for b in box.buttons() if b.text() == "Open the server").click()

    answer_next_modal(open_server)
    assert _open_start_target(str(demo_db)) == (url, None)
    assert database_label().startswith("PostgreSQL ") and name in database_label()
    assert name in chosen[0]
    close_database()
    open_database(demo_db)  # as the fixture left it


def test_a_new_pc_joins_the_clinics_server_from_its_first_start(qtbot, database, pg_server,
                                                                pc_data):
    from medspa_desktop.services.clinic import clinic
    from medspa_desktop.services.platform import auth
    from medspa_desktop.store.database import close_database, open_database
    from medspa_desktop.store.migrations import migrate
    from medspa_desktop.ui.first_run import FirstRunDialog

    name = pg_server.create_database(f"medspa_{uuid.uuid4().hex[:12]}")
    open_database(pg_server.url(name))
    migrate()
    clinic.create_clinic(clinic.ClinicInfo("Glow Spa", "1 Main St", "555 010 0100", ""),
                         auth.UserInput("admin", "Ada Admin", "admin", "correct-horse"))
    close_database()
    open_database(database)  # this PC's own new, empty clinic file
    first = FirstRunDialog(str(database))
    qtbot.addWidget(first)
    first.show()

    def join(dialog) -> None:
        _fill(dialog, pg_server, name)
        dialog.test_button.click()
        qtbot.waitUntil(lambda: dialog.use_button.isEnabled(), timeout=10000)
        assert "holds the clinic \u201cGlow Spa\u201d" in dialog.result.text()
        dialog.use_button.click()

    answer_next_modal(join)
    first.server_button.click()
    assert first.choice == "server" and first.result() == first.DialogCode.Accepted
    assert name in first.server and paths.server_setting()["url"] == first.server
    assert paths.default_database() == first.server


def test_after_the_move_this_window_signs_out_to_the_servers_sign_in(qtbot, demo_db,
                                                                      pg_server, pc_data):
    """No restart: the window that moved the clinic signs out, and the program opens the
    server (where the staff sign in again), not the file it moved from."""
    from medspa_desktop.app import switch_clinic
    from medspa_desktop.services.clinic import clinic
    from medspa_desktop.store.database import close_database, database_label, open_database
    from medspa_desktop.ui.main_window import MainWindow

    admin = User.get(User.role == "admin")
    patients, name_before = Patient.select().count(), clinic.clinic_info().name
    url = pg_server.url(pg_server.create_database(f"medspa_{uuid.uuid4().hex[:12]}"))
    copy_clinic.copy_clinic(demo_db, url)
    close_database()
    open_database(demo_db)
    copy_clinic.mark_moved(admin, url)
    window = MainWindow(admin, remember=False)
    qtbot.addWidget(window)
    window.show()
    window._leave_for_server(url)
    assert window.signed_out and not window.isVisible() and window.switch_to == url
    assert switch_clinic(window.switch_to) is None
    try:
        assert database_label().startswith("PostgreSQL ")
        assert Patient.select().count() == patients
        assert clinic.clinic_info().name == name_before
    finally:
        close_database()
        open_database(demo_db)  # as the fixture left it
