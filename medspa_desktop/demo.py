"""The demo clinic: a deterministic, realistic clinic to try the program on and to test against.

Everything goes through the same services the front desk uses (so the demo obeys every rule,
and its audit log is a real, unbroken chain). The same ``seed`` and ``today`` give the same
patients, staff, catalog and appointments.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from .services.billing import invoices, prepaid
from .services.charts import contraindications, intake, notes, patients
from .services.clinic import catalog, clinic
from .services.consents import consent_policy, consent_templates, signing
from .services.messaging import contact_consent
from .services.platform import auth
from .services.platform.errors import DomainError
from .services.platform.png import grey_png
from .services.platform.text import fold
from .services.platform.vocabulary import AppointmentStatus, PaymentMethod, Role
from .services.scheduling import appointments, hours, series
from .services.treatments import face_chart, inventory, treatment_records
from .store.database import db
from .store.models import (
    Appointment,
    Device,
    GiftCard,
    Invoice,
    MembershipDues,
    Package,
    Patient,
    Service,
    TimeBlock,
    User,
)

DEMO_PASSWORD = "medspa-demo"
S = AppointmentStatus


@dataclass(frozen=True)
class StaffSpec:
    username: str
    full_name: str
    display_name: str
    credentials: str
    role: str
    categories: tuple[str, ...] = ()  # what they treat (repeats weight the demo's mix)
    days: tuple[int, ...] = (0, 1, 2, 3, 4, 5)  # weekdays worked, 0 = Monday


DEMO_STAFF = (
    StaffSpec("admin", "Alex Morgan", "Alex Morgan", "", Role.ADMIN),
    StaffSpec("director", "Elena Vasquez", "Dr Vasquez", "MD", Role.MEDICAL_DIRECTOR,
              ("neurotoxin", "filler", "mesotherapy", "laser_resurfacing")),
    StaffSpec("injector", "Priya Shah", "Priya Shah, RN", "RN", Role.PROVIDER,
              ("neurotoxin", "neurotoxin", "filler", "mesotherapy"), (0, 1, 2, 3, 4)),
    StaffSpec("laser1", "Jordan Lee", "Jordan Lee, LE", "LE", Role.PROVIDER,
              ("laser_hair", "laser_hair", "ipl", "pigment_vascular", "laser_resurfacing")),
    StaffSpec("laser2", "Marie-Claire Dubois", "Marie-Claire Dubois, LE", "LE", Role.PROVIDER,
              ("laser_hair", "ipl", "peel_microneedling", "peel_microneedling"),
              (1, 2, 3, 4, 5)),
    StaffSpec("frontdesk", "Sam O'Neill", "Sam O'Neill", "", Role.FRONT_DESK),
)
DEMO_ROOMS = ("Room 1", "Room 2", "Room 3", "Room 4", "Laser suite")
DEMO_DEVICES = (
    ("CO2 fractional laser", "co2", 15),
    ("Alexandrite hair laser", "alexandrite", 5),
    ("IPL photofacial system", "ipl", 10),
)

FIRST_NAMES = (
    "Zoë", "Amélie", "José", "Siobhán", "Chloé", "Renée", "Björn", "Ana-María", "Łucja",
    "Olivia", "Emma", "Ava", "Sophia", "Isabella", "Mia", "Charlotte", "Amelia", "Harper",
    "Evelyn", "Abigail", "Emily", "Ella", "Madison", "Scarlett", "Grace", "Lily", "Aria",
    "Nora", "Hannah", "Leah", "Priyanka", "Mei", "Yuki", "Fatima", "Aaliyah", "Camila",
    "Valentina", "Lucía", "Noémie", "Ingrid", "Saoirse", "Dagny", "Michael", "James",
    "Daniel", "David", "Mateo", "Liam", "Noah", "Ethan", "Omar", "Hiro", "Kwame", "Tomás",
)
LAST_NAMES = (
    "O'Brien", "Núñez", "García-López", "Smith-Jones", "Żółć", "D'Angelo", "Müller", "Ødegaard",
    "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Rodríguez", "Martínez",
    "Hernández", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
    "Lee", "Pérez", "Thompson", "White", "Harris", "Sánchez", "Clark", "Ramírez", "Lewis",
    "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Nguyen", "Kim",
    "Patel", "Chen", "Okafor", "Kowalski", "MacDonald", "St. James", "Van der Berg",
    "Al-Sayed", "Björklund", "Fitzgerald", "Ní Bhriain", "Le Blanc",
)
STREETS = ("Maple St", "Oak Ave", "Cedar Ln", "Sunset Blvd", "Harbor Way", "Elm Ct",
           "Willow Dr", "Park Pl", "Lakeview Rd", "Magnolia Ave")
CITIES = ("Springfield, IL 62704", "Riverside, CA 92501", "Austin, TX 78701",
          "Portland, OR 97205", "Naples, FL 34102")
AREA_CODES = ("217", "951", "512", "503", "239")
PREFERRED = {"Elizabeth": "Liz", "Alexandra": "Alex", "Katherine": "Kate", "Priyanka": "Pri",
             "Valentina": "Vale", "Michael": "Mike", "Daniel": "Dan"}

CANCEL_REASONS = ("Feeling unwell", "Work conflict", "Childcare fell through", "Travelling",
                  "Rebooking for next month", "Car trouble")
GAPS_MIN = (0, 0, 0, 15, 15, 30, 45, 60)


@dataclass(frozen=True)
class DemoSummary:
    patients: int
    appointments: int
    staff: int


def build_demo(
    *, seed: int = 1, today: dt.date | None = None, patient_count: int = 300,
    days_back: int = 60, days_ahead: int = 30,
    progress: Callable[[str], None] | None = None,
) -> DemoSummary:
    """Fill the open, freshly migrated database with the demo clinic."""
    rng = random.Random(seed)
    today = today or dt.date.today()
    say = progress or (lambda _msg: None)
    with db.atomic():
        say("clinic and staff")
        admin = clinic.create_clinic(
            clinic.ClinicInfo("Lumière Aesthetics & Laser (demo)",
                              "400 Harbor Way, Suite 2\nNaples, FL 34102",
                              "(239) 555-0100", "59-1234567"),
            auth.UserInput("admin", "Alex Morgan", Role.ADMIN, DEMO_PASSWORD),
            default_catalog=False,
        )
        staff = {"admin": admin}
        clinic_hours = hours.clinic_hours()
        for spec in DEMO_STAFF[1:]:
            user = staff[spec.username] = auth.create_user(admin, auth.UserInput(
                spec.username, spec.full_name, spec.role, DEMO_PASSWORD,
                spec.display_name, spec.credentials))
            if spec.categories:
                hours.set_skills(admin, user.id, list(spec.categories))
            if spec.categories and spec.days != DEMO_STAFF[1].days:
                hours.set_working_hours(admin, user.id, {
                    d: f"{clinic_hours[d][0]:%H:%M}-{clinic_hours[d][1]:%H:%M}"
                    for d in spec.days if clinic_hours[d] is not None})
        for name in DEMO_ROOMS:
            catalog.add_room(admin, name)
        for name, kind, cleanup in DEMO_DEVICES:
            catalog.add_device(admin, name, kind, cleanup)
        catalog.install_default_services(admin)
        blocks = _add_blocks(admin, staff, today)
        say(f"{patient_count} patients")
        desk = staff["frontdesk"]
        patient_ids = [patients.create_patient(desk, _patient(rng, today)).id
                       for _ in range(patient_count)]
        say("medical histories")
        for pid in patient_ids:
            if rng.random() < 0.7:
                intake.record_answers(desk, pid, _intake(rng, today),
                                      answered_on=today - dt.timedelta(days=rng.randint(0, 400)))
        say("appointments")
        booked = _book_appointments(rng, staff, patient_ids, today, days_back, days_ahead,
                                    blocks)
        say("inventory and treatment records")
        _stock_and_use(rng, staff, today)
        say("notes")
        _write_notes(rng, staff, today)
        say("billing")
        _bill(rng, staff, today)
        say("patients due for a recall")
        booked += _recall_visits(random.Random(seed * 7919 + 22), staff, patient_ids, today)
        say("members")
        _members(random.Random(seed * 104729 + 23), staff, patient_ids, today)
    return DemoSummary(patient_count, booked, len(staff))


def _members(rng: random.Random, staff: dict[str, User], patient_ids: list[int],
             today: dt.date) -> None:
    """The clinic's membership plan and five members who joined in the last four months: each
    agreement signed, the dues of every month issued on the member's billing day (the timed
    job, run each morning as the clinic's PCs would have) and paid by card at the desk. Its
    own random numbers: what came before stays as it was."""
    from .documents.membership_agreement import render_agreement
    from .documents.styles import Letterhead
    from .services.billing import memberships

    admin, desk = staff["admin"], staff["frontdesk"]
    toxin = Service.get_or_none(Service.name == "Botox Cosmetic")
    started = today - dt.timedelta(days=130)
    plan = memberships.save_plan(admin, memberships.PlanInput(
        "Glow Club", 9900, billing_day=0, min_term_months=6, notice_days=30,
        category_discounts_bp=(("neurotoxin", 1000),),
        credits=((memberships.BankedCredit(toxin.id, Decimal(20), Decimal(40)),) if toxin else ()),
        retail_discount_bp=1000), now=dt.datetime.combine(started, dt.time(9)))
    info = clinic.clinic_info()
    letterhead = Letterhead(info.name, info.address, info.phone, info.tax_id)
    # members among the patients with no visit open or to come: a member's checkout gets
    # member prices, and the visits the demo leaves to check out keep their list prices
    visiting = {pid for (pid,) in Appointment.select(Appointment.patient).where(
        Appointment.status.not_in((S.CHECKED_OUT, S.CANCELLED, S.NO_SHOW))).tuples()}
    adults = [pid for pid in patient_ids if pid not in visiting
              and patients.age_on(Patient.get_by_id(pid).dob, today) >= memberships.ADULT_AGE]
    joined = sorted((today - dt.timedelta(days=rng.randint(20, 120)), pid)
                    for pid in rng.sample(adults, min(5, len(adults))))
    if not joined:
        return
    for day, pid in joined:
        memberships.enrol(desk, memberships.EnrolInput(
            pid, plan.id, grey_png(40, 20), grey_png(40, 20)),
            lambda sheet: render_agreement(sheet, letterhead),
            now=dt.datetime.combine(day, dt.time(11, rng.randint(0, 59))))

    def at(day: dt.date, time: dt.time) -> dt.datetime:  # never later than now
        return min(dt.datetime.combine(day, time), dt.datetime.now().replace(microsecond=0))

    day = joined[0][0] + dt.timedelta(days=1)
    while day <= today:
        memberships.issue_due(at(day, dt.time(7, 30)))
        day += dt.timedelta(days=1)
    for dues in MembershipDues.select().order_by(MembershipDues.at):
        invoice = Invoice.get_by_id(dues.invoice_id)
        due = invoices.balance_cents(invoice)
        if due:
            invoices.take_payment(desk, invoice.id, invoices.PaymentInput(
                PaymentMethod.CARD, due, card_last4=f"{rng.randint(0, 9999):04d}",
                auth_code=f"M{rng.randint(10000, 99999)}"),
                now=max(invoice.issued_at,
                        min(invoice.issued_at + dt.timedelta(hours=2),
                            dt.datetime.now().replace(microsecond=0))))


ALLERGIES = ("", "", "", "", "Penicillin (rash)", "Latex", "Sulfa drugs", "Shellfish",
             "Codeine (nausea)")
MEDICATIONS = ("", "", "Levothyroxine", "Oral contraceptive", "Sertraline", "Lisinopril",
               "Metformin", "Vitamin D")


def _intake(rng: random.Random, today: dt.date) -> dict[str, object]:
    answers: dict[str, object] = {
        "allergies": rng.choice(ALLERGIES), "medications": rng.choice(MEDICATIONS),
        "fitzpatrick": rng.choice((1, 2, 2, 3, 3, 3, 4, 4, 5, 6)),
        "pregnant_or_nursing": rng.random() < 0.04, "herpes_history": rng.random() < 0.15,
        "anticoagulants": rng.random() < 0.06, "keloids": rng.random() < 0.03,
        "recent_tan": rng.random() < 0.08,
    }
    if rng.random() < 0.05:
        answers["isotretinoin_last_dose"] = today - dt.timedelta(days=rng.randint(30, 400))
    return answers


# What a clinician writes after a template's prompt ("Concerns: "), by the prompt; a prompt
# not listed gets a plain finding.
CONCERNS = {
    "neurotoxin": ("Frown lines make her look cross in photos.", "Lines at the eyes when "
                   "smiling.", "Forehead lines; wants to keep some movement.",
                   "Happy with last result, wants the same again.", "Jaw clenching, "
                   "headaches in the morning."),
    "filler": ("Lips feel thin; wants a subtle change.", "Tired look, hollows under the eyes.",
               "Loss of cheek volume since weight loss.", "Marionette lines."),
    "laser_hair": ("Shaving irritation and ingrown hairs.", "Wants less regrowth before "
                   "summer.", "Continuing the course; regrowth finer than before."),
    "mesotherapy": ("Dull, dehydrated skin.", "Fine lines on the neck.",
                    "Stubborn fat under the chin."),
    "ipl": ("Redness and sun spots on the cheeks.", "Broken capillaries around the nose."),
    "pigment_vascular": ("Brown spots on the backs of the hands.", "Thread veins on the "
                         "nose."),
    "laser_resurfacing": ("Fine lines and sun damage.", "Acne scars on the cheeks."),
    "peel_microneedling": ("Acne scarring and enlarged pores.", "Uneven texture and tone."),
}
PROMPTS = {
    "Prior toxin (product, date, units, result)": (
        "None.", "Botox 20 U glabella last spring, good result.",
        "Dysport elsewhere a year ago, wore off at 10 weeks."),
    "Prior filler (product, date, result)": ("None.", "Lip filler 2024, settled evenly."),
    "Areas": ("Axillae.", "Lower legs.", "Bikini line.", "Upper lip and chin."),
    "Last shave / tan / medications": ("Shaved yesterday; no tan; no photosensitising "
                                       "medication.",),
    "Fitzpatrick": ("II.", "III.", "IV."),
    "Device, wavelength, fluence, spot, pulse width": (
        "Alexandrite 755 nm, 16 J/cm², 15 mm, 3 ms.", "Alexandrite 755 nm, 18 J/cm², 12 mm, "
        "3 ms."),
    "Test spot result": ("No reaction at 48 hours.", "Mild perifollicular oedema, settled."),
    "Dynamic lines at rest / animation": (
        "Moderate glabellar lines on frowning, faint at rest.",
        "Crow's feet on smiling, none at rest.", "Strong frontalis, fine lines at rest."),
    "Volume loss and asymmetry": ("Mild midface volume loss, symmetrical.",
                                  "Thin upper lip, slight asymmetry to the left."),
    "Product, lot, syringes": ("Juvederm Ultra XC, 1 syringe.",),
    "Sites, mL per site, needle/cannula, depth": ("Lips 1 mL, 27 G needle, submucosal.",),
    "Skin quality": ("Dehydrated, fine lines, even tone.", "Mild laxity, good texture."),
}
FINDINGS = ("Skin calm afterwards; mild erythema settling.", "Tolerated well, no bleeding.",
            "Given as planned; no immediate reaction.")


def _filled(rng: random.Random, category: str, text: str) -> str:
    """The template's prompts answered: every line ending in a colon gets its answer."""
    lines = []
    for line in text.splitlines():
        prompt = line.rstrip()
        if prompt.endswith(":"):
            label = prompt[:-1]
            if label == "Concerns":
                answer = rng.choice(CONCERNS.get(category, ("Routine visit.",)))
            else:
                answer = rng.choice(PROMPTS.get(label, FINDINGS))
            line = f"{prompt} {answer}"
        lines.append(line)
    return "\n".join(lines)


