"""What the Schedule tab does to appointments: book, change status, move, cancel, chart,
check out, and the menus that offer it. Each goes through the op runner (``ui/ops.py``); the
book redraws itself from the change bus. Mixed into ``ScheduleTab`` (``tab.py``: navigation
and loading), whose ``user``, ``grid``, ``rows``, ``select``/``selected``, ``refresh`` and
``status_message`` it uses."""

from __future__ import annotations

import datetime as dt
from functools import partial

from PySide6.QtWidgets import (
    QMenu,
    QMessageBox,
)

from ...printouts import day_sheet_pdf
from ...services.billing import invoices
from ...services.consents.consent_policy import ConsentRequired
from ...services.messaging import confirmations
from ...services.platform import auth
from ...services.platform.errors import DomainError, StaleEditError
from ...services.platform.permissions import allowed
from ...services.platform.vocabulary import FREED_STATUSES, STARTED_STATUSES, AppointmentStatus
from ...services.scheduling import (
    appointments,
    hours,
    series,
    waitlist,
)
from ...services.treatments import treatment_records
from ..appointment_columns import STATUS_ACTIONS
from ..errors import show_refusal
from ..ops import ask, op, with_reason
from ..widgets.modal import run_modal
from ..widgets.pdf_preview import show_preview
from .appointment_dialog import AppointmentDialog
from .block_dialog import BlockTimeDialog
from .booking_dialog import BookingDialog
from .check_in import confirm_check_in
from .find_slot import FindSlotDialog
from .grid import GridColumn
from .waitlist_dialogs import WaitlistDialog, WaitlistOfferDialog
from .walk_in import WalkInDialog


