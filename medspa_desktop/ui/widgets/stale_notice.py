"""What a form shows once its save was refused because someone else saved the record first
(a ``StaleEditError``): the refusal's words (who changed it, when, at which PC — written by
``services/platform/stale.py``), the form's fields reloaded with what is stored now, and the
user's own typing kept in a "Your changes (not saved)" box beside them, field by field, so
nothing typed is lost silently. "Put my changes back" types them into the form again over the
newest version, for the user to look over and save.

One notice for every form that can be refused as stale (patient details, a note draft, a
service in setup, a treatment record…): the form gives its fields by label (``form_fields``
reads them off a ``QFormLayout``) and a way to reload what is stored; the notice does the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from .. import style

INPUTS = (QLineEdit, QPlainTextEdit, QTextEdit, QComboBox, QCheckBox, QAbstractSpinBox)


def value_of(widget: QWidget) -> object:
    """What the field holds, as it can be put back (``put``)."""
    if isinstance(widget, QLineEdit):
        return widget.text()
    if isinstance(widget, (QPlainTextEdit, QTextEdit)):
        return widget.toPlainText()
    if isinstance(widget, QComboBox):
        return widget.currentText()
    if isinstance(widget, QCheckBox):
        return widget.isChecked()
    if isinstance(widget, (QSpinBox, QDoubleSpinBox)):
        return widget.value()
    if isinstance(widget, QAbstractSpinBox):
        return widget.text()
    return None


def shown(widget: QWidget) -> str:
    """What the field shows, in words, for the box ("45 minutes", "ticked")."""
    if isinstance(widget, QCheckBox):
        return "ticked" if widget.isChecked() else "not ticked"
    value = widget.text() if isinstance(widget, QAbstractSpinBox) else value_of(widget)
    text = str(value).strip()
    return text if text else "(left empty)"


def put(widget: QWidget, value: object) -> None:
    """Put ``value`` (from ``value_of``) back into the field."""
    if isinstance(widget, QLineEdit):
        widget.setText(value)
    elif isinstance(widget, (QPlainTextEdit, QTextEdit)):
        widget.setPlainText(value)
    elif isinstance(widget, QComboBox):
        index = widget.findText(value)
        if index >= 0:
            widget.setCurrentIndex(index)
        elif widget.isEditable():
            widget.setEditText(value)
    elif isinstance(widget, QCheckBox):
        widget.setChecked(value)
    elif isinstance(widget, (QSpinBox, QDoubleSpinBox)):
        widget.setValue(value)


def _input_in(widget: QWidget | None) -> QWidget | None:
    """The field itself: the widget, or the first input inside a row's composite widget."""
    if widget is None or isinstance(widget, INPUTS):
        return widget
    for child in widget.findChildren(QWidget):
        if isinstance(child, INPUTS):
            return child
    return None


def form_fields(form: QFormLayout) -> dict[str, QWidget]:
    """The form's fields by their labels ("Phone": its line edit): every labelled row whose
    field can be typed in or chosen; read-only notes and unlabelled rows are left out."""
    fields: dict[str, QWidget] = {}
    for row in range(form.rowCount()):
        label_item = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
        field_item = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
        if label_item is None or field_item is None:
            continue
        label = label_item.widget()
        text = label.text().replace("&", "").rstrip(":").strip() if isinstance(
            label, QLabel) else ""
        field = field_item.widget()
        if field is None and field_item.layout() is not None:
            layout = field_item.layout()
            field = next((layout.itemAt(i).widget() for i in range(layout.count())
                          if isinstance(layout.itemAt(i).widget(), INPUTS)), None)
        field = _input_in(field)
        if text and field is not None:
            fields[text] = field
    return fields


