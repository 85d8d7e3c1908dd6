"""The frame of every form dialog: the fields, the refusal shown in place, Save and Cancel.

A subclass lays its fields out in ``self.form`` (a ``QFormLayout``), or puts more in
``self.body`` (the column above the message: an introduction, a second column, a face chart),
and implements ``submit()``, which calls the service. Save runs ``save()``: a ``DomainError``
is shown in ``self.message`` under the fields and the dialog stays open with everything typed;
it closes only once the service has accepted (``submit`` returns False to stay open without a
message, when the user answered "no" to a question it asked).

The message line keeps its room while empty, so a refusal appearing does not move the fields
or the Save button the user just clicked (a refusal longer than one line grows downwards).

A form editing a record someone else may save meanwhile implements ``reload_stored()``: when
the save is refused as stale, the form's fields (``stale_fields()``, its labelled rows by
default) are reloaded with what is stored now and the refusal (who changed it, when, where)
shows above them with the user's own typing in a "Your changes" box (``stale_notice.py``).

Cancel and Esc close the dialog without saving and without asking, as every form in the
program always has: nothing a form holds is saved half-way, and a refusal never closes it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QVBoxLayout,
)

from ...services.platform.errors import StaleEditError
from ..ops import op
from .messages import ErrorLabel
from .stale_notice import StaleNotice, form_fields


class FormDialog(QDialog):
    """A form with Save and Cancel. ``submit`` calls the service; a refusal is shown under the
    form, which stays open, and the dialog closes only once the service has accepted."""

    def __init__(self, title: str, parent=None, *, min_width: int = 420) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(min_width)
        self.form = QFormLayout()
        self.body = QVBoxLayout()
        self.body.addLayout(self.form)
        self.message = ErrorLabel()
        self.stale = StaleNotice()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.stale)
        layout.addLayout(self.body, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self._focus_placed = False

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if not self._focus_placed:
            self._focus_placed = True
            self._focus_first_field()
        super().showEvent(event)

    def _focus_first_field(self) -> None:
        """The form opens with the cursor in its first field (or the one the subclass chose),
        not on Save: Qt starts the focus where widgets were first made, and the frame's
        buttons were made before the subclass made its fields. Tab then runs through the
        fields to Save and Cancel and round again."""
        if self.focusWidget() is not None:
            return
        widget = self.nextInFocusChain()
        while widget is not self:
            if (widget.focusPolicy() & Qt.FocusPolicy.TabFocus and widget.isEnabled()
                    and not widget.isHidden() and not self.buttons.isAncestorOf(widget)
                    and not self.stale.isAncestorOf(widget)):
                widget.setFocus()
                return
            widget = widget.nextInFocusChain()

    def _line(self, label: str, max_length: int, placeholder: str = "") -> QLineEdit:
        edit = QLineEdit()
        edit.setMaxLength(max_length)
        edit.setPlaceholderText(placeholder)
        edit.setAccessibleName(label)
        self.form.addRow(label, edit)
        return edit

    def save(self) -> None:
        """What Save does: submit through the op runner (``ui/ops.py``), and close once
        accepted; a refusal is shown in place."""
        done = op(self, self.submit, error_label=self.message)
        if done and done.value is not False:
            self.accept()
        elif isinstance(done.refusal, StaleEditError):
            self.show_stale(done.refusal)

    def show_stale(self, error: StaleEditError) -> None:
        """Saved elsewhere first: the fields show what is stored now, the refusal and the
        user's own typing show above them (a form that cannot reload keeps the message)."""
        if not self.can_reload():
            return
        self.stale.refused(error, self.stale_fields(), self.reload_stored)
        self.message.hide()

    def can_reload(self) -> bool:
        return type(self).reload_stored is not FormDialog.reload_stored

    def stale_fields(self) -> dict:
        """The fields a stale refusal compares and puts back, by label."""
        return form_fields(self.form)

    def reload_stored(self) -> None:
        """Fill the form with the record as stored now (and edit that version from now on)."""
        raise NotImplementedError

    def submit(self) -> bool | None:
        raise NotImplementedError
