"""Patients tab: find a patient as you type; the list loads more as you scroll."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QItemSelectionModel, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...services.charts import patients
from ...services.platform.permissions import allowed
from ...store.models import User
from ..bus import on_change
from ..models import Column, RowTableModel
from ..widgets.empty_state import EmptyState
from ..widgets.modal import run_modal
from ..widgets.table import fit_columns, make_table
from .chart import ChartDialog
from .merge_dialog import MergeDialog

COLUMNS = (
    Column("Chart", lambda r: r.chart_number),
    Column("Name", lambda r: r.name,
           lambda r: f"{r.name}   (archived)" if r.archived else r.name),
    Column("Date of birth", lambda r: r.dob),
    Column("Age", lambda r: r.age, align_right=True),
    Column("Phone", lambda r: r.phone),
    Column("Email", lambda r: r.email),
    Column("Next appointment", lambda r: r.next_appointment),
)
SEARCH_DELAY_MS = 200


class PatientsTab(QWidget):
    status_message = Signal(str)

    def __init__(self, user: User, parent=None) -> None:
        super().__init__(parent)
        self.user = user
        self.search = QLineEdit()
        self.search.setPlaceholderText(
            "Find a patient: any part of the name, phone digits, date of birth or chart number")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Find a patient")
        self.show_archived = QCheckBox("Show a&rchived")
        self.show_archived.setToolTip("List archived charts too, marked as archived")
        self.show_archived.toggled.connect(lambda _on: self.refresh())
        self.count = QLabel()
        self._timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.search.returnPressed.connect(self.refresh)
        self.search.installEventFilter(self)  # Down: into the results

        bar = QHBoxLayout()
        bar.addWidget(self.search, 1)
        bar.addWidget(self.show_archived)
        bar.addWidget(self.count)
        self.merge_button = QPushButton("&Merge…")
        self.merge_button.setToolTip("Select the two charts of one person (Ctrl+click), then "
                                     "merge them")
        self.merge_button.clicked.connect(lambda: self.merge_selected())
        self.merge_button.setVisible(allowed(user, "patient.merge"))
        bar.addWidget(self.merge_button)
        self.model = RowTableModel(COLUMNS, parent=self)
        self.model.on_count(lambda: self.count.setText(self.model.count_text("patient")))
        self.table = make_table(self.model, "Patients")
        # two rows may be chosen, to merge the charts of one person
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        # activated: a double-click or Enter (connecting doubleClicked too would open it twice)
        self.table.activated.connect(lambda index: self.open_chart(
            self.model.row_at(index.row()).id))
        self.empty = EmptyState(self.table, self._empty_text)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table)
        on_change(self, ("patient",))
        self.refresh()

    def selected_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()).id if rows else None

    def selected_ids(self) -> list[int]:
        rows = sorted(i.row() for i in self.table.selectionModel().selectedRows())
        return [self.model.row_at(r).id for r in rows]

    def merge_selected(self) -> None:
        chosen = self.selected_ids()
        if len(chosen) != 2:
            self.status_message.emit("Select the two charts of one person (Ctrl+click the "
                                     "second), then Merge.")
            return
        run_modal(MergeDialog(self.user, chosen[0], chosen[1], self))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if watched is self.search and event.type() == QEvent.Type.KeyPress and \
                event.key() == Qt.Key.Key_Down and not event.modifiers():
            self.into_results()
            return True
        return super().eventFilter(watched, event)

    def _search_now(self) -> None:
        """Typing still waiting for its pause: search it now."""
        if self._timer.isActive():
            self.refresh()

    def into_results(self) -> None:
        """Down from the search: the first patient found is selected and the list has the
        keyboard (Enter opens the chart, Down and Up move on)."""
        self._search_now()
        if self.model.rowCount() == 0:
            return
        self.table.setFocus()
        # through the selection model: the view's own would read a held Ctrl (Ctrl+O) as
        # "toggle" and leave nothing selected
        flags = QItemSelectionModel.SelectionFlag
        self.table.selectionModel().setCurrentIndex(
            self.model.index(0, 0), flags.ClearAndSelect | flags.Rows)

    def only_match(self) -> int | None:
        """The one patient the search finds, if it finds exactly one."""
        if self.model.rowCount() == 1 and not self.model.canFetchMore():
            return self.model.row_at(0).id
        return None

    def open_chart(self, patient_id: int | None = None) -> None:
        """The chart of ``patient_id``, else of the selected patient, else of the only one the
        search found (Ctrl+O after typing a name)."""
        if patient_id is None:
            self._search_now()
            patient_id = self.selected_id() or self.only_match()
        if patient_id is None:
            found = self.search.text().strip() and self.model.rowCount()
            self.status_message.emit(
                f"{self.model.count_text('patient')} found: choose one (Down, then Enter)."
                if found else "Select a patient first.")
            if found:
                self.into_results()
            return
        run_modal(ChartDialog(self.user, patient_id, self))

    def _empty_text(self) -> str:
        typed = self.search.text().strip()
        if typed:
            return (f"No patient matches “{typed}”. Check the spelling, try the phone number "
                    "or date of birth, or press Ctrl+Shift+N to register a new patient.")
        return "No patients yet — press Ctrl+Shift+N to register one."

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def refresh(self) -> None:
        self._timer.stop()
        query = self.search.text()
        archived = self.show_archived.isChecked()
        self.model.set_fetch(
            lambda offset, limit, _after: patients.search_patients(
                self.user, query, offset=offset, limit=limit, include_archived=archived))
        self.count.setText(self.model.count_text("patient"))  # also when nothing was found
        fit_columns(self.table)
