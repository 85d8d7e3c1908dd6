"""The clinic's tables, as peewee models.

Conventions (see docs/architecture.md):

* portable field types only (no SQLite- or PostgreSQL-specific columns), so one set of models
  serves both engines;
* money is integer cents (``*_cents``); datetimes are clinic-local wall-clock times;
* nothing clinical or financial is hard-deleted: patients carry ``archived``, and foreign keys
  ``RESTRICT`` instead of cascading;
* rows two PCs may edit at once carry ``version`` for optimistic concurrency;
* history is guarded by triggers created in ``store/migrations.py``: the audit log, charted
  treatment records and their amendments are append-only; signed notes, issued invoices
  and photos are fixed (a photo may only be archived).

A change to these models is a schema change: bump ``SCHEMA_VERSION`` in migrations.py, add the
step that brings an older database to it, and freeze a fixture of the old version.
"""

from __future__ import annotations

from peewee import (
    BlobField,
    BooleanField,
    CharField,
    CompositeKey,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
    TimeField,
)

from .database import db

# The words statuses, roles, payment methods and product kinds are stored as, with their
# labels: services/platform/vocabulary.py.

# Service categories, from docs/domain.md; the key is stored, the label is shown.
CATEGORIES = {
    "neurotoxin": "Neurotoxin",
    "filler": "Dermal filler",
    "laser_resurfacing": "Laser resurfacing",
    "laser_hair": "Laser hair reduction",
    "ipl": "Photorejuvenation (IPL)",
    "acne_light": "Acne light therapy",
    "pigment_vascular": "Pigment / vascular",
    "body_contouring": "Body contouring",
    "mesotherapy": "Mesotherapy",
    "peel_microneedling": "Peel / microneedling / PRP",
    "retail": "Retail",
}
PRICING_UNITS = {
    "unit": "per unit",
    "syringe": "per syringe",
    "area": "per area",
    "session": "per session",
    "cycle": "per cycle",
    "ml": "per mL",
    "item": "per item",
    "flat": "flat",
}


class BaseModel(Model):
    class Meta:
        database = db
        legacy_table_names = False


class SchemaMeta(BaseModel):
    """Facts about the database itself: the schema version and which program wrote it."""

    key = CharField(primary_key=True, max_length=64)
    value = TextField()


class ClinicSetting(BaseModel):
    """Key/value settings a clinic can change (name, address, tax id, hours, policies)."""

    key = CharField(primary_key=True, max_length=64)
    value = TextField()
    version = IntegerField(default=1)  # per key: two PCs changing different settings both save


class User(BaseModel):
    username = CharField(max_length=40, unique=True)
    full_name = CharField(max_length=120)
    display_name = CharField(max_length=60)  # "Dr Lee", shown in conflicts and on paperwork
    credentials = CharField(max_length=40, default="")  # MD, NP, RN, LE ...
    role = CharField(max_length=20)
    password_hash = CharField(max_length=255)
    active = BooleanField(default=True)
    failed_logins = IntegerField(default=0)
    locked_until = DateTimeField(null=True)
    created_at = DateTimeField()
    version = IntegerField(default=1)  # an admin's edits (name, role, active), not sign-ins


class Room(BaseModel):
    name = CharField(max_length=60, unique=True)
    active = BooleanField(default=True)  # inactive: not bookable, not a schedule column
    position = IntegerField(default=0)  # the clinic's order (schedule columns, lists)
    version = IntegerField(default=1)


class Device(BaseModel):
    name = CharField(max_length=80, unique=True)
    kind = CharField(max_length=40)  # matches Service.device_kind: "co2", "alexandrite", "ipl"
    cleanup_minutes = IntegerField(default=0)  # clean-up / cool-down buffer after each use
    active = BooleanField(default=True)
    version = IntegerField(default=1)


class Product(BaseModel):
    """Something the clinic stocks: an injectable, a consumable or a retail item.

    Quantities are stored as integer hundredths of the unit (``*_centi``): exact on every
    engine, 0.01 U or 0.01 mL resolution; the services speak ``Decimal``.
    """

    name = CharField(max_length=120, unique=True)
    kind = CharField(max_length=20)  # toxin | filler | consumable | retail
    unit = CharField(max_length=12)  # U | mL | syringe | item
    low_stock_centi = IntegerField(default=0)  # warn at or below this
    active = BooleanField(default=True)
    sku = CharField(max_length=40, default="")  # retail items
    price_cents = IntegerField(default=0)  # per unit sold (retail)
    taxable = BooleanField(default=True)  # at the clinic's retail rate


