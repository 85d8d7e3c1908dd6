"""The audit log as an owner reads it: names for users and patients, money in the clinic's
currency, dates as people write them; the stored rows unchanged; one lookup per page."""

from __future__ import annotations

import dataclasses
import datetime as dt

from medspa_desktop.services.billing import billing_reports
from medspa_desktop.services.charts import patients
from medspa_desktop.services.clinic import catalog, clinic
from medspa_desktop.services.platform import audit, audit_review
from medspa_desktop.services.platform.audit_review import AuditFilter
from medspa_desktop.store.models import AuditEvent, Service


def _newest(admin, action: str):
    return next(r for r in audit_review.events(admin) if r.action == action)


def test_names_money_and_dates_as_people_write_them(admin):
    clinic.save_details(admin, dataclasses.replace(clinic.clinic_info(), currency="€"))
    zoe = patients.create_patient(admin, patients.PatientInput("Zoë", "Ng",
                                                              dt.date(1990, 1, 1)))
    patients.open_chart(admin, zoe.id)
    billing_reports.daily_close(admin, dt.date(2026, 11, 20), cash_counted_cents=10000)
    service = Service.select().order_by(Service.id).first()
    catalog.change_price(admin, service.id, 12550, dt.date(2026, 12, 1))

    opened = _newest(admin, "patient.open")
    assert (opened.who, opened.what) == ("Ada Admin", "Chart opened")
    assert opened.about == f"Ng, Zoë (chart {zoe.chart_number})"
    assert opened.record == f"patient {zoe.id}" and opened.username == "admin"  # as stored

    close = _newest(admin, "report.daily_close")
    assert close.what == "Daily close" and close.about == "Fri 20 Nov 2026"
    assert close.details == "expected cash €0.00, counted €100.00"
    assert close.summary == "expected cash 0, counted 10000"

    price = _newest(admin, "service.price")
    assert price.about == f"Service “{service.name}”"
    assert price.details.endswith("→ €125.50 from 1 Dec 2026"), price.details

    # the chain is what was written: translating on display changed no row
    assert audit.verify_chain() == []
    assert AuditEvent.get_by_id(close.id).summary == "expected cash 0, counted 10000"


def test_the_program_and_a_mistyped_name_are_shown_as_such(admin):
    audit.record(None, "backup.create", "backup", "", "nightly")
    audit.record(None, "login.failed", "user", "", "unknown or inactive user",
                 username="adnim")
    rows = audit_review.events(admin, AuditFilter())
    failed = next(r for r in rows if r.action == "login.failed")
    assert failed.who == "“adnim” (no such account)" and failed.what == "Sign-in failed"
    assert next(r for r in rows if r.action == "backup.create").who == "The program"


def test_a_page_is_named_with_a_few_lookups_not_one_per_row(admin, statements):
    people = [patients.create_patient(admin, patients.PatientInput(
        f"Ann{i}", "Lee", dt.date(1990, 1, 1 + i))) for i in range(25)]
    for n in range(400):
        audit.record(admin, "patient.open", "patient", people[n % 25].id)
    statements.clear()
    page = audit_review.events(admin, AuditFilter(), offset=200, limit=200)
    assert len(page) == 200 and all(r.about.startswith("Lee, Ann") for r in page)
    assert len(statements) <= 4, [sql for sql, _ in statements]


def test_every_action_a_service_records_has_words():
    """An owner reads the log in words: every action written by ``audit.record`` anywhere in
    the services (both sides of a conditional too) is in ``audit_words.ACTIONS``."""
    import ast
    import importlib
    import inspect
    import pkgutil

    import medspa_desktop.services as services_package
    from medspa_desktop.services.platform import audit_words

    recorded = set()
    for info in pkgutil.walk_packages(services_package.__path__, "medspa_desktop.services."):
        tree = ast.parse(inspect.getsource(importlib.import_module(info.name)))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "record" and len(node.args) > 1
                    and getattr(node.func.value, "id", "") == "audit"):
                recorded |= {c.value for c in ast.walk(node.args[1])
                             if isinstance(c, ast.Constant) and isinstance(c.value, str)}
    assert len(recorded) > 60
    assert sorted(recorded - audit_words.ACTIONS.keys()) == []
