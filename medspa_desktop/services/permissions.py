"""Who may do what. Enforced here, in the services: a hidden button is not a permission check.

The matrix is the single written source; a test holds the README's table to ``matrix_rows``.
"""

from __future__ import annotations

from ..store.models import ROLE_LABELS, User
from .errors import PermissionDenied

ALL = frozenset({"admin", "medical_director", "provider", "front_desk"})
CLINICAL = frozenset({"medical_director", "provider"})

# permission: (roles allowed, what it lets a person do — used in refusals)
PERMISSIONS: dict[str, tuple[frozenset[str], str]] = {
    "patient.read": (ALL, "look up patients"),
    "patient.write": (ALL, "register or change patients"),
    "patient.archive": (frozenset({"admin", "medical_director"}), "archive patients"),
    "schedule.read": (ALL, "see the schedule"),
    "schedule.write": (ALL, "book or change appointments"),
    "treatment.read": (CLINICAL | {"admin"}, "see treatment records"),
    "notes.read": (CLINICAL, "read clinical notes"),
    "notes.write": (CLINICAL, "write and sign clinical notes"),
    "notes.cosign": (frozenset({"medical_director"}), "co-sign clinical notes"),
    "photos.read": (CLINICAL, "see clinical photos"),
    "photos.write": (CLINICAL, "add clinical photos"),
    "inventory.read": (ALL, "see stock"),
    "inventory.write": (frozenset({"admin", "medical_director"}),
                        "receive or adjust stock"),
    "inventory.use": (CLINICAL, "draw stock for a treatment"),
    "treatment.write": (CLINICAL, "chart treatments"),
    "consent.read": (ALL, "see consent forms and signed consents"),
    "consent.sign": (ALL, "record a signed consent (on screen or on paper)"),
    "consent.template": (frozenset({"admin"}), "edit consent templates"),
    "consent.override": (CLINICAL, "start a treatment without a valid consent"),
    "billing.read": (ALL, "see invoices and payments"),
    "billing.checkout": (ALL, "check out patients and take payments"),
    "billing.refund": (frozenset({"admin", "medical_director"}),
                       "refund payments and void invoices"),
    "catalog.write": (frozenset({"admin"}), "change rooms, devices and services"),
    "users.manage": (frozenset({"admin"}), "manage staff accounts"),
    "audit.read": (frozenset({"admin", "medical_director"}), "review the audit log"),
    "backup.run": (ALL, "back up the clinic's data"),
    "backup.manage": (frozenset({"admin"}), "choose the backup folder and restore a backup"),
}


def allowed(user: User | None, permission: str) -> bool:
    roles, _ = PERMISSIONS[permission]
    return user is not None and user.active and user.role in roles


def require(user: User | None, permission: str) -> None:
    """Raise PermissionDenied unless ``user`` holds ``permission``."""
    if allowed(user, permission):
        return
    _, what = PERMISSIONS[permission]
    if user is None:
        raise PermissionDenied(f"Sign in to {what}.")
    if not user.active:
        raise PermissionDenied(f"{user.display_name}'s account is deactivated.")
    role = ROLE_LABELS.get(user.role, user.role)
    raise PermissionDenied(f"{user.display_name} ({role}) may not {what}.")


def matrix_rows() -> list[tuple[str, list[bool]]]:
    """(what, [allowed per role in ROLE_LABELS order]) for documentation and screens."""
    return [
        (what, [role in roles for role in ROLE_LABELS])
        for roles, what in PERMISSIONS.values()
    ]
