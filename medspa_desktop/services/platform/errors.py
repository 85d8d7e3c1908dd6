"""Errors whose message is written for the person at the front desk, not for a programmer."""


class DomainError(Exception):
    """A refused operation. ``str(error)`` is shown to the user as it is."""


class ValidationError(DomainError):
    """Bad input: a field is empty, malformed or out of range."""


class ConflictError(DomainError):
    """The operation clashes with what is already booked or stored."""


class StaleEditError(DomainError):
    """Another workstation changed the record since it was loaded."""


class PermissionDenied(DomainError):
    """The acting user's role does not allow this."""


class AuthError(DomainError):
    """Sign-in refused."""


class NotFound(DomainError):
    """The record asked for does not exist."""


class ContraindicationError(DomainError):
    """The patient's history contraindicates the treatment; a provider may acknowledge it."""
