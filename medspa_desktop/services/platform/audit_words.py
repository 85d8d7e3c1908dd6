"""The audit log in an owner's words: who by name ("Ada Admin", not "admin"), what was done
("Chart opened", not "patient.open"), on which record ("Ng, Zoë (chart 000158)", not
"patient 158"), amounts as money ("expected cash $100.00", not "expected cash 10000") and
dates as people write them ("Fri 4 Dec 2026").

The stored rows never change (they are hash-chained): this is how they are shown. Names are
looked up once per page of rows and kind of record (``user_names``, ``record_names``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable

from ...store.models import (
    Appointment,
    Consent,
    Device,
    Invoice,
    Note,
    OutboxMessage,
    Patient,
    Photo,
    Product,
    Room,
    Service,
    User,
)
from ..billing.money import show_cents
from ..charts.patients import listed_name
from .audit import SYSTEM_USERNAME
from .vocabulary import MessageKind

ACTIONS = {
    "appointment.book": "Appointment booked",
    "appointment.contact": "Patient called about an appointment",
    "appointment.move": "Appointment moved",
    "appointment.override": "Booking rule overridden",
    "appointment.status": "Appointment status changed",
    "audit.export": "Audit log exported",
    "audit.view": "Audit log viewed",
    "backup.create": "Backup made",
    "credit.goodwill": "Goodwill credit on account given",
    "credit.payout": "Credit on account paid out to the patient",
    "backup.folder": "Backup folder changed",
    "backup.restore": "Backup restore started",
    "backup.restored": "Backup restored",
    "clinic.moved_away": "Clinic moved to a server (this file kept as the fallback)",
    "block.create": "Time blocked",
    "block.lift": "Time block lifted",
    "clinic.create": "Clinic created",
    "clinic.details": "Clinic details changed",
    "clinic.logo": "Clinic logo changed",
    "consent.override": "Consent rule overridden",
    "consent.paper": "Paper consent recorded",
    "consent.sign": "Consent signed",
    "consent.template": "Consent form changed",
    "consent.view": "Consent viewed",
    "gift_card.close": "Gift card closed",
    "gift_card.view": "Gift card looked up",
    "intake.record": "Intake answers recorded",
    "invoice.issue": "Invoice issued",
    "invoice.void": "Invoice voided",
    "lock": "Screen locked",
    "membership.agreement_view": "Membership agreement viewed",
    "membership.cancel": "Membership cancelled",
    "membership.credits_expire": "Membership's banked credits expired after its grace period",
    "membership.enrol": "Patient enrolled in a membership",
    "membership.freeze": "Membership frozen",
    "membership.plan": "Membership plan saved",
    "membership.plan_retire": "Membership plan retired",
    "membership.reactivate": "Membership reactivated",
    "message.queue": "Message queued",
    "message.recall": "Recall emails queued",
    "message.waitlist_offer": "Freed slot offered to the waitlist",
    "message.send": "Message sent",
    "message.fail": "Message not sent",
    "message.retry": "Message to be tried again",
    "message.withdraw": "Message withdrawn",
    "message.unsure": "Message may have been sent",
    "settings.messages": "Message settings changed",
    "unlock": "Screen unlocked",
    "login": "Signed in",
    "login.failed": "Sign-in failed",
    "login.refused": "Sign-in refused",
    "logout": "Signed out",
    "note.addendum": "Addendum added to a note",
    "note.cosign": "Note co-signed",
    "note.open": "Note opened",
    "note.save": "Note draft saved",
    "note.sign": "Note signed",
    "note.start": "Note started",
    "package.cancel": "Package cancelled",
    "patient.archive": "Patient archived",
    "patient.contact_consent": "Consent to be contacted recorded",
    "patient.create": "Patient added",
    "patient.import": "Patients imported",
    "patient.import_history": "Visit history imported",
    "patient.merge": "Patients merged",
    "patient.open": "Chart opened",
    "patient.unarchive": "Patient brought back",
    "patient.update": "Patient details changed",
    "payment.refund": "Refund",
    "payment.take": "Payment taken",
    "photo.import": "Photo added",
    "photo.view": "Photo viewed",
    "product.activate": "Product back on sale",
    "product.retire": "Product retired",
    "product.create": "Product added",
    "product.edit": "Product changed",
    "product.price": "Product price set",
    "provider.hours": "Provider's hours changed",
    "provider.skills": "Provider's services changed",
    "report.daily_close": "Daily close",
    "report.day_sheet": "Day sheet made",
    "report.recall": "Lot recall looked up",
    "report.sales": "Sales report",
    "report.viewed": "Report looked at",
    "data.export": "Clinic data exported",
    "clinic.import": "Clinic imported from an export",
    "device.activate": "Device back in use",
    "device.create": "Device added",
    "device.deactivate": "Device out of use",
    "device.update": "Device changed",
    "room.activate": "Room back in use",
    "room.deactivate": "Room out of use",
    "room.create": "Room added",
    "room.order": "Rooms reordered",
    "room.rename": "Room renamed",
    "series.book": "Series booked",
    "service.activate": "Service back in use",
    "service.retire": "Service retired",
    "service.create": "Service added",
    "service.defaults": "Service defaults changed",
    "service.price": "Service price changed",
    "service.update": "Service changed",
    "settings.clinical_periods": "Clinical periods changed",
    "settings.commission": "Commission rates changed",
    "settings.consent": "Consent settings changed",
    "settings.hours": "Opening hours changed",
    "settings.lock": "Lock settings changed",
    "settings.paper": "Paper size changed",
    "settings.schedule": "Schedule settings changed",
    "settings.tax": "Tax rates changed",
    "stock.adjust": "Stock adjusted",
    "stock.receive": "Stock received",
    "stock.return": "Stock returned",
    "stock.sale": "Stock sold",
    "stock.use": "Stock used",
    "treatment.acknowledge": "Treatment warning acknowledged",
    "treatment.amend": "Treatment record amended",
    "treatment.interval": "Treatment interval overridden",
    "treatment.record": "Treatment charted",
    "user.activate": "Account enabled",
    "user.deactivate": "Account disabled",
    "user.create": "Account added",
    "user.details": "Account details changed",
    "user.password_change": "Password changed",
    "user.password_change_failed": "Password change failed",
    "user.password_reset": "Password reset",
    "user.role": "Role changed",
    "user.unlock": "Account unlocked",
    "waitlist.add": "Added to the waitlist",
    "waitlist.book": "Booked from the waitlist",
    "waitlist.remove": "Removed from the waitlist",
}
PRINTED = {  # print.<document>
    "consent": "Consent printed", "consent_form": "Consent form printed",
    "intake_form": "Intake form printed", "invoice": "Invoice printed",
    "receipt": "Receipt printed", "treatment_record": "Treatment record printed",
    "staff_statement": "Pay statement printed",
}
SYSTEM = "The program"


def when(at: dt.datetime) -> str:
    """ "Fri 4 Dec 2026 14:03" """
    return f"{at:%a} {at.day} {at:%b %Y %H:%M}"


def day(value: dt.date) -> str:
    """ "4 Dec 2026" """
    return f"{value.day} {value:%b %Y}"


def action_words(action: str) -> str:
    if action in ACTIONS:
        return ACTIONS[action]
    if action.startswith("print."):
        document = action.removeprefix("print.")
        return PRINTED.get(document, f"{document.replace('_', ' ').capitalize()} printed")
    return action.replace("_", " ").replace(".", ": ").capitalize()


def user_names(usernames: Iterable[str]) -> dict[str, str]:
    """username → full name, for the usernames of a page (one query)."""
    wanted = [u for u in set(usernames) if u and u != SYSTEM_USERNAME]
    if not wanted:
        return {}
    return dict(User.select(User.username, User.full_name)
                .where(User.username.in_(wanted)).tuples())


def who(username: str, names: dict[str, str]) -> str:
    if username == SYSTEM_USERNAME:
        return SYSTEM
    return names.get(username) or f"“{username}” (no such account)"


def _patient(first: str, last: str, preferred: str, chart: str) -> str:
    return f"{listed_name(first, last, preferred)} (chart {chart})"


def _ids(rids: Iterable[str]) -> list[int]:
    return [int(r) for r in rids if r.isdigit()]


def _of_patient(model, label: str, ids: list[int], extra=None) -> dict[str, str]:
    fields = [model.id, Patient.first_name, Patient.last_name, Patient.preferred_name,
              Patient.chart_number, *([extra] if extra is not None else [])]
    out = {}
    for rid, first, last, preferred, chart, *more in (
            model.select(*fields).join(Patient).where(model.id.in_(ids)).tuples()):
        out[str(rid)] = label.format(patient=_patient(first, last, preferred, chart),
                                     more=more[0] if more else "")
    return out


def _appointments(ids: list[int]) -> dict[str, str]:
    out = {}
    for rid, first, last, preferred, chart, start in (
            Appointment.select(Appointment.id, Patient.first_name, Patient.last_name,
                               Patient.preferred_name, Patient.chart_number, Appointment.start)
            .join(Patient).where(Appointment.id.in_(ids)).tuples()):
        out[str(rid)] = f"Visit of {_patient(first, last, preferred, chart)}, {when(start)}"
    return out


def _named(model, field, label: str, ids: list[int]) -> dict[str, str]:
    return {str(rid): label.format(name)
            for rid, name in model.select(model.id, field).where(model.id.in_(ids)).tuples()}


def record_names(records: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """(record type, id) → what it is called, for the records of a page: one query per kind
    of record on the page."""
    by_kind: dict[str, set[str]] = defaultdict(set)
    for kind, rid in records:
        by_kind[kind].add(rid)
    out: dict[tuple[str, str], str] = {}
    for kind, rids in by_kind.items():
        ids = _ids(rids)
        if not ids:
            continue
        if kind == "patient":
            names = {str(rid): _patient(first, last, preferred, chart)
                     for rid, first, last, preferred, chart in Patient.select(
                         Patient.id, Patient.first_name, Patient.last_name,
                         Patient.preferred_name, Patient.chart_number)
                     .where(Patient.id.in_(ids)).tuples()}
        elif kind == "appointment":
            names = _appointments(ids)
        elif kind == "note":
            names = _of_patient(Note, "Note of {patient}", ids)
        elif kind == "photo":
            names = _of_patient(Photo, "Photo of {patient}", ids)
        elif kind == "consent":
            names = _of_patient(Consent, "Consent of {patient}", ids)
        elif kind == "invoice":
            names = _of_patient(Invoice, "Invoice {more}, {patient}", ids, Invoice.number)
        elif kind == "user":
            names = _named(User, User.full_name, "{}", ids)
        elif kind == "message":
            names = {str(rid): f"{MessageKind.label_of(what)} to {to}"
                     for rid, what, to in OutboxMessage.select(
                         OutboxMessage.id, OutboxMessage.kind, OutboxMessage.to_address)
                     .where(OutboxMessage.id.in_(ids)).tuples()}
        elif kind in ("room", "device", "service", "product"):
            model = {"room": Room, "device": Device, "service": Service,
                     "product": Product}[kind]
            names = _named(model, model.name, f"{kind.capitalize()} “{{}}”", ids)
        else:
            continue
        out.update({(kind, rid): name for rid, name in names.items()})
    return out


_PERIOD = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")


def record_words(kind: str, rid: str) -> str:
    """A record no lookup named: a day, a period, or the kind and number in words."""
    if kind == "day" and _ISO_DATE.fullmatch(rid):
        return f"{dt.date.fromisoformat(rid):%a} {day(dt.date.fromisoformat(rid))}"
    if kind == "period" and (m := _PERIOD.match(rid)):
        first, last = (dt.date.fromisoformat(x) for x in m.groups())
        return f"{day(first)} – {day(last)}"
    if kind == "clinic":
        return "The clinic"
    if kind == "patient" and not rid:
        return "Patients"  # an import: the summary says how many
    return f"{kind.replace('_', ' ').capitalize()} {rid}".strip()


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATE_IN_TEXT = re.compile(r"(?<![\d-])(\d{4}-\d{2}-\d{2})(?![\d-])")
_CENTS_AFTER = {  # whole cents the summary writes after these words
    "report.daily_close": re.compile(r"\b(expected cash|counted) (-?\d+)\b"),
    "report.sales": re.compile(r"\b(sales) (-?\d+)\b"),
}
_DECIMAL_PRICE = re.compile(r"(?<![\d.$])(-?\d+\.\d{2})(?![\d])")


def summary_words(action: str, summary: str) -> str:
    """The summary with its amounts as money in the clinic's currency and its dates as
    people write them."""
    text = summary
    if action in _CENTS_AFTER:
        text = _CENTS_AFTER[action].sub(
            lambda m: f"{m[1]} {show_cents(int(m[2]))}", text)
    elif action.startswith("service."):  # prices written as 123.00
        text = _DECIMAL_PRICE.sub(
            lambda m: show_cents(round(float(m[1]) * 100)), text)
    text = text.replace(" -> ", " → ")

    def date_words(m: re.Match) -> str:
        try:
            return day(dt.date.fromisoformat(m[1]))
        except ValueError:
            return m[1]

    return _ISO_DATE_IN_TEXT.sub(date_words, text)
