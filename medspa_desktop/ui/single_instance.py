"""One program per database per PC (and per OS account).

A second start on a database that a window of this account already has open does not open
it again: it asks the running window to come to the front (its sign-in dialog, or whatever
it shows), and quits. Two windows on one file would each believe their screen was the
clinic's, and a second program that opens and closes the file is exactly what once let a
crash lose saved work (see ``store/database._refuse_non_sqlite``).

How: a lock file and a local socket (a Unix socket, or a named pipe on Windows) whose name
is derived from the OS account and the database (the resolved file path, or the server URL).
The first start holds the lock and listens; a later start that cannot take the lock connects,
sends ``raise`` and quits. ``QLockFile`` notices a lock left by a program that crashed (its
process is gone), and the socket such a program left is removed before listening again.
``medspa-desktop check`` and ``backup`` do not take part: they are safe beside the window.
"""

from __future__ import annotations

import getpass
import hashlib
import os
import time
from pathlib import Path

from PySide6.QtCore import QDir, QLockFile, QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QApplication, QMainWindow, QWidget

from ..logs import log
from ..store.database import is_postgres_url

RAISE = b"raise\n"
WAIT_FOR_FIRST_S = 10  # a first start that holds the lock but is not listening yet
CONNECT_MS = 1000


def instance_key(target: str) -> str:
    """The name both the lock file and the socket carry: one per OS account and database."""
    if is_postgres_url(target):
        where = target
    else:
        where = os.path.normcase(str(Path(target).expanduser().resolve()))
    try:
        account = getpass.getuser()
    except Exception:  # no user name in the environment or the password database
        account = str(os.getuid()) if hasattr(os, "getuid") else ""
    digest = hashlib.sha256(f"{account}\0{where}".encode()).hexdigest()[:32]
    return f"medspa-desktop-{digest}"


class SingleInstance(QObject):
    """Held by the first program on a database for as long as it runs; answers later
    starts by emitting ``raise_requested`` (connected to :func:`bring_to_front`)."""

    raise_requested = Signal()

    def __init__(self, target: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.target = target
        self.name = instance_key(target)
        self.lock = QLockFile(os.path.join(QDir.tempPath(), f"{self.name}.lock"))
        self.lock.setStaleLockTime(0)  # never stale by age: only when its program is gone
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self.server.newConnection.connect(self._accept)

    def claim(self) -> bool:
        """True when this is the first program on the database (it now answers the later
        ones); False when another one runs and has been asked to come to the front."""
        deadline = time.monotonic() + WAIT_FOR_FIRST_S
        while not self.lock.tryLock(0):
            if self.lock.error() != QLockFile.LockError.LockFailedError:
                log.warning("No single-window lock for %s (%s); carrying on", self.target,
                            self.lock.error().name)
                return True
            if ask_to_raise(self.name):
                log.info("%s is open in a window already: asked it to come to the front",
                         self.target)
                return False
            if time.monotonic() > deadline:  # its holder never listened: carry on
                log.warning("The program holding %s does not answer; opening anyway",
                            self.lock.fileName())
                return True
            time.sleep(0.1)
        QLocalServer.removeServer(self.name)  # the socket of a program that crashed
        if self.server.listen(self.name):
            log.info("Other starts on %s bring this window to the front", self.target)
        else:
            log.warning("Cannot answer other starts on %s: %s", self.target,
                        self.server.errorString())
        return True

    def _accept(self) -> None:
        while (socket := self.server.nextPendingConnection()) is not None:
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(socket.deleteLater)
            if socket.bytesAvailable():
                self._read(socket)

    def _read(self, socket: QLocalSocket) -> None:
        if socket.canReadLine() and bytes(socket.readLine().data()) == RAISE:
            log.info("Another start on %s: brought the window to the front", self.target)
            self.raise_requested.emit()
        socket.disconnectFromServer()


def ask_to_raise(name: str) -> bool:
    """Ask the program listening on ``name`` to come to the front; False when none does."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(CONNECT_MS):
        return False
    socket.write(RAISE)
    sent = socket.waitForBytesWritten(CONNECT_MS)
    socket.disconnectFromServer()
    if socket.state() != QLocalSocket.LocalSocketState.UnconnectedState:
        socket.waitForDisconnected(CONNECT_MS)
    return sent


def bring_to_front() -> None:
    """Show the window staff would be looking at: a dialog it is waiting on (the sign-in,
    say), or else the main window; restored if minimised."""
    app = QApplication.instance()
    if app is None:
        return
    widget: QWidget | None = app.activeModalWidget()
    if widget is None:
        shown = [w for w in app.topLevelWidgets() if w.isVisible()]
        widget = next((w for w in shown if isinstance(w, QMainWindow)),
                      shown[0] if shown else None)
    if widget is None:
        return
    if widget.isMinimized():
        widget.showNormal()
    widget.raise_()
    widget.activateWindow()


def claim(target: str) -> SingleInstance | None:
    """Before the database is opened: the instance to keep while the program runs, or None
    when another window on ``target`` was brought to the front instead (quit now)."""
    instance = SingleInstance(target, QApplication.instance())
    if not instance.claim():
        instance.deleteLater()
        return None
    instance.raise_requested.connect(bring_to_front)
    return instance
