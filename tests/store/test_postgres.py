"""Multi-PC mode: the same models and services on a real PostgreSQL server."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from decimal import Decimal

import pytest
from peewee import DatabaseError

from medspa_desktop.services.charts import patients
from medspa_desktop.services.clinic import clinic
from medspa_desktop.services.platform import audit, auth, query
from medspa_desktop.services.platform.errors import ConflictError
from medspa_desktop.services.platform.integrity import check_database
from medspa_desktop.services.platform.text import fold
from medspa_desktop.services.scheduling import appointments
from medspa_desktop.store.database import close_database, db, open_database
from medspa_desktop.store.migrations import SCHEMA_VERSION, migrate, read_schema_version
from medspa_desktop.store.models import (
    ALL_MODELS,
    AuditEvent,
    Patient,
    PatientNamePart,
    Room,
    Service,
)
from tests.conftest import PASSWORD


def _columns() -> dict[str, list[str]]:
    return {m._meta.table_name: sorted(c.name for c in db.get_columns(m._meta.table_name))
            for m in ALL_MODELS}


@pytest.fixture
def pg_admin(pg_database):
    return clinic.create_clinic(clinic.ClinicInfo("Multi-PC Clinic"),
                                auth.UserInput("admin", "Ada Admin", "admin", PASSWORD))


def test_postgresql_gets_the_same_schema_as_sqlite(pg_database, tmp_path):
    assert read_schema_version() == SCHEMA_VERSION
    on_postgres = _columns()
    close_database()
    open_database(tmp_path / "same.db")
    migrate()
    assert _columns() == on_postgres


def test_the_clinic_works_on_postgresql(pg_admin):
    lee = auth.create_user(pg_admin, auth.UserInput("lee", "Mia Lee", "medical_director",
                                                    "long-enough", "Dr Lee"))
    zoe = patients.create_patient(pg_admin, patients.PatientInput(
        "Zoë", "O'Brien-Żółć", dt.date(1990, 4, 17), phone="(555) 201-3344"))
    assert [r.id for r in patients.search_patients(pg_admin, "zoe obrien")] == []
    assert [r.id for r in patients.search_patients(pg_admin, "ZOË o'brien")] == [zoe.id]
    assert [r.id for r in patients.search_patients(pg_admin, "201-3344")] == [zoe.id]
    botox = Service.get(Service.name == "Botox Cosmetic")
    room = Room.get(Room.name == "Room 1")
    start = dt.datetime(2030, 1, 8, 10, 0)
    data = appointments.AppointmentInput(zoe.id, botox.id, lee.id, start,
                                         start + dt.timedelta(minutes=30), room_id=room.id)
    appt = appointments.book_appointment(pg_admin, data)
    with pytest.raises(ConflictError, match="Room 1 is booked 10:00–10:30"):
        appointments.book_appointment(pg_admin, data)
    assert appointments.day_schedule(pg_admin, start.date())[0].id == appt.id
    assert auth.authenticate("admin", PASSWORD).id == pg_admin.id
    assert check_database() == []


def test_the_audit_log_is_append_only_on_postgresql(pg_admin):
    event = AuditEvent.select().first()
    with pytest.raises(DatabaseError, match="append-only"):
        AuditEvent.update(summary="x").where(AuditEvent.id == event.id).execute()
    with pytest.raises(DatabaseError, match="append-only"):
        AuditEvent.delete().where(AuditEvent.id == event.id).execute()
    db.execute_sql("DROP TRIGGER audit_event_append_only ON audit_event")
    db.execute_sql("UPDATE audit_event SET summary = 'x' WHERE id = %s", (event.id,))
    problems = check_database()
    assert f"audit event {event.id}: its content was changed after it was written" in problems
    assert "audit_event has lost its append-only trigger" in problems


def test_two_pcs_writing_at_once_keep_one_unbroken_audit_chain(pg_admin):
    """Each thread has its own connection, as each PC would; the chain must not fork."""
    errors: list[Exception] = []
    start = threading.Barrier(2)

    def front_desk(first_name: str) -> None:
        try:
            start.wait()
            for i in range(25):
                patients.create_patient(pg_admin, patients.PatientInput(
                    first_name, f"Walk-in {i}", dt.date(1985, 1, 1)))
        except Exception as exc:  # reported below, on the test's thread
            errors.append(exc)
        finally:
            db.close()

    threads = [threading.Thread(target=front_desk, args=(n,)) for n in ("Ann", "Bo")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert Patient.select().count() == 50
    assert audit.verify_chain() == []
    assert len({e.prev_hash for e in AuditEvent.select()}) == AuditEvent.select().count()


def test_a_signed_note_is_guarded_on_postgresql(pg_admin):
    from medspa_desktop.services.charts import notes

    rn = auth.create_user(pg_admin, auth.UserInput("rn", "Jo Kim", "provider", "long-enough"))
    zoe = patients.create_patient(pg_admin, patients.PatientInput("Zoë", "Ng",
                                                                  dt.date(1990, 4, 17)))
    note = notes.start_note(rn, zoe.id, category="filler")
    note = notes.sign(rn, note.id, note.version)
    with pytest.raises(DatabaseError, match="a signed note cannot be changed"):
        db.execute_sql("UPDATE note SET plan = 'forged' WHERE id = %s", (note.id,))
    with pytest.raises(DatabaseError, match="note rows are never deleted"):
        db.execute_sql("DELETE FROM note WHERE id = %s", (note.id,))
    assert notes.open_note(rn, note.id).verified
    assert check_database() == []


def test_invoices_on_postgresql_are_numbered_paid_and_guarded(pg_admin):
    from medspa_desktop.services.billing import invoices
    from medspa_desktop.services.treatments import inventory
    from medspa_desktop.store.models import Invoice

    balm = inventory.add_product(pg_admin, "Lip balm", "retail")
    inventory.receive(pg_admin, balm.id, "B1", dt.date.today() + dt.timedelta(days=300), 10)
    patient = patients.create_patient(pg_admin, patients.PatientInput(
        "Ann", "Lee", dt.date(1990, 1, 1)))
    line = invoices.LineDraft("product", "Lip balm", Decimal(1), 900,
                              product_id=balm.id)
    first = invoices.issue_invoice(pg_admin, invoices.CheckoutInput(patient.id, (line,)))
    second = invoices.issue_invoice(pg_admin, invoices.CheckoutInput(patient.id, (line,)))
    assert (first.number, second.number) == (1, 2)
    payment = invoices.take_payment(pg_admin, first.id, invoices.PaymentInput(
        "card", first.total_cents, card_last4="4242", auth_code="OK1"))
    invoices.refund(pg_admin, payment.id, first.total_cents, "returned")
    invoices.void_invoice(pg_admin, first.id, "returned")
    with pytest.raises(DatabaseError, match="cannot be changed"), db.atomic():
        Invoice.update(status="open").where(Invoice.id == first.id).execute()
    with pytest.raises(DatabaseError, match="never deleted"), db.atomic():
        Invoice.delete().where(Invoice.id == second.id).execute()
    assert check_database() == []


def test_the_packages_step_upgrades_a_postgresql_database(pg_database, tmp_path):
    """A multi-PC clinic at schema 8 climbs to 9 on its server: the step's new tables and
    columns come out as a new database's, guarded the same way."""
    from medspa_desktop.store.migrations import _stamp, has_append_only_triggers

    for table in ("invoice_line", "payment"):
        for column in ("package_id", "gift_card_id"):
            db.execute_sql(f'ALTER TABLE "{table}" DROP COLUMN IF EXISTS "{column}"')
    for table in ("gift_card_close", "package_use", "gift_card", "package"):
        db.execute_sql(f'DROP TABLE "{table}" CASCADE')
    with db.atomic():
        _stamp(8)
    assert migrate().from_version == 8 and read_schema_version() == SCHEMA_VERSION
    assert all(has_append_only_triggers(t) for t in ("package", "package_use", "gift_card",
                                                     "gift_card_close"))
    test_postgresql_gets_the_same_schema_as_sqlite(pg_database, tmp_path)