def _write_notes(rng: random.Random, staff: dict[str, User], today: dt.date) -> None:
    """A signed SOAP note, written and signed as the visit ended, for some of the treatments
    already given: started from the visit's treatment record as a clinician's is, every
    prompt answered."""
    by_id = {u.id: u for u in staff.values()}
    now = _demo_now(today)
    done = (Appointment.select().where(Appointment.status.in_((S.COMPLETED, S.CHECKED_OUT)))
            .order_by(Appointment.start, Appointment.id))
    for appt in done:
        if rng.random() > 0.2:
            continue
        author = by_id[appt.provider_id]
        category = appt.service.category
        sections = {key: _filled(rng, category, text)
                    for key, text in notes.visit_sections(author, appt.id).items()}
        written = min(appt.end + dt.timedelta(minutes=5), now)
        note = notes.start_note(author, appt.patient_id, appt.id, sections=sections,
                                now=written)
        notes.sign(author, note.id, note.version, now=written)


# (product, kind, unit, low stock, lots as (number, days to expiry from the demo's start,
# quantity)); neurotoxin services draw from the product of the same brand.
DEMO_STOCK = (
    ("Botox Cosmetic", "toxin", "U", 300, (("C7421A3", 40, 3000), ("C7785C1", 300, 3000))),
    ("Dysport", "toxin", "U", 500, (("D1190X", 200, 6000),)),
    ("Xeomin", "toxin", "U", 300, (("X55120", 25, 4000),)),
    ("Jeuveau", "toxin", "U", 300, (("J88311", 250, 4000),)),
    ("Daxxify", "toxin", "U", 300, (("DX4402", 280, 4000),)),
    ("Juvederm Ultra XC", "filler", "syringe", 4, (("JU20931", 400, 20),)),
    ("Mineral sunscreen SPF 50", "retail", "item", 6, (("SPF2611", 700, 24),)),
)
# Mesotherapy solutions, drawn in mL with their lot like any injectable (product, low stock in
# mL, lots as above, cost per mL, the service that uses it, mL per session).
DEMO_SOLUTIONS = (
    ("NCTF 135 HA revitalising solution", 20, (("NC5120", 60, 60), ("NC6033", 330, 150)), 900,
     "Mesotherapy, revitalising", (2, 2.5, 3)),
    ("Lipolytic solution (phosphatidylcholine)", 20,
     (("LP0417", 240, 200), ("LP0533", 320, 150)), 650,
     "Mesotherapy, lipolytic", (4, 5, 6)),
)
MESO_AREAS = {"Mesotherapy, revitalising": ("Face", "Face and neck", "Neck and décolleté"),
              "Mesotherapy, lipolytic": ("Submental", "Jowls", "Abdomen")}


