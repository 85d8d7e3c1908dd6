"""Memberships: a monthly fee with member prices and banked credits.

* A **plan** (admin) has a name, a monthly fee, a billing day (the day of the month the member
  enrolled, at most the 28th, or a fixed day), a minimum term, a notice period, and benefits:
  a percentage off per service category, a fixed member price per service, a percentage off
  retail, and credits banked each month (e.g. 20 units of toxin) that roll over up to a cap.
  Plans are versioned like consent templates: a change saves a new version, and members keep
  the version they enrolled on.
* **Enrolling** a patient: the agreement (the plan's terms, fee, term, cancellation) is signed
  on screen like a consent — its PDF is made once and kept in the database with its SHA-256 —
  and the first month's dues invoice is issued at once.
* **Monthly dues**: the timed job (:func:`issue_due`) issues each active member's dues on
  their billing day, exactly once per member and month even on several PCs at once: the
  ``membership_dues`` row has a unique key on (membership, month), so a second PC's insert
  fails, its whole transaction (invoice number included) rolls back, and it moves on. The
  month's banked credits come with the dues, up to the rollover cap.
* **Freeze** (whole months: no dues, no credits), **cancel** (effective once the notice period
  and the minimum term are both honoured, with a reason; dues due before then are still
  issued), **reactivate** (withdraws a pending cancellation, ends a freeze, or starts a
  cancelled membership again on the plan version it had).

Every row is append-only; a membership's state is worked out from its events.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from peewee import IntegrityError, fn

from ...store.database import db
from ...store.models import (
    CATEGORIES,
    Invoice,
    Membership,
    MembershipCredit,
    MembershipDues,
    MembershipEvent,
    MembershipPlan,
    Patient,
    Service,
    StoredFile,
    User,
)
from ..charts.patients import age_on, chart_ids, kept_chart, refuse_if_merged
from ..platform import audit, changes, limits, stored_files
from ..platform import png as png_format
from ..platform.errors import ConflictError, NotFound, ValidationError
from ..platform.permissions import require
from ..platform.staff import signed_name_of
from ..platform.text import clean_line, required_reason
from ..platform.vocabulary import InvoiceStatus
from . import invoices
from .money import show_cents

MAX_FEE_CENTS = 1_000_000  # $10,000 a month
MAX_NAME = 80
MAX_TERM_MONTHS = 60
MAX_NOTICE_DAYS = 365
MAX_FREEZE_MONTHS = 12
MAX_GRACE_DAYS = 365
MAX_CREDITS = Decimal(1000)
ADULT_AGE = 18
MAX_SIGNATURE = 2 * 1024 * 1024


# -- plans -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class BankedCredit:
    service_id: int
    quantity: Decimal  # each month, in the service's pricing unit (units, sessions…)
    rollover_cap: Decimal  # the most that can be banked at once


@dataclass(frozen=True)
class PlanInput:
    name: str
    fee_cents: int
    billing_day: int = 0  # 0: the day the member enrolled (at most the 28th); else 1..28
    min_term_months: int = 0
    notice_days: int = 0
    category_discounts_bp: tuple[tuple[str, int], ...] = ()  # (category, 1000 = 10 % off)
    member_prices: tuple[tuple[int, int], ...] = ()  # (service id, price in cents)
    credits: tuple[BankedCredit, ...] = ()
    retail_discount_bp: int = 0
    # banked credits stay usable this many days after the membership ends, then expire
    credit_grace_days: int = 0


@dataclass(frozen=True)
class PlanView:
    id: int  # this version's row
    code: int
    version: int
    name: str
    fee_cents: int
    billing_day: int
    min_term_months: int
    notice_days: int
    retail_discount_bp: int
    category_discounts_bp: tuple[tuple[str, int], ...]
    member_prices: tuple[tuple[int, int], ...]
    credits: tuple[BankedCredit, ...]
    retired: bool
    credit_grace_days: int = 0

    def as_input(self) -> PlanInput:
        return PlanInput(self.name, self.fee_cents, self.billing_day, self.min_term_months,
                         self.notice_days, self.category_discounts_bp, self.member_prices,
                         self.credits, self.retail_discount_bp, self.credit_grace_days)


def _percent(bp: int) -> str:
    return f"{Decimal(bp) / 100:.2f}".rstrip("0").rstrip(".") + " %"


def _day_words(billing_day: int) -> str:
    if not billing_day:
        return "on the day of the month you enrolled (the 28th if you enrolled later)"
    return f"on day {billing_day} of each month"


def benefit_lines(plan: PlanView) -> list[str]:
    """The plan's benefits in words, as the agreement and the plan list show them."""
    names = {s.id: s for s in Service.select()}
    out = [f"{_percent(bp)} off {CATEGORIES.get(cat, cat)}"
           for cat, bp in plan.category_discounts_bp]
    out += [f"{names[sid].name} at {show_cents(cents)}" for sid, cents in plan.member_prices
            if sid in names]
    out += [f"{c.quantity.normalize():f} × {names[c.service_id].name} banked each month "
            f"(up to {c.rollover_cap.normalize():f} kept)" for c in plan.credits
            if c.service_id in names]
    if plan.retail_discount_bp:
        out.append(f"{_percent(plan.retail_discount_bp)} off retail products")
    return out


