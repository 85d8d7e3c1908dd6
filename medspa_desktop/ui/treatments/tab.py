"""Treatment Log tab: every charted treatment, newest first, filtered by dates, provider,
modality, product, lot and patient; sorted by clicking a column (the database sorts, so the
lazily loaded list stays right); exported to CSV; with the stock alerts and a lot recall.
Staff whose role may not see clinical records get a plain notice."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...services.platform import auth, chosen_files
from ...services.platform.permissions import PERMISSIONS, allowed
from ...services.treatments import inventory
from ...services.treatments.treatment_log import LogFilter, log_csv, treatment_log
from ...store.models import CATEGORIES, User
from ..models import Column, RowTableModel
from ..widgets.date_range import DateRange
from ..widgets.table import fit_columns, make_table
from .inventory_dialog import InventoryDialog
from .recall_dialog import RecallDialog
from .record_preview import preview_record

COLUMNS = (
    Column("Date", lambda r: r.at),
    Column("Patient", lambda r: r.patient),
    Column("Provider", lambda r: r.provider),
    Column("Modality", lambda r: r.modality),
    Column("Service", lambda r: r.service),
    Column("Product", lambda r: r.product),
    Column("Lot", lambda r: r.lot),
    Column("Dose", lambda r: r.dose, align_right=True),
)
SORT_KEYS = {0: "date", 1: "patient", 2: "provider", 3: "modality"}


class TreatmentLogTab(QWidget):
    status_message = Signal(str)

    def __init__(self, user: User, parent=None) -> None:
        super().__init__(parent)
        self.user = user
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.alerts = QLabel()
        self.alerts.setWordWrap(True)
        self.alerts.setStyleSheet("background: #fff4d6; color: #7a4b00; padding: 4px;")
        self.dates = DateRange(QDate.currentDate().addYears(-1))
        self.provider = QComboBox()
        self.provider.addItem("All providers", None)
        for u in auth.providers():
            self.provider.addItem(u.display_name, u.id)
        self.modality = QComboBox()
        self.modality.addItem("All treatments", None)
        for key, label in CATEGORIES.items():
            if key != "retail":
                self.modality.addItem(label, key)
        self.product = QComboBox()
        self.product.addItem("All products", None)
        if allowed(user, "inventory.read"):
            for p in inventory.products(user, ("toxin", "filler")):
                self.product.addItem(p.name, p.id)
        self.lot = QLineEdit()
        self.lot.setPlaceholderText("Lot")
        self.patient = QLineEdit()
        self.patient.setPlaceholderText("Patient")
        for w, name in ((self.provider, "Provider filter"), (self.modality, "Treatment filter"),
                        (self.product, "Product filter"), (self.lot, "Lot filter"),
                        (self.patient, "Patient filter")):
            w.setAccessibleName(name)
        self.export_button = QPushButton("Export CSV…")
        self.recall_button = QPushButton("Lot recall…")
        self.inventory_button = QPushButton("&Inventory…")
        self.inventory_button.clicked.connect(self.inventory)
        self.inventory_button.setVisible(allowed(user, "inventory.read"))
        self.record_button = QPushButton("Treatment &record…")
        self.record_button.setToolTip("Preview, print or save the selected visit's record "
                                      "(or double-click it)")
        self.record_button.clicked.connect(lambda: self.show_record())
        self.export_button.clicked.connect(lambda: self.export())
        self.recall_button.clicked.connect(self.recall)
        self.count = QLabel()

        self._timer = QTimer(self, singleShot=True, interval=250)
        self._timer.timeout.connect(self.refresh)
        for combo in (self.provider, self.modality, self.product):
            combo.currentIndexChanged.connect(lambda _i: self.refresh())
        for edit in (self.lot, self.patient):
            edit.textChanged.connect(lambda _t: self._timer.start())
        self.dates.changed.connect(self.refresh)

        bar = QHBoxLayout()
        for w in (self.dates, self.provider, self.modality, self.product, self.lot,
                  self.patient):
            bar.addWidget(w)
        actions = QHBoxLayout()
        actions.addWidget(self.count, 1)
        actions.addWidget(self.record_button)
        actions.addWidget(self.recall_button)
        actions.addWidget(self.inventory_button)
        actions.addWidget(self.export_button)

        self.model = RowTableModel(COLUMNS, parent=self)
        self.model.on_count(self._show_count)
        self.table = make_table(self.model, "Treatment log")
        header = self.table.horizontalHeader()
        header.setSortIndicatorShown(True)
        header.setSortIndicator(0, Qt.SortOrder.DescendingOrder)
        header.setSectionsClickable(True)
        header.sortIndicatorChanged.connect(lambda _c, _o: self.refresh())
        header.setStretchLastSection(False)  # the patient column takes the spare width
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        # activated: a double-click or Enter
        self.table.activated.connect(lambda index: self.show_record(index.row()))
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._selection())
        self.content = QWidget()
        content = QVBoxLayout(self.content)
        content.setContentsMargins(0, 0, 0, 0)
        content.addWidget(self.alerts)
        content.addLayout(bar)
        content.addLayout(actions)
        content.addWidget(self.table, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.notice)
        layout.addWidget(self.content, 1)
        self.refresh()

    def _show_count(self) -> None:
        self.count.setText(self.model.count_text("treatment"))

    def _selection(self) -> None:
        self.record_button.setEnabled(bool(self.table.selectionModel().selectedRows()))

    def show_record(self, row: int | None = None) -> None:
        """The selected (or given) row's treatment record in the print preview."""
        if row is None:
            rows = self.table.selectionModel().selectedRows()
            if not rows:
                return
            row = rows[0].row()
        preview_record(self.user, self.model.row_at(row).appointment_id, self)

    def current_filter(self) -> LogFilter:
        return LogFilter(
            *self.dates.dates(), self.provider.currentData(), self.modality.currentData(),
            self.product.currentData(), self.lot.text(), self.patient.text())

    def _sort(self) -> tuple[str, bool]:
        header = self.table.horizontalHeader()
        key = SORT_KEYS.get(header.sortIndicatorSection(), "date")
        return key, header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder

    def refresh(self) -> None:
        self._timer.stop()
        if not allowed(self.user, "treatment.read"):
            _, what = PERMISSIONS["treatment.read"]
            self.notice.setText(f"Your role does not allow you to {what}.")
            self.notice.show()
            self.content.hide()
            return
        self.notice.hide()
        self.content.show()
        found = [a.message for a in inventory.alerts(self.user)] \
            if allowed(self.user, "inventory.read") else []
        self.alerts.setText("⚠ " + "   ·   ".join(found))
        self.alerts.setVisible(bool(found))
        f, (sort, descending) = self.current_filter(), self._sort()
        self.model.set_fetch(lambda _offset, limit, after: treatment_log(
            self.user, f, sort=sort, descending=descending, limit=limit, after=after))
        self._show_count()
        fit_columns(self.table)
        self._selection()

    def export(self, path: str | None = None) -> Path | None:
        """Write every row the filters select (not only those loaded) to a CSV file."""
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "Export treatment log",
                                                  "treatment-log.csv", "CSV files (*.csv)")
        if not path:
            return None
        sort, descending = self._sort()
        target = chosen_files.refuse_overwriting_database(path)
        target.write_text(log_csv(self.user, self.current_filter(), sort=sort,
                                  descending=descending), encoding="utf-8-sig")
        self.status_message.emit(f"Exported to {target}.")
        return target

    def inventory(self) -> None:
        InventoryDialog(self.user, self).exec()
        self.refresh()  # the stock alerts may have changed

    def recall(self) -> None:
        RecallDialog(self.user, self.lot.text(), self).exec()
