"""Patient → Import patients… and Import visit history…: moving in another system's patient
list and then its visits, in the order a person
works through it — choose the file; check the columns the program matched (and how the
dates are written, when 03/04/1990 could be either) against the first rows as they will be
stored; check every row (the dry run: refused rows with why, probable duplicates with the
chart they look like, a report to save and correct); then import all accepted rows at once,
with progress and a Cancel that leaves nothing behind. The work is
``services/charts/patient_import.py`` and ``history_import.py``; this screen only asks."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressDialog,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from ...services.charts import history_import
from ...services.charts import patient_import as pi
from ...services.charts.patients import format_phone
from ...services.platform.errors import DomainError, ValidationError
from ...store.models import User
from ..ops import op
from ..widgets.messages import ErrorLabel

NOT_IN_FILE = "— not in the file —"
PREVIEW_ROWS = 5
PREVIEW_HEADERS = ("Line", "Name", "Date of birth", "Sex", "Phone", "Email", "Id there",
                   "Refused because")
PROBLEM_HEADERS = ("Line", "Outcome", "Why")
SHOWN_PROBLEMS = 500


def _read_only_table(headers) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _fill(table: QTableWidget, rows: list[list[str]]) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(value))
    table.resizeColumnsToContents()


class ImportPatientsDialog(QDialog):
    """The patient list. ``ImportHistoryDialog`` is the same screen for the visits: what
    differs is in the class attributes and the hooks below them."""

    title = "Import patients"
    fields = pi.FIELDS
    synonyms = pi.SYNONYMS
    word = "patient"
    preview_headers = PREVIEW_HEADERS
    offers_duplicates = True  # "Import probable duplicates too"
    duplicate = "Probable duplicate"
    about = ("Export the patient list from the old system as CSV (or FHIR), then choose it "
             "here. Nothing is written until you press Import.")

    def _plan(self, source, mapping, order):
        return pi.plan_import(self.user, source, mapping, order,
                              include_duplicates=self.duplicates.isChecked())

    def _run(self, plan, progress, cancelled):
        return pi.run_import(self.user, plan, progress=progress, cancelled=cancelled)

    def _done(self, result) -> str:
        charts = (f"chart {result.first_chart}" if result.imported == 1
                  else f"charts {result.first_chart} to {result.last_chart}")
        return (f"Imported {result.imported:,} patient{'s' if result.imported != 1 else ''} "
                f"({charts}).")

    def __init__(self, user: User, parent=None) -> None:
        super().__init__(parent)
        self.user = user
        self.source: pi.Source | None = None
        self.plan: pi.ImportPlan | None = None
        self.result: pi.ImportResult | None = None
        self.setWindowTitle(self.title)
        self.resize(1040, 760)

        # 1. the file
        self.path = QLineEdit()
        self.path.setReadOnly(True)
        self.path.setPlaceholderText("A CSV file, or FHIR (a Bundle or NDJSON)")
        self.path.setAccessibleName("File to import")
        self.choose_button = QPushButton("&Choose file…")
        self.choose_button.clicked.connect(lambda: self.choose_file())
        self.about_file = QLabel(self.about)
        self.about_file.setWordWrap(True)
        file_box = QGroupBox("1. The file")
        file_layout = QGridLayout(file_box)
        file_layout.addWidget(self.path, 0, 0)
        file_layout.addWidget(self.choose_button, 0, 1)
        file_layout.addWidget(self.about_file, 1, 0, 1, 2)

        # 2. the columns and the first rows as they will be stored
        self.combos: dict[str, QComboBox] = {}
        columns = QGridLayout()
        for index, (key, label) in enumerate(self.fields.items()):
            combo = QComboBox()
            combo.setAccessibleName(label)
            combo.setMinimumContentsLength(len(NOT_IN_FILE))
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.currentIndexChanged.connect(lambda _i: self._changed())
            self.combos[key] = combo
            row, col = divmod(index, 3)
            columns.addWidget(QLabel(label), row, col * 2)
            columns.addWidget(combo, row, col * 2 + 1)
        self.date_order = QComboBox()
        self.date_order.setAccessibleName("How the dates are written")
        for key, label in pi.DATE_ORDERS.items():
            self.date_order.addItem(label, key)
        self.date_order.currentIndexChanged.connect(lambda _i: self._changed())
        self.date_note = QLabel()
        self.date_note.setWordWrap(True)
        dates = QFormLayout()
        dates.addRow("Dates are written", self.date_order)
        dates.addRow("", self.date_note)
        self.preview = _read_only_table(self.preview_headers)
        self.preview.setAccessibleName("The first rows as they will be stored")
        self.preview.setMinimumHeight(150)
        mapping_box = QGroupBox("2. The columns (the first rows as they will be stored)")
        mapping_layout = QVBoxLayout(mapping_box)
        mapping_layout.addLayout(columns)
        mapping_layout.addLayout(dates)
        mapping_layout.addWidget(self.preview, 1)

        # 3. the dry run and the import
        self.check_button = QPushButton("Chec&k every row")
        self.check_button.clicked.connect(lambda: self.check())
        self.duplicates = QCheckBox("Import probable duplicates too (merge them later)")
        self.duplicates.toggled.connect(lambda _on: self._show_plan())
        self.duplicates.setVisible(self.offers_duplicates)
        self.report_button = QPushButton("Save &report…")
        self.report_button.setToolTip("The rows not imported, with why, as CSV: correct them "
                                      "in a spreadsheet and import that file.")
        self.report_button.clicked.connect(lambda: self.save_report())
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.problems = _read_only_table(PROBLEM_HEADERS)
        self.problems.setAccessibleName("Rows refused and probable duplicates")
        run_box = QGroupBox("3. Check, then import")
        run_layout = QVBoxLayout(run_box)
        actions = QHBoxLayout()
        actions.addWidget(self.check_button)
        actions.addWidget(self.duplicates)
        actions.addStretch(1)
        actions.addWidget(self.report_button)
        run_layout.addLayout(actions)
        run_layout.addWidget(self.summary)
        run_layout.addWidget(self.problems, 1)

        self.message = ErrorLabel()
        self.message.keep_room()
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self.reject)
        self.import_button = QPushButton("&Import")
        self.import_button.setMinimumWidth(  # its text grows with the count: nothing moves
            self.import_button.fontMetrics().horizontalAdvance(f"Import 200,000 {self.word}s")
            + 32)
        self.import_button.clicked.connect(lambda: self.run())
        bottom = QHBoxLayout()
        bottom.addWidget(self.close_button)  # Close apart from Import: never where it was
        bottom.addStretch(1)
        bottom.addWidget(self.import_button)

        layout = QVBoxLayout(self)
        layout.addWidget(file_box)
        layout.addWidget(mapping_box, 2)
        layout.addWidget(run_box, 2)
        layout.addWidget(self.message)
        layout.addLayout(bottom)
        self._loading = False
        self._warned = False
        self._enable()

    def reject(self) -> None:
        """Esc or Close with a file read and nothing imported yet says so first: the columns
        corrected and the rows checked would be lost."""
        if self.source is not None and self.result is None and not self._warned:
            self._warned = True
            self.message.say("Nothing is imported yet. Press Esc or Close again to close "
                             "without importing.")
            return
        super().reject()

    # -- the file ---------------------------------------------------------------------------
    def choose_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, "Patient list to import", str(Path.home()),
            "Patient lists (*.csv *.txt *.tsv *.json *.ndjson);;All files (*)")
        if name:
            self.load(Path(name))

    def load(self, path: Path) -> None:
        """Read ``path`` and show what the program matched; a file it cannot read is said
        here and the previous one is forgotten."""
        self.source, self.plan, self.result = None, None, None
        self.path.setText(str(path))
        try:
            data = path.read_bytes()
        except OSError as exc:
            self._refused(f"{path.name} could not be read: {exc.strerror or exc}.")
            return
        try:
            self.source = pi.read_source(path.name, data)
        except ValidationError as refusal:
            self._refused(str(refusal))
            return
        source = self.source
        fhir = source.kind == "fhir"
        if fhir and not self.offers_duplicates:  # a visit history is a CSV
            self._refused(f"{path.name} is FHIR: import its patients with Import patients…; "
                          "a visit history is a CSV.")
            return
        mapping = (dict(pi.FHIR_MAPPING) if fhir
                   else pi.guess_mapping(source.headers, self.synonyms))
        self._loading = True
        for key, combo in self.combos.items():
            combo.clear()
            combo.addItem(NOT_IN_FILE, None)
            for index, header in enumerate(source.headers):
                combo.addItem(header or f"(column {index + 1})", index)
            combo.setCurrentIndex(combo.findData(mapping[key]) if key in mapping else 0)
            combo.setEnabled(not fhir)
        column = mapping.get("dob" if self.offers_duplicates else "date")
        orders = (["YMD"] if fhir or column is None
                  else pi.date_orders([row[column] for row in source.rows]))
        self.date_order.setCurrentIndex(self.date_order.findData(orders[0]))
        self.date_order.setEnabled(not fhir)
        self.date_note.setText(
            "Dates like these could be either: look at the dates of birth below and choose."
            if len(orders) > 1 else "")
        self._loading = False
        if fhir:
            left = (f" Left out (a medical spa does not keep them): "
                    f"{pi.counted(source.left_out)}." if source.left_out else "")
            self.about_file.setText(f"FHIR: {len(source.rows):,} patient"
                                    f"{'s' if len(source.rows) != 1 else ''}.{left}")
        else:
            delimiter = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "bars"}.get(
                source.delimiter, repr(source.delimiter))
            self.about_file.setText(
                f"{len(source.rows):,} rows and {len(source.headers)} columns, separated by "
                f"{delimiter} ({source.encoding}). Check the columns below: the program "
                "matched them by their headers.")
        self.message.hide()
        self._changed()

    def _refused(self, text: str) -> None:
        self.message.say(text)
        self.about_file.setText("Choose another file.")
        for combo in self.combos.values():
            combo.clear()
        self.preview.setRowCount(0)
        self._show_plan()

    # -- the mapping --------------------------------------------------------------------------
    def mapping(self) -> dict[str, int]:
        return {key: combo.currentData() for key, combo in self.combos.items()
                if combo.currentData() is not None}

    def _changed(self) -> None:
        """A column or the date order changed: the preview follows, the last check is void."""
        if self._loading or self.source is None:
            return
        self._warned = False
        self.plan = None
        head = pi.Source(self.source.name, self.source.sha256, self.source.kind,
                         self.source.headers, self.source.rows[:PREVIEW_ROWS])
        try:
            preview = self._plan(head, self.mapping(), self.date_order.currentData())
        except DomainError as refusal:
            self.preview.setRowCount(0)
            self.message.say(str(refusal))
        else:
            self.message.hide()
            _fill(self.preview, [self._preview_row(r) for r in preview.rows])
        self._show_plan()

    @staticmethod
    def _preview_row(row: pi.RowResult) -> list[str]:
        p = row.patient
        if p is None:
            return [str(row.line), "", "", "", "", "", row.external_id, row.reason]
        return [str(row.line), f"{p.last_name}, {p.first_name}", f"{p.dob:%d %b %Y}", p.sex,
                format_phone(p.phone), p.email, row.external_id, ""]

    # -- the dry run, the report, the import -----------------------------------------------------
    def check(self) -> None:
        if self.source is None:
            return
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            done = op(self, lambda: self._plan(self.source, self.mapping(),
                                               self.date_order.currentData()),
                      error_label=self.message)
        finally:
            QGuiApplication.restoreOverrideCursor()
        if done:
            self.plan = done.value
            self.message.hide()
        self._show_plan()

    def _show_plan(self) -> None:
        plan = self.plan
        if plan is not None:
            plan.include_duplicates = self.offers_duplicates and self.duplicates.isChecked()
            self.summary.setText(plan.summary() + ".")
            listed = [[str(r.line), "Refused" if r.is_refused else self.duplicate,
                       r.reason or f"looks like {r.duplicate_of}"]
                      for r in plan.rows if r.is_refused or r.duplicate_of]
            _fill(self.problems, listed[:SHOWN_PROBLEMS])
            if len(listed) > SHOWN_PROBLEMS:
                self.summary.setText(self.summary.text() + f" The first {SHOWN_PROBLEMS} "
                                     "problems are listed; the report has all of them.")
        else:
            self.problems.setRowCount(0)
            self.summary.setText("" if self.source is None else
                                 "Press Check every row: nothing is written until Import.")
        self._enable()

    def _enable(self) -> None:
        plan = self.plan
        count = len(plan.to_write) if plan is not None else 0
        self.check_button.setEnabled(self.source is not None and self.result is None)
        self.report_button.setEnabled(plan is not None)
        self.import_button.setEnabled(count > 0 and self.result is None)
        self.import_button.setText(f"&Import {count:,} {self.word}{'s' if count != 1 else ''}"
                                   if count else "&Import")

    def save_report(self, path: Path | None = None) -> None:
        if self.plan is None:
            return
        if path is None:
            name, _ = QFileDialog.getSaveFileName(
                self, "Save the rows not imported", str(Path.home() / "not imported.csv"),
                "CSV (*.csv)")
            if not name:
                return
            path = Path(name)
        try:
            path.write_text(pi.report_csv(self.plan), encoding="utf-8")
        except OSError as exc:
            self.message.say(f"The report could not be saved: {exc.strerror or exc}.")
            return
        self.message.hide()
        self.summary.setText(f"{self.summary.text()} Report saved as {path.name}.")

    def run(self) -> None:
        plan = self.plan
        if plan is None or not plan.to_write or self.result is not None:
            return
        self.import_button.setEnabled(False)  # a second click imports nothing twice
        progress = QProgressDialog(f"Importing {self.word}s…", "Cancel", 0, len(plan.to_write),
                                   self)
        progress.setWindowTitle(self.title)
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(300)

        def step(done: int, _total: int) -> None:
            progress.setValue(done)
            QApplication.processEvents()

        try:
            done = op(self, lambda: self._run(plan, step, progress.wasCanceled),
                      error_label=self.message)
        finally:
            progress.close()
            progress.deleteLater()
        if not done:
            self._enable()
            return
        self.result = done.value
        self.summary.setText(self._done(self.result) + (
            " Save the report to correct the rows not imported."
            if len(plan.to_write) < len(plan.rows) else ""))
        self.close_button.setText("&Done")
        self._enable()


HISTORY_PREVIEW = ("Line", "Chart", "When", "Service", "Provider", "Status", "Details",
                   "Refused because")


class ImportHistoryDialog(ImportPatientsDialog):
    """Patient → Import visit history…: the old system's visits onto the charts here."""

    title = "Import visit history"
    fields = history_import.FIELDS
    synonyms = history_import.SYNONYMS
    word = "visit"
    preview_headers = HISTORY_PREVIEW
    offers_duplicates = False
    duplicate = "Already imported"
    about = ("Import the patient list first. Then export the visits (appointments and "
             "treatments) from the old system as CSV and choose it here: each row finds its "
             "chart by the old system's id, or by name and date of birth. They show on the "
             "chart's timeline under \"From the old system\". Nothing is written until you "
             "press Import.")

    def _plan(self, source, mapping, order):
        return history_import.plan_history(self.user, source, mapping, order)

    def _run(self, plan, progress, cancelled):
        return history_import.run_history(self.user, plan, progress=progress,
                                          cancelled=cancelled)

    @staticmethod
    def _preview_row(row) -> list[str]:
        v = row.visit
        if v is None:
            return [str(row.line), "", "", "", "", "", "", row.reason]
        return [str(row.line), row.chart, f"{v['at']:%d %b %Y %H:%M}", v["service"],
                v["provider"], v["status"], v["details"], ""]

    def _done(self, result) -> str:
        return (f"Imported {result.imported:,} visit{'s' if result.imported != 1 else ''} "
                f"onto {result.charts:,} chart{'s' if result.charts != 1 else ''}.")
