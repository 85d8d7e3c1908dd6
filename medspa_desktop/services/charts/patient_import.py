"""Moving in from another system: a patient list from a CSV (any delimiter; UTF-8, UTF-16 or
Windows-1252; columns matched to our fields by their headers, the person correcting the
guess) or from FHIR R4 Patient resources (a Bundle, or NDJSON as bulk exports write them).

Three steps, each usable alone, so the window and the command line share them:

1. ``read_source`` turns the file into a table (headers and rows of text); a FHIR file
   becomes the same table, with what a medical spa does not keep counted as left out.
2. ``plan_import`` is the dry run: every row checked with the rules of registration
   (``patients.validate``), refused with the reason a person can fix, or accepted; probable
   duplicates (of a chart already here, or of an earlier row of the same file) listed with
   the chart they look like. It writes nothing.
3. ``run_import`` writes every accepted row in one transaction or none, audited once with
   the file's SHA-256 and the counts; ``report_csv`` keeps the refused rows, with the reason,
   for correction.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import json
import re
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields

from peewee import chunked

from ...store.database import db
from ...store.models import Patient, PatientNamePart, User
from ..platform import audit, changes
from ..platform.errors import DomainError, ValidationError
from ..platform.exports import csv_text
from ..platform.permissions import require
from ..platform.text import clean_line, fold, name_parts
from . import patients
from .patients import PatientInput

# -- our fields, and the headers other systems give them ----------------------------------------
FIELDS: dict[str, str] = {  # key -> label, in the order the mapping table shows them
    "external_id": "Id in the old system",
    "first_name": "First name",
    "last_name": "Last name",
    "full_name": "Full name (when there is no first/last)",
    "preferred_name": "Preferred name",
    "dob": "Date of birth",
    "sex": "Sex",
    "phone": "Phone",
    "email": "Email",
    "address": "Address",
    "city": "City",
    "region": "State / region",
    "postcode": "ZIP / postal code",
    "emergency_contact_name": "Emergency contact",
    "emergency_contact_phone": "Emergency contact's phone",
}
SYNONYMS: dict[str, tuple[str, ...]] = {
    "external_id": ("id", "patient id", "patientid", "client id", "customer id", "chart",
                    "chart number", "chart no", "mrn", "medical record number", "account",
                    "account number", "record number"),
    "first_name": ("first name", "firstname", "first", "given name", "given", "forename",
                   "fname", "patient first name", "client first name"),
    "last_name": ("last name", "lastname", "last", "surname", "family name", "family",
                  "lname", "patient last name", "client last name"),
    "full_name": ("name", "full name", "patient name", "patient", "client", "client name",
                  "customer", "customer name"),
    "preferred_name": ("preferred name", "nickname", "goes by", "known as"),
    "dob": ("dob", "d o b", "date of birth", "birth date", "birthdate", "birthday",
            "born", "date of birth mm dd yyyy"),
    "sex": ("sex", "gender", "sex at birth"),
    "phone": ("phone", "mobile", "cell", "mobile phone", "cell phone", "telephone",
              "phone number", "mobile number", "cell number", "home phone", "tel",
              "primary phone"),
    "email": ("email", "e mail", "email address", "e mail address", "mail"),
    "address": ("address", "street", "street address", "address 1", "address line 1",
                "address1", "home address"),
    "city": ("city", "town", "suburb"),
    "region": ("state", "province", "region", "county"),
    "postcode": ("zip", "zip code", "zipcode", "postal code", "postcode", "post code"),
    "emergency_contact_name": ("emergency contact", "emergency contact name",
                               "emergency name", "in case of emergency"),
    "emergency_contact_phone": ("emergency phone", "emergency contact phone",
                                "emergency number", "emergency contact number"),
}
DATE_ORDERS = {"MDY": "month/day/year (03/04/1990 is March 4)",
               "DMY": "day/month/year (03/04/1990 is 3 April)",
               "YMD": "year-month-day (1990-03-04)"}
SEX_WORDS = {"f": "female", "female": "female", "woman": "female", "w": "female",
             "m": "male", "male": "male", "man": "male", "intersex": "intersex",
             "other": "other", "o": "other", "x": "other", "nonbinary": "other",
             "non-binary": "other", "u": "undisclosed", "unknown": "undisclosed",
             "undisclosed": "undisclosed", "prefer not to say": "undisclosed",
             "declined": "undisclosed"}
MAX_ROWS = 200_000


def _header_key(text: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", fold(text)).split())


@dataclass
class Source:
    """A file read into rows of text under its headers."""

    name: str
    sha256: str
    kind: str  # "csv" or "fhir"
    headers: list[str]
    rows: list[list[str]]
    left_out: Counter = field(default_factory=Counter)  # FHIR: resource type -> count
    delimiter: str = ","
    encoding: str = "utf-8"


# -- reading ---------------------------------------------------------------------------------
def _decode(data: bytes) -> tuple[str, str]:
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(encoding), encoding.replace("-sig", "")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "windows-1252"


def read_source(name: str, data: bytes) -> Source:
    """The file's rows: a FHIR Bundle or NDJSON when it holds JSON, else a CSV."""
    digest = hashlib.sha256(data).hexdigest()
    text, encoding = _decode(data)
    stripped = text.lstrip()
    if stripped.startswith("{"):
        return _read_fhir(name, digest, stripped)
    return _read_csv(name, digest, text, encoding)


