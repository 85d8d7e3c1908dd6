"""The table view every list in the program uses, set up the same way."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

FIT_ROWS = 100


def make_table(model, accessible_name: str) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setAccessibleName(accessible_name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(26)
    # Fitting columns measures the rows in view and this many more, not a long history's all
    view.horizontalHeader().setResizeContentsPrecision(FIT_ROWS)
    header = view.horizontalHeader()
    header.setHighlightSections(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    return view


def fit_columns(view: QTableView, minimum: int = 70, maximum: int = 320) -> None:
    """Size columns to their contents (the rows in view and the first ``FIT_ROWS``) within
    bounds, after rows are loaded. A view not yet shown is fitted when it shows: Qt measures
    every row of a hidden view."""
    if not view.isVisible():
        fitter = view.findChild(_FitWhenShown)
        if fitter is None:
            view.installEventFilter(_FitWhenShown(view))
            fitter = view.findChild(_FitWhenShown)
        fitter.bounds = (minimum, maximum)
        return
    view.resizeColumnsToContents()
    header = view.horizontalHeader()
    for col in range(header.count()):
        header.resizeSection(col, max(minimum, min(maximum, header.sectionSize(col))))
    last = header.count() - 1
    if header.stretchLastSection() and last > 0:
        # the last column fills what is left: fitted as above it kept the width it had
        # stretched to before, and once the others grew it pushed past the view's edge
        content = max(view.sizeHintForColumn(last), header.sectionSizeHint(last))
        rest = view.viewport().width() - sum(header.sectionSize(c) for c in range(last))
        header.resizeSection(last, max(minimum, min(maximum, content), rest))


class _FitWhenShown(QObject):
    def __init__(self, view: QTableView) -> None:
        super().__init__(view)
        self.bounds = (70, 320)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Show:
            watched.removeEventFilter(self)
            self.deleteLater()
            self.setParent(None)  # so a fit before the deletion makes a new one
            fit_columns(watched, *self.bounds)
        return False
