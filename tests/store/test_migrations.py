"""The schema ladder: every frozen fixture opens and migrates without losing a row."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

import pytest
from peewee import IntegrityError, TextField
from playhouse.migrate import SqliteMigrator
from playhouse.migrate import migrate as run_migrations

from medspa_desktop.services.charts import patients
from medspa_desktop.services.clinic import catalog
from medspa_desktop.services.platform.integrity import check_database
from medspa_desktop.services.treatments import treatment_amendments, treatment_records
from medspa_desktop.store import migrations
from medspa_desktop.store.database import close_database, db, open_database
from medspa_desktop.store.migrations import SCHEMA_VERSION, migrate, read_schema_version
from medspa_desktop.store.models import (
    ALL_MODELS,
    Patient,
    PatientNamePart,
    Photo,
    Room,
    Service,
    ServicePrice,
    TreatmentRecord,
    User,
)

FIXTURE_DIR = Path(__file__).parent.parent / "fixtures"
FIXTURES = sorted(FIXTURE_DIR.glob("schema_v*.db"),
                  key=lambda p: int(p.stem.removeprefix("schema_v")))  # v10 after v9


def _row_counts(path: Path) -> dict[str, int]:
    con = sqlite3.connect(path)
    try:
        tables = [r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
        return {t: con.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        con.close()


def _columns() -> dict[str, tuple[list, list, list]]:
    """Per table: its columns (name, type, nullable), its indexes (columns, unique) and its
    guard triggers (name and SQL)."""
    shape = {}
    for model in ALL_MODELS:
        table = model._meta.table_name
        columns = sorted((c.name, c.data_type.upper(), c.null) for c in db.get_columns(table))
        indexes = sorted((tuple(i.columns), i.unique) for i in db.get_indexes(table))
        triggers = sorted(db.execute_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?",
            (table,)).fetchall())
        shape[table] = (columns, indexes, triggers)
    return shape


@pytest.fixture
def fresh_columns(tmp_path):
    open_database(tmp_path / "fresh.db")
    migrate()
    columns = _columns()
    close_database()
    return columns


def test_there_is_a_fixture_for_every_schema_version():
    versions = sorted(int(p.stem.removeprefix("schema_v")) for p in FIXTURES)
    assert versions == list(range(1, SCHEMA_VERSION + 1))


@pytest.mark.parametrize("fixture", FIXTURES, ids=[p.name for p in FIXTURES])
def test_every_fixture_migrates_to_the_current_schema_keeping_every_row(
        fixture, tmp_path, fresh_columns):
    copy = tmp_path / fixture.name
    shutil.copy(fixture, copy)
    before = _row_counts(copy)
    assert before["patient"] > 0 and before["appointment"] > 0 and before["audit_event"] > 0

    open_database(copy)
    try:
        migrate()
        assert read_schema_version() == SCHEMA_VERSION
        assert _columns() == fresh_columns  # same tables, columns, types, indexes as a new one
        assert check_database() == []
    finally:
        close_database()
    after = _row_counts(copy)
    assert {t: after[t] for t in before} == before


def test_the_name_index_step_fills_the_index_from_every_patient(tmp_path):
    """Schema 10 on the v9 fixture: every patient's name parts are in the index, search finds
    patients through it, and the audit log gains its indexes."""
    copy = tmp_path / "schema_v9.db"
    shutil.copy(FIXTURE_DIR / "schema_v9.db", copy)
    assert read_schema_version_of(copy) == 9
    open_database(copy)
    try:
        result = migrate(backup_dir=tmp_path / "backups")
        assert (result.from_version, result.to_version) == (9, SCHEMA_VERSION)
        everyone = list(Patient.select())
        for patient in everyone:
            parts = {r.part for r in PatientNamePart.select().where(
                PatientNamePart.patient == patient)}
            assert parts == patients.name_parts(patient.search_name)
        assert PatientNamePart.select().count() == sum(
            len(patients.name_parts(p.search_name)) for p in everyone)
        admin = User.get(User.username == "admin")
        someone = everyone[len(everyone) // 2]
        middle = someone.last_name[1:-1]  # a mid-word piece, in another case
        found = patients.search_patients(admin, f"{middle.upper()} {someone.first_name}",
                                         include_archived=True)
        assert someone.id in [r.id for r in found]
        assert patients.search_patients(admin, "qqzzqq") == []
        indexes = {tuple(i.columns) for i in db.get_indexes("audit_event")}
        assert {("record_type", "record_id"), ("at",)} <= indexes
    finally:
        close_database()


def test_schema_12_makes_charted_records_final_and_keeps_them(tmp_path):
    """On the v11 fixture (with a photo added): every treatment record is kept as it was,
    the guards are installed, and a record can then only be amended."""
    copy = tmp_path / "schema_v11.db"
    shutil.copy(FIXTURE_DIR / "schema_v11.db", copy)
    con = sqlite3.connect(copy)
    records = con.execute("SELECT * FROM treatment_record ORDER BY id").fetchall()
    con.execute("INSERT INTO photo (patient_id, appointment_id, tag, area, taken_on, sha256, "
                "extension, consent_note, imported_by_id, imported_at, archived) "
                "SELECT patient_id, appointment_id, 'before', 'Glabella', '2026-11-20', ?, "
                "'png', '', charted_by_id, '2026-11-20 10:00:00', 0 FROM treatment_record "
                "LIMIT 1", ("a" * 64,))
    con.commit()
    con.close()
    assert len(records) > 5
    open_database(copy)
    try:
        assert migrations.missing_guards() != []  # a v11 file lacks the new guards
        result = migrate(backup_dir=tmp_path / "backups")
        assert (result.from_version, result.to_version) == (11, SCHEMA_VERSION)
        assert db.execute_sql("SELECT * FROM treatment_record ORDER BY id").fetchall() == records
        assert migrations.missing_guards() == []
        first = records[0][0]
        with pytest.raises(IntegrityError, match="treatment_record is append-only"):
            db.execute_sql("UPDATE treatment_record SET aftercare = 'x' WHERE id = ?", (first,))
        with pytest.raises(IntegrityError, match="treatment_record is append-only"):
            db.execute_sql("DELETE FROM treatment_record WHERE id = ?", (first,))
        photo = Photo.get()
        with pytest.raises(IntegrityError, match="a photo cannot be changed, only archived"):
            db.execute_sql("UPDATE photo SET area = 'Forehead' WHERE id = ?", (photo.id,))
        with pytest.raises(IntegrityError, match="photo rows are never deleted"):
            db.execute_sql("DELETE FROM photo WHERE id = ?", (photo.id,))
        Photo.update(archived=True).where(Photo.id == photo.id).execute()

        injector = User.get(User.username == "injector")
        record = TreatmentRecord.get_by_id(first)
        treatment_amendments.amend(injector, record.appointment_id, "Wrong area",
                                   "Treated the forehead too.")
        view = treatment_records.record_view(injector, record.appointment_id)
        assert [(a.author, a.reason) for a in view.amendments] == [
            (injector.display_name, "Wrong area")]
    finally:
        close_database()


def test_schema_13_orders_rooms_by_name_and_starts_every_service_as_it_was(tmp_path):
    """On the v12 fixture: rooms keep the order they were listed in (by name), every service
    keeps its price and books as before (its category's colour and consent), and the new
    price history is empty, append-only, and used from its date."""
    copy = tmp_path / "schema_v12.db"
    shutil.copy(FIXTURE_DIR / "schema_v12.db", copy)
    con = sqlite3.connect(copy)
    room_names = [r[0] for r in con.execute("SELECT name FROM room ORDER BY name")]
    prices = dict(con.execute("SELECT id, price_cents FROM service").fetchall())
    con.close()
    open_database(copy)
    try:
        result = migrate(backup_dir=tmp_path / "backups")
        assert (result.from_version, result.to_version) == (12, SCHEMA_VERSION)
        assert [r.name for r in catalog.rooms()] == room_names
        assert [r.position for r in Room.select().order_by(Room.position)] == list(
            range(1, len(room_names) + 1))
        services = list(Service.select())
        assert {s.id: s.price_cents for s in services} == prices
        assert {(s.colour, s.consent_category, s.default_product_id, s.version)
                for s in services} == {("", "", None, 1)}
        assert ServicePrice.select().count() == 0
        botox = Service.get(Service.name == "Botox Cosmetic")
        admin = User.get(User.username == "admin")
        catalog.change_price(admin, botox.id, 1500, dt.date(2027, 1, 1))
        assert catalog.price_on(botox, dt.date(2026, 12, 31)) == prices[botox.id]
        assert catalog.price_on(botox, dt.date(2027, 1, 1)) == 1500
        with pytest.raises(IntegrityError, match="service_price is append-only"):
            db.execute_sql("UPDATE service_price SET price_cents = 1")
        assert migrations.missing_guards() == []
    finally:
        close_database()


def test_a_file_from_schema_8_gets_the_whole_invoice_guard(tmp_path):
    """Schema 8's invoice guard let a voided invoice change; schema 12 replaces it."""
    copy = tmp_path / "schema_v8.db"
    shutil.copy(FIXTURE_DIR / "schema_v8.db", copy)
    con = sqlite3.connect(copy)
    con.execute("INSERT INTO invoice (number, patient_id, issued_at, subtotal_cents, "
                "discount_cents, discount_reason, tax_cents, tip_cents, total_cents, status, "
                "void_reason, created_by_id) SELECT 1, id, '2026-11-20 10:00:00', 100, 0, '', "
                "0, 0, 100, 'void', 'entered twice', 1 FROM patient LIMIT 1")
    con.execute("UPDATE invoice SET void_reason = 'changed under v8' WHERE number = 1")
    con.commit()  # the old guard let that through
    con.close()
    open_database(copy)
    try:
        migrate(backup_dir=tmp_path / "backups")
        with pytest.raises(IntegrityError, match="an issued invoice cannot be changed"):
            db.execute_sql("UPDATE invoice SET void_reason = 'forged' WHERE number = 1")
    finally:
        close_database()


def read_schema_version_of(path: Path) -> int:
    con = sqlite3.connect(path)
    try:
        return int(con.execute(
            "SELECT value FROM schema_meta WHERE key = 'schema_version'").fetchone()[0])
    finally:
        con.close()


@pytest.fixture
def next_version(monkeypatch):
    """Pretend this build knows schema version N+1, which adds a column to patient."""
    target = SCHEMA_VERSION + 1

    def add_pronouns(database):
        run_migrations(SqliteMigrator(database).add_column(
            "patient", "pronouns", TextField(default="")))

    monkeypatch.setattr(migrations, "SCHEMA_VERSION", target)
    monkeypatch.setitem(migrations.UPGRADES, target, add_pronouns)
    return target


def test_an_upgrade_step_is_backed_up_first_and_stamped(tmp_path, next_version):
    copy = tmp_path / "clinic.db"
    shutil.copy(FIXTURES[-1], copy)
    patients_before = _row_counts(copy)["patient"]
    open_database(copy)
    try:
        result = migrate(backup_dir=tmp_path / "backups")
        assert result.from_version == next_version - 1
        assert read_schema_version() == next_version
        assert "pronouns" in [c.name for c in db.get_columns("patient")]
    finally:
        close_database()
    assert result.backup is not None and result.backup.exists()
    backup = _row_counts(result.backup)
    assert backup["patient"] == patients_before
    con = sqlite3.connect(result.backup)
    assert "pronouns" not in [r[1] for r in con.execute("PRAGMA table_info(patient)")]
    con.close()


def test_a_failing_upgrade_step_leaves_the_database_at_the_old_version(tmp_path, monkeypatch):
    target = SCHEMA_VERSION + 1

    def half_then_fail(database):
        database.execute_sql("ALTER TABLE patient ADD COLUMN half_done TEXT")
        raise RuntimeError("power cut")

    monkeypatch.setattr(migrations, "SCHEMA_VERSION", target)
    monkeypatch.setitem(migrations.UPGRADES, target, half_then_fail)
    copy = tmp_path / "clinic.db"
    shutil.copy(FIXTURES[-1], copy)
    open_database(copy)
    try:
        with pytest.raises(RuntimeError, match="power cut"):
            migrate(backup_dir=tmp_path / "backups")
        assert read_schema_version() == target - 1
        assert "half_done" not in [c.name for c in db.get_columns("patient")]
    finally:
        close_database()


def test_the_merge_pointer_step_leaves_every_chart_unmerged_and_merging_then_works(tmp_path):
    """Schema 14 on the v13 fixture: every patient gains ``merged_into``, empty, and two
    charts can then be merged (the kept chart shows the other's invoices)."""
    from medspa_desktop.services.billing import billing_reports
    from medspa_desktop.services.charts import merge
    from medspa_desktop.store.models import Invoice

    copy = tmp_path / "schema_v13.db"
    shutil.copy(FIXTURE_DIR / "schema_v13.db", copy)
    assert read_schema_version_of(copy) == 13
    open_database(copy)
    try:
        migrate(backup_dir=tmp_path / "backups")
        assert Patient.select().where(Patient.merged_into.is_null(False)).count() == 0
        billed = Invoice.select(Invoice.patient).distinct().order_by(Invoice.patient).limit(2)
        keep_id, other_id = [i.patient_id for i in billed]
        theirs = {i.id for i in Invoice.select().where(Invoice.patient == other_id)}
        director = User.get(User.role == "medical_director")
        keep, other = Patient.get_by_id(keep_id), Patient.get_by_id(other_id)
        merge.merge_patients(director, keep_id, other_id, keep_version=keep.version,
                             other_version=other.version)
        shown = {r.id for r in billing_reports.invoices(
            director, billing_reports.InvoiceFilter(patient_id=keep_id), limit=1000)}
        assert theirs and theirs <= shown
        assert check_database() == []
    finally:
        close_database()


def test_schema_18_brings_the_outbox_and_services_without_preparation(tmp_path):
    """From schema 17: every service starts with no preparation instructions, the outbox is
    empty, and a message queued on the upgraded file can be withdrawn but never deleted."""
    from medspa_desktop.services.messaging import outbox
    from medspa_desktop.store.models import OutboxMessage

    copy = tmp_path / "schema_v17.db"
    shutil.copy(FIXTURE_DIR / "schema_v17.db", copy)
    services_before = _row_counts(copy)["service"]
    open_database(copy)
    try:
        migrate()
        assert [s.preparation for s in Service.select()] == [""] * services_before
        assert OutboxMessage.select().count() == 0
        admin = User.select().where(User.role == "admin").first()
        message_id = outbox.enqueue(admin, to_address="pat@example.com", kind="recall",
                                    body="Time for a touch-up.")
        outbox.withdraw(admin, message_id)
        with pytest.raises(IntegrityError), db.atomic():
            OutboxMessage.delete().execute()
        assert OutboxMessage.get_by_id(message_id).state == "withdrawn"
    finally:
        close_database()


def test_the_contact_consent_step_starts_everyone_on_the_defaults(tmp_path):
    """Schema 19 on the v18 fixture: no answers yet, so every open chart may be sent
    reminders and none marketing; an answer recorded then holds and cannot be edited."""
    from medspa_desktop.services.messaging import contact_consent
    from medspa_desktop.store.models import ContactConsent

    copy = tmp_path / "schema_v18.db"
    shutil.copy(FIXTURE_DIR / "schema_v18.db", copy)
    open_database(copy)
    try:
        migrate(backup_dir=tmp_path / "backups")
        ids = [p.id for p in Patient.select().where(Patient.archived == False)]  # noqa: E712
        assert contact_consent.agreeing(ids, "marketing") == set()
        assert contact_consent.agreeing(ids, "reminders") == set(ids)
        admin = User.get(User.role == "admin")
        contact_consent.record_answers(admin, ids[0], {"marketing": True})
        assert contact_consent.agreeing(ids, "marketing") == {ids[0]}
        with pytest.raises(IntegrityError), db.atomic():
            ContactConsent.delete().execute()
        assert check_database() == []
    finally:
        close_database()


def test_schema_20_brings_presence_empty_and_windows_can_sign_in(tmp_path):
    """From schema 19: no one is shown as signed in until a window opens; a window's row is
    begun, seen by others, and ended."""
    from medspa_desktop.services.platform import presence
    from medspa_desktop.store.models import Presence

    copy = tmp_path / "schema_v19.db"
    shutil.copy(FIXTURE_DIR / "schema_v19.db", copy)
    open_database(copy)
    try:
        migrate()
        assert Presence.select().count() == 0
        director = User.get(User.role == "medical_director")
        admin = User.select().where(User.role == "admin").first()
        row = presence.begin(director, "Room 2")
        assert [(s.name, s.workstation) for s in presence.signed_in(admin)] == [
            (director.display_name, "Room 2")]
        presence.end(director, row)
        assert presence.signed_in(admin) == []
        assert check_database() == []
    finally:
        close_database()


def test_schema_21_brings_an_empty_credit_ledger_and_payments_with_nothing_kept(tmp_path):
    """From schema 20: every payment kept nothing as credit, no one holds credit, and a
    goodwill credit can then be given and spent."""
    from medspa_desktop.services.billing import account_credit
    from medspa_desktop.store.models import AccountCredit, Patient, Payment

    copy = tmp_path / "schema_v20.db"
    shutil.copy(FIXTURE_DIR / "schema_v20.db", copy)
    open_database(copy)
    try:
        migrate()
        assert Payment.select().count() > 0
        assert Payment.select().where(Payment.credit_cents != 0).count() == 0
        assert AccountCredit.select().count() == 0
        admin = User.select().where(User.role == "admin").first()
        patient = Patient.select().where(Patient.merged_into.is_null()).first()
        account_credit.give_goodwill(admin, patient.id, 1000, "apology")
        assert account_credit.balance_cents(admin, patient.id) == 1000
        assert check_database() == []
    finally:
        close_database()


def test_schema_22_brings_memberships_empty_and_a_patient_can_enrol(tmp_path):
    """From schema 21: no plans or members; a plan is saved, a patient enrolled with the first
    dues invoice, and the dues row is final like the rest of the ledger."""
    from medspa_desktop import printouts
    from medspa_desktop.services.billing import memberships
    from medspa_desktop.services.platform.png import grey_png
    from medspa_desktop.store.database import db
    from medspa_desktop.store.models import Membership, MembershipDues, Patient

    copy = tmp_path / "schema_v21.db"
    shutil.copy(FIXTURE_DIR / "schema_v21.db", copy)
    open_database(copy)
    try:
        migrate()
        assert Membership.select().count() == 0
        admin = User.select().where(User.role == "admin").first()
        plan = memberships.save_plan(admin, memberships.PlanInput("Glow Club", 9900))
        patient = (Patient.select().where(Patient.merged_into.is_null())
                   .order_by(Patient.id).first())
        printouts.enrol_member(admin, memberships.EnrolInput(
            patient.id, plan.id, grey_png(20, 10), grey_png(20, 10)))
        dues = MembershipDues.get()
        with pytest.raises(IntegrityError), db.atomic():
            MembershipDues.update(month=dt.date(2020, 1, 1)).where(
                MembershipDues.id == dues.id).execute()
        assert check_database() == []
    finally:
        close_database()


def test_schema_23_indexes_appointments_by_patient_start_and_status(tmp_path):
    """From schema 22: the reports' index is there on every appointment kept, and a patient's
    first visit is read from it (new and returning patients)."""
    from medspa_desktop.services.reports import patients as patient_reports
    from medspa_desktop.services.reports.period import Period
    from medspa_desktop.store.models import Appointment

    copy = tmp_path / "schema_v22.db"
    shutil.copy(FIXTURE_DIR / "schema_v22.db", copy)
    open_database(copy)
    try:
        migrate()
        indexes = {i.name: i.columns for i in db.get_indexes("appointment")}
        assert indexes["appointment_patient_id_start_status"] == [
            "patient_id", "start", "status"]
        admin = User.select().where(User.role == "admin").first()
        came = Appointment.select().where(Appointment.status == "checked_out")
        first = came.order_by(Appointment.start).first().start.date()
        last = came.order_by(Appointment.start.desc()).first().start.date()
        flow = patient_reports.patient_flow(admin, Period(first, last), record=False)
        assert flow.new == len({a.patient_id for a in came})  # the demo's first visits
        assert check_database() == []
    finally:
        close_database()


def test_schema_24_starts_rooms_devices_staff_and_settings_at_version_1_and_checks_them(
        tmp_path):
    """From schema 23: every room, device, account and setting is at version 1 and keeps its
    values; a save from a form read before another admin's is refused from then on."""
    from medspa_desktop.services.clinic import clinic
    from medspa_desktop.services.platform import settings
    from medspa_desktop.services.platform.errors import StaleEditError
    from medspa_desktop.store.models import ClinicSetting, Device

    copy = tmp_path / "schema_v23.db"
    shutil.copy(FIXTURE_DIR / "schema_v23.db", copy)
    con = sqlite3.connect(copy)
    rooms_before = con.execute("SELECT id, name, active FROM room ORDER BY id").fetchall()
    settings_before = con.execute("SELECT key, value FROM clinic_setting ORDER BY key").fetchall()
    con.close()
    open_database(copy)
    try:
        migrate()
        assert [(r.id, r.name, r.active) for r in Room.select().order_by(Room.id)] == \
            rooms_before
        assert list(ClinicSetting.select(ClinicSetting.key, ClinicSetting.value)
                    .order_by(ClinicSetting.key).tuples()) == settings_before
        for model in (Room, Device, User, ClinicSetting):
            assert {row.version for row in model.select()} == {1}, model
        admin = User.select().where(User.role == "admin").first()
        room = Room.select().order_by(Room.id).first()
        catalog.rename_room(admin, room.id, "Renamed", 1)
        with pytest.raises(StaleEditError):
            catalog.rename_room(admin, room.id, "Renamed again", 1)
        seen = settings.seen(*clinic.DETAILS_SETTINGS)
        assert {version for version, _text in seen.values()} <= {0, 1}
        assert check_database() == []
    finally:
        close_database()


def test_schema_25_carries_the_commission_settings_over_as_the_first_dated_rates(tmp_path):
    """From schema 24: the commission rates kept as clinic settings become the first version,
    in force from the clinic's first day (its first audited action or sale), so a period
    paid before the upgrade is paid the same after it; the versions are append-only. A clinic
    that set no rate gets no version (none is no commission either way)."""
    from medspa_desktop.services.reports import staff_pay
    from medspa_desktop.store.models import CommissionRate

    plain = tmp_path / "plain.db"
    shutil.copy(FIXTURE_DIR / "schema_v24.db", plain)
    open_database(plain)
    try:
        migrate()
        assert CommissionRate.select().count() == 0
        assert set(staff_pay.rates().values()) == {0}
    finally:
        close_database()
    copy = tmp_path / "schema_v24.db"
    shutil.copy(FIXTURE_DIR / "schema_v24.db", copy)
    con = sqlite3.connect(copy)
    with con:
        con.executemany("INSERT INTO clinic_setting (key, value, version) VALUES (?, ?, 1)",
                        [("commission.neurotoxin_bp", "1000"), ("commission.retail_bp", "1250"),
                         ("commission.filler_bp", "0")])
    first = min(dt.date.fromisoformat(con.execute(sql).fetchone()[0][:10]) for sql in (
        "SELECT MIN(at) FROM audit_event", "SELECT MIN(issued_at) FROM invoice"))
    con.close()
    open_database(copy)
    try:
        migrate()
        (kept,) = staff_pay.versions()
        assert (kept.effective_on, kept.until, kept.set_by) == (first, None, "")
        assert {k: bp for k, bp in staff_pay.rates(first).items() if bp} == {
            "neurotoxin": 1000, "retail": 1250}
        assert set(staff_pay.rates(first - dt.timedelta(days=1)).values()) == {0}
        admin = User.select().where(User.role == "admin").first()
        staff_pay.set_rates(admin, {"retail": 500})
        assert [v.rates["retail"] for v in staff_pay.versions()] == [1250, 500]
        with pytest.raises(IntegrityError), db.atomic():
            CommissionRate.update(rates="{}").where(CommissionRate.id == 1).execute()
        assert check_database() == []
    finally:
        close_database()
