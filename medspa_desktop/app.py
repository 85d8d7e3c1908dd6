"""Start-up: QApplication, the database, first run, sign-in, the main window.

``run_gui`` is what the ``medspa-desktop`` command (``cli.main``) runs when no subcommand is
given. Opening the clinic file itself is the store's (``store/opening.py``); this module adds
the dialogs around it. It imports the services (and the demo) only after the sign-in is
painted: on a clinic server the sign-in shows before anything else loads.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from . import APP_NAME, __version__, paths
from .logs import log, setup_logging
from .store.database import DamageCheck, close_database, database_label, is_postgres_url
from .store.opening import open_clinic_database


def make_application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName("MedSpa")
    app.setApplicationName("MedSpaDesktop")
    app.setApplicationDisplayName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setWindowIcon(QIcon(str(paths.resource("icons", "medspa.svg"))))
    from .ui.fonts import install_emoji_font
    from .ui.widgets.limits import install_text_limits

    install_text_limits(app)
    install_emoji_font()
    return app


def watch_database(target: str) -> DamageCheck | None:
    """Check the whole clinic file in the background while staff work; damage found is said
    at once, and the next start refuses the file and offers the newest good backup."""
    if is_postgres_url(target):
        return None  # the server checks its own storage
    from .ui.ops import background_op

    check = DamageCheck(target)

    def look(_problems) -> None:
        if check.problems:
            log.error("The background check found damage in %s: %s", target, check.problems)
            QMessageBox.critical(
                QApplication.activeWindow(), APP_NAME,
                f"The database {target} is damaged ({check.problems[0]}).\n\nFinish what "
                "you are doing, write down anything you enter from now on, and close MedSpa "
                "Desktop. When it starts again it offers to restore the newest good backup.")

    background_op(None, lambda _say: check.run(), on_success=look,
                  on_failure=lambda exc: log.error("The background check failed: %s", exc))
    return check


def offer_restore(target: str, refusal: str) -> bool:
    """A damaged database file: offer the newest good backup beside it (the damaged file is
    kept aside). True when one was restored."""
    from .services.platform import backup, pg_backup

    if is_postgres_url(target) or "damaged" not in refusal:
        return False
    folder = Path(target).resolve().parent / "backups"
    good = next((b for b in backup.list_backups(folder)  # a server's dump is not a file's
                 if not pg_backup.is_server_backup(b.path) and not backup.verify_backup(b.path)),
                None)
    if good is None:
        QMessageBox.critical(None, APP_NAME, f"{refusal}\n\nNo good backup was found in "
                             f"{folder}. Restore one from the clinic's backup drive with "
                             "'medspa-desktop restore'.")
        return False
    answer = QMessageBox.question(
        None, APP_NAME, f"{refusal}\n\nRestore the backup taken "
        f"{good.taken_at:%a %d %b %Y at %H:%M}? The damaged file is kept aside.")
    if answer != QMessageBox.StandardButton.Yes:
        return False
    backup.restore_backup(good.path, Path(target))
    log.info("Restored %s from %s after damage", target, good.path)
    return True


def _open_start_target(target: str) -> tuple[str | None, str | None]:
    """Open the clinic at start-up: a server's password from the keyring or typed (asked
    again while the server refuses it), and a clinic file left behind by a move to a server
    offers the server. (None, None): the person cancelled."""
    from .store.database import is_postgres_url, is_sqlite

    while True:
        if is_postgres_url(target):
            from .ui.server_dialogs import ask_password, with_kept_password

            target = with_kept_password(target)
        refusal = open_clinic_database(target)
        while refusal is not None and is_postgres_url(target) and "password" in refusal:
            from .store import pc_server

            bare = pc_server.without_password(target)[0]
            password = ask_password(None, bare)
            if password is None:
                return None, None
            target = pc_server.with_password(bare, password)
            refusal = open_clinic_database(target)
        if refusal is not None or not is_sqlite():
            return target, refusal
        from .services.platform import settings

        if not settings.get(settings.MOVED_TO_SERVER):
            return target, None
        from .ui.server_dialogs import moved_notice

        server = moved_notice(None)
        if server is None:
            return target, None
        close_database()
        target = server


def switch_clinic(target: str) -> str | None:
    """Close the clinic open now and open ``target`` (a server this PC has just moved to or
    joined; its password from the keyring or typed). None when it is open; "" when the person
    cancelled the password; else the refusal in words."""
    close_database()
    opened, refusal = _open_start_target(target)
    if opened is None:
        return ""
    return refusal


def _server_sign_in(target: str):
    """A clinic on a server: the sign-in painted at once, the server opened behind it while
    the person types (``ui/login.py``); the window's own modules load meanwhile. The dialog,
    its ``exec()`` over: signed in (``user``), the first run wanted (``needs_first_run``), or
    quit."""
    from .ui.login import LoginDialog

    login = LoginDialog(APP_NAME, server=target)  # the clinic's name once the server answers
    login.show()
    QApplication.processEvents()  # painted before anything else loads
    from .ui import first_run, main_window  # noqa: F401  what comes after the sign-in

    login.exec()
    return login


def run_gui(target: str) -> int:
    app = make_application()
    from .ui.errors import install_excepthook

    install_excepthook(setup_logging())
    from .ui.single_instance import claim

    instance = claim(target)  # held while this window runs: later starts bring it forward
    if instance is None:
        return 0  # the window already open on this database came to the front instead
    user = None
    hint = ""
    signed_in = True  # on a server, the sign-in has been shown already
    if is_postgres_url(target):  # the schema is checked (behind the sign-in) before any read
        login = _server_sign_in(target)
        if login.server_state != "ready":
            return 0  # quit before the server opened: nothing of the clinic was read
        target, user = login.opened_target, login.user
        signed_in = user is not None or login.needs_first_run
    else:
        target, refusal = _open_start_target(target)
        if target is None:
            return 0
        if refusal is not None and offer_restore(target, refusal):
            refusal = open_clinic_database(target)
        if refusal is not None:
            QMessageBox.critical(None, APP_NAME, refusal)
            return 1
        watch_database(target)  # runs while staff sign in and work
    try:
        if not signed_in:
            return 0  # quit at the server's sign-in
        from . import demo
        from .services.clinic import clinic
        from .ui.first_run import FirstRunDialog
        from .ui.login import LoginDialog
        from .ui.main_window import MainWindow

        if user is None and not clinic.is_set_up():
            first = FirstRunDialog(database_label())
            if not first.exec():
                return 0
            user = first.user
            if first.choice == "server":  # this PC joins a clinic already on its server
                close_database()
                target, refusal = _open_start_target(first.server)
                if target is None:
                    return 0
                if refusal is not None:
                    QMessageBox.critical(None, APP_NAME, refusal)
                    return 1
            if first.choice == "new":
                from .ui.first_setup import FirstSetupDialog

                FirstSetupDialog(user).exec()  # every step may be skipped; closing skips the rest
            if first.choice == "import" and first.imported is not None:
                waiting = first.imported.staff_without_password
                QMessageBox.information(
                    None, APP_NAME, f"The clinic moved in: {first.imported.summary()}."
                    + (f"\n\nStill without a password: {', '.join(waiting)}. In File → "
                       "Staff accounts… you set theirs." if waiting else ""))
            if first.choice == "demo":
                hint = (f"Demo accounts: {', '.join(s.username for s in demo.DEMO_STAFF)}; "
                        f"password {demo.DEMO_PASSWORD}")
        while True:
            if user is None:
                login = LoginDialog(clinic.clinic_info().name, hint)
                if not login.exec():
                    return 0
                user = login.user
            window = MainWindow(user, auto_backup=True)
            window.show()
            app.exec()
            if not window.signed_out:
                return 0
            user = None  # the next person types their own name
            if window.switch_to is not None:  # moved to (or joined) the clinic's server
                refusal = switch_clinic(window.switch_to)
                if refusal == "":
                    return 0
                if refusal is not None:
                    QMessageBox.critical(None, APP_NAME, refusal)
                    return 1
    finally:
        from .services.platform import audit_anchor

        audit_anchor.quietly(lambda: audit_anchor.anchor_now("quit"))
        close_database()