class Service(BaseModel):
    name = CharField(max_length=120, unique=True)
    category = CharField(max_length=40, index=True)
    default_minutes = IntegerField()
    price_cents = IntegerField()
    pricing_unit = CharField(max_length=20)
    needs_provider = BooleanField(default=True)
    needs_room = BooleanField(default=True)
    device_kind = CharField(max_length=40, null=True)  # a device of this kind is needed
    active = BooleanField(default=True)  # retired: not bookable, its past rows stay readable
    tax_exempt = BooleanField(default=False)  # otherwise taxed at the clinic's services rate
    colour = CharField(max_length=7, default="")  # "#rrggbb" on the schedule; "": its category's
    # the consent needed before treatment: a consent category, "" its own category's (as
    # before schema 13), or "none"
    consent_category = CharField(max_length=40, default="")
    default_product = ForeignKeyField(Product, null=True, on_delete="RESTRICT", backref="+")
    # what a patient should do before it ("avoid blood thinners for 7 days"), in reminders
    preparation = TextField(default="")
    version = IntegerField(default=1)


class ServicePrice(BaseModel):
    """A service's price from a date on: bookings and checkouts on or after ``effective_on``
    use it, earlier ones the price before it (``Service.price_cents`` before any change).
    Append-only; a second change for the same date supersedes the first. Issued invoices
    keep the prices on their lines."""

    service = ForeignKeyField(Service, backref="prices", on_delete="RESTRICT")
    price_cents = IntegerField()
    effective_on = DateField()
    set_by = ForeignKeyField(User, on_delete="RESTRICT", backref="+")
    set_at = DateTimeField()

    class Meta:
        indexes = ((("service", "effective_on"), False),)


class Patient(BaseModel):
    chart_number = CharField(max_length=20, unique=True)
    first_name = CharField(max_length=80)
    last_name = CharField(max_length=80)
    preferred_name = CharField(max_length=80, default="")
    dob = DateField()
    sex = CharField(max_length=20, default="")
    phone = CharField(max_length=20, default="", index=True)  # digits only, normalised
    email = CharField(max_length=254, default="")
    address = TextField(default="")
    emergency_contact_name = CharField(max_length=120, default="")
    emergency_contact_phone = CharField(max_length=20, default="")
    # Accent- and case-folded "last first preferred", for search that ignores both.
    search_name = CharField(max_length=260, index=True)
    archived = BooleanField(default=False)
    # A duplicate merged into another chart: archived, and its rows are shown on that chart
    # (services/charts/merge.py). Never a chain: a merge re-points earlier ones.
    merged_into = ForeignKeyField("self", null=True, on_delete="RESTRICT", backref="+")
    # The chart's id in the system it was imported from (a CSV's id column, a FHIR Patient's
    # medical record number): how a later import of that system's history finds it.
    external_id = CharField(max_length=120, default="", index=True)
    version = IntegerField(default=1)
    created_at = DateTimeField()
    updated_at = DateTimeField()


class PatientNamePart(BaseModel):
    """The name-search index, derived from ``Patient.search_name`` (not clinical data): every
    suffix of every word of it (``services.platform.text.name_parts``), one row per patient
    and part. A typed word is part of a name exactly when some part of that name begins with
    it, which an index answers with a range instead of a ``LIKE '%word%'`` scan of every
    patient. Rewritten whenever the name changes."""

    part = CharField(max_length=80)
    patient = ForeignKeyField(Patient, on_delete="RESTRICT", backref="+")

    class Meta:
        primary_key = CompositeKey("part", "patient")


class ProviderSkill(BaseModel):
    """A service category a provider treats. A provider with no rows treats every category."""

    provider = ForeignKeyField(User, backref="skills", on_delete="RESTRICT")
    category = CharField(max_length=40)

    class Meta:
        indexes = ((("provider", "category"), True),)


class WorkingHours(BaseModel):
    """A provider's weekly hours. A provider with no rows works whenever the clinic is open;
    with rows, only on those weekdays and times."""

    provider = ForeignKeyField(User, backref="working_hours", on_delete="RESTRICT")
    weekday = IntegerField()  # 0 Monday … 6 Sunday
    start = TimeField()
    end = TimeField()


class TimeBlock(BaseModel):
    """Time a provider is off, or a room or device is out of use (maintenance, meetings)."""

    provider = ForeignKeyField(User, null=True, on_delete="RESTRICT")
    room = ForeignKeyField(Room, null=True, on_delete="RESTRICT")
    device = ForeignKeyField(Device, null=True, on_delete="RESTRICT")
    start = DateTimeField(index=True)
    end = DateTimeField()
    reason = CharField(max_length=200)
    active = BooleanField(default=True)  # lifted blocks stay on record
    created_by = ForeignKeyField(User, on_delete="RESTRICT", backref="+")
    created_at = DateTimeField()


