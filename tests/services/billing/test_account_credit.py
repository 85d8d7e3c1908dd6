"""Credit on account: an overpayment kept, a refund to credit, a goodwill credit (admin or
director, with a reason), paying from the credit (never beyond it), a void or refund putting
it back, the balance from the history, and the daily close counting credit given apart from
sales."""

from __future__ import annotations

import datetime as dt

import pytest

from medspa_desktop.services.billing import account_credit, billing_reports, invoices
from medspa_desktop.services.billing.invoices import CheckoutInput, PaymentInput
from medspa_desktop.services.platform import auth
from medspa_desktop.services.platform.errors import (
    ConflictError,
    PermissionDenied,
    ValidationError,
)
from medspa_desktop.services.platform.vocabulary import PaymentMethod
from medspa_desktop.store.models import AccountCredit, AuditEvent, Payment
from tests.services.billing.test_invoices import shop  # noqa: F401 (fixture)
from tests.services.treatments.test_treatment_records import clinic  # noqa: F401 (fixture)

NOON = dt.datetime(2026, 3, 10, 12, 0)
CASH, CARD, CREDIT = PaymentMethod.CASH, PaymentMethod.CARD, PaymentMethod.ACCOUNT_CREDIT


def _sunscreen(shop, now=NOON, count=1):  # noqa: F811
    """A retail invoice: $42.00 a tube, 7 % tax ($44.94 each)."""
    return invoices.issue_invoice(shop["desk"], CheckoutInput(
        shop["zoe"].id, (invoices.product_line(shop["desk"], shop["spf"].id, count),)), now=now)


def _held(shop):  # noqa: F811
    return account_credit.balance_cents(shop["desk"], shop["zoe"].id)


def test_cash_above_the_balance_is_kept_as_credit_instead_of_change(shop):  # noqa: F811
    invoice = _sunscreen(shop)
    payment = invoices.take_payment(shop["desk"], invoice.id, PaymentInput(
        CASH, 0, tendered_cents=6494, keep_as_credit=True), now=NOON)
    assert (payment.amount_cents, payment.change_cents, payment.credit_cents) == (4494, 0, 2000)
    assert _held(shop) == 2000
    view = invoices.invoice_view(shop["desk"], invoice.id)
    assert view.status == "paid" and view.balance_cents == 0
    assert "$20.00 kept as credit on account" in view.payments[0].detail
    [row] = account_credit.ledger(shop["desk"], shop["zoe"].id)
    assert (row.what, row.amount_cents, row.balance_cents, row.invoice) == (
        "Overpayment kept as credit", 2000, 2000, view.number)


def test_a_card_for_more_than_is_due_is_refused_unless_the_rest_is_kept(shop):  # noqa: F811
    invoice = _sunscreen(shop)
    card = PaymentInput(CARD, 6494, card_last4="4242", auth_code="AB12")
    with pytest.raises(ValidationError, match=r"more than the \$44.94 still due"):
        invoices.take_payment(shop["desk"], invoice.id, card, now=NOON)
    assert _held(shop) == 0
    kept = PaymentInput(CARD, 6494, card_last4="4242", auth_code="AB12", keep_as_credit=True)
    payment = invoices.take_payment(shop["desk"], invoice.id, kept, now=NOON)
    assert (payment.amount_cents, payment.credit_cents) == (4494, 2000)
    assert _held(shop) == 2000
    close = billing_reports.daily_close(shop["desk"], NOON.date(), record=False)
    assert dict(close.by_method) == {"Card": 6494}  # what went through the terminal
    assert close.sales_cents == 4200 and close.credit_issued_cents == 2000


def test_nothing_above_the_balance_is_nothing_to_keep(shop):  # noqa: F811
    invoice = _sunscreen(shop)
    with pytest.raises(ValidationError, match="Nothing is above"):
        invoices.take_payment(shop["desk"], invoice.id, PaymentInput(
            CARD, 4494, card_last4="4242", auth_code="AB12", keep_as_credit=True), now=NOON)
    assert Payment.select().count() == 0 and AccountCredit.select().count() == 0


