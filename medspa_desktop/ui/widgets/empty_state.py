"""What an empty list says: a line in the middle of the list telling the user what to do
("No patients yet — press Ctrl+Shift+N to register one"), shown while the list has no rows and
gone as soon as one loads. The words may depend on the filters (``text`` is asked each time)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QAbstractItemView, QLabel

from .. import style


class EmptyState(QLabel):
    def __init__(self, view: QAbstractItemView, text: Callable[[], str]) -> None:
        super().__init__(view.viewport())
        self.view = view
        self._text = text
        self.setObjectName("EmptyState")
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setStyleSheet(style.EMPTY_STATE)
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() + style.EMPTY_STATE_STEP)
        self.setFont(font)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        model = view.model()
        model.modelReset.connect(self.update_state)
        model.rowsInserted.connect(lambda *_: self.update_state())
        model.rowsRemoved.connect(lambda *_: self.update_state())
        model.layoutChanged.connect(lambda *_: self.update_state())
        self._follower = _FollowSize(self)
        view.viewport().installEventFilter(self._follower)
        self.update_state()

    def update_state(self) -> None:
        empty = self.view.model().rowCount() == 0
        if empty:
            self.setText(self._text())
            self._fit()
        self.setVisible(empty)

    def _fit(self) -> None:
        area = self.view.viewport().rect()
        margin = style.SPACE_L * 2
        self.setGeometry(area.adjusted(margin, margin, -margin, -margin))


class _FollowSize(QObject):
    def __init__(self, label: EmptyState) -> None:
        super().__init__(label)
        self.label = label

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Resize:
            self.label._fit()
        return False
