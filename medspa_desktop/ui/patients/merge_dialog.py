"""Merge two charts of one person: the two side by side (details, and how many visits,
records, consents, invoices each holds), which one to keep, and a last confirmation. The
service does the merge (``services/charts/merge.py``)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QLabel,
    QMessageBox,
    QRadioButton,
)

from ...services.charts import merge
from ...services.platform.errors import ValidationError
from ...store.models import User
from .. import style
from ..widgets.form_dialog import FormDialog
from ..widgets.patient_picker import PatientPicker

SEX_LABELS = {"female": "Female", "male": "Male", "intersex": "Intersex", "other": "Other",
              "undisclosed": "Prefers not to say", "": "—"}
DETAILS = (("Chart", lambda s: s.chart_number), ("Name", lambda s: s.name),
           ("Date of birth", lambda s: f"{s.dob:%Y-%m-%d}"),
           ("Sex", lambda s: SEX_LABELS.get(s.sex, s.sex)),
           ("Phone", lambda s: s.phone or "—"), ("Email", lambda s: s.email or "—"),
           ("Address", lambda s: s.address.replace("\n", ", ") or "—"),
           ("Emergency contact", lambda s: s.emergency_contact or "—"),
           ("Registered", lambda s: f"{s.created_at:%Y-%m-%d}"))


class MergeDialog(FormDialog):
    """Two charts side by side. Given one chart only (from a chart's "Merge with…"), the user
    first finds the other."""

    def __init__(self, user: User, first_id: int, second_id: int | None = None,
                 parent=None) -> None:
        super().__init__("Merge duplicate charts", parent, min_width=640)
        self.user = user
        self.merged_into = None
        self.save_button.setText("&Merge…")
        intro = QLabel("Two charts of one person become one. Everything on the other chart — "
                       "appointments, notes, photos, consents, treatments, invoices, packages, "
                       "answers — is shown on the chart you keep; the other is archived, "
                       "marked “merged into” the kept one. Nothing is deleted. The kept "
                       "chart's details stay as they are (details that differ are in bold): "
                       "correct them afterwards with Edit details.")
        intro.setWordWrap(True)
        self.body.insertWidget(0, intro)
        self.picker = PatientPicker(user)
        self.picker.new_button.hide()  # a duplicate is found, never registered here
        self.picker.chosen.connect(lambda pid: self.show_charts(self.first_id, pid or None))
        if second_id is None:
            self.form.addRow("Merge with", self.picker)
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(18)
        self.body.addLayout(self.grid)
        self.keep = QButtonGroup(self)
        self.first_id = first_id
        self.sides: list = []
        self.show_charts(first_id, second_id)

    def show_charts(self, first_id: int, second_id: int | None) -> None:
        """Lay the two charts out side by side (the first alone until the other is chosen)."""
        self.message.hide()  # what it said was about the charts shown before
        while self.grid.count():
            widget = self.grid.takeAt(0).widget()
            if widget is not None:
                widget.hide()  # at once: deleteLater waits for the event loop
                widget.deleteLater()
        for button in self.keep.buttons():
            self.keep.removeButton(button)
        ids = [first_id] + ([second_id] if second_id and second_id != first_id else [])
        self.sides = [merge.summary(self.user, pid) for pid in ids]
        for column, side in enumerate(self.sides, start=1):
            radio = QRadioButton(f"Keep chart {side.chart_number}")
            radio.setAccessibleName(f"Keep chart {side.chart_number}")
            self.keep.addButton(radio, side.id)
            self.grid.addWidget(radio, 0, column)
        rows = [(label, [value(s) for s in self.sides]) for label, value in DETAILS]
        rows += [(label, [str(dict(s.counts)[label]) for s in self.sides])
                 for label in merge.KIND_LABELS.values()]
        for row, (label, values) in enumerate(rows, start=1):
            name = QLabel(label[0].upper() + label[1:])
            name.setStyleSheet(style.QUIET_LINE)
            self.grid.addWidget(name, row, 0, Qt.AlignmentFlag.AlignTop)
            differ = len(set(values)) > 1 and row <= len(DETAILS)
            for column, value in enumerate(values, start=1):
                cell = QLabel(value)
                cell.setWordWrap(True)
                cell.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                if differ and row > 1:  # the chart numbers always differ
                    cell.setStyleSheet(style.STALE_ANSWER)
                self.grid.addWidget(cell, row, column, Qt.AlignmentFlag.AlignTop)
        if self.sides:
            # the chart with more history is the likelier keeper; the user decides
            busiest = max(self.sides, key=lambda s: (sum(n for _l, n in s.counts), -s.id))
            self.keep.button(busiest.id).setChecked(True)
        self.grid.setColumnStretch(1, 1)
        self.grid.setColumnStretch(2, 1)

    def stale_fields(self) -> dict:
        return {}  # nothing typed: the choice of chart to keep stays as it was

    def reload_stored(self) -> None:
        """A chart changed while they were compared: compare them as they are now."""
        kept = self.keep.checkedId()
        self.show_charts(*[side.id for side in self.sides])
        if self.keep.button(kept) is not None:
            self.keep.button(kept).setChecked(True)

    def submit(self) -> bool:
        if len(self.sides) < 2:
            raise ValidationError("Find the other chart of this patient to merge with.")
        keep = next(s for s in self.sides if s.id == self.keep.checkedId())
        other = next(s for s in self.sides if s.id != keep.id)
        answer = QMessageBox.question(
            self, "Merge charts",
            f"Merge chart {other.chart_number} ({other.name}) into chart "
            f"{keep.chart_number} ({keep.name})?\n\nChart {other.chart_number} will be "
            f"archived, marked “merged into chart {keep.chart_number}”. A merge is not "
            "undone from the program.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return False
        self.merged_into = merge.merge_patients(self.user, keep.id, other.id,
                                                keep_version=keep.version,
                                                other_version=other.version)
        return True

