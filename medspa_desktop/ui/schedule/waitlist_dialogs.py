"""The waitlist: who is waiting for what; add and remove; and the offer made when a slot
opens."""

from __future__ import annotations

import datetime as dt
from functools import partial

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
)

from ...services.messaging import waitlist_offers
from ...services.platform import limits
from ...services.platform.errors import StaleEditError
from ...services.platform.permissions import allowed
from ...services.scheduling import waitlist
from ...store.models import Appointment, User
from ..bus import on_change
from ..ops import op, with_reason
from ..widgets.form_dialog import FormDialog
from ..widgets.limits import limit_plain_text
from ..widgets.messages import ErrorLabel
from ..widgets.modal import run_modal
from ..widgets.patient_picker import PatientPicker
from ..widgets.pickers import fill_providers, service_combo


def _label(row: waitlist.WaitlistRow) -> str:
    who = row.provider or "anyone"
    part = waitlist.DAY_PART_LABELS[row.day_part].lower()
    notes = f" — {row.notes}" if row.notes else ""
    return (f"{row.patient}: {row.service} with {who}, {row.earliest:%d %b}–{row.latest:%d %b}, "
            f"{part}{notes}")


class AddToWaitlistDialog(FormDialog):
    def __init__(self, user: User, parent=None) -> None:
        super().__init__("Add to waitlist", parent, min_width=520)
        self.user = user
        self.picker = PatientPicker(user)
        self.service = service_combo()
        self.provider = QComboBox()
        today = QDate.currentDate()
        self.earliest = QDateEdit(today)
        self.latest = QDateEdit(today.addDays(14))
        for edit in (self.earliest, self.latest):
            edit.setCalendarPopup(True)
        self.day_part = QComboBox()
        for key, label in waitlist.DAY_PART_LABELS.items():
            self.day_part.addItem(label, key)
        self.notes = limit_plain_text(QPlainTextEdit(), limits.WAITLIST_NOTES)
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(48)
        dates = QHBoxLayout()
        dates.addWidget(self.earliest)
        dates.addWidget(QLabel("to"))
        dates.addWidget(self.latest)
        self.form.addRow("&Patient", self.picker)
        self.form.addRow("&Service", self.service)
        self.form.addRow("Pro&vider", self.provider)
        self.form.addRow("&Dates", dates)
        self.form.addRow("&Time of day", self.day_part)
        self.form.addRow("&Notes", self.notes)
        self.service.currentIndexChanged.connect(lambda _i: self._fill_providers())
        self._fill_providers()

    def _fill_providers(self) -> None:
        fill_providers(self.provider, self.service.currentData())

    def submit(self) -> None:
        waitlist.add(self.user, waitlist.WaitlistInput(
            self.picker.patient_id, self.service.currentData(),
            self.earliest.date().toPython(), self.latest.date().toPython(),
            self.provider.currentData(), self.day_part.currentData(),
            self.notes.toPlainText()))


class WaitlistDialog(QDialog):
    def __init__(self, user: User, parent=None) -> None:
        super().__init__(parent)
        self.user = user
        self.setWindowTitle("Waitlist")
        self.setMinimumSize(620, 380)
        self.entries = QListWidget()
        self.entries.setAccessibleName("Waiting patients")
        add = QPushButton("&Add…")
        remove = QPushButton("&Remove…")
        add.clicked.connect(self.add)
        remove.clicked.connect(self.remove)
        self.message = ErrorLabel()
        row = QHBoxLayout()
        row.addWidget(add)
        row.addWidget(remove)
        row.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.entries, 1)
        layout.addLayout(row)
        layout.addWidget(self.message)
        layout.addWidget(close)
        on_change(self, ("waitlist",))
        self.refresh()

    def refresh(self) -> None:
        self.entries.clear()
        for row in waitlist.waiting(self.user):
            item = QListWidgetItem(_label(row))
            item.setData(Qt.ItemDataRole.UserRole, row)
            self.entries.addItem(item)

    def add(self) -> None:
        run_modal(AddToWaitlistDialog(self.user, self))

    def remove(self) -> None:
        item = self.entries.currentItem()
        if item is None:
            self.message.say("Choose an entry first.")
            return
        row = item.data(Qt.ItemDataRole.UserRole)
        done = with_reason(self, "Remove from waitlist",
                           f"Why is {row.patient} no longer waiting?",
                           lambda reason: waitlist.remove(self.user, row.id, row.version,
                                                          reason),
                           on_refused=lambda _exc: self.refresh())  # show the list as it is now
        if done:
            self.message.hide()


class WaitlistOfferDialog(QDialog):
    """A slot just opened: offer it to the waiting patients it suits; book one in one step."""

    def __init__(self, user: User, start: dt.datetime, end: dt.datetime,
                 provider_id: int | None, offers: list[waitlist.WaitlistRow],
                 parent=None) -> None:
        super().__init__(parent)
        self.user = user
        self.appointment: Appointment | None = None
        self._start, self._provider_id = start, provider_id
        self.setWindowTitle("A slot opened")
        self.setMinimumWidth(560)
        intro = QLabel(f"{start:%a %d %b %H:%M}–{end:%H:%M} is free again. "
                       f"{len(offers)} waiting patient{'s' if len(offers) != 1 else ''} "
                       "could take it:")
        intro.setWordWrap(True)
        self.offers = QListWidget()
        self.offers.setAccessibleName("Waiting patients who fit")
        for row in offers:
            item = QListWidgetItem(_label(row))
            item.setData(Qt.ItemDataRole.UserRole, row)
            self.offers.addItem(item)
        self.offers.setCurrentRow(0)
        self.message = ErrorLabel()
        buttons = QDialogButtonBox()
        self.book_button = buttons.addButton("Book", QDialogButtonBox.ButtonRole.AcceptRole)
        # whoever calls first takes it (messaging/waitlist_offers.py)
        self.email_button = buttons.addButton("&Email the offer to all",
                                              QDialogButtonBox.ButtonRole.ActionRole)
        self.email_button.setEnabled(allowed(user, "messages.send"))
        self.email_button.clicked.connect(lambda: self.email_offer())
        buttons.addButton("Not now", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.book)
        buttons.rejected.connect(self.reject)
        self.emailed = QLabel()
        self.emailed.setWordWrap(True)
        self._end, self._rows = end, offers
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.offers)
        layout.addWidget(self.emailed)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    def email_offer(self) -> None:
        """Email the slot, with the clinic's phone, to every waiting patient listed who may
        be sent messages; say who was left out."""
        done = op(self, lambda: waitlist_offers.offer_by_email(
            self.user, [r.id for r in self._rows], self._start, self._end, self._provider_id),
            error_label=self.message)
        if done:
            self.emailed.setText(done.value.text())

    def book(self) -> None:
        item = self.offers.currentItem()
        if item is None:
            return
        row = item.data(Qt.ItemDataRole.UserRole)
        # as before the runner: a double-booking is refused here, not asked about (asking for
        # the override reason would be new behaviour; waitlist.book takes the answer)
        done = op(self, partial(waitlist.book, self.user, row.id, row.version, self._start,
                                self._provider_id or row.provider_id),
                  error_label=self.message, ask_user=False)
        if done:
            self.appointment = done.value
            self.accept()
        elif isinstance(done.refusal, StaleEditError):  # booked or removed elsewhere: the
            self.offers.takeItem(self.offers.row(item))  # refusal says who; no longer offered
            self._rows = [r for r in self._rows if r.id != row.id]
