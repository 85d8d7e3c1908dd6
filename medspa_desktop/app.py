"""Start-up: QApplication, the database, first run, sign-in, the main window.

``main()`` is the ``medspa-desktop`` entry point (and what ``python main.py`` runs); with no
subcommand the CLI calls ``run_gui``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from . import APP_NAME, __version__, paths
from .logs import log, setup_logging
from .services import clinic, demo
from .store.database import (
    NotAMedSpaDatabase,
    close_database,
    database_label,
    is_postgres_url,
    open_database,
)
from .store.migrations import NewerDatabaseError, migrate


def main(argv: list[str] | None = None) -> int:
    from .cli import main as cli_main

    return cli_main(argv)


def make_application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName("MedSpa")
    app.setApplicationName("MedSpaDesktop")
    app.setApplicationDisplayName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setWindowIcon(QIcon(str(paths.resource("icons", "medspa.svg"))))
    return app


def open_clinic_database(target: str) -> str | None:
    """Open and migrate ``target``; the refusal to show, or None when it opened."""
    try:
        if not is_postgres_url(target):
            Path(target).parent.mkdir(parents=True, exist_ok=True)
        open_database(target)
        result = migrate()
    except (NotAMedSpaDatabase, NewerDatabaseError) as exc:
        return str(exc)
    except Exception as exc:
        log.exception("Could not open the database %s", target)
        return f"The database {target} could not be opened: {exc}"
    if result.backup is not None:
        log.info("Migrated %s from schema %s; backup at %s", target, result.from_version,
                 result.backup)
    return None


def run_gui(target: str) -> int:
    app = make_application()
    from .ui.errors import install_excepthook
    from .ui.first_run import FirstRunDialog
    from .ui.login import LoginDialog
    from .ui.main_window import MainWindow

    install_excepthook(setup_logging())
    refusal = open_clinic_database(target)
    if refusal is not None:
        QMessageBox.critical(None, APP_NAME, refusal)
        return 1
    user = None
    suggested_username = ""
    try:
        if not clinic.is_set_up():
            first = FirstRunDialog(database_label())
            if not first.exec():
                return 0
            user = first.user
            suggested_username = demo.DEMO_STAFF[0].username if first.choice == "demo" else ""
        while True:
            if user is None:
                login = LoginDialog(clinic.clinic_info().name, suggested_username)
                if not login.exec():
                    return 0
                user = login.user
            window = MainWindow(user, auto_backup=True)
            window.show()
            app.exec()
            if not window.signed_out:
                return 0
            suggested_username, user = user.username, None
    finally:
        close_database()
