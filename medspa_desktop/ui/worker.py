"""Slow work off the UI thread: run a function on QThreadPool, get its result (or its error)
and its progress messages back on the main thread.

The worker opens its own database connection (peewee keeps one per thread) and closes it
when done.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from ..store.database import db


class _Signals(QObject):
    done = Signal(object)
    failed = Signal(object)
    progress = Signal(str)


class Task(QRunnable):
    def __init__(self, work: Callable[[Callable[[str], None]], Any]) -> None:
        super().__init__()
        self.signals = _Signals()
        self._work = work

    def run(self) -> None:
        try:
            db.connect(reuse_if_open=True)
            try:
                result = self._work(self.signals.progress.emit)
            finally:
                db.close()
        except Exception as exc:  # delivered to the UI thread, which decides how to show it
            self.signals.failed.emit(exc)
        else:
            self.signals.done.emit(result)


def run_in_background(
    work: Callable[[Callable[[str], None]], Any],
    on_done: Callable[[Any], None],
    on_failed: Callable[[Exception], None],
    on_progress: Callable[[str], None] | None = None,
) -> Task:
    """``work(progress)`` runs on the pool; the callbacks run on the main thread."""
    task = Task(work)
    task.signals.done.connect(on_done)
    task.signals.failed.connect(on_failed)
    if on_progress is not None:
        task.signals.progress.connect(on_progress)
    QThreadPool.globalInstance().start(task)
    return task
