"""Merging two charts of one person: every kind of row ends up on the kept chart, nothing is
deleted or rewritten, the other chart is archived pointing to the kept one, and it is one
audited transaction that only an admin or a medical director may make."""

from __future__ import annotations

import datetime as dt

import pytest
from peewee import ForeignKeyField

from medspa_desktop.services.billing import account_credit, billing_reports, memberships, prepaid
from medspa_desktop.services.charts import (
    history_import,
    intake,
    merge,
    notes,
    patient_import,
    patients,
    photos,
)
from medspa_desktop.services.consents import signing
from medspa_desktop.services.platform.errors import (
    PermissionDenied,
    StaleEditError,
    ValidationError,
)
from medspa_desktop.services.platform.png import grey_png
from medspa_desktop.services.scheduling import appointments, series, waitlist
from medspa_desktop.services.treatments import inventory, treatment_records
from medspa_desktop.store.models import (
    ALL_MODELS,
    Appointment,
    AuditEvent,
    Consent,
    Invoice,
    Membership,
    Note,
    Package,
    Patient,
    Photo,
    Product,
    Room,
    Series,
    Service,
    StockMovement,
    TreatmentRecord,
    WaitlistEntry,
)
from tests.conftest import give_consent, staff


def test_every_table_that_points_to_a_patient_is_handled_by_the_merge():
    """A new table with a patient foreign key must be listed in merge.py (moved, read through
    the kept chart, or the chart's own), or a merge would leave its rows behind."""
    pointing = {model for model in ALL_MODELS for field in model._meta.sorted_fields
                if isinstance(field, ForeignKeyField) and field.rel_model is Patient
                and model is not Patient}
    handled = set(merge.MOVED) | set(merge.READ_THROUGH) | set(merge.OWN)
    assert pointing == handled
    assert set(merge.KIND_LABELS) == set(merge.MOVED) | set(merge.READ_THROUGH)


def _richest(exclude: int | None = None) -> Patient:
    """The demo patient with the most treatment records, invoices and packages."""
    def score(p: Patient) -> tuple:
        return tuple(m.select().where(m.patient == p.id).count()
                     for m in (Package, TreatmentRecord, Note, Invoice, Consent))
    candidates = [p for p in Patient.select() if p.id != exclude]
    return max(candidates[:60], key=score)


def _add_what_the_demo_lacks(other: Patient) -> None:
    """A photo, a signed note, a charted toxin visit (drawing stock), a visit from the old
    system, a course of two sessions, a waitlist entry, an allergy, a goodwill credit and a
    membership on ``other`` (the demo
    is generated around today's date, so its richest chart may lack any)."""
    director = staff("director")
    note = notes.start_note(director, other.id, category="neurotoxin")
    notes.sign(director, note.id, note.version)
    source = patient_import.read_source(
        "old.csv", f"Chart,Date,Service\n{other.chart_number},2020-05-01,Botox\n".encode())
    history_import.run_history(director, history_import.plan_history(
        director, source, {"patient_id": 0, "date": 1, "service": 2}, "YMD"))
    intake.record_answers(director, other.id, {"allergies": "Lidocaine"})
    photos.import_photo(director, other.id, grey_png(30, 30), tag="before", area="Glabella",
                        taken_on=dt.date.today(), consent_note="Paper consent today")
    botox = Service.get(Service.category == "neurotoxin")
    room = Room.select().order_by(Room.id).first()
    first = dt.datetime(2031, 3, 4, 10, 0)  # a Tuesday, far from the demo's bookings
    sessions = [appointments.AppointmentInput(
        other.id, botox.id, director.id, first + dt.timedelta(days=14 * i),
        first + dt.timedelta(days=14 * i, minutes=botox.default_minutes), room_id=room.id)
        for i in range(2)]
    series.book_series(director, other.id, botox.id, sessions, 14)
    start = first + dt.timedelta(days=2)
    visit = appointments.book_appointment(staff("frontdesk"), appointments.AppointmentInput(
        other.id, botox.id, director.id, start,
        start + dt.timedelta(minutes=botox.default_minutes), room_id=room.id))
    visit = appointments.change_status(director, visit.id, "arrived", visit.version)
    give_consent(director, other.id, "neurotoxin")
    visit = appointments.change_status(director, visit.id, "in_treatment", visit.version,
                                       acknowledge="reviewed with the patient")
    product = Product.get(Product.name == botox.name)
    points = [{"view": "front", "x": 150, "y": 128, "site": "Glabella", "amount": 4}]
    treatment_records.record_treatment(director, visit.id, {
        "product_id": product.id, "dilution_ml": 2.5, "points": points, "total_units": 4})
    waitlist.add(staff("frontdesk"), waitlist.WaitlistInput(
        other.id, botox.id, dt.date.today(), dt.date.today() + dt.timedelta(days=30)))
    account_credit.give_goodwill(director, other.id, 1500, "Kept waiting an hour")
    _enrol(other)


