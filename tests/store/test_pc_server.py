"""This PC's choice of the clinic's server: read at start-up only when neither --db nor
$MEDSPA_DB says otherwise, never holding the password, which is never shown when the server
cannot be reached either."""

from __future__ import annotations

from medspa_desktop import paths
from medspa_desktop.store import pc_server
from medspa_desktop.store.opening import open_clinic_database


def test_the_remembered_server_is_opened_unless_told_otherwise(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.delenv("MEDSPA_DB", raising=False)
    assert paths.default_database() == str(paths.data_dir() / "clinic.db")
    assert pc_server.remember("postgresql://medspa:s3cret@db.lan:5432/spa") is False
    assert "s3cret" not in paths.server_file().read_text()
    assert paths.default_database() == "postgresql://medspa@db.lan:5432/spa"
    assert paths.server_file().stat().st_mode & 0o077 == 0
    monkeypatch.setenv("MEDSPA_DB", str(tmp_path / "other.db"))
    assert paths.default_database() == str(tmp_path / "other.db")
    pc_server.forget()
    monkeypatch.delenv("MEDSPA_DB")
    assert paths.default_database() == str(paths.data_dir() / "clinic.db")


def test_a_server_that_cannot_be_reached_is_named_without_its_password():
    refusal = open_clinic_database("postgresql://medspa:s3cret@127.0.0.1:1/spa")
    assert refusal is not None and "s3cret" not in refusal
    assert refusal.startswith("The database postgresql://medspa@127.0.0.1:1/spa could not "
                              "be opened")


def test_the_drivers_lines_read_as_sentences_in_the_message():
    from medspa_desktop.store.pc_server import in_words

    said = in_words('connection failed: connection to server at "10.0.0.9", port 5432 failed: '
                    "Connection refused\n\tIs the server running on that host and accepting "
                    "TCP/IP connections?\n")
    assert said.startswith("The server did not answer.")
    assert "Connection refused. Is the server running" in said