def test_packages_and_gift_cards_on_postgresql(pg_admin):
    from medspa_desktop.services.billing import invoices, prepaid
    from medspa_desktop.store.models import PackageUse

    patient = patients.create_patient(pg_admin, patients.PatientInput(
        "Ann", "Lee", dt.date(1990, 1, 1)))
    peel = Service.get(Service.name == "Chemical peel, medium")
    sale = invoices.issue_invoice(pg_admin, invoices.CheckoutInput(patient.id, (
        invoices.package_line(pg_admin, peel.id, 3, 60000),
        invoices.gift_card_line(pg_admin, 5000, code="PGCARD1"))))
    invoices.take_payment(pg_admin, sale.id, invoices.PaymentInput("cash", sale.total_cents))
    package = prepaid.patient_packages(pg_admin, patient.id)[0]
    drawn = invoices.LineDraft("service", "Peel", Decimal(1), 0, service_id=peel.id,
                               package_id=package.id)
    visit = invoices.issue_invoice(pg_admin, invoices.CheckoutInput(patient.id, (
        drawn, invoices.LineDraft("service", "Peel", Decimal(1), 25000, service_id=peel.id))))
    spent = invoices.take_payment(pg_admin, visit.id, invoices.PaymentInput(
        "gift_card", 5000, gift_card_code="pgcard1"))
    invoices.refund(pg_admin, spent.id, 2000, "redo")
    assert prepaid.patient_packages(pg_admin, patient.id)[0].left == "2 sessions"
    assert prepaid.gift_card(pg_admin, "PGCARD1").balance_cents == 2000
    with pytest.raises(DatabaseError, match="append-only|never"), db.atomic():
        PackageUse.update(quantity_centi=0).execute()
    assert check_database() == []


