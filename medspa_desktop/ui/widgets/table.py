"""The table view every list in the program uses, set up the same way."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView


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
    header = view.horizontalHeader()
    header.setHighlightSections(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    return view


def fit_columns(view: QTableView, minimum: int = 70, maximum: int = 320) -> None:
    """Size columns to their contents within bounds (after rows are loaded)."""
    view.resizeColumnsToContents()
    header = view.horizontalHeader()
    for col in range(header.count()):
        header.resizeSection(col, max(minimum, min(maximum, header.sectionSize(col))))