def _view(row: MembershipPlan) -> PlanView:
    b = json.loads(row.benefits or "{}")
    return PlanView(
        row.id, row.code, row.version, row.name, row.fee_cents, row.billing_day,
        row.min_term_months, row.notice_days, row.retail_discount_bp,
        tuple((c, int(bp)) for c, bp in b.get("categories", [])),
        tuple((int(s), int(p)) for s, p in b.get("prices", [])),
        tuple(BankedCredit(int(s), Decimal(q), Decimal(cap)) for s, q, cap in
              b.get("credits", [])),
        row.retired, int(b.get("grace_days", 0)))


def _check_plan(data: PlanInput) -> tuple[str, str]:
    name = clean_line(data.name)
    if not name:
        raise ValidationError("Give the plan a name.")
    if len(name) > MAX_NAME:
        raise ValidationError(f"A plan's name must be at most {MAX_NAME} characters.")
    if not 0 < data.fee_cents <= MAX_FEE_CENTS:
        raise ValidationError(f"The monthly fee must be more than zero and at most "
                              f"{show_cents(MAX_FEE_CENTS)}.")
    if not 0 <= data.billing_day <= 28:
        raise ValidationError("The billing day is a day from 1 to 28 (or the day the member "
                              "enrolled).")
    if not 0 <= data.min_term_months <= MAX_TERM_MONTHS:
        raise ValidationError(f"The minimum term is 0 to {MAX_TERM_MONTHS} months.")
    if not 0 <= data.notice_days <= MAX_NOTICE_DAYS:
        raise ValidationError(f"The notice to cancel is 0 to {MAX_NOTICE_DAYS} days.")
    if not 0 <= data.credit_grace_days <= MAX_GRACE_DAYS:
        raise ValidationError(f"The banked credits can be kept 0 to {MAX_GRACE_DAYS} days "
                              "after a membership ends.")
    for what, bp in ([("retail", data.retail_discount_bp)]
                     + [(CATEGORIES.get(c, c), bp) for c, bp in data.category_discounts_bp]):
        if not 0 <= bp <= 10_000:
            raise ValidationError(f"The member discount on {what} must be 0 to 100 %.")
    cats = [c for c, _bp in data.category_discounts_bp]
    if any(c not in CATEGORIES for c in cats) or len(set(cats)) != len(cats):
        raise ValidationError("Give each service category's member discount once.")
    services = {s.id: s for s in Service.select()}
    priced = [s for s, _p in data.member_prices]
    if any(s not in services for s in priced) or len(set(priced)) != len(priced):
        raise ValidationError("Give each service's member price once, for a service that "
                              "exists.")
    if any(not 0 <= p <= MAX_FEE_CENTS for _s, p in data.member_prices):
        raise ValidationError("A member price cannot be negative.")
    banked = [c.service_id for c in data.credits]
    if any(s not in services for s in banked) or len(set(banked)) != len(banked):
        raise ValidationError("Bank credits of each service once, for a service that exists.")
    for c in data.credits:
        name_of = services[c.service_id].name
        if not 0 < c.quantity <= MAX_CREDITS or c.quantity != c.quantity.quantize(
                Decimal("0.01")):
            raise ValidationError(f"The monthly credits of {name_of} must be more than zero "
                                  "(at most two decimals).")
        if not c.quantity <= c.rollover_cap <= MAX_CREDITS:
            raise ValidationError(f"The rollover cap of {name_of} must be at least a month's "
                                  f"credits ({c.quantity.normalize():f}).")
    # the grace period is a term of the banked credits: kept with them, so versioned with the
    # plan (a plan saved before it existed has none: its credits end with the membership)
    benefits = json.dumps({
        **({"grace_days": data.credit_grace_days} if data.credit_grace_days else {}),
        "categories": [[c, bp] for c, bp in data.category_discounts_bp if bp],
        "prices": [[s, p] for s, p in data.member_prices],
        "credits": [[c.service_id, str(c.quantity), str(c.rollover_cap)]
                    for c in data.credits]}, sort_keys=True)
    return name, benefits


def save_plan(actor: User, data: PlanInput, code: int | None = None,
              now: dt.datetime | None = None) -> PlanView:
    """A new plan, or (``code`` given) a new version of one: members enrolled on earlier
    versions keep theirs."""
    require(actor, "membership.plans")
    name, benefits = _check_plan(data)
    now = (now or dt.datetime.now()).replace(microsecond=0)
    with db.atomic():
        if code is None:
            code = (MembershipPlan.select(fn.MAX(MembershipPlan.code)).scalar() or 0) + 1
            version = 1
        else:
            last = _latest(code)
            if last is None:
                raise NotFound("That membership plan does not exist.")
            if last.retired:
                raise ConflictError(f"The plan {last.name} is retired.")
            version = last.version + 1
        clash = [p for p in _latest_rows() if p.code != code and p.name == name
                 and not p.retired]
        if clash:
            raise ConflictError(f"Another plan is called {name}.")
        row = MembershipPlan.create(
            code=code, version=version, name=name, fee_cents=data.fee_cents,
            billing_day=data.billing_day, min_term_months=data.min_term_months,
            notice_days=data.notice_days, retail_discount_bp=data.retail_discount_bp,
            benefits=benefits, created_by=actor, created_at=now)
        audit.record(actor, "membership.plan", "membership_plan", row.id,
                     f"{name} v{version}: {show_cents(data.fee_cents)} a month")
        changes.note("membership_plan", row.id)
    return _view(row)