class Series(BaseModel):
    """A course of treatments booked together (laser hair every 6 weeks, mesotherapy weekly)."""

    patient = ForeignKeyField(Patient, on_delete="RESTRICT")
    service = ForeignKeyField(Service, on_delete="RESTRICT")
    sessions = IntegerField()
    interval_days = IntegerField()
    created_by = ForeignKeyField(User, on_delete="RESTRICT")
    created_at = DateTimeField()


class Appointment(BaseModel):
    patient = ForeignKeyField(Patient, backref="appointments", on_delete="RESTRICT")
    service = ForeignKeyField(Service, on_delete="RESTRICT")
    provider = ForeignKeyField(User, null=True, on_delete="RESTRICT")
    room = ForeignKeyField(Room, null=True, on_delete="RESTRICT")
    device = ForeignKeyField(Device, null=True, on_delete="RESTRICT")
    start = DateTimeField(index=True)
    end = DateTimeField()
    status = CharField(max_length=20, default="booked")
    notes = TextField(default="")
    series = ForeignKeyField(Series, null=True, backref="appointments", on_delete="RESTRICT")
    cancel_reason = TextField(default="")
    late_cancel = BooleanField(default=False)  # cancelled inside the clinic's policy window
    version = IntegerField(default=1)
    created_at = DateTimeField()
    updated_at = DateTimeField()

    class Meta:
        # a patient's first visit and visit count for the reports, read from the index
        # alone: MIN(start) is one seek however long the patient's history
        indexes = ((("patient", "start", "status"), False),)


class AppointmentChange(BaseModel):
    """The appointment's history, shown with it: booked, moved (old and new slot), each status
    change, cancelled (with the reason). Written beside the audit event, never changed."""

    appointment = ForeignKeyField(Appointment, backref="changes", on_delete="RESTRICT")
    at = DateTimeField()
    user = ForeignKeyField(User, on_delete="RESTRICT")
    kind = CharField(max_length=20)  # booked | moved | status | cancelled
    from_status = CharField(max_length=20, default="")
    to_status = CharField(max_length=20, default="")
    old_start = DateTimeField(null=True)
    old_end = DateTimeField(null=True)
    new_start = DateTimeField(null=True)
    new_end = DateTimeField(null=True)
    note = TextField(default="")


class WaitlistEntry(BaseModel):
    """A patient waiting for an earlier or a specific slot."""

    patient = ForeignKeyField(Patient, on_delete="RESTRICT")
    service = ForeignKeyField(Service, on_delete="RESTRICT")
    provider = ForeignKeyField(User, null=True, on_delete="RESTRICT")  # None: anyone
    earliest = DateField()
    latest = DateField()
    day_part = CharField(max_length=20, default="any")  # any | morning | afternoon | evening
    notes = TextField(default="")
    status = CharField(max_length=20, default="waiting")  # waiting | booked | removed
    appointment = ForeignKeyField(Appointment, null=True, on_delete="RESTRICT")
    version = IntegerField(default=1)
    created_by = ForeignKeyField(User, on_delete="RESTRICT", backref="+")
    created_at = DateTimeField()


class ContactConsent(BaseModel):
    """Append-only: what a patient said about being contacted — appointment reminders or
    marketing (recalls, offers) — on which day, recorded by whom. The latest row of a kind is
    the answer now; without one, reminders are yes and marketing is no."""

    patient = ForeignKeyField(Patient, backref="+", on_delete="RESTRICT")
    kind = CharField(max_length=20)  # reminders | marketing
    agreed = BooleanField()
    given_on = DateField()  # the day the patient said so
    recorded_by = ForeignKeyField(User, on_delete="RESTRICT", backref="+")
    recorded_at = DateTimeField()

    class Meta:
        indexes = ((("patient", "kind"), False),)


class MedicalAnswer(BaseModel):
    """One dated answer to one intake question. Answers are never edited: a new answer is a
    new row, so the history of every question is kept; the latest row is the current one."""

    patient = ForeignKeyField(Patient, backref="answers", on_delete="RESTRICT")
    question = CharField(max_length=40, index=True)
    value = TextField(default="")  # JSON: bool, text, date (ISO) or number
    answered_on = DateField()  # when the patient gave the answer
    recorded_by = ForeignKeyField(User, on_delete="RESTRICT")
    recorded_at = DateTimeField()


class ContraindicationAck(BaseModel):
    """A provider went ahead despite a blocking contraindication, and said why."""

    appointment = ForeignKeyField(Appointment, on_delete="RESTRICT")
    findings = TextField()
    reason = TextField()
    user = ForeignKeyField(User, on_delete="RESTRICT")
    at = DateTimeField()


