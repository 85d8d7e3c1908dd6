"""The clinic's own details from its setup: saved together or not at all, the logo kept in the
database and drawn on every letterhead, the currency symbol on every amount."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from medspa_desktop import printouts
from medspa_desktop.services.billing import money
from medspa_desktop.services.clinic import clinic
from medspa_desktop.services.platform import auth
from medspa_desktop.services.platform.errors import PermissionDenied, ValidationError
from medspa_desktop.services.platform.png import grey_png
from medspa_desktop.store.models import AuditEvent, ClinicSetting, StoredFile
from tests.documents.pdftext import pdf_text


@pytest.fixture(autouse=True)
def dollars_again():
    """The currency symbol is the process's: every test leaves it as it found it."""
    yield
    money.use_currency_symbol("$")


@pytest.fixture
def owner(database):
    return clinic.create_clinic(clinic.ClinicInfo("New Clinic"),
                                auth.UserInput("owner", "Olive Owner", "admin", "long-enough"),
                                default_catalog=False)


DETAILS = clinic.ClinicInfo("Glow Med Spa", "12 Palm Ave\nNaples, FL", "(239) 555-0100",
                            "12-3456789", "hello@glow.example", "www.glow.example",
                            "America/New_York", "€")


def test_a_new_clinic_starts_in_the_pcs_time_zone_and_in_dollars(owner):
    info = clinic.clinic_info()
    assert info.time_zone == clinic.pc_time_zone() and info.currency == "$"
    assert clinic.time_zone() == info.time_zone


def test_the_details_are_saved_audited_and_used_for_money(owner):
    saved = clinic.save_details(owner, DETAILS)
    assert clinic.clinic_info() == saved
    assert saved.phone == "2395550100"
    assert money.show_cents(123456) == "€1,234.56"
    assert money.to_cents("€12.50") == 1250
    event = AuditEvent.get(AuditEvent.action == "clinic.details")
    assert "currency: '$' -> '€'" in event.summary


@pytest.mark.parametrize(("field", "value", "message"), [
    ("name", " ", "Enter the clinic's name."),
    ("email", "hello at glow", "Enter the clinic's email as name@example.com."),
    ("website", "glow", "Enter the clinic's website as www.example.com."),
    ("time_zone", "Mars/Olympus", "'Mars/Olympus' is not a time zone"),
    ("currency", "12", "The currency symbol is 1 to 4 characters"),
])
def test_a_bad_detail_is_refused_and_nothing_is_saved(owner, field, value, message):
    before = {r.key: r.value for r in ClinicSetting.select()}
    bad = clinic.ClinicInfo(**{**DETAILS.__dict__, field: value})
    with pytest.raises(ValidationError, match=message):
        clinic.save_details(owner, bad)
    assert {r.key: r.value for r in ClinicSetting.select()} == before
    assert money.show_cents(100) == "$1.00"


def test_only_an_admin_changes_the_clinics_details(owner):
    desk = auth.create_user(owner, auth.UserInput("desk", "Sam", "front_desk", "long-enough"))
    with pytest.raises(PermissionDenied):
        clinic.save_details(desk, DETAILS)
    with pytest.raises(PermissionDenied):
        clinic.set_logo(desk, grey_png(40, 20))
    assert clinic.clinic_info().name == "New Clinic"


def _images_on_first_page(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages[0].images)


def test_the_logo_is_kept_in_the_database_and_drawn_on_every_letterhead(owner):
    clinic.save_details(owner, DETAILS)
    before = printouts.intake_form_pdf(owner)
    assert _images_on_first_page(before) == 0
    with pytest.raises(ValidationError, match="The logo must be a PNG or JPEG picture"):
        clinic.set_logo(owner, b"GIF89a not a logo")
    logo = grey_png(120, 40, ink_row=20)
    sha = clinic.set_logo(owner, logo)
    assert StoredFile.get(StoredFile.sha256 == sha).content == logo
    assert clinic.logo() == logo
    for pdf in (printouts.intake_form_pdf(owner),
                printouts.day_sheet_pdf(owner, dt.date(2030, 3, 5))):
        assert _images_on_first_page(pdf) == 1
        text = pdf_text(pdf)
        assert "Glow Med Spa" in text and "hello@glow.example" in text
    clinic.remove_logo(owner)
    assert clinic.logo() is None
    assert _images_on_first_page(printouts.intake_form_pdf(owner)) == 0
    assert AuditEvent.select().where(AuditEvent.action == "clinic.logo").count() == 2