def retire_plan(actor: User, code: int, now: dt.datetime | None = None) -> PlanView:
    """No new members on the plan (a version marked retired); its members keep it."""
    require(actor, "membership.plans")
    now = (now or dt.datetime.now()).replace(microsecond=0)
    with db.atomic():
        last = _latest(code)
        if last is None:
            raise NotFound("That membership plan does not exist.")
        if last.retired:
            raise ConflictError(f"The plan {last.name} is already retired.")
        data = {f: getattr(last, f) for f in ("code", "name", "fee_cents", "billing_day",
                                               "min_term_months", "notice_days",
                                               "retail_discount_bp", "benefits")}
        row = MembershipPlan.create(**data, version=last.version + 1, retired=True,
                                    created_by=actor, created_at=now)
        audit.record(actor, "membership.plan_retire", "membership_plan", row.id, last.name)
        changes.note("membership_plan", row.id)
    return _view(row)


def _latest(code: int) -> MembershipPlan | None:
    return (MembershipPlan.select().where(MembershipPlan.code == code)
            .order_by(MembershipPlan.version.desc()).first())


def _latest_rows() -> list[MembershipPlan]:
    newest = (MembershipPlan.select(MembershipPlan.code,
                                    fn.MAX(MembershipPlan.version).alias("v"))
              .group_by(MembershipPlan.code))
    latest = {code: v for code, v in newest.tuples()}
    return [p for p in MembershipPlan.select().order_by(MembershipPlan.name)
            if latest.get(p.code) == p.version]


def plans(actor: User, include_retired: bool = False) -> list[PlanView]:
    """Each plan as its newest version, by name."""
    require(actor, "billing.read")
    return [_view(p) for p in _latest_rows() if include_retired or not p.retired]


def plan_version(actor: User, plan_id: int) -> PlanView:
    require(actor, "billing.read")
    row = MembershipPlan.get_or_none(MembershipPlan.id == plan_id)
    if row is None:
        raise NotFound("That membership plan does not exist.")
    return _view(row)


# -- months and days ---------------------------------------------------------------------------
def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def _add_months_to_day(day: dt.date, n: int) -> dt.date:
    month = add_months(month_of(day), n)
    return month.replace(day=min(day.day, calendar.monthrange(month.year, month.month)[1]))


def bill_date(membership: Membership, month: dt.date) -> dt.date:
    return month.replace(day=membership.billing_day)


# -- the agreement -----------------------------------------------------------------------------
@dataclass(frozen=True)
class AgreementSheet:
    """Everything the membership agreement PDF shows (plain data for the documents layer)."""

    plan: str
    version: int
    plan_id: int
    terms: tuple[tuple[str, str], ...]  # (heading, text)
    patient: str
    dob: dt.date
    chart_number: str
    signed_at: dt.datetime
    signature_png: bytes
    witness: str
    witness_signature_png: bytes
    fingerprint: str


Renderer = Callable[[AgreementSheet], bytes]


def agreement_terms(plan: PlanView, billing_day: int, start: dt.date) -> tuple[tuple[str, str],
                                                                              ...]:
    """The agreement's sections, in words a patient reads before signing."""
    benefits = benefit_lines(plan) or ["No member prices or credits."]
    term = (f"The minimum term is {plan.min_term_months} months, to "
            f"{_add_months_to_day(start, plan.min_term_months):%d %B %Y}: the dues are payable "
            "until then even if you cancel earlier." if plan.min_term_months
            else "There is no minimum term.")
    notice = (f"To cancel, tell the clinic at least {plan.notice_days} days ahead; the dues "
              "falling due before your cancellation takes effect are still payable."
              if plan.notice_days else "You may cancel at any time; the dues already issued "
              "remain payable.")
    return (
        ("Membership", f"{plan.name} (plan version {plan.version}), starting "
                       f"{start:%d %B %Y}."),
        ("Monthly fee", f"{show_cents(plan.fee_cents)} a month, invoiced on day {billing_day} "
                        "of each month, the first month today. Pay at the desk, or the clinic "
                        "charges the card you keep on file in its own terminal."),
        ("Member benefits", "; ".join(benefits) + ". " + _credit_words(plan)),
        ("Minimum term", term),
        ("Cancellation", notice),
        ("Freezing", "The clinic can freeze your membership for whole months: no dues and no "
                     "credits for those months."),
    )


def _credit_words(plan: PlanView) -> str:
    if not plan.credit_grace_days:
        return "Banked credits are for you only, have no cash value and end with the membership."
    return (f"Banked credits are for you only and have no cash value. After the membership "
            f"ends they can still be used for {plan.credit_grace_days} days; then they expire.")


def _signature(png: bytes, whose: str) -> bytes:
    if not png or not png.startswith(png_format.SIGNATURE):
        raise ValidationError(f"The {whose} signature is missing; please sign in the box.")
    if len(png) > MAX_SIGNATURE:
        raise ValidationError(f"The {whose} signature image is too large.")
    return png


def _fingerprint(content: dict) -> str:
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                           default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# -- state -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _History:
    cancels: tuple[dt.date, ...]  # effective days still standing
    reactivations: tuple[dt.date, ...]
    frozen: frozenset[dt.date]  # months


def _history(membership_id: int) -> _History:
    return history_of(MembershipEvent.select().where(MembershipEvent.membership == membership_id)
                      .order_by(MembershipEvent.id))


