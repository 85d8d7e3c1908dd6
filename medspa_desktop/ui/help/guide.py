"""Help → User guide (F1): the guide's pages in a window beside the program, a contents list
on the left that a filter box narrows to the headings that match, the page on the right."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSplitter,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .. import style
from .pages import Page, load_guide

PAGE_ROLE = Qt.ItemDataRole.UserRole
ANCHOR_ROLE = Qt.ItemDataRole.UserRole + 1


class GuideWindow(QDialog):
    """Not modal: it stays open while the user follows its steps in the main window."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("User guide")
        self.setWindowFlag(Qt.WindowType.WindowContextHelpButtonHint, False)
        self.resize(960, 640)
        self.pages: list[Page] = load_guide()
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Find a topic")
        self.filter.setClearButtonEnabled(True)
        self.filter.setAccessibleName("Find a topic in the guide")
        self.filter.textChanged.connect(self.apply_filter)
        self.contents = QTreeWidget()
        self.contents.setHeaderHidden(True)
        self.contents.setAccessibleName("Contents")
        self.nothing = QLabel()
        self.nothing.setWordWrap(True)
        self.nothing.setStyleSheet(style.QUIET_LINE)
        self.nothing.hide()
        for number, page in enumerate(self.pages):
            item = QTreeWidgetItem([page.title])
            item.setData(0, PAGE_ROLE, number)
            for section in page.sections:
                child = QTreeWidgetItem([section.title])
                child.setData(0, PAGE_ROLE, number)
                child.setData(0, ANCHOR_ROLE, section.anchor)
                item.addChild(child)
            self.contents.addTopLevelItem(item)
        self.contents.currentItemChanged.connect(lambda item, _before: self._show_item(item))
        self.browser = QTextBrowser()
        self.browser.setAccessibleName("Guide page")
        self.browser.setOpenExternalLinks(False)
        self.browser.document().setDefaultStyleSheet(style.HELP_PAGE_CSS)
        self.browser.document().setDocumentMargin(style.SPACE_L)
        self.shown_page: int | None = None

        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.filter)
        column.addWidget(self.contents, 1)
        column.addWidget(self.nothing)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(self.browser)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([300, 660])
        layout = QHBoxLayout(self)
        layout.addWidget(splitter)
        if self.pages:
            self.contents.setCurrentItem(self.contents.topLevelItem(0))

    # -- showing ----------------------------------------------------------------------------
    def _show_item(self, item: QTreeWidgetItem | None) -> None:
        if item is None:
            return
        number = item.data(0, PAGE_ROLE)
        if number != self.shown_page:
            self.shown_page = number
            self.browser.setHtml(self.pages[number].html)
        anchor = item.data(0, ANCHOR_ROLE)
        if anchor:
            self.browser.scrollToAnchor(anchor)
        else:
            self.browser.verticalScrollBar().setValue(0)

    def show_page(self, name: str) -> None:
        """Open the page whose file is named ``name`` ("backup" for 08-backup.html)."""
        for i in range(self.contents.topLevelItemCount()):
            item = self.contents.topLevelItem(i)
            if self.pages[item.data(0, PAGE_ROLE)].name == name:
                self.contents.setCurrentItem(item)
                return
        raise KeyError(name)

    def page_title(self) -> str:
        return self.pages[self.shown_page].title if self.shown_page is not None else ""

    # -- the filter -------------------------------------------------------------------------
    def apply_filter(self, text: str) -> None:
        """Keep the pages and sections whose heading holds every word typed; a page whose
        title matches keeps all its sections. The first match is shown."""
        words = text.lower().split()

        def matches(title: str) -> bool:
            return all(w in title.lower() for w in words)

        first = None
        for i in range(self.contents.topLevelItemCount()):
            item = self.contents.topLevelItem(i)
            whole = matches(item.text(0))
            any_child = False
            for j in range(item.childCount()):
                child = item.child(j)
                keep = whole or matches(child.text(0))
                child.setHidden(not keep)
                any_child |= keep
                if keep and not whole and first is None:
                    first = child
            item.setHidden(not (whole or any_child))
            item.setExpanded(bool(words) and any_child)
            if whole and first is None:
                first = item
        self.nothing.setVisible(first is None)
        self.nothing.setText(f"No heading has “{text.strip()}”. Try another word, or clear "
                             "the box to see every topic.")
        if first is not None:
            self.contents.setCurrentItem(first)

    def visible_titles(self) -> list[str]:
        shown = []
        for i in range(self.contents.topLevelItemCount()):
            item = self.contents.topLevelItem(i)
            if item.isHidden():
                continue
            shown.append(item.text(0))
            shown += [f"  {item.child(j).text(0)}" for j in range(item.childCount())
                      if not item.child(j).isHidden()]
        return shown
