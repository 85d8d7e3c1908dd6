"""Qt item models over rows that services return. One model class serves every list.

``RowTableModel`` shows a list of plain rows (dataclasses) through ``Column`` definitions.
Given a ``fetch(offset, limit, after)`` callable instead of rows, it loads lazily: the view
asks for more (``canFetchMore``/``fetchMore``) as the user scrolls, so a list of years of
records opens at once. It keeps only the pages seen last (``keep_pages``) and fetches a page
again when the user scrolls back to it, so scrolling through ten years holds a few thousand
rows, not every one (memory, and the garbage collector's pauses, stay those of a short list).
A page fetched again shows its rows as they are now; ``after`` (the last row of the page
before, None for the first) lets a source seek to it instead of counting an offset.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

Index = QModelIndex | QPersistentModelIndex
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ROW_ROLE = Qt.ItemDataRole.UserRole + 2


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Any], Any]  # row -> raw value (sorted on)
    text: Callable[[Any], str] | None = None  # row -> display text (default: the value)
    align_right: bool = False
    tip: Callable[[Any], str] | None = None  # row -> the tooltip (the raw value behind a name)


def display(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    return str(value)


Fetch = Callable[[int, int, Any], list[Any]]  # (offset, limit, row before offset) -> rows


class RowTableModel(QAbstractTableModel):
    ended = Signal()  # a fetch found nothing more: "250+ …" becomes "250 …" with no new row

    def __init__(
        self,
        columns: Sequence[Column],
        rows: Sequence[Any] = (),
        *,
        fetch: Fetch | None = None,
        batch: int = 200,
        keep_pages: int = 16,
        parent=None,
    ) -> None:
        super().__init__(parent)
        self._columns = list(columns)
        self.batch = batch
        self.keep_pages = max(3, keep_pages)  # a screenful may straddle two pages
        self._fetch: Fetch | None = None
        self._set(list(rows), None)
        if fetch is not None:
            self.set_fetch(fetch)

    def _set(self, rows: list[Any], fetch: Fetch | None) -> None:
        self._fetch = fetch
        self._exhausted = fetch is None
        self._count = len(rows)
        # A fixed list is one page that is never dropped; a lazy one fills page by page.
        self._pages: OrderedDict[int, list[Any]] = OrderedDict()
        self._page_ends: list[Any] = []  # the last row of every page loaded so far
        if fetch is None:
            self._page_size = max(1, len(rows))
            self._pages[0] = rows
        else:
            self._page_size = self.batch

    # -- contents ---------------------------------------------------------------------------
    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self._set(list(rows), None)
        self.endResetModel()

    def set_fetch(self, fetch: Fetch) -> None:
        """Start over with a new source; the first batch loads at once."""
        self.beginResetModel()
        self._set([], fetch)
        self.endResetModel()
        self.fetchMore(QModelIndex())

    def _page(self, number: int) -> list[Any]:
        rows = self._pages.get(number)
        if rows is None:  # dropped earlier: fetch it again
            after = self._page_ends[number - 1] if number else None
            rows = self._fetch(number * self._page_size, self._page_size, after) if self._fetch else []
            self._keep_page(number, rows)
        elif number != next(reversed(self._pages)):
            self._pages.move_to_end(number)
        return rows

    def _keep_page(self, number: int, rows: list[Any]) -> None:
        self._pages[number] = rows
        while self._fetch is not None and len(self._pages) > self.keep_pages:
            self._pages.popitem(last=False)  # the page seen longest ago

    def row_at(self, row: int) -> Any:
        if not 0 <= row < self._count:
            raise IndexError(row)
        return self._page(row // self._page_size)[row % self._page_size]

    def rows(self) -> list[Any]:
        """Every row counted so far (a lazy list fetches the pages it let go again)."""
        return [self.row_at(i) for i in range(self._count)]

    def on_count(self, show: Callable[[], None]) -> None:
        """Call ``show`` as the number of rows changes: the list starts over, or a page loads
        as the user scrolls (so a "200+ …" label follows the list)."""
        self.modelReset.connect(show)
        self.rowsInserted.connect(lambda *_: show())
        self.ended.connect(show)

    def count_text(self, noun: str) -> str:
        """ "1 invoice", "37 invoices", "200+ invoices" (more load as the list scrolls)."""
        shown = self._count
        return f"{shown}{'+' if self.canFetchMore() else ''} {noun}{'s' if shown != 1 else ''}"

    # -- lazy loading -----------------------------------------------------------------------
    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._exhausted or self._fetch is None:
            return
        number = len(self._page_ends)
        more = self._fetch(self._count, self.batch,
                           self._page_ends[-1] if self._page_ends else None)[:self.batch]
        if len(more) < self.batch:
            self._exhausted = True
            if not more:  # the last page was full: no row comes to say the count is whole
                self.ended.emit()
        if more:
            first = self._count
            self.beginInsertRows(QModelIndex(), first, first + len(more) - 1)
            self._keep_page(number, more)
            self._page_ends.append(more[-1])
            self._count += len(more)
            self.endInsertRows()

    # -- QAbstractTableModel ----------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < self._count:
            return None
        page = self._page(index.row() // self._page_size)
        if index.row() % self._page_size >= len(page):
            return None  # fetched again, the page came back shorter
        column = self._columns[index.column()]
        row = page[index.row() % self._page_size]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(row) if column.text else display(column.value(row))
        if role == SORT_ROLE:
            value = column.value(row)
            return value.isoformat() if isinstance(value, dt.date | dt.datetime) else value
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.TextAlignmentRole and column.align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and column.tip:
            return column.tip(row) or None
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