def history_of(events) -> _History:
    """A membership's freezes, cancellations and reactivations from its events, in the order
    they were made (the Reports tab reads every membership's events in one query)."""
    cancels: list[dt.date] = []
    reactivations: list[dt.date] = []
    frozen: set[dt.date] = set()
    for e in events:
        if e.kind == "freeze":
            month = e.from_on
            while month <= e.until_on:
                frozen.add(month)
                month = add_months(month, 1)
        elif e.kind == "cancel":
            cancels.append(e.from_on)
        elif e.kind == "reactivate":
            cancels = [c for c in cancels if c <= e.from_on]  # a pending one is withdrawn
            frozen = {m for m in frozen if m < month_of(e.from_on)}
            reactivations.append(e.from_on)
    return _History(tuple(cancels), tuple(reactivations), frozenset(frozen))


def _active_on(membership: Membership, history: _History, day: dt.date) -> bool:
    if day < membership.started_on:
        return False
    cancel = max((c for c in history.cancels if c <= day), default=None)
    if cancel is None:
        return True
    back = max((r for r in history.reactivations if r <= day), default=None)
    return back is not None and back >= cancel


def _ended_on(membership: Membership, history: _History, day: dt.date) -> dt.date | None:
    """The day the membership ended (its cancellation took effect), if it is not active on
    ``day``."""
    if _active_on(membership, history, day) or day < membership.started_on:
        return None
    return max(c for c in history.cancels if c <= day)


def credits_expire_on(membership: Membership, history: _History, plan: PlanView,
                      day: dt.date) -> dt.date | None:
    """The first day the banked credits can no longer be used, seen from ``day``: the day
    the membership ends (or ended) plus the plan's grace period; None while no cancellation
    is standing."""
    ended = _ended_on(membership, history, day)
    if ended is None:
        pending = [c for c in history.cancels if c > day]
        if not pending:
            return None
        ended = min(pending)
    return ended + dt.timedelta(days=plan.credit_grace_days)


def _credits_usable_on(membership: Membership, history: _History, plan: PlanView,
                       day: dt.date) -> bool:
    """Banked credits can be drawn on ``day``: the member is active and not frozen that
    month, or the membership ended less than the grace period ago."""
    if day < membership.started_on:
        return False
    if _active_on(membership, history, day):
        return month_of(day) not in history.frozen
    expires = credits_expire_on(membership, history, plan, day)
    return expires is not None and day < expires


@dataclass(frozen=True)
class MembershipView:
    id: int
    patient_id: int
    plan: PlanView
    started_on: dt.date
    billing_day: int
    state: str  # active | frozen | cancelling | cancelled
    state_words: str  # "Active, next dues 3 Jan 2027", "Cancelled from 1 Feb 2027"…
    cancel_on: dt.date | None
    credits: tuple[tuple[int, str, int], ...]  # (service id, service, banked in hundredths)
    overdue_cents: int
    credits_expire_on: dt.date | None = None  # after a cancellation: the first day they are gone
    # banked credits that expired: (day, service, quantity in hundredths), newest first
    expired: tuple[tuple[dt.date, str, int], ...] = ()


def _state(m: Membership, history: _History, today: dt.date) -> tuple[str, str,
                                                                     dt.date | None]:
    pending = [c for c in history.cancels if c > today]
    if not _active_on(m, history, today):
        cancelled = max(c for c in history.cancels if c <= today)
        return "cancelled", f"Cancelled from {cancelled:%d %b %Y}", cancelled
    if month_of(today) in history.frozen:
        last = month_of(today)
        while add_months(last, 1) in history.frozen:
            last = add_months(last, 1)
        return "frozen", f"Frozen to the end of {last:%B %Y}", None
    if pending:
        return "cancelling", f"Active; cancelled from {min(pending):%d %b %Y}", min(pending)
    return "active", "Active", None


def credits_banked(membership_id: int) -> dict[int, int]:
    """Service id → credits banked now, in hundredths."""
    out: dict[int, int] = {}
    for sid, kind, q in (MembershipCredit.select(MembershipCredit.service,
                                                 MembershipCredit.kind,
                                                 fn.SUM(MembershipCredit.quantity_centi))
                         .where(MembershipCredit.membership == membership_id)
                         .group_by(MembershipCredit.service, MembershipCredit.kind).tuples()):
        out[sid] = out.get(sid, 0) + (q if kind in ("grant", "return") else -q)  # use, expire
    return out


def _overdue(membership_id: int) -> int:
    rows = (Invoice.select().join(MembershipDues, on=(MembershipDues.invoice == Invoice.id))
            .where(MembershipDues.membership == membership_id,
                   Invoice.status == InvoiceStatus.OPEN))
    return sum(invoices.balance_cents(i) for i in rows)


