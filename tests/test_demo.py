"""The demo clinic: deterministic, realistic and conflict-free."""

from __future__ import annotations

import datetime as dt
import json

from medspa_desktop import demo
from medspa_desktop.store.database import close_database, db, open_database
from medspa_desktop.store.migrations import migrate
from medspa_desktop.store.models import (
    Appointment,
    Device,
    Invoice,
    Note,
    Patient,
    Payment,
    Room,
    Service,
    StockMovement,
    TreatmentRecord,
    User,
)


def _snapshot(path, seed):
    open_database(path)
    migrate()
    demo.build_demo(seed=seed, today=dt.date(2026, 11, 23), patient_count=40, days_back=6,
                    days_ahead=3)
    patients = list(Patient.select(Patient.first_name, Patient.last_name, Patient.dob,
                                   Patient.phone).order_by(Patient.id).tuples())
    appts = list(Appointment.select(Appointment.patient, Appointment.service,
                                    Appointment.provider, Appointment.start,
                                    Appointment.status).order_by(Appointment.id).tuples())
    close_database()
    return patients, appts


def test_the_same_seed_gives_the_same_clinic(tmp_path):
    a = _snapshot(tmp_path / "a.db", 5)
    b = _snapshot(tmp_path / "b.db", 5)
    c = _snapshot(tmp_path / "c.db", 6)
    assert a == b
    assert a != c


def test_the_demo_has_the_documented_accounts_rooms_devices_and_catalog(demo_db):
    assert sorted(u.username for u in User.select()) == sorted(
        ["admin", "director", "injector", "laser1", "laser2", "frontdesk"])
    assert Room.select().count() == 5
    assert Device.select().count() == 3
    categories = {s.category for s in Service.select()}
    assert {"neurotoxin", "filler", "laser_resurfacing", "laser_hair", "ipl", "mesotherapy",
            "body_contouring", "peel_microneedling", "retail"} <= categories
    assert Patient.select().count() == 300
    names = " ".join(f"{p.first_name} {p.last_name}" for p in Patient.select())
    assert any(ch in names for ch in "éëóñ") and "'" in names and "-" in names


def test_three_months_of_appointments_past_and_upcoming(demo_db):
    today = dt.datetime.combine(dt.date.today(), dt.time())
    past = Appointment.select().where(Appointment.start < today).count()
    upcoming = Appointment.select().where(Appointment.start >= today).count()
    assert past > 1000 and upcoming > 300
    span = (Appointment.select().order_by(Appointment.start.desc()).first().start
            - Appointment.select().order_by(Appointment.start).first().start)
    assert span >= dt.timedelta(days=85)


def test_no_person_room_or_device_is_in_two_active_appointments_at_once(demo_db):
    for column in ("provider_id", "room_id", "device_id", "patient_id"):
        clash = db.execute_sql(f"""
            SELECT COUNT(*) FROM appointment a JOIN appointment b
              ON a.{column} = b.{column} AND a.id < b.id
             AND a.start < b."end" AND b.start < a."end"
             WHERE a.status NOT IN ('cancelled', 'no_show')
               AND b.status NOT IN ('cancelled', 'no_show')""").fetchone()[0]
        assert clash == 0, column


def test_only_appointments_already_begun_have_moved_past_booked(demo_db):
    """Built on the real today, the demo's "now" is the clock: nothing later has happened."""
    later = Appointment.select().where(Appointment.start >= dt.datetime.now())
    assert later.count() > 0
    assert {a.status for a in later} <= {"booked", "confirmed"}


def _by_patient(category: str) -> dict[int, list[dt.datetime]]:
    visits: dict[int, list[dt.datetime]] = {}
    for patient_id, start in (Appointment.select(Appointment.patient, Appointment.start)
                              .join(Service)
                              .where(Service.category == category,
                                     Appointment.status.not_in(("cancelled", "no_show")))
                              .order_by(Appointment.start).tuples()):
        visits.setdefault(patient_id, []).append(start)
    return visits


def _gaps(starts: list[dt.datetime]) -> list[int]:
    return [(b.date() - a.date()).days for a, b in zip(starts, starts[1:], strict=False)]