def test_a_refund_to_credit_becomes_credit_on_account(shop):  # noqa: F811
    invoice = _sunscreen(shop)
    payment = invoices.take_payment(shop["desk"], invoice.id, PaymentInput(
        CARD, 4494, card_last4="4242", auth_code="AB12"), now=NOON)
    invoices.refund(shop["admin"], payment.id, 1000, "tube was damaged", now=NOON, to=CREDIT)
    assert _held(shop) == 1000
    [row] = account_credit.ledger(shop["desk"], shop["zoe"].id)
    assert (row.what, row.reason) == ("Refund to credit", "tube was damaged")
    close = billing_reports.daily_close(shop["desk"], NOON.date(), record=False)
    assert close.credit_issued_cents == 1000 and close.cash_cents == 0


def test_goodwill_credit_is_for_admin_and_director_with_a_reason(shop, clinic):  # noqa: F811
    director = auth.create_user(shop["admin"], auth.UserInput(
        "dr", "Dr Ray", "medical_director", "long-enough"))
    for who in ("desk", "rn"):
        with pytest.raises(PermissionDenied):
            account_credit.give_goodwill(shop[who], shop["zoe"].id, 2500, "sorry", NOON)
    with pytest.raises(ValidationError, match="reason"):
        account_credit.give_goodwill(director, shop["zoe"].id, 2500, "   ", NOON)
    with pytest.raises(ValidationError, match="more than zero"):
        account_credit.give_goodwill(director, shop["zoe"].id, 0, "sorry", NOON)
    assert _held(shop) == 0
    account_credit.give_goodwill(director, shop["zoe"].id, 2500, "waited 40 minutes", NOON)
    account_credit.give_goodwill(shop["admin"], shop["zoe"].id, 500, "price match", NOON)
    assert _held(shop) == 3000
    audited = [e.summary for e in AuditEvent.select().where(AuditEvent.action == "credit.goodwill")]
    assert audited == ["$25.00: waited 40 minutes", "$5.00: price match"]


def test_account_credit_pays_an_invoice_and_never_more_than_is_held(shop):  # noqa: F811
    account_credit.give_goodwill(shop["admin"], shop["zoe"].id, 3000, "apology", NOON)
    invoice = _sunscreen(shop)
    with pytest.raises(ValidationError, match=r"has \$30.00 credit on account"):
        invoices.take_payment(shop["desk"], invoice.id, PaymentInput(CREDIT, 4494), now=NOON)
    assert _held(shop) == 3000
    invoices.take_payment(shop["desk"], invoice.id, PaymentInput(CREDIT, 3000), now=NOON)
    assert _held(shop) == 0
    view = invoices.invoice_view(shop["desk"], invoice.id)
    assert view.balance_cents == 1494 and view.payments[0].method == "Account credit"
    with pytest.raises(ValidationError, match="no credit on account"):
        invoices.take_payment(shop["desk"], invoice.id, PaymentInput(CREDIT, 100), now=NOON)
    close = billing_reports.daily_close(shop["desk"], NOON.date(), record=False)
    assert dict(close.by_method) == {"Account credit": 3000}
    assert close.cash_cents == 0 and close.sales_cents == 4200
    assert close.credit_issued_cents == 3000  # the goodwill; spending it is a payment method


def test_refunding_or_voiding_a_credit_payment_puts_the_credit_back(shop):  # noqa: F811
    account_credit.give_goodwill(shop["admin"], shop["zoe"].id, 10000, "apology", NOON)
    first, second = _sunscreen(shop), _sunscreen(shop)
    paid = invoices.take_payment(shop["desk"], first.id, PaymentInput(CREDIT, 4494), now=NOON)
    with pytest.raises(ValidationError, match="goes back to the credit"):
        invoices.refund(shop["admin"], paid.id, 4494, "wrong tube", now=NOON, to=CASH)
    invoices.refund(shop["admin"], paid.id, 4494, "wrong tube", now=NOON)
    assert _held(shop) == 10000
    invoices.take_payment(shop["desk"], second.id, PaymentInput(CREDIT, 4494), now=NOON)
    assert _held(shop) == 10000 - 4494
    invoices.void_invoice(shop["admin"], second.id, "rang up twice", now=NOON)
    assert _held(shop) == 10000
    assert [r.what for r in account_credit.ledger(shop["desk"], shop["zoe"].id)] == [
        "Credit payment refunded", "Paid an invoice", "Credit payment refunded",
        "Paid an invoice", "Goodwill credit"]