def _membership_view(m: Membership, today: dt.date) -> MembershipView:
    history = _history(m.id)
    plan = _view(m.plan)
    state, words, cancel_on = _state(m, history, today)
    names = {s.id: s.name for s in Service.select(Service.id, Service.name)}
    expires = credits_expire_on(m, history, plan, today)
    gone = expires is not None and today >= expires  # expired, the timed job may not have run
    banked = () if gone else tuple((sid, names.get(sid, "?"), q) for sid, q in
                                   sorted(credits_banked(m.id).items()) if q > 0)
    expired = tuple((row.at.date(), names.get(row.service_id, "?"), row.quantity_centi)
                    for row in MembershipCredit.select()
                    .where(MembershipCredit.membership == m.id,
                           MembershipCredit.kind == "expire")
                    .order_by(MembershipCredit.id.desc()))
    if gone:  # not yet written down: shown as they will be
        expired = tuple((expires, names.get(sid, "?"), q) for sid, q in
                        sorted(credits_banked(m.id).items()) if q > 0) + expired
    return MembershipView(m.id, m.patient_id, plan, m.started_on, m.billing_day,
                          state, words, cancel_on, banked, _overdue(m.id), expires, expired)


def patient_memberships(actor: User, patient_id: int,
                        today: dt.date | None = None) -> list[MembershipView]:
    """The patient's memberships, newest first."""
    require(actor, "billing.read")
    today = today or dt.date.today()
    return [_membership_view(m, today) for m in
            Membership.select()  # a duplicate merged into this chart: its membership too
            .where(Membership.patient.in_(chart_ids(kept_chart(patient_id))))
            .order_by(Membership.id.desc())]


def current_membership(actor: User, patient_id: int,
                       today: dt.date | None = None) -> MembershipView | None:
    """The patient's membership that is not cancelled, if any."""
    require(actor, "billing.read")
    today = today or dt.date.today()
    for view in patient_memberships(actor, patient_id, today):
        if view.state != "cancelled":
            return view
    return None


# -- enrolling ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class EnrolInput:
    patient_id: int
    plan_id: int  # the plan version the patient read
    signature_png: bytes
    witness_signature_png: bytes


def _dues_line(m_plan: PlanView, month: dt.date) -> invoices.LineDraft:
    return invoices.LineDraft("membership", f"Membership dues: {m_plan.name}, {month:%B %Y}",
                              Decimal(1), m_plan.fee_cents)


def _issue_dues(m: Membership, plan: PlanView, month: dt.date, now: dt.datetime,
                by: User | None) -> Invoice:
    """The month's dues invoice, its unique dues row and the month's credits (inside the
    caller's transaction). IntegrityError if that month's dues exist already."""
    # a member's chart merged into another since: the dues go on the kept chart
    data = invoices.CheckoutInput(kept_chart(m.patient_id), (_dues_line(plan, month),))
    invoice = (invoices.issue_invoice(by, data, now) if by is not None
               else invoices.issue_by_program(m.enrolled_by, data, now))
    MembershipDues.create(membership=m.id, month=month, invoice=invoice.id, at=now)
    banked = credits_banked(m.id)
    for c in plan.credits:
        room = int(c.rollover_cap * 100) - banked.get(c.service_id, 0)
        grant = min(int(c.quantity * 100), room)
        if grant > 0:
            MembershipCredit.create(membership=m.id, service=c.service_id, kind="grant",
                                    quantity_centi=grant, month=month, at=now)
    return invoice


def enrol(actor: User, data: EnrolInput, render: Renderer,
          now: dt.datetime | None = None) -> Membership:
    """Enrol the patient on the plan version they read: the signed agreement's PDF is kept
    with its hash and the first month's dues invoice issued, in one transaction."""
    require(actor, "membership.enrol")
    now = (now or dt.datetime.now()).replace(microsecond=0)
    patient = Patient.get_or_none(Patient.id == data.patient_id)
    if patient is None:
        raise NotFound("That patient does not exist.")
    refuse_if_merged(patient.id)
    name = f"{patient.first_name} {patient.last_name}"
    if patient.archived:
        raise ConflictError(f"{name}'s chart is archived.")
    if age_on(patient.dob, now.date()) < ADULT_AGE:
        raise ValidationError(f"{name} is under {ADULT_AGE}: memberships are for adults.")
    row = MembershipPlan.get_or_none(MembershipPlan.id == data.plan_id)
    if row is None:
        raise NotFound("That membership plan does not exist.")
    latest = _latest(row.code)
    if latest.id != row.id:
        raise ConflictError(f"The plan {row.name} was changed while the agreement was open "
                            f"(now version {latest.version}); please open it again.")
    if row.retired:
        raise ConflictError(f"The plan {row.name} is retired: no new members.")
    signature = _signature(data.signature_png, "patient's")
    witness_signature = _signature(data.witness_signature_png, "witness's")
    plan = _view(row)
    start = now.date()
    billing_day = plan.billing_day or min(start.day, 28)
    terms = agreement_terms(plan, billing_day, start)
    witness = signed_name_of(User.get_by_id(actor.id))
    content = {"plan": {"id": row.id, "code": row.code, "version": row.version,
                        "benefits": row.benefits, "fee_cents": row.fee_cents},
               "terms": terms, "billing_day": billing_day,
               "patient": {"id": patient.id, "name": name, "dob": patient.dob,
                           "chart": patient.chart_number},
               "signed_at": now, "witness": {"id": actor.id, "name": witness},
               "signature_sha256": hashlib.sha256(signature).hexdigest(),
               "witness_signature_sha256": hashlib.sha256(witness_signature).hexdigest()}
    sheet = AgreementSheet(plan.name, plan.version, plan.id, terms, name, patient.dob,
                           patient.chart_number, now, signature, witness, witness_signature,
                           _fingerprint(content))
    pdf = render(sheet)
    with db.atomic():
        if current_membership(actor, patient.id, start) is not None:
            raise ConflictError(f"{name} is a member already.")
        stored, _added = stored_files.keep(pdf, "application/pdf", now)
        membership = Membership.create(
            patient=patient.id, plan=row.id, started_on=start, billing_day=billing_day,
            signer_name=name, content_sha256=sheet.fingerprint, document=stored.id,
            enrolled_by=actor, enrolled_at=now)
        invoice = _issue_dues(membership, plan, month_of(start), now, actor)
        audit.record(actor, "membership.enrol", "patient", patient.id,
                     f"{plan.name} v{plan.version}, dues on day {billing_day}, first dues "
                     f"invoice {invoice.number}; agreement pdf sha256 {stored.sha256}")
        changes.note("membership", membership.id)
    return membership


