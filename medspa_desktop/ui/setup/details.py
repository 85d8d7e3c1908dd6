"""Clinic setup → Clinic details: the letterhead (name, address, phone, tax id, email,
website, logo), the paper, the time zone and the currency symbol. Saved all together or not
at all; the logo is saved as soon as it is chosen."""

from __future__ import annotations

import zoneinfo
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...services.charts.patients import format_phone
from ...services.clinic import clinic
from ...services.platform import chosen_files, limits, settings
from ...services.platform.errors import StaleEditError, ValidationError
from ...store.models import User
from .. import style
from ..bus import on_change
from ..ops import op
from ..widgets.messages import ErrorLabel
from ..widgets.stale_notice import StaleNotice, form_fields

LOGO_PREVIEW = (180, 60)


def _read(path: str) -> bytes:
    try:
        return chosen_files.read_chosen(path)
    except OSError as exc:
        raise ValidationError(f"{Path(path).name} cannot be read ({exc.strerror}).") from exc


class DetailsPage(QWidget):
    def __init__(self, user: User, parent=None) -> None:
        super().__init__(parent)
        self.user = user
        self.form = form = QFormLayout()
        self.name = self._line(form, "Clinic &name", limits.CLINIC_NAME, "Glow Med Spa")
        self.address = QPlainTextEdit()
        self.address.setAccessibleName("Address")
        self.address.setTabChangesFocus(True)
        self.address.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 14)
        form.addRow("&Address", self.address)
        self.phone = self._line(form, "&Phone", 30, "(239) 555-0100")
        self.tax_id = self._line(form, "&Tax id", 30, "12-3456789")
        self.email = self._line(form, "&Email", limits.EMAIL, "hello@example.com")
        self.website = self._line(form, "&Website", limits.WEBSITE, "www.example.com")
        self.time_zone = QComboBox()
        self.time_zone.setEditable(True)
        self.time_zone.setAccessibleName("Time zone")
        self.time_zone.addItems(sorted(zoneinfo.available_timezones()))
        self.time_zone.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.time_zone.completer().setFilterMode(Qt.MatchFlag.MatchContains)
        self.time_zone.completer().setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        form.addRow("Time &zone", self.time_zone)
        self.currency = self._line(form, "&Currency symbol", 4, "$")
        self.currency.setMaximumWidth(80)
        self.paper = QComboBox()
        self.paper.setAccessibleName("Paper")
        self.paper.addItem("Letter", "letter")
        self.paper.addItem("A4", "a4")
        form.addRow("Pape&r", self.paper)

        self.logo = QLabel()
        self.logo.setFixedSize(*LOGO_PREVIEW)
        self.logo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.logo.setStyleSheet(style.LOGO_FRAME)
        self.logo.setAccessibleName("Logo")
        self.choose_logo_button = QPushButton("Choose &logo…")
        self.remove_logo_button = QPushButton("Remo&ve logo")
        self.choose_logo_button.clicked.connect(lambda: self.choose_logo())
        self.remove_logo_button.clicked.connect(self.remove_logo)
        logo_row = QHBoxLayout()
        logo_row.addWidget(self.logo)
        buttons = QVBoxLayout()
        buttons.addWidget(self.choose_logo_button)
        buttons.addWidget(self.remove_logo_button)
        buttons.addStretch(1)
        logo_row.addLayout(buttons)
        logo_row.addStretch(1)
        form.addRow("Logo", logo_row)

        self.message = ErrorLabel()
        self.message.keep_room()
        self.saved = QLabel()
        self.saved.setStyleSheet(style.QUIET_LINE)
        self.save_button = QPushButton("&Save details")
        self.save_button.clicked.connect(self.save)
        bar = QHBoxLayout()
        bar.addWidget(self.saved, 1)
        bar.addWidget(self.save_button)
        self.stale = StaleNotice()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stale)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addWidget(self.message)
        layout.addLayout(bar)
        self.load()
        on_change(self, ("settings",), self._changed)

    def _line(self, form: QFormLayout, label: str, max_length: int,
              placeholder: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setMaxLength(max_length)
        edit.setPlaceholderText(placeholder)
        edit.setAccessibleName(label.replace("&", ""))
        form.addRow(label, edit)
        return edit

    def load(self) -> None:
        """The details as stored now, and their versions: a save changes only what was
        changed here (another PC may change other details meanwhile), and is refused, naming
        who, when another PC changed the same detail first."""
        self.seen = settings.seen(*clinic.DETAILS_SETTINGS)
        info = clinic.clinic_info()
        self.name.setText(info.name)
        self.address.setPlainText(info.address)
        self.phone.setText(format_phone(info.phone))
        self.tax_id.setText(info.tax_id)
        self.email.setText(info.email)
        self.website.setText(info.website)
        self.time_zone.setCurrentText(info.time_zone or clinic.pc_time_zone())
        self.currency.setText(info.currency)
        self.paper.setCurrentIndex(self.paper.findData(clinic.paper_size()))
        self._show_logo()

    def _changed(self, _changes) -> None:
        self._show_logo()  # typed, unsaved details stay as they are

    def _show_logo(self) -> None:
        data = clinic.logo()
        pixmap = QPixmap()
        if data and pixmap.loadFromData(data):
            self.logo.setPixmap(pixmap.scaled(
                LOGO_PREVIEW[0] - 8, LOGO_PREVIEW[1] - 8, Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation))
        else:
            self.logo.setPixmap(QPixmap())
            self.logo.setText("No logo")
        self.remove_logo_button.setEnabled(data is not None)

    def info(self) -> clinic.ClinicInfo:
        return clinic.ClinicInfo(
            self.name.text(), self.address.toPlainText(), self.phone.text(),
            self.tax_id.text(), self.email.text(), self.website.text(),
            self.time_zone.currentText(), self.currency.text())

    def save(self) -> None:
        self.saved.clear()
        done = op(self, lambda: clinic.save_details(self.user, self.info(),
                                                    self.paper.currentData(), seen=self.seen),
                  error_label=self.message)
        if done:
            self.message.hide()
            self.stale.clear()
            self.load()  # what is stored now: this save, and another PC's to other details
            self.saved.setText("Saved. Letterheads and amounts use these details from now on.")
        elif isinstance(done.refusal, StaleEditError):
            self.message.hide()
            self.stale.refused(done.refusal, form_fields(self.form), self.load)

    def choose_logo(self, path: str | None = None) -> None:
        """A PNG or JPEG from disk (asked for when no ``path``), saved at once."""
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self, "Choose the clinic's logo", "",
                                                  "Pictures (*.png *.jpg *.jpeg)")
        if not path:
            return
        done = op(self, lambda: clinic.set_logo(self.user, _read(path)),
                  error_label=self.message)
        if done:
            self.message.hide()
            self._show_logo()

    def remove_logo(self) -> None:
        if op(self, lambda: clinic.remove_logo(self.user), error_label=self.message):
            self.message.hide()
            self._show_logo()