def test_a_postgresql_clinic_is_told_to_restore_from_the_command_line(pg_admin):
    """(Its backups are tests/services/platform/test_pg_backup.py.) There is no file to put
    a backup in place of: the window says how a server backup is restored."""
    from medspa_desktop.services.platform import backup

    with pytest.raises(backup.BackupError, match="restore --from BACKUP --db postgresql://"):
        backup.database_path()


@pytest.fixture
def pg_english_admin(pg_server):
    """A clinic on a database whose text sorts by ICU's English rules, as a clinic's server
    often does (the test server's own databases sort bytewise, "C")."""
    import psycopg

    name = f"medspa_en_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(host=str(pg_server.socket_dir), user=pg_server.user,
                         dbname="postgres", autocommit=True) as con:
        try:
            con.execute(f"CREATE DATABASE \"{name}\" TEMPLATE template0 LOCALE 'C.utf8' "
                        "LOCALE_PROVIDER icu ICU_LOCALE 'en-US'")
        except psycopg.Error as exc:
            pytest.skip(f"this PostgreSQL has no ICU collations: {exc}")
    open_database(pg_server.url(name))
    migrate()
    yield clinic.create_clinic(clinic.ClinicInfo("English Clinic"),
                               auth.UserInput("admin", "Ada Admin", "admin", PASSWORD))
    close_database()


def _named_as_before(text: str) -> list[int]:
    q = Patient.select(Patient.id).where(~Patient.archived)
    for word in fold(text).split():
        q = q.where(Patient.search_name.contains(word))
    return [i for (i,) in q.order_by(Patient.search_name, Patient.id).tuples()]


@pytest.mark.parametrize(("rare", "pair"), [(10**9, 10**9), (0, 10**9), (0, 0)],
                         ids=["index", "intersection", "walk"])
def test_name_search_on_postgresql_under_an_english_collation(pg_english_admin, monkeypatch,
                                                             rare, pair):
    monkeypatch.setattr(query, "RARE_ROWS", rare)
    monkeypatch.setattr(query, "PAIR_ROWS", pair)
    assert db.execute_sql("SELECT datcollate, daticulocale FROM pg_database "
                          "WHERE datname = current_database()").fetchone()[1] == "en-US"
    for first, last in (("John", "Smith"), ("Johnny", "Smith-Jones"), ("Zoë", "O'Brien"),
                        ("Ann", "Smithers"), ("Under_score", "Per%cent"), ("Bo", "Smith Jones")):
        patients.create_patient(pg_english_admin, patients.PatientInput(
            first, last, dt.date(1990, 4, 17)))
    for text in ("ohn", "smith", "smith-j", "smith j", "h-j", "o'b", "obrien", "zoe", "%",
                 "_", "r%c", "e_s", "nes", "zz"):
        found = [r.id for r in patients.search_patients(pg_english_admin, text)]
        assert found == _named_as_before(text), text
    assert len(patients.search_patients(pg_english_admin, "smith-j")) == 1
    assert len(patients.search_patients(pg_english_admin, "%")) == 1