@dataclass(frozen=True)
class DuesInvoice:
    invoice_id: int
    number: int
    month: dt.date
    total_cents: int
    balance_cents: int


def first_dues(actor: User, membership_id: int) -> DuesInvoice:
    """The dues invoice enrolling issued (the checkout that enrolled the patient offers its
    payment)."""
    require(actor, "billing.read")
    dues = (MembershipDues.select(MembershipDues, Invoice).join(Invoice)
            .where(MembershipDues.membership == membership_id)
            .order_by(MembershipDues.month).first())
    if dues is None:
        raise NotFound("That membership has no dues invoice.")
    invoice = dues.invoice
    return DuesInvoice(invoice.id, invoice.number, dues.month, invoice.total_cents,
                       invoices.balance_cents(invoice))


def agreement_pdf(actor: User, membership_id: int) -> bytes:
    """The signed agreement, byte for byte, after checking its hash (a chart access:
    audited)."""
    require(actor, "billing.read")
    m = Membership.get_or_none(Membership.id == membership_id)
    if m is None:
        raise NotFound("That membership does not exist.")
    content = stored_files.verified(StoredFile.get_by_id(m.document_id))
    if content is None:
        raise ValidationError("The stored agreement no longer matches its fingerprint: it is "
                              "damaged. Restore it from a backup.")
    with db.atomic():
        audit.record(actor, "membership.agreement_view", "patient", m.patient_id,
                     f"membership {m.id}")
    return content


# -- freeze, cancel, reactivate ----------------------------------------------------------------
def _locked(membership_id: int) -> Membership:
    from ...store.database import for_update

    m = for_update(Membership.select().where(Membership.id == membership_id)).first()
    if m is None:
        raise NotFound("That membership does not exist.")
    return m


def freeze(actor: User, membership_id: int, first_month: dt.date, months: int, reason: str,
           now: dt.datetime | None = None) -> None:
    """No dues and no credits for ``months`` whole months from ``first_month``."""
    require(actor, "membership.enrol")
    reason = required_reason(reason, "the freeze", limits.REASON)
    now = (now or dt.datetime.now()).replace(microsecond=0)
    first = month_of(first_month)
    if not 1 <= months <= MAX_FREEZE_MONTHS:
        raise ValidationError(f"Freeze for 1 to {MAX_FREEZE_MONTHS} months.")
    with db.atomic():
        m = _locked(membership_id)
        history = _history(m.id)
        if not _active_on(m, history, now.date()):
            raise ConflictError("The membership is cancelled; reactivate it first.")
        last = add_months(first, months - 1)
        issued = {d for (d,) in MembershipDues.select(MembershipDues.month)
                  .where(MembershipDues.membership == m.id).tuples()}
        if first < month_of(now.date()) or any(add_months(first, i) in issued
                                                for i in range(months)):
            raise ConflictError(f"The dues of {first:%B %Y} are issued already: freeze from "
                                "a month still to come (or void that invoice first).")
        MembershipEvent.create(membership=m.id, kind="freeze", from_on=first, until_on=last,
                               reason=reason, user=actor, at=now)
        audit.record(actor, "membership.freeze", "patient", m.patient_id,
                     f"membership {m.id}: {first:%b %Y} to {last:%b %Y}: {reason}"[:500])
        changes.note("membership", m.id)


def cancel_date(membership: Membership, plan: PlanView, asked_on: dt.date) -> dt.date:
    """When a cancellation asked for on ``asked_on`` takes effect: after the notice period,
    and not before the minimum term ends."""
    return max(asked_on + dt.timedelta(days=plan.notice_days),
               _add_months_to_day(membership.started_on, plan.min_term_months))


def cancel(actor: User, membership_id: int, reason: str,
           now: dt.datetime | None = None) -> dt.date:
    """Cancel, honouring the notice and the minimum term; returns the day it takes effect.
    Dues falling due before then are still issued."""
    require(actor, "membership.enrol")
    reason = required_reason(reason, "the cancellation", limits.REASON)
    now = (now or dt.datetime.now()).replace(microsecond=0)
    with db.atomic():
        m = _locked(membership_id)
        history = _history(m.id)
        if not _active_on(m, history, now.date()) or any(c > now.date()
                                                         for c in history.cancels):
            raise ConflictError("The membership is already cancelled.")
        effective = cancel_date(m, _view(m.plan), now.date())
        MembershipEvent.create(membership=m.id, kind="cancel", from_on=effective,
                               reason=reason, user=actor, at=now)
        audit.record(actor, "membership.cancel", "patient", m.patient_id,
                     f"membership {m.id} from {effective:%Y-%m-%d}: {reason}"[:500])
        changes.note("membership", m.id)
    return effective


