"""The schema-version ladder.

* A new, empty database gets the current schema straight from the models and is stamped with
  ``SCHEMA_VERSION``.
* An older database climbs the ladder: ``UPGRADES[n]`` turns version ``n - 1`` into version ``n``;
  each step runs in its own transaction and stamps its version there, so a failure leaves the
  database at the last good step. On SQLite a backup (online backup API) is taken first.
* A database written by a newer MedSpa Desktop is refused: this version cannot know its tables.

Adding a schema change: change the models, bump ``SCHEMA_VERSION``, add ``UPGRADES[new]`` (use
``playhouse.migrate`` or frozen table copies), and once the new schema is final commit its
fixture ``tests/fixtures/schema_v{new}.db`` (``python -m tests.fixtures.make_fixture``); every
fixture stays as it was made, so the fixture test proves each later step keeps every row.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from peewee import (
    BlobField,
    BooleanField,
    CharField,
    CompositeKey,
    Database,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    SqliteDatabase,
    TextField,
    TimeField,
    chunked,
)
from playhouse.migrate import SchemaMigrator
from playhouse.migrate import migrate as run_migrations

from .database import NotAMedSpaDatabase, backup_sqlite, db
from .models import ALL_MODELS, SchemaMeta

APP_ID = "medspa-desktop"
SCHEMA_VERSION = 25

# Tables whose rows may be added but never changed or removed.
APPEND_ONLY_TABLES = ("audit_event", "appointment_change", "medical_answer",
                      "contraindication_ack", "note_addendum", "note_cosign", "stock_movement",
                      "consent_template", "stored_file", "consent", "consent_override",
                      "invoice_line", "payment", "package", "gift_card", "package_use",
                      "gift_card_close", "treatment_record", "treatment_amendment",
                      "service_price", "imported_visit", "contact_consent",
                      "account_credit", "membership_plan", "membership", "membership_event",
                      "membership_dues", "membership_credit", "commission_rate")
# Rows that change state but are never deleted: the columns fixed once issued, and the
# final status after which nothing changes at all.
ISSUED_TABLES = {"invoice": (("number", "patient_id", "appointment_id", "provider_id",
                              "created_by_id", "subtotal_cents", "discount_cents",
                              "discount_reason", "tax_cents", "tip_cents", "total_cents",
                              "issued_at"), "void")}
# Notes may change while they are drafts; once signed, never; never deleted.
SIGNED_TABLES = ("note",)
# Rows never deleted whose listed columns are fixed from the start: a photo may be
# archived (and brought back), nothing else about it ever changes; an outbox message moves
# through its states (queued, sent, withdrawn…), its address and text never change.
ARCHIVABLE_TABLES = {"photo": ("id", "patient_id", "appointment_id", "tag", "area", "taken_on",
                               "sha256", "extension", "consent_note", "imported_by_id",
                               "imported_at"),
                     # a message's text and address never change; it is withdrawn, not deleted
                     "outbox_message": ("id", "to_address", "channel", "kind", "patient_id",
                                        "appointment_id", "subject", "body", "ics",
                                        "created_by_id", "created_at")}


class NewerDatabaseError(Exception):
    """The database was written by a newer version of MedSpa Desktop."""


class MigrationError(Exception):
    """An upgrade step would damage the data; it was rolled back."""


@dataclass(frozen=True)
class MigrationResult:
    from_version: int | None  # None: the database was new
    to_version: int
    backup: Path | None


def read_schema_version() -> int | None:
    """The stored version, or None for an empty database.

    Raises NotAMedSpaDatabase for a database that holds other tables but no MedSpa stamp.
    """
    tables = set(db.get_tables())
    if "schema_meta" not in tables:
        if tables:
            raise NotAMedSpaDatabase(
                f"{_label()} is not a MedSpa database (it holds other tables)."
            )
        return None
    stamp = {row.key: row.value for row in SchemaMeta.select()}
    if stamp.get("app") != APP_ID or "schema_version" not in stamp:
        raise NotAMedSpaDatabase(f"{_label()} is not a MedSpa database.")
    return int(stamp["schema_version"])


def migrate(backup_dir: Path | None = None) -> MigrationResult:
    """Bring the open database to ``SCHEMA_VERSION`` (see the module docstring)."""
    current = read_schema_version()
    if current is None:
        with db.atomic():
            db.create_tables(ALL_MODELS)
            install_guards()
            install_engine_indexes()
            _stamp(SCHEMA_VERSION)
        return MigrationResult(None, SCHEMA_VERSION, None)
    if current > SCHEMA_VERSION:
        raise NewerDatabaseError(
            f"This database was written by a newer MedSpa Desktop (schema version {current}; "
            f"this program knows up to {SCHEMA_VERSION}). Install the newer version to open it."
        )
    backup = None
    if current < SCHEMA_VERSION:
        backup = _backup_before_migrating(current, backup_dir)
        for version in range(current + 1, SCHEMA_VERSION + 1):
            _run_step(version)
    return MigrationResult(current, SCHEMA_VERSION, backup)


def _run_step(version: int) -> None:
    """One rung, in one transaction. On SQLite, foreign keys are switched off around it (they
    can only be switched outside a transaction) so that a step may rebuild a table, and are
    checked before the step commits — SQLite's own recipe for schema changes."""
    sqlite = isinstance(db.obj, SqliteDatabase)
    if sqlite:
        db.execute_sql("PRAGMA foreign_keys = OFF")
    try:
        with db.atomic():
            UPGRADES[version](db.obj)
            if sqlite:
                broken = db.execute_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise MigrationError(
                        f"Upgrading to schema version {version} would leave {len(broken)} "
                        "broken references; nothing was changed.")
            _stamp(version)
    finally:
        if sqlite:
            db.execute_sql("PRAGMA foreign_keys = ON")


class _Frozen(Model):
    """Base of the frozen table copies an upgrade step creates."""

    class Meta:
        legacy_table_names = False


def _stub(table: str) -> type[Model]:
    """A frozen reference to an existing table, for foreign keys in a step's new tables."""
    return type(table, (_Frozen,), {"Meta": type("Meta", (), {"table_name": table})})