def _enrol(patient: Patient) -> None:
    """``patient`` a member of a small plan of its own (unless the demo made them one),
    agreement signed."""
    from medspa_desktop.documents.membership_agreement import render_agreement
    from medspa_desktop.printouts import _letterhead

    if memberships.current_membership(staff("frontdesk"), patient.id) is not None:
        return
    plan = memberships.save_plan(staff("admin"), memberships.PlanInput(
        "Merge Test Club", 9900, billing_day=0, min_term_months=6, notice_days=30))
    memberships.enrol(staff("frontdesk"), memberships.EnrolInput(
        patient.id, plan.id, grey_png(40, 20), grey_png(40, 20)),
        lambda sheet: render_agreement(sheet, _letterhead()))


def _rows(model, patient_id: int) -> set[int]:
    return {r.id for r in model.select(model.id).where(model.patient == patient_id)}


def test_a_merge_brings_every_kind_of_row_to_the_kept_chart_and_archives_the_other(demo_db):
    director = staff("director")
    other = _richest()
    _add_what_the_demo_lacks(other)
    keep = patients.create_patient(staff("frontdesk"), patients.PatientInput(
        other.first_name, other.last_name, other.dob, phone="555 010 4477"))
    before = {m: _rows(m, other.id) for m in (*merge.MOVED, *merge.READ_THROUGH)}
    assert all(before.values()), {m.__name__ for m, rows in before.items() if not rows}
    fixed = {m: list(m.select().where(m.id.in_(before[m])).order_by(m.id).tuples())
             for m in merge.READ_THROUGH}
    events = AuditEvent.select().count()

    kept = merge.merge_patients(director, keep.id, other.id, keep_version=keep.version,
                                other_version=Patient.get_by_id(other.id).version)

    # the schedule moved; the final records are exactly as written (nothing rewritten)
    for model in merge.MOVED:
        assert _rows(model, kept.id) == before[model] and not _rows(model, other.id)
    for model in merge.READ_THROUGH:
        assert list(model.select().where(model.id.in_(before[model])).order_by(model.id)
                    .tuples()) == fixed[model]
    # and the kept chart shows all of it, through the services its screens call
    assert before[Appointment] <= {r.id for r in appointments.patient_schedule(director, kept.id)}
    assert {r.id for r in waitlist.waiting(director) if r.patient_id == kept.id} \
        == before[WaitlistEntry]
    assert {s.id for s in Series.select().where(Series.patient == kept.id)} == before[Series]
    treated = {t.appointment_id for t in treatment_records.patient_treatments(director, kept.id)}
    assert treated == {r.appointment_id for r in TreatmentRecord.select().where(
        TreatmentRecord.id.in_(before[TreatmentRecord]))}
    assert {n.id for n in notes.patient_notes(director, kept.id)} == before[Note]
    assert memberships.current_membership(director, kept.id).id in before[Membership]
    assert account_credit.balance_cents(director, kept.id) >= 1500
    assert {c.id for c in signing.patient_consents(director, kept.id)} == before[Consent]
    assert {p.id for p in photos.patient_photos(director, kept.id)} == before[Photo]
    assert {i.id for i in billing_reports.invoices(
        director, billing_reports.InvoiceFilter(patient_id=kept.id), limit=10_000)} \
        == before[Invoice]
    assert {p.id for p in prepaid.patient_packages(director, kept.id)} == before[Package]
    answered = {q: a.value for q, a in intake.current_answers(director, other.id).items()}
    assert answered and {q: a.value for q, a in
                         intake.current_answers(director, kept.id).items()} == answered
    # a lot recall reaches the patient at the kept chart's (current) phone number
    drawn = StockMovement.get_by_id(min(before[StockMovement]))
    recalled = inventory.recall(director, drawn.lot.lot_number)
    assert kept.id in {r.patient_id for r in recalled}
    assert other.id not in {r.patient_id for r in recalled}
    assert "(555) 010-4477" in {r.phone for r in recalled if r.patient_id == kept.id}

    merged = Patient.get_by_id(other.id)
    assert merged.archived and merged.merged_into_id == kept.id
    assert patients.search_patients(director, other.chart_number) == []
    trail = list(AuditEvent.select().where(AuditEvent.id > events,
                                           AuditEvent.action == "patient.merge"))
    assert {e.record_id for e in trail} == {str(kept.id), str(other.id)}
    assert all(f"chart {other.chart_number} merged into chart {kept.chart_number}" in e.summary
               for e in trail)


