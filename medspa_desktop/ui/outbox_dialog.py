"""The outbox for the front desk (View → Outbox…): every message to a patient, newest due
first, filtered by state; a failed one shows the server's answer and may be tried again or
withdrawn. Sending itself is the main window's timed work (services/platform/timed_jobs)."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QPushButton, QVBoxLayout

from ..services.messaging import outbox
from ..services.platform.permissions import allowed
from ..services.platform.vocabulary import MessageState
from ..store.models import User
from .bus import on_change
from .models import Column
from .ops import op
from .widgets.filtered_list import FilteredList

COLUMNS = (
    Column("Due", lambda r: r.due_at, lambda r: f"{r.due_at:%a %d %b %Y %H:%M}"),
    Column("State", lambda r: r.state, tip=lambda r: r.last_error),
    Column("Kind", lambda r: r.kind),
    Column("Patient", lambda r: r.patient),
    Column("To", lambda r: r.to_address, tip=lambda r: r.channel),
    Column("Subject", lambda r: r.subject),
    Column("Server's answer", lambda r: r.last_error, tip=lambda r: r.last_error),
)


class OutboxDialog(QDialog):
    def __init__(self, user: User, parent=None) -> None:
        super().__init__(parent)
        self.user = user
        self.setWindowTitle("Outbox")
        self.resize(1100, 560)
        self.state = QComboBox()
        self.state.setAccessibleName("State filter")
        self.state.addItem("Every message", None)
        for key, label in MessageState.labels().items():
            self.state.addItem(label, key)
        self.retry_button = QPushButton("&Retry")
        self.retry_button.setToolTip("Send a failed message again at the next round")
        self.retry_button.clicked.connect(lambda: self.retry())
        self.withdraw_button = QPushButton("&Withdraw")
        self.withdraw_button.setToolTip("Take back a message that has not gone out")
        self.withdraw_button.clicked.connect(lambda: self.withdraw())
        close = QPushButton("Close")
        close.clicked.connect(self.accept)
        self.list = FilteredList(
            COLUMNS, "Messages", filters=(self.state,),
            actions=(self.retry_button, self.withdraw_button, close), source=self._source,
            count_text=lambda: self.model.count_text("message"), actions_below=True,
            widest_column=380)
        self.model, self.table, self.count = self.list.model, self.list.table, self.list.count
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._enable())
        layout = QVBoxLayout(self)
        layout.addWidget(self.list, 1)
        on_change(self, ("outbox",))
        self.refresh()

    def _source(self):
        state = self.state.currentData()
        return lambda offset, limit, _after: outbox.outbox_rows(
            self.user, state, limit=limit, offset=offset)

    def refresh(self) -> None:
        self.list.reload()
        self._enable()

    def show_state(self, state: str | None) -> None:
        self.state.setCurrentIndex(self.state.findData(state))

    def current(self) -> outbox.OutboxRow | None:
        row = self.list.selected_row()
        return self.model.row_at(row) if row is not None else None

    def _enable(self) -> None:
        row = self.current()
        may = allowed(self.user, "messages.send")
        self.retry_button.setEnabled(may and row is not None and row.state_key == "failed")
        self.withdraw_button.setEnabled(may and row is not None and row.open)

    def retry(self) -> None:
        row = self.current()
        if row is not None and op(self, lambda: outbox.retry(self.user, row.id)):
            self.count.setText("It goes out at the next round (within a minute).")

    def withdraw(self) -> None:
        row = self.current()
        if row is not None and op(self, lambda: outbox.withdraw(self.user, row.id)):
            self.count.setText("Withdrawn: it will not be sent.")
