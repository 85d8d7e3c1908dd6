"""Lot recall: who received lot X — treated with it at a visit or sold it at the desk — with
date, dose, provider (or the invoice) and how to reach them."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from ...documents.wording import received_how
from ...printouts import recall_pdf
from ...services.platform import chosen_files, exports
from ...services.treatments import inventory
from ...store.models import User
from ..models import Column, RowTableModel
from ..ops import op
from ..widgets.messages import ErrorLabel
from ..widgets.pdf_preview import show_preview
from ..widgets.table import fit_columns, make_table

COLUMNS = (
    Column("Date", lambda r: r.at),
    Column("Patient", lambda r: r.patient),
    Column("Chart", lambda r: r.chart_number),
    Column("Phone", lambda r: r.phone),
    Column("Email", lambda r: r.email),
    Column("Product", lambda r: r.product),
    Column("Dose", lambda r: r.dose, align_right=True),
    Column("Provider", lambda r: r.provider),
)


class RecallDialog(QDialog):
    def __init__(self, user: User, lot_number: str = "", parent=None) -> None:
        super().__init__(parent)
        self.user = user
        self.rows: list[inventory.RecallRow] = []
        self.shown_lot = ""
        self.setWindowTitle("Lot recall")
        self.resize(900, 520)
        self.lot = QLineEdit(lot_number)
        self.lot.setPlaceholderText("Lot number, as printed on the box")
        self.lot.setAccessibleName("Lot number")
        find = QPushButton("Find patients")
        find.setDefault(True)
        self.export_button = QPushButton("Export CSV…")
        self.export_button.setEnabled(False)
        self.print_button = QPushButton("&Print…")
        self.print_button.setEnabled(False)
        self.print_button.clicked.connect(self.print_list)
        find.clicked.connect(self.search)
        self.lot.returnPressed.connect(self.search)
        self.export_button.clicked.connect(lambda: self.export())
        self.summary = QLabel()
        self.message = ErrorLabel()
        self.model = RowTableModel(COLUMNS, parent=self)
        self.table = make_table(self.model, "Patients who received the lot")
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Lot"))
        bar.addWidget(self.lot, 1)
        bar.addWidget(find)
        bar.addWidget(self.print_button)
        bar.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.summary)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        if lot_number.strip():
            self.search()

    def search(self) -> None:
        done = op(self, lambda: inventory.recall(self.user, self.lot.text()),
                  error_label=self.message)
        if not done:
            return
        self.rows = done.value
        self.message.hide()
        self.model.set_rows(self.rows)
        fit_columns(self.table)
        people = len({r.patient_id for r in self.rows})
        sold = sum(r.sold for r in self.rows)
        treated = len(self.rows) - sold
        how = received_how(treated, sold)
        self.summary.setText(f"{people} patient{'s' if people != 1 else ''} received lot "
                             f"{self.lot.text().strip().upper()} ({how}).")
        self.export_button.setEnabled(bool(self.rows))
        self.print_button.setEnabled(bool(self.rows))
        self.shown_lot = self.lot.text().strip().upper()

    def print_list(self) -> None:
        """Preview, print or save the list found (as found, not looked up again)."""
        pdf = recall_pdf(self.user, self.shown_lot, self.rows)
        show_preview(pdf, f"Lot recall {self.shown_lot}", f"recall-{self.shown_lot}.pdf", self)

    def export(self, path: str | None = None) -> Path | None:
        if path is None:
            name = f"recall-{self.shown_lot}.csv"
            path, _ = QFileDialog.getSaveFileName(self, "Export recall list", name,
                                                  "CSV files (*.csv)")
        if not path:
            return None
        target = chosen_files.refuse_overwriting_database(path)
        target.write_text(exports.recall_csv(self.rows), encoding="utf-8-sig")
        return target
