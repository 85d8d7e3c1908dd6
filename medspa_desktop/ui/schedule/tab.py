"""Schedule tab: the appointment book the front desk keeps open all day.

Views: the day by provider, room or device (a grid), the day as a list, or a week for one
provider, room or device. Everything it changes goes through the services; a refusal is
shown as the service words it and the view refreshes.
"""

from __future__ import annotations

import datetime as dt
from functools import partial

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ...printouts import day_sheet_pdf
from ...services.clinic import catalog
from ...services.consents.consent_policy import ConsentRequired
from ...services.consents.consent_templates import KINDS
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
from ...store.models import User
from .. import appointment_columns as cols
from .. import style
from ..bus import on_change
from ..errors import show_refusal
from ..models import RowTableModel
from ..ops import ask, ask_reason, op
from ..widgets.modal import run_modal
from ..widgets.pdf_preview import show_preview
from ..widgets.table import fit_columns, make_table
from .appointment_dialog import AppointmentDialog
from .block_dialog import BlockTimeDialog
from .booking_dialog import BookingDialog
from .find_slot import FindSlotDialog
from .grid import GridColumn, ScheduleGrid
from .waitlist_dialogs import WaitlistDialog, WaitlistOfferDialog
from .walk_in import WalkInDialog

LIST_COLUMNS = (cols.TIME, cols.PATIENT, cols.SERVICE, cols.PROVIDER, cols.ROOM, cols.DEVICE,
                cols.STATUS)
DAY_VIEWS = (("Day by provider", "provider"), ("Day by room", "room"),
             ("Day by device", "device"), ("Day as a list", "list"))
NOW_TICK_MS = 60_000

# the kinds of change the book shows (what is booked, when the clinic and its people work,
# the names, charting, consents and payments it marks)
SHOWN = ("appointment", "block", "waitlist", "hours", "settings", "catalog", "patient",
         "treatment", "consent", "invoice")


class _ListModel(RowTableModel):
    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.row_at(index.row())
        if role == Qt.ItemDataRole.BackgroundRole:
            colour = style.CATEGORY_COLOURS.get(row.category_key)
            return QColor(colour) if colour else None
        if role == Qt.ItemDataRole.ForegroundRole and not row.active:
            return QColor(style.INACTIVE_ROW_TEXT)
        return super().data(index, role)