def test_the_name_index_step_upgrades_a_postgresql_database(pg_admin, tmp_path):
    """A multi-PC clinic at schema 9 climbs to 10 on its server: the name index is made and
    filled from every patient, answers through its pattern index, and the audit log gains its
    indexes."""
    from medspa_desktop.store.migrations import _stamp

    ids = [patients.create_patient(pg_admin, patients.PatientInput(
        first, last, dt.date(1990, 4, 17))).id
        for first, last in (("Zoë", "O'Brien"), ("John", "Smith"), ("Ann", "Lee"))]
    db.execute_sql('DROP TABLE "patient_name_part"')
    for index in ("audit_event_record_type_record_id", "audit_event_at"):
        db.execute_sql(f'DROP INDEX "{index}"')
    with db.atomic():
        _stamp(9)
    assert migrate().from_version == 9 and read_schema_version() == SCHEMA_VERSION
    for pid in ids:
        parts = {r.part for r in PatientNamePart.select().where(PatientNamePart.patient == pid)}
        assert parts == patients.name_parts(Patient.get_by_id(pid).search_name)
    assert [r.id for r in patients.search_patients(pg_admin, "BRIE zo")] == [ids[0]]
    indexes = {i.name for i in db.get_indexes("audit_event")}
    assert {"audit_event_record_type_record_id", "audit_event_at"} <= indexes
    with db.atomic():  # the planner may read the index for a prefix, whatever the collation
        db.execute_sql("SET LOCAL enable_seqscan = off")
        sql, params = (PatientNamePart.select(PatientNamePart.patient)
                       .where(query._part_begins_with("smi")).sql())
        plan = " ".join(r[0] for r in db.execute_sql("EXPLAIN " + sql, params))
    assert "patient_name_part_pattern" in plan, plan
    test_postgresql_gets_the_same_schema_as_sqlite(pg_admin, tmp_path)


def _charted_peel(pg_admin):
    from medspa_desktop.services.treatments import treatment_records
    from tests.conftest import give_consent

    rn = auth.create_user(pg_admin, auth.UserInput("rn", "Jo Kim", "provider", "long-enough"))
    zoe = patients.create_patient(pg_admin, patients.PatientInput("Zoë", "Ng",
                                                                  dt.date(1990, 4, 17)))
    peel = Service.get(Service.name == "Chemical peel, medium")
    start = dt.datetime(2030, 1, 8, 10, 0)
    appt = appointments.book_appointment(pg_admin, appointments.AppointmentInput(
        zoe.id, peel.id, rn.id, start, start + dt.timedelta(minutes=45),
        Room.get(Room.name == "Room 1").id))
    appt = appointments.change_status(pg_admin, appt.id, "arrived", appt.version)
    give_consent(pg_admin, zoe.id, peel.category)
    appt = appointments.change_status(rn, appt.id, "in_treatment", appt.version)
    record = treatment_records.record_treatment(rn, appt.id, {"agent": "TCA 20%",
                                                             "passes": 2})
    return rn, zoe, appt, record