def _room_for(widget: QWidget) -> None:
    """The window grows (never shrinks) to what it needs with the notice shown, so no field
    is squeezed under it."""
    window = widget.window()
    layout = window.layout()
    if layout is not None:
        layout.activate()
    hint = window.sizeHint()
    screen = window.screen().availableGeometry() if window.screen() else None
    height = max(window.height(), hint.height())
    if screen is not None:
        height = min(height, screen.height() - 60)
    if height > window.height():
        window.resize(window.width(), height)


class StaleNotice(QFrame):
    """Hidden until a save is refused as stale; then the refusal, the user's typing that is
    not what is stored now, and "Put my changes back"."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("staleNotice")
        self.setStyleSheet(f"QFrame#staleNotice {{ {style.BANNER_NOTICE} }}")
        self.setAccessibleName("Changed by someone else")
        self.headline = QLabel()
        self.headline.setWordWrap(True)
        self.headline.setStyleSheet(style.STALE_ANSWER)
        self.headline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.mine_label = QLabel("Your changes (not saved) — the form now shows what is "
                                 "stored:")
        self.mine_label.setWordWrap(True)
        self.mine = QPlainTextEdit()
        self.mine.setReadOnly(True)
        self.mine.setAccessibleName("Your changes")
        self.mine.setTabChangesFocus(True)
        self.put_back_button = QPushButton("Put my changes back")
        self.put_back_button.setToolTip("Type your changes into the form again, over what is "
                                        "stored now; Save keeps them")
        self.put_back_button.clicked.connect(self.put_back)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.put_back_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addWidget(self.headline)
        layout.addWidget(self.mine_label)
        layout.addWidget(self.mine)
        layout.addLayout(buttons)
        self.yours: dict[str, object] = {}  # the typing not saved, by field label
        self.stored: dict[str, object] = {}  # the same fields as stored now
        self._fields: Mapping[str, QWidget] = {}
        self.offers_put_back = True  # False where the form can no longer save
        self.hide()

    def refused(self, error: Exception, fields: Mapping[str, QWidget],
                reload: Callable[[], object]) -> None:
        """The save was refused as stale: keep what is typed in ``fields``, ``reload`` the
        form with what is stored now, and show the typing that differs from it."""
        typed = {label: value_of(widget) for label, widget in fields.items()}
        typed_text = {label: shown(widget) for label, widget in fields.items()}
        reload()
        self._fields = fields
        self.stored = {label: value_of(widget) for label, widget in fields.items()}
        self.yours = {label: value for label, value in typed.items()
                      if value != self.stored[label]}
        self.headline.setText(str(error))
        said = []
        for label in self.yours:
            mine, now = typed_text[label], shown(fields[label])
            said.append(f"{label}: {mine}   (stored now: {now})" if "\n" not in mine + now
                        else f"{label}:\n{mine}\n")
        self.mine.setPlainText("\n".join(said))
        lines = sum(1 + len(line) // 80 for line in "\n".join(said).split("\n")) + 1
        self.mine.setFixedHeight(self.fontMetrics().lineSpacing() * min(max(lines, 2), 8)
                                 + 2 * self.mine.frameWidth() + 16)
        has_typing = bool(self.yours)
        self.mine_label.setVisible(has_typing)
        self.mine.setVisible(has_typing)
        self.put_back_button.setVisible(has_typing and self.offers_put_back)
        self.put_back_button.setEnabled(True)
        self.show()
        _room_for(self)
        QTimer.singleShot(0, self, lambda: _room_for(self))  # once rebuilt rows are laid out

    def put_back(self) -> None:
        """The user's changes into the form again, over the version just loaded."""
        for label, value in self.yours.items():
            put(self._fields[label], value)
        self.put_back_button.setEnabled(False)
        self.mine_label.setText("Your changes are back in the form, over what is stored now: "
                                "look them over and save.")

    def clear(self) -> None:
        self.yours, self.stored, self._fields = {}, {}, {}
        self.mine_label.setText("Your changes (not saved) — the form now shows what is "
                                "stored:")
        self.hide()