class ScheduleTab(QWidget):
    status_message = Signal(str)

    def __init__(self, user: User, parent=None) -> None:
        super().__init__(parent)
        self.user = user
        self.rows: list[appointments.AppointmentRow] = []

        self.prev_button = QPushButton("◀ Previous")
        self.today_button = QPushButton("Today")
        self.next_button = QPushButton("Next ▶")
        self.date_edit = QDateEdit(QDate.currentDate())
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("ddd d MMM yyyy")
        self.date_edit.setAccessibleName("Schedule date")
        self.view = QComboBox()
        self.view.setAccessibleName("Schedule view")
        self._fill_views()
        self.summary = QLabel()
        self.summary.setWordWrap(True)  # a busy day's count wraps instead of widening the window
        self.summary.setMinimumWidth(120)
        for button, name in ((self.prev_button, "Previous day"), (self.today_button, "Today"),
                             (self.next_button, "Next day")):
            button.setAccessibleName(name)
        self.prev_button.clicked.connect(lambda: self.shift(-1))
        self.next_button.clicked.connect(lambda: self.shift(1))
        self.today_button.clicked.connect(self.go_today)
        self.date_edit.dateChanged.connect(lambda _d: self.refresh())
        self.view.currentIndexChanged.connect(lambda _i: self.refresh())

        self.new_button = QPushButton("New appointment")
        self.walk_in_button = QPushButton("Walk-in…")
        self.find_button = QPushButton("Find next available…")
        self.waitlist_button = QPushButton("Waitlist…")
        self.block_button = QPushButton("Block time…")
        self.block_button.clicked.connect(lambda: self.block_time())
        self.day_sheet_button = QPushButton("Day sheet")
        self.day_sheet_button.setMenu(self._day_sheet_menu())
        self.new_button.clicked.connect(self.new_appointment)
        self.walk_in_button.clicked.connect(self.walk_in)
        self.find_button.clicked.connect(self.find_next)
        self.waitlist_button.clicked.connect(self.show_waitlist)

        bar = QHBoxLayout()
        for w in (self.prev_button, self.today_button, self.next_button, self.date_edit,
                  self.view):
            bar.addWidget(w)
        bar.addSpacing(12)
        bar.addWidget(self.summary, 1)
        actions = QHBoxLayout()
        for w in (self.new_button, self.walk_in_button, self.find_button,
                  self.waitlist_button, self.block_button, self.day_sheet_button):
            actions.addWidget(w)
        actions.addStretch(1)

        self.grid = ScheduleGrid()
        self.scroll = QScrollArea()
        self.scroll.setWidget(self.grid)
        self.scroll.setWidgetResizable(True)
        self.scroll.verticalScrollBar().valueChanged.connect(lambda _v: self.grid.update())
        self.model = _ListModel(LIST_COLUMNS, parent=self)
        self.table = make_table(self.model, "Appointments of the day")
        self.table.doubleClicked.connect(
            lambda index: self.open_appointment(self.model.row_at(index.row()).id))
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._table_menu)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.scroll)
        self.stack.addWidget(self.table)

        self.grid.slot_activated.connect(lambda col, start: self.new_appointment(col, start))
        self.grid.appointment_activated.connect(self.open_appointment)
        self.grid.context_requested.connect(self.show_menu)
        self.grid.move_requested.connect(self.move)
        self.grid.slot_context_requested.connect(self.show_slot_menu)
        self.grid.block_context_requested.connect(self.show_block_menu)

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addLayout(actions)
        layout.addWidget(self.stack, 1)

        self._now_timer = QTimer(self, interval=NOW_TICK_MS)
        self._now_timer.timeout.connect(self._tick)
        self._now_timer.start()
        # what the book shows, changed anywhere in the program (or, later, on another PC)
        on_change(self, SHOWN, lambda _changes: self.refresh())
        self.refresh()

    def _fill_views(self) -> None:
        for label, key in DAY_VIEWS:
            self.view.addItem(label, ("day", key, None))
        for u in auth.providers():
            self.view.addItem(f"Week: {u.display_name}", ("week", "provider", u.id))
        for r in catalog.rooms():
            self.view.addItem(f"Week: {r.name}", ("week", "room", r.id))
        for d in catalog.devices():
            self.view.addItem(f"Week: {d.name}", ("week", "device", d.id))

    # -- navigation -------------------------------------------------------------------------
    @property
    def day(self) -> dt.date:
        return self.date_edit.date().toPython()

    def set_day(self, day: dt.date) -> None:
        self.date_edit.setDate(QDate(day.year, day.month, day.day))

    def shift(self, days: int) -> None:
        span = 7 if self.view.currentData()[0] == "week" else 1
        self.set_day(self.day + dt.timedelta(days=days * span))

    def go_today(self) -> None:
        self.set_day(dt.date.today())

    def set_view(self, mode: str, kind: str, resource_id: int | None = None) -> None:
        for i in range(self.view.count()):
            if self.view.itemData(i) == (mode, kind, resource_id):
                self.view.setCurrentIndex(i)
                return
        raise ValueError(f"no view {mode}/{kind}/{resource_id}")

    # -- loading ----------------------------------------------------------------------------
    def refresh(self) -> None:
        mode, kind, resource_id = self.view.currentData()
        if mode == "week":
            monday = self.day - dt.timedelta(days=self.day.weekday())
            days = [monday + dt.timedelta(days=i) for i in range(7)]
        else:
            days = [self.day]
        start = dt.datetime.combine(days[0], dt.time())
        end = dt.datetime.combine(days[-1] + dt.timedelta(days=1), dt.time())
        self.rows = appointments.schedule_between(self.user, start, end)
        active = [r for r in self.rows if r.active]
        cancelled = len(self.rows) - len(active)
        self.summary.setText(
            f"{len(active)} appointment{'s' if len(active) != 1 else ''}"
            + (f" ({cancelled} cancelled or no-show)" if cancelled else ""))
        if kind == "list":
            self.model.set_rows(self.rows)
            fit_columns(self.table)
            self.stack.setCurrentWidget(self.table)
            return
        blocks = appointments.blocks_between(self.user, start, end)
        columns = (self._week_columns(days, kind, resource_id) if mode == "week"
                   else self._day_columns(self.day, kind, active))
        first, last = self._hours(days, active, blocks)
        self.grid.set_content(columns, self.rows, blocks, first, last, hours.slot_minutes(),
                              dt.datetime.now())
        self.stack.setCurrentWidget(self.scroll)

    def _day_columns(self, day: dt.date, kind: str, active) -> list[GridColumn]:
        clinic = hours.clinic_hours()[day.weekday()]
        if kind == "provider":
            busy = {r.provider_id for r in active}
            columns = []
            for u in auth.providers():
                span = hours.working_span(u.id, day)
                if span is not None or u.id in busy:
                    columns.append(GridColumn(f"provider:{u.id}", u.display_name, day,
                                              "provider", u.id, span))
            return columns
        items = catalog.rooms() if kind == "room" else catalog.devices()
        return [GridColumn(f"{kind}:{x.id}", x.name, day, kind, x.id, clinic) for x in items]

    def _week_columns(self, days, kind: str, resource_id: int) -> list[GridColumn]:
        clinic = hours.clinic_hours()
        columns = []
        for day in days:
            if clinic[day.weekday()] is None:
                continue
            span = hours.working_span(resource_id, day) if kind == "provider" \
                else clinic[day.weekday()]
            columns.append(GridColumn(day.isoformat(), f"{day:%a %d %b}", day, kind,
                                      resource_id, span))
        return columns

    @staticmethod
    def _hours(days, active, blocks) -> tuple[dt.time, dt.time]:
        """From the earliest opening (or appointment) to the latest closing, on whole hours."""
        clinic = hours.clinic_hours()
        spans = [clinic[d.weekday()] for d in days if clinic[d.weekday()] is not None]
        starts = [s[0] for s in spans] + [r.start.time() for r in active]
        ends = [s[1] for s in spans] + [r.end.time() for r in active if r.end.date() ==
                                        r.start.date()]
        first = min(starts, default=dt.time(9))
        last = max(ends, default=dt.time(18))
        last_hour = min(23, last.hour + (1 if last.minute else 0))
        return dt.time(first.hour), dt.time(max(last_hour, first.hour + 1))

    def _tick(self) -> None:
        self.grid.now = dt.datetime.now()
        self.grid.update()

    # -- selection --------------------------------------------------------------------------
    def selected(self) -> appointments.AppointmentRow | None:
        if self.stack.currentWidget() is self.table:
            picked = self.table.selectionModel().selectedRows()
            return self.model.row_at(picked[0].row()) if picked else None
        return next((r for r in self.rows if r.id == self.grid.selected_id), None)

    def select(self, appointment_id: int) -> None:
        if self.stack.currentWidget() is self.table:
            for i, r in enumerate(self.model.rows()):
                if r.id == appointment_id:
                    self.table.selectRow(i)
        else:
            self.grid.select_appointment(appointment_id)

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
        dialog = ConsentSignDialog(self.user, row.patient_id, row.category_key, row.id, self)
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
        self._status(row.id, status)

    def _status(self, appointment_id: int, status: str) -> None:
        row = self.shown(appointment_id)
        reason = ""
        if status == AppointmentStatus.CANCELLED:
            reason = ask_reason(self, "Cancel appointment",
                                f"Why is {row.patient} cancelling {row.service} "
                                f"{row.start:%a %d %b %H:%M}?")
            if reason is None:
                return
        # each question the service asks is answered, then the change is retried
        done = op(self, partial(appointments.change_status, self.user, row.id, status,
                                row.version, reason=reason),
                  askers={ConsentRequired.key: lambda _parent, exc: self.ask_consent(row, exc)},
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
        reason = ask_reason(self, "Cancel the rest of the series",
                            "Why are the remaining sessions cancelled?")
        if reason is None:
            return
        done = op(self, partial(series.cancel_series_from, self.user, appointment_id, reason),
                  on_refused=self._refused)
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
        row = self.shown(appointment_id)
        menu = QMenu(self)
        menu.addAction("Open…", lambda: self.open_appointment(row.id))
        menu.addAction("Open chart…", lambda: self.open_chart(row.patient_id))
        menu.addSeparator()
        for status in appointments.TRANSITIONS.get(row.status_key, ()):
            label = appointments.STATUS_LABELS[status]
            text = "Cancel…" if status == AppointmentStatus.CANCELLED else f"Mark {label.lower()}"
            menu.addAction(text, lambda s=status: self._status(row.id, s))
        if row.status_key in STARTED_STATUSES and allowed(self.user, "treatment.read"):
            if treatment_records.is_charted(self.user, row.id):
                menu.addAction("Treatment record…", lambda: self.show_record(row.id))
            elif allowed(self.user, "treatment.write"):
                menu.addAction("Chart treatment…", lambda: self.chart_treatment(row.id))
        if row.status_key in STARTED_STATUSES and allowed(self.user, "billing.checkout"):
            menu.addAction("Check out and pay…", lambda: self.check_out(row.id))
        if row.category_key in KINDS and row.status_key not in FREED_STATUSES:
            menu.addAction("Sign consent…", lambda: self.sign_consent(row.id))
        if row.series_id is not None and row.status_key in appointments.MOVABLE:
            menu.addAction("Cancel this and following sessions…",
                           lambda: self.cancel_following(row.id))
        return menu

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

    def _table_menu(self, pos) -> None:
        index = self.table.indexAt(pos)
        if index.isValid():
            self.show_menu(self.model.row_at(index.row()).id,
                           self.table.viewport().mapToGlobal(pos))
