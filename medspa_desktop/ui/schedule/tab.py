"""Schedule tab: the appointment book the front desk keeps open all day.

Views: the day by provider, room or device (a grid), the day as a list, or a week for one
provider, room or device. This module navigates and loads; what the tab does to appointments
is in ``actions.py``, through the op runner: a refusal is shown as the service words it, and
the book redraws itself from the change bus.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QSettings, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ...services.charts import alerts
from ...services.clinic import catalog
from ...services.messaging import confirmations
from ...services.platform import auth
from ...services.platform.permissions import CLINICAL
from ...services.platform.vocabulary import Role
from ...services.scheduling import (
    appointments,
    hours,
)
from ...store.models import User
from .. import appointment_columns as cols
from .. import style
from ..bus import on_change
from ..models import Column, RowTableModel
from ..widgets.table import fit_columns, make_table
from .actions import AppointmentActions
from .grid import GridColumn, ScheduleGrid, StatusLegend

LIST_COLUMNS = (cols.TIME, cols.PATIENT, cols.SERVICE, cols.PROVIDER, cols.ROOM, cols.DEVICE,
                cols.STATUS)
DAY_VIEWS = (("Day by provider", "provider"), ("Day by room", "room"),
             ("Day by device", "device"), ("Day as a list", "list"))
NOW_TICK_MS = 60_000
MY_DAY_SHORTCUT = "Ctrl+Shift+D"
BOOK_SHORTCUT = "Ctrl+N"  # Appointments → New appointment… (the main window's)

# the kinds of change the book shows (what is booked, when the clinic and its people work,
# the names, charting, consents and payments it marks, the medical history its alerts come from)
SHOWN = ("appointment", "block", "waitlist", "hours", "settings", "catalog", "patient", "outbox",
         "treatment", "consent", "invoice", "intake")


class _ListModel(RowTableModel):
    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.row_at(index.row())
        if role == Qt.ItemDataRole.BackgroundRole:
            if row.colour or row.category_key in style.CATEGORY_COLOURS:
                return QColor(style.appointment_colours(row.category_key, row.colour)[0])
            return None
        if role == Qt.ItemDataRole.ForegroundRole and not row.active:
            return QColor(style.INACTIVE_ROW_TEXT)
        return super().data(index, role)


class ScheduleTab(AppointmentActions, QWidget):
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
        # a provider's own appointments only; remembered for each user on this computer
        self.my_day_button = QPushButton("My day")
        self.my_day_button.setCheckable(True)
        self.my_day_button.setShortcut(QKeySequence(MY_DAY_SHORTCUT))
        self.my_day_button.setAccessibleName("My day")
        self.my_day_button.setToolTip("Show only your own appointments "
                                      f"({QKeySequence(MY_DAY_SHORTCUT).toString()})")
        self.my_day_button.setVisible(user.role in CLINICAL)
        self.my_day_button.setChecked(self._my_day_remembered())
        self.my_day_button.toggled.connect(self._my_day_toggled)

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
                  self.view, self.my_day_button):
            bar.addWidget(w)
        bar.addSpacing(12)
        bar.addWidget(self.summary, 1)
        actions = QHBoxLayout()
        for w in (self.new_button, self.walk_in_button, self.find_button,
                  self.waitlist_button, self.block_button, self.day_sheet_button):
            actions.addWidget(w)
        actions.addStretch(1)
        self.legend = StatusLegend()

        self.grid = ScheduleGrid()
        self.scroll = QScrollArea()
        self.scroll.setWidget(self.grid)
        self.scroll.setWidgetResizable(True)
        self.scroll.verticalScrollBar().valueChanged.connect(lambda _v: self.grid.update())
        self.shown_alerts: dict[int, tuple[str, ...]] = {}  # appointment id -> alerts
        alerts_column = Column("Alerts", lambda r: "; ".join(self.shown_alerts.get(r.id, ())),
                               lambda r: " ".join(f"⚠ {a}"
                                                  for a in self.shown_alerts.get(r.id, ())))
        self.model = _ListModel((*LIST_COLUMNS, alerts_column), parent=self)
        self.table = make_table(self.model, "Appointments of the day")
        self.table.doubleClicked.connect(
            lambda index: self.open_appointment(self.model.row_at(index.row()).id))
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._table_menu)
        self.empty_list = QLabel()  # the list view of a day with nothing booked
        self.empty_list.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_list.setWordWrap(True)
        self.empty_list.setStyleSheet(style.QUIET_LINE)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.scroll)
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty_list)
        self.empty_text = ""

        self.grid.slot_activated.connect(lambda col, start: self.new_appointment(col, start))
        self.grid.appointment_activated.connect(self.open_appointment)
        self.grid.context_requested.connect(self.show_menu)
        self.grid.move_requested.connect(self.move)
        self.grid.slot_context_requested.connect(self.show_slot_menu)
        self.grid.block_context_requested.connect(self.show_block_menu)

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addLayout(actions)
        layout.addWidget(self.legend)
        layout.addWidget(self.stack, 1)

        self._now_timer = QTimer(self, interval=NOW_TICK_MS)
        self._now_timer.timeout.connect(self._tick)
        self._now_timer.start()
        # what the book shows, changed anywhere in the program (or, later, on another PC)
        on_change(self, SHOWN, self._changed)
        self.refresh()

    def _changed(self, changed) -> None:
        """Redraw; when rooms, devices or staff changed, rebuild the week views first (a
        room renamed or taken out of use), staying on the view shown if it is still there."""
        if changed.touches("catalog", "staff"):
            current = self.view.currentData()
            with QSignalBlocker(self.view):
                self.view.clear()
                self._fill_views()
                found = [i for i in range(self.view.count())
                         if self.view.itemData(i) == current]
                self.view.setCurrentIndex(found[0] if found else 0)
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

    # -- my day ---------------------------------------------------------------------------
    def _my_day_key(self) -> str:
        return f"schedule/my_day/{self.user.username}"

    def _my_day_remembered(self) -> bool:
        """What this provider last chose; at first a provider sees their own day (the
        medical director, who oversees the clinic's, sees everyone's)."""
        if self.user.role not in CLINICAL:
            return False
        stored = QSettings().value(self._my_day_key())
        if stored is None:
            return self.user.role == Role.PROVIDER
        return stored in (True, "true", "1", 1)

    def _my_day_toggled(self, on: bool) -> None:
        QSettings().setValue(self._my_day_key(), on)
        self.refresh()

    @property
    def my_day(self) -> bool:
        """Only the signed-in provider's appointments are shown."""
        return self.user.role in CLINICAL and self.my_day_button.isChecked()

    def _mine_only(self, mode: str, kind: str) -> bool:
        """My day filters the day views and a room's or device's week; a provider's week is
        already one provider's (another's, if chosen, is shown as it is)."""
        return self.my_day and not (mode == "week" and kind == "provider")

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
        rows = appointments.schedule_between(self.user, start, end)
        if mode == "week":  # one provider's, room's or device's week: only theirs
            rows = [r for r in rows if getattr(r, f"{kind}_id") == resource_id]
        if self._mine_only(mode, kind):
            rows = [r for r in rows if r.provider_id == self.user.id]
        self.rows = rows
        active = [r for r in self.rows if r.active]
        cancelled = len(self.rows) - len(active)
        self.summary.setText(
            f"{len(active)} appointment{'s' if len(active) != 1 else ''}"
            + (f" ({cancelled} cancelled or no-show)" if cancelled else ""))
        # the hours, the grid's step and the alerts' periods: one query (on a server every
        # query is a round trip; tests/ui/test_schedule_round_trips.py counts them)
        book = hours.book_settings()
        self.empty_text = self._empty_text(mode, kind, active, book.clinic)
        self.shown_alerts = alerts.visit_alerts(self.user, active, review_days=book.review_days,
                                                toxin_days=book.toxin_days)
        if kind == "list":
            self.model.set_rows(self.rows)
            fit_columns(self.table)
            if self.rows:
                self.stack.setCurrentWidget(self.table)
            else:
                self.empty_list.setText(self.empty_text)
                self.stack.setCurrentWidget(self.empty_list)
            return
        blocks = appointments.blocks_between(self.user, start, end)
        columns = (self._week_columns(days, kind, resource_id, book.clinic) if mode == "week"
                   else self._day_columns(self.day, kind, active, book.clinic))
        first, last = self._hours(days, active, blocks, book.clinic)
        marks = confirmations.confirmations(self.user, [a.id for a in active],
                                            {a.id: a.status for a in active})
        self.grid.set_content(columns, self.rows, blocks, first, last, book.slot_minutes,
                              dt.datetime.now(), self.shown_alerts, self.empty_text, marks)
        self.stack.setCurrentWidget(self.scroll)

    def _empty_text(self, mode: str, kind: str, active, clinic) -> str:
        """What the book says when it shows nothing: how to fill it."""
        if active:
            return ""
        if kind == "room" and not catalog.rooms():
            return "No rooms yet: add them in File → Clinic setup… → Rooms."
        if kind == "device" and not catalog.devices():
            return "No devices yet: add them in File → Clinic setup… → Devices."
        if not auth.providers():
            return ("No providers yet: add them in File → Staff accounts… (a provider "
                    "treats patients and has a column here).")
        book = QKeySequence(BOOK_SHORTCUT).toString(QKeySequence.SequenceFormat.NativeText)
        if mode == "day" and clinic[self.day.weekday()] is None:
            return (f"The clinic is closed on {self.day:%A}s (opening hours: File → Clinic "
                    "settings…).")
        when = ("this week" if mode == "week" else "today" if self.day == dt.date.today()
                else f"on {self.day:%a %d %b}")
        whose = ("You have no appointments" if self._mine_only(mode, kind)
                 else "No appointments")
        return f"{whose} {when} — press {book} to book."

    def _day_columns(self, day: dt.date, kind: str, active, week) -> list[GridColumn]:
        clinic = week[day.weekday()]
        if kind == "provider":
            busy = {r.provider_id for r in active}
            columns = []
            # the providers with their hours that day: one query for every column
            for u, span in hours.providers_on(day, week):
                if self.my_day and u.id != self.user.id:
                    continue
                if span is not None or u.id in busy or self.my_day:
                    columns.append(GridColumn(f"provider:{u.id}", u.display_name, day,
                                              "provider", u.id, span))
            return columns
        # rooms and devices in use, and any out of use that still hold a visit that day
        # (booked before it was taken out of use: the visit keeps showing where it was)
        busy = {r.room_id if kind == "room" else r.device_id for r in active}
        items = catalog.all_rooms() if kind == "room" else catalog.all_devices()
        return [GridColumn(f"{kind}:{x.id}", x.name, day, kind, x.id, clinic) for x in items
                if x.active or x.id in busy]

    def _week_columns(self, days, kind: str, resource_id: int, clinic) -> list[GridColumn]:
        columns = []
        # a provider's week: their hours read once, not once a day
        week = hours.weekly_spans(resource_id, clinic) if kind == "provider" else clinic
        for day in days:
            if clinic[day.weekday()] is None:
                continue
            columns.append(GridColumn(day.isoformat(), f"{day:%a %d %b}", day, kind,
                                      resource_id, week[day.weekday()]))
        return columns

    @staticmethod
    def _hours(days, active, blocks, clinic) -> tuple[dt.time, dt.time]:
        """From the earliest opening (or appointment) to the latest closing, on whole hours."""
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

    def _table_menu(self, pos) -> None:
        index = self.table.indexAt(pos)
        if index.isValid():
            self.show_menu(self.model.row_at(index.row()).id,
                           self.table.viewport().mapToGlobal(pos))
