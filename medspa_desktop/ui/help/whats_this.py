"""The "What's this?" texts of the harder screens (Shift+F1, or Help → What's this?, then a
click on the part of the window), kept together so they read as one voice. Short rich text:
what the part is for and what to do with it, for the person at the desk."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget


def explain(widget: QWidget, text: str) -> None:
    widget.setWhatsThis(text)


# -- the schedule --------------------------------------------------------------------------------
SCHEDULE_GRID = (
    "<b>The day's schedule</b><p>One column per provider, room or device; each block is an "
    "appointment, coloured by its treatment. Double-click a block to open it, right-click it "
    "for what can be done next (mark arrived, chart, check out). Right-click an empty time to "
    "book there or block it. Drag a block to move the appointment.</p>")

# -- booking -------------------------------------------------------------------------------------
BOOKING = (
    "<b>New appointment</b><p>Choose the patient and the service: the provider, room and device "
    "free at that time are proposed. Warnings about the patient show in the yellow strip.</p>")
BOOKING_SERVICE = (
    "<b>Service</b><p>What the patient is booked for. Its length and the room or device it "
    "needs come with it.</p>")
BOOKING_PROVIDER = (
    "<b>Provider</b><p>Only providers who do this treatment are listed. One already busy at this "
    "time cannot be booked.</p>")
BOOKING_ROOM = (
    "<b>Room and device</b><p>The first ones free for this service are proposed; pick another "
    "if the patient or provider prefers it.</p>")
BOOKING_SERIES = (
    "<b>A series</b><p>Tick to book a course: how many sessions and how far apart. Each "
    "session is checked; a clash is shown before anything is booked.</p>")
BOOKING_ALERTS = (
    "<b>Before you book</b><p>Alerts and history for this patient: allergies, a treatment too "
    "soon after the last one, a consent that needs signing.</p>")

# -- charting ------------------------------------------------------------------------------------
TREATMENT_RECORD = (
    "<b>Treatment record</b><p>What was done at this visit: product, units or settings, sites, "
    "lot numbers. Once saved it never changes; a correction is added as an amendment. Stock "
    "is drawn from the lots when it is saved.</p>")
TREATMENT_SAME = (
    "<b>Same as last time</b><p>Fills the form from the patient's last record of this "
    "treatment. Check every value before saving.</p>")
TREATMENT_LOT = (
    "<b>Lot</b><p>The lot the product came from, printed on the record for traceability. "
    "Soonest-expiring lots are used first unless you choose one.</p>")
TREATMENT_FACE = (
    "<b>Face chart</b><p>Click where you injected to add a point; select a point to give its "
    "units. The total is worked out for you.</p>")

# -- checkout ------------------------------------------------------------------------------------
CHECKOUT = (
    "<b>Checkout</b><p>First the invoice: the visit's treatment is on it already; add products, "
    "discounts and a tip, then Issue invoice. Then take payment. Closing with money owed leaves "
    "the visit unpaid.</p>")
CHECKOUT_LINES = (
    "<b>Invoice lines</b><p>Change a quantity or price by typing in the cell. A line drawn from "
    "the patient's package costs nothing.</p>")
CHECKOUT_DISCOUNT = (
    "<b>Discount</b><p>An amount (10.00) or a percentage (10%) off the whole invoice. A reason "
    "is required; it is kept in the audit log.</p>")
CHECKOUT_TIP = (
    "<b>Tip</b><p>For the provider; not taxed and not part of the price.</p>")
CHECKOUT_TOTALS = (
    "<b>Totals</b><p>Worked out as you type: subtotal, discount, tax, tip and what the patient "
    "pays.</p>")
CHECKOUT_ISSUE = (
    "<b>Issue invoice</b><p>Makes the invoice final (it cannot be changed afterwards, only "
    "voided) and moves on to taking payment.</p>")
CHECKOUT_PAYMENTS = (
    "<b>Payments</b><p>Take one payment per card or method until nothing is due, then print "
    "the receipt. A patient's credit on account shows above the form (<b>Use it</b> pays from "
    "it); money above the balance can be kept as credit instead of change. Refunds (to credit "
    "too) and voids need a medical director or admin.</p>")

# -- clinic setup --------------------------------------------------------------------------------
SETUP_SECTIONS = (
    "<b>Clinic setup</b><p>Choose a section: the clinic's details, rooms, devices, services and "
    "prices, membership plans. Changes are saved as you make them and the schedule follows at once.</p>")
SETUP_PAGES = {
    "Clinic details": "<b>Clinic details</b><p>Printed on every invoice, receipt and form. "
                      "The paper size, time zone and currency apply everywhere.</p>",
    "Rooms": "<b>Rooms</b><p>The schedule's room columns, in this order. Take a room out of use "
             "instead of deleting it: past visits keep its name.</p>",
    "Devices": "<b>Devices</b><p>Lasers and machines a service needs. The clean-up buffer is "
               "kept free after each use.</p>",
    "Services and prices": "<b>Services and prices</b><p>What the clinic offers. A new price "
                           "starts on the date you choose; issued invoices keep theirs. "
                           "Retire a service instead of deleting it.</p>",
    "Membership plans": "<b>Membership plans</b><p>Monthly memberships and their member "
                        "benefits. Changing a plan makes a new version for new members; "
                        "retire a plan to stop enrolling on it.</p>",
}

# -- backups -------------------------------------------------------------------------------------
RESTORE = (
    "<b>Restore from a backup</b><p>Puts a backup in place of the clinic's data. Everything "
    "entered after the backup was made is not in it. The data in use now is kept aside, not "
    "deleted, and everyone signs in again.</p>")
SERVER_RESTORE = (
    "<b>Restore a server backup</b><p>Restores a backup of the clinic's server database into "
    "a NEW database on the same server, counted and checked. The database every PC uses now "
    "is not touched; this PC can then switch to the restored one, and the others connect to "
    "it with File → Connect to the clinic's server….</p>")
RESTORE_LIST = (
    "<b>Backups</b><p>Newest first. Each was checked when it was made and is checked again "
    "before it is restored.</p>")
BACKUP_STATUS = (
    "<b>Last backup</b><p>When the clinic's data was last backed up and checked. It turns red "
    "when the last good backup is more than a day old: press Ctrl+Shift+B (File → Back up "
    "now).</p>")


# -- applied by each screen, in one line at the end of its construction -------------------------
def explain_checkout(dialog) -> None:
    for widget, text in ((dialog, CHECKOUT), (dialog.table, CHECKOUT_LINES),
                         (dialog.discount, CHECKOUT_DISCOUNT),
                         (dialog.discount_reason, CHECKOUT_DISCOUNT), (dialog.tip, CHECKOUT_TIP),
                         (dialog.totals, CHECKOUT_TOTALS), (dialog.issue_button, CHECKOUT_ISSUE),
                         (dialog.payments_panel, CHECKOUT_PAYMENTS)):
        explain(widget, text)


def explain_booking(dialog) -> None:
    for widget, text in ((dialog, BOOKING), (dialog.service, BOOKING_SERVICE),
                         (dialog.provider, BOOKING_PROVIDER), (dialog.room, BOOKING_ROOM),
                         (dialog.device, BOOKING_ROOM), (dialog.repeat, BOOKING_SERIES),
                         (dialog.alerts, BOOKING_ALERTS)):
        explain(widget, text)


def explain_treatment_record(dialog) -> None:
    explain(dialog, TREATMENT_RECORD)
    explain(dialog.same_button, TREATMENT_SAME)
    if dialog.lot is not None:
        explain(dialog.lot, TREATMENT_LOT)
    if dialog.chart is not None:
        explain(dialog.chart, TREATMENT_FACE)


def explain_clinic_setup(window) -> None:
    explain(window.sections, SETUP_SECTIONS)
    for title, page in window.pages.items():
        explain(page, SETUP_PAGES[title])


def explain_restore(dialog, server: bool = False) -> None:
    explain(dialog, SERVER_RESTORE if server else RESTORE)
    explain(dialog.table, RESTORE_LIST)
