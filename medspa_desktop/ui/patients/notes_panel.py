"""SOAP notes: a list on the left, the note on the right. A draft is edited, saved and signed
by its author; a signed note is read-only (with its signer, time and fingerprint), and gets
addenda and co-signatures. Those who may not read note bodies see only the list."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ...services.charts import notes
from ...services.platform.permissions import allowed
from ...store.models import CATEGORIES, User
from ..bus import on_change
from ..ops import op
from ..widgets.messages import ErrorLabel

LABELS = {"subjective": "&Subjective", "objective": "&Objective", "assessment": "&Assessment",
          "plan": "&Plan"}


class NotesPanel(QWidget):

    def __init__(self, user: User, patient_id: int, parent=None) -> None:
        super().__init__(parent)
        self.user, self.patient_id = user, patient_id
        self.current: notes.NoteView | None = None
        self.list = QListWidget()
        self.list.setAccessibleName("Notes")
        self.list.currentItemChanged.connect(lambda item, _prev: self._show(item))
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
        new_row = QHBoxLayout()
        new_row.addWidget(self.category, 1)
        new_row.addWidget(self.new_button)
        left_layout.addLayout(new_row)

        self.state = QLabel()
        self.state.setWordWrap(True)
        self.state.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.sections: dict[str, QPlainTextEdit] = {}
        form = QFormLayout()
        for key in notes.SECTIONS:
            edit = QPlainTextEdit()
            edit.setTabChangesFocus(True)
            edit.setAccessibleName(key.title())
            self.sections[key] = edit
            form.addRow(LABELS[key], edit)
        self.addenda = QLabel()
        self.addenda.setWordWrap(True)
        self.addenda.setTextFormat(Qt.TextFormat.RichText)
        self.save_button = QPushButton("Save draft")
        self.sign_button = QPushButton("Sign")
        self.addendum_button = QPushButton("Add addendum…")
        self.cosign_button = QPushButton("Co-sign")
        self.save_button.clicked.connect(self.save)
        self.sign_button.clicked.connect(self.sign)
        self.addendum_button.clicked.connect(self.add_addendum)
        self.cosign_button.clicked.connect(self.cosign)
        self.message = ErrorLabel()
        buttons = QHBoxLayout()
        for b in (self.save_button, self.sign_button, self.addendum_button, self.cosign_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        self.editor = QWidget()
        right = QVBoxLayout(self.editor)
        right.setContentsMargins(0, 0, 0, 0)
        right.addWidget(self.state)
        right.addLayout(form, 1)
        right.addWidget(self.addenda)
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
        on_change(self, ("note",))
        self.refresh()

    def refresh(self, select: int | None = None) -> None:
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
        self.list.blockSignals(False)
        if chosen is not None:
            self.list.setCurrentItem(chosen)
            self._show(chosen)
        else:
            self._show(None)

    def _show(self, item) -> None:
        self.message.hide()
        if item is None:
            self.current = None
            self.editor.setVisible(False)
            self.private.setVisible(not allowed(self.user, "notes.read"))
            return
        self.current = notes.open_note(self.user, item.data(Qt.ItemDataRole.UserRole))
        view = self.current
        readable = view.sections is not None
        self.editor.setVisible(readable)
        self.private.setVisible(not readable)
        if not readable:
            return
        for key, edit in self.sections.items():
            edit.setPlainText(view.sections[key])
            edit.setReadOnly(view.signed or view.author_id != self.user.id)
        if view.signed:
            check = "✓ verified" if view.verified else "✗ DOES NOT MATCH its content"
            cosign = f" Co-signed by {', '.join(view.cosigned_by)}." if view.cosigned_by else ""
            self.state.setText(f"<b>Signed</b> by {html.escape(view.signed_by)} on "
                               f"{view.signed_at:%Y-%m-%d %H:%M}.{html.escape(cosign)}<br>"
                               f"SHA-256 {view.fingerprint} {check}")
        else:
            self.state.setText(f"<b>Draft</b> by {html.escape(view.author)}, started "
                               f"{view.created_at:%Y-%m-%d %H:%M}. Only the author can sign it.")
        self.addenda.setText("".join(
            f"<p><b>Addendum</b> by {html.escape(a.author)} on {a.at:%Y-%m-%d %H:%M} — "
            f"<i>{html.escape(a.reason)}</i><br>{html.escape(a.text)}</p>"
            for a in view.addenda))
        own_draft = not view.signed and view.author_id == self.user.id
        self.save_button.setEnabled(own_draft)
        self.sign_button.setEnabled(own_draft)
        self.addendum_button.setEnabled(view.signed and allowed(self.user, "notes.write"))
        self.cosign_button.setEnabled(view.signed and allowed(self.user, "notes.cosign")
                                      and view.signed_by_id != self.user.id)

    def _sections(self) -> dict[str, str]:
        return {k: e.toPlainText() for k, e in self.sections.items()}

    def _act(self, action, select: int | None = None) -> None:
        """Run a notes service call; show its refusal, or refresh on ``select`` (or the note
        the call returned)."""
        done = op(self, action, error_label=self.message)
        if not done:
            return
        self.refresh(select=select or getattr(done.value, "id", None))

    def new_note(self) -> None:
        self._act(lambda: notes.start_note(self.user, self.patient_id,
                                           category=self.category.currentData()))

    def save(self) -> None:
        view = self.current
        self._act(lambda: notes.save_draft(self.user, view.id, view.version, self._sections()))

    def sign(self) -> None:
        view = self.current

        def save_and_sign():
            saved = notes.save_draft(self.user, view.id, view.version, self._sections())
            return notes.sign(self.user, saved.id, saved.version)

        self._act(save_and_sign)

    def add_addendum(self) -> None:
        view = self.current
        reason, ok = QInputDialog.getText(self, "Addendum", "Why is this addendum added?")
        if not ok:
            return
        text, ok = QInputDialog.getMultiLineText(self, "Addendum", "Addendum:")
        if not ok:
            return
        self._act(lambda: notes.add_addendum(self.user, view.id, reason, text), select=view.id)

    def cosign(self) -> None:
        view = self.current
        self._act(lambda: notes.cosign(self.user, view.id), select=view.id)