def test_a_void_with_other_money_on_it_still_asks_for_a_refund_first(shop):  # noqa: F811
    account_credit.give_goodwill(shop["admin"], shop["zoe"].id, 1000, "apology", NOON)
    invoice = _sunscreen(shop)
    invoices.take_payment(shop["desk"], invoice.id, PaymentInput(CREDIT, 1000), now=NOON)
    invoices.take_payment(shop["desk"], invoice.id, PaymentInput(CASH, 500), now=NOON)
    with pytest.raises(ConflictError, match="refund it first"):
        invoices.void_invoice(shop["admin"], invoice.id, "rang up twice", now=NOON)
    assert _held(shop) == 0  # nothing written: the credit was not put back either


def test_the_balance_is_the_history_added_up(shop):  # noqa: F811
    account_credit.give_goodwill(shop["admin"], shop["zoe"].id, 2500, "apology", NOON)
    invoice = _sunscreen(shop, NOON + dt.timedelta(hours=1))
    invoices.take_payment(shop["desk"], invoice.id, PaymentInput(CREDIT, 2000),
                          now=NOON + dt.timedelta(hours=1))
    invoices.take_payment(shop["desk"], invoice.id, PaymentInput(
        CASH, 0, tendered_cents=5000, keep_as_credit=True), now=NOON + dt.timedelta(hours=2))
    rows = account_credit.ledger(shop["desk"], shop["zoe"].id)
    assert [(r.amount_cents, r.balance_cents) for r in rows] == [
        (2506, 3006), (-2000, 500), (2500, 2500)]
    assert _held(shop) == sum(r.amount_cents for r in rows) == 3006
    assert account_credit.outstanding_cents(shop["desk"]) == 3006
    assert account_credit.outstanding_cents(shop["desk"], NOON + dt.timedelta(minutes=1)) == 2500
    with pytest.raises(Exception, match="append-only"):
        AccountCredit.update(amount_cents=1).execute()


def test_the_daily_close_counts_credit_given_apart_from_sales(shop):  # noqa: F811
    before = billing_reports.daily_close(shop["desk"], NOON.date(), record=False)
    account_credit.give_goodwill(shop["admin"], shop["zoe"].id, 2500, "apology", NOON)
    invoice = _sunscreen(shop)
    invoices.take_payment(shop["desk"], invoice.id, PaymentInput(
        CASH, 0, tendered_cents=5000, keep_as_credit=True), now=NOON)
    close = billing_reports.daily_close(shop["desk"], NOON.date(), record=False)
    assert close.sales_cents - before.sales_cents == 4200  # the sunscreen only
    assert close.credit_issued_cents == 2500 + 506
    assert close.cash_cents == 5000  # the whole of the cash is in the drawer
    assert close.credit_held_cents == 3006
    report = billing_reports.sales_report(shop["desk"], NOON.date(), NOON.date(), record=False)
    assert report.sales_cents == 4200 and report.credit_issued_cents == 3006


def test_the_printed_daily_close_lists_credit_given_apart(shop, tmp_path):  # noqa: F811
    from medspa_desktop.printouts import daily_close_pdf
    from tests.documents.pdftext import pdf_text

    today = dt.datetime.now().replace(microsecond=0)
    account_credit.give_goodwill(shop["admin"], shop["zoe"].id, 2500, "apology", today)
    text = " ".join(pdf_text(daily_close_pdf(shop["desk"], today.date())).split())
    assert "Credit on account (not sales) Given $25.00 Used to pay invoices $0.00 " \
        "Held by all patients at the end $25.00" in text