class Note(BaseModel):
    """A SOAP note: a draft until signed; once signed the database refuses any change."""

    patient = ForeignKeyField(Patient, backref="notes", on_delete="RESTRICT")
    appointment = ForeignKeyField(Appointment, null=True, on_delete="RESTRICT")
    category = CharField(max_length=40, default="")
    subjective = TextField(default="")
    objective = TextField(default="")
    assessment = TextField(default="")
    plan = TextField(default="")
    status = CharField(max_length=20, default="draft")  # draft | signed
    author = ForeignKeyField(User, on_delete="RESTRICT", backref="+")
    created_at = DateTimeField()
    updated_at = DateTimeField()
    signed_by = ForeignKeyField(User, null=True, on_delete="RESTRICT", backref="+")
    signed_at = DateTimeField(null=True)
    fingerprint = CharField(max_length=64, default="")  # SHA-256 of the signed content
    version = IntegerField(default=1)


class NoteAddendum(BaseModel):
    """A correction or addition to a signed note: who, when, why. Append-only."""

    note = ForeignKeyField(Note, backref="addenda", on_delete="RESTRICT")
    author = ForeignKeyField(User, on_delete="RESTRICT")
    at = DateTimeField()
    reason = TextField()
    text = TextField()


class NoteCosign(BaseModel):
    """A medical director's co-signature of a signed note. Append-only."""

    note = ForeignKeyField(Note, backref="cosigns", on_delete="RESTRICT")
    user = ForeignKeyField(User, on_delete="RESTRICT")
    at = DateTimeField()


class Photo(BaseModel):
    """A clinical photo. The image is a file named by its SHA-256 under the photo folder;
    the row says whose it is, what it shows and who imported it. Never deleted, and the
    database refuses changing anything but ``archived``."""

    patient = ForeignKeyField(Patient, backref="photos", on_delete="RESTRICT")
    appointment = ForeignKeyField(Appointment, null=True, on_delete="RESTRICT")
    tag = CharField(max_length=20)  # before | after | other
    area = CharField(max_length=80)
    taken_on = DateField()
    sha256 = CharField(max_length=64, index=True)
    extension = CharField(max_length=8)  # jpg | png
    consent_note = TextField(default="")  # why it was taken without a consent on file
    imported_by = ForeignKeyField(User, on_delete="RESTRICT")
    imported_at = DateTimeField()
    archived = BooleanField(default=False)


class Lot(BaseModel):
    product = ForeignKeyField(Product, backref="lots", on_delete="RESTRICT")
    lot_number = CharField(max_length=40)
    expiry = DateField()
    received_centi = IntegerField()
    remaining_centi = IntegerField()  # kept equal to the sum of its movements
    cost_cents = IntegerField(default=0)  # per unit
    received_on = DateField()

    class Meta:
        # a recall looks a lot up by its number alone
        indexes = ((("product", "lot_number"), True), (("lot_number",), False))


class StockMovement(BaseModel):
    """Every change to a lot's stock: received, used on a patient, adjusted. Append-only."""

    lot = ForeignKeyField(Lot, backref="movements", on_delete="RESTRICT")
    change_centi = IntegerField()
    kind = CharField(max_length=20)  # receive | use | adjust
    reason = TextField(default="")
    appointment = ForeignKeyField(Appointment, null=True, on_delete="RESTRICT")
    patient = ForeignKeyField(Patient, null=True, on_delete="RESTRICT")
    user = ForeignKeyField(User, on_delete="RESTRICT")
    at = DateTimeField()


class TreatmentRecord(BaseModel):
    """What was done at a visit, for its modality: structured, validated parameters (JSON),
    the aftercare given, and who charted it. One per appointment. Once saved the database
    refuses any change (corrections are amendments) and any delete."""

    appointment = ForeignKeyField(Appointment, unique=True, on_delete="RESTRICT")
    patient = ForeignKeyField(Patient, backref="treatments", on_delete="RESTRICT")
    provider = ForeignKeyField(User, on_delete="RESTRICT", backref="+")
    modality = CharField(max_length=40, index=True)
    parameters = TextField()  # JSON, per services/treatments/treatment_records.MODALITIES
    aftercare = TextField(default="")
    charted_by = ForeignKeyField(User, on_delete="RESTRICT", backref="+")
    charted_at = DateTimeField()


class ChangeSignal(BaseModel):
    """What a commit changed, for the other windows on this clinic's data (another PC on the
    server, a command line beside the window): written in the committing transaction by
    ``changes.note``, read by ``services/platform/remote.py`` from the last id it saw, purged
    after a few days. Not clinical: only kinds and ids, never what changed."""

    at = DateTimeField(index=True)
    origin = CharField(max_length=32)  # the process that committed (it heard itself already)
    kind = CharField(max_length=40)
    ids = TextField(default="")  # comma-separated; empty: "some of that kind"


