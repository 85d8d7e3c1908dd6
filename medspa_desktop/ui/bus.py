"""The change bus on the UI thread: ``services/platform/changes.py`` re-emitted as a Qt signal.

A screen that shows data subscribes to the kinds it shows and refreshes just that::

    on_change(self, ("invoice",))                   # calls self.refresh()
    on_change(self, ("consent",), self._on_changes)  # calls self._on_changes(changes)

Changes committed on a worker thread are carried over to the UI thread, and while a main
window watches (``watch_others``) the changes other windows and PCs committed are read every
second (``services/platform/remote.py``) and emitted the same way. The changes of one operation arrive together: while ``op()`` runs (see
``ui/ops.py``) the bus holds what it hears and emits it once, when the operation returns;
otherwise it emits on the next turn of the event loop.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QDialog, QWidget

from ..logs import log
from ..services.platform import changes, remote
from ..services.platform.changes import ChangeSet
from ..services.platform.errors import DomainError

OTHERS_POLL_MS = 1000  # another PC's change is on screen here within about a second


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
        # the other windows and PCs: their signals read every second while a window watches
        self._watcher = remote.Watcher()
        self._watching = 0
        self._timer = QTimer(self)
        self._timer.setInterval(OTHERS_POLL_MS)
        self._timer.timeout.connect(self.hear_others)

    def watch_others(self, on: bool) -> None:
        """A main window starts (True) or stops (False) following the other PCs; the timer
        runs while any window does."""
        self._watching = max(0, self._watching + (1 if on else -1))
        if self._watching and not self._timer.isActive():
            self.hear_others()  # from now on: what came before is on screen already
            self._timer.start()
        elif not self._watching:
            self._timer.stop()

    def hear_others(self) -> None:
        """Read what other processes committed and pass it on like a change made here. A
        database that cannot be read now (the server gone) is tried again on the next tick,
        from the last signal heard, so nothing is missed."""
        try:
            heard = self._watcher.poll()
        except Exception as exc:  # noqa: BLE001 (the connection's error, whatever the driver)
            log.warning("Could not read the other PCs' changes: %s", exc)
            return
        if heard:
            self._collect(heard)

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
    """Lives as the subscriber's child: gone (and disconnected) with it. It holds its owner
    only through Qt's parent link, so a closed window can still be collected."""

    def __init__(self, owner: QObject, kinds: frozenset[str],
                 method: Callable[[QObject, ChangeSet], None] | None) -> None:
        super().__init__(owner)
        self._kinds = kinds
        self._method = method  # a function taking (owner, changes); None: owner.refresh()
        bus().changed.connect(self._changed)

    @Slot(object)
    def _changed(self, batch: ChangeSet) -> None:
        owner = self.parent()
        if owner is None or not batch.touches(*self._kinds) or _closed(owner):
            return
        try:
            if self._method is None:
                owner.refresh()
            else:
                self._method(owner, batch)
        except DomainError as exc:  # e.g. the account lost the right meanwhile: the window
            log.info("Not redrawn after a change: %s", exc)  # signs it out or follows


def _closed(owner: QObject) -> bool:
    """A dialog that was shown and has been closed: nothing of it is on screen."""
    top = owner.window() if isinstance(owner, QWidget) else None
    return (isinstance(top, QDialog) and top.isHidden()
            and top.testAttribute(Qt.WidgetAttribute.WA_WState_ExplicitShowHide))


def on_change(owner: QObject, kinds: Iterable[str],
              slot: Callable[[ChangeSet], None] | None = None) -> None:
    """Redraw ``owner`` whenever changes of these kinds are published, for as long as it
    lives: ``owner.refresh()``, or ``slot(changes)``, a method of ``owner`` (bound methods
    only, so that the subscription does not keep a closed window alive)."""
    if slot is not None and getattr(slot, "__self__", None) is not owner:
        raise TypeError("on_change wants a method of the owner")
    _Subscription(owner, frozenset(kinds), slot.__func__ if slot is not None else None)