def _upgrade_to_2(database: Database) -> None:
    """Schema 2, the appointment book: provider skills and working hours, time off and blocked
    time, series, appointment history, the waitlist; appointments gain series, cancel reason
    and late-cancel flag.

    The tables are frozen copies of their version-2 shape, so a later change to the models
    does not change what this step creates (the later change brings its own step).
    """

    Frozen, stub = _Frozen, _stub
    user_t, room_t, device_t = stub("user"), stub("room"), stub("device")
    service_t, patient_t, appt_t = stub("service"), stub("patient"), stub("appointment")

    class ProviderSkill(Frozen):
        provider = ForeignKeyField(user_t, on_delete="RESTRICT")
        category = CharField(max_length=40)

        class Meta:
            table_name = "provider_skill"
            indexes = ((("provider", "category"), True),)

    class WorkingHours(Frozen):
        provider = ForeignKeyField(user_t, on_delete="RESTRICT")
        weekday = IntegerField()
        start = TimeField()
        end = TimeField()

        class Meta:
            table_name = "working_hours"

    class TimeBlock(Frozen):
        provider = ForeignKeyField(user_t, null=True, on_delete="RESTRICT")
        room = ForeignKeyField(room_t, null=True, on_delete="RESTRICT")
        device = ForeignKeyField(device_t, null=True, on_delete="RESTRICT")
        start = DateTimeField(index=True)
        end = DateTimeField()
        reason = CharField(max_length=200)
        active = BooleanField(default=True)
        created_by = ForeignKeyField(user_t, on_delete="RESTRICT", backref="+")
        created_at = DateTimeField()

        class Meta:
            table_name = "time_block"

    class Series(Frozen):
        patient = ForeignKeyField(patient_t, on_delete="RESTRICT")
        service = ForeignKeyField(service_t, on_delete="RESTRICT")
        sessions = IntegerField()
        interval_days = IntegerField()
        created_by = ForeignKeyField(user_t, on_delete="RESTRICT")
        created_at = DateTimeField()

        class Meta:
            table_name = "series"

    class AppointmentChange(Frozen):
        appointment = ForeignKeyField(appt_t, on_delete="RESTRICT")
        at = DateTimeField()
        user = ForeignKeyField(user_t, on_delete="RESTRICT")
        kind = CharField(max_length=20)
        from_status = CharField(max_length=20, default="")
        to_status = CharField(max_length=20, default="")
        old_start = DateTimeField(null=True)
        old_end = DateTimeField(null=True)
        new_start = DateTimeField(null=True)
        new_end = DateTimeField(null=True)
        note = TextField(default="")

        class Meta:
            table_name = "appointment_change"

    class WaitlistEntry(Frozen):
        patient = ForeignKeyField(patient_t, on_delete="RESTRICT")
        service = ForeignKeyField(service_t, on_delete="RESTRICT")
        provider = ForeignKeyField(user_t, null=True, on_delete="RESTRICT")
        earliest = DateField()
        latest = DateField()
        day_part = CharField(max_length=20, default="any")
        notes = TextField(default="")
        status = CharField(max_length=20, default="waiting")
        appointment = ForeignKeyField(appt_t, null=True, on_delete="RESTRICT")
        version = IntegerField(default=1)
        created_by = ForeignKeyField(user_t, on_delete="RESTRICT", backref="+")
        created_at = DateTimeField()

        class Meta:
            table_name = "waitlist_entry"

    new_tables = [ProviderSkill, WorkingHours, TimeBlock, Series, AppointmentChange,
                  WaitlistEntry]
    with database.bind_ctx([*new_tables, user_t, room_t, device_t, service_t, patient_t, appt_t]):
        database.create_tables(new_tables)
        migrator = SchemaMigrator.from_database(database)
        run_migrations(
            migrator.add_column("appointment", "series_id",
                                ForeignKeyField(Series, field=Series.id, null=True,
                                                on_delete="RESTRICT")),
            migrator.add_column("appointment", "cancel_reason", TextField(default="")),
            migrator.add_column("appointment", "late_cancel", BooleanField(default=False)),
        )


def _upgrade_to_3(database: Database) -> None:
    """Schema 3, the chart: dated intake answers, contraindication acknowledgements, SOAP
    notes with addenda and co-signatures; and the guards on them (frozen copies, as above)."""
    user_t, patient_t, appt_t = _stub("user"), _stub("patient"), _stub("appointment")

    class MedicalAnswer(_Frozen):
        patient = ForeignKeyField(patient_t, on_delete="RESTRICT")
        question = CharField(max_length=40, index=True)
        value = TextField(default="")
        answered_on = DateField()
        recorded_by = ForeignKeyField(user_t, on_delete="RESTRICT")
        recorded_at = DateTimeField()

        class Meta:
            table_name = "medical_answer"

    class ContraindicationAck(_Frozen):
        appointment = ForeignKeyField(appt_t, on_delete="RESTRICT")
        findings = TextField()
        reason = TextField()
        user = ForeignKeyField(user_t, on_delete="RESTRICT")
        at = DateTimeField()

        class Meta:
            table_name = "contraindication_ack"

    class Note(_Frozen):
        patient = ForeignKeyField(patient_t, on_delete="RESTRICT")
        appointment = ForeignKeyField(appt_t, null=True, on_delete="RESTRICT")
        category = CharField(max_length=40, default="")
        subjective = TextField(default="")
        objective = TextField(default="")
        assessment = TextField(default="")
        plan = TextField(default="")
        status = CharField(max_length=20, default="draft")
        author = ForeignKeyField(user_t, on_delete="RESTRICT", backref="+")
        created_at = DateTimeField()
        updated_at = DateTimeField()
        signed_by = ForeignKeyField(user_t, null=True, on_delete="RESTRICT", backref="+")
        signed_at = DateTimeField(null=True)
        fingerprint = CharField(max_length=64, default="")
        version = IntegerField(default=1)

        class Meta:
            table_name = "note"

    class NoteAddendum(_Frozen):
        note = ForeignKeyField(Note, on_delete="RESTRICT")
        author = ForeignKeyField(user_t, on_delete="RESTRICT")
        at = DateTimeField()
        reason = TextField()
        text = TextField()

        class Meta:
            table_name = "note_addendum"

    class NoteCosign(_Frozen):
        note = ForeignKeyField(Note, on_delete="RESTRICT")
        user = ForeignKeyField(user_t, on_delete="RESTRICT")
        at = DateTimeField()

        class Meta:
            table_name = "note_cosign"

    new_tables = [MedicalAnswer, ContraindicationAck, Note, NoteAddendum, NoteCosign]
    with database.bind_ctx([*new_tables, user_t, patient_t, appt_t]):
        database.create_tables(new_tables)
    install_guards()


