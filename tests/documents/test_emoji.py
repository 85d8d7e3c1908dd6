"""Emoji in what staff typed print as emoji (Symbola, black and white), never as empty boxes;
one no font of ours has prints as its name; the rest of the line stays as typed."""

from __future__ import annotations

import dataclasses
import unicodedata

from medspa_desktop.documents.day_sheet import DaySheetSection, render_day_sheet
from medspa_desktop.documents.styles import EMOJI, _covered, display_line, drawable, runs
from medspa_desktop.printouts import invoice_pdf
from medspa_desktop.services.charts import patients
from medspa_desktop.store.models import Patient
from tests.documents.pdftext import pdf_text
from tests.documents.test_day_sheet import _line, _sheet
from tests.documents.test_safe_text import _consent_pdf, _fonts
from tests.services.billing.test_invoices import _charted_visit, _checkout, shop  # noqa: F401
from tests.services.treatments.test_treatment_records import clinic  # noqa: F401 (fixture)

NAME = "Zoë 🌸 Park"


def _no_boxes(text: str) -> None:
    assert "\ufffd" not in text and "□" not in text


def test_a_consent_prints_the_flower_in_the_name():
    pdf = _consent_pdf(NAME)
    text = pdf_text(pdf)
    _no_boxes(text)
    assert text.count(NAME) >= 3  # patient, signer and the footer
    assert any(EMOJI in font for font in _fonts(pdf))


def test_the_day_sheet_prints_emoji_in_names_notes_and_alerts():
    pdf = render_day_sheet(_sheet([DaySheetSection("Dr Lee 🌟", (
        _line(9, NAME, notes="Loves 🌸 — bring ☕️", alerts=["⚠️ latex 🧤"]),))]))
    text = pdf_text(pdf)
    _no_boxes(text)
    for expected in (NAME, "Dr Lee 🌟 — 1 appointment", "Loves 🌸 — bring ☕", "latex 🧤"):
        assert expected in text, expected


def test_an_emoji_no_font_has_prints_as_its_name_and_the_rest_stays():
    # U+1FAE0 (Unicode 14) is newer than Symbola; the skin tone and the joiner of a
    # "woman health worker" sequence have nothing to draw in black and white
    pdf = render_day_sheet(_sheet([DaySheetSection("Dr Lee", (
        _line(9, "Ann 🫠 Lee", notes="Thanks 👍🏽 from 👩‍⚕️ Jo"),))]))
    text = pdf_text(pdf)
    _no_boxes(text)
    assert "Ann (melting face) Lee" in text and "Thanks 👍 from 👩⚕ Jo" in text
    assert drawable("\ue000") == "(unnamed character U+E000)"
    assert drawable("a\x0bb") == "ab"  # an invisible control character is left out


def test_every_character_drawn_has_a_glyph_in_its_font():
    main, *extra = _covered()
    fonts = dict(zip(("DroidSansFallback", EMOJI), extra, strict=True))
    for text in (NAME, "👩‍⚕️ 🫠 👍🏽 ☕️ 李明 שרה", "🇺🇸 ❤️ ✨ 🎉"):
        for run, face in runs(display_line(text)):
            for ch in run.replace(" ", ""):
                assert ord(ch) in (fonts[face] if face else main), (text, ch,
                                                                    unicodedata.name(ch, ""))


def test_the_invoice_prints_an_emoji_in_the_patients_name(shop):  # noqa: F811
    zoe = Patient.get_by_id(shop["zoe"].id)
    data = patients.PatientInput(zoe.first_name, zoe.last_name, zoe.dob)
    patients.update_patient(shop["admin"], zoe.id,
                            dataclasses.replace(data, first_name="Zoë 🌸"), zoe.version)
    invoice = _checkout(shop, _charted_visit(shop, 44))
    text = pdf_text(invoice_pdf(shop["desk"], invoice.id))
    _no_boxes(text)
    assert "Zoë 🌸 Ng" in text, text[:400]
