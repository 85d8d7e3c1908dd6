"""Help inside the program: the user guide (F1) names only menu paths and keys that exist,
its filter finds headings; the shortcut list is made from the real actions; "What's this?"
explains the harder screens; icons on the main actions."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QDialog, QWhatsThis

from medspa_desktop.paths import resource
from medspa_desktop.printouts import intake_form_pdf
from medspa_desktop.services.charts import patients
from medspa_desktop.services.platform.vocabulary import AppointmentStatus
from medspa_desktop.store.models import Appointment, Service
from medspa_desktop.ui.backup_dialogs import RestoreDialog
from medspa_desktop.ui.billing.checkout_dialog import CheckoutDialog
from medspa_desktop.ui.help.pages import KEY, MENU_PATH, load_guide
from medspa_desktop.ui.help.shortcuts import (
    DIALOG_SHORTCUTS,
    ShortcutsDialog,
    key_text,
    menu_actions,
)
from medspa_desktop.ui.main_window import MainWindow
from medspa_desktop.ui.patients.chart import ChartDialog
from medspa_desktop.ui.schedule.booking_dialog import BookingDialog
from medspa_desktop.ui.setup.window import SECTIONS, ClinicSetupWindow
from medspa_desktop.ui.treatments.inventory_dialog import InventoryDialog
from medspa_desktop.ui.treatments.record_dialog import TreatmentRecordDialog
from medspa_desktop.ui.widgets.icons import NAMES, icon
from medspa_desktop.ui.widgets.modal import add_whats_this_key
from medspa_desktop.ui.widgets.pdf_preview import PdfPreviewDialog
from tests.conftest import staff

TOPICS = ("setup", "booking", "check-in", "charting", "checkout", "close-day", "backup",
          "users")


@pytest.fixture
def window(qtbot, admin):
    w = MainWindow(admin, remember=False)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def dialog_keys(dialog: QDialog) -> set[str]:
    """Every key a dialog answers: its QShortcuts and its actions' shortcuts."""
    keys = {key_text(s.key()) for s in dialog.findChildren(QShortcut)}
    for action in dialog.findChildren(QAction):
        keys |= {key_text(k) for k in action.shortcuts()}
    return keys


# -- the guide ----------------------------------------------------------------------------------
def test_the_guide_covers_the_day_in_short_pages_each_with_a_title():
    pages = load_guide()
    assert set(TOPICS) <= {p.name for p in pages}
    for page in pages:
        assert page.title and page.sections, page.name
        assert len(re.sub(r"<[^>]+>", "", page.html).split()) < 450, f"{page.name} is long"


def test_every_menu_path_and_key_the_guide_names_is_in_the_real_window(window):
    paths = {path for path, _action in menu_actions(window.menuBar())}
    keys = {key_text(k) for _p, a in menu_actions(window.menuBar()) for k in a.shortcuts()}
    keys |= {s.keys for s in DIALOG_SHORTCUTS}
    wrong = []
    for page in load_guide():
        wrong += [f"{page.name}: menu {p}" for p in page.menu_paths() if p not in paths]
        wrong += [f"{page.name}: key {k}" for k in page.key_names() if k not in keys]
        # a path or key written without its mark would escape this check
        rest = KEY.sub("", MENU_PATH.sub("", page.html))
        wrong += [f"{page.name}: unmarked {m}" for m in
                  re.findall(r"→|\b(?:Ctrl|Shift|Alt)\+\w+|\bF\d+\b", rest)]
    assert wrong == []
    assert sum(len(p.menu_paths()) for p in load_guide()) > 20  # the check has work to do
    assert "File → Clinic setup…" in load_guide()[1].menu_paths()


def test_the_check_catches_a_menu_entry_that_is_renamed(window):
    paths = {path for path, _action in menu_actions(window.menuBar())}
    assert "File → Back up now" in paths
    window.backup_action.setText("&Back up")
    assert "File → Back up now" not in {p for p, _a in menu_actions(window.menuBar())}


def test_f1_opens_the_guide_and_the_filter_narrows_the_contents_to_matching_headings(window,
                                                                                      qtbot):
    window.activateWindow()
    qtbot.waitActive(window)
    qtbot.keyClick(window, Qt.Key.Key_F1)
    guide = window.guide
    assert guide is not None and guide.isVisible()
    assert guide.page_title() == "Getting started"
    qtbot.keyClicks(guide.filter, "restor")
    assert guide.visible_titles() == ["Backing up and restoring", "  Backing up", "  Restoring",
                                      "  Moving the clinic to a server",
                                      "  Backups on a server"]  # "restored" there
    assert guide.page_title() == "Backing up and restoring"
    assert "File → Restore from a backup…" in guide.browser.toPlainText()
    guide.filter.clear()
    qtbot.keyClicks(guide.filter, "no such topic")
    assert guide.visible_titles() == [] and guide.nothing.isVisible()
    assert "no such topic" in guide.nothing.text()
    guide.filter.clear()
    assert len(guide.visible_titles()) == sum(1 + len(p.sections) for p in load_guide())
    window.user_guide("checkout")  # F1 again brings the same window forward
    assert window.guide is guide and guide.page_title() == "Checking out and taking payment"