def _upgrade_to_4(database: Database) -> None:
    """Schema 4: clinical photos (frozen copy, as above)."""
    user_t, patient_t, appt_t = _stub("user"), _stub("patient"), _stub("appointment")

    class Photo(_Frozen):
        patient = ForeignKeyField(patient_t, on_delete="RESTRICT")
        appointment = ForeignKeyField(appt_t, null=True, on_delete="RESTRICT")
        tag = CharField(max_length=20)
        area = CharField(max_length=80)
        taken_on = DateField()
        sha256 = CharField(max_length=64, index=True)
        extension = CharField(max_length=8)
        consent_note = TextField(default="")
        imported_by = ForeignKeyField(user_t, on_delete="RESTRICT")
        imported_at = DateTimeField()
        archived = BooleanField(default=False)

        class Meta:
            table_name = "photo"

    with database.bind_ctx([Photo, user_t, patient_t, appt_t]):
        database.create_tables([Photo])


def _upgrade_to_5(database: Database) -> None:
    """Schema 5: inventory — products, lots and the stock ledger (frozen copies, as above)."""
    user_t, patient_t, appt_t = _stub("user"), _stub("patient"), _stub("appointment")

    class Product(_Frozen):
        name = CharField(max_length=120, unique=True)
        kind = CharField(max_length=20)
        unit = CharField(max_length=12)
        low_stock_centi = IntegerField(default=0)
        active = BooleanField(default=True)

        class Meta:
            table_name = "product"

    class Lot(_Frozen):
        product = ForeignKeyField(Product, on_delete="RESTRICT")
        lot_number = CharField(max_length=40)
        expiry = DateField()
        received_centi = IntegerField()
        remaining_centi = IntegerField()
        cost_cents = IntegerField(default=0)
        received_on = DateField()

        class Meta:
            table_name = "lot"
            indexes = ((("product", "lot_number"), True),)

    class StockMovement(_Frozen):
        lot = ForeignKeyField(Lot, on_delete="RESTRICT")
        change_centi = IntegerField()
        kind = CharField(max_length=20)
        reason = TextField(default="")
        appointment = ForeignKeyField(appt_t, null=True, on_delete="RESTRICT")
        patient = ForeignKeyField(patient_t, null=True, on_delete="RESTRICT")
        user = ForeignKeyField(user_t, on_delete="RESTRICT")
        at = DateTimeField()

        class Meta:
            table_name = "stock_movement"

    new_tables = [Product, Lot, StockMovement]
    with database.bind_ctx([*new_tables, user_t, patient_t, appt_t]):
        database.create_tables(new_tables)
    install_guards()


def _upgrade_to_6(database: Database) -> None:
    """Schema 6: treatment records (frozen copy, as above)."""
    user_t, patient_t, appt_t = _stub("user"), _stub("patient"), _stub("appointment")

    class TreatmentRecord(_Frozen):
        appointment = ForeignKeyField(appt_t, unique=True, on_delete="RESTRICT")
        patient = ForeignKeyField(patient_t, on_delete="RESTRICT")
        provider = ForeignKeyField(user_t, on_delete="RESTRICT", backref="+")
        modality = CharField(max_length=40, index=True)
        parameters = TextField()
        aftercare = TextField(default="")
        charted_by = ForeignKeyField(user_t, on_delete="RESTRICT", backref="+")
        charted_at = DateTimeField()

        class Meta:
            table_name = "treatment_record"

    with database.bind_ctx([TreatmentRecord, user_t, patient_t, appt_t]):
        database.create_tables([TreatmentRecord])


def _upgrade_to_7(database: Database) -> None:
    """Schema 7: consent templates, signed consents and their stored PDFs or scans, and
    overrides (frozen copies, as above); all append-only."""
    user_t, patient_t, appt_t = _stub("user"), _stub("patient"), _stub("appointment")

    class ConsentTemplate(_Frozen):
        category = CharField(max_length=40)
        version = IntegerField()
        title = CharField(max_length=200)
        body = TextField()
        created_by = ForeignKeyField(user_t, null=True, on_delete="RESTRICT")
        created_at = DateTimeField()

        class Meta:
            table_name = "consent_template"
            indexes = ((("category", "version"), True),)

    class StoredFile(_Frozen):
        sha256 = CharField(max_length=64, unique=True)
        media_type = CharField(max_length=40)
        size = IntegerField()
        content = BlobField()
        stored_at = DateTimeField()

        class Meta:
            table_name = "stored_file"

    class Consent(_Frozen):
        patient = ForeignKeyField(patient_t, on_delete="RESTRICT")
        template = ForeignKeyField(ConsentTemplate, on_delete="RESTRICT")
        category = CharField(max_length=40)
        appointment = ForeignKeyField(appt_t, null=True, on_delete="RESTRICT")
        method = CharField(max_length=10)
        signed_at = DateTimeField()
        signer_name = CharField(max_length=200)
        guardian_relation = CharField(max_length=60, default="")
        witness = ForeignKeyField(user_t, on_delete="RESTRICT", backref="+")
        content_sha256 = CharField(max_length=64)
        document = ForeignKeyField(StoredFile, on_delete="RESTRICT")
        recorded_by = ForeignKeyField(user_t, on_delete="RESTRICT", backref="+")
        recorded_at = DateTimeField()

        class Meta:
            table_name = "consent"
            indexes = ((("patient", "category", "signed_at"), False),)

    class ConsentOverride(_Frozen):
        appointment = ForeignKeyField(appt_t, on_delete="RESTRICT")
        category = CharField(max_length=40)
        reason = TextField()
        user = ForeignKeyField(user_t, on_delete="RESTRICT")
        at = DateTimeField()

        class Meta:
            table_name = "consent_override"

    new_tables = [ConsentTemplate, StoredFile, Consent, ConsentOverride]
    with database.bind_ctx([*new_tables, user_t, patient_t, appt_t]):
        database.create_tables(new_tables)
    install_guards()