class Presence(BaseModel):
    """Who is signed in where: one row per open main window, kept fresh by a heartbeat and
    deleted on sign-out or close (``services/platform/presence.py``). Not clinical and not
    audited (signing in and out are): only which PC, who, since when, and what they edit."""

    workstation = CharField(max_length=60)  # the PC's name, set on each PC (default its host)
    user = ForeignKeyField(User, on_delete="CASCADE", backref="+")
    signed_in_at = DateTimeField()
    seen_at = DateTimeField(index=True)  # the last heartbeat
    editing = CharField(max_length=120, default="")  # e.g. "writing a note"
    editing_patient = IntegerField(null=True, index=True)  # the chart it is on


class ImportedVisit(BaseModel):
    """A visit or treatment from the system the clinic moved in from, as that system wrote it
    (free text: its service and provider names need not exist here). Shown on the chart's
    timeline beside the visits booked here; never on the schedule, never billed. Append-only:
    a wrong row is corrected in the old file and imported again."""

    patient = ForeignKeyField(Patient, backref="+", on_delete="RESTRICT")
    at = DateTimeField(index=True)
    service = CharField(max_length=120, default="")
    provider = CharField(max_length=120, default="")
    status = CharField(max_length=40, default="")
    details = TextField(default="")  # product, units, areas, lot… as the old system had them
    source = CharField(max_length=200)  # the file's name
    source_sha256 = CharField(max_length=64)
    imported_by = ForeignKeyField(User, null=True, on_delete="RESTRICT", backref="+")
    imported_at = DateTimeField()


class TreatmentAmendment(BaseModel):
    """A correction or addition to a charted treatment record, which itself never changes:
    who, when, why and what. Shown under the original and printed with it. Append-only."""

    record = ForeignKeyField(TreatmentRecord, backref="amendments", on_delete="RESTRICT")
    author = ForeignKeyField(User, on_delete="RESTRICT", backref="+")
    at = DateTimeField()
    reason = TextField()
    text = TextField()


class ConsentTemplate(BaseModel):
    """One version of a consent form's text for a category (or "photography"). Editing saves
    a new version; no version is ever changed, so a signed consent names the exact text."""

    category = CharField(max_length=40)
    version = IntegerField()
    title = CharField(max_length=200)
    body = TextField()  # sections, in the plain-text format of resources/consents
    created_by = ForeignKeyField(User, null=True, on_delete="RESTRICT")  # None: shipped text
    created_at = DateTimeField()

    class Meta:
        indexes = ((("category", "version"), True),)


class StoredFile(BaseModel):
    """A document kept in the database itself (so every PC and every backup has it): a
    signed consent's PDF or a paper consent's scan, named by its SHA-256. Never changed."""

    sha256 = CharField(max_length=64, unique=True)
    media_type = CharField(max_length=40)  # application/pdf | image/jpeg | image/png
    size = IntegerField()
    content = BlobField()
    stored_at = DateTimeField()


class Consent(BaseModel):
    """A consent given: signed on screen (the PDF made then is kept) or on paper (received
    and its scan kept). Never changed or removed."""

    patient = ForeignKeyField(Patient, backref="consents", on_delete="RESTRICT")
    template = ForeignKeyField(ConsentTemplate, on_delete="RESTRICT")
    category = CharField(max_length=40)
    appointment = ForeignKeyField(Appointment, null=True, on_delete="RESTRICT")
    method = CharField(max_length=10)  # screen | paper
    signed_at = DateTimeField()
    signer_name = CharField(max_length=200)  # the patient, or the guardian for a minor
    guardian_relation = CharField(max_length=60, default="")  # "" when the patient signed
    witness = ForeignKeyField(User, on_delete="RESTRICT", backref="+")
    content_sha256 = CharField(max_length=64)  # the fingerprint printed on the form
    document = ForeignKeyField(StoredFile, on_delete="RESTRICT")
    recorded_by = ForeignKeyField(User, on_delete="RESTRICT", backref="+")
    recorded_at = DateTimeField()

    class Meta:
        indexes = ((("patient", "category", "signed_at"), False),)


class ConsentOverride(BaseModel):
    """A treatment started without a valid signed consent: who allowed it and why."""

    appointment = ForeignKeyField(Appointment, on_delete="RESTRICT")
    category = CharField(max_length=40)
    reason = TextField()
    user = ForeignKeyField(User, on_delete="RESTRICT")
    at = DateTimeField()


class Counter(BaseModel):
    """A number handed out once, in the same transaction as what it numbers (invoices), so a
    rolled-back checkout leaves no gap and no number is ever used twice."""

    name = CharField(primary_key=True, max_length=40)
    value = IntegerField()