def _read_csv(name: str, digest: str, text: str, encoding: str) -> Source:
    sample = text[:16_384]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    lines = [row for row in reader if any(cell.strip() for cell in row)]
    if not lines:
        raise ValidationError(f"{name} is empty: there is no header row and no patient.")
    if len(lines) - 1 > MAX_ROWS:
        raise ValidationError(f"{name} has {len(lines) - 1:,} rows; import at most "
                              f"{MAX_ROWS:,} at a time (split the file).")
    headers = [clean_line(h) for h in lines[0]]
    width = len(headers)
    rows = [(row + [""] * width)[:width] for row in lines[1:]]
    return Source(name, digest, "csv", headers, rows, delimiter=delimiter, encoding=encoding)


FHIR_HEADERS = ["Id", "First name", "Last name", "Preferred name", "Date of birth", "Sex",
                "Phone", "Email", "Address", "City", "State", "Postal code"]
FHIR_MAPPING = {"external_id": 0, "first_name": 1, "last_name": 2, "preferred_name": 3,
                "dob": 4, "sex": 5, "phone": 6, "email": 7, "address": 8, "city": 9,
                "region": 10, "postcode": 11}


def _read_fhir(name: str, digest: str, text: str) -> Source:
    """Patients from a Bundle (its entries' resources) or NDJSON (a resource a line)."""
    try:
        document = json.loads(text)
        resources = ([entry.get("resource") or {} for entry in document.get("entry") or []]
                     if document.get("resourceType") == "Bundle" else [document])
    except json.JSONDecodeError:
        try:
            resources = [json.loads(line) for line in text.splitlines() if line.strip()]
        except json.JSONDecodeError as exc:
            raise ValidationError(f"{name} is neither a FHIR Bundle nor NDJSON: line "
                                  f"{exc.lineno} is not JSON.") from None
    rows, left_out = [], Counter()
    for resource in resources:
        kind = resource.get("resourceType", "(no resourceType)")
        if kind == "Patient":
            rows.append(_patient_row(resource))
        else:
            left_out[kind] += 1
    if not rows:
        raise ValidationError(f"{name} holds no FHIR Patient resource"
                              + (f" (only {counted(left_out)})." if left_out else "."))
    return Source(name, digest, "fhir", list(FHIR_HEADERS), rows, left_out)


def counted(counts: Counter) -> str:
    return ", ".join(f"{n} {kind}" for kind, n in counts.most_common())


def _patient_row(resource: dict) -> list[str]:
    names = resource.get("name") or []
    official = next((n for n in names if n.get("use") == "official"), names[0] if names else {})
    nickname = next((n for n in names if n.get("use") == "nickname"), {})
    telecom = resource.get("telecom") or []

    def contact(system: str) -> str:
        found = [t for t in telecom if t.get("system") == system and t.get("value")]
        preferred = sorted(found, key=lambda t: (t.get("use") != "mobile", t.get("rank", 99)))
        return preferred[0]["value"] if preferred else ""

    addresses = resource.get("address") or []
    home = next((a for a in addresses if a.get("use") == "home"),
                addresses[0] if addresses else {})
    return [_external_id(resource), " ".join(official.get("given") or []),
            official.get("family", ""), " ".join(nickname.get("given") or []),
            resource.get("birthDate", ""), resource.get("gender", ""), contact("phone"),
            contact("email"), "\n".join(home.get("line") or []), home.get("city", ""),
            home.get("state", ""), home.get("postalCode", "")]