def _upgrade_to_8(database: Database) -> None:
    """Schema 8: billing — retail prices, service tax exemption, the invoice counter,
    invoices, their lines and payments (frozen copies, as above)."""
    user_t, patient_t, appt_t = _stub("user"), _stub("patient"), _stub("appointment")
    service_t, product_t = _stub("service"), _stub("product")
    migrator = SchemaMigrator.from_database(database)
    run_migrations(
        migrator.add_column("service", "tax_exempt", BooleanField(default=False)),
        migrator.add_column("product", "sku", CharField(max_length=40, default="")),
        migrator.add_column("product", "price_cents", IntegerField(default=0)),
        migrator.add_column("product", "taxable", BooleanField(default=True)),
    )

    class Counter(_Frozen):
        name = CharField(primary_key=True, max_length=40)
        value = IntegerField()

        class Meta:
            table_name = "counter"

    class Invoice(_Frozen):
        number = IntegerField(unique=True)
        patient = ForeignKeyField(patient_t, on_delete="RESTRICT")
        appointment = ForeignKeyField(appt_t, null=True, on_delete="RESTRICT")
        provider = ForeignKeyField(user_t, null=True, on_delete="RESTRICT", backref="+")
        issued_at = DateTimeField(index=True)
        subtotal_cents = IntegerField()
        discount_cents = IntegerField()
        discount_reason = TextField(default="")
        tax_cents = IntegerField()
        tip_cents = IntegerField()
        total_cents = IntegerField()
        status = CharField(max_length=10)
        void_reason = TextField(default="")
        voided_by = ForeignKeyField(user_t, null=True, on_delete="RESTRICT", backref="+")
        voided_at = DateTimeField(null=True)
        created_by = ForeignKeyField(user_t, on_delete="RESTRICT", backref="+")

        class Meta:
            table_name = "invoice"

    class InvoiceLine(_Frozen):
        invoice = ForeignKeyField(Invoice, on_delete="RESTRICT")
        position = IntegerField()
        kind = CharField(max_length=20)
        description = CharField(max_length=200)
        service = ForeignKeyField(service_t, null=True, on_delete="RESTRICT")
        product = ForeignKeyField(product_t, null=True, on_delete="RESTRICT")
        quantity_centi = IntegerField()
        unit_price_cents = IntegerField()
        gross_cents = IntegerField()
        discount_cents = IntegerField()
        discount_reason = TextField(default="")
        tax_category = CharField(max_length=10)
        tax_rate_bp = IntegerField()
        tax_cents = IntegerField()

        class Meta:
            table_name = "invoice_line"

    class Payment(_Frozen):
        invoice = ForeignKeyField(Invoice, on_delete="RESTRICT")
        kind = CharField(max_length=10)
        method = CharField(max_length=20)
        amount_cents = IntegerField()
        tendered_cents = IntegerField(default=0)
        change_cents = IntegerField(default=0)
        card_last4 = CharField(max_length=4, default="")
        auth_code = CharField(max_length=20, default="")
        check_number = CharField(max_length=20, default="")
        refund_of = ForeignKeyField("self", null=True, on_delete="RESTRICT")
        reason = TextField(default="")
        user = ForeignKeyField(user_t, on_delete="RESTRICT")
        at = DateTimeField(index=True)

        class Meta:
            table_name = "payment"

    new_tables = [Counter, Invoice, InvoiceLine, Payment]
    with database.bind_ctx([*new_tables, user_t, patient_t, appt_t, service_t, product_t]):
        database.create_tables(new_tables)
    install_guards()


def _upgrade_to_9(database: Database) -> None:
    """Schema 9: packages and gift cards — the things sold, a package's movements, a gift
    card's closing, and the links from invoice lines and payments (frozen copies)."""
    user_t, patient_t, service_t = _stub("user"), _stub("patient"), _stub("service")
    invoice_t = _stub("invoice")

    class Package(_Frozen):
        patient = ForeignKeyField(patient_t, on_delete="RESTRICT")
        service = ForeignKeyField(service_t, on_delete="RESTRICT")
        quantity_centi = IntegerField()
        price_cents = IntegerField()
        invoice = ForeignKeyField(invoice_t, on_delete="RESTRICT", backref="+")
        expires_on = DateField(null=True)
        created_at = DateTimeField()

        class Meta:
            table_name = "package"

    class GiftCard(_Frozen):
        code = CharField(max_length=20, unique=True)
        amount_cents = IntegerField()
        invoice = ForeignKeyField(invoice_t, on_delete="RESTRICT", backref="+")
        recipient = CharField(max_length=120, default="")
        created_at = DateTimeField()

        class Meta:
            table_name = "gift_card"

    class PackageUse(_Frozen):
        package = ForeignKeyField(Package, on_delete="RESTRICT")
        kind = CharField(max_length=10)
        quantity_centi = IntegerField()
        invoice = ForeignKeyField(invoice_t, null=True, on_delete="RESTRICT", backref="+")
        reason = TextField(default="")
        user = ForeignKeyField(user_t, on_delete="RESTRICT", backref="+")
        at = DateTimeField()

        class Meta:
            table_name = "package_use"

    class GiftCardClose(_Frozen):
        gift_card = ForeignKeyField(GiftCard, unique=True, on_delete="RESTRICT", backref="+")
        amount_cents = IntegerField()
        reason = TextField()
        user = ForeignKeyField(user_t, on_delete="RESTRICT", backref="+")
        at = DateTimeField()

        class Meta:
            table_name = "gift_card_close"

    new_tables = [Package, GiftCard, PackageUse, GiftCardClose]
    with database.bind_ctx([*new_tables, user_t, patient_t, service_t, invoice_t]):
        database.create_tables(new_tables)
    migrator = SchemaMigrator.from_database(database)
    run_migrations(
        migrator.add_column("invoice_line", "package_id", ForeignKeyField(
            Package, null=True, on_delete="RESTRICT", field=Package.id)),
        migrator.add_column("invoice_line", "gift_card_id", ForeignKeyField(
            GiftCard, null=True, on_delete="RESTRICT", field=GiftCard.id)),
        migrator.add_column("payment", "gift_card_id", ForeignKeyField(
            GiftCard, null=True, on_delete="RESTRICT", field=GiftCard.id)),
    )
    install_guards()


