"""The words the clinic's tables store, each with the label staff see beside it: appointment,
invoice, note and waitlist statuses, staff roles, how a consent was signed, payment methods
and kinds, and product kinds.

They live together here, below every domain, because each is read across domains (an
appointment's status by the schedule, charting and checkout; an invoice's by billing,
packages and reports; a role by every permission check), and a domain package importing
another's module for a word would make import cycles. The rules that use them (which status
may follow which, which role may do what) stay with their domain.

Each is a ``StrEnum``: a member *is* its stored text (``AppointmentStatus.BOOKED ==
"booked"``), so the tables, the frozen fixtures and the migrations are unchanged. A view
carries the key (``row.status_key``, an item's data) and shows ``.label``; code compares keys,
never labels.
"""

from __future__ import annotations

from enum import StrEnum


class Vocabulary(StrEnum):
    """A stored word with its label: ``Member = "stored", "Label"``."""

    label: str

    def __new__(cls, value: str, label: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def labels(cls) -> dict[str, str]:
        """{stored word: label}, in declaration order (for combo boxes and messages)."""
        return {member.value: member.label for member in cls}

    @classmethod
    def has(cls, value: object) -> bool:
        """Whether ``value`` is one of these stored words (``value in cls`` warns on 3.11)."""
        return isinstance(value, str) and value in cls._value2member_map_

    @classmethod
    def label_of(cls, value: str) -> str:
        """The label of a stored word; the word itself when it is not one of ours."""
        try:
            return cls(value).label
        except ValueError:
            return value


class Role(Vocabulary):
    ADMIN = "admin", "Admin"
    MEDICAL_DIRECTOR = "medical_director", "Medical director"
    PROVIDER = "provider", "Provider"
    FRONT_DESK = "front_desk", "Front desk"


class AppointmentStatus(Vocabulary):
    BOOKED = "booked", "Booked"
    CONFIRMED = "confirmed", "Confirmed"
    ARRIVED = "arrived", "Arrived"
    IN_TREATMENT = "in_treatment", "In treatment"
    COMPLETED = "completed", "Completed"
    CHECKED_OUT = "checked_out", "Checked out"
    CANCELLED = "cancelled", "Cancelled"
    NO_SHOW = "no_show", "No-show"


_S = AppointmentStatus
# cancelled and no-show free the provider, room and device; every other status holds them
FREED_STATUSES = (_S.CANCELLED, _S.NO_SHOW)
ACTIVE_STATUSES = tuple(s for s in AppointmentStatus if s not in FREED_STATUSES)
NOT_ARRIVED_STATUSES = (_S.BOOKED, _S.CONFIRMED)  # still to come: may be moved
STARTED_STATUSES = (_S.IN_TREATMENT, _S.COMPLETED, _S.CHECKED_OUT)  # may be charted, billed
CAME_IN_STATUSES = (_S.ARRIVED, *STARTED_STATUSES)


class InvoiceStatus(Vocabulary):
    OPEN = "open", "Open"
    PAID = "paid", "Paid"
    VOID = "void", "Void"


class WaitlistStatus(Vocabulary):
    WAITING = "waiting", "Waiting"
    BOOKED = "booked", "Booked"
    REMOVED = "removed", "Removed"


class ConsentMethod(Vocabulary):
    SCREEN = "screen", "Signed on screen"
    PAPER = "paper", "Signed on paper"


class NoteStatus(Vocabulary):
    DRAFT = "draft", "Draft"
    SIGNED = "signed", "Signed"


class PaymentMethod(Vocabulary):
    CASH = "cash", "Cash"
    CARD = "card", "Card"
    CHECK = "check", "Check"
    GIFT_CARD = "gift_card", "Gift card"
    ACCOUNT_CREDIT = "account_credit", "Account credit"


class CreditKind(Vocabulary):
    """A movement of a patient's credit on account (services/billing/account_credit.py)."""

    OVERPAYMENT = "overpayment", "Overpayment kept as credit"
    REFUND = "refund", "Refund to credit"
    GOODWILL = "goodwill", "Goodwill credit"
    USED = "used", "Paid an invoice"
    RETURNED = "returned", "Credit payment refunded"
    PAYOUT_CASH = "payout_cash", "Paid out in cash"
    PAYOUT_CARD = "payout_card", "Paid out to a card"


class PaymentKind(Vocabulary):
    PAYMENT = "payment", "Payment"
    REFUND = "refund", "Refund"  # money given back; its amount is positive too


class ProductKind(Vocabulary):
    # an injectable solution (mesotherapy) is drawn in mL, with its lot, like a toxin or filler
    TOXIN = "toxin", "Neurotoxin"
    FILLER = "filler", "Dermal filler"
    SOLUTION = "solution", "Injectable solution (mesotherapy)"
    CONSUMABLE = "consumable", "Consumable"
    RETAIL = "retail", "Retail item"


class MessageState(Vocabulary):
    """An outbox message's state (services/messaging/outbox.py)."""

    QUEUED = "queued", "Waiting to send"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    WITHDRAWN = "withdrawn", "Withdrawn"


class MessageChannel(Vocabulary):
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"


class MessageKind(Vocabulary):
    REMINDER = "reminder", "Appointment reminder"
    CONFIRMATION = "confirmation", "Booking confirmation"
    RECALL = "recall", "Recall"
    WAITLIST_OFFER = "waitlist_offer", "Waitlist offer"
    CANCELLATION = "cancellation", "Cancellation notice"
    TEST = "test", "Test message"


class ContactKind(Vocabulary):
    """What a patient may be contacted about (``contact_consent.kind``)."""

    REMINDERS = "reminders", "Appointment reminders"
    MARKETING = "marketing", "Offers and recalls"