class Invoice(BaseModel):
    """An invoice: numbered once, its lines and amounts fixed when it is issued. It is paid,
    or voided with a reason; never deleted."""

    number = IntegerField(unique=True)
    patient = ForeignKeyField(Patient, backref="invoices", on_delete="RESTRICT")
    appointment = ForeignKeyField(Appointment, null=True, on_delete="RESTRICT")
    provider = ForeignKeyField(User, null=True, on_delete="RESTRICT", backref="+")
    issued_at = DateTimeField(index=True)
    subtotal_cents = IntegerField()  # the lines before discounts
    discount_cents = IntegerField()  # line and invoice discounts together
    discount_reason = TextField(default="")  # of the invoice discount
    tax_cents = IntegerField()
    tip_cents = IntegerField()
    total_cents = IntegerField()
    status = CharField(max_length=10, index=True)  # open | paid | void (few are open)
    void_reason = TextField(default="")
    voided_by = ForeignKeyField(User, null=True, on_delete="RESTRICT", backref="+")
    voided_at = DateTimeField(null=True, index=True)  # reports find a period's voids
    created_by = ForeignKeyField(User, on_delete="RESTRICT", backref="+")


class Package(BaseModel):
    """Prepaid credits for one service — 6 laser hair sessions, 100 units of toxin — sold on
    an invoice (its line has kind "package"). Append-only: what is left is worked out from
    its movements, and it can be drawn on once the invoice that sold it is paid."""

    patient = ForeignKeyField(Patient, backref="packages", on_delete="RESTRICT")
    service = ForeignKeyField(Service, on_delete="RESTRICT")
    quantity_centi = IntegerField()  # credits bought, in the service's pricing unit (100 = 1)
    price_cents = IntegerField()  # what its line came to after discounts, before tax
    invoice = ForeignKeyField(Invoice, on_delete="RESTRICT", backref="+")  # sold on
    expires_on = DateField(null=True)  # the last day it can be drawn on; none: never
    created_at = DateTimeField()


class GiftCard(BaseModel):
    """A gift card sold on an invoice (its line has kind "gift_card"); spent by payments of
    method "gift_card", and a refund of one puts the money back on it. Append-only; it can be
    spent once the invoice that sold it is paid."""

    code = CharField(max_length=20, unique=True)  # "K7QM-4TXP-9RWD"
    amount_cents = IntegerField()
    invoice = ForeignKeyField(Invoice, on_delete="RESTRICT", backref="+")  # sold on
    recipient = CharField(max_length=120, default="")
    created_at = DateTimeField()


class InvoiceLine(BaseModel):
    """One line of an invoice, as issued (append-only)."""

    invoice = ForeignKeyField(Invoice, backref="lines", on_delete="RESTRICT")
    position = IntegerField()
    kind = CharField(max_length=20)  # service | product | package | gift_card
    description = CharField(max_length=200)
    service = ForeignKeyField(Service, null=True, on_delete="RESTRICT")
    product = ForeignKeyField(Product, null=True, on_delete="RESTRICT")
    quantity_centi = IntegerField()
    unit_price_cents = IntegerField()
    gross_cents = IntegerField()
    discount_cents = IntegerField()  # its own discount and its share of the invoice's
    discount_reason = TextField(default="")
    tax_category = CharField(max_length=10)  # services | retail | exempt | prepaid
    tax_rate_bp = IntegerField()  # basis points: 725 = 7.25 %
    tax_cents = IntegerField()
    # the package sold (kind "package"), or drawn on (kind "service", priced at nothing: the
    # package was paid for, and taxed, when it was sold)
    package = ForeignKeyField(Package, null=True, on_delete="RESTRICT", backref="lines")
    gift_card = ForeignKeyField(GiftCard, null=True, on_delete="RESTRICT", backref="+")  # sold


class Payment(BaseModel):
    """Money in (a payment) or out (a refund of one payment), append-only."""

    invoice = ForeignKeyField(Invoice, backref="payments", on_delete="RESTRICT")
    kind = CharField(max_length=10)  # payment | refund
    method = CharField(max_length=20)  # cash | card | check | gift_card
    amount_cents = IntegerField()  # positive, for either kind
    tendered_cents = IntegerField(default=0)  # cash handed over
    change_cents = IntegerField(default=0)
    card_last4 = CharField(max_length=4, default="")
    auth_code = CharField(max_length=20, default="")
    check_number = CharField(max_length=20, default="")
    refund_of = ForeignKeyField("self", null=True, on_delete="RESTRICT", backref="refunds")
    reason = TextField(default="")
    user = ForeignKeyField(User, on_delete="RESTRICT")
    at = DateTimeField(index=True)
    gift_card = ForeignKeyField(GiftCard, null=True, on_delete="RESTRICT", backref="payments")
    # money taken above what was due that the patient kept as credit on account (not in
    # ``amount_cents``, which is what went towards the invoice)
    credit_cents = IntegerField(default=0)