def _upgrade_to_10(database: Database) -> None:
    """Schema 10: the name-search index ``patient_name_part`` (frozen copy), filled from
    every patient's ``search_name``; the audit log indexed by record and by time, and lots
    by number."""
    patient_t = _stub("patient")

    class PatientNamePart(_Frozen):
        part = CharField(max_length=80)
        patient = ForeignKeyField(patient_t, on_delete="RESTRICT", backref="+")

        class Meta:
            table_name = "patient_name_part"
            primary_key = CompositeKey("part", "patient")

    with database.bind_ctx([PatientNamePart, patient_t]):
        database.create_tables([PatientNamePart])
    install_engine_indexes()
    database.execute_sql("DELETE FROM patient_name_part")  # a derived index: rebuilt whole
    names = database.execute_sql("SELECT id, search_name FROM patient").fetchall()
    insert = ("INSERT INTO patient_name_part (part, patient_id) "
              f"VALUES ({database.param}, {database.param})")
    rows = ((part, patient_id) for patient_id, search_name in names
            for part in _name_parts_v10(search_name))
    for batch in chunked(rows, 20_000):
        database.cursor().executemany(insert, batch)
    for name, table, columns in (
            ("audit_event_record_type_record_id", "audit_event", '"record_type", "record_id"'),
            ("audit_event_at", "audit_event", '"at"'),
            ("lot_lot_number", "lot", '"lot_number"')):  # a recall finds a lot by number alone
        database.execute_sql(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ({columns})')


def _name_parts_v10(search_name: str) -> set[str]:
    """Schema 10's parts of a name (frozen copy of ``services.platform.text.name_parts``):
    every suffix of every word, cut to 80 characters."""
    return {word[i:i + 80] for word in search_name.split() for i in range(len(word))}


def _upgrade_to_11(database: Database) -> None:
    """Schema 11: invoices indexed by when they were voided (a report's voids of a day or a
    month were a read of every invoice) and by status (what is due is on the few open
    ones)."""
    for column in ("voided_at", "status"):
        database.execute_sql(f'CREATE INDEX IF NOT EXISTS "invoice_{column}" ON "invoice" '
                             f'("{column}")')


def _upgrade_to_12(database: Database) -> None:
    """Schema 12: charted records are final. Amendments to a treatment record (frozen copy);
    the triggers that make treatment records and amendments append-only and photos fixed
    but for ``archived``.

    A file that reached schema 8 kept that version's invoice guard, which let a voided
    invoice change and left its provider, appointment, creator and discount reason open;
    on SQLite it is replaced by the whole guard (PostgreSQL's function is always replaced).
    """
    if isinstance(database, SqliteDatabase):
        database.execute_sql("DROP TRIGGER IF EXISTS invoice_issued_no_update")
    user_t, record_t = _stub("user"), _stub("treatment_record")

    class TreatmentAmendment(_Frozen):
        record = ForeignKeyField(record_t, on_delete="RESTRICT")
        author = ForeignKeyField(user_t, on_delete="RESTRICT", backref="+")
        at = DateTimeField()
        reason = TextField()
        text = TextField()

        class Meta:
            table_name = "treatment_amendment"

    with database.bind_ctx([TreatmentAmendment, user_t, record_t]):
        database.create_tables([TreatmentAmendment])
    install_guards()


def _upgrade_to_13(database: Database) -> None:
    """Schema 13, clinic setup: rooms in the clinic's order (``position``, first filled in
    name order, as they were listed); a service's colour on the schedule, the consent it
    needs, the product it draws by default and a version for stale edits; and the dated
    price history ``service_price`` (frozen copy; append-only)."""
    user_t, service_t, product_t = _stub("user"), _stub("service"), _stub("product")

    class ServicePrice(_Frozen):
        service = ForeignKeyField(service_t, on_delete="RESTRICT")
        price_cents = IntegerField()
        effective_on = DateField()
        set_by = ForeignKeyField(user_t, on_delete="RESTRICT", backref="+")
        set_at = DateTimeField()

        class Meta:
            table_name = "service_price"
            indexes = ((("service", "effective_on"), False),)

    columns = {table: {c.name for c in database.get_columns(table)}
               for table in ("room", "service")}
    new_columns = [
        ("room", "position", IntegerField(default=0)),
        ("service", "colour", CharField(max_length=7, default="")),
        ("service", "consent_category", CharField(max_length=40, default="")),
        ("service", "default_product_id", ForeignKeyField(
            product_t, field=product_t.id, null=True, on_delete="RESTRICT")),
        ("service", "version", IntegerField(default=1)),
    ]
    with database.bind_ctx([ServicePrice, user_t, service_t, product_t]):
        database.create_tables([ServicePrice])
        migrator = SchemaMigrator.from_database(database)
        # a column already there (a step run again on a database that has it) is kept
        run_migrations(*(migrator.add_column(table, name, field)
                         for table, name, field in new_columns
                         if name not in columns[table]))
    if "position" not in columns["room"]:
        rooms = database.execute_sql("SELECT id FROM room ORDER BY name, id").fetchall()
        for position, (room_id,) in enumerate(rooms, start=1):
            database.execute_sql(f"UPDATE room SET position = {database.param} "
                                 f"WHERE id = {database.param}", (position, room_id))
    install_guards()


def _upgrade_to_14(database: Database) -> None:
    """Schema 14: a patient chart merged into another points to it (``merged_into``).
    Idempotent, as every step is: a column already there is left alone."""
    if "merged_into_id" in {c.name for c in database.get_columns("patient")}:
        return
    patient_t = _stub("patient")
    migrator = SchemaMigrator.from_database(database)
    run_migrations(migrator.add_column("patient", "merged_into_id", ForeignKeyField(
        patient_t, null=True, on_delete="RESTRICT", field=patient_t.id)))


def _upgrade_to_15(database: Database) -> None:
    """Schema 15: a chart imported from another system keeps its id there
    (``external_id``, indexed: a later import of that system's history finds the chart)."""
    if "external_id" not in {c.name for c in database.get_columns("patient")}:
        migrator = SchemaMigrator.from_database(database)
        run_migrations(migrator.add_column("patient", "external_id",
                                           CharField(max_length=120, default="")))
    database.execute_sql('CREATE INDEX IF NOT EXISTS "patient_external_id" '
                         'ON "patient" ("external_id")')


def _upgrade_to_16(database: Database) -> None:
    """Schema 16: visits and treatments imported from the system a clinic moved in from
    (``imported_visit``, frozen copy; append-only)."""
    patient_t, user_t = _stub("patient"), _stub("user")

    class ImportedVisit(_Frozen):
        patient = ForeignKeyField(patient_t, backref="+", on_delete="RESTRICT")
        at = DateTimeField(index=True)
        service = CharField(max_length=120, default="")
        provider = CharField(max_length=120, default="")
        status = CharField(max_length=40, default="")
        details = TextField(default="")
        source = CharField(max_length=200)
        source_sha256 = CharField(max_length=64)
        imported_by = ForeignKeyField(user_t, null=True, on_delete="RESTRICT", backref="+")
        imported_at = DateTimeField()

        class Meta:
            table_name = "imported_visit"

    with database.bind_ctx([ImportedVisit, patient_t, user_t]):
        database.create_tables([ImportedVisit])
    install_guards()


def _upgrade_to_17(database: Database) -> None:
    """Schema 17: the signals other windows and PCs read to follow this one's commits
    (``change_signal``, frozen copy)."""

    class ChangeSignal(_Frozen):
        at = DateTimeField(index=True)
        origin = CharField(max_length=32)
        kind = CharField(max_length=40)
        ids = TextField(default="")

        class Meta:
            table_name = "change_signal"

    with database.bind_ctx([ChangeSignal]):
        database.create_tables([ChangeSignal])


def _upgrade_to_18(database: Database) -> None:
    """Schema 18: the outbox (``outbox_message``, frozen copy): reminders and other messages
    waiting to be sent, never deleted, their text fixed; a service's preparation
    instructions for its reminders (``service.preparation``)."""
    if "preparation" not in {c.name for c in database.get_columns("service")}:
        migrator = SchemaMigrator.from_database(database)
        run_migrations(migrator.add_column("service", "preparation", TextField(default="")))
    patient_t, appt_t, user_t = _stub("patient"), _stub("appointment"), _stub("user")

    class OutboxMessage(_Frozen):
        to_address = CharField(max_length=254)
        channel = CharField(max_length=10)
        kind = CharField(max_length=20)
        patient = ForeignKeyField(patient_t, null=True, on_delete="RESTRICT", backref="+")
        appointment = ForeignKeyField(appt_t, null=True, on_delete="RESTRICT", backref="+")
        subject = CharField(max_length=200, default="")
        body = TextField()
        ics = TextField(null=True)
        due_at = DateTimeField(index=True)
        state = CharField(max_length=12, default="queued", index=True)
        attempts = IntegerField(default=0)
        next_try_at = DateTimeField(null=True)
        last_error = TextField(default="")
        message_id = CharField(max_length=200, default="")
        sent_at = DateTimeField(null=True)
        created_by = ForeignKeyField(user_t, null=True, on_delete="RESTRICT", backref="+")
        created_at = DateTimeField()
        version = IntegerField(default=1)

        class Meta:
            table_name = "outbox_message"

    with database.bind_ctx([OutboxMessage, patient_t, appt_t, user_t]):
        database.create_tables([OutboxMessage])
    install_guards()


def _upgrade_to_19(database: Database) -> None:
    """Schema 19: what each patient said about being contacted (``contact_consent``, frozen
    copy; append-only). No rows: reminders default to yes and marketing to no."""
    patient_t, user_t = _stub("patient"), _stub("user")

    class ContactConsent(_Frozen):
        patient = ForeignKeyField(patient_t, backref="+", on_delete="RESTRICT")
        kind = CharField(max_length=20)
        agreed = BooleanField()
        given_on = DateField()
        recorded_by = ForeignKeyField(user_t, on_delete="RESTRICT", backref="+")
        recorded_at = DateTimeField()

        class Meta:
            table_name = "contact_consent"
            indexes = ((("patient", "kind"), False),)

    with database.bind_ctx([ContactConsent, patient_t, user_t]):
        database.create_tables([ContactConsent])
    install_guards()


def _upgrade_to_20(database: Database) -> None:
    """Schema 20: who is signed in on which PC, and what they edit (``presence``, frozen
    copy)."""
    user_t = _stub("user")

    class Presence(_Frozen):
        workstation = CharField(max_length=60)
        user = ForeignKeyField(user_t, on_delete="CASCADE", backref="+")
        signed_in_at = DateTimeField()
        seen_at = DateTimeField(index=True)
        editing = CharField(max_length=120, default="")
        editing_patient = IntegerField(null=True, index=True)

        class Meta:
            table_name = "presence"

    with database.bind_ctx([Presence, user_t]):
        database.create_tables([Presence])


def _upgrade_to_21(database: Database) -> None:
    """Schema 21: credit on account — each patient's ledger (``account_credit``, frozen copy;
    append-only, no rows) and the part of a payment kept as credit (``payment.credit_cents``,
    0 for every payment before)."""
    if "credit_cents" not in {c.name for c in database.get_columns("payment")}:
        # adding a column fills it in every row: the append-only guard is lifted for this
        # step's own transaction and put back below (``install_guards``)
        database.execute_sql("DROP TRIGGER IF EXISTS payment_no_update"
                             if isinstance(database, SqliteDatabase)
                             else "DROP TRIGGER IF EXISTS payment_append_only ON payment")
        migrator = SchemaMigrator.from_database(database)
        run_migrations(migrator.add_column("payment", "credit_cents", IntegerField(default=0)))
    patient_t, payment_t, user_t = _stub("patient"), _stub("payment"), _stub("user")

    class AccountCredit(_Frozen):
        patient = ForeignKeyField(patient_t, backref="+", on_delete="RESTRICT", index=True)
        kind = CharField(max_length=12)
        amount_cents = IntegerField()
        payment = ForeignKeyField(payment_t, null=True, on_delete="RESTRICT", backref="+")
        reason = TextField(default="")
        user = ForeignKeyField(user_t, on_delete="RESTRICT", backref="+")
        at = DateTimeField(index=True)

        class Meta:
            table_name = "account_credit"

    with database.bind_ctx([AccountCredit, patient_t, payment_t, user_t]):
        database.create_tables([AccountCredit])
    install_guards()



def _upgrade_to_22(database: Database) -> None:
    """Schema 22: memberships — plan versions, members with their signed agreement, their
    freezes and cancellations, each month's dues (unique per membership and month) and
    banked credits (frozen copies; all append-only). No rows: no clinic had members."""
    patient_t, user_t, file_t = _stub("patient"), _stub("user"), _stub("stored_file")
    invoice_t, service_t = _stub("invoice"), _stub("service")

    class MembershipPlan(_Frozen):
        code = IntegerField()
        version = IntegerField()
        name = CharField(max_length=80)
        fee_cents = IntegerField()
        billing_day = IntegerField(default=0)
        min_term_months = IntegerField(default=0)
        notice_days = IntegerField(default=0)
        retail_discount_bp = IntegerField(default=0)
        benefits = TextField(default="{}")
        retired = BooleanField(default=False)
        created_by = ForeignKeyField(user_t, on_delete="RESTRICT", backref="+")
        created_at = DateTimeField()

        class Meta:
            table_name = "membership_plan"
            indexes = ((("code", "version"), True),)

    class Membership(_Frozen):
        patient = ForeignKeyField(patient_t, backref="+", on_delete="RESTRICT")
        plan = ForeignKeyField(MembershipPlan, on_delete="RESTRICT", backref="+")
        started_on = DateField()
        billing_day = IntegerField()
        signer_name = CharField(max_length=200)
        content_sha256 = CharField(max_length=64)
        document = ForeignKeyField(file_t, on_delete="RESTRICT", backref="+")
        enrolled_by = ForeignKeyField(user_t, on_delete="RESTRICT", backref="+")
        enrolled_at = DateTimeField()

        class Meta:
            table_name = "membership"

    class MembershipEvent(_Frozen):
        membership = ForeignKeyField(Membership, backref="+", on_delete="RESTRICT")
        kind = CharField(max_length=12)
        from_on = DateField()
        until_on = DateField(null=True)
        reason = TextField(default="")
        user = ForeignKeyField(user_t, on_delete="RESTRICT", backref="+")
        at = DateTimeField()

        class Meta:
            table_name = "membership_event"

    class MembershipDues(_Frozen):
        membership = ForeignKeyField(Membership, backref="+", on_delete="RESTRICT")
        month = DateField()
        invoice = ForeignKeyField(invoice_t, on_delete="RESTRICT", backref="+")
        at = DateTimeField()

        class Meta:
            table_name = "membership_dues"
            indexes = ((("membership", "month"), True),)

    class MembershipCredit(_Frozen):
        membership = ForeignKeyField(Membership, backref="+", on_delete="RESTRICT")
        service = ForeignKeyField(service_t, on_delete="RESTRICT", backref="+")
        kind = CharField(max_length=10)
        quantity_centi = IntegerField()
        month = DateField(null=True)
        invoice = ForeignKeyField(invoice_t, null=True, on_delete="RESTRICT", backref="+")
        at = DateTimeField()

        class Meta:
            table_name = "membership_credit"

    tables = [MembershipPlan, Membership, MembershipEvent, MembershipDues, MembershipCredit]
    with database.bind_ctx([*tables, patient_t, user_t, file_t, invoice_t, service_t]):
        database.create_tables(tables)
    install_guards()


def _upgrade_to_23(database: Database) -> None:
    """Schema 23: appointments indexed by patient, start and status, so the reports read a
    patient's first visit (one seek) and visit count from the index alone instead of every
    appointment row of the patient's history (new and returning, patients lost)."""
    database.execute_sql('CREATE INDEX IF NOT EXISTS "appointment_patient_id_start_status" '
                         'ON "appointment" ("patient_id", "start", "status")')


def _upgrade_to_24(database: Database) -> None:
    """Schema 24: a version on rooms, devices, staff accounts and each clinic setting, so a
    save made from a form another PC saved first is refused instead of silently undoing it
    (1 for every row before)."""
    migrator = SchemaMigrator.from_database(database)
    for table in ("clinic_setting", "user", "room", "device"):
        if "version" not in {c.name for c in database.get_columns(table)}:
            run_migrations(migrator.add_column(table, "version", IntegerField(default=1)))


def _upgrade_to_25(database: Database) -> None:
    """Schema 25: commission rates with start dates (``commission_rate``, frozen copy;
    append-only). The rates kept until now as clinic settings (``commission.<category>_bp``)
    become the first version, in force from the clinic's first day (its first recorded action
    or sale), so every statement printed before reads the same; no version when no rate was
    set (no rate is no commission either way)."""
    user_t = _stub("user")

    class CommissionRate(_Frozen):
        effective_on = DateField(index=True)
        rates = TextField()
        set_by = ForeignKeyField(user_t, null=True, on_delete="RESTRICT", backref="+")
        set_at = DateTimeField()

        class Meta:
            table_name = "commission_rate"

    with database.bind_ctx([CommissionRate, user_t]):
        database.create_tables([CommissionRate])
        prefix, suffix = "commission.", "_bp"
        kept = {key[len(prefix):-len(suffix)]: int(value) for key, value in database.execute_sql(
            "SELECT key, value FROM clinic_setting")  # no LIKE '…%': a placeholder to psycopg
            if key.startswith(prefix) and key.endswith(suffix) and value.strip().isdigit()}
        if any(kept.values()):
            firsts = [row[0] for row in database.execute_sql(
                "SELECT MIN(at) FROM audit_event UNION ALL "
                "SELECT MIN(issued_at) FROM invoice") if row[0] is not None]
            days = [_as_date(value) for value in firsts]
            now = dt.datetime.now()
            CommissionRate.create(effective_on=min([*days, now.date()]),
                                  rates=json.dumps(dict(sorted(kept.items()))), set_by=None,
                                  set_at=now)
    install_guards()


def _as_date(value: object) -> dt.date:
    """A timestamp read with raw SQL (SQLite gives text) as its day."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


# UPGRADES[n] brings a database from version n - 1 to n. Version 1 is the baseline.
UPGRADES: dict[int, Callable[[Database], None]] = {2: _upgrade_to_2, 3: _upgrade_to_3,
                                                   4: _upgrade_to_4, 5: _upgrade_to_5,
                                                   6: _upgrade_to_6, 7: _upgrade_to_7,
                                                   8: _upgrade_to_8, 9: _upgrade_to_9,
                                                   10: _upgrade_to_10, 11: _upgrade_to_11,
                                                   12: _upgrade_to_12, 13: _upgrade_to_13,
                                                   14: _upgrade_to_14, 15: _upgrade_to_15,
                                                   16: _upgrade_to_16, 17: _upgrade_to_17,
                                                   18: _upgrade_to_18, 19: _upgrade_to_19,
                                                   20: _upgrade_to_20, 21: _upgrade_to_21,
                                                   22: _upgrade_to_22, 23: _upgrade_to_23,
                                                   24: _upgrade_to_24,
                                                   25: _upgrade_to_25}


def install_engine_indexes() -> None:
    """Indexes that only one engine needs. PostgreSQL: name-search prefixes (``LIKE 'w%'``)
    can use a b-tree only under the C collation or with ``text_pattern_ops``; SQLite answers
    them with a range on the primary key's own index."""
    if isinstance(db.obj, SqliteDatabase):
        return
    if "patient_name_part" in set(db.get_tables()):
        db.execute_sql('CREATE INDEX IF NOT EXISTS "patient_name_part_pattern" '
                       'ON "patient_name_part" ("part" text_pattern_ops)')


def install_guards() -> None:
    """The triggers that keep history honest: append-only tables, signed notes, issued
    invoices and archivable photos."""
    existing = set(db.get_tables())
    for table in APPEND_ONLY_TABLES:
        if table in existing:
            for sql in append_only_trigger_sql(table):
                db.execute_sql(sql)
    for table in SIGNED_TABLES:
        if table in existing:
            for sql in signed_trigger_sql(table):
                db.execute_sql(sql)
    for table, (columns, final) in ISSUED_TABLES.items():
        if table in existing:
            for sql in issued_trigger_sql(table, columns, final):
                db.execute_sql(sql)
    for table, columns in ARCHIVABLE_TABLES.items():
        if table in existing:
            for sql in archivable_trigger_sql(table, columns):
                db.execute_sql(sql)


def issued_trigger_sql(table: str, columns: tuple[str, ...], final: str) -> list[str]:
    """DDL that refuses deleting a row of ``table``, changing its ``columns``, or changing
    anything once its status is ``final``."""
    changed = f"OLD.status = '{final}' OR " + " OR ".join(
        f"NEW.{c} IS NOT OLD.{c}" for c in columns)
    if isinstance(db.obj, SqliteDatabase):
        return [
            f"CREATE TRIGGER IF NOT EXISTS {table}_issued_no_update BEFORE UPDATE ON {table} "
            f"WHEN {changed} "
            f"BEGIN SELECT RAISE(ABORT, 'an issued {table} cannot be changed'); END",
            f"CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} rows are never deleted'); END",
        ]
    changed = f"OLD.status = '{final}' OR " + " OR ".join(
        f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in columns)
    return [
        f"CREATE OR REPLACE FUNCTION medspa_guard_{table}() RETURNS trigger AS $$ BEGIN "
        "IF TG_OP = 'DELETE' THEN RAISE EXCEPTION '%% rows are never deleted', TG_TABLE_NAME; "
        f"END IF; IF {changed} THEN "
        "RAISE EXCEPTION 'an issued %% cannot be changed', TG_TABLE_NAME; END IF; "
        "RETURN NEW; END; $$ LANGUAGE plpgsql",
        f"DROP TRIGGER IF EXISTS {table}_issued_guard ON {table}",
        f"CREATE TRIGGER {table}_issued_guard BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION medspa_guard_{table}()",
    ]


def archivable_trigger_sql(table: str, columns: tuple[str, ...]) -> list[str]:
    """DDL that refuses deleting a row of ``table`` or changing any of its ``columns`` (the
    table's others, such as ``archived``, may change)."""
    message = f"a {table} cannot be changed, only archived"
    if isinstance(db.obj, SqliteDatabase):
        changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in columns)
        return [
            f"CREATE TRIGGER IF NOT EXISTS {table}_fixed_no_update BEFORE UPDATE ON {table} "
            f"WHEN {changed} BEGIN SELECT RAISE(ABORT, '{message}'); END",
            f"CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} rows are never deleted'); END",
        ]
    changed = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in columns)
    return [
        f"CREATE OR REPLACE FUNCTION medspa_guard_{table}() RETURNS trigger AS $$ BEGIN "
        "IF TG_OP = 'DELETE' THEN RAISE EXCEPTION '%% rows are never deleted', TG_TABLE_NAME; "
        f"END IF; IF {changed} THEN "
        "RAISE EXCEPTION 'a %% cannot be changed, only archived', TG_TABLE_NAME; END IF; "
        "RETURN NEW; END; $$ LANGUAGE plpgsql",
        f"DROP TRIGGER IF EXISTS {table}_fixed_guard ON {table}",
        f"CREATE TRIGGER {table}_fixed_guard BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION medspa_guard_{table}()",
    ]


