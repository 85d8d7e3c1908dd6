"""The filtered list every list screen shows (invoices, the Treatment Log, the audit log): a
row of filters, a row with the count and the screen's buttons, and a lazily loaded table.

The screen hands over its columns, its filter widgets and buttons, and a ``source`` that turns
the filters as they are now into a fetch for ``RowTableModel`` (which loads page by page as the
user scrolls). A filter's change reloads the list: a choice or a date at once, typed text once
the typing pauses for ``DEBOUNCE_MS`` (one delay for every list, long enough not to query
between the letters of a name, short enough to feel immediate). ``export`` writes every row the
filters select, not only those loaded, to a CSV file the user chooses.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ...services.platform import chosen_files
from ..models import Column, Fetch, RowTableModel
from .date_range import DateRange
from .table import fit_columns, make_table

DEBOUNCE_MS = 250


class FilteredList(QWidget):
    def __init__(self, columns: Sequence[Column], accessible_name: str, *,
                 filters: Sequence[QWidget], actions: Sequence[QWidget],
                 source: Callable[[], Fetch], count_text: Callable[[], str],
                 on_change: Callable[[], None] | None = None, actions_below: bool = False,
                 widest_column: int = 320, parent=None) -> None:
        """``filters`` make the top row, ``actions`` (the screen's buttons) follow the count.
        ``source()`` gives the fetch for the filters as they are; ``count_text()`` the words
        beside the buttons ("37 invoices · $120.00 due"), shown again as rows load. A filter's
        change calls ``on_change`` (the screen's refresh, which ends in ``reload``), or
        ``reload``. The count and buttons sit above the table, or under it with
        ``actions_below``. Tab goes through the rows in the order they are shown."""
        super().__init__(parent)
        self._source = source
        self._count_text = count_text
        self._widest = widest_column
        self._on_change = on_change or self.reload
        self.timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self.timer.timeout.connect(lambda: self._on_change())
        self.filters = QHBoxLayout()
        for widget in filters:
            self._add_filter(widget)
        self.count = QLabel()
        self.actions = QHBoxLayout()
        self.actions.addWidget(self.count, 1)
        for widget in actions:
            self.actions.addWidget(widget)
        self.model = RowTableModel(columns, parent=self)
        self.model.on_count(self._show_count)
        self.table = make_table(self.model, accessible_name)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.filters)
        if actions_below:
            layout.addWidget(self.table, 1)
            layout.addLayout(self.actions)
        else:
            layout.addLayout(self.actions)
            layout.addWidget(self.table, 1)

    def _add_filter(self, widget: QWidget) -> None:
        self.filters.addWidget(widget)
        if isinstance(widget, QLineEdit):
            widget.textChanged.connect(lambda _t: self.timer.start())
        elif isinstance(widget, QComboBox):
            widget.currentIndexChanged.connect(lambda _i: self._on_change())
        elif isinstance(widget, DateRange):
            widget.changed.connect(lambda: self._on_change())

    def reload(self) -> None:
        """Start over from the first page with the filters as they are now."""
        self.timer.stop()
        self.model.set_fetch(self._source())
        self._show_count()
        fit_columns(self.table, maximum=self._widest)

    def _show_count(self) -> None:
        self.count.setText(self._count_text())

    def selected_row(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else None

    def export(self, csv_text: Callable[[], str], title: str, suggested_name: str,
               path: str | None = None) -> Path | None:
        """Write ``csv_text()`` (every row the filters select) to ``path``, asked for when not
        given; None when the user cancels. Never over the clinic's database."""
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, title, suggested_name,
                                                  "CSV files (*.csv)")
        if not path:
            return None
        target = chosen_files.refuse_overwriting_database(path)
        target.write_text(csv_text(), encoding="utf-8-sig")
        return target
