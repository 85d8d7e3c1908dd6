"""The patient chart: who (name, age, birthday, skin type), the alerts banner that is always
in view, and tabs for the timeline, the medical history and the notes. Opening it is
audited."""

from __future__ import annotations

import contextlib
import html
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ...printouts import intake_form_pdf
from ...services.charts import alerts, chart, patients, photos
from ...services.platform import limits
from ...services.platform.errors import DomainError
from ...services.platform.permissions import allowed
from ...store.models import User
from .. import style
from ..billing.account_panel import AccountPanel
from ..bus import on_change
from ..consents.panel import ConsentsPanel, open_consent
from ..models import Column, RowTableModel
from ..ops import op, with_reason
from ..presence import EditingNotice
from ..widgets.images import load_image
from ..widgets.lazy_page import LazyPage
from ..widgets.modal import run_modal
from ..widgets.pdf_preview import show_preview
from ..widgets.table import fit_columns, make_table
from .intake_panel import IntakePanel
from .merge_dialog import MergeDialog
from .new_patient import NewPatientDialog
from .notes_panel import NotesPanel
from .photos_panel import PhotosPanel

TIMELINE_COLUMNS = (
    Column("When", lambda i: i.when),
    Column("What", lambda i: i.title),
    Column("Details", lambda i: i.detail),
)
FILTERS = (("Everything", None), ("Appointments", {"appointment"}),
           ("Treatments", {"treatment"}), ("Consents", {"consent"}), ("Notes", {"note"}),
           ("Photos", {"photo"}), ("From the old system", {"history"}))

# what a chart shows: the patient, the answers, consents, notes, photos, treatments, visits
ON_CHART = ("patient", "intake", "consent", "note", "photo", "treatment", "appointment",
            "history")


