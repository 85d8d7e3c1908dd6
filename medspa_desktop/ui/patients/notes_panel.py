"""SOAP notes: a list on the left, the note on the right. A draft is edited, saved and signed
by its author; a signed note is read-only (with its signer, time and fingerprint), and gets
addenda and co-signatures. Those who may not read note bodies see only the list.

Typing is never lost: leaving a draft with unsaved typing (another note, a new note, the chart
closed with Esc) saves it as a draft first. "New note" writes nothing until the note is saved
or typed in and left, so a note begun and left blank leaves no empty draft behind.

The note scrolls as one page: each section as tall as its text (never squeezed into a box
with its own scroll bar), the addenda listed after it, however many there are."""

from __future__ import annotations

import datetime as dt
import html
import math

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from ...services.charts import notes
from ...services.platform.errors import StaleEditError
from ...services.platform.permissions import allowed
from ...store.models import CATEGORIES, User
from ..bus import on_change
from ..ops import op
from ..presence import mark_editing
from ..widgets.messages import ErrorLabel
from ..widgets.modal import run_modal
from ..widgets.stale_notice import StaleNotice
from .addendum_dialog import AddendumDialog

LABELS = {"subjective": "&Subjective", "objective": "&Objective", "assessment": "&Assessment",
          "plan": "&Plan"}
MIN_LINES = 3  # an empty section still offers room to type


class SectionEdit(QTextEdit):
    """A note section, plain text, as tall as its text at the width it is given: the page
    around it scrolls, the section itself never does."""

    def __init__(self) -> None:
        super().__init__()
        self.setAcceptRichText(False)
        self.setTabChangesFocus(True)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.document().contentsChanged.connect(self._fit)
        self._fit()

    def text_height(self) -> int:
        """The height its text takes at the present width, in pixels."""
        return math.ceil(self.document().size().height())

    def _fit(self) -> None:
        self.document().setTextWidth(self.viewport().width())
        least = self.fontMetrics().lineSpacing() * MIN_LINES + 2 * self.document().documentMargin()
        height = max(self.text_height(), math.ceil(least)) + 2 * self.frameWidth()
        if height != self.height():
            self.setFixedHeight(height)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._fit()