# identifiers a medical spa has no business keeping (social security, licences, passports)
PRIVATE_IDENTIFIER_TYPES = {"SS", "SB", "DL", "PPN", "TAX", "NI"}


def _external_id(resource: dict) -> str:
    """The medical record number when there is one, else the first identifier that is not a
    government number, else the resource's id."""
    usable = []
    for identifier in resource.get("identifier") or []:
        codes = {c.get("code") for c in (identifier.get("type") or {}).get("coding") or []}
        if codes & PRIVATE_IDENTIFIER_TYPES or not identifier.get("value"):
            continue
        usable.append((0 if "MR" in codes else 1, identifier["value"]))
    return min(usable)[1] if usable else str(resource.get("id", ""))


# -- the mapping -------------------------------------------------------------------------------
def guess_mapping(headers: Sequence[str],
                  synonyms: dict[str, tuple[str, ...]] = SYNONYMS) -> dict[str, int]:
    """Our field -> the column it comes from, guessed from the header words; a header is
    used once, and a full name only when there is no first and last name."""
    mapping: dict[str, int] = {}
    keys = [_header_key(h) for h in headers]
    for field_key, words in synonyms.items():
        for index, key in enumerate(keys):
            if key in words and index not in mapping.values():
                mapping[field_key] = index
                break
    if "first_name" in mapping and "last_name" in mapping:
        mapping.pop("full_name", None)
    return mapping


def parse_mapping_option(text: str, headers: Sequence[str], known: dict[str, str] = FIELDS,
                         synonyms: dict[str, tuple[str, ...]] = SYNONYMS) -> tuple[str, int]:
    """A command line's ``--map "DOB=birth date"``: our field (its key or label, any case)
    and the header it comes from."""
    ours, _, theirs = text.partition("=")
    wanted = _header_key(ours)
    key = next((k for k, label in known.items()
                if wanted in (_header_key(k), _header_key(label))
                or wanted in synonyms.get(k, ())), None)
    if key is None:
        raise ValidationError(f"'{ours}' is none of the fields: "
                              + ", ".join(known) + ".")
    column = next((i for i, h in enumerate(headers) if _header_key(h) == _header_key(theirs)),
                  None)
    if column is None:
        raise ValidationError(f"The file has no column named '{theirs}' (it has: "
                              + ", ".join(headers) + ").")
    return key, column


# -- dates -----------------------------------------------------------------------------------
_MONTH_NAMES = ("%d %b %Y", "%d %B %Y", "%b %d %Y", "%B %d %Y", "%d-%b-%Y", "%d-%b-%y")
_NUMBERS = re.compile(r"^(\d{1,4})[/.\- ](\d{1,2})[/.\- ](\d{1,4})$")
_TIME_PART = re.compile(r"[T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*([AaPp][Mm])?(Z|[+-]\d{2}:?\d{2})?$")


def _year(text: str, today: dt.date) -> int:
    year = int(text)
    if len(text) <= 2:  # a birth year written short: never in the future
        year += 2000 if 2000 + year <= today.year else 1900
    return year


def parse_day(text: str, order: str, today: dt.date | None = None) -> dt.date | None:
    """A date as written in a file, read in ``order`` (MDY, DMY or YMD); ISO dates
    (1990-03-04) and month names (4 Mar 1990, March 4, 1990) read the same in any order; a
    time after the date (an export's midnight) is ignored. None when it is not a date."""
    today = today or dt.date.today()
    text = _TIME_PART.sub("", text.strip()).strip()
    if not text:
        return None
    match = _NUMBERS.match(text)
    if match:
        a, b, c = match.groups()
        if len(a) == 4:  # year first, whatever the order chosen
            parts = (int(a), int(b), int(c))
        elif order == "YMD":
            return None
        elif order == "MDY":
            parts = (_year(c, today), int(a), int(b))
        else:
            parts = (_year(c, today), int(b), int(a))
        try:
            return dt.date(*parts)
        except ValueError:
            return None
    cleaned = text.replace(",", " ").replace(".", " ")
    cleaned = " ".join(cleaned.split())
    for pattern in _MONTH_NAMES:
        try:
            return dt.datetime.strptime(cleaned, pattern).date()
        except ValueError:
            continue
    return None


