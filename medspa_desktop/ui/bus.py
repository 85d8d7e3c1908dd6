"""The change bus on the UI thread: ``services/platform/changes.py`` re-emitted as a Qt signal.

A screen that shows data subscribes to the kinds it shows and refreshes just that::

    on_change(self, ("invoice",), lambda changes: self.refresh())

Changes committed on a worker thread (or, later, arriving from another PC) are carried over
to the UI thread. The changes of one operation arrive together: while ``op()`` runs (see
``ui/ops.py``) the bus holds what it hears and emits it once, when the operation returns;
otherwise it emits on the next turn of the event loop.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from ..services.platform import changes
from ..services.platform.changes import ChangeSet


class ChangeBus(QObject):
    changed = Signal(object)  # a ChangeSet
    _heard = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self._pending: list[changes.Change] = []
        self._holding = 0
        self._flush_queued = False
        # called on the thread that committed: a direct call on the UI thread, queued to it
        # from any other
        self._heard.connect(self._collect)
        self._unsubscribe = changes.subscribe(self._heard.emit)

    @Slot(object)
    def _collect(self, batch: ChangeSet) -> None:
        self._pending.extend(batch.changes)
        if not self._holding and not self._flush_queued:
            self._flush_queued = True
            QTimer.singleShot(0, self.flush)

    @contextmanager
    def held(self) -> Iterator[None]:
        """Hold what is heard until the block ends, then emit it at once."""
        self._holding += 1
        try:
            yield
        finally:
            self._holding -= 1
            if not self._holding:
                self.flush()

    def flush(self) -> None:
        self._flush_queued = False
        if not self._pending:
            return
        batch, self._pending = ChangeSet(self._pending), []
        self.changed.emit(batch)


_bus: ChangeBus | None = None


def bus() -> ChangeBus:
    """The one bus of this program (made on first use, on the UI thread)."""
    global _bus
    if _bus is None:
        _bus = ChangeBus()
    return _bus


class _Subscription(QObject):
    """Lives as the subscriber's child: gone (and disconnected) with it."""

    def __init__(self, owner: QObject, kinds: frozenset[str],
                 slot: Callable[[ChangeSet], None]) -> None:
        super().__init__(owner)
        self._kinds = kinds
        self._slot = slot
        bus().changed.connect(self._changed)

    @Slot(object)
    def _changed(self, batch: ChangeSet) -> None:
        if batch.touches(*self._kinds):
            self._slot(batch)


def on_change(owner: QObject, kinds: Iterable[str],
              slot: Callable[[ChangeSet], None]) -> None:
    """Call ``slot(changes)`` whenever changes of these kinds are published, for as long as
    ``owner`` lives."""
    _Subscription(owner, frozenset(kinds), slot)