def test_the_demo_clinic_keeps_the_rules_a_nurse_would_check(demo_db):
    """Toxin no sooner than 90 days, laser hair in courses every 4 to 8 weeks, notes with
    text written when the visit ended, money and stock moving at the visit's time, and
    mesotherapy charted with its solution."""
    toxin = _by_patient("neurotoxin")
    assert sum(len(v) for v in toxin.values()) > 100
    assert all(gap >= 90 for starts in toxin.values() for gap in _gaps(starts))
    assert not any("interval_reason" in json.loads(r.parameters)
                   for r in TreatmentRecord.select())

    laser = _by_patient("laser_hair")
    gaps = [gap for starts in laser.values() for gap in _gaps(starts)]
    assert len(gaps) > 50 and all(28 <= gap <= 56 for gap in gaps)
    assert sum(len(starts) >= 3 for starts in laser.values()) >= 10  # courses under way

    signed = list(Note.select().where(Note.status == "signed"))
    assert len(signed) > 100
    for note in signed:
        appt = Appointment.get_by_id(note.appointment_id)
        assert appt.start <= note.signed_at <= appt.end + dt.timedelta(minutes=5)
        for section in ("subjective", "objective", "assessment", "plan"):
            text = getattr(note, section)
            assert text.strip(), (note.id, section)
            assert not any(line.rstrip().endswith(":") for line in text.splitlines()), text

    records = list(TreatmentRecord.select(TreatmentRecord, Appointment).join(Appointment))
    for record in records:
        assert record.appointment.start <= record.charted_at <= record.appointment.end
    used = {m.appointment_id: m.at for m in StockMovement.select().where(
        StockMovement.kind == "use")}
    assert all(used[r.appointment_id] == r.charted_at for r in records)
    meso = [json.loads(r.parameters) for r in records if r.modality == "mesotherapy"]
    assert len(meso) >= 10 and all(p["lots"] and p["volume_ml"] > 0 for p in meso)

    for invoice in Invoice.select(Invoice, Appointment).join(Appointment):
        visit = invoice.appointment
        assert visit.start <= invoice.issued_at <= visit.end, invoice.number
        for payment in Payment.select().where(Payment.invoice == invoice.id):
            assert visit.start <= payment.at <= visit.end, invoice.number


def test_the_demo_has_patients_due_for_a_recall_at_the_right_intervals(demo_db):
    """Toxin patients 90 to 120 days on with nothing booked, filler at 9 to 12 months, a
    course left unfinished, and lapsed patients: the lists the desk calls from are never
    empty on the demo; some
    patients agreed to recall emails."""
    from medspa_desktop.services.messaging import contact_consent, due_lists

    desk = User.get(User.username == "frontdesk")
    lists = due_lists.patients_due(desk)
    assert len(lists.toxin) >= 3 and lists.filler and lists.lapsed and lists.series
    assert "1 of 3 sessions done, 2 left, none booked" in lists.series[0].due
    assert all(90 <= r.days <= 120 for r in lists.toxin)
    assert all(270 <= r.days <= 365 for r in lists.filler)
    assert all(r.days >= 182 for r in lists.lapsed)
    ids = [p.id for p in Patient.select(Patient.id)]
    agreed = contact_consent.agreeing(ids, "marketing")
    assert 0.25 * len(ids) < len(agreed) < 0.65 * len(ids)


def test_the_demo_clinic_has_members_with_their_monthly_dues(demo_db):
    """A plan, members who joined in the last months with their signed agreements, every
    month's dues issued once on the billing day and paid."""
    from medspa_desktop.services.billing import memberships
    from medspa_desktop.store.models import Membership, MembershipDues

    desk = User.get(User.username == "frontdesk")
    members = list(Membership.select())
    assert len(members) == 5
    for m in members:
        view = memberships.current_membership(desk, m.patient_id)
        assert view is not None and view.state == "active"
        months = [d.month for d in MembershipDues.select()
                  .where(MembershipDues.membership == m.id).order_by(MembershipDues.month)]
        assert months and len(months) == len(set(months))  # once a month
        assert months[0] == memberships.month_of(m.started_on)
        assert memberships.agreement_pdf(desk, m.id).startswith(b"%PDF-")
    assert memberships.overdue_dues(desk, grace_days=0) == []
