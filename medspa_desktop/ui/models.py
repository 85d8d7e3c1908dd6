"""Qt item models over rows that services return. One model class serves every list.

``RowTableModel`` shows a list of plain rows (dataclasses) through ``Column`` definitions.
Given a ``fetch(offset, limit)`` callable instead of rows, it loads lazily: the view asks for
more (``canFetchMore``/``fetchMore``) as the user scrolls, so a list of years of records opens
at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

Index = QModelIndex | QPersistentModelIndex
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ROW_ROLE = Qt.ItemDataRole.UserRole + 2


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Any], Any]  # row -> raw value (sorted on)
    text: Callable[[Any], str] | None = None  # row -> display text (default: the value)
    align_right: bool = False


def display(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    return str(value)


class RowTableModel(QAbstractTableModel):
    def __init__(
        self,
        columns: Sequence[Column],
        rows: Sequence[Any] = (),
        *,
        fetch: Callable[[int, int], list[Any]] | None = None,
        batch: int = 200,
        parent=None,
    ) -> None:
        super().__init__(parent)
        self._columns = list(columns)
        self._rows: list[Any] = list(rows)
        self._fetch = fetch
        self._batch = batch
        self._exhausted = fetch is None

    # -- contents ---------------------------------------------------------------------------
    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._exhausted = True
        self._fetch = None
        self.endResetModel()

    def set_fetch(self, fetch: Callable[[int, int], list[Any]]) -> None:
        """Start over with a new source; the first batch loads at once."""
        self.beginResetModel()
        self._rows = []
        self._fetch = fetch
        self._exhausted = False
        self.endResetModel()
        self.fetchMore(QModelIndex())

    def row_at(self, row: int) -> Any:
        return self._rows[row]

    def rows(self) -> list[Any]:
        return list(self._rows)

    def count_text(self, noun: str) -> str:
        """ "1 invoice", "37 invoices", "200+ invoices" (more load as the list scrolls)."""
        shown = len(self._rows)
        return f"{shown}{'+' if self.canFetchMore() else ''} {noun}{'s' if shown != 1 else ''}"

    # -- lazy loading -----------------------------------------------------------------------
    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._exhausted or self._fetch is None:
            return
        more = self._fetch(len(self._rows), self._batch)
        if len(more) < self._batch:
            self._exhausted = True
        if more:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(more) - 1)
            self._rows.extend(more)
            self.endInsertRows()

    # -- QAbstractTableModel ----------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        column = self._columns[index.column()]
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(row) if column.text else display(column.value(row))
        if role == SORT_ROLE:
            value = column.value(row)
            return value.isoformat() if isinstance(value, dt.date | dt.datetime) else value
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.TextAlignmentRole and column.align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._columns):
            return self._columns[section].header
        if orientation == Qt.Orientation.Vertical:
            return section + 1
        return None
