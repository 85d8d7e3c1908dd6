"""The audit log review (admin, medical director): events newest first, loaded as you scroll,
filtered by dates, user, kind of action and patient; exported to CSV. Shown in an owner's
words (names, money, dates: ``services/platform/audit_words.py``); the stored values, which
the CSV keeps, on hover."""

from __future__ import annotations

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from ..services.platform import audit_review, audit_words
from ..services.platform.audit_review import ACTION_GROUPS, AuditFilter
from ..store.models import User
from .models import Column
from .widgets.date_range import DateRange
from .widgets.filtered_list import FilteredList

# names, money and dates as people write them; the stored values on hover
COLUMNS = (
    Column("When", lambda r: r.at, lambda r: audit_words.when(r.at),
           tip=lambda r: f"{r.at:%Y-%m-%d %H:%M:%S} (event {r.id})"),
    Column("User", lambda r: r.who, tip=lambda r: f"user name: {r.username}"),
    Column("Action", lambda r: r.what, tip=lambda r: r.action),
    Column("Record", lambda r: r.about, tip=lambda r: r.record),
    Column("Summary", lambda r: r.details,
           tip=lambda r: f"as recorded: {r.summary}" if r.summary != r.details else ""),
)


class AuditDialog(QDialog):
    def __init__(self, user: User, parent=None) -> None:
        super().__init__(parent)
        self.user = user
        self.setWindowTitle("Audit log")
        self.resize(1100, 640)
        self.dates = DateRange(QDate.currentDate().addDays(-7))
        self.username = QComboBox()
        self.username.addItem("Everyone", "")
        usernames = audit_review.usernames(user)
        full_names = audit_words.user_names(usernames)
        for name in usernames:
            self.username.addItem(f"{full_names.get(name, name)} ({name})", name)
        self.group = QComboBox()
        self.group.addItem("Every action", "")
        for label in ACTION_GROUPS:
            self.group.addItem(label, label)
        self.patient = QLineEdit()
        self.patient.setPlaceholderText("Patient name or chart number")
        self.patient.setMaxLength(80)
        for widget, name in ((self.username, "User filter"), (self.group, "Action filter"),
                             (self.patient, "Patient filter")):
            widget.setAccessibleName(name)
        self.export_button = QPushButton("&Export CSV…")
        self.export_button.clicked.connect(lambda: self.export())
        close = QPushButton("Close")
        close.clicked.connect(self.accept)
        self.list = FilteredList(
            COLUMNS, "Audit events", filters=(self.dates, self.username, self.group, self.patient),
            actions=(self.export_button, close), source=self._source,
            count_text=lambda: f"{self.model.count_text('event')}, newest first",
            actions_below=True, widest_column=420)
        self.model, self.table, self.count = self.list.model, self.list.table, self.list.count
        layout = QVBoxLayout(self)
        layout.addWidget(self.list, 1)
        self.refresh()

    def current_filter(self) -> AuditFilter:
        return AuditFilter(*self.dates.dates(), self.username.currentData(),
                           self.group.currentData(), self.patient.text())

    def refresh(self) -> None:
        self.list.reload()

    def _source(self):
        f = self.current_filter()
        return lambda offset, limit, _after: audit_review.events(
            self.user, f, offset=offset, limit=limit)

    def export(self, path: str | None = None) -> None:
        target = self.list.export(
            lambda: audit_review.export_csv(self.user, self.current_filter()),
            "Export the audit log", "audit-log.csv", path)
        if target is not None:
            self.count.setText(f"Exported to {target}.")