def date_orders(values: Sequence[str]) -> list[str]:
    """The orders in which the most of these dates read (a date no order reads, 31/02/1990,
    counts for none); when two remain (03/04/1990), the person chooses."""
    present = [v for v in values if v.strip()]
    read = {order: sum(parse_day(v, order) is not None for v in present)
            for order in DATE_ORDERS}
    best = max(read.values())
    return [order for order, count in read.items() if count == best]


# -- the dry run -----------------------------------------------------------------------------
@dataclass
class RowResult:
    line: int  # the row's line in the file (the header is line 1)
    raw: list[str]
    patient: PatientInput | None
    external_id: str = ""
    reason: str = ""  # why it is refused
    duplicate_of: str = ""  # "chart 000123 Ann Lee" or "line 14"

    @property
    def is_refused(self) -> bool:
        return self.patient is None


@dataclass
class ImportPlan:
    source: Source
    mapping: dict[str, int]
    date_order: str
    rows: list[RowResult]
    include_duplicates: bool = False

    @property
    def refused(self) -> list[RowResult]:
        return [r for r in self.rows if r.patient is None]

    @property
    def duplicates(self) -> list[RowResult]:
        return [r for r in self.rows if r.patient is not None and r.duplicate_of]

    @property
    def to_write(self) -> list[RowResult]:
        return [r for r in self.rows if r.patient is not None
                and (self.include_duplicates or not r.duplicate_of)]

    def summary(self) -> str:
        skipped = 0 if self.include_duplicates else len(self.duplicates)
        text = (f"{len(self.to_write):,} to import, {len(self.refused):,} refused, "
                f"{len(self.duplicates):,} probable duplicate"
                f"{'s' if len(self.duplicates) != 1 else ''}"
                + (f" ({skipped:,} skipped)" if skipped else ""))
        if self.source.left_out:
            text += f"; left out (not kept by a medical spa): {counted(self.source.left_out)}"
        return text


def row_value(row: list[str], mapping: dict[str, int], key: str) -> str:
    index = mapping.get(key)
    return row[index].strip() if index is not None and index < len(row) else ""


def _address(row: list[str], mapping: dict[str, int]) -> str:
    """The street, then "City, State ZIP" (each part only when the file has it)."""
    street, city, region, postcode = (row_value(row, mapping, key)
                                      for key in ("address", "city", "region", "postcode"))
    if city and (region or postcode):
        city += ","
    place = " ".join(p for p in (city, region, postcode) if p)
    return "\n".join(p for p in (street, place) if p)


def row_names(row: list[str], mapping: dict[str, int]) -> tuple[str, str]:
    """(first, last) from their columns, or split from a whole-name column ("Lee, Ann" or
    "Ann Lee") when the file has no first and last."""
    first, last = row_value(row, mapping, "first_name"), row_value(row, mapping, "last_name")
    full = row_value(row, mapping, "full_name")
    if full and not (first or last):
        if "," in full:  # "Lee, Ann"
            last, _, first = (p.strip() for p in full.partition(","))
        else:
            *given, last = full.split() or [""]
            first = " ".join(given)
    return first, last


def _row_input(row: list[str], mapping: dict[str, int], order: str,
               today: dt.date) -> PatientInput:
    first, last = row_names(row, mapping)
    dob_text = row_value(row, mapping, "dob")
    dob = parse_day(dob_text, order, today) if dob_text else None
    if dob_text and dob is None:
        raise ValidationError(f"'{dob_text}' is not a date of birth "
                              f"({DATE_ORDERS[order].split(' (')[0]}).")
    sex_text = row_value(row, mapping, "sex")
    sex = SEX_WORDS.get(sex_text.lower()) if sex_text else ""
    if sex is None:
        raise ValidationError(f"'{sex_text}' is not a sex this program knows (female, male, "
                              "intersex, other, undisclosed).")
    return patients.validate(PatientInput(
        first_name=first, last_name=last, dob=dob,
        preferred_name=row_value(row, mapping, "preferred_name"), sex=sex,
        phone=row_value(row, mapping, "phone"), email=row_value(row, mapping, "email"),
        address=_address(row, mapping),
        emergency_contact_name=row_value(row, mapping, "emergency_contact_name"),
        emergency_contact_phone=row_value(row, mapping, "emergency_contact_phone")), today)


