"""Patients due (Patient → Patients due…): the four lists the front desk calls from — toxin
due, filler due, unfinished series, lapsed — with phone numbers, the last visit and what is
due; printed (print preview), exported to CSV, or sent a recall email in bulk (only patients
who agreed to marketing messages get one)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
)

from ...services.messaging import due_lists, recall_emails
from ...services.platform import chosen_files
from ...services.platform.permissions import allowed
from ...store.models import User
from .. import style
from ..bus import on_change
from ..models import Column, RowTableModel
from ..ops import op
from ..widgets.empty_state import EmptyState
from ..widgets.messages import ErrorLabel
from ..widgets.modal import run_modal
from ..widgets.table import fit_columns, make_table

COLUMNS = (
    Column("Patient", lambda r: r.name),
    Column("Chart", lambda r: r.chart_number),
    Column("Phone", lambda r: r.phone),
    Column("Email", lambda r: r.email),
    Column("Last visit", lambda r: r.last_visit),
    Column("What is due", lambda r: r.due),
    Column("Recall email", lambda r: "yes" if r.marketing else "no",
           tip=lambda r: ("The patient agreed to recall emails." if r.marketing else
                          "No recall email: the patient has not agreed to marketing "
                          "messages, or has no email address.")),
)

EMPTY = {
    "toxin": "Nobody is due for a toxin: no one's last toxin is past the clinic's "
             "re-treatment interval (and within 120 days) without the next one booked.",
    "filler": "Nobody is due for filler: no one's last filler was 9 to 12 months ago "
              "without the next one booked.",
    "series": "No unfinished series: every course is done or has its next session booked.",
    "lapsed": "No lapsed patients: everyone seen in the past has been in within 6 months "
              "or has something booked.",
}


class PatientsDueDialog(QDialog):
    def __init__(self, user: User, parent=None) -> None:
        super().__init__(parent)
        self.user = user
        self.lists: due_lists.DueLists | None = None
        self.setWindowTitle("Patients due")
        self.resize(1060, 600)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.message = ErrorLabel()
        self.tabs = QTabWidget()
        self.models: dict[str, RowTableModel] = {}
        self.tables = {}
        for name, title in due_lists.LISTS.items():
            model = RowTableModel(COLUMNS, parent=self)
            table = make_table(model, title)
            table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
            table.selectionModel().selectionChanged.connect(lambda *_: self._enable_send())
            EmptyState(table, lambda name=name: EMPTY[name])
            # Enter or a double-click: the patient's chart, to see why before calling
            table.activated.connect(lambda index, name=name: self.open_chart(
                self.models[name].row_at(index.row()).patient_id))
            self.models[name], self.tables[name] = model, table
            self.tabs.addTab(table, title)
        self.print_button = QPushButton("&Print…")
        self.print_button.clicked.connect(lambda: self.print_lists())
        self.export_button = QPushButton("&Export CSV…")
        self.export_button.clicked.connect(lambda: self.export())
        self.send_button = QPushButton("Send recall &email…")
        self.send_button.setToolTip("Queue a recall email to the patients selected who agreed "
                                    "to marketing emails; the others are left out.")
        self.send_button.clicked.connect(lambda: self.send_recall())
        # room for "… to 120 of 300…" from the start: the text changes with the selection
        self.send_button.setMinimumWidth(self.send_button.fontMetrics().horizontalAdvance(
            "Send recall email to 0000 of 0000…") + 2 * style.SPACE_L)
        self.sent = QLabel()
        self.sent.setWordWrap(True)
        refresh = QPushButton("&Refresh")
        refresh.clicked.connect(lambda: self.refresh())
        bar = QHBoxLayout()
        bar.addStretch(1)
        bar.addWidget(refresh)
        bar.addWidget(self.print_button)
        bar.addWidget(self.export_button)
        bar.addWidget(self.send_button)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(bar)
        layout.addWidget(self.sent)
        layout.addWidget(self.message)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(close)
        self.tabs.currentChanged.connect(lambda _i: self._enable_send())
        on_change(self, ("appointment", "patient"))
        self.refresh()

    def refresh(self) -> None:
        done = op(self, lambda: due_lists.patients_due(self.user), error_label=self.message)
        if not done:
            return
        self.message.hide()
        self.lists = done.value
        for i, (name, title) in enumerate(due_lists.LISTS.items()):
            rows = self.lists.rows(name)
            self.models[name].set_rows(rows)
            fit_columns(self.tables[name])
            self.tabs.setTabText(i, f"{title} ({len(rows)})")
        total = len(self.lists.all_rows())
        emails = sum(r.marketing for r in self.lists.all_rows())
        self.summary.setText(
            f"{total} patient{'s' if total != 1 else ''} to call on "
            f"{self.lists.day:%a %d %b %Y}; {emails} of them agreed to recall emails.")
        self.print_button.setEnabled(total > 0)
        self.export_button.setEnabled(total > 0)
        self._enable_send()

    def _enable_send(self) -> None:
        chosen = self.selected_rows()
        self.send_button.setEnabled(bool(chosen) and allowed(self.user, "messages.send"))
        agreed = sum(r.marketing for r in chosen)
        self.send_button.setText(f"Send recall &email to {agreed} of {len(chosen)}…"
                                 if chosen else "Send recall &email…")

    def send_recall(self) -> None:
        """Queue a recall email to the selected patients who agreed to marketing emails."""
        chosen = self.selected_rows()
        if not chosen or self.lists is None:
            return
        done = op(self, lambda: recall_emails.send_recall_emails(
            self.user, [r.patient_id for r in chosen], self.lists.day),
            error_label=self.message)
        if done:
            self.sent.setText(done.value.text())

    def open_chart(self, patient_id: int) -> None:
        from ..patients.chart import ChartDialog

        run_modal(ChartDialog(self.user, patient_id, self))

    def selected_rows(self) -> list[due_lists.DueRow]:
        """The rows selected on the list shown."""
        name = list(due_lists.LISTS)[self.tabs.currentIndex()]
        table = self.tables[name]
        return [self.models[name].row_at(i.row())
                for i in table.selectionModel().selectedRows()]

    def print_lists(self) -> None:
        """Preview, print or save the lists as shown."""
        from ...printouts import patients_due_pdf
        from ..widgets.pdf_preview import show_preview

        done = op(self, lambda: patients_due_pdf(self.user, self.lists), title="Not printed")
        if done:
            show_preview(done.value, "Patients due",
                         f"patients-due-{self.lists.day:%Y-%m-%d}.pdf",
                         self)

    def export(self, path: str | None = None) -> Path | None:
        if self.lists is None:
            return None
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self, "Export patients due", f"patients-due-{self.lists.day:%Y-%m-%d}.csv",
                "CSV files (*.csv)")
        if not path:
            return None
        target = chosen_files.refuse_overwriting_database(path)
        target.write_text(due_lists.due_csv(self.lists), encoding="utf-8-sig")
        return target
