"""The main window: tabs, menus with standard shortcuts, status bar, remembered state, and
backups (now, automatically once a day and on quitting after a change, and restoring one).

It wires the tabs together; the clinic's logic lives in services/.
"""

from __future__ import annotations

import datetime as dt
import html
import time
import weakref

import shiboken6
from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QSettings, QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWhatsThis,
    QWidget,
)

from .. import APP_NAME, __version__
from ..logs import log
from ..printouts import consent_form_pdf, intake_form_pdf
from ..services.clinic import clinic
from ..services.consents.consent_templates import KINDS
from ..services.messaging import outbox
from ..services.platform import auth, backup, permissions, remote, timed_jobs
from ..services.platform.errors import DomainError
from ..services.platform.permissions import PERMISSIONS, allowed
from ..services.platform.vocabulary import AppointmentStatus, Role
from ..store.database import close_database, database_label, is_sqlite
from ..store.models import User
from . import style
from .backup_dialogs import RestoreDialog, back_up_with_progress, backup_status
from .billing.tab import BillingTab
from .bus import bus, on_change
from .export_dialog import choose_and_export
from .help import whats_this
from .lock import IdleWatcher, LockScreen
from .ops import background_op
from .patients.new_patient import NewPatientDialog
from .patients.tab import PatientsTab
from .presence import PresenceLabel, PresenceTracker, set_workstation_name
from .reports.tab import ReportsTab
from .schedule.tab import ScheduleTab
from .settings_dialog import ClinicSettingsDialog
from .treatments.tab import TreatmentLogTab
from .widgets.elided_label import ElidedLabel
from .widgets.icons import icon
from .widgets.modal import run_modal
from .widgets.pdf_preview import show_preview

TAB_KEYS = ("schedule", "patients", "treatments", "billing", "reports")
STATUS_ICONS = {AppointmentStatus.ARRIVED: "check-in", AppointmentStatus.CHECKED_OUT: "check-out"}
TIMED_WORK_MS = 60_000  # how often the timed work runs (reminders, sending the outbox)
# a server clinic's daily backup: how often each PC asks whether it is due (one of them takes
# it, services/platform/pg_backup.daily_backup), and how long one that failed here waits
SERVER_BACKUP_ASK_MS = 10 * 60_000
SERVER_BACKUP_RETRY_S = 3600
ACCOUNT_CHECK_MS = 10_000  # how often the window looks at its account (one primary-key read)
SERVER_LOST_BANNER = ("The clinic's server cannot be reached. What is on screen is kept but may "
                      "be out of date, and nothing can be saved until the server is back. "
                      "Trying again…")
QUICK_STATUSES = (
    (AppointmentStatus.CONFIRMED, "&Confirm", "Ctrl+Shift+C"),
    (AppointmentStatus.ARRIVED, "Mark &arrived", "Ctrl+Shift+A"),
    (AppointmentStatus.IN_TREATMENT, "Start &treatment", "Ctrl+Shift+T"),
    (AppointmentStatus.COMPLETED, "Mark co&mpleted", "Ctrl+Shift+M"),
    (AppointmentStatus.CHECKED_OUT, "Mark checked &out", "Ctrl+Shift+O"),
    (AppointmentStatus.NO_SHOW, "Mark &no-show", "Ctrl+Shift+X"),
    (AppointmentStatus.CANCELLED, "Cance&l…", "Ctrl+Del"),
)


