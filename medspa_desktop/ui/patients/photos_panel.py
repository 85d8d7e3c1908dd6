"""Photos in the chart: thumbnails newest first; import with the file dialog or by dropping
files here; pick two and compare them side by side or with a slider."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QDate, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QImage, QPainter, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...services.charts import photos
from ...services.consents import consent_policy
from ...services.consents.consent_templates import PHOTOGRAPHY
from ...services.platform import chosen_files, limits
from ...services.platform.errors import DomainError
from ...services.platform.vocabulary import CAME_IN_STATUSES
from ...services.scheduling import appointments
from ...store.models import User
from .. import style
from ..bus import bus, on_change
from ..widgets.images import load_image, thumbnail
from ..widgets.messages import ErrorLabel
from ..widgets.modal import run_modal
from .compare import CompareDialog

THUMB = 150
IMAGE_FILES = "Photos (*.jpg *.jpeg *.png *.JPG *.JPEG *.PNG)"


class PhotoDetailsDialog(QDialog):
    """What the imported files show: before/after, area, date, and the consent note."""

    def __init__(self, count: int, visits=(), consent_on_file: str = "", parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Import {count} photo{'s' if count != 1 else ''}")
        self.visit = QComboBox()
        self.visit.addItem("(not linked to a visit)", None)
        for row in visits:
            self.visit.addItem(f"{row.start:%Y-%m-%d %H:%M} {row.service}", row.id)
        self.setMinimumWidth(460)
        self.tag = QComboBox()
        for tag in photos.TAGS:
            self.tag.addItem(tag.title(), tag)
        self.area = QLineEdit()
        self.area.setMaxLength(limits.PHOTO_AREA)
        self.area.setPlaceholderText("Glabella, left cheek, upper lip…")
        self.taken_on = QDateEdit(QDate.currentDate())
        self.taken_on.setCalendarPopup(True)
        self.taken_on.setDisplayFormat("ddd d MMM yyyy")
        self.taken_on.setMaximumDate(QDate.currentDate())
        self.consent = QLineEdit()
        self.consent.setPlaceholderText("No photography consent on file: why may it be kept?")
        form = QFormLayout()
        form.addRow("&Before / after", self.tag)
        form.addRow("&Area", self.area)
        form.addRow("&Taken on", self.taken_on)
        form.addRow("&Visit", self.visit)
        if consent_on_file:  # nothing to explain
            self.consent.hide()
            form.addRow("Consent", QLabel(consent_on_file))
        else:
            form.addRow("&Consent", self.consent)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)


class PhotosPanel(QWidget):

    def __init__(self, user: User, patient_id: int, parent=None) -> None:
        super().__init__(parent)
        self.user, self.patient_id = user, patient_id
        self.setAcceptDrops(True)
        self.grid = QListWidget()
        self.grid.setViewMode(QListView.ViewMode.IconMode)
        self.grid.setIconSize(QSize(THUMB, THUMB))
        self.grid.setGridSize(QSize(THUMB + 30, THUMB + 46))
        self.grid.setResizeMode(QListView.ResizeMode.Adjust)
        self.grid.setMovement(QListView.Movement.Static)
        self.grid.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        self.grid.setAccessibleName("Photos")
        self.grid.itemSelectionChanged.connect(self._selection_changed)
        self.grid.itemActivated.connect(lambda item: self.compare([item]))
        self.import_button = QPushButton("Import…")
        self.compare_button = QPushButton("Compare")
        self.compare_button.setEnabled(False)
        self.import_button.clicked.connect(self.choose_files)
        self.compare_button.clicked.connect(lambda: self.compare(self.grid.selectedItems()))
        self.hint = QLabel("Drop photo files here, or use Import. Select two to compare.")
        self.message = ErrorLabel()
        bar = QHBoxLayout()
        bar.addWidget(self.hint, 1)
        bar.addWidget(self.import_button)
        bar.addWidget(self.compare_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.grid, 1)
        layout.addWidget(self.message)
        self.images: dict[int, QImage] = {}
        on_change(self, ("photo",))
        self.refresh()

    def refresh(self) -> None:
        self.grid.clear()
        self.images.clear()
        for row in photos.patient_photos(self.user, self.patient_id):
            item = QListWidgetItem(f"{row.tag} · {row.area}\n{row.taken_on:%Y-%m-%d}")
            item.setData(Qt.ItemDataRole.UserRole, row.id)
            try:
                image = load_image(photos.photo_bytes(self.user, row.id))
                self.images[row.id] = image
                item.setIcon(QIcon(QPixmap.fromImage(thumbnail(image, THUMB))))
                item.setToolTip(f"Imported by {row.imported_by}. Consent: {row.consent_note}")
            except (DomainError, ValueError) as exc:
                item.setIcon(QIcon(QPixmap.fromImage(_damaged())))
                item.setToolTip(str(exc))
            self.grid.addItem(item)

    def _selection_changed(self) -> None:
        self.compare_button.setEnabled(len(self.grid.selectedItems()) == 2)

    # -- importing --------------------------------------------------------------------------
    def choose_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, "Import photos", str(Path.home()),
                                                IMAGE_FILES)
        if files:
            self.import_files([Path(f) for f in files])

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        files = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if files:
            event.acceptProposedAction()
            self.import_files(files)

    def import_files(self, files: list[Path]) -> int:
        """Ask what the photos show, then import each; returns how many were imported."""
        visits = [r for r in appointments.patient_schedule(self.user, self.patient_id)
                  if r.status_key in CAME_IN_STATUSES]
        on_file = consent_policy.valid_consent(self.user, self.patient_id, PHOTOGRAPHY,
                                         dt.datetime.now())
        details = PhotoDetailsDialog(
            len(files), visits,
            f"Photography consent signed {on_file.signed_at:%d %b %Y}" if on_file else "",
            self)
        if not run_modal(details):  # deleted later: its fields are still there to read
            return 0
        imported, refused = 0, []
        with bus().held():  # the panel and the chart follow once, after the last one
            imported, refused = self._import_all(files, details)
        if refused:
            self.message.say(" ".join(refused))
        else:
            self.message.hide()
        return imported

    def _import_all(self, files, details) -> tuple[int, list[str]]:
        imported, refused = 0, []
        for path in files:
            try:
                photos.import_photo(
                    self.user, self.patient_id, chosen_files.read_chosen(path),
                    tag=details.tag.currentData(), area=details.area.text(),
                    taken_on=details.taken_on.date().toPython(),
                    appointment_id=details.visit.currentData(),
                    consent_note=details.consent.text())
                imported += 1
            except (DomainError, OSError) as exc:
                refused.append(f"{path.name}: {exc}")
        return imported, refused

    # -- comparing --------------------------------------------------------------------------
    def compare(self, items) -> None:
        ids = [item.data(Qt.ItemDataRole.UserRole) for item in items]
        if not ids or any(i not in self.images for i in ids):
            self.message.say("A damaged photo cannot be compared.")
            return
        rows = {r.id: r for r in photos.patient_photos(self.user, self.patient_id)}
        ordered = sorted(ids, key=lambda i: (rows[i].taken_on, i))  # earlier on the left
        titles = [f"{rows[i].tag.title()} · {rows[i].area} · {rows[i].taken_on:%d %b %Y}"
                  for i in ordered]
        run_modal(CompareDialog([self.images[i] for i in ordered], titles, self))


def _damaged() -> QImage:
    image = QImage(THUMB, THUMB, QImage.Format.Format_RGB32)
    image.fill(QColor(style.DAMAGED_PHOTO))
    painter = QPainter(image)
    painter.setPen(QColor(style.ERROR_TEXT))
    painter.drawText(image.rect(), Qt.AlignmentFlag.AlignCenter, "damaged —\nsee tooltip")
    painter.end()
    return image