def reactivate(actor: User, membership_id: int, now: dt.datetime | None = None) -> None:
    """Withdraw a pending cancellation, end a freeze, or start a cancelled membership again
    (its dues resume on its billing day)."""
    require(actor, "membership.enrol")
    now = (now or dt.datetime.now()).replace(microsecond=0)
    today = now.date()
    with db.atomic():
        m = _locked(membership_id)
        history = _history(m.id)
        state = _state(m, history, today)[0]
        if state == "active":
            raise ConflictError("The membership is active; there is nothing to reactivate.")
        if state == "cancelled" and current_membership(actor, m.patient_id, today):
            raise ConflictError("The patient has another membership now.")
        # credits that expired before it starts again stay gone (written down if the timed
        # job has not yet done it)
        _expire(m, history, today, now)
        MembershipEvent.create(membership=m.id, kind="reactivate", from_on=today, user=actor,
                               at=now)
        audit.record(actor, "membership.reactivate", "patient", m.patient_id,
                     f"membership {m.id} ({state} before)")
        changes.note("membership", m.id)


# -- the monthly dues --------------------------------------------------------------------------
def _months_due(m: Membership, history: _History, today: dt.date) -> list[dt.date]:
    """This month and last (the program may not have run on the billing day) when their
    billing day has come, the member was active on it and the month was not frozen."""
    out = []
    for month in (add_months(month_of(today), -1), month_of(today)):
        day = bill_date(m, month)
        if (month >= month_of(m.started_on) and day <= today and month not in history.frozen
                and _active_on(m, history, max(day, m.started_on))):
            out.append(month)
    return out


def issue_due(now: dt.datetime) -> str:
    """The timed job: each active member's dues of the month, on their billing day, exactly
    once. The check before the write only saves work; the unique key decides: when another
    PC issued the same dues a moment ago, this insert fails, the transaction (invoice and its
    number included) rolls back, and the job moves on."""
    now = now.replace(microsecond=0)
    today = now.date()
    issued = skipped = 0
    since = add_months(month_of(today), -1)
    have = {(mid, month) for mid, month in MembershipDues.select(
        MembershipDues.membership, MembershipDues.month)
        .where(MembershipDues.month >= since).tuples()}
    # read in full first: a query still open would hold a read snapshot, and SQLite refuses a
    # write transaction from a stale snapshot at once ("database is locked") without waiting
    members = list(Membership.select().where(Membership.started_on <= today))
    for m in members:
        history = _history(m.id)
        for month in _months_due(m, history, today):
            if (m.id, month) in have:
                continue
            try:
                with db.atomic():
                    _issue_dues(m, _view(m.plan), month, now, None)
                    changes.note("membership", m.id)
                issued += 1
            except IntegrityError:  # another PC issued them first
                skipped += 1
    return f"{issued} dues issued" + (f", {skipped} already issued elsewhere" if skipped
                                      else "")


def _expire(m: Membership, history: _History, today: dt.date, now: dt.datetime) -> int:
    """Write down the banked credits of an ended membership whose grace period is over as
    expired (inside the caller's transaction, the membership locked); returns how many
    services' credits expired. Nothing is deleted: the membership's history shows them."""
    if _active_on(m, history, today):
        return 0
    plan = _view(m.plan)
    expires = credits_expire_on(m, history, plan, today)
    if expires is None or today < expires:
        return 0
    left = {sid: q for sid, q in credits_banked(m.id).items() if q > 0}
    for sid, q in sorted(left.items()):
        MembershipCredit.create(membership=m.id, service=sid, kind="expire", quantity_centi=q,
                                at=now)
    if left:
        audit.record(None, "membership.credits_expire", "patient", m.patient_id,
                     f"membership {m.id}: ended {_ended_on(m, history, today):%Y-%m-%d}, "
                     f"{plan.credit_grace_days} days' grace: "
                     + ", ".join(f"{Decimal(q) / 100:g} × {Service.get_by_id(sid).name}"
                                 for sid, q in sorted(left.items())))
        changes.note("membership", m.id)
    return len(left)


def expire_credits(now: dt.datetime) -> str:
    """The timed job: the banked credits of memberships that ended more than their plan's
    grace period ago are written down as expired, once (read first, then locked and checked
    again: another PC may have done it a moment ago)."""
    now = now.replace(microsecond=0)
    today = now.date()
    since = today - dt.timedelta(days=MAX_GRACE_DAYS + 31)
    ended = [mid for (mid,) in MembershipEvent.select(MembershipEvent.membership).distinct()
             .where(MembershipEvent.kind == "cancel", MembershipEvent.from_on <= today,
                    MembershipEvent.from_on >= since).tuples()]
    due = []
    for m in list(Membership.select().where(Membership.id.in_(ended))) if ended else []:
        history = _history(m.id)
        expires = credits_expire_on(m, history, _view(m.plan), today)
        if (not _active_on(m, history, today) and expires is not None and today >= expires
                and any(q > 0 for q in credits_banked(m.id).values())):
            due.append(m.id)
    expired = 0
    for mid in due:
        with db.atomic():
            m = _locked(mid)
            expired += bool(_expire(m, _history(m.id), today, now))
    return f"{expired} memberships' banked credits expired"