def signed_trigger_sql(table: str) -> list[str]:
    """DDL that refuses any change to a signed row of ``table`` and any delete."""
    if isinstance(db.obj, SqliteDatabase):
        return [
            f"CREATE TRIGGER IF NOT EXISTS {table}_signed_no_update BEFORE UPDATE ON {table} "
            f"WHEN OLD.status = 'signed' "
            f"BEGIN SELECT RAISE(ABORT, 'a signed {table} cannot be changed'); END",
            f"CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} rows are never deleted'); END",
        ]
    return [
        "CREATE OR REPLACE FUNCTION medspa_guard_signed() RETURNS trigger AS $$ BEGIN "
        "IF TG_OP = 'DELETE' THEN RAISE EXCEPTION '%% rows are never deleted', TG_TABLE_NAME; "
        "END IF; IF OLD.status = 'signed' THEN "
        "RAISE EXCEPTION 'a signed %% cannot be changed', TG_TABLE_NAME; END IF; "
        "RETURN NEW; END; $$ LANGUAGE plpgsql",
        f"DROP TRIGGER IF EXISTS {table}_signed_guard ON {table}",
        f"CREATE TRIGGER {table}_signed_guard BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION medspa_guard_signed()",
    ]


def missing_guards() -> list[str]:
    """Tables whose guard triggers are gone (``check`` reports them)."""
    missing = [f"{t} has lost its append-only trigger" for t in APPEND_ONLY_TABLES
               if not has_append_only_triggers(t)]
    missing += [f"{t} has lost its signed-row trigger" for t in SIGNED_TABLES
                if not _has_triggers(t, {f"{t}_signed_no_update", f"{t}_no_delete"},
                                     f"{t}_signed_guard")]
    missing += [f"{t} has lost its issued-row trigger" for t in ISSUED_TABLES
                if not _has_triggers(t, {f"{t}_issued_no_update", f"{t}_no_delete"},
                                     f"{t}_issued_guard")]
    missing += [f"{t} has lost its fixed-row trigger" for t in ARCHIVABLE_TABLES
                if not _has_triggers(t, {f"{t}_fixed_no_update", f"{t}_no_delete"},
                                     f"{t}_fixed_guard")]
    return missing