class PackageUse(BaseModel):
    """Credits leaving a package (drawn at a visit, or cancelled before its purchase is
    refunded) or coming back to it (the visit's invoice was voided). Append-only."""

    package = ForeignKeyField(Package, backref="movements", on_delete="RESTRICT")
    kind = CharField(max_length=10)  # use | return | cancel
    quantity_centi = IntegerField()  # positive
    invoice = ForeignKeyField(Invoice, null=True, on_delete="RESTRICT", backref="+")
    reason = TextField(default="")
    user = ForeignKeyField(User, on_delete="RESTRICT", backref="+")
    at = DateTimeField()


class GiftCardClose(BaseModel):
    """A gift card's unused balance taken off it (before its purchase is refunded), once."""

    gift_card = ForeignKeyField(GiftCard, unique=True, on_delete="RESTRICT", backref="+")
    amount_cents = IntegerField()
    reason = TextField()
    user = ForeignKeyField(User, on_delete="RESTRICT", backref="+")
    at = DateTimeField()


class AccountCredit(BaseModel):
    """A movement of a patient's credit on account (money the clinic holds for them: a
    liability, not a sale). Append-only; the balance is the sum of ``amount_cents``: positive
    when credit is given (an overpayment kept, a refund to credit, a goodwill credit, a credit
    payment refunded back), negative when it pays an invoice."""

    patient = ForeignKeyField(Patient, backref="+", on_delete="RESTRICT", index=True)
    kind = CharField(max_length=12)  # overpayment | refund | goodwill | used | returned
    amount_cents = IntegerField()  # signed
    payment = ForeignKeyField(Payment, null=True, on_delete="RESTRICT", backref="+")
    reason = TextField(default="")
    user = ForeignKeyField(User, on_delete="RESTRICT", backref="+")
    at = DateTimeField(index=True)


class MembershipPlan(BaseModel):
    """One version of a membership plan (services/billing/memberships.py). A change saves a
    new version under the same ``code``; no version is ever changed, and a member keeps the
    version they enrolled on. Retiring a plan is a version with ``retired`` set."""

    code = IntegerField()  # the plan, across its versions
    version = IntegerField()
    name = CharField(max_length=80)
    fee_cents = IntegerField()  # a month's dues
    billing_day = IntegerField(default=0)  # 0: the day of the month the member enrolled (max 28)
    min_term_months = IntegerField(default=0)
    notice_days = IntegerField(default=0)
    retail_discount_bp = IntegerField(default=0)  # member price on retail: 1000 = 10 % off
    benefits = TextField(default="{}")  # JSON: category discounts, member prices, credits
    retired = BooleanField(default=False)
    created_by = ForeignKeyField(User, on_delete="RESTRICT", backref="+")
    created_at = DateTimeField()

    class Meta:
        indexes = ((("code", "version"), True),)


class Membership(BaseModel):
    """A patient enrolled on a plan version, with the agreement they signed (its PDF kept,
    with its hash). Never changed: freezes, cancellations and reactivations are
    ``MembershipEvent`` rows, and its state is worked out from them."""

    patient = ForeignKeyField(Patient, backref="+", on_delete="RESTRICT")
    plan = ForeignKeyField(MembershipPlan, on_delete="RESTRICT", backref="+")
    started_on = DateField()
    billing_day = IntegerField()  # 1..28, fixed at enrolment
    signer_name = CharField(max_length=200)
    content_sha256 = CharField(max_length=64)  # the fingerprint printed on the agreement
    document = ForeignKeyField(StoredFile, on_delete="RESTRICT", backref="+")
    enrolled_by = ForeignKeyField(User, on_delete="RESTRICT", backref="+")
    enrolled_at = DateTimeField()


class MembershipEvent(BaseModel):
    """A freeze (months with no dues and no credits), a cancellation (effective once the
    notice and the minimum term are honoured) or a reactivation. Append-only."""

    membership = ForeignKeyField(Membership, backref="+", on_delete="RESTRICT")
    kind = CharField(max_length=12)  # freeze | cancel | reactivate
    from_on = DateField()  # freeze: its first month; cancel: the day it takes effect
    until_on = DateField(null=True)  # freeze: its last month
    reason = TextField(default="")
    user = ForeignKeyField(User, on_delete="RESTRICT", backref="+")
    at = DateTimeField()


