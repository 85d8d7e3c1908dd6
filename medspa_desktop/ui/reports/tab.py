"""The Reports tab (admin and medical director): a range bar — this month, last month, the
last 3 or 12 months, this year, or from–to, and "compared with the previous period" — the
report pages listed on the left, and the chosen page on the right: its headline figures, its
chart, its table on demand, and Export PDF… / Export CSV….

Nothing is read until the tab is first shown (QtCharts and the pages load then, never at
start-up); after that a change of the range or the page draws at once, and a change the
clinic makes (an invoice, a visit) redraws the page shown."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...services.reports import period as periods
from ...services.reports.period import PRESET_LABELS, PRESETS, Period
from ...services.reports.shapes import Shown
from ...store.models import User
from .. import style
from ..bus import on_change
from ..ops import op
from ..widgets.messages import ErrorLabel

# what a report is made of: a change of any of these redraws the page shown
WATCHED = ("invoice", "prepaid", "appointment", "patient", "treatment", "stock", "hours",
           "block", "catalog", "staff", "settings", "membership", "credit")
REDRAW_AFTER_MS = 2000  # a busy day's bookings redraw the page once, not at every one
DATE_PAUSE_MS = 400


class ReportsTab(QWidget):
    status_message = Signal(str)

    def __init__(self, user: User, parent=None, today: dt.date | None = None) -> None:
        super().__init__(parent)
        self.user = user
        self.today = today or dt.date.today()
        self.pages: list = []
        self.page = None  # the ReportPage shown
        self.shown: Shown | None = None
        self.period = periods.preset("this_month", self.today)
        self._built = False
        self._stale = False

        self.range = QComboBox()
        self.range.setAccessibleName("Period")
        for key in (*PRESETS, "custom"):
            self.range.addItem(PRESET_LABELS[key], key)
        self.date_from = QDateEdit()
        self.date_to = QDateEdit()
        for edit, name in ((self.date_from, "From date"), (self.date_to, "To date")):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("d MMM yyyy")
            edit.setAccessibleName(name)
        self._show_dates(self.period)
        self.compare = QCheckBox("&Compared with the previous period")
        self.pdf_button = QPushButton("Export &PDF…")
        self.csv_button = QPushButton("Export C&SV…")
        self.pdf_button.clicked.connect(lambda: self.export_pdf())
        self.csv_button.clicked.connect(lambda: self.export_csv())
        bar = QHBoxLayout()
        bar.addWidget(QLabel("&Period"))
        bar.itemAt(0).widget().setBuddy(self.range)
        bar.addWidget(self.range)
        bar.addWidget(self.date_from)
        bar.addWidget(QLabel("–"))
        bar.addWidget(self.date_to)
        bar.addSpacing(style.SPACE_M)
        bar.addWidget(self.compare)
        bar.addStretch(1)

        self.list = QListWidget()
        self.list.setAccessibleName("Reports")
        self.list.setMinimumWidth(170)
        self.title = QLabel()
        title_font = QFont(self.title.font())
        title_font.setPointSizeF(title_font.pointSizeF() + style.TITLE_STEP)
        title_font.setBold(True)
        self.title.setFont(title_font)
        self.headline = QLabel()
        self.headline.setWordWrap(True)
        self.title.setWordWrap(True)
        self.message = ErrorLabel()
        self.chart_area = QVBoxLayout()
        self.chart_area.setContentsMargins(0, 0, 0, 0)
        self.chart_holder = QWidget()
        self.chart_holder.setLayout(self.chart_area)
        self.chart = QWidget()
        self.chart_area.addWidget(self.chart)
        self.table_button = QPushButton("Show the &table")
        self.table_button.setCheckable(True)
        self.table_button.toggled.connect(self._toggle_table)
        self.notes = QLabel()
        self.notes.setWordWrap(True)
        self.notes.setStyleSheet(style.QUIET_LINE)
        self.table = QTableWidget()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.hide()
        right = QWidget()
        page_layout = QVBoxLayout(right)
        page_layout.setContentsMargins(style.SPACE_M, 0, 0, 0)
        heading = QHBoxLayout()
        heading.addWidget(self.title, 1)
        self.extra_buttons: list[QPushButton] = []  # the page's own (``extra_buttons``)
        self.heading = heading
        heading.addWidget(self.pdf_button)
        heading.addWidget(self.csv_button)
        page_layout.addLayout(heading)
        page_layout.addWidget(self.headline)
        page_layout.addWidget(self.message)
        page_layout.addWidget(self.chart_holder, 3)
        under = QHBoxLayout()
        under.addWidget(self.notes, 1)
        under.addWidget(self.table_button, 0, Qt.AlignmentFlag.AlignTop)
        page_layout.addLayout(under)
        page_layout.addWidget(self.table, 2)
        split = QSplitter()
        split.addWidget(self.list)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([220, 900])
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(split, 1)

        self.range.currentIndexChanged.connect(lambda _i: self._range_chosen())
        # a date typed digit by digit is read once it rests, not at every keystroke
        self.date_timer = QTimer(self)
        self.date_timer.setSingleShot(True)
        self.date_timer.setInterval(DATE_PAUSE_MS)
        self.date_timer.timeout.connect(self._dates_changed)
        self.date_from.dateChanged.connect(lambda _d: self.date_timer.start())
        self.date_to.dateChanged.connect(lambda _d: self.date_timer.start())
        self.compare.toggled.connect(lambda _on: self.draw())
        self.list.currentRowChanged.connect(lambda _r: self._page_chosen())
        self._enable_dates()
        self.redraw = QTimer(self)
        self.redraw.setSingleShot(True)
        self.redraw.setInterval(REDRAW_AFTER_MS)
        self.redraw.timeout.connect(self.refresh)
        on_change(self, WATCHED, self._changed)

    # -- loading once shown -----------------------------------------------------------------
    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._built:
            self._build()
        elif self._stale:
            self.draw()

    def _build(self) -> None:
        from .page import pages

        self._built = True
        self.pages = pages()
        group = None
        self.list.blockSignals(True)
        for page in self.pages:
            if page.group != group:
                group = page.group
                heading = QListWidgetItem(group)
                heading.setFlags(Qt.ItemFlag.NoItemFlags)
                font = QFont(self.list.font())
                font.setBold(True)
                heading.setFont(font)
                self.list.addItem(heading)
            item = QListWidgetItem("   " + page.title)
            item.setData(Qt.ItemDataRole.UserRole, page.key)
            self.list.addItem(item)
        self.list.blockSignals(False)
        first = next((i for i in range(self.list.count())
                      if self.list.item(i).data(Qt.ItemDataRole.UserRole)), None)
        if first is not None:
            self.list.setCurrentRow(first)  # draws it

    def _changed(self, _changes) -> None:
        self.redraw.start()  # (re)started: once the changes pause

    def refresh(self) -> None:
        """Redraw the page shown (F5, or the clinic's data changed); later if it is hidden."""
        if not self._built:
            return
        if self.isVisible():
            self.draw()
        else:
            self._stale = True

    # -- choosing ---------------------------------------------------------------------------
    def show_page(self, key: str) -> None:
        for i in range(self.list.count()):
            if self.list.item(i).data(Qt.ItemDataRole.UserRole) == key:
                self.list.setCurrentRow(i)
                return
        raise KeyError(key)

    def choose_range(self, preset: str, first: dt.date | None = None,
                     last: dt.date | None = None) -> None:
        """Choose a preset, or ``custom`` with its dates (as a person would)."""
        if preset == "custom" and first is not None and last is not None:
            self.range.blockSignals(True)
            self.range.setCurrentIndex(self.range.findData("custom"))
            self.range.blockSignals(False)
            self._enable_dates()
            self._show_dates(Period(first, last))
            self._dates_changed()
        else:
            self.range.setCurrentIndex(self.range.findData(preset))

    def _range_chosen(self) -> None:
        key = self.range.currentData()
        self._enable_dates()
        if key != "custom":
            self.period = periods.preset(key, self.today)
            self._show_dates(self.period)
            self.draw()

    def _enable_dates(self) -> None:
        custom = self.range.currentData() == "custom"
        self.date_from.setEnabled(custom)
        self.date_to.setEnabled(custom)

    def _show_dates(self, period: Period) -> None:
        for edit, day in ((self.date_from, period.first), (self.date_to, period.last)):
            edit.blockSignals(True)
            edit.setDate(QDate(day.year, day.month, day.day))
            edit.blockSignals(False)

    def _dates_changed(self) -> None:
        if self.range.currentData() != "custom":
            return
        first, last = self.date_from.date().toPython(), self.date_to.date().toPython()
        done = op(self, lambda: periods.checked(first, last), error_label=self.message)
        if done:
            self.message.hide()
            self.period = done.value
            self.draw()

    def _page_chosen(self) -> None:
        item = self.list.currentItem()
        key = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        self.page = next((p for p in self.pages if p.key == key), None)
        for button in self.extra_buttons:
            button.setParent(None)
            button.deleteLater()
        self.extra_buttons = self.page.extra_buttons(self) if self.page is not None else []
        for n, button in enumerate(self.extra_buttons):
            self.heading.insertWidget(1 + n, button)
        self.draw()

    # -- drawing ----------------------------------------------------------------------------
    def draw(self) -> None:
        if not self._built or self.page is None:
            return
        self._stale = False
        page, period, compare = self.page, self.period, self.compare.isChecked()
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)  # a year's figures: a moment
        try:
            done = op(self, lambda: page.shown(page.build(self.user, period, compare)),
                      error_label=self.message)
        finally:
            QApplication.restoreOverrideCursor()
        if not done:
            return
        self.message.hide()
        self.shown = done.value
        self.title.setText(page.title)
        self.headline.setText(self.shown.headline)
        self.notes.setText(" ".join(self.shown.notes))
        self._draw_chart()
        self._fill_table()

    def _draw_chart(self) -> None:
        if self.shown.heat is not None:
            from .heat_map import HeatMapView

            widget = HeatMapView(self.shown.heat)
        else:
            from .chart_view import chart_widget  # QtCharts loads with the first chart

            widget = chart_widget(self.shown.chart)
        self.chart_area.replaceWidget(self.chart, widget)
        self.chart.hide()  # gone at once, deleted when the event loop is next reached
        self.chart.setParent(None)
        self.chart.deleteLater()
        self.chart = widget

    def _fill_table(self) -> None:
        table = self.shown.table
        rows = list(table.rows) + ([table.total] if table.total else [])
        self.table.clear()
        self.table.setColumnCount(len(table.headers))
        self.table.setHorizontalHeaderLabels(list(table.headers))
        self.table.setRowCount(len(rows))
        bold = QFont(self.table.font())
        bold.setBold(True)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                item = QTableWidgetItem("" if value is None else str(value))
                if c in table.right:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                if table.total and r == len(rows) - 1:
                    item.setFont(bold)
                self.table.setItem(r, c, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)

    def _toggle_table(self, on: bool) -> None:
        self.table.setVisible(on)
        self.table_button.setText("Hide the &table" if on else "Show the &table")

    # -- exporting --------------------------------------------------------------------------
    def export_pdf(self, path: str | None = None) -> Path | None:
        if self.page is None or self.shown is None:
            return None
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self, "Export PDF", self.page.file_name(self.period, "pdf"), "PDF files (*.pdf)")
            if not path:
                return None
        page, period, shown = self.page, self.period, self.shown
        done = op(self, lambda: page.pdf(self.user, period, shown), title="Not exported")
        if not done:
            return None
        target = Path(path)
        target.write_bytes(done.value)
        self.status_message.emit(f"Saved {target.name}.")
        return target

    def export_csv(self, path: str | None = None) -> Path | None:
        if self.page is None or self.shown is None:
            return None
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self, "Export CSV", self.page.file_name(self.period, "csv"), "CSV files (*.csv)")
            if not path:
                return None
        target = Path(path)
        target.write_text(self.page.csv(self.shown), encoding="utf-8-sig")
        self.status_message.emit(f"Saved {target.name}.")
        return target
