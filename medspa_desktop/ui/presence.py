"""Who is signed in where, on screen: this window's presence row (``services/platform/
presence.py``) kept alive by a heartbeat, the status bar's list of who is signed in on which PC,
and what a chart shows when someone on another PC is writing on it.

The PC's name is kept on this PC (``QSettings``, File → This PC's name…), its host name until
it is set. Presence is a courtesy, never a lock: a heartbeat or an editing mark that cannot be
written (the server gone) is skipped and said again later.
"""

from __future__ import annotations

import html
import weakref

from PySide6.QtCore import QObject, QSettings, QTimer
from PySide6.QtWidgets import QLabel, QWidget

from ..logs import log
from ..services.platform import presence
from ..services.platform.errors import DomainError
from ..store.models import User
from . import style
from .bus import bus, on_change
from .widgets.elided_label import ElidedLabel

SETTING = "workstation/name"

_current: weakref.ref[PresenceTracker] | None = None


def workstation_name() -> str:
    return str(QSettings().value(SETTING, "") or "") or presence.default_workstation()


def set_workstation_name(name: str) -> str:
    """Keep this PC's name (raises ValidationError when blank or too long)."""
    name = presence.clean_workstation(name)
    QSettings().setValue(SETTING, name)
    return name


def current() -> PresenceTracker | None:
    """The tracker of the main window open in this program (None: none is)."""
    tracker = _current() if _current is not None else None
    return tracker if tracker is not None and tracker.id is not None else None


def presence_id() -> int | None:
    tracker = current()
    return tracker.id if tracker is not None else None


def mark_editing(patient_id: int | None, what: str = presence.WRITING_A_NOTE) -> None:
    """What this window edits now (None: nothing), for the other PCs' charts."""
    tracker = current()
    if tracker is not None:
        tracker.set_editing(patient_id, what)


class PresenceTracker(QObject):
    """This main window's row: begun at once, a heartbeat, ended by :meth:`end`."""

    def __init__(self, user: User, parent: QObject) -> None:
        super().__init__(parent)
        global _current
        self.user = user
        self.id: int | None = None
        self.workstation = workstation_name()
        self._editing: tuple[int | None, str] = (None, "")
        self.timer = QTimer(self)
        self.timer.setInterval(presence.HEARTBEAT_S * 1000)
        self.timer.timeout.connect(self.beat)
        _current = weakref.ref(self)
        self._begin()
        self.timer.start()

    def _begin(self) -> None:
        try:
            self.id = presence.begin(self.user, self.workstation)
        except DomainError as exc:
            log.info("Not shown as signed in: %s", exc)
            return
        patient_id, what = self._editing
        if patient_id is not None:
            presence.editing(self.user, self.id, patient_id, what)

    def beat(self) -> None:
        if bus().lost:
            return
        if self.id is None or not presence.heartbeat(self.user, self.id):
            self._begin()

    def rename(self, workstation: str) -> None:
        """This PC has a new name: shown from now on."""
        self.workstation = workstation
        self.end()
        self._begin()

    def set_editing(self, patient_id: int | None, what: str) -> None:
        wanted = (patient_id, what if patient_id is not None else "")
        if wanted == self._editing:
            return
        self._editing = wanted
        if self.id is None or bus().lost:
            return
        try:
            presence.editing(self.user, self.id, *wanted)
        except DomainError as exc:
            log.info("Editing mark not written: %s", exc)

    def end(self) -> None:
        self.timer.stop()
        if self.id is None:
            return
        ending, self.id = self.id, None
        if bus().lost:
            return  # the row goes stale on its own
        try:
            presence.end(self.user, ending)
        except Exception as exc:  # noqa: BLE001 (closing: nothing more to do about it)
            log.info("Presence not ended (it goes stale): %s", exc)


def others_text(seen: list[presence.Seen], mine: int | None) -> tuple[str, str]:
    """The status bar's words and its tooltip for who is signed in."""
    others = [s for s in seen if s.id != mine]
    if not others:
        text = "No one else signed in"
    elif len(others) <= 2:
        text = "Also signed in: " + ", ".join(f"{s.name} ({s.workstation})" for s in others)
    else:
        text = f"Also signed in: {len(others)} people"
    lines = []
    for s in seen:
        doing = f", {s.editing}" if s.editing else ""
        here = " — this window" if s.id == mine else ""
        lines.append(f"{html.escape(s.name)} at {html.escape(s.workstation)}, since "
                     f"{s.signed_in_at:%H:%M}{html.escape(doing)}{here}")
    tip = "<b>Signed in now</b><br>" + "<br>".join(lines) if lines else ""
    return text, tip


class PresenceLabel(ElidedLabel):
    """The status bar's "Also signed in: …", with everyone in its tooltip."""

    def __init__(self, user: User, parent: QWidget | None = None) -> None:
        super().__init__("", parent)
        self.user = user
        self.setAccessibleName("Signed in")
        on_change(self, ("presence", "staff"))
        self.timer = QTimer(self)  # someone's PC switched off: gone after STALE_S
        self.timer.setInterval(presence.HEARTBEAT_S * 1000)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        self.refresh()

    def refresh(self) -> None:
        if bus().lost or not self.window().isVisible():  # (a window closed: nothing shown)
            return
        try:
            seen = presence.signed_in(self.user)
        except DomainError as exc:  # the account deactivated meanwhile: the window follows
            log.info("Who is signed in not redrawn: %s", exc)
            return
        text, tip = others_text(seen, presence_id())
        self.setText(text)
        self.setToolTip(tip)


class EditingNotice(QLabel):
    """On a chart: "Dr Vasquez is writing a note for this patient at Room 2" while another
    window is; hidden otherwise."""

    def __init__(self, user: User, patient_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.user, self.patient_id = user, patient_id
        self.setWordWrap(True)
        self.setAccessibleName("Also editing")
        self.setStyleSheet(style.BANNER_NOTICE)
        self.hide()
        on_change(self, ("presence",))
        self.timer = QTimer(self)  # a PC switched off while writing: gone after STALE_S
        self.timer.setInterval(presence.HEARTBEAT_S * 1000)
        self.timer.timeout.connect(self._recheck)
        self.timer.start()
        self.refresh()

    def _recheck(self) -> None:
        if self.isVisible():  # only a notice shown can have gone stale
            try:
                self.refresh()
            except DomainError as exc:
                log.info("Chart's editing notice not redrawn: %s", exc)

    def refresh(self) -> None:
        if bus().lost:
            return
        others = presence.editing_chart(self.user, self.patient_id, presence_id())
        self.setText("✎ " + "; ".join(presence.editing_sentence(s) for s in others) + "."
                     if others else "")
        self.setVisible(bool(others))
