"""A tab's page that builds its contents the first time it is shown, or asked for: a window
with many tabs opens by reading only what is in view."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QVBoxLayout, QWidget


class LazyPage(QWidget):
    def __init__(self, build: Callable[[], QWidget], parent=None) -> None:
        super().__init__(parent)
        self._build = build
        self._panel: QWidget | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

    def panel(self) -> QWidget:
        if self._panel is None:
            self._panel = self._build()
            self.layout().addWidget(self._panel)
        return self._panel

    def built(self) -> bool:
        """Whether the panel exists (it was shown or asked for)."""
        return self._panel is not None

    def showEvent(self, event) -> None:
        self.panel()
        super().showEvent(event)