def _pay_from_credit(path: str, invoice_ids: list[int], out) -> None:
    from medspa_desktop.store.database import open_database
    from medspa_desktop.store.models import User

    open_database(path)
    desk = User.get(User.username == "desk")
    paid = 0
    for invoice_id in invoice_ids:
        try:
            invoices.take_payment(desk, invoice_id, PaymentInput(CREDIT, 1000))
            paid += 1
        except ValidationError:
            pass
    out.put(paid)


def test_two_pcs_paying_from_the_same_credit_never_spend_more_than_it_holds(shop):  # noqa: F811
    import multiprocessing

    from medspa_desktop.store.database import db

    account_credit.give_goodwill(shop["admin"], shop["zoe"].id, 5000, "apology", NOON)
    bills = [invoices.issue_invoice(shop["desk"], CheckoutInput(shop["zoe"].id, (
        invoices.gift_card_line(shop["desk"], 1000),)), now=NOON).id for _ in range(12)]
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    workers = [context.Process(target=_pay_from_credit, args=(db.obj.database, half, out))
               for half in (bills[:6], bills[6:])]
    for w in workers:
        w.start()
    paid = [out.get(timeout=120) for _ in workers]
    for w in workers:
        w.join(timeout=60)
        assert w.exitcode == 0
    assert sum(paid) == 5  # $50.00 pays five $10.00 invoices, whoever got there first
    assert _held(shop) == 0
    assert min(r.balance_cents for r in account_credit.ledger(shop["desk"], shop["zoe"].id)) == 0


def test_a_duplicate_charts_credit_follows_it_into_the_chart_it_is_merged_into(shop):  # noqa: F811
    from medspa_desktop.services.charts import merge, patients
    from medspa_desktop.store.models import Patient

    director = auth.create_user(shop["admin"], auth.UserInput(
        "dr", "Dr Ray", "medical_director", "long-enough"))
    twin = patients.create_patient(shop["admin"], patients.PatientInput(
        "Zoe", "Ng", dt.date(1990, 1, 1)))
    account_credit.give_goodwill(shop["admin"], twin.id, 1500, "apology", NOON)
    account_credit.give_goodwill(shop["admin"], shop["zoe"].id, 500, "price match", NOON)
    keep, other = Patient.get_by_id(shop["zoe"].id), Patient.get_by_id(twin.id)
    merge.merge_patients(director, keep.id, other.id, keep_version=keep.version,
                         other_version=other.version)
    assert _held(shop) == 2000
    assert account_credit.balance_cents(shop["desk"], twin.id) == 2000  # read through either
    invoice = _sunscreen(shop)
    invoices.take_payment(shop["desk"], invoice.id, PaymentInput(CREDIT, 2000), now=NOON)
    assert _held(shop) == 0


