"""Book an appointment (or a series of them).

As the user fills it in, the dialog asks the services what the booking would run into and
says so under the form; when the only problems may be overridden (a provider double-booking,
outside hours) a reason field appears. Nothing is written until Book.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QSignalBlocker, Qt, QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from ...services.billing.money import show_cents
from ...services.charts import alerts
from ...services.clinic import catalog
from ...services.platform import limits
from ...services.scheduling import appointments, availability, hours, series
from ...store.models import CATEGORIES, PRICING_UNITS, Appointment, Series, User
from .. import style
from ..bus import on_change
from ..help import whats_this
from ..ops import op
from ..widgets.limits import limit_plain_text
from ..widgets.messages import ErrorLabel
from ..widgets.modal import run_modal
from ..widgets.patient_picker import PatientPicker
from .series_dialog import SeriesPlanDialog

NONE = -1
NO_SERVICES = ("The clinic offers no services yet: an administrator adds them in File → "
               "Clinic setup… → Services and prices.")


def service_label(service, price_cents: int) -> str:
    """ "Botox Cosmetic · 30 min · $14.00 per unit": what the list offers under its category."""
    unit = PRICING_UNITS.get(service.pricing_unit, "")
    price = show_cents(price_cents) + (f" {unit}" if unit and unit != "flat" else "")
    return f"{service.name} · {service.default_minutes} min · {price}"


class BookingDialog(QDialog):
    def __init__(self, user: User, start: dt.datetime, *, provider_id: int | None = None,
                 room_id: int | None = None, device_id: int | None = None,
                 service_id: int | None = None, patient: tuple[int, str] | None = None,
                 parent=None) -> None:
        super().__init__(parent)
        self.user = user
        self.appointment: Appointment | None = None
        self.series: Series | None = None
        self.setWindowTitle("New appointment")
        self.setMinimumWidth(560)

        self.picker = PatientPicker(user)
        self.service = QComboBox()
        self.service.setAccessibleName("Service")
        self.service.setMaxVisibleItems(20)
        self._services = {}
        self._load_services(start.date())
        self.provider = QComboBox()
        self.provider.setAccessibleName("Provider")
        self.room = QComboBox()
        self.room.setAccessibleName("Room")
        self.device = QComboBox()
        self.device.setAccessibleName("Device")
        self.date = QDateEdit(QDate(start.year, start.month, start.day))
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("ddd d MMM yyyy")
        self.time = QTimeEdit(QTime(start.hour, start.minute))
        self.time.setDisplayFormat("HH:mm")
        self.minutes = QSpinBox()
        self.minutes.setRange(5, 720)
        self.minutes.setSingleStep(5)
        self.minutes.setSuffix(" min")
        self.notes = limit_plain_text(QPlainTextEdit(), limits.APPOINTMENT_NOTES)
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(52)
        self.alerts = QLabel()
        self.alerts.setWordWrap(True)
        self.alerts.setStyleSheet(style.NOTICE_STRIP)
        self.alerts.hide()

        self.repeat = QCheckBox("Book a series of")
        self.sessions = QSpinBox()
        self.sessions.setRange(2, series.MAX_SESSIONS)
        self.sessions.setValue(6)
        self.sessions.setSuffix(" sessions")
        self.every = QSpinBox()
        self.every.setRange(1, 52)
        self.every.setValue(4)
        self.unit = QComboBox()
        self.unit.addItem("weeks apart", 7)
        self.unit.addItem("days apart", 1)
        repeat_row = QHBoxLayout()
        for w in (self.repeat, self.sessions, self.every, self.unit):
            repeat_row.addWidget(w)
        repeat_row.addStretch(1)
        self.repeat.toggled.connect(self._repeat_toggled)

        self.problems = ErrorLabel()
        self.problems.keep_room(lines=2)  # a clash and what to do: coming and going, no move
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("Reason to book anyway (recorded)")
        self.reason.setAccessibleName("Override reason")
        held = self.reason.sizePolicy()  # its room is kept, so Book does not jump
        held.setRetainSizeWhenHidden(True)
        self.reason.setSizePolicy(held)
        self.reason.hide()

        when = QWidget()
        when_row = QHBoxLayout(when)
        when_row.setContentsMargins(0, 0, 0, 0)
        when_row.addWidget(self.date)
        when_row.addWidget(self.time)
        when_row.addWidget(QLabel("for"))
        when_row.addWidget(self.minutes)
        when_row.addStretch(1)

        form = QFormLayout()
        form.addRow("&Patient", self.picker)
        form.addRow("", self.alerts)
        form.addRow("&Service", self.service)
        form.addRow("Pro&vider", self.provider)
        form.addRow("&Room", self.room)
        form.addRow("&Device", self.device)
        form.addRow("&When", when)
        form.addRow("", repeat_row)
        form.addRow("&Notes", self.notes)

        buttons = QDialogButtonBox()
        self.book_button = buttons.addButton("Book", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self._repeat_toggled(False)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problems)
        layout.addWidget(self.reason)
        layout.addWidget(buttons)
        whats_this.explain_booking(self)

        self._wanted = {"provider": provider_id, "room": room_id, "device": device_id}
        # a room or device the user picked (or the slot clicked) stays; the others follow the
        # service and the time: the first one free then is proposed
        self._picked = {combo for combo, pk in ((self.room, room_id), (self.device, device_id))
                        if pk is not None}
        self.room.activated.connect(lambda _i: self._picked.add(self.room))
        self.device.activated.connect(lambda _i: self._picked.add(self.device))
        if service_id is None and provider_id is not None:  # something this provider does
            theirs = availability.bookable_services(provider_id) or [
                s for s in self._services.values()
                if s.needs_provider and hours.treats(provider_id, s.category)]
            service_id = theirs[0].id if theirs else None
        if service_id is not None and self.service.findData(service_id) >= 0:
            self.service.setCurrentIndex(self.service.findData(service_id))
        self.service.currentIndexChanged.connect(lambda _i: self._service_changed())
        for combo in (self.provider, self.room, self.device):
            combo.currentIndexChanged.connect(lambda _i: self.recheck())
        self.date.dateChanged.connect(lambda _d: self._date_changed())
        self.time.timeChanged.connect(lambda _t: self._time_changed())
        self.minutes.valueChanged.connect(lambda _v: self._time_changed())
        self.picker.chosen.connect(lambda _pid: self.recheck())
        self._service_changed()
        if patient is not None:
            self.picker.set_patient(*patient)
        self.picker.search.setFocus()
        on_change(self, ("catalog", "staff", "hours", "block"), self._catalog_changed)

    # -- form state -------------------------------------------------------------------------
    def _load_services(self, day: dt.date) -> None:
        """The services offered now (a retired one is not) under their category's heading,
        each with its length and its price on ``day``, keeping the chosen one. One the
        clinic cannot book yet (no device of its kind, nobody treats it) is listed too, and
        the form says why, instead of hiding it. A clinic with none is told where to add
        them."""
        keep = self.service.currentData()
        self._services = {s.id: s for s in catalog.services(include_retail=False)}
        order = list(CATEGORIES)
        by_category = sorted(self._services.values(), key=lambda s: (
            order.index(s.category) if s.category in order else len(order), s.name.lower()))
        model = self.service.model()
        with QSignalBlocker(self.service):
            self.service.clear()
            if not by_category:
                self.service.addItem("(no services yet)", None)
                self.service.setToolTip(NO_SERVICES)
            heading = None
            for s in by_category:
                if s.category != heading:
                    heading = s.category
                    self.service.addItem(CATEGORIES.get(heading, heading), None)
                    item = model.item(self.service.count() - 1)
                    item.setFlags(Qt.ItemFlag.NoItemFlags)  # a heading, not a choice
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.service.addItem("    " + service_label(s, catalog.price_on(s, day)), s.id)
            index = self.service.findData(keep) if keep is not None else -1
            if index < 0:  # the first service, not its heading
                index = next((i for i in range(self.service.count())
                              if self.service.itemData(i) is not None), 0)
            self.service.setCurrentIndex(index)

    def _catalog_changed(self, _changes) -> None:
        """Rooms, devices, services or staff changed while the form is open (on another PC,
        or in the clinic's setup): its lists follow, keeping what was chosen if it is still
        offered."""
        self._load_services(self.date.date().toPython())
        self._service_changed()

    def _service_changed(self) -> None:
        chosen = self._services.get(self.service.currentData())
        if chosen is None:  # the clinic has no services yet
            for combo in (self.provider, self.room, self.device):
                combo.clear()
                combo.setEnabled(False)
            self.recheck()
            return
        with QSignalBlocker(self.minutes):
            self.minutes.setValue(max(5, chosen.default_minutes))
        self._fill_providers(chosen)
        self._fill(self.room, [(r.name, r.id) for r in catalog.rooms()], "room",
                   needed=chosen.needs_room)
        kind = catalog.DEVICE_KINDS.get(chosen.device_kind or "", chosen.device_kind)
        self._fill(self.device, [(d.name, d.id) for d in catalog.devices()
                                 if d.kind == chosen.device_kind], "device",
                   needed=bool(chosen.device_kind), missing=f"(the clinic has no {kind})")
        self._propose_resources()
        self.recheck()

    def _time_changed(self) -> None:
        self._propose_resources()
        self.recheck()

    def _propose_resources(self) -> None:
        """The first room and device free for the service at the time chosen (not always the
        first room: a Botox visit is not proposed the laser suite when a treatment room is
        free). One the user picked stays; when all are taken the first stays, and the form
        says what clashes."""
        service_id = self.service.currentData()
        if service_id is None:
            return
        start = dt.datetime.combine(self.date.date().toPython(), self.time.time().toPython())
        room_id, device_id = availability.free_room_and_device(
            service_id, start, start + dt.timedelta(minutes=self.minutes.value()))
        for combo, pk in ((self.room, room_id), (self.device, device_id)):
            if combo in self._picked or pk is None or not combo.isEnabled():
                continue
            index = combo.findData(pk)
            if index >= 0:
                with QSignalBlocker(combo):
                    combo.setCurrentIndex(index)

    def _fill_providers(self, chosen) -> None:
        """Those who treat the service's category; one whose time off covers the chosen day
        is listed, greyed out and marked, and cannot be picked."""
        day = self.date.date().toPython()
        items, off = [], set()
        for u in hours.providers_for(chosen.category):
            reason = hours.off_on(u.id, day)
            items.append((u.display_name if reason is None
                          else f"{u.display_name} — off: {reason}", u.id))
            if reason is not None:
                off.add(u.id)
        self._fill(self.provider, items, "provider", needed=chosen.needs_provider,
                   missing="(nobody treats this yet: see Staff accounts)", disabled=off)

    def _date_changed(self) -> None:
        self._load_services(self.date.date().toPython())  # the prices of that day
        chosen = self._services.get(self.service.currentData())
        if chosen is not None:
            self._fill_providers(chosen)
        self._propose_resources()
        self.recheck()

    def _fill(self, combo: QComboBox, items, kind: str, *, needed: bool, missing: str = "",
              disabled: set[int] = frozenset()) -> None:
        keep = combo.currentData() if combo.count() else self._wanted.get(kind)
        combo.blockSignals(True)
        combo.clear()
        if not needed:
            combo.addItem("(not needed)", NONE)
        for label, pk in items:
            combo.addItem(label, pk)
            if pk in disabled:
                item = combo.model().item(combo.count() - 1)
                item.setEnabled(False)
        if needed and not items:
            combo.addItem(missing or f"(the clinic has no {kind} for this)", NONE)
        index = combo.findData(keep) if keep is not None else -1
        if index < 0:  # the first that can be picked
            index = next((i for i in range(combo.count())
                          if combo.itemData(i) not in disabled), 0)
        combo.setCurrentIndex(index)
        combo.setEnabled(needed and bool(items))
        combo.blockSignals(False)

    def _repeat_toggled(self, on: bool) -> None:
        for w in (self.sessions, self.every, self.unit):
            w.setEnabled(on)
        self.book_button.setText("Plan series…" if on else "Book")

    def _id(self, combo: QComboBox) -> int | None:
        value = combo.currentData()
        return None if value in (None, NONE) else value

    def data(self) -> appointments.AppointmentInput:
        start = dt.datetime.combine(self.date.date().toPython(), self.time.time().toPython())
        return appointments.AppointmentInput(
            self.picker.patient_id, self.service.currentData(), self._id(self.provider), start,
            start + dt.timedelta(minutes=self.minutes.value()), self._id(self.room),
            self._id(self.device), self.notes.toPlainText())

    def recheck(self) -> None:
        """Say now what Book would run into."""
        data = self.data()
        if data.service_id is None:
            self.problems.say(NO_SERVICES)
            self.reason.hide()
            self.book_button.setEnabled(False)
            return
        self.book_button.setEnabled(True)
        if data.patient_id is None:
            self.alerts.hide()
            self.problems.say("Choose the patient.")
            self.reason.hide()
            return
        found = alerts.booking_alerts(self.user, data.patient_id, data.service_id,
                                      data.start.date())
        self.alerts.setText("⚠ " + "  ".join(found))
        self.alerts.setVisible(bool(found))
        done = op(self, lambda: appointments.preview(self.user, data),
                  error_label=self.problems)
        if not done:
            self.reason.hide()
            return
        checked = done.value
        if not checked.needs_override:
            self.problems.hide()
            self.reason.hide()
            return
        overridable = all(c.overridable for c in checked.conflicts)
        self.problems.say(checked.refusal + ("" if overridable else
                                             " Choose another time, room or device."))
        self.reason.setVisible(overridable)

    # -- actions ----------------------------------------------------------------------------
    def save(self) -> None:
        if self.repeat.isChecked():
            self._plan_series()
            return
        # the form has its own field for the override reason: a refusal asks nothing more
        done = op(self, lambda: appointments.book_appointment(
            self.user, self.data(), override_reason=self.reason.text()),
                  error_label=self.problems, ask_user=False)
        if done:
            self.appointment = done.value
            self.accept()

    def _plan_series(self) -> None:
        data = self.data()
        interval = self.every.value() * self.unit.currentData()
        done = op(self, lambda: series.plan_series(self.user, data, self.sessions.value(),
                                                   interval),
                  error_label=self.problems)
        if not done:
            return
        plan = done.value
        dialog = SeriesPlanDialog(self.user, data, plan, interval, self)
        if run_modal(dialog) and dialog.series is not None:
            self.series = dialog.series
            self.accept()
