"""The change bus on the UI thread: ``services/platform/changes.py`` re-emitted as a Qt signal.

A screen that shows data subscribes to the kinds it shows and refreshes just that::

    on_change(self, ("invoice",))                   # calls self.refresh()
    on_change(self, ("consent",), self._on_changes)  # calls self._on_changes(changes)

Changes committed on a worker thread are carried over to the UI thread, and while a main
window watches (``watch_others``) the changes other windows and PCs committed are read every
second (``services/platform/remote.py``) and emitted the same way. On PostgreSQL they are read
at once as well: a listening thread (``services/platform/listen.py``) wakes the bus the moment
another PC commits.

The bus also knows whether the clinic's server can be reached (``reachable``, ``lost``): a
failed read or save, or the listening thread, says it is lost; the one-second tick then tries
again (once the listener is back, on PostgreSQL) and, when it answers, reads every change
missed meanwhile. The changes of one operation arrive together: while ``op()`` runs (see
``ui/ops.py``) the bus holds what it hears and emits it once, when the operation returns;
otherwise it emits on the next turn of the event loop.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QWidget

from ..logs import log
from ..services.platform import changes, listen, remote
from ..services.platform.changes import ChangeSet
from ..services.platform.errors import DomainError
from ..store.database import db, is_sqlite

OTHERS_POLL_MS = 1000  # another PC's change is on screen here within about a second


class ChangeBus(QObject):
    changed = Signal(object)  # a ChangeSet
    reachable = Signal(bool)  # the clinic's server: False once lost, True once back
    _heard = Signal(object)
    _woken = Signal()  # from the listening thread: queued to this (the UI) thread
    _listener_reached = Signal(bool)

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
        # PostgreSQL's push: another PC's commit read at once
        self._woken.connect(self.hear_others)
        self._listener_reached.connect(self._listener_says)
        self._listener: listen.Listener | None = None
        self._listening_to = None  # the database the listener follows
        self.lost = False  # the clinic's server could not be reached

    def watch_others(self, on: bool) -> None:
        """A main window starts (True) or stops (False) following the other PCs; the timer
        runs while any window does."""
        self._watching = max(0, self._watching + (1 if on else -1))
        if self._watching and not self._timer.isActive():
            self.hear_others()  # from now on: what came before is on screen already
            self._timer.start()
        elif not self._watching:
            self._timer.stop()
            self._stop_listening()

    def hear_others(self) -> None:
        """Read what other processes committed and pass it on like a change made here. A
        database that cannot be read now (the server gone) is tried again on the next tick,
        from the last signal heard, so nothing is missed."""
        if self.lost and not self._try_server():
            return
        try:
            heard = self._watcher.poll()
        except Exception as exc:  # noqa: BLE001 (the connection's error, whatever the driver)
            if remote.server_lost(exc):
                remote.drop_connection()
                self.server_unreachable()
            else:
                log.warning("Could not read the other PCs' changes: %s", exc)
            return
        if self._watching:
            self._follow_server()
        if heard:
            self._collect(heard)

    # -- the clinic's server ----------------------------------------------------------------
    def server_unreachable(self) -> None:
        """A read, a save or the listener found the server gone: say so (once)."""
        if not self.lost:
            self.lost = True
            log.warning("The clinic's server cannot be reached")
            self.reachable.emit(False)

    def _try_server(self) -> bool:
        """While lost: whether the server answers again (then say so). With a listener, this
        thread waits for it to be back first (its connection gives up within seconds; this
        thread's would hold the window)."""
        if self._listener is not None and not self._listener.connected.is_set():
            return False
        try:
            remote.reach()
        except Exception:  # noqa: BLE001 (still away, whatever the driver says)
            remote.drop_connection()
            return False
        self.lost = False
        log.info("The clinic's server answers again")
        self.reachable.emit(True)
        return True

    @Slot(bool)
    def _listener_says(self, up: bool) -> None:
        if not up:
            self.server_unreachable()
        elif self.lost:
            self.hear_others()

    def _follow_server(self) -> None:
        """Listen on PostgreSQL (one listener, for the database open now)."""
        real = db.obj
        if real is self._listening_to:
            return
        self._stop_listening()
        if real is None or is_sqlite():
            return
        params = dict(real.connect_params, dbname=real.database)
        self._listening_to = real
        self._listener = listen.Listener(params, self._woken.emit, self._listener_reached.emit)
        self._listener.start()

    def _stop_listening(self) -> None:
        if self._listener is not None:
            self._listener.stop()
        self._listener, self._listening_to = None, None

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
        except Exception as exc:
            if not remote.server_lost(exc):
                raise
            # the server went away: what is on screen stays, the window's banner says why
            log.info("Not redrawn, the clinic's server is gone: %s", exc)
            remote.drop_connection()
            bus().server_unreachable()


def _closed(owner: QObject) -> bool:
    """A window (dialog or main window) that was shown and has been closed: nothing of it is
    on screen, and it is waiting to be deleted — it reads nothing more (the database it showed
    may not even be the open one any longer)."""
    top = owner.window() if isinstance(owner, QWidget) else None
    return (top is not None and top.isWindow() and top.isHidden()
            and top.testAttribute(Qt.WidgetAttribute.WA_WState_ExplicitShowHide))


def on_change(owner: QObject, kinds: Iterable[str],
              slot: Callable[[ChangeSet], None] | None = None) -> None:
    """Redraw ``owner`` whenever changes of these kinds are published, for as long as it
    lives: ``owner.refresh()``, or ``slot(changes)``, a method of ``owner`` (bound methods
    only, so that the subscription does not keep a closed window alive)."""
    if slot is not None and getattr(slot, "__self__", None) is not owner:
        raise TypeError("on_change wants a method of the owner")
    _Subscription(owner, frozenset(kinds), slot.__func__ if slot is not None else None)