class MembershipDues(BaseModel):
    """One month's dues of one membership, on its invoice. The unique key makes the monthly
    job issue them exactly once, even on several PCs at the same minute. Append-only."""

    membership = ForeignKeyField(Membership, backref="+", on_delete="RESTRICT")
    month = DateField()  # the first day of the month they are for
    invoice = ForeignKeyField(Invoice, on_delete="RESTRICT", backref="+")
    at = DateTimeField()

    class Meta:
        indexes = ((("membership", "month"), True),)


class MembershipCredit(BaseModel):
    """Banked credits of a membership moving: granted with a month's dues (up to the plan's
    rollover cap), drawn at a visit, returned when that invoice is voided. Append-only; the
    balance is worked out from the rows."""

    membership = ForeignKeyField(Membership, backref="+", on_delete="RESTRICT")
    service = ForeignKeyField(Service, on_delete="RESTRICT", backref="+")
    kind = CharField(max_length=10)  # grant | use | return
    quantity_centi = IntegerField()  # positive
    month = DateField(null=True)  # grant: the month it came with
    invoice = ForeignKeyField(Invoice, null=True, on_delete="RESTRICT", backref="+")
    at = DateTimeField()


class OutboxMessage(BaseModel):
    """One message to a patient (or a test to the clinic): queued, then sent by the timed work
    (services/messaging). Never deleted, its text never changed: a message no longer wanted is
    ``withdrawn``; a moved appointment's reminders are withdrawn and queued anew.
    ``message_id`` is written (and committed) before the server is spoken to, so a send cut
    short can be reconciled instead of sent twice."""

    to_address = CharField(max_length=254)  # an email address or a phone number (digits)
    channel = CharField(max_length=10)  # email | sms
    kind = CharField(max_length=20)  # reminder | confirmation | recall | waitlist_offer | test
    patient = ForeignKeyField(Patient, null=True, on_delete="RESTRICT", backref="+")
    appointment = ForeignKeyField(Appointment, null=True, on_delete="RESTRICT", backref="+")
    subject = CharField(max_length=200, default="")
    body = TextField()
    ics = TextField(null=True)  # the .ics invitation attached to an email
    due_at = DateTimeField(index=True)
    state = CharField(max_length=12, default="queued", index=True)
    attempts = IntegerField(default=0)
    next_try_at = DateTimeField(null=True)  # after a failed try the server may answer later
    last_error = TextField(default="")  # the server's answer, as it gave it
    message_id = CharField(max_length=200, default="")
    sent_at = DateTimeField(null=True)
    created_by = ForeignKeyField(User, null=True, on_delete="RESTRICT", backref="+")
    created_at = DateTimeField()
    version = IntegerField(default=1)


class CommissionRate(BaseModel):
    """The staff commission rule from a date on (``services/reports/staff_pay.py``): the
    percentage of net sales per category, in basis points, as JSON ``{category: bp}`` holding
    every category the rule had. A sale is paid by the version in force on the day it was
    issued: the latest ``effective_on`` on or before that day, and of two for the same day the
    later row (it supersedes). Append-only: a change is a new version, never an edit."""

    effective_on = DateField(index=True)
    rates = TextField()
    set_by = ForeignKeyField(User, null=True, on_delete="RESTRICT", backref="+")  # None: carried
    set_at = DateTimeField()  # over from the clinic settings (schema 25)


class AuditEvent(BaseModel):
    """Append-only: who did what to which record, hash-chained row to row."""

    at = DateTimeField()
    user = ForeignKeyField(User, null=True, on_delete="RESTRICT")
    username = CharField(max_length=40)  # kept as written, even if the user is renamed
    action = CharField(max_length=60)
    record_type = CharField(max_length=40, default="")
    record_id = CharField(max_length=40, default="")
    summary = TextField(default="")
    prev_hash = CharField(max_length=64)
    hash = CharField(max_length=64)

    class Meta:
        # a record's history (audit review, check), and the log by time
        indexes = ((("record_type", "record_id"), False), (("at",), False))


ALL_MODELS = [
    SchemaMeta, ClinicSetting, User, Room, Device, Product, Service, ServicePrice, Patient,
    PatientNamePart, ProviderSkill, WorkingHours, TimeBlock, Series, Appointment,
    AppointmentChange, WaitlistEntry, ContactConsent, MedicalAnswer, ContraindicationAck, Note, NoteAddendum,
    NoteCosign, Photo, Lot, StockMovement, TreatmentRecord, TreatmentAmendment, ImportedVisit, ChangeSignal,
    Presence,
    ConsentTemplate,
    StoredFile, Consent, ConsentOverride, Counter, Invoice, Package, GiftCard, InvoiceLine,
    Payment, PackageUse, GiftCardClose, AccountCredit, MembershipPlan, Membership,
    MembershipEvent, MembershipDues, MembershipCredit, CommissionRate, OutboxMessage, AuditEvent,
]
