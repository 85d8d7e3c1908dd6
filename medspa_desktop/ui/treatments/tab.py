"""Treatment Log tab: every charted treatment, newest first, filtered by dates, provider,
modality, product, lot and patient; sorted by clicking a column (the database sorts, so the
lazily loaded list stays right); exported to CSV; with the stock alerts and a lot recall.
Staff whose role may not see clinical records get a plain notice."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...services.platform import auth
from ...services.platform.permissions import PERMISSIONS, allowed
from ...services.platform.vocabulary import ProductKind
from ...services.treatments import inventory
from ...services.treatments.treatment_log import LogFilter, log_csv, treatment_log
from ...store.models import CATEGORIES, User
from .. import style
from ..bus import on_change
from ..models import Column
from ..widgets.date_range import DateRange
from ..widgets.empty_state import EmptyState
from ..widgets.filtered_list import FilteredList
from ..widgets.modal import run_modal
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


EMPTY_LOG = ("No treatments charted for these dates and filters. A treatment shows here once "
             "it is charted: right-click the visit on the schedule and choose Chart "
             "treatment…")


class TreatmentLogTab(QWidget):
    status_message = Signal(str)

    def __init__(self, user: User, parent=None) -> None:
        super().__init__(parent)
        self.user = user
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.alerts = QLabel()
        self.alerts.setWordWrap(True)
        self.alerts.setStyleSheet(style.NOTICE_STRIP)
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
            for p in inventory.products(user, (ProductKind.TOXIN, ProductKind.FILLER)):
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
        self.list = FilteredList(
            COLUMNS, "Treatment log",
            filters=(self.dates, self.provider, self.modality, self.product, self.lot,
                     self.patient),
            actions=(self.record_button, self.recall_button, self.inventory_button,
                     self.export_button),
            source=self._source, count_text=lambda: self.model.count_text("treatment"),
            on_change=self.refresh)
        self.model, self.table, self.count = self.list.model, self.list.table, self.list.count
        self.empty = EmptyState(self.table, lambda: EMPTY_LOG)

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
        content.addWidget(self.list, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.notice)
        layout.addWidget(self.content, 1)
        on_change(self, ("treatment", "stock", "product", "patient"))
        self.refresh()

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
        self.list.timer.stop()
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
        self.list.reload()
        self._selection()

    def _source(self):
        f, (sort, descending) = self.current_filter(), self._sort()
        return lambda _offset, limit, after: treatment_log(
            self.user, f, sort=sort, descending=descending, limit=limit, after=after)

    def export(self, path: str | None = None) -> Path | None:
        """Write every row the filters select (not only those loaded) to a CSV file."""
        sort, descending = self._sort()
        target = self.list.export(
            lambda: log_csv(self.user, self.current_filter(), sort=sort, descending=descending),
            "Export treatment log", "treatment-log.csv", path)
        if target is not None:
            self.status_message.emit(f"Exported to {target}.")
        return target

    def inventory(self) -> None:
        run_modal(InventoryDialog(self.user, self))

    def recall(self) -> None:
        run_modal(RecallDialog(self.user, self.lot.text(), self))
