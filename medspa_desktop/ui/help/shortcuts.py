"""Help → Keyboard shortcuts: listed from the main window's real menu actions (so the list
cannot drift from the keys), then the keys the dialogs document in ``DIALOG_SHORTCUTS``
(each checked against its dialog by a test). It copies as plain text and prints."""

from __future__ import annotations

import html
from dataclasses import dataclass

from PySide6.QtGui import QAction, QGuiApplication, QKeySequence, QTextDocument
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QMenu,
    QMenuBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from ..widgets.modal import run_modal


@dataclass(frozen=True)
class Shortcut:
    keys: str  # as written on this computer: "Ctrl+Shift+N"
    what: str  # "Patient → New patient…"
    where: str  # "Main window", "Print preview"


# Keys that work inside a dialog rather than from a menu of the main window
DIALOG_SHORTCUTS = (
    Shortcut("Ctrl+E", "Edit the patient's details", "Patient chart"),
    Shortcut("Ctrl+P", "Print", "Print preview"),
    Shortcut("Ctrl+S", "Save as PDF", "Print preview"),
    Shortcut("Ctrl+N", "New product", "Inventory"),
    Shortcut("Esc", "Close the window (typing in a note is kept as a draft)", "Any window"),
)


def key_text(sequence: QKeySequence) -> str:
    return sequence.toString(QKeySequence.SequenceFormat.NativeText)


def plain_text(text: str) -> str:
    """A menu entry as read: without its "&" mnemonic marks (a "&&" is one "&")."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def menu_actions(bar: QMenuBar) -> list[tuple[str, QAction]]:
    """Every action in the menus, with its path ("File → Back up now"), in menu order."""
    found: list[tuple[str, QAction]] = []

    def walk(menu: QMenu, path: str) -> None:
        for action in menu.actions():
            if action.isSeparator():
                continue
            here = f"{path} → {plain_text(action.text())}"
            if action.menu() is not None:
                walk(action.menu(), here)
            else:
                found.append((here, action))

    for top in bar.actions():
        if top.menu() is not None:
            walk(top.menu(), plain_text(top.text()))
    return found


def window_shortcuts(bar: QMenuBar) -> list[Shortcut]:
    """An action in two menus (Find patient…) is listed once, where it is first."""
    listed, seen = [], set()
    for path, action in menu_actions(bar):
        if action.shortcuts() and id(action) not in seen:
            seen.add(id(action))
            listed.append(Shortcut(", ".join(key_text(k) for k in action.shortcuts()), path,
                                   "Main window"))
    return listed


def all_shortcuts(bar: QMenuBar) -> list[Shortcut]:
    return window_shortcuts(bar) + list(DIALOG_SHORTCUTS)


def as_text(shortcuts: list[Shortcut]) -> str:
    width = max((len(s.keys) for s in shortcuts), default=0)
    lines, where = [], None
    for s in shortcuts:
        if s.where != where:
            where = s.where
            lines += (["", where] if lines else [where])
        lines.append(f"  {s.keys.ljust(width)}  {s.what}")
    return "\n".join(lines) + "\n"


def as_html(shortcuts: list[Shortcut], title: str) -> str:
    rows = "".join(f"<tr><td><b>{html.escape(s.keys)}</b></td><td>{html.escape(s.what)}</td>"
                   f"<td>{html.escape(s.where)}</td></tr>" for s in shortcuts)
    return (f"<h2>{html.escape(title)}</h2><table cellpadding='4'>"
            "<tr><th align='left'>Keys</th><th align='left'>What</th>"
            f"<th align='left'>Where</th></tr>{rows}</table>")


class ShortcutsDialog(QDialog):
    def __init__(self, bar: QMenuBar, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.resize(640, 680)
        self.shortcuts = all_shortcuts(bar)
        self.table = QTableWidget(len(self.shortcuts), 3)
        self.table.setAccessibleName("Keyboard shortcuts")
        self.table.setHorizontalHeaderLabels(("Keys", "What", "Where"))
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        for row, s in enumerate(self.shortcuts):
            for col, text in enumerate((s.keys, s.what, s.where)):
                self.table.setItem(row, col, QTableWidgetItem(text))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.copy_button = QPushButton("&Copy list")
        self.copy_button.setToolTip("Copy every shortcut as text, to paste or pin up")
        self.copy_button.clicked.connect(self.copy)
        self.print_button = QPushButton("&Print…")
        self.print_button.clicked.connect(self.print_list)
        close = QPushButton("Close")
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.print_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

    def text(self) -> str:
        return as_text(self.shortcuts)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.text())
        self.copy_button.setText("Copied")

    def document(self) -> QTextDocument:
        doc = QTextDocument(self)
        doc.setHtml(as_html(self.shortcuts, "Keyboard shortcuts"))
        return doc

    def print_list(self) -> None:
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        if run_modal(QPrintDialog(printer, self)):
            self.document().print_(printer)
