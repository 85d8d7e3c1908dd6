"""Answer the modal dialog or pop-up menu a user action opens, from the event loop, the way a
person would (the action's exec() blocks until then)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget


def answer_next_modal(answer: Callable[[QWidget], None], *, popup: bool = False,
                      tries: int = 250) -> None:
    """Call ``answer(widget)`` on the next modal dialog (or pop-up). If the answer fails, the
    widget is closed so the blocked exec() returns and the test fails instead of hanging."""

    def poll(left: int) -> None:
        widget = (QApplication.activePopupWidget() if popup
                  else QApplication.activeModalWidget())
        if widget is None:
            if left:
                QTimer.singleShot(20, lambda: poll(left - 1))
            return
        try:
            answer(widget)
        except BaseException:
            widget.close()
            raise

    QTimer.singleShot(0, lambda: poll(tries))


def expect_preview() -> list[str]:
    """The text of the next print preview's PDF, once it opens (the preview is then closed)."""
    from tests.documents.pdftext import pdf_text

    seen: list[str] = []

    def read(preview) -> None:
        seen.append(pdf_text(preview.pdf))
        preview.reject()

    answer_next_modal(read)
    return seen
