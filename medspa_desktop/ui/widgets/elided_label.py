"""A one-line label that gives way with "…" when the window is narrow, instead of being cut
off mid-word or pushing the window wider. Its whole text is in its tooltip when elided."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

MIN_CHARS = 8  # what it keeps at the narrowest: enough to tell what it is about


class ElidedLabel(QLabel):
    def __init__(self, text: str = "", parent: QWidget | None = None, *,
                 mode: Qt.TextElideMode = Qt.TextElideMode.ElideRight,
                 min_chars: int = MIN_CHARS) -> None:
        super().__init__(text, parent)
        self.mode, self.min_chars = mode, min_chars
        self._own_tip = ""
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    def setToolTip(self, tip: str) -> None:  # noqa: N802 (Qt's name)
        self._own_tip = tip
        super().setToolTip(tip)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        hint = super().minimumSizeHint()
        if not self.text():
            return hint
        shortest = self.fontMetrics().horizontalAdvance("x" * self.min_chars + "…")
        return QSize(min(hint.width(), shortest), hint.height())

    def shown_text(self) -> str:
        """What fits now (the text itself when it all fits)."""
        return self.fontMetrics().elidedText(self.text(), self.mode,
                                             self.contentsRect().width())

    def is_elided(self) -> bool:
        return self.shown_text() != self.text()

    def setText(self, text: str) -> None:  # noqa: N802 (Qt's name)
        super().setText(text)
        self._sync_tip()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._sync_tip()

    def _sync_tip(self) -> None:
        """The whole text on hover when it does not fit (a tooltip of its own wins)."""
        QLabel.setToolTip(self, self._own_tip or (self.text() if self.is_elided() else ""))

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(self.contentsRect(), int(self.alignment()), self.shown_text())