class MainWindow(QMainWindow):
    # the signed-in account changed in the database (deactivated, another role); it may be
    # emitted from a worker thread, the slot runs on the window's
    account_changed = Signal()

    def __init__(self, user: User, *, remember: bool = True, auto_backup: bool = False) -> None:
        super().__init__()
        self.user = user
        self._role_shown = user.role
        self._forced_out = False
        self._remember = remember
        self._auto_backup = auto_backup  # on a server: one PC a day takes it (pg_backup)
        self._backup_task = None
        self._backup_failed_at: float | None = None  # a server's daily backup: retried later
        self.signed_out = False  # closed by "Sign out" rather than "Quit"
        self.switch_to: str | None = None  # a server this PC now uses: opened at once
        self.guide = None  # the user guide's window, once opened
        self.setObjectName("MainWindow")
        clinic.apply_preferences()  # the clinic's currency symbol, before any amount is shown
        self.clinic = clinic.clinic_info()
        self.setWindowTitle(f"{APP_NAME} — {self.clinic.name}")

        self.tabs = QTabWidget()
        self.schedule = ScheduleTab(user)
        self.patients = PatientsTab(user)
        self.treatments = TreatmentLogTab(user)
        self.billing = BillingTab(user)
        self.reports = ReportsTab(user)  # reads nothing until first shown
        self.tabs.addTab(self.schedule, "&Schedule")
        self.tabs.addTab(self.patients, "&Patients")
        self.tabs.addTab(self.treatments, "&Treatment Log")
        self.tabs.addTab(self.billing, "&Billing")
        self.tabs.addTab(self.reports, "&Reports")  # only for those who may see it
        # said at once when the clinic's server cannot be reached (ui/bus.py)
        self.server_banner = QLabel(SERVER_LOST_BANNER)
        self.server_banner.setObjectName("ServerLost")
        self.server_banner.setWordWrap(True)
        self.server_banner.setStyleSheet(style.BANNER_ALERT)
        self.server_banner.hide()
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.server_banner)
        column.addWidget(self.tabs)
        self.setCentralWidget(central)
        for tab in (self.schedule, self.patients, self.treatments, self.billing, self.reports):
            tab.status_message.connect(lambda text: self.statusBar().showMessage(text, 5000))

        self._build_menus()
        self._build_status_bar()
        self._fit_screen()
        if remember:
            self._restore_state()
        self.lock_screen: LockScreen | None = None
        self.idle = IdleWatcher(auth.lock_minutes() * 60_000, self)
        self.idle.warn.connect(lambda: self.statusBar().showMessage(
            "This PC locks in 30 seconds unless it is used.", 30_000))
        self.idle.idle.connect(lambda: self.lock(f"idle {auth.lock_minutes()} minutes"))
        self.backup_timer = None
        if self._auto_backup:  # the day's first backup, once the window is up
            QTimer.singleShot(3000, self.backup_if_due)
            if not is_sqlite():  # PCs left on for days: each asks now and then, one takes it
                self.backup_timer = QTimer(self, interval=SERVER_BACKUP_ASK_MS)
                self.backup_timer.timeout.connect(self.backup_if_due)
                self.backup_timer.start()
        self._watch_account()
        # the timed work (reminders, the outbox): once a minute, off the UI thread
        self._timed_task = None
        self.timed_timer = QTimer(self, interval=TIMED_WORK_MS)
        self.timed_timer.timeout.connect(self.run_timed_work)
        self.timed_timer.start()
        on_change(self, ("outbox",), self._outbox_changed)
        self._outbox_changed(None)  # messages that failed while no window was open

    # -- the account as it is in the database -----------------------------------------------
    def _watch_account(self) -> None:
        """A deactivated account is signed out and a changed role followed: at once when any
        permission check (a service called from this window) finds the change, and within
        ``ACCOUNT_CHECK_MS`` otherwise."""
        window = weakref.ref(self)
        user_id = self.user.id

        def heard(changed_id: int) -> None:
            alive = window()
            if changed_id == user_id and alive is not None and shiboken6.isValid(alive):
                alive.account_changed.emit()

        self._account_watcher = heard
        self._stopped_watching = False
        permissions.watch(heard)
        # queued: never inside the service call (and its transaction) that noticed
        self.account_changed.connect(self.check_account, Qt.ConnectionType.QueuedConnection)
        self.account_timer = QTimer(self)
        self.account_timer.setInterval(ACCOUNT_CHECK_MS)
        self.account_timer.timeout.connect(self.check_account)
        self.account_timer.start()
        remote.purge()
        bus().reachable.connect(self._server_reachable)
        self.server_banner.setVisible(bus().lost)
        bus().watch_others(True)  # another PC's booking shows here without F5

    @Slot(bool)
    def _server_reachable(self, up: bool) -> None:
        """The server gone: a banner at once (what is on screen stays; saves are refused by
        the op runner); back: the banner goes and the missed changes are read."""
        self.server_banner.setVisible(not up)
        if up:
            self.statusBar().showMessage("The clinic's server answers again; everything "
                                         "changed meanwhile is shown.", 10000)

    def check_account(self) -> None:
        """Sign a deactivated account out; follow a changed role."""
        if self._forced_out:
            return
        permissions.refresh(self.user, reread=True)
        if not self.user.active:
            self._force_sign_out(
                f"An admin has deactivated the account of {self.user.display_name}, so you "
                "are signed out. Anything not yet saved was not kept.")
        elif self.user.role != self._role_shown and self.lock_screen is None:
            self._follow_role()  # (under the lock screen: once it is unlocked)

    def _follow_role(self) -> None:
        before, after = self._role_shown, self.user.role
        self._role_shown = after
        lost = [what for roles, what in PERMISSIONS.values()
                if before in roles and after not in roles]
        self._enable_actions()
        self.user_label.setText(f"Signed in: {self.user.display_name} "
                                f"({Role.label_of(after)})")
        was, now = Role.label_of(before), Role.label_of(after)
        if lost:  # what is open may show what the new role may not see: close it
            self._close_dialogs()
            QMessageBox.information(
                self, "Your role changed",
                f"An admin has changed your role from {was} to {now}. Open windows were "
                f"closed; you may no longer {lost[0]}" + (" and more" if len(lost) > 1 else "")
                + ".")
        else:
            self.statusBar().showMessage(f"An admin has changed your role to {now}.", 10000)
        for tab in (self.schedule, self.patients, self.treatments, self.billing, self.reports):
            tab.refresh()

    def _close_dialogs(self) -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QDialog) and widget.isVisible():
                widget.reject()

    def _force_sign_out(self, message: str) -> None:
        """Cancel open dialogs (their exec() loops unwind first), lift the lock screen, say
        why, and close to the sign-in."""
        self._forced_out = True
        self.account_timer.stop()
        self.idle.stop()
        self._close_dialogs()
        if self.lock_screen is not None:
            screen, self.lock_screen = self.lock_screen, None
            screen.close_cover()

        def tell_and_leave() -> None:
            QMessageBox.information(self, "Signed out", message)
            self.sign_out()

        QTimer.singleShot(0, tell_and_leave)

    # -- menus ------------------------------------------------------------------------------
    def _action(self, text: str, slot, shortcut=None, menu=None, icon_name=None) -> QAction:
        action = QAction(text, self)
        if icon_name is not None:
            action.setIcon(icon(icon_name))
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False: slot())
        if menu is not None:
            menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self.print_action = self._action(
            "&Print day sheet…", lambda: self._on_schedule(self.schedule.print_day_sheet),
            QKeySequence.StandardKey.Print, file_menu, "print")
        self.setup_action = self._action("Clinic set&up…", self.clinic_setup, None, file_menu)
        self.settings_action = self._action("Clinic &settings…", self.clinic_settings, None,
                                            file_menu)
        self._action("Consent &forms…", self.consent_forms, None, file_menu)
        self.messages_action = self._action("&Messages and reminders…", self.messages_settings,
                                            None, file_menu)
        file_menu.addSeparator()
        self.backup_action = self._action("&Back up now", self.back_up_now, "Ctrl+Shift+B",
                                          file_menu, "backup")
        self.restore_action = self._action("&Restore from a backup…", self.restore_backup,
                                           None, file_menu)
        self.export_action = self._action("E&xport clinic data…", self.export_clinic_data,
                                          None, file_menu)
        self.move_action = self._action("&Move to a server…", self.move_to_server, None,
                                        file_menu)
        self.connect_action = self._action("Co&nnect to the clinic's server…",
                                           self.connect_to_server, None, file_menu)
        self.staff_action = self._action("S&taff accounts…", self.staff_accounts, None,
                                         file_menu)
        self._action("&Change my password…", self.change_password, None, file_menu)
        self._action("This PC's &name…", self.name_this_pc, None, file_menu)
        self.audit_action = self._action("&Audit log…", self.audit_log, None, file_menu)
        file_menu.addSeparator()
        self._action("&Lock now", lambda: self.lock("locked by the user"), "Ctrl+L", file_menu)
        self._action("&Sign out", self.sign_out, "Ctrl+Shift+L", file_menu)
        file_menu.addSeparator()
        self._action("&Quit", self.close, QKeySequence.StandardKey.Quit, file_menu)

        edit_menu = bar.addMenu("&Edit")
        self.find_action = self._action("&Find patient…", self.find_patient,
                                        QKeySequence.StandardKey.Find, edit_menu)

        view_menu = bar.addMenu("&View")
        self.tab_actions = [
            self._action(name, lambda key=key: self.show_tab(key), f"Ctrl+{i + 1}", view_menu)
            for i, (key, name) in enumerate(zip(TAB_KEYS, (
                "&Schedule", "&Patients", "&Treatment Log", "&Billing", "&Reports"),
                strict=True))]
        view_menu.addSeparator()
        # from any tab: front desk may see stock but not the Treatment Log the button is on
        self.inventory_action = self._action("&Inventory…", self.treatments.inventory,
                                             "Ctrl+I", view_menu)
        self.inventory_action.setEnabled(allowed(self.user, "inventory.read"))
        self.outbox_action = self._action("&Outbox…", self.show_outbox, None, view_menu)
        self._action("Overdue &dues…", self.show_overdue_dues, None, view_menu)
        view_menu.addSeparator()
        self._action("&Refresh", self.refresh, QKeySequence.StandardKey.Refresh, view_menu)

        patient_menu = bar.addMenu("P&atient")
        self.new_patient_action = self._action("&New patient…", self.new_patient,
                                               "Ctrl+Shift+N", patient_menu, "new-patient")
        self._action("&Open chart", self._open_chart, QKeySequence.StandardKey.Open,
                     patient_menu)
        patient_menu.addAction(self.find_action)
        self.import_action = self._action("&Import patients…", self.import_patients, None,
                                          patient_menu)
        self.import_history_action = self._action(
            "Import visit &history…", lambda: self.import_patients(history=True), None,
            patient_menu)
        self._enable_actions()
        self._action("Patients &due…", self.patients_due, None, patient_menu)
        self._action("Print &blank intake form…", self.print_blank_intake, None, patient_menu)
        self._action("Print blank &consent form…", self.print_blank_consent, None, patient_menu)

        appt_menu = bar.addMenu("Appoint&ment")
        self.new_appointment_action = self._action(
            "&New appointment…", lambda: self._on_schedule(self.schedule.new_appointment),
            QKeySequence.StandardKey.New, appt_menu, "new-appointment")
        self._action("&Walk-in…", lambda: self._on_schedule(self.schedule.walk_in),
                     "Ctrl+Shift+W", appt_menu)
        self._action("&Find next available…", lambda: self._on_schedule(self.schedule.find_next),
                     "Ctrl+Shift+F", appt_menu)
        self._action("Wait&list…", lambda: self._on_schedule(self.schedule.show_waitlist), None,
                     appt_menu)
        self._action("To confi&rm…", self.to_confirm, None, appt_menu)
        appt_menu.addSeparator()
        self._action("&Today", self._schedule_today, "Ctrl+T", appt_menu)
        self._action("&Previous day", lambda: self._schedule_shift(-1), "Ctrl+PgUp", appt_menu)
        self._action("&Next day", lambda: self._schedule_shift(1), "Ctrl+PgDown", appt_menu)
        appt_menu.addSeparator()
        self.status_actions: dict[str, QAction] = {}
        for status, text, key in QUICK_STATUSES:
            self.status_actions[status] = self._action(
                text, lambda s=status: self._quick_status(s), key, appt_menu,
                STATUS_ICONS.get(status))

        help_menu = bar.addMenu("&Help")
        self.guide_action = self._action("&User guide", self.user_guide,
                                         QKeySequence.StandardKey.HelpContents, help_menu, "help")
        self._action("&Keyboard shortcuts", self.keyboard_shortcuts, None, help_menu)
        self.whats_this_action = QWhatsThis.createAction(self)
        self.whats_this_action.setText("What's &this?")
        help_menu.addAction(self.whats_this_action)
        help_menu.addSeparator()
        self._action(f"&About {APP_NAME}", self.about, None, help_menu)
        self._build_tool_bar()

    def _build_tool_bar(self) -> None:
        """The day's main actions, with their icons and short names, above the tabs."""
        bar = QToolBar("Main actions", self)
        bar.setObjectName("MainToolBar")  # its place is remembered with the window's state
        bar.setMovable(False)
        bar.setIconSize(QSize(20, 20))
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        checked_in = self.status_actions[AppointmentStatus.ARRIVED]
        checked_out = self.status_actions[AppointmentStatus.CHECKED_OUT]
        checked_in.setIconText("Check in")
        checked_out.setIconText("Check out")
        self.new_appointment_action.setIconText("New appointment")
        self.new_patient_action.setIconText("New patient")
        self.print_action.setIconText("Day sheet")
        self.backup_action.setIconText("Back up")
        self.guide_action.setIconText("Help")
        for action in (self.new_appointment_action, self.new_patient_action, None, checked_in,
                       checked_out, None, self.print_action, self.backup_action, None,
                       self.guide_action):
            if action is None:
                bar.addSeparator()
            else:
                bar.addAction(action)
        self.tool_bar = bar
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)

    def _enable_actions(self) -> None:
        """The menu entries the signed-in role may use (the services check again)."""
        self.setup_action.setEnabled(allowed(self.user, "catalog.write"))
        self.import_action.setEnabled(allowed(self.user, "patient.import"))
        self.import_history_action.setEnabled(allowed(self.user, "patient.import"))
        self.settings_action.setEnabled(allowed(self.user, "catalog.write"))
        self.staff_action.setEnabled(allowed(self.user, "users.manage"))
        self.audit_action.setEnabled(allowed(self.user, "audit.read"))
        self.backup_action.setEnabled(True)  # on a server: pg_dump (services/platform/pg_backup)
        self.restore_action.setEnabled(allowed(self.user, "backup.manage"))
        self.export_action.setEnabled(allowed(self.user, "data.export"))
        self.messages_action.setEnabled(allowed(self.user, "messages.setup"))
        self.outbox_action.setEnabled(allowed(self.user, "messages.read"))
        reports = self.may_use_tab("reports")
        self.tabs.setTabVisible(TAB_KEYS.index("reports"), reports)  # others never see it
        self.tab_actions[TAB_KEYS.index("reports")].setVisible(reports)
        self.move_action.setEnabled(is_sqlite() and allowed(self.user, "clinic.move"))
        self.connect_action.setEnabled(allowed(self.user, "clinic.move"))

    def _build_status_bar(self) -> None:
        role = Role.label_of(self.user.role)
        # (the clinic's name is in the title bar too: it gives way first)
        self.clinic_label = ElidedLabel(self.clinic.name, min_chars=3)
        self.user_label = QLabel(f"Signed in: {self.user.display_name} ({role})")
        self.db_label = ElidedLabel(f"Database: {database_label()}",
                                    mode=Qt.TextElideMode.ElideMiddle)
        self.db_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.backup_label = QLabel()
        # messages that failed and wait for the desk (View → Outbox…); hidden when none
        self.outbox_label = QLabel()
        self.outbox_label.setStyleSheet(style.BACKUP_WARNING)
        self.outbox_label.setToolTip("Open View → Outbox… to retry or withdraw them.")
        self.outbox_label.hide()
        self.backup_label.setWhatsThis(whats_this.BACKUP_STATUS)
        # the database path may be long: it gives way ("…" in its middle, the whole path on
        # hover) rather than widen the window
        # who else is signed in, on which PC (this window's own row kept by the tracker)
        self.presence = PresenceTracker(self.user, self)
        self.presence_label = PresenceLabel(self.user)
        for label in (self.outbox_label, self.backup_label, self.clinic_label, self.user_label,
                      self.presence_label, self.db_label):
            self.statusBar().addPermanentWidget(label)
        self.show_backup_state()

    def show_backup_state(self) -> None:
        text, warning = backup_status(backup.state(), dt.datetime.now())
        self.backup_label.setText(text)
        self.backup_label.setStyleSheet(style.BACKUP_WARNING if warning else "")

    # -- actions ----------------------------------------------------------------------------
    def current_tab_key(self) -> str:
        return TAB_KEYS[self.tabs.currentIndex()]

    def show_tab(self, key: str) -> None:
        if self.tabs.isTabVisible(TAB_KEYS.index(key)):
            self.tabs.setCurrentIndex(TAB_KEYS.index(key))

    def refresh(self) -> None:
        self.tabs.currentWidget().refresh()
        self.statusBar().showMessage("Refreshed.", 2000)

    def find_patient(self) -> None:
        self.show_tab("patients")
        self.patients.focus_search()

    def import_patients(self, history: bool = False) -> None:
        from .patients.import_dialog import ImportHistoryDialog, ImportPatientsDialog

        dialog = (ImportHistoryDialog if history else ImportPatientsDialog)(self.user, self)
        run_modal(dialog)
        if dialog.result is not None:
            self.show_tab("patients")

    def new_patient(self) -> None:
        dialog = NewPatientDialog(self.user, self)
        if run_modal(dialog) and dialog.patient is not None:
            p = dialog.patient
            self.show_tab("patients")
            self.patients.search.setText(f"{p.first_name} {p.last_name}")
            self.patients.refresh()
            self.statusBar().showMessage(
                f"Registered {p.first_name} {p.last_name}, chart {p.chart_number}.", 5000)

    def to_confirm(self) -> None:
        """Tomorrow's appointments not yet confirmed, to call."""
        from .messaging.to_confirm import ToConfirmDialog

        run_modal(ToConfirmDialog(self.user, self))

    def patients_due(self) -> None:
        """Who is due for a toxin, filler, the rest of a series, or has lapsed: to call."""
        from .messaging.due_dialog import PatientsDueDialog

        run_modal(PatientsDueDialog(self.user, self))

    def consent_forms(self) -> None:
        from .consents.templates_dialog import ConsentTemplatesDialog

        run_modal(ConsentTemplatesDialog(self.user, self))

    def print_blank_consent(self, category: str | None = None) -> None:
        """A consent form with blank patient fields, to fill in and sign on paper."""
        if category is None:
            labels = list(KINDS.values())
            label, ok = QInputDialog.getItem(self, "Blank consent form", "Which form?",
                                             labels, 0, False)
            if not ok:
                return
            category = list(KINDS)[labels.index(label)]
        show_preview(consent_form_pdf(self.user, category), f"Blank {KINDS[category]} consent",
                     f"consent-{category}-blank.pdf", self)

    def print_blank_intake(self) -> None:
        show_preview(intake_form_pdf(self.user), "Blank intake form", "intake-blank.pdf", self)

    def _open_chart(self) -> None:
        if self.current_tab_key() == "schedule" and self.schedule.selected() is not None:
            self.patients.open_chart(self.schedule.selected().patient_id)
            return
        self.show_tab("patients")
        self.patients.open_chart()

    def _on_schedule(self, action) -> None:
        self.show_tab("schedule")
        action()

    def _schedule_today(self) -> None:
        self.show_tab("schedule")
        self.schedule.go_today()

    def _schedule_shift(self, days: int) -> None:
        self.show_tab("schedule")
        self.schedule.shift(days)

    def _quick_status(self, status: str) -> None:
        self.show_tab("schedule")
        self.schedule.set_status(status)

    def clinic_setup(self) -> None:
        """The clinic's details, rooms, devices, services and prices (admin)."""
        from .setup.window import ClinicSetupWindow

        run_modal(ClinicSetupWindow(self.user, self))
        self.clinic = clinic.clinic_info()  # its name may have changed
        self.setWindowTitle(f"{APP_NAME} — {self.clinic.name}")
        self.clinic_label.setText(self.clinic.name)

    def messages_settings(self) -> None:
        """The mail server, text messages, quiet hours and reminders (admin)."""
        from .messages_dialog import MessagesDialog

        if run_modal(MessagesDialog(self.user, self)):
            self.statusBar().showMessage("Message settings saved.", 5000)

    def show_overdue_dues(self) -> None:
        from .billing.membership_dialogs import OverdueDuesDialog

        run_modal(OverdueDuesDialog(self.user, self))

    def show_outbox(self, state: str | None = None) -> None:
        from .outbox_dialog import OutboxDialog

        dialog = OutboxDialog(self.user, self)
        if state is not None:
            dialog.show_state(state)
        run_modal(dialog)

    def run_timed_work(self) -> None:
        """What is due now (services/platform/timed_jobs), in the background: the window
        never waits for a mail server. A round still running is not started twice."""
        if self._timed_task is not None:
            return
        user = self.user

        def work(_say):
            results = timed_jobs.run_due()
            failed = outbox.failed_count(user) if allowed(user, "messages.read") else 0
            return results, failed

        def done(result) -> None:
            self._timed_task = None
            results, not_sent = result
            self.show_outbox_state(not_sent)
            for job in results:
                if job.failed:
                    log.warning("timed job %s: %s", job.name, job.summary)

        def failed(exc: Exception) -> None:
            self._timed_task = None
            log.warning("The timed work failed: %s", exc)

        self._timed_task = background_op(self, work, on_success=done, on_failure=failed)

    def _outbox_changed(self, _changes) -> None:
        if allowed(self.user, "messages.read"):
            self.show_outbox_state(outbox.failed_count(self.user))

    def show_outbox_state(self, failed: int) -> None:
        self.outbox_label.setVisible(failed > 0)
        self.outbox_label.setText(f"{failed} message{'s' if failed != 1 else ''} not sent"
                                  if failed else "")

    def clinic_settings(self) -> None:
        if run_modal(ClinicSettingsDialog(self.user, self)):
            self.statusBar().showMessage("Clinic settings saved.", 5000)

    def sign_out(self) -> None:
        self.signed_out = True
        self.close()

    def name_this_pc(self) -> None:
        """The name the other PCs see this one by (kept on this PC)."""
        name, ok = QInputDialog.getText(
            self, "This PC's name", "The name the other PCs show for this one, such as "
            "Front desk or Room 2:", text=self.presence.workstation)
        if not ok:
            return
        try:
            name = set_workstation_name(name)
        except DomainError as exc:
            QMessageBox.warning(self, "Not renamed", str(exc))
            return
        self.presence.rename(name)
        self.statusBar().showMessage(f"This PC is now shown as {name}.", 5000)

    def staff_accounts(self) -> None:
        from .staff_dialog import StaffDialog

        run_modal(StaffDialog(self.user, self))
        self.check_account()  # an admin may have changed their own role

    def change_password(self) -> None:
        from .staff_dialog import OwnPasswordDialog

        if run_modal(OwnPasswordDialog(self.user, self)):
            self.statusBar().showMessage("Your password is changed.", 5000)

    def audit_log(self) -> None:
        from .audit_dialog import AuditDialog

        run_modal(AuditDialog(self.user, self))

    # -- the screen lock --------------------------------------------------------------------
    def lock(self, why: str) -> None:
        """Cover every window with the lock screen (open dialogs keep their work below)."""
        if self.lock_screen is not None:
            return
        auth.record_lock(self.user, why)
        self.idle.pause()
        self.statusBar().clearMessage()
        self.lock_screen = LockScreen(self.user, self.clinic.name)
        self.lock_screen.unlocked.connect(self._unlocked)
        self.lock_screen.switch_user.connect(self._switch_user)
        self.lock_screen.cover()

    def _unlocked(self) -> None:
        self.lock_screen = None
        self.idle.resume()
        self.check_account()

    def _switch_user(self) -> None:
        """Sign out from the lock screen: open dialogs are cancelled first (their exec()
        loops unwind), then the window closes to the sign-in."""
        screen, self.lock_screen = self.lock_screen, None
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QDialog) and widget.isVisible():
                widget.reject()
        screen.close_cover()
        QTimer.singleShot(0, self.sign_out)

    # -- backups ----------------------------------------------------------------------------
    def back_up_now(self) -> None:
        result = back_up_with_progress(self, self.user)
        self.show_backup_state()
        if result is not None:
            self.statusBar().showMessage(
                f"Backed up to {result.backup.path} and checked "
                f"({result.seconds:.1f} s).", 8000)

    def backup_if_due(self) -> None:
        """Once a day, in the background: the window stays usable. On a server every PC asks
        and one takes it (``pg_backup.daily_backup``); after a failure this PC asks again an
        hour later (another PC may take it meanwhile)."""
        if self._backup_task is not None or (
                self._backup_failed_at is not None
                and time.monotonic() - self._backup_failed_at < SERVER_BACKUP_RETRY_S):
            return
        if not backup.state().due(dt.datetime.now()):
            return
        server = not is_sqlite()
        self.statusBar().showMessage("Backing up (the day's first backup)…", 5000)

        def work(_say):
            if server:
                from ..services.platform import pg_backup

                return pg_backup.daily_backup(self.user)
            return backup.create_backup(self.user, reason="daily")

        def done(result) -> None:
            self._backup_task = None
            self._backup_failed_at = None
            self.show_backup_state()
            if result is not None:  # None: another PC took it
                self.statusBar().showMessage(f"Backed up to {result.backup.path}.", 8000)

        def failed(exc: Exception) -> None:
            self._backup_task = None
            self._backup_failed_at = time.monotonic()
            log.warning("The daily backup failed: %s", exc)
            self.show_backup_state()
            self.statusBar().showMessage(f"The daily backup failed: {exc}", 15000)

        self._backup_task = background_op(self, work, on_success=done, on_failure=failed)

    def restore_backup(self) -> None:
        if not is_sqlite():
            self.restore_server_backup()
            return
        dialog = RestoreDialog(self.user, self)
        if not run_modal(dialog) or dialog.chosen is None:
            return
        from ..store.opening import open_clinic_database

        chosen = dialog.chosen
        try:
            database = backup.begin_restore(self.user, chosen)
        except Exception as exc:
            QMessageBox.warning(self, "Restore", str(exc))
            return
        close_database()
        try:
            result = backup.restore_backup(chosen, database)
        except Exception as exc:
            log.exception("Restoring %s failed", chosen)
            refusal = open_clinic_database(str(database))
            QMessageBox.critical(self, "Restore", f"The backup was not restored: {exc}"
                                 + (f"\n\n{refusal}" if refusal else ""))
            return
        refusal = open_clinic_database(str(database))
        if refusal is None:
            backup.record_restore(self.user.username, result, chosen)
        QMessageBox.information(
            self, "Restore", f"The backup of {chosen.name} is in place. The database that was in "
            f"use is kept as {result.replaced[0] if result.replaced else '(none)'}. Everyone "
            "signs in again." if refusal is None else refusal)
        self._auto_backup = False  # the restored data has not changed; no backup on the way out
        self.sign_out()

    def restore_server_backup(self) -> None:
        """A server backup into a new database on the same server; this PC may switch to it."""
        from .backup_dialogs import ServerRestoreDialog

        dialog = ServerRestoreDialog(self.user, self)
        run_modal(dialog)
        if dialog.switch_to is not None:
            self._leave_for_server(dialog.switch_to)

    # -- a clinic on a server (ui/server_dialogs.py) -----------------------------------------
    def move_to_server(self) -> None:
        from .server_dialogs import MoveToServerDialog

        dialog = MoveToServerDialog(self.user, self)
        run_modal(dialog)
        if dialog.moved_to is not None:
            self._leave_for_server(dialog.moved_to)

    def connect_to_server(self) -> None:
        from .server_dialogs import ConnectServerDialog

        dialog = ConnectServerDialog(self.user, self)
        if run_modal(dialog) and dialog.chosen is not None:
            QMessageBox.information(
                self, "The clinic's server", "This PC uses the clinic's server from now on: "
                "sign in to it.")
            self._leave_for_server(dialog.chosen)

    def _leave_for_server(self, server: str) -> None:
        """This PC uses the server from now on: this window signs out and the program opens
        the server (``app.run_gui``) where staff sign in again (without the file's backup on
        the way out: the move only marked it)."""
        self._auto_backup = False
        self.switch_to = server
        self.sign_out()

    def export_clinic_data(self) -> None:
        self.clinic_export = choose_and_export(self, self.user, self.clinic.name)

    def user_guide(self, page: str | None = None) -> None:
        """The guide in a window of its own beside this one (F1 again brings it forward)."""
        from .help.guide import GuideWindow

        if self.guide is None or not shiboken6.isValid(self.guide):
            self.guide = GuideWindow(self)
        if page is not None:
            self.guide.show_page(page)
        self.guide.show()
        self.guide.raise_()
        self.guide.activateWindow()

    def keyboard_shortcuts(self) -> None:
        from .help.shortcuts import ShortcutsDialog

        run_modal(ShortcutsDialog(self.menuBar(), self))

    def about(self) -> None:
        QMessageBox.about(self, f"About {APP_NAME}", about_text(self.clinic.name))

    # -- remembered state -------------------------------------------------------------------
    def _restore_state(self) -> None:
        settings = QSettings()
        geometry = settings.value("main_window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = settings.value("main_window/state")
        if state is not None:
            self.restoreState(state)
        tab = settings.value("main_window/tab", "schedule")
        if tab in TAB_KEYS and self.may_use_tab(tab):  # the last person's tab may not be mine
            self.show_tab(tab)

    def _fit_screen(self) -> None:
        """1280×800 where there is room; within the screen it opens on otherwise (a 1366×768
        laptop would push the status bar off the bottom)."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        room = screen.availableGeometry() if screen is not None else None
        if room is None or room.isEmpty():
            self.resize(1280, 800)
            return
        frame = 40  # the window's title bar and borders, which the size does not include
        self.resize(min(1280, room.width() - frame // 2), min(800, room.height() - frame))

    def may_use_tab(self, key: str) -> bool:
        """Whether the signed-in role can use what the tab shows."""
        needs = {"treatments": "treatment.read", "billing": "billing.read",
                 "reports": "reports.view"}.get(key)
        return needs is None or allowed(self.user, needs)

    def save_state(self) -> None:
        settings = QSettings()
        settings.setValue("main_window/geometry", self.saveGeometry())
        settings.setValue("main_window/state", self.saveState())
        settings.setValue("main_window/tab", self.current_tab_key())
        settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.idle.stop()
        self.timed_timer.stop()
        self.account_timer.stop()
        if self.backup_timer is not None:
            self.backup_timer.stop()
        permissions.unwatch(self._account_watcher)
        if not self._stopped_watching:
            self._stopped_watching = True
            self.presence.end()
            bus().watch_others(False)
        if self._remember:
            self.save_state()
        if self._auto_backup and is_sqlite() and not self.signed_out \
                and backup.state().changed_since:
            back_up_with_progress(self, self.user, reason="on closing")
        super().closeEvent(event)


def about_text(clinic_name: str) -> str:
    return (
        f"<h3>{APP_NAME} {__version__}</h3>"
        "<p>Clinic management for medical spas: schedule, charts, treatment logs and "
        "paperwork, on this PC, offline.</p>"
        f"<p>Clinic: {html.escape(clinic_name)}<br>"
        f"Database: {html.escape(database_label())}<br>"
        f"Qt for Python {pyside_version}</p>"
    )