def append_only_trigger_sql(table: str) -> list[str]:
    """DDL that makes ``table`` refuse UPDATE and DELETE, for the open database's engine."""
    message = f"{table} is append-only"
    if isinstance(db.obj, SqliteDatabase):
        return [
            f"CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} BEFORE {op} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
            for op in ("UPDATE", "DELETE")
        ]
    return [
        "CREATE OR REPLACE FUNCTION medspa_refuse_change() RETURNS trigger AS $$ "
        # '%%' reaches PostgreSQL as '%' (the driver reads a lone % as a placeholder)
        "BEGIN RAISE EXCEPTION '%% is append-only', TG_TABLE_NAME; END; $$ LANGUAGE plpgsql",
        f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION medspa_refuse_change()",
    ]


def has_append_only_triggers(table: str) -> bool:
    """Are the triggers that ``append_only_trigger_sql`` creates still in place?"""
    return _has_triggers(table, {f"{table}_no_update", f"{table}_no_delete"},
                         f"{table}_append_only")


def _has_triggers(table: str, sqlite_names: set[str], postgres_name: str) -> bool:
    if isinstance(db.obj, SqliteDatabase):
        names = {row[0] for row in db.execute_sql(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", (table,))}
        return sqlite_names <= names
    rows = db.execute_sql(
        "SELECT 1 FROM information_schema.triggers WHERE trigger_name = %s", (postgres_name,))
    return rows.fetchone() is not None


def _stamp(version: int) -> None:
    for key, value in (("app", APP_ID), ("schema_version", str(version))):
        SchemaMeta.insert(key=key, value=value).on_conflict(
            conflict_target=[SchemaMeta.key], update={SchemaMeta.value: value}
        ).execute()


def _backup_before_migrating(version: int, backup_dir: Path | None) -> Path | None:
    real = db.obj
    if not isinstance(real, SqliteDatabase):
        return None  # a PostgreSQL server is backed up with the server's own tools
    source = Path(real.database)
    folder = backup_dir or source.parent / "backups"
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return backup_sqlite(folder / f"{source.stem}-schema-v{version}-{stamp}.db")


def _label() -> str:
    real = db.obj
    return str(real.database) if real is not None else "The database"