def _identity(data: PatientInput) -> tuple[str, str, dt.date | None]:
    return fold(data.last_name), fold(data.first_name), data.dob


def plan_import(actor: User, source: Source, mapping: dict[str, int], date_order: str, *,
                include_duplicates: bool = False, today: dt.date | None = None) -> ImportPlan:
    """The dry run: every row accepted or refused with its reason, probable duplicates
    named. Writes nothing."""
    require(actor, "patient.import")
    return _plan(source, mapping, date_order, include_duplicates, today)


def plan_from_command_line(source: Source, mapping: dict[str, int], date_order: str, *,
                           include_duplicates: bool = False) -> ImportPlan:
    """``plan_import`` for ``medspa-desktop import-patients``: whoever may run the program on
    the clinic's file (as for a backup or a restore)."""
    return _plan(source, mapping, date_order, include_duplicates, None)


def _plan(source: Source, mapping: dict[str, int], date_order: str, include_duplicates: bool,
          today: dt.date | None) -> ImportPlan:
    if date_order not in DATE_ORDERS:
        raise ValidationError("Choose how the dates are written: " + ", ".join(DATE_ORDERS))
    if not ({"first_name", "last_name"} <= mapping.keys() or "full_name" in mapping):
        raise ValidationError("Choose the columns with the first and last name (or one "
                              "column with the whole name).")
    if "dob" not in mapping:
        raise ValidationError("Choose the column with the date of birth: a chart needs it.")
    today = today or dt.date.today()
    here = _existing_identities()
    seen: dict[object, int] = {}
    results = []
    for number, row in enumerate(source.rows, start=2):
        external = clean_line(row_value(row, mapping, "external_id"))[:120]
        try:
            data = _row_input(row, mapping, date_order, today)
        except ValidationError as refusal:
            results.append(RowResult(number, row, None, external, str(refusal)))
            continue
        result = RowResult(number, row, data, external)
        keys = [("name", _identity(data))]
        if data.email:
            keys.append(("email", data.email, data.dob))
        if external:
            keys.append(("external", external))
        for key in keys:
            if key in here:
                result.duplicate_of = here[key]
                break
            if key in seen:
                result.duplicate_of = f"line {seen[key]} of this file"
                break
        for key in keys:
            seen.setdefault(key, number)
        results.append(result)
    return ImportPlan(source, dict(mapping), date_order, results, include_duplicates)


def _existing_identities() -> dict[object, str]:
    """Every chart here by name and birth date, by email and birth date, by external id: what
    a row that looks like it is listed against ("chart 000123 Ann Lee")."""
    found: dict[object, str] = {}
    query = Patient.select(Patient.chart_number, Patient.first_name, Patient.last_name,
                           Patient.dob, Patient.email, Patient.external_id).where(
        Patient.merged_into.is_null()).tuples()
    for chart, first, last, dob, email, external in query.iterator():
        label = f"chart {chart} {first} {last}"
        found.setdefault(("name", (fold(last), fold(first), dob)), label)
        if email:
            found.setdefault(("email", email, dob), label)
        if external:
            found.setdefault(("external", external), label)
    return found


# -- writing ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class ImportResult:
    imported: int
    refused: int
    duplicates: int
    first_chart: str
    last_chart: str


BATCH = 500


def run_import(actor: User, plan: ImportPlan, *,
               progress: Callable[[int, int], None] | None = None,
               cancelled: Callable[[], bool] | None = None) -> ImportResult:
    """Write the plan's accepted rows: all in one transaction, or (refused, cancelled, a
    failure half-way) none."""
    require(actor, "patient.import")
    return _run(actor, plan, None, progress, cancelled)


def run_from_command_line(plan: ImportPlan, username: str) -> ImportResult:
    """``run_import`` for ``medspa-desktop import-patients``, audited as ``username``."""
    return _run(None, plan, username, None, None)


