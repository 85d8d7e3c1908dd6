"""The audit log review (admin, medical director): events newest first, loaded as you scroll,
filtered by dates, user, kind of action and patient; exported to CSV."""

from __future__ import annotations

from PySide6.QtCore import QDate, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from ..services.platform import audit_review, chosen_files
from ..services.platform.audit_review import ACTION_GROUPS, AuditFilter
from ..store.models import User
from .models import Column, RowTableModel
from .widgets.date_range import DateRange
from .widgets.table import fit_columns, make_table

COLUMNS = (
    Column("When", lambda r: r.at.strftime("%Y-%m-%d %H:%M:%S")),
    Column("User", lambda r: r.username),
    Column("Action", lambda r: r.action),
    Column("Record", lambda r: r.record),
    Column("Summary", lambda r: r.summary),
)


class AuditDialog(QDialog):
    def __init__(self, user: User, parent=None) -> None:
        super().__init__(parent)
        self.user = user
        self.setWindowTitle("Audit log")
        self.resize(1100, 640)
        self.dates = DateRange(QDate.currentDate().addDays(-7))
        self.dates.changed.connect(self.refresh)
        self.username = QComboBox()
        self.username.addItem("Everyone", "")
        for name in audit_review.usernames(user):
            self.username.addItem(name, name)
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
        self._timer = QTimer(self, singleShot=True, interval=350)
        self._timer.timeout.connect(self.refresh)
        self.patient.textChanged.connect(lambda _t: self._timer.start())
        for combo in (self.username, self.group):
            combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.count = QLabel()
        self.export_button = QPushButton("&Export CSV…")
        self.export_button.clicked.connect(lambda: self.export())
        close = QPushButton("Close")
        close.clicked.connect(self.accept)
        self.model = RowTableModel(COLUMNS, parent=self)
        self.model.on_count(self._show_count)
        self.table = make_table(self.model, "Audit events")

        bar = QHBoxLayout()
        for w in (self.dates, self.username, self.group, self.patient):
            bar.addWidget(w)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count, 1)
        bottom.addWidget(self.export_button)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        self.refresh()

    def _show_count(self) -> None:
        self.count.setText(f"{self.model.count_text('event')}, newest first")

    def current_filter(self) -> AuditFilter:
        return AuditFilter(*self.dates.dates(), self.username.currentData(),
                           self.group.currentData(), self.patient.text())

    def refresh(self) -> None:
        self._timer.stop()
        f = self.current_filter()
        self.model.set_fetch(lambda offset, limit, _after: audit_review.events(
            self.user, f, offset=offset, limit=limit))
        self._show_count()
        fit_columns(self.table, maximum=420)

    def export(self, path: str | None = None) -> None:
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "Export the audit log",
                                                  "audit-log.csv", "CSV files (*.csv)")
            if not path:
                return
        target = chosen_files.refuse_overwriting_database(path)
        target.write_text(audit_review.export_csv(self.user, self.current_filter()),
                          encoding="utf-8-sig")
        self.count.setText(f"Exported to {path}.")