def test_charted_records_amendments_and_photos_are_final_on_postgresql(pg_admin):
    from medspa_desktop.services.treatments import treatment_amendments, treatment_records
    from medspa_desktop.store.migrations import missing_guards
    from medspa_desktop.store.models import Photo

    rn, zoe, appt, record = _charted_peel(pg_admin)
    with pytest.raises(DatabaseError, match="treatment_record is append-only"):
        db.execute_sql("UPDATE treatment_record SET aftercare = 'x' WHERE id = %s",
                       (record.id,))
    with pytest.raises(DatabaseError, match="treatment_record is append-only"):
        db.execute_sql("DELETE FROM treatment_record WHERE id = %s", (record.id,))
    amendment = treatment_amendments.amend(rn, appt.id, "Wrong passes", "Three passes.")
    with pytest.raises(DatabaseError, match="treatment_amendment is append-only"):
        db.execute_sql("UPDATE treatment_amendment SET text = 'x' WHERE id = %s",
                       (amendment.id,))
    view = treatment_records.record_view(rn, appt.id)
    assert [(a.author, a.text) for a in view.amendments] == [("Jo Kim", "Three passes.")]

    photo = Photo.create(patient=zoe.id, tag="before", area="Glabella",
                         taken_on=dt.date(2030, 1, 8), sha256="a" * 64, extension="png",
                         imported_by=rn.id, imported_at=dt.datetime(2030, 1, 8, 10, 5))
    with pytest.raises(DatabaseError, match="a photo cannot be changed, only archived"):
        db.execute_sql("UPDATE photo SET area = 'Forehead' WHERE id = %s", (photo.id,))
    with pytest.raises(DatabaseError, match="photo rows are never deleted"):
        db.execute_sql("DELETE FROM photo WHERE id = %s", (photo.id,))
    Photo.update(archived=True).where(Photo.id == photo.id).execute()
    assert Photo.get_by_id(photo.id).archived and Photo.get_by_id(photo.id).area == "Glabella"

    assert missing_guards() == []
    db.execute_sql("DROP TRIGGER treatment_record_append_only ON treatment_record")
    db.execute_sql("DROP TRIGGER photo_fixed_guard ON photo")
    assert missing_guards() == ["treatment_record has lost its append-only trigger",
                                "photo has lost its fixed-row trigger"]


def test_the_final_records_step_upgrades_a_postgresql_database(pg_admin, tmp_path):
    """A multi-PC clinic at schema 11 climbs to 12 on its server: its records are kept and
    guarded, and the amendments table comes out as a new database's."""
    from medspa_desktop.store.migrations import _stamp, missing_guards
    from medspa_desktop.store.models import TreatmentRecord

    _rn, _zoe, _appt, record = _charted_peel(pg_admin)
    db.execute_sql('DROP TABLE "treatment_amendment"')
    db.execute_sql("DROP TRIGGER treatment_record_append_only ON treatment_record")
    db.execute_sql("DROP TRIGGER photo_fixed_guard ON photo")
    db.execute_sql("UPDATE treatment_record SET aftercare = 'as at schema 11' WHERE id = %s",
                   (record.id,))
    with db.atomic():
        _stamp(11)
    assert migrate().from_version == 11 and read_schema_version() == SCHEMA_VERSION
    assert TreatmentRecord.get_by_id(record.id).aftercare == "as at schema 11"
    assert missing_guards() == []
    with pytest.raises(DatabaseError, match="treatment_record is append-only"):
        db.execute_sql("UPDATE treatment_record SET aftercare = 'x' WHERE id = %s",
                       (record.id,))
    test_postgresql_gets_the_same_schema_as_sqlite(pg_admin, tmp_path)


def test_the_vocabulary_is_stored_as_its_words_on_postgresql(pg_admin):
    """A ``StrEnum`` member reaches the server as its word (psycopg sends a plain ``Enum`` as
    its name, "FRONT_DESK"; a ``str`` subclass goes as text)."""
    from medspa_desktop.services.platform.vocabulary import Role
    from medspa_desktop.store.models import User

    auth.create_user(pg_admin, auth.UserInput("desk", "Dee Desk", Role.FRONT_DESK,
                                              "long-enough"))
    stored = db.execute_sql('SELECT username, role FROM "user" ORDER BY username').fetchall()
    assert stored == [("admin", "admin"), ("desk", "front_desk")]
    assert [u.username for u in User.select().where(User.role == Role.FRONT_DESK)] == ["desk"]


