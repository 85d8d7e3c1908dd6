"""The clinic the benchmark measures: ten years of a busy clinic, written with bulk inserts.

Scale 1 is ten years of a clinic open six days a week with about 60 appointments a day
(≈190k appointments), 40k patients, a treatment record for every visit that happened (toxin
and filler visits with their injection points and the lot drawn from), an invoice paid for
every visit checked out, signed notes, medical histories, paper consents, photo records with a
few real files, the appointments' history and an audit log of about two million hash-chained
events. Scale S multiplies the years and the patients, not the day: a clinic's day holds the
same appointments at any scale, so an action's cost at S=10 against S=1 shows how it grows
with the history alone.

The staff, rooms, devices, catalog, stock and consent texts come from the demo clinic (built
through the services, so they obey every rule); the history is written straight to SQLite.
Every row follows the schema's rules (foreign keys, stock ledgers that add up, note
fingerprints and an unbroken audit chain), so ``medspa-desktop check`` passes on it.

A built clinic is cached by scale, generator version and schema version, so it is built once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import random
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from medspa_desktop import demo
from medspa_desktop.services.charts.notes import fingerprint as note_fingerprint
from medspa_desktop.services.clinic import catalog
from medspa_desktop.services.platform import (
    audit,
    auth,
)
from medspa_desktop.services.platform.png import grey_png
from medspa_desktop.services.platform.text import fold, name_parts
from medspa_desktop.services.scheduling import hours
from medspa_desktop.services.treatments import (
    face_chart,
    treatment_records,
)
from medspa_desktop.store.database import close_database, open_database
from medspa_desktop.store.migrations import SCHEMA_VERSION, migrate
from medspa_desktop.store.models import (
    ALL_MODELS,
    Appointment,
    AppointmentChange,
    AuditEvent,
    Consent,
    ConsentTemplate,
    Counter,
    Invoice,
    InvoiceLine,
    Lot,
    MedicalAnswer,
    Note,
    Patient,
    PatientNamePart,
    Payment,
    Photo,
    Product,
    SchemaMeta,
    Service,
    StockMovement,
    StoredFile,
    TreatmentRecord,
    User,
)

GENERATOR_VERSION = 3
SEED = 20261123
YEARS = 10  # of history at scale 1
PATIENTS = 40_000  # at scale 1
FUTURE_DAYS = 28  # booked ahead of the anchor day
ANCHOR_KEY = "bench.anchor"  # schema_meta: the synthetic clinic's "today"
DONE_KEY = "bench.complete"

Progress = Callable[[str], None]
# The demo's four clinicians and these four fill a day with about 60 visits.
MORE_PROVIDERS = (
    ("injector2", "Dana Brooks", ("neurotoxin", "neurotoxin", "filler")),
    ("injector3", "Noor Haddad", ("neurotoxin", "filler", "mesotherapy")),
    ("laser3", "Kai Moreno", ("laser_hair", "ipl", "laser_resurfacing")),
    ("laser4", "Ruth Adeyemi", ("laser_hair", "pigment_vascular", "peel_microneedling")),
)
GAPS = (0, 0, 0, 15, 15, 30)  # minutes between one provider's visits


@dataclass(frozen=True)
class Plan:
    scale: float
    anchor: dt.date

    @property
    def patients(self) -> int:
        return max(200, round(PATIENTS * self.scale))

    @property
    def first_day(self) -> dt.date:
        return self.anchor - dt.timedelta(days=max(14, round(365.25 * YEARS * self.scale)))

    @property
    def last_day(self) -> dt.date:
        return self.anchor + dt.timedelta(days=FUTURE_DAYS)


def cache_path(folder: Path, scale: float) -> Path:
    """The built clinic's file, named for what it was built with: the scale, this generator
    and the tables and indexes of the schema (so a new index gives a new clinic)."""
    schema = repr([(m._meta.table_name,
                    sorted((f.column_name, f.index, f.unique) for f in m._meta.sorted_fields),
                    m._meta.indexes) for m in ALL_MODELS])
    tag = hashlib.sha256(schema.encode()).hexdigest()[:8]
    return folder / f"clinic-s{scale:g}-g{GENERATOR_VERSION}-v{SCHEMA_VERSION}-{tag}.db"


def cached_clinic(folder: Path, scale: float, say: Progress = print) -> tuple[Path, dt.date]:
    """The clinic at ``scale`` in ``folder``, built first when missing; (file, its anchor day)."""
    path = cache_path(folder, scale)
    if path.is_file():
        anchor = _finished(path)
        if anchor is not None:
            return path, anchor
    folder.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".partial-{path.name}")
    for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        leftover.unlink(missing_ok=True)
    anchor = dt.date.today()
    started = time.perf_counter()
    build(partial, Plan(scale, anchor), say)
    os.replace(partial, path)
    say(f"built {path.name} ({path.stat().st_size / 1e6:,.0f} MB) in "
        f"{time.perf_counter() - started:,.0f} s")
    return path, anchor


def _finished(path: Path) -> dt.date | None:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = dict(con.execute("SELECT key, value FROM schema_meta WHERE key IN (?, ?)",
                                (ANCHOR_KEY, DONE_KEY)).fetchall())
    except sqlite3.Error:
        return None
    finally:
        con.close()
    return dt.date.fromisoformat(rows[ANCHOR_KEY]) if DONE_KEY in rows else None


def build(path: Path, plan: Plan, say: Progress = print) -> None:
    """Write the synthetic clinic to the new file ``path``."""
    say(f"building the clinic at scale {plan.scale:g}: {plan.patients:,} patients, "
        f"{plan.first_day} to {plan.last_day}")
    open_database(path)
    try:
        migrate()
        # The demo's clinic, staff, catalog, stock and consent texts, without its bookings
        # (an empty range of days); more providers and rooms make a day of about 60 visits.
        demo.build_demo(seed=1, today=plan.anchor, patient_count=30, days_back=0,
                        days_ahead=-1)
        admin = User.get(User.username == "admin")
        for username, name, categories in MORE_PROVIDERS:
            user = auth.create_user(admin, auth.UserInput(
                username, name, "provider", demo.DEMO_PASSWORD, f"{name}, LE", "LE"))
            hours.set_skills(admin, user.id, list(dict.fromkeys(categories)))
        for number in range(5, 5 + len(MORE_PROVIDERS)):
            catalog.add_room(admin, f"Room {number}")
        _History(plan, path, say).write()
        SchemaMeta.insert(key=ANCHOR_KEY, value=plan.anchor.isoformat()).execute()
        SchemaMeta.insert(key=DONE_KEY, value=dt.datetime.now().isoformat()).execute()
    finally:
        close_database()


def _columns(model, *names: str) -> str:
    """INSERT of ``names``; the model's other columns get their defaults (peewee's defaults
    are applied by Python, not by the database)."""
    fields = model._meta.fields
    columns = [fields[n].column_name for n in names]
    values = ["?"] * len(names)
    for name, f in fields.items():
        if name in names or name == "id" or f.null or f.default is None:
            continue
        columns.append(f.column_name)
        values.append(repr(int(f.default)) if isinstance(f.default, bool | int)
                      else "'" + str(f.default).replace("'", "''") + "'")
    return (f"INSERT INTO {model._meta.table_name} ({', '.join(columns)}) "
            f"VALUES ({', '.join(values)})")


def _t(moment: dt.datetime) -> str:
    return moment.isoformat(" ")


SQL = {
    "patient": _columns(Patient, "id", "chart_number", "first_name", "last_name",
                        "preferred_name", "dob", "sex", "phone", "email", "address",
                        "emergency_contact_name", "emergency_contact_phone", "search_name",
                        "archived", "version", "created_at", "updated_at"),
    "part": _columns(PatientNamePart, "part", "patient"),
    "answer": _columns(MedicalAnswer, "patient", "question", "value", "answered_on",
                       "recorded_by", "recorded_at"),
    "appointment": _columns(Appointment, "id", "patient", "service", "provider", "room",
                            "device", "start", "end", "status", "notes", "cancel_reason",
                            "late_cancel", "version", "created_at", "updated_at"),
    "change": _columns(AppointmentChange, "appointment", "at", "user", "kind", "from_status",
                       "to_status", "new_start", "new_end", "note"),
    "treatment": _columns(TreatmentRecord, "appointment", "patient", "provider", "modality",
                          "parameters", "aftercare", "charted_by", "charted_at"),
    "movement": _columns(StockMovement, "lot", "change_centi", "kind", "reason", "appointment",
                         "patient", "user", "at"),
    "lot": _columns(Lot, "id", "product", "lot_number", "expiry", "received_centi",
                    "remaining_centi", "cost_cents", "received_on"),
    "invoice": _columns(Invoice, "id", "number", "patient", "appointment", "provider",
                        "issued_at", "subtotal_cents", "discount_cents", "tax_cents",
                        "tip_cents", "total_cents", "status", "created_by"),
    "line": _columns(InvoiceLine, "invoice", "position", "kind", "description", "service",
                     "product", "quantity_centi", "unit_price_cents", "gross_cents",
                     "discount_cents", "tax_category", "tax_rate_bp", "tax_cents"),
    "payment": _columns(Payment, "invoice", "kind", "method", "amount_cents", "tendered_cents",
                        "change_cents", "card_last4", "auth_code", "user", "at"),
    "note": _columns(Note, "patient", "appointment", "category", "subjective", "objective",
                     "assessment", "plan", "status", "author", "created_at", "updated_at",
                     "signed_by", "signed_at", "fingerprint", "version"),
    "photo": _columns(Photo, "patient", "appointment", "tag", "area", "taken_on", "sha256",
                      "extension", "imported_by", "imported_at"),
    "consent": _columns(Consent, "patient", "template", "category", "appointment", "method",
                        "signed_at", "signer_name", "witness", "content_sha256", "document",
                        "recorded_by", "recorded_at"),
    "audit": _columns(AuditEvent, "at", "user", "username", "action", "record_type",
                      "record_id", "summary", "prev_hash", "hash"),
}

SYLLABLES = ("ka", "ro", "mi", "len", "dor", "sa", "vi", "tan", "el", "ber", "no", "ri", "as",
             "qu", "zel", "ha", "mon", "ti", "ga", "ul", "pe", "ris", "o", "an", "de", "lu")
AREAS = ("Full face", "Forehead", "Cheeks", "Upper lip", "Jawline", "Neck", "Décolletage")
SOAP = (
    ("Here for maintenance; happy with the last result.", "Dynamic lines as charted.",
     "Good candidate; no contraindications today.", "Treated as charted; review in 2 weeks."),
    ("Wants a softer look around the eyes.", "Moderate lines at rest.",
     "Suitable for treatment.", "Treated; aftercare explained; photos taken."),
    ("First visit for this treatment.", "Skin intact, no active infection.",
     "Consent on file; proceeds.", "Follow-up booked; call with any concern."),
)
# What a visit of each kind was charted with (validated once by the real rules).
EXAMPLE_PARAMETERS = {
    "neurotoxin": None,  # from the demo's face-chart patterns, below
    "filler": {"syringes": 1, "total_ml": 1.0, "technique": "cannula",
               "depth": "subcutaneous",
               "points": [{"view": "front", "x": x, "y": 200, "amount": 0.5,
                           "site": face_chart.site_at("front", x, 200) or "Cheek"}
                          for x in (110, 190)],
               "sites": "Cheeks"},
    "laser_hair": {"device": "Alexandrite hair laser", "wavelength_nm": 755, "fluence": 18,
                   "spot_mm": 15, "pulse_ms": 3, "passes": 1, "cooling": "cryogen spray",
                   "test_spot": "no reaction", "areas": "Underarms", "fitzpatrick": 2},
    "laser_resurfacing": {"device": "CO2 fractional laser", "wavelength_nm": 10600,
                          "fluence": 15, "spot_mm": 1, "pulse_ms": 1, "passes": 2,
                          "cooling": "air", "test_spot": "not done", "areas": "Full face",
                          "fitzpatrick": 2},
    "ipl": {"device": "IPL photofacial system", "wavelength_nm": 560, "fluence": 16,
            "spot_mm": 15, "pulse_ms": 4, "passes": 2, "cooling": "contact",
            "test_spot": "no reaction", "areas": "Face and neck", "fitzpatrick": 2},
    "pigment_vascular": {"device": "IPL photofacial system", "wavelength_nm": 590,
                         "fluence": 14, "spot_mm": 10, "pulse_ms": 5, "passes": 1,
                         "cooling": "contact", "test_spot": "no reaction",
                         "areas": "Cheeks", "fitzpatrick": 2},
    "mesotherapy": {"solution": "Hyaluronic acid and vitamins", "volume_ml": 3,
                    "area": "Face", "depth_mm": 1, "points": 60, "technique": "nappage"},
    "peel_microneedling": {"agent": "TCA 20 %", "passes": 2, "minutes": 5},
}


# The product each stocked modality draws when the service does not name one.
STOCKED_PRODUCT = {"neurotoxin": "Botox Cosmetic", "filler": "Juvederm Ultra XC",
                   "mesotherapy": "NCTF 135 HA revitalising solution"}


class _History:
    def __init__(self, plan: Plan, path: Path, say: Progress) -> None:
        self.plan, self.path, self.say = plan, path, say
        self.rng = random.Random(SEED)
        self.rows: dict[str, list[tuple]] = {k: [] for k in SQL}
        self.prev_hash = ""
        self.audit_rows = 0

    # -- plumbing ---------------------------------------------------------------------------
    def add(self, table: str, row: tuple) -> None:
        rows = self.rows[table]
        rows.append(row)
        if len(rows) >= 20_000:
            self.flush(table)

    def flush(self, table: str | None = None) -> None:
        for name in [table] if table else list(self.rows):
            if self.rows[name]:
                self.con.executemany(SQL[name], self.rows[name])
                self.rows[name] = []

    def event(self, at: dt.datetime, user: User, action: str, record_type: str,
              record_id: object, summary: str) -> None:
        rid = str(record_id)
        digest = audit.event_hash(self.prev_hash, at, user.username, action, record_type, rid,
                                  summary)
        self.add("audit", (_t(at), user.id, user.username, action, record_type, rid, summary,
                           self.prev_hash, digest))
        self.prev_hash = digest
        self.audit_rows += 1

    # -- the whole history ------------------------------------------------------------------
    def write(self) -> None:
        self._read_clinic()
        close_database()  # the history goes in through one plain connection, in bulk
        self.con = sqlite3.connect(self.path, isolation_level=None)
        self.con.execute("PRAGMA journal_mode=DELETE")
        self.con.execute("PRAGMA synchronous=OFF")
        self.con.execute("PRAGMA cache_size=-400000")
        self.con.execute("BEGIN")
        self.prev_hash = self.con.execute(
            "SELECT hash FROM audit_event ORDER BY id DESC LIMIT 1").fetchone()[0]
        self._patients()
        self._days()
        self._close_lots()
        self.flush()
        self.con.execute("UPDATE counter SET value = ? WHERE name = 'invoice'",
                         (self.invoice_number,))
        self.con.execute("COMMIT")
        self.con.execute("PRAGMA journal_mode=WAL")
        self.con.close()
        open_database(self.path)
        self.say(f"{self.appointments:,} appointments, {self.audit_rows:,} audit events")

    def _read_clinic(self) -> None:
        users = {u.username: u for u in User.select()}
        self.desk, self.admin = users["frontdesk"], users["admin"]
        self.providers = [(users[s.username], s.categories, s.days)
                          for s in demo.DEMO_STAFF if s.categories]
        self.providers += [(users[username], categories, (0, 1, 2, 3, 4, 5))
                           for username, _name, categories in MORE_PROVIDERS]
        devices = {d.kind: d for d in catalog.devices()}
        self.services: dict[str, list[tuple[Service, int | None]]] = {}
        for s in catalog.services(include_retail=False):
            if s.device_kind and s.device_kind not in devices:
                continue  # the demo clinic has no such device
            device = devices[s.device_kind].id if s.device_kind else None
            self.services.setdefault(s.category, []).append((s, device))
        self.rooms = [r.id for r in catalog.rooms()]
        self.hours = hours.clinic_hours()
        self.products = {p.name: p for p in Product.select()}
        self.sunscreen = self.products["Mineral sunscreen SPF 50"]
        self.templates = {c: t for c, t in ConsentTemplate.select(
            ConsentTemplate.category, ConsentTemplate.id).order_by(
            ConsentTemplate.version).tuples()}
        self.answers = self._answer_sets()
        self.parameters = self._parameters()
        self.next_id = {m: (m.select(m.id).order_by(m.id.desc()).scalar() or 0) + 1
                        for m in (Patient, Appointment, Invoice, Lot)}
        self.invoice_number = Counter.get_or_none(Counter.name == "invoice")
        self.invoice_number = self.invoice_number.value if self.invoice_number else 0
        if self.invoice_number == 0:
            Counter.insert(name="invoice", value=0).on_conflict_ignore().execute()
        scan = grey_png(85, 110)
        sha = hashlib.sha256(scan).hexdigest()
        stored = StoredFile.get_or_none(StoredFile.sha256 == sha) or StoredFile.create(
            sha256=sha, media_type="image/png", size=len(scan), content=scan,
            stored_at=dt.datetime.combine(self.plan.first_day, dt.time(8)))
        self.scan_id = stored.id
        self.photos = self._photo_files()

    def _answer_sets(self) -> list[list[tuple[str, str]]]:
        sets: dict[int, list[tuple[str, str]]] = {}
        for pid, question, value in MedicalAnswer.select(
                MedicalAnswer.patient, MedicalAnswer.question, MedicalAnswer.value).tuples():
            sets.setdefault(pid, []).append((question, value))
        return list(sets.values()) or [[("allergies", json.dumps(""))]]

    def _parameters(self) -> dict[str, list[dict]]:
        found: dict[str, list[dict]] = {}
        for modality, example in EXAMPLE_PARAMETERS.items():
            if modality not in treatment_records.MODALITIES:
                continue
            if example is None:
                examples = [{"dilution_ml": 2.5, "points": points, "sites": name,
                             "total_units": sum(p["amount"] for p in points)}
                            for name, points in demo.TOXIN_PATTERNS]
            else:
                examples = [example]
            for values in examples:
                if modality in treatment_records.STOCKED:
                    values = {**values, "product_id": self._stocked(modality).id}
                clean, _unusual = treatment_records.validate(modality, values)
                found.setdefault(modality, []).append(clean)
        return found

    def _photo_files(self) -> list[str]:
        folder = self.path.parent / "photos"
        names = []
        for shade in range(6):
            data = grey_png(60 + shade, 80)
            sha = hashlib.sha256(data).hexdigest()
            target = folder / sha[:2] / f"{sha}.png"
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.exists():
                target.write_bytes(data)
            names.append(sha)
        return names

    # -- patients ---------------------------------------------------------------------------
    def _patients(self) -> None:
        rng, plan = self.rng, self.plan
        first_id = self.next_id[Patient]
        span = (plan.anchor - plan.first_day).days
        self.patient_ids: list[int] = []
        self.registered: list[dt.date] = []
        for n in range(plan.patients):
            pid = first_id + n
            first, last = self._name()
            preferred = demo.PREFERRED.get(first, "") if rng.random() < 0.5 else ""
            # Most of the clinic's patients came in its first years; some join every week.
            joined = plan.first_day + dt.timedelta(days=int(span * (n / plan.patients) ** 1.3))
            at = dt.datetime.combine(joined, dt.time(9)) + dt.timedelta(minutes=n % 480)
            search = fold(f"{last} {first} {preferred}")
            dob = joined - dt.timedelta(days=rng.randint(18 * 365, 70 * 365))
            phone = f"{rng.choice(demo.AREA_CODES)}555{pid % 10_000_000:07d}"
            self.add("patient", (
                pid, f"{pid:06d}", first, last, preferred, dob.isoformat(),
                rng.choice(("female", "female", "female", "male")), phone,
                f"{fold(first)[:1]}.{fold(last).replace(' ', '')}{pid}@example.com",
                f"{rng.randint(1, 9999)} {rng.choice(demo.STREETS)}\n{rng.choice(demo.CITIES)}",
                "", "", search, int(rng.random() < 0.01), 1, _t(at), _t(at)))
            for part in name_parts(search):
                self.add("part", (part, pid))
            if rng.random() < 0.7:
                for question, value in rng.choice(self.answers):
                    self.add("answer", (pid, question, value, joined.isoformat(),
                                        self.desk.id, _t(at)))
            self.patient_ids.append(pid)
            self.registered.append(joined)
        self.say(f"{plan.patients:,} patients")

    def _name(self) -> tuple[str, str]:
        rng = self.rng
        if rng.random() < 0.5:
            return rng.choice(demo.FIRST_NAMES), rng.choice(demo.LAST_NAMES)

        def made_up(syllables: int) -> str:
            return "".join(rng.choice(SYLLABLES) for _ in range(syllables)).capitalize()

        return made_up(rng.randint(2, 3)), made_up(rng.randint(2, 4))

    # -- the days ---------------------------------------------------------------------------
    def _days(self) -> None:
        plan = self.plan
        self.appointments = 0
        self.consented: set[tuple[int, str]] = set()
        self.lots: dict[int, dict] = {}  # product id -> the lot in use
        self.closed_lots: list[dict] = []
        now = dt.datetime.combine(plan.anchor, dt.time(12))
        day, joined = plan.first_day, 0
        year = None
        while day <= plan.last_day:
            while joined < len(self.registered) and self.registered[joined] <= day:
                joined += 1
            span = self.hours[day.weekday()]
            if span is not None and joined:
                self._day(day, span, now, joined)
                if day.year != year:
                    year = day.year
                    self.say(f"{day.year}: {self.appointments:,} appointments so far")
            day += dt.timedelta(days=1)

    def _day(self, day: dt.date, span, now: dt.datetime, joined: int) -> None:
        rng = self.rng
        opening, closing = (dt.datetime.combine(day, t) for t in span)
        for user in (self.desk, *(p[0] for p in self.providers)):
            self.event(opening - dt.timedelta(minutes=rng.randint(5, 30)), user, "login",
                       "user", user.id, "signed in")
        for index, (provider, categories, days) in enumerate(self.providers):
            if day.weekday() not in days or rng.random() < 0.1:
                continue
            room = self.rooms[index % len(self.rooms)]
            t = opening + dt.timedelta(minutes=rng.choice(GAPS))
            while True:
                service, device = rng.choice(self.services[rng.choice(categories)])
                end = t + dt.timedelta(minutes=service.default_minutes)
                if end > closing:
                    break
                # regulars come back: recent and early patients alike, skewed to the early ones
                patient = self.patient_ids[int(joined * rng.random() ** 1.5)]
                self._appointment(patient, service, provider, room, device, t, end, now)
                t = end + dt.timedelta(minutes=rng.choice(GAPS))

    def _appointment(self, patient: int, service: Service, provider: User, room: int,
                     device: int | None, start: dt.datetime, end: dt.datetime,
                     now: dt.datetime) -> None:
        rng = self.rng
        aid = self.next_id[Appointment]
        self.next_id[Appointment] += 1
        self.appointments += 1
        booked_at = min(start - dt.timedelta(days=rng.randint(1, 40), hours=rng.randint(0, 8)),
                        now - dt.timedelta(hours=1))
        if start >= now:
            steps = ["confirmed"] if rng.random() < 0.4 else []
        else:
            roll = rng.random()
            steps = (["cancelled"] if roll < 0.06 else ["no_show"] if roll < 0.10 else
                     ["confirmed", "arrived", "in_treatment", "completed"] if roll < 0.11 else
                     ["confirmed", "arrived", "in_treatment", "completed", "checked_out"])
        status = steps[-1] if steps else "booked"
        reason = rng.choice(demo.CANCEL_REASONS) if status == "cancelled" else ""
        self.add("appointment", (aid, patient, service.id, provider.id, room, device,
                                 _t(start), _t(end), status, "", reason, 0, 1 + len(steps),
                                 _t(booked_at), _t(max(booked_at, min(end, now)))))
        self.add("change", (aid, _t(booked_at), self.desk.id, "booked", "", "booked",
                            _t(start), _t(end), ""))
        self.event(booked_at, self.desk, "appointment.book", "appointment", aid,
                   f"{service.name} at {start:%Y-%m-%d %H:%M}")
        before = "booked"
        for step in steps:
            at = {"confirmed": start - dt.timedelta(days=1), "arrived": start,
                  "in_treatment": start, "cancelled": start - dt.timedelta(hours=20),
                  "no_show": start + dt.timedelta(minutes=20)}.get(step, end)
            at = min(at, now)
            actor = provider if step in ("in_treatment", "completed") else self.desk
            self.add("change", (aid, _t(at), actor.id, "cancelled" if step == "cancelled"
                                else "status", before, step, None, None, reason))
            self.event(at, actor, "appointment.status", "appointment", aid,
                       f"{before} -> {step}")
            if step == "arrived":
                self.event(at, self.desk, "patient.open", "patient", patient, "chart opened")
            if step == "in_treatment":
                self._consent(patient, service.category, aid, start)
                self.event(at, provider, "patient.open", "patient", patient, "chart opened")
            before = step
        if status in ("completed", "checked_out"):
            units = self._treatment(patient, service, provider, aid, start, end)
            if rng.random() < 0.03:
                self._photos(patient, aid, start, provider)
            if service.category in ("neurotoxin", "filler") and rng.random() < 0.3:
                self._note(patient, aid, service.category, provider, end)
            if status == "checked_out":
                self._invoice(patient, service, provider, aid, end, units)

    def _consent(self, patient: int, category: str, aid: int, start: dt.datetime) -> None:
        if (patient, category) in self.consented or category not in self.templates:
            return
        self.consented.add((patient, category))
        signed = (start - dt.timedelta(minutes=10)).replace(microsecond=0)
        self.add("consent", (patient, self.templates[category], category, aid, "paper",
                             _t(signed), f"patient {patient}", self.desk.id,
                             hashlib.sha256(f"{patient}/{aid}".encode()).hexdigest(),
                             self.scan_id, self.desk.id, _t(signed)))
        self.event(signed, self.desk, "consent.paper", "consent", f"{patient}-{category}",
                   f"{category} consent on paper")

    def _treatment(self, patient: int, service: Service, provider: User, aid: int,
                   start: dt.datetime, end: dt.datetime) -> int:
        """Chart the visit; the units drawn from stock (in hundredths), for the invoice."""
        modality = service.category
        choices = self.parameters.get(modality)
        if not choices:
            return 100
        values = dict(self.rng.choice(choices))
        used = 100
        if modality in treatment_records.STOCKED:
            product = self._stocked(modality, service)
            amount = values[treatment_records.STOCKED[modality][product.unit]]
            used = round(float(amount) * 100)
            lot = self._lot(product, start.date())
            lot["used"] += used
            values.update(product_id=product.id, product=product.name, lots=[
                {"lot": lot["number"], "expiry": lot["expiry"].isoformat(),
                 "amount": float(amount), "unit": product.unit}])
            self.add("movement", (lot["id"], -used, "use", "", aid, patient, provider.id,
                                  _t(end)))
        self.add("treatment", (aid, patient, provider.id, modality,
                               json.dumps(values, ensure_ascii=False, sort_keys=True),
                               "Aftercare explained.", provider.id, _t(end)))
        self.event(end, provider, "treatment.record", "appointment", aid,
                   f"{modality}: charted")
        return used

    def _stocked(self, modality: str, service: Service | None = None) -> Product:
        """The product a visit of ``modality`` draws: the toxin the service names, else the
        demo's filler, toxin or mesotherapy solution."""
        named = self.products.get(service.name) if service and modality == "neurotoxin" else None
        return named or self.products[STOCKED_PRODUCT[modality]]

    def _lot(self, product: Product, day: dt.date) -> dict:
        """The lot in use for ``product``: a new one every two months."""
        lot = self.lots.get(product.id)
        period = (day.year, (day.month - 1) // 2)
        if lot is None or lot["period"] != period:
            if lot is not None:
                self.closed_lots.append(lot)
            lot = {"id": self.next_id[Lot], "product": product.id, "period": period,
                   "number": f"{product.name[:2].upper()}{day:%Y%m}{product.id:02d}",
                   "received": day, "expiry": day + dt.timedelta(days=540), "used": 0}
            self.next_id[Lot] += 1
            self.lots[product.id] = lot
        return lot

    def _close_lots(self) -> None:
        """Each lot was received with what it gave out (and the current ones with more)."""
        for lot in self.closed_lots + list(self.lots.values()):
            left = 0 if lot in self.closed_lots else 20_000
            received = lot["used"] + left
            self.add("lot", (lot["id"], lot["product"], lot["number"],
                             lot["expiry"].isoformat(), received, left, 450,
                             lot["received"].isoformat()))
            at = dt.datetime.combine(lot["received"], dt.time(8))
            self.add("movement", (lot["id"], received, "receive", "", None, None,
                                  self.admin.id, _t(at)))
        self.flush("lot")
        self.flush("movement")

    def _note(self, patient: int, aid: int, category: str, provider: User,
              at: dt.datetime) -> None:
        s, o, a, p = self.rng.choice(SOAP)
        note = Note(patient=patient, appointment=aid, category=category, subjective=s,
                    objective=o, assessment=a, plan=p, author=provider.id,
                    signed_by=provider.id, signed_at=at)
        self.add("note", (patient, aid, category, s, o, a, p, "signed", provider.id, _t(at),
                          _t(at), provider.id, _t(at), note_fingerprint(note), 1))
        self.event(at, provider, "note.sign", "note", f"a{aid}", "signed")

    def _photos(self, patient: int, aid: int, start: dt.datetime, provider: User) -> None:
        area = self.rng.choice(AREAS)
        for tag in ("before", "after"):
            self.add("photo", (patient, aid, tag, area, start.date().isoformat(),
                               self.rng.choice(self.photos), "png", provider.id, _t(start)))
        self.event(start, provider, "photo.import", "patient", patient, f"2 photos, {area}")

    def _invoice(self, patient: int, service: Service, provider: User, aid: int,
                 at: dt.datetime, used: int) -> None:
        rng = self.rng
        iid = self.next_id[Invoice]
        self.next_id[Invoice] += 1
        self.invoice_number += 1
        quantity = used if service.pricing_unit in ("unit", "syringe") else 100
        gross = quantity * service.price_cents // 100
        lines = [(iid, 1, "service", service.name, service.id, None, quantity,
                  service.price_cents, gross, 0, "services", 0, 0)]
        tax = 0
        if rng.random() < 0.08:
            tax = 4200 * 700 // 10_000
            lines.append((iid, 2, "product", self.sunscreen.name, None, self.sunscreen.id, 100,
                          4200, 4200, 0, "retail", 700, tax))
        subtotal = sum(line[8] for line in lines)
        tip = rng.choice((0, 0, 1000, 2000))
        total = subtotal + tax + tip
        self.add("invoice", (iid, self.invoice_number, patient, aid, provider.id, _t(at),
                             subtotal, 0, tax, tip, total, "paid", self.desk.id))
        for line in lines:
            self.add("line", line)
        if rng.random() < 0.75:
            payment = ("card", total, 0, 0, f"{rng.randint(0, 9999):04d}",
                       f"A{rng.randint(10000, 99999)}")
        else:
            tendered = -(-total // 2000) * 2000
            payment = ("cash", total, tendered, tendered - total, "", "")
        self.add("payment", (iid, "payment", *payment, self.desk.id, _t(at)))
        self.event(at, self.desk, "invoice.issue", "invoice", iid,
                   f"invoice {self.invoice_number}: {total} cents")
        self.event(at, self.desk, "payment.take", "invoice", iid, f"{payment[0]} {total}")
        self.event(at, self.desk, "print.receipt", "invoice", iid,
                   "receipt prepared to preview, print or save")