@dataclass(frozen=True)
class OverdueDues:
    invoice_id: int
    number: int
    patient_id: int
    patient: str
    month: dt.date
    balance_cents: int
    days: int  # since issued


def overdue_dues(actor: User, today: dt.date | None = None,
                 grace_days: int = 0) -> list[OverdueDues]:
    """Dues invoices with a balance, oldest first."""
    require(actor, "billing.read")
    today = today or dt.date.today()
    out = []
    for dues in (MembershipDues.select(MembershipDues, Invoice, Patient)
                 .join(Invoice).join(Patient)
                 .where(Invoice.status == InvoiceStatus.OPEN)
                 .order_by(Invoice.issued_at, Invoice.id)):
        invoice, patient = dues.invoice, dues.invoice.patient
        days = (today - invoice.issued_at.date()).days
        if days < grace_days:
            continue
        out.append(OverdueDues(invoice.id, invoice.number, patient.id,
                               f"{patient.first_name} {patient.last_name}", dues.month,
                               invoices.balance_cents(invoice), days))
    return out


# -- at checkout -------------------------------------------------------------------------------
def _visit_day(m: Membership, day: dt.date) -> dt.date:
    """The day a visit on ``day`` counts as for the membership: a patient enrolled at the
    checkout of a visit given before (checked out late) is a member for that checkout, so a
    visit before the start of a membership that has started counts as on its first day."""
    return m.started_on if day < m.started_on <= dt.date.today() else day


def _active_membership(patient_id: int, day: dt.date) -> Membership | None:
    for m in (Membership.select()
              .where(Membership.patient.in_(chart_ids(kept_chart(patient_id))))
              .order_by(Membership.id.desc())):
        history = _history(m.id)
        on = _visit_day(m, day)
        if _active_on(m, history, on) and month_of(on) not in history.frozen:
            return m
    return None


def member_discount(patient_id: int, service_id: int | None, quantity_centi: int,
                    unit_price_cents: int, day: dt.date, *, retail: bool = False):
    """The member's price on a line, as a line discount whose reason names the plan (the
    invoice shows what the member saved), or None for a patient who is not an active member
    that day (a frozen month has no member prices)."""
    from .billing_math import Discount, round_half_up

    m = _active_membership(patient_id, day)
    if m is None:
        return None
    plan = _view(m.plan)
    reason = f"{plan.name} member price"
    if retail:
        return Discount(percent_bp=plan.retail_discount_bp, reason=reason) \
            if plan.retail_discount_bp else None
    fixed = dict(plan.member_prices).get(service_id)
    if fixed is not None:
        saving = round_half_up(quantity_centi * (unit_price_cents - fixed), 100)
        return Discount(amount_cents=saving, reason=reason) if saving > 0 else None
    service = Service.get_or_none(Service.id == service_id)
    bp = dict(plan.category_discounts_bp).get(service.category if service else "")
    return Discount(percent_bp=bp, reason=reason) if bp else None


def banked_for(patient_id: int, service_id: int, day: dt.date) -> tuple[int, int] | None:
    """(membership id, credits banked in hundredths) of the service, for an active member or
    one whose membership ended less than its plan's grace period ago."""
    for m in (Membership.select()
              .where(Membership.patient.in_(chart_ids(kept_chart(patient_id))))
              .order_by(Membership.id.desc())):
        if _credits_usable_on(m, _history(m.id), _view(m.plan), _visit_day(m, day)):
            left = credits_banked(m.id).get(service_id, 0)
            return (m.id, left) if left > 0 else None
    return None


def draw(actor: User, membership_id: int, patient_id: int, service_id: int | None,
         quantity_centi: int, invoice_id: int, on: dt.date, now: dt.datetime) -> int:
    """Take banked credits off a membership for a visit (inside billing's transaction);
    returns the credits left, in hundredths."""
    m = _locked(membership_id)
    if m.patient_id != patient_id:
        raise ValidationError("Those banked credits are another patient's.")
    history = _history(m.id)
    plan = _view(m.plan)
    on = _visit_day(m, on)
    if not _credits_usable_on(m, history, plan, on):
        ended = _ended_on(m, history, on)
        if ended is not None:
            expired = ended + dt.timedelta(days=plan.credit_grace_days)
            raise ConflictError(
                f"The membership ended on {ended:%d %b %Y}: its banked credits expired on "
                f"{expired:%d %b %Y} and cannot be used for a visit on {on:%d %b %Y}.")
        raise ConflictError("The membership is not active on the visit's day: its banked "
                            "credits cannot be used.")
    left = credits_banked(m.id).get(service_id, 0)
    if quantity_centi > left:
        raise ConflictError(f"The membership has {Decimal(left) / 100:g} banked; not enough.")
    MembershipCredit.create(membership=m.id, service=service_id, kind="use",
                            quantity_centi=quantity_centi, invoice=invoice_id, at=now)
    changes.note("membership", m.id)
    return left - quantity_centi


def put_back(invoice_id: int, now: dt.datetime) -> None:
    """The banked credits a voided invoice drew come back to their membership."""
    for use in MembershipCredit.select().where(MembershipCredit.invoice == invoice_id,
                                               MembershipCredit.kind == "use"):
        MembershipCredit.create(membership=use.membership_id, service=use.service_id,
                                kind="return", quantity_centi=use.quantity_centi,
                                invoice=invoice_id, at=now)
        changes.note("membership", use.membership_id)