class ChartDialog(QDialog):
    def __init__(self, user: User, patient_id: int, parent=None) -> None:
        super().__init__(parent)
        self.user, self.patient_id = user, patient_id
        self.resize(1000, 720)
        self.name = QLabel()
        self.name.setTextFormat(Qt.TextFormat.RichText)
        self.details = QLabel()
        self.portrait = QLabel()
        self.portrait.setFixedSize(64, 64)
        self.portrait.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.portrait.setStyleSheet(style.PORTRAIT)
        self.portrait.setAccessibleName("Portrait")
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setAccessibleName("Alerts")
        who = QVBoxLayout()
        who.addWidget(self.name)
        who.addWidget(self.details)
        self.print_button = QPushButton("Print intake form…")
        self.print_button.clicked.connect(self.print_intake)
        self.edit_button = QPushButton("&Edit details…")
        self.edit_button.setToolTip("Correct the patient's details (Ctrl+E)")
        self.edit_button.clicked.connect(lambda: self.edit_details())
        edit_action = QAction(self)
        edit_action.setShortcut(QKeySequence("Ctrl+E"))
        edit_action.triggered.connect(lambda: self.edit_details())
        self.addAction(edit_action)
        self.archive_button = QPushButton()
        self.archive_button.clicked.connect(lambda: self.archive_or_bring_back())
        self.archive_button.setEnabled(allowed(user, "patient.archive"))
        self.merge_button = QPushButton("Mer&ge with…")
        self.merge_button.setToolTip("Another chart of this same person: make the two one")
        self.merge_button.clicked.connect(lambda: self.merge_with())
        self.merge_button.setVisible(allowed(user, "patient.merge"))
        buttons = QHBoxLayout()
        for button in (self.edit_button, self.archive_button, self.merge_button,
                       self.print_button):
            buttons.addWidget(button)
        top = QHBoxLayout()
        top.addWidget(self.portrait)
        top.addLayout(who, 1)
        top.addLayout(buttons)
        top.setAlignment(buttons, Qt.AlignmentFlag.AlignTop)

        self.filter = QComboBox()
        for label, kinds in FILTERS:
            self.filter.addItem(label, kinds)
        self.filter.currentIndexChanged.connect(lambda _i: self.refresh_timeline())
        self.timeline_model = RowTableModel(TIMELINE_COLUMNS, parent=self)
        self.timeline = make_table(self.timeline_model, "Timeline")
        # activated: a double-click or Enter; a treatment or a consent opens its PDF
        self.timeline.activated.connect(lambda index: self.open_item(index.row()))
        timeline_page = QWidget()
        tl = QVBoxLayout(timeline_page)
        tl.addWidget(self.filter, 0, Qt.AlignmentFlag.AlignLeft)
        tl.addWidget(self.timeline)
        self.tabs = QTabWidget()
        self.tabs.addTab(timeline_page, "&Timeline")
        # The other tabs are built when first shown: opening a chart reads what is in view.
        self._pages: dict[str, LazyPage] = {}
        self._add_page("intake", "&Medical history", self._make_intake)
        self._add_page("notes", "&Notes", lambda: self._on_timeline(NotesPanel))
        self._add_page("consents", "&Consents", lambda: self._on_timeline(ConsentsPanel))
        self._add_page("account", "&Account", lambda: AccountPanel(user, patient_id))
        if allowed(user, "photos.read"):  # front desk sees no clinical photos
            self._add_page("photos", "P&hotos", self._make_photos)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.banner)
        # someone on another PC writing on this chart (ui/presence.py)
        self.also_editing = EditingNotice(user, patient_id)
        layout.addWidget(self.also_editing)
        layout.addWidget(self.tabs, 1)
        # one reading for all that is in view: header, alerts, timeline and portrait, the
        # patient's merged charts resolved once (services/charts/chart.py, open_chart)
        opened = chart.open_chart(user, patient_id, self.filter.currentData(),
                                  portrait="photos" in self._pages)
        self._show_header(opened.header)
        self._show_portrait(opened.portrait)
        self._show_timeline(opened.timeline)
        on_change(self, ON_CHART, self._on_changes)

    def done(self, result: int) -> None:  # Qt's name: Esc, Close and the window's X
        """Typing in a note is saved as a draft before the chart closes; if it cannot be
        saved (say, changed on another PC) the chart stays open with the refusal shown."""
        notes_page = self._pages["notes"]
        if notes_page.built() and not notes_page.panel().keep_typing():
            self.show_tab("notes")
            return
        super().done(result)

    def _on_changes(self, changes) -> None:
        """Something this chart shows changed, here or elsewhere in the program."""
        mine = {self.patient_id}
        about_patient = any(not changes.ids(k) or mine & changes.ids(k)
                            for k in ("patient", "intake", "consent") if changes.touches(k))
        if about_patient:  # header and timeline in one reading of the merged charts
            again = chart.open_chart(self.user, self.patient_id, self.filter.currentData(),
                                     opening=False)
            self._show_header(again.header)
            self._show_timeline(again.timeline)
        elif changes.touches("note", "photo", "treatment", "appointment", "history"):
            self.refresh_timeline()
        if changes.touches("photo"):
            self.refresh_portrait()

    def _add_page(self, name: str, label: str, build: Callable[[], QWidget]) -> None:
        self._pages[name] = LazyPage(build)
        self.tabs.addTab(self._pages[name], label)

    def show_tab(self, name: str) -> QWidget:
        """Bring a tab to the front ("intake", "notes", "consents", "account", "photos")."""
        self.tabs.setCurrentWidget(self._pages[name])
        return self._pages[name].panel()

    @property
    def intake(self) -> IntakePanel:
        return self._pages["intake"].panel()

    @property
    def notes(self) -> NotesPanel:
        return self._pages["notes"].panel()

    @property
    def consents(self) -> ConsentsPanel:
        return self._pages["consents"].panel()

    @property
    def account(self) -> AccountPanel:
        return self._pages["account"].panel()

    @property
    def photos(self) -> PhotosPanel | None:
        page = self._pages.get("photos")
        return page.panel() if page else None

    def _make_intake(self) -> IntakePanel:
        return IntakePanel(self.user, self.patient_id)

    def _on_timeline(self, panel_class) -> QWidget:
        """A panel whose changes (a note, a consent, a photo) show on the timeline: the chart
        follows them on the change bus."""
        return panel_class(self.user, self.patient_id)

    def _make_photos(self) -> PhotosPanel:
        return self._on_timeline(PhotosPanel)

    def refresh_portrait(self) -> None:
        """The newest photo, for those who may see photos; initials otherwise (or when the
        photo's file is missing or damaged: the Photos tab says which)."""
        data = None
        if "photos" in self._pages:
            newest = photos.patient_photos(self.user, self.patient_id)
            if newest:
                with contextlib.suppress(DomainError):
                    data = photos.photo_bytes(self.user, newest[0].id)
        self._show_portrait(data)

    def _show_portrait(self, data: bytes | None) -> None:
        image = None
        if data is not None:
            with contextlib.suppress(ValueError):
                image = load_image(data)
        if image is None:
            self.portrait.setText("".join(w[0] for w in self.header.name.split()[:2]).upper())
            return
        square = image.scaled(64, 64, Qt.AspectRatioMode.KeepAspectRatioByExpanding,
                              Qt.TransformationMode.SmoothTransformation)
        self.portrait.setPixmap(QPixmap.fromImage(square.copy(
            (square.width() - 64) // 2, (square.height() - 64) // 2, 64, 64)))

    def _show_header(self, head: chart.ChartHeader) -> None:
        self.header = head
        preferred = f" “{html.escape(head.preferred_name)}”" if head.preferred_name else ""
        state = (f"merged into chart {head.merged_into}" if head.merged_into
                 else "archived" if head.archived else "")
        archived = f" <span style='color:{style.ALERT_TEXT}'>({state})</span>" if state else ""
        self.setWindowTitle(f"Chart {head.chart_number} — {head.name}")
        self.name.setText(f"<h2>{html.escape(head.name)}{preferred}{archived}</h2>")
        self.details.setText(
            f"Age {head.age} · born {head.dob:%d %b %Y} · chart {head.chart_number} · "
            f"{head.phone or 'no phone'} · Fitzpatrick {head.fitzpatrick}")
        self.banner.setText("⚠ " + "   ·   ".join(head.alerts) if head.alerts
                            else "No alerts on file.")
        self.archive_button.setText("Bring &back" if head.archived else "A&rchive…")
        merged = bool(head.merged_into)  # its records are shown on that chart
        for button in (self.edit_button, self.archive_button, self.merge_button):
            button.setEnabled(not merged and (button is not self.archive_button
                                              or allowed(self.user, "patient.archive")))
        self.banner_tone = alerts.tone(head.alerts)
        self.banner.setStyleSheet(style.BANNER_STYLES[self.banner_tone])

    def edit_details(self) -> None:
        """The new-patient form, filled with the details on file, to correct them."""
        patient = op(self, lambda: patients.patient_details(self.user, self.patient_id))
        if patient:
            run_modal(NewPatientDialog(self.user, self, patient=patient.value))

    def archive_or_bring_back(self) -> None:
        """Archive the chart with a reason, or bring an archived one back."""
        if self.header.archived:
            yes = QMessageBox.question(
                self, "Bring back chart",
                f"Bring {self.header.name}'s chart back to the patient list and to booking?")
            if yes == QMessageBox.StandardButton.Yes:
                op(self, lambda: patients.unarchive_patient(self.user, self.patient_id))
            return
        with_reason(self, "Archive chart",
                    f"Why is {self.header.name}'s chart archived? (It stays readable; "
                    "it is no longer listed or offered for booking.)",
                    lambda reason: patients.archive_patient(self.user, self.patient_id, reason),
                    limit=limits.SHORT_REASON)

    def merge_with(self) -> None:
        """Find this patient's other chart and merge the two."""
        run_modal(MergeDialog(self.user, self.patient_id, parent=self))

    def print_intake(self) -> None:
        """The answers on file, for the patient to check and sign."""
        pdf = intake_form_pdf(self.user, self.patient_id)
        show_preview(pdf, f"Intake — {self.header.name}",
                     f"intake-{self.header.chart_number}.pdf", self)

    def open_item(self, row: int) -> None:
        item = self.timeline_model.row_at(row)
        if item.kind == "treatment":
            from ..treatments.record_preview import preview_record

            preview_record(self.user, item.ref_id, self)
        elif item.kind == "consent":
            open_consent(self.user, item.ref_id, self)

    def refresh_timeline(self) -> None:
        self._show_timeline(chart.timeline(self.user, self.patient_id,
                                           self.filter.currentData()))

    def _show_timeline(self, items: list[chart.TimelineItem]) -> None:
        self.timeline_model.set_rows(items)
        fit_columns(self.timeline)
