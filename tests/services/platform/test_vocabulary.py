"""The stored words of statuses, roles, consent and payment methods, payment and product kinds:
each with its label, and stored as the same text older versions wrote."""

from __future__ import annotations

import pytest

from medspa_desktop.services.platform.vocabulary import (
    AppointmentStatus,
    ConsentMethod,
    CreditKind,
    InvoiceStatus,
    NoteStatus,
    PaymentKind,
    PaymentMethod,
    ProductKind,
    Role,
    WaitlistStatus,
)
from medspa_desktop.store.database import db


@pytest.mark.parametrize(("vocabulary", "words"), [
    (AppointmentStatus, ["booked", "confirmed", "arrived", "in_treatment", "completed",
                         "checked_out", "cancelled", "no_show"]),
    (InvoiceStatus, ["open", "paid", "void"]),
    (NoteStatus, ["draft", "signed"]),
    (WaitlistStatus, ["waiting", "booked", "removed"]),
    (ConsentMethod, ["screen", "paper"]),
    (PaymentKind, ["payment", "refund"]),
    (Role, ["admin", "medical_director", "provider", "front_desk"]),
    (PaymentMethod, ["cash", "card", "check", "gift_card", "account_credit"]),
    # (a payout's words are new in schema 22's data: older databases hold none of them)
    (CreditKind, ["overpayment", "refund", "goodwill", "used", "returned", "payout_cash",
                  "payout_card"]),
    (ProductKind, ["toxin", "filler", "solution", "consumable", "retail"]),
])
def test_the_stored_words_are_those_older_databases_hold(vocabulary, words):
    assert [member.value for member in vocabulary] == words
    assert all(member.label and member.label != member.value for member in vocabulary)


def test_labels_and_lookups():
    assert AppointmentStatus("no_show").label == "No-show"
    assert Role.labels() == {"admin": "Admin", "medical_director": "Medical director",
                             "provider": "Provider", "front_desk": "Front desk"}
    assert PaymentMethod.label_of("gift_card") == "Gift card"
    assert PaymentMethod.label_of("barter") == "barter"  # an unknown word is shown as it is
    assert Role.has("admin") and not Role.has("Admin") and not Role.has(None)


def test_a_member_is_stored_as_plain_text(admin):
    from medspa_desktop.services.platform import auth

    auth.create_user(admin, auth.UserInput("desk", "Dee Desk", Role.FRONT_DESK, "long-enough"))
    assert db.execute_sql("SELECT role, typeof(role) FROM user WHERE username = 'desk'"
                          ).fetchall() == [("front_desk", "text")]