class NotesPanel(QWidget):

    def __init__(self, user: User, patient_id: int, parent=None) -> None:
        super().__init__(parent)
        self.user, self.patient_id = user, patient_id
        self.current: notes.NoteView | None = None
        self.pending: str | None = None  # the category of a new note not saved yet
        self.pending_visit: int | None = None  # and the visit it is written for
        self._loaded: dict[str, str] = {}  # the sections as shown, to tell typing apart
        self.list = QListWidget()
        self.list.setAccessibleName("Notes")
        self.list.currentItemChanged.connect(lambda item, prev: self._navigate(item, prev))
        self.category = QComboBox()
        for key, label in CATEGORIES.items():
            if key != "retail":
                self.category.addItem(label, key)
        self.new_button = QPushButton("New note")
        self.new_button.clicked.connect(self.new_note)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.list, 1)
        self.visit = QComboBox()
        self.visit.setAccessibleName("Visit")
        self.visit.setToolTip("The visit the new note is for: a charted visit fills the note "
                              "in from its treatment record")
        self.visit.currentIndexChanged.connect(lambda _i: self._visit_chosen())
        self.category.currentIndexChanged.connect(lambda _i: self._category_chosen())
        left_layout.addWidget(self.visit)
        new_row = QHBoxLayout()
        new_row.addWidget(self.category, 1)
        new_row.addWidget(self.new_button)
        left_layout.addLayout(new_row)

        self.state = QLabel()
        self.state.setWordWrap(True)
        self.state.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.sections: dict[str, SectionEdit] = {}
        page = QWidget()
        form = QFormLayout(page)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        for key in notes.SECTIONS:
            edit = SectionEdit()
            edit.setAccessibleName(key.title())
            edit.cursorPositionChanged.connect(lambda e=edit: self._follow(e))
            edit.textChanged.connect(self._tell_others)
            self.sections[key] = edit
            form.addRow(LABELS[key], edit)
        self.addenda = QLabel()
        self.addenda.setWordWrap(True)
        self.addenda.setTextFormat(Qt.TextFormat.RichText)
        self.addenda.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.addenda.setAccessibleName("Addenda")
        self.addenda.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        form.addRow(self.addenda)
        self.page = QScrollArea()
        self.page.setWidgetResizable(True)
        self.page.setFrameShape(QFrame.Shape.NoFrame)
        self.page.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.page.setWidget(page)
        self.save_button = QPushButton("Save draft")
        self.sign_button = QPushButton("Sign")
        self.addendum_button = QPushButton("Add addendum…")
        self.cosign_button = QPushButton("Co-sign")
        self.save_button.clicked.connect(self.save)
        self.sign_button.clicked.connect(self.sign)
        self.addendum_button.clicked.connect(self.add_addendum)
        self.cosign_button.clicked.connect(self.cosign)
        self.message = ErrorLabel()
        self.stale = StaleNotice()
        buttons = QHBoxLayout()
        for b in (self.save_button, self.sign_button, self.addendum_button, self.cosign_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        self.editor = QWidget()
        right = QVBoxLayout(self.editor)
        right.setContentsMargins(0, 0, 0, 0)
        right.addWidget(self.state)
        right.addWidget(self.stale)
        right.addWidget(self.page, 1)
        right.addWidget(self.message)
        right.addLayout(buttons)
        self.private = QLabel("Note bodies are visible to clinicians only.")
        self.private.setWordWrap(True)

        split = QSplitter()
        split.addWidget(left)
        holder = QWidget()
        holder_layout = QVBoxLayout(holder)
        holder_layout.addWidget(self.editor)
        holder_layout.addWidget(self.private)
        split.addWidget(holder)
        split.setSizes([260, 640])
        layout = QVBoxLayout(self)
        layout.addWidget(split)
        writer = allowed(user, "notes.write")
        self.new_button.setEnabled(writer)
        self.category.setEnabled(writer)
        self.visit.setVisible(writer)
        if writer:
            self._fill_visits()
        on_change(self, ("note",))
        if writer:
            on_change(self, ("appointment", "treatment"), self._on_visits)
        self.refresh()

    def refresh(self, select: int | None = None) -> None:
        """Redraw the list; the note on the right too, unless typing in it is not saved yet
        (a change elsewhere never throws typing away)."""
        keep = self.has_unsaved()
        select = select or (self.current.id if self.current else None)
        self.list.blockSignals(True)
        self.list.clear()
        chosen = None  # the note asked for, else the newest
        for view in notes.patient_notes(self.user, self.patient_id):
            when = view.signed_at or view.created_at
            state = "signed" if view.signed else "draft"
            item = QListWidgetItem(f"{when:%Y-%m-%d %H:%M} · {view.author} · {state}")
            item.setData(Qt.ItemDataRole.UserRole, view.id)
            self.list.addItem(item)
            if chosen is None or view.id == select:
                chosen = item
        if keep:
            if self.pending is None and chosen is not None:
                self.list.setCurrentItem(chosen)
            self.list.blockSignals(False)
            return
        if chosen is not None:
            self.list.setCurrentItem(chosen)
        self.list.blockSignals(False)
        self._show(chosen.data(Qt.ItemDataRole.UserRole) if chosen is not None else None)

    def _navigate(self, item, previous) -> None:
        """The user picked another note: what is typed here is saved first."""
        note_id = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if not self.keep_typing():  # not saved: stay on it, the refusal shown
            self.list.blockSignals(True)
            self.list.setCurrentItem(previous)
            self.list.blockSignals(False)
            return
        self.list.blockSignals(True)  # saving may have redrawn the list meanwhile
        for row in range(self.list.count()):
            if self.list.item(row).data(Qt.ItemDataRole.UserRole) == note_id:
                self.list.setCurrentRow(row)
        self.list.blockSignals(False)
        self._show(note_id)

    def _tell_others(self) -> None:
        """The other PCs' charts say when someone here is writing on this one: a new note,
        or typing in a draft not yet saved; no longer once it is saved or the panel goes."""
        writing = self.pending is not None or self.has_unsaved()
        mark_editing(self.patient_id if writing else None)

    def hideEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        """The chart closed (another of its tabs shown: still writing)."""
        super().hideEvent(event)
        if not self.window().isVisible():
            mark_editing(None)

    def _on_visits(self, _changes) -> None:
        self._fill_visits()

    def _follow(self, edit: SectionEdit) -> None:
        """Typing at the end of a long section: the page scrolls with the cursor (once the
        section has grown, after the layout has caught up)."""
        if edit.hasFocus():
            QTimer.singleShot(0, self, lambda: self._show_cursor(edit))

    def _show_cursor(self, edit: SectionEdit) -> None:
        rect = edit.cursorRect()
        point = edit.viewport().mapTo(self.page.widget(), rect.center())
        self.page.ensureVisible(point.x(), point.y(), 0, rect.height())

    def _fill_visits(self) -> None:
        """The visits a new note can be for, newest first; the one chosen stays chosen, and
        at first today's newest is proposed."""
        kept = self.visit.currentData()
        self.visit.blockSignals(True)
        self.visit.clear()
        self.visit.addItem("Not for a visit", None)
        chosen = None
        for choice in notes.note_visits(self.user, self.patient_id):
            self.visit.addItem(choice.label, choice)
            if kept is not None:
                if choice.appointment_id == kept.appointment_id:
                    chosen = self.visit.count() - 1
            elif chosen is None and choice.start.date() == dt.date.today():
                chosen = self.visit.count() - 1
        self.visit.setCurrentIndex(chosen or 0)
        self.visit.blockSignals(False)
        self._visit_chosen()

    def _visit_chosen(self) -> None:
        """A visit decides the note's category."""
        choice = self.visit.currentData()
        if choice is not None:
            index = self.category.findData(choice.category)
            if index >= 0:
                self.category.blockSignals(True)
                self.category.setCurrentIndex(index)
                self.category.blockSignals(False)

    def _category_chosen(self) -> None:
        """Another category than the visit's: the note is not for that visit."""
        choice = self.visit.currentData()
        if choice is not None and choice.category != self.category.currentData():
            self.visit.blockSignals(True)
            self.visit.setCurrentIndex(0)
            self.visit.blockSignals(False)

    def _show(self, note_id: int | None) -> None:
        self.pending = None
        self.pending_visit = None
        self.message.hide()
        self.stale.clear()
        if note_id is None:
            self.current = None
            self.editor.setVisible(False)
            self.private.setVisible(not allowed(self.user, "notes.read"))
            return
        self.current = notes.open_note(self.user, note_id)
        view = self.current
        readable = view.sections is not None
        self.editor.setVisible(readable)
        self.private.setVisible(not readable)
        if not readable:
            return
        for key, edit in self.sections.items():
            edit.setPlainText(view.sections[key])
            edit.setReadOnly(view.signed or view.author_id != self.user.id)
        self._loaded = self._sections()
        if view.signed:
            check = "✓ verified" if view.verified else "✗ DOES NOT MATCH its content"
            cosign = f" Co-signed by {', '.join(view.cosigned_by)}." if view.cosigned_by else ""
            self.state.setText(f"<b>Signed</b> by {html.escape(view.signed_by)} on "
                               f"{view.signed_at:%Y-%m-%d %H:%M}.{html.escape(cosign)}<br>"
                               f"SHA-256 {view.fingerprint} {check}")
        else:
            self.state.setText(f"<b>Draft</b> by {html.escape(view.author)}, started "
                               f"{view.created_at:%Y-%m-%d %H:%M}. Only the author can sign it.")
        self.addenda.setText(addenda_html(view.addenda))
        self.addenda.setVisible(bool(view.addenda))
        self.page.verticalScrollBar().setValue(0)
        own_draft = not view.signed and view.author_id == self.user.id
        self.save_button.setEnabled(own_draft)
        self.sign_button.setEnabled(own_draft)
        self.addendum_button.setEnabled(view.signed and allowed(self.user, "notes.write"))
        self.cosign_button.setEnabled(view.signed and allowed(self.user, "notes.cosign")
                                      and view.signed_by_id != self.user.id)
        self._tell_others()

    def _sections(self) -> dict[str, str]:
        return {k: e.toPlainText() for k, e in self.sections.items()}

    def _act(self, action, select: int | None = None) -> None:
        """Run a notes service call; show its refusal, or refresh on ``select`` (or the note
        the call returned)."""
        done = op(self, action, error_label=self.message)
        if not done:
            self._stale(done.refusal)
            return
        self.pending = None
        self._loaded = self._sections()  # saved: nothing left to keep
        self.refresh(select=select or getattr(done.value, "id", None))
        self._tell_others()

    def has_unsaved(self) -> bool:
        """Typing in a draft (or a new note) that is not saved yet."""
        editable = self.pending is not None or (
            self.current is not None and not self.current.signed
            and self.current.author_id == self.user.id)
        return editable and self.editor.isVisibleTo(self) and self._sections() != self._loaded

    def keep_typing(self) -> bool:
        """Before leaving what is on screen: save unsaved typing as a draft. False (and the
        refusal shown) when it could not be saved: stay, nothing is lost."""
        if not self.has_unsaved():
            return True
        done = op(self, self._save_call(), error_label=self.message)
        if not done:
            self._stale(done.refusal)
            return False
        self.pending = None
        self._loaded = self._sections()
        if self.current is not None and done.value.id == self.current.id:
            self.current = notes.open_note(self.user, done.value.id)  # its new version
        self._tell_others()
        return True

    def _stale(self, refusal) -> None:
        """The draft was saved elsewhere first: show it as saved there, the refusal (who,
        when, where) and this window's typing in "Your changes" above it."""
        if not isinstance(refusal, StaleEditError) or self.current is None:
            return
        note_id = self.current.id
        fields = {LABELS[key].replace("&", ""): edit for key, edit in self.sections.items()}
        self.stale.refused(refusal, fields, lambda: self._show(note_id))
        self.message.hide()

    def new_note(self) -> None:
        if not self.keep_typing():
            return
        category = self.category.currentData()
        choice = self.visit.currentData()
        self.list.blockSignals(True)
        self.list.clearSelection()
        self.list.setCurrentItem(None)
        self.list.blockSignals(False)
        self.current, self.pending = None, category
        self.pending_visit = choice.appointment_id if choice is not None else None
        self.message.hide()
        self.stale.clear()
        self.editor.setVisible(True)
        self.private.setVisible(False)
        if choice is not None:  # from the visit's treatment record, when it is charted
            template = op(self, lambda: notes.visit_sections(self.user, choice.appointment_id),
                          error_label=self.message)
            template = template.value if template else notes.template(category)
        else:
            template = notes.template(category)
        for key, edit in self.sections.items():
            edit.setPlainText(template[key])
            edit.setReadOnly(False)
        self._loaded = self._sections()
        what = html.escape(self.category.currentText())
        if choice is not None:
            what = html.escape(f"{choice.service}, {choice.start:%Y-%m-%d %H:%M}")
            if choice.charted:
                what += ", filled in from its treatment record: check and complete it"
        self.state.setText(f"<b>New note</b> ({what}): not saved yet. Save draft keeps it; "
                           "a note left as it started is not kept.")
        self.addenda.setText("")
        self.addenda.setVisible(False)
        self.save_button.setEnabled(True)
        self.sign_button.setEnabled(True)
        self.addendum_button.setEnabled(False)
        self.cosign_button.setEnabled(False)
        self.sections["subjective"].setFocus()
        self._tell_others()

    def _save_call(self):
        """The service call that saves what is typed: the new note, or the draft shown."""
        typed = self._sections()
        if self.pending is not None:
            category, visit = self.pending, self.pending_visit
            return lambda: notes.start_note(self.user, self.patient_id, visit,
                                            category=category, sections=typed)
        view = self.current
        return lambda: notes.save_draft(self.user, view.id, view.version, typed)

    def save(self) -> None:
        self._act(self._save_call())

    def sign(self) -> None:
        save = self._save_call()

        def save_and_sign():
            saved = save()
            return notes.sign(self.user, saved.id, saved.version)

        self._act(save_and_sign)

    def add_addendum(self) -> None:
        """One dialog asks why and what; the addendum then shows under the note."""
        view = self.current
        if run_modal(AddendumDialog(self.user, view.id, self)):
            self.refresh(select=view.id)
            bar = self.page.verticalScrollBar()
            bar.setValue(bar.maximum())  # the new addendum, at the end of the page

    def cosign(self) -> None:
        view = self.current
        self._act(lambda: notes.cosign(self.user, view.id), select=view.id)


def addenda_html(addenda) -> str:
    """The addenda after the note, oldest first: author, time, reason, then the text with its
    line breaks."""
    if not addenda:
        return ""
    items = "".join(
        f"<p><b>Addendum</b> by {html.escape(a.author)} on {a.at:%Y-%m-%d %H:%M}<br>"
        f"<i>Reason: {html.escape(a.reason)}</i><br>"
        f"{html.escape(a.text).replace(chr(10), '<br>')}</p>"
        for a in addenda)
    return f"<h3>Addenda ({len(addenda)})</h3>{items}"