def test_the_clinic_setup_step_upgrades_a_postgresql_database(pg_admin, tmp_path):
    """A multi-PC clinic at schema 12 climbs to 13 on its server: rooms keep the order they
    were listed in (by name), prices stay, and the price history comes out as a new
    database's, append-only."""
    from medspa_desktop.services.clinic import catalog
    from medspa_desktop.store.migrations import _stamp, missing_guards

    catalog.add_room(pg_admin, "A laser suite")  # last added, first by name
    db.execute_sql('DROP TABLE "service_price"')
    for table, column in (("room", "position"), ("service", "colour"),
                          ("service", "consent_category"), ("service", "default_product_id"),
                          ("service", "version")):
        db.execute_sql(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')
    with db.atomic():
        _stamp(12)
    assert migrate().from_version == 12 and read_schema_version() == SCHEMA_VERSION
    assert [r.name for r in catalog.rooms()] == ["A laser suite", "Room 1", "Room 2", "Room 3"]
    peel = Service.get(Service.name == "Chemical peel, medium")
    catalog.change_price(pg_admin, peel.id, 26000, dt.date(2030, 1, 1))
    assert catalog.price_on(peel, dt.date(2029, 12, 31)) == 25000
    assert catalog.price_on(peel, dt.date(2030, 1, 1)) == 26000
    with pytest.raises(DatabaseError, match="service_price is append-only"), db.atomic():
        db.execute_sql("UPDATE service_price SET price_cents = 1")
    assert missing_guards() == []
    test_postgresql_gets_the_same_schema_as_sqlite(pg_admin, tmp_path)


def test_a_patient_list_imports_on_postgresql(pg_admin):
    """The import's prepared statements (one per table, many rows) on the server: chart
    numbers from the row ids, names findable, the audit chain whole."""
    from medspa_desktop.services.charts import patient_import as pi

    rows = "".join(f"C{i},Pat{i},Lee,1980-01-{i % 28 + 1:02d}\n" for i in range(1, 701))
    source = pi.read_source("list.csv", ("Id,First,Last,DOB\n" + rows).encode())
    plan = pi.plan_import(pg_admin, source, pi.guess_mapping(source.headers), "YMD")
    result = pi.run_import(pg_admin, plan)
    assert result.imported == 700
    imported = Patient.select().where(Patient.external_id != "").order_by(Patient.id)
    assert all(p.chart_number == f"{p.id:06d}" for p in imported)
    assert imported[0].dob == dt.date(1980, 1, 2) and imported[0].external_id == "C1"
    assert [r.name for r in patients.search_patients(pg_admin, "pat699")] == ["Lee, Pat699"]
    assert check_database() == []


def test_the_credit_on_account_step_upgrades_a_postgresql_database(pg_admin, tmp_path):
    """A multi-PC clinic at schema 20 with payments climbs to 21 on its server: the payments
    keep nothing as credit, the ledger comes out as a new database's, both guarded."""
    from medspa_desktop.services.billing import account_credit, invoices
    from medspa_desktop.store.migrations import _stamp, has_append_only_triggers
    from medspa_desktop.store.models import Payment

    patient = patients.create_patient(pg_admin, patients.PatientInput(
        "Ann", "Lee", dt.date(1990, 1, 1)))
    sale = invoices.issue_invoice(pg_admin, invoices.CheckoutInput(patient.id, (
        invoices.gift_card_line(pg_admin, 5000),)))
    invoices.take_payment(pg_admin, sale.id, invoices.PaymentInput("cash", 5000))
    db.execute_sql('DROP TABLE "account_credit" CASCADE')
    db.execute_sql('ALTER TABLE "payment" DROP COLUMN "credit_cents"')
    with db.atomic():
        _stamp(20)
    assert migrate().from_version == 20 and read_schema_version() == SCHEMA_VERSION
    assert [p.credit_cents for p in Payment.select()] == [0]
    assert has_append_only_triggers("payment") and has_append_only_triggers("account_credit")
    account_credit.give_goodwill(pg_admin, patient.id, 1000, "apology")
    assert account_credit.balance_cents(pg_admin, patient.id) == 1000
    assert check_database() == []
    test_postgresql_gets_the_same_schema_as_sqlite(None, tmp_path)  # (closes the server's)


def test_two_pcs_paying_from_one_credit_on_postgresql_never_overspend_it(pg_admin):
    """Each thread its own connection, as each PC: the credit's row lock lets one spend at a
    time, and the second sees what the first spent."""
    from medspa_desktop.services.billing import account_credit, invoices
    from medspa_desktop.services.platform.errors import ValidationError

    patient = patients.create_patient(pg_admin, patients.PatientInput(
        "Ann", "Lee", dt.date(1990, 1, 1)))
    account_credit.give_goodwill(pg_admin, patient.id, 5000, "apology")
    bills = [invoices.issue_invoice(pg_admin, invoices.CheckoutInput(patient.id, (
        invoices.gift_card_line(pg_admin, 1000),))).id for _ in range(12)]
    paid: list[int] = []
    errors: list[Exception] = []
    start = threading.Barrier(2)

    def desk(ids: list[int]) -> None:
        try:
            start.wait()
            for invoice_id in ids:
                try:
                    invoices.take_payment(pg_admin, invoice_id, invoices.PaymentInput(
                        "account_credit", 1000))
                    paid.append(invoice_id)
                except ValidationError:
                    pass
        except Exception as exc:  # reported below, on the test's thread
            errors.append(exc)
        finally:
            db.close()

    threads = [threading.Thread(target=desk, args=(half,)) for half in (bills[:6], bills[6:])]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert len(paid) == 5
    assert account_credit.balance_cents(pg_admin, patient.id) == 0


def test_two_pcs_booking_one_slot_at_once_on_postgresql_book_it_once(pg_admin):
    """PC A is between its clash check and its insert when PC B books the same room at the
    same time (each thread its own connection, as each PC): B waits for A's commit, then is
    refused with A's booking named — not booked on top of it."""
    from medspa_desktop.services.scheduling.occupancy import Occupancy

    lee = auth.create_user(pg_admin, auth.UserInput("lee", "Mia Lee", "medical_director",
                                                    "long-enough", "Dr Lee"))
    ann, bo = (patients.create_patient(pg_admin, patients.PatientInput(
        first, "Lee", dt.date(1990, 1, 1))) for first in ("Ann", "Bo"))
    botox = Service.get(Service.name == "Botox Cosmetic")
    room = Room.get(Room.name == "Room 1")
    start = dt.datetime(2030, 1, 8, 10, 0)

    def data(patient):
        return appointments.AppointmentInput(patient.id, botox.id, lee.id, start,
                                             start + dt.timedelta(minutes=30), room_id=room.id)

    checked, go_on, outcome = threading.Event(), threading.Event(), {}

    def pc_a() -> None:
        try:
            with db.atomic():
                Occupancy.load(start, start + dt.timedelta(minutes=30))  # A's check is done
                checked.set()
                go_on.wait(30)
                outcome["a"] = appointments.book_appointment(pg_admin, data(ann)).id
        except Exception as exc:  # noqa: BLE001 - reported below
            outcome["a"] = exc
        finally:
            db.close()

    def pc_b() -> None:
        try:
            outcome["b"] = appointments.book_appointment(pg_admin, data(bo)).id
        except Exception as exc:  # noqa: BLE001 - reported below
            outcome["b"] = exc
        finally:
            db.close()

    a = threading.Thread(target=pc_a)
    a.start()
    assert checked.wait(30)
    b = threading.Thread(target=pc_b)
    b.start()
    b.join(1.0)
    assert b.is_alive()  # waiting for A
    go_on.set()
    a.join(30)
    b.join(30)
    assert isinstance(outcome["a"], int), outcome
    assert isinstance(outcome["b"], ConflictError) and "Room 1 is booked" in str(outcome["b"])
    assert [r.patient_id for r in appointments.day_schedule(pg_admin, start.date())] == [ann.id]


def test_reads_sent_together_come_back_as_each_query_gives_them_in_one_statement(
        pg_admin, statements):
    """``fetch_together`` on a server: one statement (one round trip) for several reads, each
    read's rows as iterating it alone gives them — values with "%" and quotes, datetimes,
    model objects, dicts and plain tuples."""
    from medspa_desktop.store.database import fetch_together

    audit.record(pg_admin, "settings.change", "clinic", "", "50% off for O'Brien's party")
    events = AuditEvent.select().where(AuditEvent.summary.contains("50% off")) \
        .order_by(AuditEvent.id)
    rooms = Room.select(Room.name, Room.active).order_by(Room.name).dicts()
    alone = [list(events), list(rooms)]
    statements.clear()
    found = fetch_together(events, rooms, ("SELECT %s::text, %s::timestamp",
                                           ("100%s'", dt.datetime(2030, 1, 8, 10, 5))))
    assert len(statements) == 1
    assert [(e.id, e.summary, e.at, e.user_id) for e in found[0]] == \
        [(e.id, e.summary, e.at, e.user_id) for e in alone[0]]
    assert found[0][0].summary == "50% off for O'Brien's party"
    assert found[1] == alone[1] and found[1]
    assert found[2] == [("100%s'", dt.datetime(2030, 1, 8, 10, 5))]


def test_a_move_saves_and_logs_in_one_statement_and_a_stale_one_neither(pg_admin, statements):
    """``write_together``: the version-checked save and its history line go to the server
    together; when another PC saved first, the refusal leaves neither."""
    from medspa_desktop.services.platform.errors import StaleEditError
    from medspa_desktop.store.models import AppointmentChange

    lee = auth.create_user(pg_admin, auth.UserInput("lee", "Mia Lee", "medical_director",
                                                    "long-enough", "Dr Lee"))
    ann = patients.create_patient(pg_admin, patients.PatientInput("Ann", "Lee",
                                                                  dt.date(1990, 1, 1)))
    start = dt.datetime(2030, 1, 8, 10, 0)
    appt = appointments.book_appointment(pg_admin, appointments.AppointmentInput(
        ann.id, Service.get(Service.name == "Botox Cosmetic").id, lee.id, start,
        start + dt.timedelta(minutes=30), room_id=Room.get(Room.name == "Room 1").id))
    statements.clear()
    moved = appointments.move_appointment(pg_admin, appt.id, appt.version,
                                          start + dt.timedelta(hours=1),
                                          start + dt.timedelta(hours=1, minutes=30))
    together = [sql for sql, _ in statements
                if sql.startswith('UPDATE "appointment"') and "appointment_change" in sql]
    assert len(together) == 1
    history = AppointmentChange.select().where(AppointmentChange.appointment == appt.id)
    assert [c.kind for c in history.order_by(AppointmentChange.id)] == ["booked", "moved"]
    with pytest.raises(StaleEditError):  # the version the first move left behind
        appointments.move_appointment(pg_admin, appt.id, appt.version,
                                      start + dt.timedelta(hours=2),
                                      start + dt.timedelta(hours=2, minutes=30))
    assert history.count() == 2
    assert appointments.day_schedule(pg_admin, start.date())[0].start == moved.start


def test_settings_rooms_and_accounts_are_version_checked_on_postgresql(pg_admin):
    """The per-key upsert (a new version only when the value changes) and the stale checks
    of schema 24 on the server's SQL."""
    from medspa_desktop.services.clinic import catalog
    from medspa_desktop.services.platform import settings, staff
    from medspa_desktop.services.platform.errors import StaleEditError
    from medspa_desktop.services.scheduling import hours
    from medspa_desktop.store.models import ClinicSetting

    seen = settings.seen(settings.SLOT_MINUTES, settings.LATE_CANCEL_HOURS)
    hours.set_schedule_settings(pg_admin, slot=10, late_cancel_hours=24)
    hours.set_schedule_settings(pg_admin, slot=10, late_cancel_hours=24)  # the same again
    assert ClinicSetting.get_by_id("schedule.slot_minutes").version == 1  # not a change
    hours.set_schedule_settings(pg_admin, slot=5)
    hours.set_schedule_settings(pg_admin, slot=10)
    assert ClinicSetting.get_by_id("schedule.slot_minutes").version == 3
    merged = settings.merge_seen({settings.SLOT_MINUTES: 15, settings.LATE_CANCEL_HOURS: 48},
                                 seen, "the clinic settings")
    assert merged == {settings.SLOT_MINUTES: 10, settings.LATE_CANCEL_HOURS: 48}
    with pytest.raises(StaleEditError):
        settings.merge_seen({settings.SLOT_MINUTES: 5}, seen, "the clinic settings")
    room = Room.select().order_by(Room.id).first()
    catalog.rename_room(pg_admin, room.id, "Suite A", room.version)
    with pytest.raises(StaleEditError, match="^Ada Admin changed this room at "):
        catalog.rename_room(pg_admin, room.id, "Suite B", room.version)
    assert Room.get_by_id(room.id).name == "Suite A"
    assert staff.staff_row(pg_admin, pg_admin.id).version == 1