def test_a_chart_merged_into_one_that_is_merged_later_follows_it(admin):
    a, b, c = (patients.create_patient(admin, patients.PatientInput(
        "Ann", "Lee", dt.date(1980, 1, 1), phone=f"555 010 {n}")) for n in ("1111", "2222",
                                                                         "3333"))
    merge.merge_patients(admin, b.id, a.id, keep_version=b.version, other_version=a.version)
    b = Patient.get_by_id(b.id)
    merge.merge_patients(admin, c.id, b.id, keep_version=c.version, other_version=b.version)
    assert Patient.get_by_id(a.id).merged_into_id == c.id
    assert patients.chart_ids(c.id) == [c.id, a.id, b.id]
    with pytest.raises(ValidationError, match=f"was already merged into chart {c.chart_number}"):
        merge.merge_patients(admin, a.id, c.id, keep_version=2, other_version=2)
    with pytest.raises(ValidationError, match="stays archived"):
        patients.unarchive_patient(admin, a.id)


def test_nothing_new_is_written_on_a_chart_merged_into_another(admin):
    """A clinician who opens the duplicate (under Show archived) cannot start writing there:
    a note, a medical history, a photo or a consent goes on the kept chart, which the refusal
    names."""
    from medspa_desktop.services.consents import consent_templates
    from medspa_desktop.services.platform import auth

    keep, other = _two(admin)
    merge.merge_patients(admin, keep.id, other.id, keep_version=keep.version,
                         other_version=other.version)
    rn = auth.create_user(admin, auth.UserInput("rn", "Jo Kim", "provider", "long-enough"))
    said = f"This chart was merged into chart {keep.chart_number} (Lee, Ann): write there."
    template = consent_templates.current(admin, "neurotoxin")
    for write in (
        lambda: notes.start_note(rn, other.id, category="neurotoxin"),
        lambda: intake.record_answers(rn, other.id, {"allergies": "Latex"}),
        lambda: photos.import_photo(rn, other.id, grey_png(30, 30), tag="before",
                                    area="Glabella", taken_on=dt.date.today(),
                                    consent_note="Paper consent today"),
        lambda: signing.record_paper(rn, other.id, template.id, dt.datetime.now(),
                                     grey_png(40, 40)),
    ):
        with pytest.raises(ValidationError) as refused:
            write()
        assert str(refused.value) == said
    # on the kept chart the same writing is fine
    notes.start_note(rn, keep.id, category="neurotoxin")


def _two(actor):
    return [patients.create_patient(actor, patients.PatientInput(
        "Ann", "Lee", dt.date(1980, 1, 1), phone=f"555 010 {n}")) for n in ("1111", "2222")]


def test_only_an_admin_or_a_medical_director_may_merge(demo_db):
    keep, other = _two(staff("admin"))
    for username in ("frontdesk", "injector"):
        with pytest.raises(PermissionDenied, match="may not merge duplicate patient charts"):
            merge.merge_patients(staff(username), keep.id, other.id,
                                 keep_version=keep.version, other_version=other.version)
    assert Patient.get_by_id(other.id).merged_into_id is None
    merge.merge_patients(staff("director"), keep.id, other.id, keep_version=keep.version,
                         other_version=other.version)


def test_a_merge_refuses_bad_choices_and_writes_nothing(admin):
    keep, other = _two(admin)
    events = AuditEvent.select().count()
    with pytest.raises(ValidationError, match="two different charts"):
        merge.merge_patients(admin, keep.id, keep.id, keep_version=1, other_version=1)
    patients.update_patient(admin, other.id, patients.PatientInput(
        "Ann", "Lee", dt.date(1980, 1, 1), email="ann@example.com"), version=other.version)
    with pytest.raises(StaleEditError, match=rf"{admin.display_name} changed chart "
                       rf"{other.chart_number} at \d\d:\d\d while you compared"):
        merge.merge_patients(admin, keep.id, other.id, keep_version=keep.version,
                             other_version=other.version)
    patients.archive_patient(admin, keep.id, "moved away")
    with pytest.raises(ValidationError, match="is archived: bring it back"):
        merge.merge_patients(admin, keep.id, other.id, keep_version=keep.version + 1,
                             other_version=other.version + 1)
    assert AuditEvent.select().count() == events + 2  # the edit and the archive only
    assert Patient.select().where(Patient.merged_into.is_null(False)).count() == 0


def test_the_summary_counts_what_each_chart_holds(demo_db):
    other = _richest()
    view = merge.summary(staff("director"), other.id)
    counts = dict(view.counts)
    assert counts["invoices"] == Invoice.select().where(Invoice.patient == other.id).count()
    assert view.chart_number == other.chart_number
