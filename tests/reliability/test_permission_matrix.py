"""Every permission of the matrix, for every role, through the services themselves: each
service function that begins by requiring a permission is called as each demo role; the
roles the matrix refuses get PermissionDenied before anything happens, the others get past
the check (the call may then refuse its deliberately empty arguments — that is fine)."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil

import pytest

import medspa_desktop.services as services_package
from medspa_desktop.services.platform.errors import PermissionDenied
from medspa_desktop.services.platform.permissions import PERMISSIONS
from tests.conftest import staff

ROLES = {"admin": "admin", "medical_director": "director", "provider": "injector",
         "front_desk": "frontdesk"}


def _guarded_functions() -> list[tuple[str, object, str]]:
    """(name, function, permission) for each public service function whose first statement
    (after its docstring) is ``require(<first parameter>, "<permission>")``."""
    found = []
    for info in pkgutil.walk_packages(services_package.__path__, "medspa_desktop.services."):
        module = importlib.import_module(info.name)
        tree = ast.parse(inspect.getsource(module))
        for node in tree.body:
            if not isinstance(node, ast.FunctionDef) or node.name.startswith("_"):
                continue
            body = node.body[1:] if ast.get_docstring(node) else node.body
            first = body[0] if body else None
            if (isinstance(first, ast.Expr) and isinstance(first.value, ast.Call)
                    and getattr(first.value.func, "id", "") == "require"
                    and isinstance(first.value.args[1], ast.Constant)
                    and isinstance(first.value.args[0], ast.Name)
                    and first.value.args[0].id == node.args.args[0].arg):
                found.append((f"{info.name}.{node.name}", getattr(module, node.name),
                              first.value.args[1].value))
    return found


GUARDED = _guarded_functions()


def _call_empty(function, user):
    signature = inspect.signature(function)
    args, kwargs = [user], {}
    for parameter in list(signature.parameters.values())[1:]:
        if parameter.default is not inspect.Parameter.empty:
            continue
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY:
            kwargs[parameter.name] = None
        elif parameter.kind in (inspect.Parameter.POSITIONAL_ONLY,
                                inspect.Parameter.POSITIONAL_OR_KEYWORD):
            args.append(None)
    return function(*args, **kwargs)


@pytest.mark.parametrize("role", list(ROLES))
def test_each_role_gets_exactly_what_the_matrix_gives(demo_db, role):
    user = staff(ROLES[role])
    wrong = []
    for name, function, permission in GUARDED:
        allowed = role in PERMISSIONS[permission][0]
        try:
            _call_empty(function, user)
            refused = False
        except PermissionDenied:
            refused = True
        except Exception:  # past the check; the empty arguments were refused
            refused = False
        if refused == allowed:
            wrong.append(f"{name} ({permission}): {'refused' if refused else 'allowed'}")
    assert wrong == []


# The permissions checked inside a service rather than on entry, each by what the person
# would see.
def _note_body_shown(user) -> bool:
    from medspa_desktop.services.charts import notes
    from medspa_desktop.store.models import Note

    note = Note.select().where(Note.status == "signed").first()
    return notes.open_note(user, note.id).sections is not None


def _may_override_consent(user) -> bool:
    import datetime as dt

    from medspa_desktop.services.consents import consent_policy
    from medspa_desktop.store.models import Appointment, Consent

    appt = (Appointment.select().where(Appointment.status == "booked",
                                       Appointment.patient.not_in(
                                           Consent.select(Consent.patient)))
            .order_by(Appointment.start).first())
    try:
        consent_policy.check_before_treatment(user, appt, "consent was signed in the other "
                                              "branch", dt.datetime.now())
    except PermissionDenied:
        return False
    return True


def _may_acknowledge_contraindication(user) -> bool:
    import datetime as dt

    from medspa_desktop.services.charts import intake
    from medspa_desktop.services.scheduling import appointments
    from medspa_desktop.store.models import Appointment, Service
    from tests.conftest import give_consent

    admin = staff("admin")
    appt = (Appointment.select().join(Service)
            .where(Appointment.status == "booked", Service.category == "neurotoxin",
                   Appointment.start > dt.datetime.now())
            .order_by(Appointment.start).first())
    intake.record_answers(admin, appt.patient_id, {"pregnant_or_nursing": True})
    give_consent(admin, appt.patient_id, "neurotoxin")
    arrived = appointments.change_status(admin, appt.id, "arrived", appt.version)
    try:
        appointments.change_status(user, appt.id, "in_treatment", arrived.version,
                                   acknowledge="delivered last year; the intake is out of date")
    except PermissionDenied:
        return False
    return True


def _may_back_up(user, folder) -> bool:
    from medspa_desktop.services.platform import backup

    try:
        backup.create_backup(user, folder)
    except PermissionDenied:
        return False
    return True


def _may_export(user, folder) -> bool:
    from medspa_desktop.services.exchange.export_clinic import export_clinic

    try:
        export_clinic(user, folder)  # None is the command line, so it checks inside
    except PermissionDenied:
        return False
    return True


def _may_backdate_commission(user) -> bool:
    import datetime as dt

    from medspa_desktop.services.reports import staff_pay

    try:
        staff_pay.set_rates(user, {"retail": 500}, dt.date.today() - dt.timedelta(days=30))
    except PermissionDenied:
        return False
    return staff_pay.rates(dt.date.today() - dt.timedelta(days=30))["retail"] == 500


@pytest.mark.parametrize("role", list(ROLES))
def test_the_checks_inside_services_follow_the_matrix_too(demo_db, tmp_path, role):
    user = staff(ROLES[role])
    assert _note_body_shown(user) == (role in PERMISSIONS["notes.read"][0])
    assert _may_override_consent(user) == (role in PERMISSIONS["consent.override"][0])
    assert _may_back_up(user, tmp_path / "usb") == (role in PERMISSIONS["backup.run"][0])
    assert _may_export(user, tmp_path / "export") == (role in PERMISSIONS["data.export"][0])
    assert _may_acknowledge_contraindication(user) == (
        role in PERMISSIONS["contraindication.acknowledge"][0])
    assert _may_backdate_commission(user) == (role in PERMISSIONS["commission.backdate"][0])


def test_every_permission_is_proved_for_every_role():
    proved = {p for _n, _f, p in GUARDED} | {"notes.read", "consent.override", "backup.run",
                                             "contraindication.acknowledge", "data.export",
                                             "commission.backdate"}
    assert proved == set(PERMISSIONS)