class AppointmentActions:
    # -- booking ----------------------------------------------------------------------------
    def new_appointment(self, column: GridColumn | None = None,
                        start: dt.datetime | None = None) -> None:
        if column is None and self.stack.currentWidget() is self.scroll:
            picked = self.grid.selected_slot_info()
            if picked is not None:
                column, start = picked
        if start is None:
            now = dt.datetime.now()
            start = dt.datetime.combine(self.day, dt.time(now.hour + 1 if now.hour < 22
                                                          else 9))
        resources = {f"{column.kind}_id": column.resource_id} if column else {}
        dialog = BookingDialog(self.user, start, parent=self, **resources)
        if run_modal(dialog):
            self._after_booking(dialog.appointment, dialog.series)

    def _after_booking(self, appointment, booked_series=None) -> None:
        if booked_series is not None:
            sessions = appointments.series_schedule(self.user, booked_series.id)
            self.status_message.emit(f"Booked a series of {len(sessions)} sessions.")
            return
        if appointment is None:
            return
        self.set_day(appointment.start.date())
        self.select(appointment.id)
        row = appointments.get_appointment(self.user, appointment.id)
        self.status_message.emit(
            f"Booked {row.patient}: {row.service} {row.start:%a %d %b %H:%M} with "
            f"{row.provider}.")

    def walk_in(self) -> None:
        dialog = WalkInDialog(self.user, self)
        if run_modal(dialog):
            self._after_booking(dialog.appointment)

    def find_next(self) -> None:
        dialog = FindSlotDialog(self.user, self.day, self)
        if run_modal(dialog) and dialog.slot is not None:
            slot = dialog.slot
            booking = BookingDialog(self.user, slot.start, provider_id=slot.provider_id,
                                    room_id=slot.room_id, device_id=slot.device_id,
                                    service_id=dialog.service_id, parent=self)
            if run_modal(booking):
                self._after_booking(booking.appointment, booking.series)

    def _day_sheet_menu(self) -> QMenu:
        menu = QMenu(self)
        menu.addAction("Whole clinic, by provider…", lambda: self.print_day_sheet())
        menu.addAction("Whole clinic, one list…",
                       lambda: self.print_day_sheet(by_provider=False))
        menu.addSeparator()
        for u in auth.providers():
            menu.addAction(f"{u.display_name}…", lambda pid=u.id: self.print_day_sheet(pid))
        return menu

    def print_day_sheet(self, provider_id: int | None = None, by_provider: bool = True) -> None:
        """Preview (then print or save) the day sheet of the day shown."""
        pdf = day_sheet_pdf(self.user, self.day, provider_id, by_provider)
        show_preview(pdf, f"Day sheet {self.day:%a %d %b %Y}",
                     f"day-sheet-{self.day:%Y-%m-%d}.pdf", self)

    def chart_treatment(self, appointment_id: int) -> None:
        from ..treatments.record_dialog import TreatmentRecordDialog

        dialog = TreatmentRecordDialog(self.user, appointment_id, self)
        if run_modal(dialog):
            self.status_message.emit("Treatment charted.")

    def check_out(self, appointment_id: int) -> None:
        """The visit's invoice and payments."""
        from ..billing.checkout_dialog import CheckoutDialog

        run_modal(CheckoutDialog(self.user, appointment_id, self))

    def sign_consent(self, appointment_id: int) -> None:
        """The consent for the visit's treatment, signed on screen."""
        from ..consents.sign_dialog import ConsentSignDialog

        row = self.shown(appointment_id)
        dialog = ConsentSignDialog(self.user, row.patient_id, row.consent_key, row.id, self)
        if run_modal(dialog):  # the dialog is deleted later, not yet
            self.status_message.emit(f"Consent signed by {dialog.consent.signer_name}.")

    def show_record(self, appointment_id: int) -> None:
        from ..treatments.record_preview import preview_record

        preview_record(self.user, appointment_id, self)

    def open_chart(self, patient_id: int) -> None:
        from ..patients.chart import ChartDialog

        run_modal(ChartDialog(self.user, patient_id, self))

    def show_waitlist(self) -> None:
        run_modal(WaitlistDialog(self.user, self))

    def open_appointment(self, appointment_id: int) -> None:
        dialog = AppointmentDialog(self.user, appointment_id, self)
        run_modal(dialog)  # deleted later: what was chosen is still there to read
        if dialog.chosen_status is not None:
            self._status(appointment_id, dialog.chosen_status)

    # -- changing ---------------------------------------------------------------------------
    def shown(self, appointment_id: int) -> appointments.AppointmentRow:
        """The appointment as this view drew it. Changes carry the version the user saw, so
        a change made meanwhile on another workstation is refused, not overwritten."""
        row = next((r for r in self.rows if r.id == appointment_id), None)
        return row if row is not None else appointments.get_appointment(self.user, appointment_id)

    def set_status(self, status: str) -> None:
        row = self.selected()
        if row is None:
            self.status_message.emit("Select an appointment first.")
            return
        if status == AppointmentStatus.CHECKED_OUT and row.status_key in STARTED_STATUSES \
                and self._owes(row.id):  # paying checks it out
            if allowed(self.user, "billing.checkout"):
                self.check_out(row.id)
            else:
                self.status_message.emit(f"{row.patient} has something to pay: the front desk "
                                         "checks the visit out when it is paid.")
            return
        self._status(row.id, status)

    def _status(self, appointment_id: int, status: str) -> None:
        if status == AppointmentStatus.ARRIVED and \
                not confirm_check_in(self, self.user, appointment_id):
            return  # the check-in panel showed what is due, and the desk did not check in
        row = self.shown(appointment_id)  # as it is now (signing a consent there changes it)
        if status == AppointmentStatus.CANCELLED:  # the reason prompt runs it, refusals in it
            done = with_reason(
                self, "Cancel appointment",
                f"Why is {row.patient} cancelling {row.service} {row.start:%a %d %b %H:%M}?",
                lambda reason: appointments.change_status(self.user, row.id, status,
                                                          row.version, reason=reason),
                on_refused=lambda _exc: self.refresh(), key=("appointment.cancel", row.id))
        else:  # each question the service asks is answered, then the change is retried
            done = op(self, partial(appointments.change_status, self.user, row.id, status,
                                    row.version),
                      askers={ConsentRequired.key:
                              lambda _parent, exc: self.ask_consent(row, exc)},
                      on_refused=self._refused)
        if not done:
            return
        self.select(row.id)
        self.status_message.emit(f"{row.patient}: {appointments.STATUS_LABELS[status].lower()}.")
        if status in FREED_STATUSES:
            self.offer_slot(row)

    def ask_consent(self, row, problem: ConsentRequired) -> str | None:
        """No valid consent: sign it now ("" — then try again), go ahead with a reason (the
        reason), or stop (None)."""
        box = QMessageBox(QMessageBox.Icon.Warning, "Consent needed", str(problem),
                          QMessageBox.StandardButton.Cancel, self)
        sign = box.addButton("Sign now…", QMessageBox.ButtonRole.AcceptRole)
        override = box.addButton("Go ahead with a reason…", QMessageBox.ButtonRole.ActionRole)
        box.setDefaultButton(sign)
        run_modal(box)
        clicked = box.clickedButton()
        if clicked is sign:
            self.sign_consent(row.id)
            return ""
        if clicked is override:
            return ask(self, problem)
        return None

    def cancel_following(self, appointment_id: int) -> None:
        done = with_reason(self, "Cancel the rest of the series",
                           "Why are the remaining sessions cancelled?",
                           partial(series.cancel_series_from, self.user, appointment_id),
                           on_refused=lambda _exc: self.refresh(),
                           key=("series.cancel", appointment_id))
        if not done:
            return
        self.status_message.emit(f"Cancelled {done.value} sessions.")

    def offer_slot(self, row: appointments.AppointmentRow) -> None:
        """A slot opened: offer it to the waitlist entries it suits."""
        offers = waitlist.offers_for(self.user, row.start, row.end, row.provider_id)
        if not offers:
            return
        dialog = WaitlistOfferDialog(self.user, row.start, row.end, row.provider_id, offers,
                                     self)
        if run_modal(dialog) and dialog.appointment is not None:
            self._after_booking(dialog.appointment)

    def move(self, appointment_id: int, start: dt.datetime, end: dt.datetime,
             column: GridColumn) -> None:
        row = self.shown(appointment_id)
        target = {f"{column.kind}_id": column.resource_id}
        done = op(self, partial(appointments.move_appointment, self.user, row.id, row.version,
                                start, end, **target),
                  on_refused=self._refused)
        if not done:
            if done.declined:
                self.refresh()  # no reason given: the block goes back where it was
            return
        self.select(row.id)
        self.status_message.emit(f"Moved {row.patient} to {start:%a %d %b %H:%M}.")

    def _refused(self, exc: DomainError) -> None:
        self.refresh()
        show_refusal(self, exc, "Stale" if isinstance(exc, StaleEditError) else "Not done")

    # -- menus ------------------------------------------------------------------------------
    def menu_for(self, appointment_id: int) -> QMenu:
        """The same actions in the same places for every appointment: a step the visit
        cannot take now is greyed, not left out (so a click lands where it did last time).
        Left out are only what this user may never do, and "Mark checked out" for a visit
        with something to pay (paying checks it out: "Check out and pay…")."""
        row = self.shown(appointment_id)
        started = row.status_key in STARTED_STATUSES
        menu = QMenu(self)
        menu.addAction("Open…", lambda: self.open_appointment(row.id))
        menu.addAction("Open chart…", lambda: self.open_chart(row.patient_id))
        menu.addSeparator()
        possible = appointments.TRANSITIONS.get(row.status_key, ())
        for status, text in STATUS_ACTIONS.items():
            if status == AppointmentStatus.CHECKED_OUT and status in possible and \
                    self._owes(row.id):
                continue
            action = menu.addAction(text, lambda s=status: self._status(row.id, s))
            action.setEnabled(status in possible)
        menu.addSeparator()
        # the front desk's calls (messaging.confirmations), only while it waits for an answer
        calling = row.status_key == AppointmentStatus.BOOKED
        menu.addAction("Confirmed by phone", lambda: self._confirm_by_phone(row.id)) \
            .setEnabled(calling)
        menu.addAction("Called, no answer", lambda: self._no_answer(row.id)) \
            .setEnabled(calling)
        menu.addSeparator()
        if allowed(self.user, "treatment.read"):
            charted = started and treatment_records.is_charted(self.user, row.id)
            if charted:
                menu.addAction("Treatment record…", lambda: self.show_record(row.id))
            elif allowed(self.user, "treatment.write"):
                menu.addAction("Chart treatment…",
                               lambda: self.chart_treatment(row.id)).setEnabled(started)
        if allowed(self.user, "billing.checkout"):
            menu.addAction("Check out and pay…",
                           lambda: self.check_out(row.id)).setEnabled(started)
        if row.consent_key is not None:
            menu.addAction("Sign consent…", lambda: self.sign_consent(row.id)).setEnabled(
                row.status_key not in FREED_STATUSES)
        if row.series_id is not None:
            menu.addAction("Cancel this and following sessions…",
                           lambda: self.cancel_following(row.id)).setEnabled(
                row.status_key in appointments.MOVABLE)
        return menu

    def _confirm_by_phone(self, appointment_id: int) -> None:
        row = self.shown(appointment_id)
        if op(self, lambda: confirmations.confirm_by_phone(self.user, row.id, row.version),
              on_refused=self._refused):
            self.select(row.id)
            self.status_message.emit(f"{row.patient} confirmed by phone.")

    def _no_answer(self, appointment_id: int) -> None:
        if op(self, lambda: confirmations.no_answer(self.user, appointment_id),
              on_refused=self._refused):
            self.status_message.emit("Call noted: no answer.")

    def _owes(self, appointment_id: int) -> bool:
        """A visit with something to pay (or whose bill this user cannot see) is not simply
        marked checked out."""
        if not allowed(self.user, "billing.read"):
            return True
        return invoices.visit_owes(self.user, appointment_id)

    def slot_menu(self, column: GridColumn, start: dt.datetime) -> QMenu:
        menu = QMenu(self)
        menu.addAction(f"New appointment at {start:%H:%M}…",
                       lambda: self.new_appointment(column, start))
        menu.addAction(f"Block {column.title} from {start:%H:%M}…",
                       lambda: self.block_time(column, start))
        return menu

    def show_slot_menu(self, column: GridColumn, start: dt.datetime, position) -> None:
        self.slot_menu(column, start).exec(position)

    def show_block_menu(self, block_id: int, position) -> None:
        menu = QMenu(self)
        menu.addAction("Lift this blocked time", lambda: self.lift_block(block_id))
        menu.exec(position)

    def block_time(self, column: GridColumn | None = None,
                   start: dt.datetime | None = None) -> None:
        if column is None and self.stack.currentWidget() is self.scroll:
            picked = self.grid.selected_slot_info()
            if picked is not None:
                column, start = picked
        start = start or dt.datetime.combine(self.day, dt.time(12))
        target = {"kind": column.kind, "resource_id": column.resource_id} if column else {}
        dialog = BlockTimeDialog(self.user, start, parent=self, **target)
        if run_modal(dialog):
            self.status_message.emit(f"Blocked {dialog.block.start:%a %d %b %H:%M}–"
                                     f"{dialog.block.end:%H:%M}: {dialog.block.reason}.")

    def lift_block(self, block_id: int) -> None:
        if not op(self, partial(hours.lift_block, self.user, block_id),
                  on_refused=self._refused):
            return
        self.status_message.emit("The blocked time was lifted.")

    def show_menu(self, appointment_id: int, position) -> None:
        self.menu_for(appointment_id).exec(position)
