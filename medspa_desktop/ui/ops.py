"""The one way the UI runs an operation (in the manner of Anki's ``aqt/operations``).

``op(parent, call)`` calls a service and:

* when the service refuses with a :class:`NeedsAnswer` (a reason, an acknowledgement, a
  confirmation), asks the user with the one prompt for that kind and calls again with
  ``answers={key: answer}`` — the one "ask, then retry" contract; a screen that asks its own
  way passes ``askers={key: ask}``, and a form that has its own field for the answer
  ``ask=False``;
* shows any other refusal (a ``DomainError``) where the form shows its errors
  (``error_label``, a ``widgets.messages.ErrorLabel``) or, by default, in a message box;
* refuses with "The clinic's server cannot be reached, so this was not done…" when the server
  is known to be gone (``bus().lost``) or goes away during the call, and tells the bus;
* returns an :class:`Outcome`, true when the service accepted, with what it returned;
* announces what the call changed (``ui/bus.py``) once, as it returns — every screen that
  shows it refreshes; the caller does not.

``background_op(parent, work, on_success=…)`` runs slow work off the UI thread (its own
database connection) with its progress, and reports back on the UI thread the same way.

A bug (any other exception) is not caught here: it reaches the log and the "unexpected error"
dialog (``ui/errors.py``).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from ..services.platform import remote
from ..services.platform.errors import CONFIRMATION, DomainError, NeedsAnswer
from ..store.database import db
from .bus import bus
from .errors import show_refusal
from .widgets import reason_prompt
from .widgets.modal import run_modal

# An asker: the answer to the question (None: the user declined, stop; "": try again as it
# is, e.g. the user did what was missing instead of answering).
Asker = Callable[[QWidget | None, NeedsAnswer], Any]


@dataclass(frozen=True)
class Outcome:
    """What an operation came to: ``ok`` (the service accepted) and what it returned, or the
    refusal that stopped it (``declined``: a question the user did not answer)."""

    ok: bool
    value: Any = None
    refusal: DomainError | None = None
    declined: bool = False

    def __bool__(self) -> bool:
        return self.ok


def ask_reason(parent: QWidget | None, title: str, prompt: str, *,
               limit: int = reason_prompt.MAX_REASON) -> str | None:
    """The one reason prompt (``widgets/reason_prompt.py``): the reason typed (never blank),
    or None when cancelled."""
    dialog = reason_prompt.ReasonDialog(title, prompt, parent, limit=limit)
    return dialog.reason() if run_modal(dialog) else None


def with_reason(parent: QWidget | None, title: str, prompt: str,
                call: Callable[[str], Any], *, limit: int = reason_prompt.MAX_REASON,
                on_refused: Callable[[DomainError], None] | None = None, key: object = None,
                **options) -> Outcome:
    """Ask for a reason and run ``call(reason)`` (through :func:`op`) from the prompt itself:
    a refusal is shown under the reason, which stays as typed, and the prompt closes once the
    service has accepted. ``on_refused`` runs as well (e.g. to redraw a stale view behind the
    prompt). Cancel or Esc: nothing is called, the outcome is ``declined``. ``key`` names
    what is asked about, for the reason kept after a refusal (``ReasonDialog``)."""
    outcome = Outcome(False, declined=True)

    def run(reason: str) -> bool:
        nonlocal outcome

        def refused(exc: DomainError) -> None:
            dialog.message.say(str(exc))
            if on_refused is not None:
                on_refused(exc)

        if _takes_answers(call):
            def with_answers(answers=None):
                return call(reason, answers=answers) if answers else call(reason)
            outcome = op(dialog, with_answers, on_refused=refused, **options)
        else:
            outcome = op(dialog, lambda: call(reason), on_refused=refused, **options)
        return outcome.ok

    dialog = reason_prompt.ReasonDialog(title, prompt, parent, limit=limit, on_ok=run,
                                        key=key)
    if not run_modal(dialog):
        return Outcome(False, refusal=outcome.refusal, declined=True)
    return outcome


def ask(parent: QWidget | None, question: NeedsAnswer) -> Any:
    """Ask what ``question`` wants: a confirmation (True) or a reason/acknowledgement (the
    text); None when the user declines."""
    if question.kind == CONFIRMATION:
        yes = QMessageBox.question(parent, question.title, question.question)
        return True if yes == QMessageBox.StandardButton.Yes else None
    return ask_reason(parent, question.title, question.question)


def refuse(parent: QWidget | None, error: DomainError | str, *, error_label=None,
           title: str = "Not done") -> None:
    """Show a refusal where the form shows its errors, or in a message box."""
    if error_label is not None:
        error_label.say(str(error))
    elif isinstance(error, DomainError):
        show_refusal(parent, error, title)
    else:
        QMessageBox.warning(parent, title, error)


def op(parent: QWidget | None, call: Callable[..., Any], *, error_label=None,
       title: str = "Not done", ask_user: bool = True,
       askers: Mapping[str, Asker] | None = None,
       on_refused: Callable[[DomainError], None] | None = None,
       on_success: Callable[[Any], None] | None = None) -> Outcome:
    """Run ``call()`` (a service call; retried as ``call(answers=...)`` once the user has
    answered what it asked). ``on_refused`` replaces the default display of a refusal."""
    if bus().lost:  # known gone: said at once, rather than after waiting for the server
        _refused(parent, remote.unreachable(), error_label, title, on_refused)
        return Outcome(False, refusal=remote.unreachable())
    with bus().held():  # what the call changed is announced once, when it is done
        try:
            return _run(parent, call, error_label, title, ask_user, askers, on_refused,
                        on_success)
        except Exception as exc:
            if not remote.server_lost(exc):
                raise
            # the server went away during the call: its transaction was never committed
            remote.drop_connection()
            bus().server_unreachable()
            refusal = remote.unreachable()
            _refused(parent, refusal, error_label, title, on_refused)
            return Outcome(False, refusal=refusal)


def _run(parent, call, error_label, title, ask_user, askers, on_refused,
         on_success) -> Outcome:
    answers: dict[str, Any] = {}
    reasons: list[tuple[tuple[str, str], str]] = []  # ((title, question), reason) typed
    while True:
        try:
            value = call(answers=dict(answers)) if answers else call()
        except NeedsAnswer as question:
            if not ask_user or answers.get(question.key) or not _takes_answers(call):
                _refused(parent, question, error_label, title, on_refused)
                return Outcome(False, refusal=question)
            given = (askers or {}).get(question.key, ask)(parent, question)
            if given is None:
                if question.unanswered:
                    refuse(parent, question.unanswered, error_label=error_label, title=title)
                return Outcome(False, refusal=question, declined=True)
            if given != "":
                answers[question.key] = given
                if isinstance(given, str):
                    reasons.append(((question.title, question.question), given))
            continue
        except DomainError as exc:
            for asked in reasons:  # offered again next time, not typed again
                reason_prompt.keep(*asked)
            _refused(parent, exc, error_label, title, on_refused)
            return Outcome(False, refusal=exc)
        if on_success is not None:
            on_success(value)
        return Outcome(True, value)


def _takes_answers(call: Callable[..., Any]) -> bool:
    """Whether ``call`` can be retried with ``answers=`` (a service call that asks does)."""
    try:
        params = inspect.signature(call).parameters
    except (TypeError, ValueError):
        return False
    return "answers" in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


def _refused(parent, exc: DomainError, error_label, title: str,
             on_refused: Callable[[DomainError], None] | None) -> None:
    if on_refused is not None:
        on_refused(exc)
    else:
        refuse(parent, exc, error_label=error_label, title=title)


# -- slow work off the UI thread --------------------------------------------------------------
class _Signals(QObject):
    done = Signal(object)
    failed = Signal(object)
    progress = Signal(str)


class Task(QRunnable):
    """``work(progress)`` on the thread pool, with its own database connection (peewee keeps
    one per thread), closed when done. Its result, its error and its progress arrive on the
    UI thread as signals."""

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
            if remote.server_lost(exc):  # (this thread's connection is the one to look at)
                remote.drop_connection()
                exc = remote.unreachable()
            self.signals.failed.emit(exc)
        else:
            self.signals.done.emit(result)


_running: set[Task] = set()


def background_op(parent: QWidget | None, work: Callable[[Callable[[str], None]], Any], *,
                  on_success: Callable[[Any], None],
                  on_failure: Callable[[Exception], None] | None = None,
                  on_progress: Callable[[str], None] | None = None,
                  error_label=None, title: str = "Not done") -> Task:
    """Run ``work(progress)`` off the UI thread; ``on_success(result)``, ``on_progress(text)``
    and the failure run on the UI thread. A refusal is shown like :func:`op` shows it unless
    ``on_failure`` handles every failure itself; a bug goes to ``sys.excepthook``."""
    task = Task(work)
    _running.add(task)  # kept alive (and its signals) until it reports back

    def succeeded(result) -> None:
        _running.discard(task)
        on_success(result)

    task.signals.done.connect(succeeded)

    def failed(exc: Exception) -> None:
        _running.discard(task)
        if on_failure is not None:
            on_failure(exc)
        elif isinstance(exc, DomainError):
            refuse(parent, exc, error_label=error_label, title=title)
        else:
            import sys

            sys.excepthook(type(exc), exc, exc.__traceback__)

    task.signals.failed.connect(failed)
    if on_progress is not None:
        task.signals.progress.connect(on_progress)
    QThreadPool.globalInstance().start(task)
    return task