def _demo_now(today: dt.date) -> dt.datetime:
    """Appointments before "now" have happened. On the real today that is the clock; on any
    other anchor day it is noon, so a fixed --today gives the same clinic at any hour."""
    return (dt.datetime.now() if today == dt.date.today()
            else dt.datetime.combine(today, dt.time(12, 0)))


PACKAGE_SESSIONS = {"laser_hair": 6, "ipl": 3}  # a series bought up front


def _bill(rng: random.Random, staff: dict[str, User], today: dt.date) -> None:
    """Every visit checked out was invoiced and paid at the desk when it ended (card mostly,
    some cash with change), sunscreen priced for retail; completed visits not yet checked out
    wait at the desk. Some patients bought a package at their first laser hair or IPL visit and
    draw later sessions from it; now and then someone buys a gift card, and a card bought
    earlier pays for part of a visit."""
    admin, desk = staff["admin"], staff["frontdesk"]
    invoices.set_tax_rates(admin, invoices.TaxRates(services_bp=0, retail_bp=700))
    for product in inventory.products(admin, ("retail",)):
        invoices.set_retail(admin, product.id, 4200, "SPF50", True)
    visits = (Appointment.select(Appointment, Service).join(Service)
              .where(Appointment.status == S.CHECKED_OUT)
              .order_by(Appointment.end, Appointment.id))
    now = _demo_now(today)
    packages: dict[tuple[int, int], int] = {}
    cards: list[str] = []
    for appt in visits:
        paid_at = min(appt.end, now)  # a visit under way at "now" was paid as it ended
        key = (appt.patient_id, appt.service_id)
        lines = list(invoices.draft_for_appointment(desk, appt.id, packages.get(key)))
        sessions = PACKAGE_SESSIONS.get(appt.service.category)
        if sessions and key not in packages and rng.random() < 0.4:
            price = appt.service.price_cents * sessions * 85 // 100  # 15 % off for the series
            lines.append(invoices.package_line(desk, appt.service_id, sessions, price,
                                               today=paid_at.date()))
        if rng.random() < 0.02:
            lines.append(invoices.gift_card_line(desk, rng.choice((5000, 10000, 15000)),
                                                 recipient=rng.choice(("", "a friend"))))
        invoice = invoices.issue_invoice(desk, invoices.CheckoutInput(
            appt.patient_id, tuple(lines), appt.id,
            tip_cents=rng.choice((0, 0, 1000, 2000))), now=paid_at)
        due = invoice.total_cents
        if cards and due and rng.random() < 0.2:
            code = cards.pop(0)
            spend = min(due, prepaid.gift_card(desk, code).balance_cents)
            invoices.take_payment(desk, invoice.id, invoices.PaymentInput(
                PaymentMethod.GIFT_CARD, spend, gift_card_code=code), now=paid_at)
            due -= spend
        if due and rng.random() < 0.75:
            payment = invoices.PaymentInput(PaymentMethod.CARD, due,
                                            card_last4=f"{rng.randint(0, 9999):04d}",
                                            auth_code=f"A{rng.randint(10000, 99999)}")
        elif due:
            tendered = -(-due // 2000) * 2000  # the next $20 note
            payment = invoices.PaymentInput(PaymentMethod.CASH, due, tendered_cents=tendered)
        if due:
            invoices.take_payment(desk, invoice.id, payment, now=paid_at)
        for package in Package.select().where(Package.invoice == invoice.id):
            packages[(package.patient_id, package.service_id)] = package.id
        cards += [c.code for c in GiftCard.select().where(GiftCard.invoice == invoice.id)]
        if key in packages and not prepaid.patient_packages(
                desk, appt.patient_id, paid_at.date(), appt.service_id)[0].usable:
            del packages[key]  # used up: the next visit is paid again


def _points(view: str, amount: float, *where: tuple[float, float]) -> list[dict]:
    return [{"view": view, "x": x, "y": y, "site": face_chart.site_at(view, x, y),
             "amount": amount} for x, y in where]


# Face-chart patterns at the label doses (docs/domain.md): glabella 20 U in 5 points,
# crow's feet 12 U a side, a light forehead, and masseters.
_GLABELLA = _points("front", 4, (150, 128), (138, 130), (162, 130), (130, 122), (170, 122))
_CROWS_FEET = _points("front", 4, (78, 142), (74, 152), (76, 162), (222, 142), (226, 152),
                      (224, 162))
_FOREHEAD = _points("front", 3, (100, 95), (130, 88), (170, 88), (200, 95))
TOXIN_PATTERNS = (
    ("Glabella", _GLABELLA),
    ("Forehead and glabella", _FOREHEAD + _GLABELLA),
    ("Crow's feet", _CROWS_FEET),
    ("Glabella and crow's feet", _GLABELLA + _CROWS_FEET),
    ("Masseters", _points("front", 8, (75, 240), (82, 262), (70, 255), (225, 240),
                          (218, 262), (230, 255))),
)


def _stock_and_use(rng: random.Random, staff: dict[str, User], today: dt.date) -> None:
    """Stock the shelves as of the demo's first day, and chart each toxin and mesotherapy
    treatment given since as it ended, which draws its units or mL (so a lot recall finds
    real patients)."""
    admin, first_day = staff["admin"], today - dt.timedelta(days=120)
    delivered = dt.datetime.combine(first_day, dt.time(9, 30))
    now = _demo_now(today)
    products = {}
    for name, kind, unit, low, lots in DEMO_STOCK:
        product = inventory.add_product(admin, name, kind, unit, low_stock=low)
        products[name] = product
        for number, days, quantity in lots:
            inventory.receive(admin, product.id, number, today + dt.timedelta(days=days),
                              quantity, cost_cents=rng.choice((0, 450, 520)), today=first_day,
                              now=delivered)
    for name, low, lots, cost, service, _ml in DEMO_SOLUTIONS:  # no draw from rng here
        product = inventory.add_product(admin, name, "solution", "mL", low_stock=low)
        products[service] = product
        for number, days, quantity in lots:
            inventory.receive(admin, product.id, number, today + dt.timedelta(days=days),
                              quantity, cost_cents=cost, today=first_day, now=delivered)
    doses = {service: ml for _n, _l, _lots, _c, service, ml in DEMO_SOLUTIONS}
    by_id = {u.id: u for u in staff.values()}
    given = (Appointment.select().join(Service)
             .where(Service.category.in_(("neurotoxin", "mesotherapy")),
                    Appointment.status.in_((S.COMPLETED, S.CHECKED_OUT)))
             .order_by(Appointment.start, Appointment.id))
    for appt in given:
        product = products.get(appt.service.name)
        if product is None:
            continue
        if appt.service.category == "neurotoxin":
            name, points = rng.choice(TOXIN_PATTERNS)
            values = {"product_id": product.id, "dilution_ml": 2.5, "points": points,
                      "total_units": sum(p["amount"] for p in points), "sites": name}
            aftercare = "Stay upright for 4 hours; no massage or exercise today."
        else:
            values = {"product_id": product.id, "volume_ml": rng.choice(doses[appt.service.name]),
                      "area": rng.choice(MESO_AREAS[appt.service.name]),
                      "depth_mm": rng.choice((1, 1.5, 2, 4)), "points": rng.randint(40, 150),
                      "technique": rng.choice(("nappage", "point by point", "papule"))}
            aftercare = "No make-up for 12 hours; avoid sauna and sun for 48 hours."
        treatment_records.record_treatment(by_id[appt.provider_id], appt.id, values,
                                           aftercare=aftercare, today=appt.start.date(),
                                           now=min(appt.end, now))


def _patient(rng: random.Random, today: dt.date) -> patients.PatientInput:
    first = rng.choice(FIRST_NAMES)
    last = rng.choice(LAST_NAMES)
    age_days = rng.randint(19 * 365, 75 * 365)
    area = rng.choice(AREA_CODES)
    handle = fold(f"{first}.{last}").replace(" ", "").replace("'", "")
    contact_first = rng.choice(FIRST_NAMES)
    return patients.PatientInput(
        first_name=first,
        last_name=last,
        preferred_name=PREFERRED.get(first, "") if rng.random() < 0.5 else "",
        dob=today - dt.timedelta(days=age_days),
        sex=rng.choice(("female",) * 8 + ("male",) * 2),
        phone=f"({area}) 555-{rng.randint(0, 9999):04d}",
        email=f"{handle}{rng.randint(1, 99)}@example.{rng.choice(('com', 'org', 'net'))}",
        address=f"{rng.randint(10, 9999)} {rng.choice(STREETS)}\n{rng.choice(CITIES)}",
        emergency_contact_name=f"{contact_first} {last}",
        emergency_contact_phone=f"({area}) 555-{rng.randint(0, 9999):04d}",
    )


class _Screen:
    """The front desk's glance at the booking alerts: the demo books nobody for a treatment
    their history rules out (the same rules, with each chart read once)."""

    def __init__(self, desk: User) -> None:
        self.desk = desk
        self.charts: dict[int, tuple[dt.date, dict]] = {}
        self.cache: dict[tuple[int, str, int], bool] = {}

    def blocked(self, patient_id: int, category: str, day: dt.date) -> bool:
        key = (patient_id, category, day.toordinal() // 30)  # ages and isotretinoin drift
        if key not in self.cache:
            if patient_id not in self.charts:
                dob = Patient.get_by_id(patient_id).dob
                self.charts[patient_id] = (dob, intake.current_answers(self.desk, patient_id))
            dob, answers = self.charts[patient_id]
            self.cache[key] = any(f.blocking for f in contraindications.findings(
                answers, category, patients.age_on(dob, day), day))
        return self.cache[key]


TOXIN_GAP_DAYS = 90  # the clinic's re-treatment interval: no patient has toxin sooner
TOXIN_PER_DAY = 3  # visits a day across injectors, so every patient's turn comes round
LASER_COURSE = (28, 56, 6)  # laser hair: the next session 4 to 8 weeks on, six in a course
GONE = (S.CANCELLED, S.NO_SHOW)


class _Courses:
    """Who is booked for what, as the demo books them: neurotoxin no sooner than the
    interval, laser hair in courses (the next session 4 to 8 weeks after the last; a patient
    who misses the window has stopped). Cancelled and missed visits do not count."""

    def __init__(self) -> None:
        self.toxin: dict[int, dt.date] = {}
        self.laser: dict[int, tuple[dt.date, int]] = {}  # last session, sessions so far

    def toxin_due(self, patient_id: int, day: dt.date) -> bool:
        last = self.toxin.get(patient_id)
        return last is None or (day - last).days >= TOXIN_GAP_DAYS

    def laser_due(self, day: dt.date) -> list[int]:
        """Patients in a course whose next session falls on ``day``, the most overdue first."""
        low, high, sessions = LASER_COURSE
        due = [(last, pid) for pid, (last, n) in self.laser.items()
               if n < sessions and low <= (day - last).days <= high]
        return [pid for _last, pid in sorted(due)]

    def took(self, patient_id: int, category: str, day: dt.date) -> None:
        if category == "neurotoxin":
            self.toxin[patient_id] = day
        elif category == "laser_hair":
            _last, n = self.laser.get(patient_id, (day, 0))
            self.laser[patient_id] = (day, n + 1)


class _DayBook:
    """The demo's own note of who and what is busy when, so it proposes only free slots;
    ``book_appointment`` still checks every rule."""

    def __init__(self) -> None:
        self.busy: dict[tuple[str, int], list[tuple[dt.datetime, dt.datetime]]] = {}

    def free(self, key: tuple[str, int], start: dt.datetime, end: dt.datetime) -> bool:
        return all(e <= start or s >= end for s, e in self.busy.get(key, ()))

    def take(self, key: tuple[str, int], start: dt.datetime, end: dt.datetime) -> None:
        self.busy.setdefault(key, []).append((start, end))


def _open_day_after(day: dt.date, days: int) -> dt.date:
    day += dt.timedelta(days=days)
    while hours.clinic_hours()[day.weekday()] is None:
        day += dt.timedelta(days=1)
    return day


def _add_blocks(admin: User, staff: dict[str, User], today: dt.date) -> list[TimeBlock]:
    """Upcoming blocked time the schedule shows: a laser service visit, a conference."""
    co2 = Device.get(Device.kind == "co2")
    visit = _open_day_after(today, 2)
    conference = _open_day_after(today, 8)
    return [
        hours.add_block(admin, hours.BlockInput(
            dt.datetime.combine(visit, dt.time(9)), dt.datetime.combine(visit, dt.time(12)),
            "Annual service visit", device_id=co2.id)),
        hours.add_block(admin, hours.BlockInput(
            dt.datetime.combine(conference, dt.time(13)),
            dt.datetime.combine(conference, dt.time(19)),
            "Aesthetics conference", provider_id=staff["director"].id)),
    ]


def _book_appointments(rng, staff, patient_ids, today, days_back, days_ahead, blocks) -> int:
    by_category: dict[str, list[Service]] = {}
    for service in catalog.services(include_retail=False):
        by_category.setdefault(service.category, []).append(service)
    devices_by_kind: dict[str, list] = {}
    for device in catalog.devices():
        devices_by_kind.setdefault(device.kind, []).append(device)
    rooms = catalog.rooms()
    screen = _Screen(staff["frontdesk"])
    courses = _Courses()
    now = _demo_now(today)
    count = 0
    clinic_hours = hours.clinic_hours()
    for offset in range(-days_back, days_ahead + 1):
        day = today + dt.timedelta(days=offset)
        if clinic_hours[day.weekday()] is None:
            continue
        book = _DayBook()
        toxin_today = 0
        for block in blocks:
            if block.start.date() == day:
                key = ("device", block.device_id) if block.device_id else \
                    ("provider", block.provider_id)
                book.take(key, block.start, block.end)
        opening, closing = clinic_hours[day.weekday()]
        close = dt.datetime.combine(day, closing)
        for spec in DEMO_STAFF:
            if not spec.categories or day.weekday() not in spec.days or rng.random() < 0.1:
                continue  # not a clinician, not their day, or a day off now and then
            provider = staff[spec.username]
            choices = [s for c in spec.categories for s in by_category.get(c, [])
                       if not s.device_kind or s.device_kind in devices_by_kind]
            t = dt.datetime.combine(day, opening) + dt.timedelta(minutes=rng.choice(GAPS_MIN))
            while True:
                service = rng.choice(choices)
                if service.category == "neurotoxin" and toxin_today >= TOXIN_PER_DAY:
                    service = rng.choice([s for s in choices if s.category != "neurotoxin"])
                end = t + dt.timedelta(minutes=service.default_minutes)
                if end > close:
                    break
                patient_id = _patient_for(rng, courses, screen, book, service.category,
                                          day, t, end, patient_ids)
                slot = None if patient_id is None else _free_slot(
                    rng, book, provider.id, t, end, rooms,
                    devices_by_kind.get(service.device_kind, [None]), patient_id)
                if slot is None:
                    t += dt.timedelta(minutes=15)
                    continue
                room, device = slot
                appt = appointments.book_appointment(
                    staff["frontdesk"], appointments.AppointmentInput(
                        patient_id, service.id, provider.id, t, end, room_id=room.id,
                        device_id=device.id if device else None))
                count += 1
                if _play_status(rng, staff["frontdesk"], provider, appt, now) not in GONE:
                    courses.took(patient_id, service.category, day)
                    toxin_today += service.category == "neurotoxin"
                t = end + dt.timedelta(minutes=rng.choice(GAPS_MIN))
    return count


def _patient_for(rng, courses: _Courses, screen: _Screen, book: _DayBook, category: str,
                 day: dt.date, start: dt.datetime, end: dt.datetime,
                 patient_ids: list[int]) -> int | None:
    """Who comes in this slot: for laser hair the patient whose course is due (most overdue
    first), else someone starting a course; for neurotoxin someone past the interval; for the
    rest anyone. Never a patient the booking alerts rule out, or one busy then."""
    if category == "laser_hair":
        for patient_id in courses.laser_due(day):
            if (book.free(("patient", patient_id), start, end)
                    and not screen.blocked(patient_id, category, day)):
                return patient_id
    for _try in range(4):  # whoever phones first and fits
        patient_id = rng.choice(patient_ids)
        if not (screen.blocked(patient_id, category, day)
                or not book.free(("patient", patient_id), start, end)
                or (category == "neurotoxin" and not courses.toxin_due(patient_id, day))
                or (category == "laser_hair" and patient_id in courses.laser)):
            return patient_id
    return None


def _free_slot(rng, book: _DayBook, provider_id, start, end, rooms, devices, patient_id):
    if not book.free(("provider", provider_id), start, end):
        return None
    for room in rng.sample(rooms, len(rooms)):
        if not book.free(("room", room.id), start, end):
            continue
        for device in devices:
            if device is not None:
                buffer = dt.timedelta(minutes=device.cleanup_minutes)
                if not book.free(("device", device.id), start - buffer, end + buffer):
                    continue
                book.take(("device", device.id), start, end)
            book.take(("room", room.id), start, end)
            book.take(("patient", patient_id), start, end)
            book.take(("provider", provider_id), start, end)
            return room, device
    return None


# Earlier visits (days ago, category) of patients the demo's weeks left out, so the recall
# lists have someone on them: toxin due (90 to 120 days), filler due (9 to 12 months), lapsed.
RECALL_VISITS = ((95, "neurotoxin"), (100, "neurotoxin"), (104, "neurotoxin"),
                 (109, "neurotoxin"), (113, "neurotoxin"), (118, "neurotoxin"),
                 (280, "filler"), (310, "filler"), (340, "filler"),
                 (200, "mesotherapy"), (250, "mesotherapy"), (300, "mesotherapy"))
MARKETING_SHARE = 0.45  # patients who agreed to recall emails and offers


def _recall_visits(rng: random.Random, staff: dict[str, User], patient_ids: list[int],
                   today: dt.date) -> int:
    """Give patients the demo's weeks left out one earlier visit each (``RECALL_VISITS``,
    checked out, not charted: before the shelves were stocked), and
    record which patients agreed to marketing. Its own random numbers: the weeks before are
    the same with or without it."""
    desk, director = staff["frontdesk"], staff["director"]
    had: dict[str | None, set[int]] = {None: set()}  # category (None: any) -> patients
    for pid, category in (Appointment.select(Appointment.patient, Service.category)
                          .join(Service).tuples()):
        had.setdefault(category, set()).add(pid)
        had[None].add(pid)
    order = list(patient_ids)
    rng.shuffle(order)
    used: set[int] = set()
    screen = _Screen(desk)
    room = next(r for r in catalog.rooms() if r.name == "Room 1")
    by_category = {}
    for service in catalog.services(include_retail=False):
        by_category.setdefault(service.category, []).append(service)
    made = 0
    for n, (days, category) in enumerate(RECALL_VISITS):
        day = today - dt.timedelta(days=days)
        while hours.clinic_hours()[day.weekday()] is None or day.weekday() not in \
                DEMO_STAFF[1].days:
            day -= dt.timedelta(days=1)  # the clinic was closed: the day before
        # toxin or filler: someone never booked for it in the demo's weeks; lapsed: someone
        # never booked at all
        unseen = had[None] if category == "mesotherapy" else had.get(category, set())
        patient_id = next((pid for pid in order if pid not in used and pid not in unseen
                           and not screen.blocked(pid, category, day)), None)
        if patient_id is None:
            continue
        used.add(patient_id)
        service = rng.choice(by_category[category])
        start = dt.datetime.combine(day, dt.time(9 + n % 8))
        try:
            appt = appointments.book_appointment(desk, appointments.AppointmentInput(
                patient_id, service.id, director.id, start,
                start + dt.timedelta(minutes=service.default_minutes), room_id=room.id))
        except DomainError:  # the demo's own weeks reach that far back and it is taken
            continue
        version = appt.version
        for status in (S.CONFIRMED, S.ARRIVED, S.IN_TREATMENT, S.COMPLETED, S.CHECKED_OUT):
            if status == S.IN_TREATMENT:
                _paper_consent(desk, appt)
            actor = director if status in (S.IN_TREATMENT, S.COMPLETED) else desk
            version = appointments.change_status(actor, appt.id, status, version,
                                                 now=start).version
        made += 1
    made += _unfinished_series(rng, desk, director, room, by_category["mesotherapy"],
                               [pid for pid in order if pid not in used
                                and pid not in had.get("mesotherapy", set())], screen, today)
    latest = min(today, dt.date.today())
    for pid in patient_ids:
        if rng.random() < MARKETING_SHARE:
            contact_consent.record_answers(
                desk, pid, {"marketing": True},
                latest - dt.timedelta(days=rng.randint(0, 600)))
    return made


def _unfinished_series(rng: random.Random, desk: User, director: User, room, services,
                       candidates: list[int], screen: _Screen, today: dt.date) -> int:
    """A course of three started four months ago: the first session given, the other two
    cancelled and not rebooked (the patients-due list's unfinished series)."""
    first_day = today - dt.timedelta(days=120)
    while hours.clinic_hours()[first_day.weekday()] is None or \
            first_day.weekday() not in DEMO_STAFF[1].days:
        first_day -= dt.timedelta(days=1)
    service = rng.choice(services)
    patient_id = next((pid for pid in candidates
                       if not screen.blocked(pid, service.category, first_day)), None)
    if patient_id is None:
        return 0
    sessions = []
    for i in range(3):  # every four weeks, the same weekday
        start = dt.datetime.combine(first_day + dt.timedelta(days=28 * i), dt.time(14))
        sessions.append(appointments.AppointmentInput(
            patient_id, service.id, director.id, start,
            start + dt.timedelta(minutes=service.default_minutes), room_id=room.id))
    try:
        course = series.book_series(desk, patient_id, service.id, sessions, 28)
    except DomainError:
        return 0
    booked = sorted(course.appointments, key=lambda a: a.start)
    version = booked[0].version
    for status in (S.CONFIRMED, S.ARRIVED, S.IN_TREATMENT, S.COMPLETED, S.CHECKED_OUT):
        if status == S.IN_TREATMENT:
            _paper_consent(desk, booked[0])
        actor = director if status in (S.IN_TREATMENT, S.COMPLETED) else desk
        version = appointments.change_status(actor, booked[0].id, status, version,
                                             now=booked[0].start).version
    for appt in booked[1:]:
        appointments.change_status(desk, appt.id, S.CANCELLED, appt.version,
                                   reason="Travelling", now=booked[0].start)
    return len(booked)


DEMO_SCAN = grey_png(85, 110)  # a stand-in for a scanned paper form: a blank grey page


def _paper_consent(desk: User, appt) -> None:
    """The demo's patients signed their consent on paper at the front desk before their
    first treatment of a kind (the scan is a placeholder page)."""
    category = appt.service.category
    signed = appt.start - dt.timedelta(minutes=10)
    if consent_policy.missing_consent(desk, appt.patient_id, category, signed):
        template = consent_templates.current(desk, category)
        signing.record_paper(desk, appt.patient_id, template.id, signed, DEMO_SCAN,
                             appointment_id=appt.id)


def _play_status(rng, desk: User, provider: User, appt, now: dt.datetime) -> str:
    """Walk the appointment along the status flow as far as its time says; its status at
    the end."""
    if appt.start >= now:
        steps = [S.CONFIRMED] if rng.random() < 0.4 else []
    else:
        roll = rng.random()
        if roll < 0.06:
            steps = [S.CANCELLED]
        elif roll < 0.10:
            steps = [S.NO_SHOW]
        elif roll < 0.13:
            steps = [S.CONFIRMED, S.ARRIVED, S.IN_TREATMENT, S.COMPLETED]
        else:
            steps = [S.CONFIRMED, S.ARRIVED, S.IN_TREATMENT, S.COMPLETED, S.CHECKED_OUT]
    version = appt.version
    for status in steps:
        if status == S.IN_TREATMENT:
            _paper_consent(desk, appt)
        actor = provider if status in (S.IN_TREATMENT, S.COMPLETED) else desk
        reason = rng.choice(CANCEL_REASONS) if status == S.CANCELLED else ""
        version = appointments.change_status(actor, appt.id, status, version, reason=reason,
                                             now=appt.start - dt.timedelta(
                                                 hours=rng.choice((2, 20, 48, 96)))).version
    return steps[-1] if steps else appt.status