# -- paying credit out -------------------------------------------------------------------------
def test_credit_is_paid_out_by_admin_or_director_with_a_reason_never_beyond_the_balance(
        shop, clinic):  # noqa: F811
    director = auth.create_user(shop["admin"], auth.UserInput(
        "dr", "Dr Ray", "medical_director", "long-enough"))
    account_credit.give_goodwill(shop["admin"], shop["zoe"].id, 3000, "apology", NOON)
    before = (AccountCredit.select().count(), AuditEvent.select().count())
    for who in ("desk", "rn"):
        with pytest.raises(PermissionDenied):
            account_credit.pay_out(shop[who], shop["zoe"].id, 1000, CASH, "moving", NOON)
    with pytest.raises(ValidationError, match="reason"):
        account_credit.pay_out(director, shop["zoe"].id, 1000, CASH, " ", NOON)
    with pytest.raises(ValidationError, match="cash or to a card"):
        account_credit.pay_out(director, shop["zoe"].id, 1000, CREDIT, "moving", NOON)
    with pytest.raises(ValidationError, match="more than zero"):
        account_credit.pay_out(director, shop["zoe"].id, 0, CASH, "moving", NOON)
    with pytest.raises(ValidationError, match=r"only \$30.00 credit"):
        account_credit.pay_out(director, shop["zoe"].id, 3001, CASH, "moving", NOON)
    assert (AccountCredit.select().count(), AuditEvent.select().count()) == before
    account_credit.pay_out(director, shop["zoe"].id, 1000, CASH, "moving away", NOON)
    account_credit.pay_out(shop["admin"], shop["zoe"].id, 2000, CARD, "asked for it back",
                           NOON + dt.timedelta(minutes=5))
    assert _held(shop) == 0
    rows = account_credit.ledger(shop["desk"], shop["zoe"].id)
    assert [(r.what, r.amount_cents, r.balance_cents, r.reason) for r in rows[:2]] == [
        ("Paid out to a card", -2000, 0, "asked for it back"),
        ("Paid out in cash", -1000, 2000, "moving away")]
    audited = [e.summary for e in AuditEvent.select().where(AuditEvent.action == "credit.payout")
               .order_by(AuditEvent.id)]
    assert audited == ["$10.00 paid out in cash: moving away",
                       "$20.00 paid out to a card: asked for it back"]


def test_the_daily_close_shows_credit_paid_out_as_money_out_of_the_drawer(shop, tmp_path):  # noqa: F811
    from medspa_desktop.printouts import daily_close_pdf
    from tests.documents.pdftext import pdf_text

    today = dt.datetime.now().replace(microsecond=0)
    invoice = _sunscreen(shop, now=today)
    invoices.take_payment(shop["desk"], invoice.id, PaymentInput(
        CASH, 0, tendered_cents=10000, keep_as_credit=True), now=today)  # $55.06 kept
    account_credit.pay_out(shop["admin"], shop["zoe"].id, 5000, CASH, "moving away", today)
    account_credit.pay_out(shop["admin"], shop["zoe"].id, 506, CARD, "the rest", today)
    close = billing_reports.daily_close(shop["desk"], today.date(), 5000, record=False)
    assert close.cash_cents == close.cash_expected_cents == 10000 - 5000
    assert close.cash_difference_cents == 0
    assert close.credit_paid_out == (("Cash", 5000), ("Card", 506))
    assert close.sales_cents == 4200 and close.credit_held_cents == 0
    assert close.credit_used_cents == 0  # paid out is money out, not credit spent on invoices
    text = " ".join(pdf_text(daily_close_pdf(shop["desk"], today.date())).split())
    assert "Paid out: cash $50.00 Paid out: card $5.06" in text
    assert "Cash expected $50.00" in text


def _pay_out_credit(path: str, tries: int, out) -> None:
    from medspa_desktop.store.database import open_database
    from medspa_desktop.store.models import Patient, User

    open_database(path)
    admin = User.get(User.username == "admin")
    zoe = Patient.get(Patient.first_name == "Zoë")
    paid = 0
    for _ in range(tries):
        try:
            account_credit.pay_out(admin, zoe.id, 1000, CASH, "closing the account")
            paid += 1
        except ValidationError:
            pass
    out.put(paid)


def test_two_desks_paying_out_the_same_credit_never_pay_more_than_it_holds(shop):  # noqa: F811
    import multiprocessing

    from medspa_desktop.store.database import db

    account_credit.give_goodwill(shop["admin"], shop["zoe"].id, 5000, "apology", NOON)
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    workers = [context.Process(target=_pay_out_credit, args=(db.obj.database, 6, out))
               for _ in range(2)]
    for w in workers:
        w.start()
    paid = [out.get(timeout=120) for _ in workers]
    for w in workers:
        w.join(timeout=60)
        assert w.exitcode == 0
    assert sum(paid) == 5  # $50.00 pays out five times $10.00, whichever desk got there first
    assert _held(shop) == 0
    assert min(r.balance_cents for r in account_credit.ledger(shop["desk"], shop["zoe"].id)) == 0
    assert AuditEvent.select().where(AuditEvent.action == "credit.payout").count() == 5
