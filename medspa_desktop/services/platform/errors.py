"""Errors whose message is written for the person at the front desk, not for a programmer."""


class DomainError(Exception):
    """A refused operation. ``str(error)`` is shown to the user as it is."""


class ValidationError(DomainError):
    """Bad input: a field is empty, malformed or out of range."""


class ConflictError(DomainError):
    """The operation clashes with what is already booked or stored."""


class StaleEditError(DomainError):
    """Another workstation changed the record since it was loaded. ``changed_by`` is that
    save (``services/platform/stale.py``'s ``Change``: who, when, at which PC) when known."""

    def __init__(self, message: str, *, changed_by=None) -> None:
        super().__init__(message)
        self.changed_by = changed_by


class PermissionDenied(DomainError):
    """The acting user's role does not allow this."""


class AuthError(DomainError):
    """Sign-in refused."""


class NotFound(DomainError):
    """The record asked for does not exist."""


class ServerUnreachable(DomainError):
    """The clinic's database server cannot be reached: nothing was saved
    (``services/platform/remote.py`` tells this from any other database error)."""


# -- refusals the user can answer -------------------------------------------------------------
# What kind of answer a ``NeedsAnswer`` wants.
REASON = "reason"  # a line of text, kept on the record and in the audit log
ACKNOWLEDGEMENT = "acknowledgement"  # a reason that says the user has read a warning
CONFIRMATION = "confirmation"  # yes or no


class NeedsAnswer(DomainError):
    """A refusal the user can lift by answering a question. The one "ask, then retry"
    contract: the UI asks ``question`` (a reason, an acknowledgement or a confirmation, by
    ``kind``) and calls the service again with ``answers={key: answer}``; the service then
    goes ahead and records the answer. ``str(error)`` is the refusal as before; ``title`` heads
    the prompt; ``unanswered`` is what to say when the user gives no answer ("" says
    nothing).

    Every service that raises one takes ``answers: Mapping[str, str | bool] | None``. A key
    names the rule, not the wording: ``treatment.unusual``, ``toxin.interval``,
    ``contraindication``, ``consent.missing``, ``booking.override``."""

    key: str = ""
    kind: str = REASON
    title: str = "Please answer"
    prompt: str = "Reason:"
    unanswered: str = ""

    def __init__(self, message: str, *, key: str | None = None, kind: str | None = None,
                 title: str | None = None, prompt: str | None = None,
                 unanswered: str | None = None) -> None:
        super().__init__(message)
        for name, value in (("key", key), ("kind", kind), ("title", title),
                            ("prompt", prompt), ("unanswered", unanswered)):
            if value is not None:
                setattr(self, name, value)

    @property
    def question(self) -> str:
        """The whole text of the prompt: the refusal, then what is asked."""
        if self.kind == CONFIRMATION or not self.prompt:
            return str(self)
        return f"{self}\n\n{self.prompt}"


def answer(answers, key: str, default=""):
    """The answer given to ``key`` in a service's ``answers`` keyword (``default`` when none)."""
    if not answers:
        return default
    return answers.get(key, default)


class OverrideNeeded(NeedsAnswer, ConflictError):
    """A double-booking or a booking outside hours: it may go ahead with a reason, audited."""

    key = "booking.override"
    title = "Book anyway?"
    prompt = "Reason:"


class ContraindicationError(NeedsAnswer):
    """The patient's history contraindicates the treatment; a provider may acknowledge it."""

    key = "contraindication"
    kind = ACKNOWLEDGEMENT
    title = "Contraindication"
    prompt = "Why is it safe to go ahead?"