# -- the keyboard list --------------------------------------------------------------------------
def test_the_shortcut_list_is_made_from_the_window_actions_and_copies_as_text(window, qtbot):
    window.menuBar().actions()[0].menu().addAction(
        window._action("&Something new", lambda: None, "Ctrl+Shift+J"))
    dialog = ShortcutsDialog(window.menuBar(), window)
    qtbot.addWidget(dialog)
    rows = {(dialog.table.item(r, 0).text(), dialog.table.item(r, 1).text())
            for r in range(dialog.table.rowCount())}
    for path, action in menu_actions(window.menuBar()):
        if action.shortcuts():
            assert any(what == path for _k, what in rows) or action is window.find_action
    assert ("Ctrl+Shift+J", "File → Something new") in rows
    assert ("Ctrl+Shift+N", "Patient → New patient…") in rows
    assert ("F1", "Help → User guide") in rows
    assert ("Ctrl+S", "Save as PDF") in rows
    assert sum(1 for _k, what in rows if what.endswith("Find patient…")) == 1
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    copied = QGuiApplication.clipboard().text()
    assert "Ctrl+Shift+N  Patient → New patient…" in copied
    assert "Print preview" in copied and copied.count("\n") > 30
    assert "Ctrl+Shift+B" in dialog.document().toPlainText()


def test_the_keys_documented_for_dialogs_are_the_keys_they_answer(qtbot, admin):
    patient = patients.create_patient(admin, patients.PatientInput(
        "Mia", "Lopez", dt.date(1990, 5, 1), phone="555 010 2222"))
    chart = ChartDialog(admin, patient.id)
    preview = PdfPreviewDialog(intake_form_pdf(admin), "Intake", "intake.pdf")
    stock = InventoryDialog(admin)
    for dialog in (chart, preview, stock):
        qtbot.addWidget(dialog)
    found = {"Patient chart": dialog_keys(chart), "Print preview": dialog_keys(preview),
             "Inventory": dialog_keys(stock)}
    for shortcut in DIALOG_SHORTCUTS:
        if shortcut.where in found:
            assert shortcut.keys in found[shortcut.where], shortcut
    assert key_text(QKeySequence("Esc")) == "Esc"


# -- What's this? -------------------------------------------------------------------------------
def started_visit() -> Appointment:
    return (Appointment.select().join(Service)
            .where(Appointment.status.in_((AppointmentStatus.COMPLETED,
                                           AppointmentStatus.CHECKED_OUT)),
                   Service.category == "neurotoxin")
            .order_by(Appointment.start.desc()).first())


def test_the_harder_screens_say_what_their_parts_are_for(qtbot, demo_db):
    director = first_clinician()
    admin = staff("admin")
    visit = started_visit()
    checkout = CheckoutDialog(admin, visit.id)
    record = TreatmentRecordDialog(director, visit.id)
    booking = BookingDialog(admin, dt.datetime.combine(dt.date.today(), dt.time(10)))
    setup = ClinicSetupWindow(admin)
    restore = RestoreDialog(admin)
    window = MainWindow(admin, remember=False)
    for w in (checkout, record, booking, setup, restore, window):
        qtbot.addWidget(w)
    explained = [checkout, checkout.table, checkout.discount, checkout.discount_reason,
                 checkout.tip, checkout.totals, checkout.issue_button, checkout.payments_panel,
                 record, record.same_button, record.chart, booking, booking.service,
                 booking.provider, booking.room, booking.device, booking.repeat,
                 booking.alerts, setup.sections, restore, restore.table,
                 window.schedule.grid, window.backup_label]
    explained += [setup.pages[title] for title, _help, _page in SECTIONS]
    if record.lot is not None:
        explained.append(record.lot)
    missing = [f"{type(w).__name__} {w.accessibleName()}" for w in explained
               if len(w.whatsThis()) < 40]
    assert missing == []


def first_clinician():
    from medspa_desktop.store.models import User

    return User.select().where(User.role == "medical_director").first()


def test_shift_f1_in_a_dialog_asks_what_a_part_is(qtbot, admin):
    dialog = RestoreDialog(admin)
    qtbot.addWidget(dialog)
    key = add_whats_this_key(dialog)
    assert add_whats_this_key(dialog) is key  # once per dialog
    assert key_text(key.key()) == "Shift+F1"
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    qtbot.keyClick(dialog.table, Qt.Key.Key_F1, Qt.KeyboardModifier.ShiftModifier)
    try:
        assert QWhatsThis.inWhatsThisMode()
    finally:
        QWhatsThis.leaveWhatsThisMode()


def test_help_menu_offers_the_guide_the_keys_and_whats_this(window):
    help_menu = [a for a in window.menuBar().actions() if a.text() == "&Help"][0].menu()
    entries = [a.text() for a in help_menu.actions() if not a.isSeparator()]
    assert entries[:3] == ["&User guide", "&Keyboard shortcuts", "What's &this?"]
    assert key_text(window.whats_this_action.shortcut()) == "Shift+F1"


# -- icons --------------------------------------------------------------------------------------
def test_the_main_actions_carry_their_icons_on_the_menus_and_the_toolbar(window):
    for name in NAMES:
        assert resource("icons", f"{name}.svg").is_file()
        assert not icon(name).pixmap(20, 20).isNull(), name
    main = [window.new_appointment_action, window.new_patient_action,
            window.status_actions[AppointmentStatus.ARRIVED],
            window.status_actions[AppointmentStatus.CHECKED_OUT], window.print_action,
            window.backup_action, window.guide_action]
    assert all(not a.icon().isNull() for a in main)
    on_bar = [a for a in window.tool_bar.actions() if not a.isSeparator()]
    assert on_bar == main
    assert [a.iconText() for a in on_bar] == ["New appointment", "New patient", "Check in",
                                              "Check out", "Day sheet", "Back up", "Help"]
    preview = PdfPreviewDialog(intake_form_pdf(window.user), "Intake", "intake.pdf", window)
    try:
        assert not preview.save_button.icon().isNull()
        assert not preview.print_button.icon().isNull()
    finally:
        preview.deleteLater()