def _run(actor: User | None, plan: ImportPlan, username: str | None,
         progress: Callable[[int, int], None] | None,
         cancelled: Callable[[], bool] | None) -> ImportResult:
    chosen = plan.to_write
    if not chosen:
        raise ValidationError("Nothing to import: every row was refused"
                              + (" or is a probable duplicate." if plan.duplicates else "."))
    now = dt.datetime.now()
    token = f"imp{uuid.uuid4().hex[:8]}-"  # a chart number until the row's id gives its own
    charts: list[str] = []
    with db.atomic():
        for done, batch in enumerate(chunked(chosen, BATCH)):
            if cancelled is not None and cancelled():
                raise ImportCancelled("The import was cancelled; nothing was imported.")
            names = {}
            rows = []
            for offset, row in enumerate(batch):
                data = row.patient
                temporary = f"{token}{done * BATCH + offset}"
                names[temporary] = fold(f"{data.last_name} {data.first_name} "
                                        f"{data.preferred_name}")
                rows.append({"chart_number": temporary, "search_name": names[temporary],
                             "created_at": now, "updated_at": now,
                             "external_id": row.external_id,
                             **{f.name: getattr(data, f.name) for f in fields(PatientInput)}})
            insert_many(Patient, rows)
            # the chart number follows the row id, as for a patient registered at the desk
            given = Patient.select(Patient.id, Patient.chart_number).where(
                Patient.chart_number.startswith(token)).tuples()
            ids = sorted((patient_id, names[temporary]) for patient_id, temporary in given)
            db.cursor().executemany(
                f'UPDATE "patient" SET "chart_number" = {db.param} WHERE "id" = {db.param}',
                [(f"{patient_id:06d}", patient_id) for patient_id, _name in ids])
            charts.extend(f"{patient_id:06d}" for patient_id, _name in ids)
            insert_many(PatientNamePart, [{"part": part, "patient": patient_id}
                                           for patient_id, name in ids
                                           for part in sorted(name_parts(name))])
            if progress is not None:
                progress(min((done + 1) * BATCH, len(chosen)), len(chosen))
        skipped = 0 if plan.include_duplicates else len(plan.duplicates)
        audit.record(actor, "patient.import", "patient", "",
                     f"{len(chosen)} imported from {plan.source.name} (sha256 "
                     f"{plan.source.sha256}); {len(plan.refused)} refused, {skipped} "
                     f"probable duplicates skipped; charts {charts[0]} to {charts[-1]}",
                     username=username)
        changes.note("patient")
    return ImportResult(len(chosen), len(plan.refused), len(plan.duplicates), charts[0],
                        charts[-1])


def insert_many(model, rows: list[dict]) -> None:
    """Rows of ``model`` through one statement prepared once, each value made ready by its
    field as the ORM does (peewee would build the SQL again for every value: most of an
    import's time); fields not given take their defaults."""
    if not rows:
        return
    columns = [f for f in model._meta.sorted_fields if not f.primary_key or
               f.name in rows[0]]
    names = ", ".join(f'"{f.column_name}"' for f in columns)
    marks = ", ".join([db.param] * len(columns))

    def value(f, row):
        given = row[f.name] if f.name in row else (f.default() if callable(f.default)
                                                   else f.default)
        return f.db_value(given)

    db.cursor().executemany(f'INSERT INTO "{model._meta.table_name}" ({names}) VALUES ({marks})',
                            [tuple(value(f, row) for f in columns) for row in rows])


class ImportCancelled(DomainError):
    """The person cancelled an import; nothing was written."""


def report_csv(plan) -> str:
    """The rows not imported, as the file had them, with why: refused (the reason) or a
    probable duplicate (of which chart). Opened in a spreadsheet, corrected, imported again.
    For a patient list's plan and a visit history's alike."""
    rows = []
    for row in plan.rows:
        if row.is_refused:
            rows.append([row.line, "Refused", row.reason, *row.raw])
        elif row.duplicate_of and not plan.include_duplicates:
            rows.append([row.line, "Probable duplicate",
                         f"looks like {row.duplicate_of}", *row.raw])
    return "\ufeff" + csv_text(["Line", "Outcome", "Why", *plan.source.headers], rows)
