"""Patient text in PDFs: printed as typed in any script, never read as markup."""

from __future__ import annotations

import datetime as dt
import io
import unicodedata

import pytest
from pypdf import PdfReader

from medspa_desktop.documents.consent import render_consent
from medspa_desktop.documents.styles import (
    FALLBACK,
    Letterhead,
    Ours,
    _covered,
    display_line,
    reading_order,
    runs,
    safe,
)
from medspa_desktop.documents.treatment_record import TreatmentRecordDoc, render_treatment_record
from medspa_desktop.services.consents import consent_templates
from medspa_desktop.services.consents.signing import ConsentSheet
from medspa_desktop.services.platform.png import grey_png
from medspa_desktop.services.treatments.treatment_records import RecordView
from tests.documents.pdftext import pdf_text

NAMES = {
    "markup": "Ann <b>& Co</b>",
    "latin": "O'Brien-Żółć",
    "hebrew": "שרה כהן",
    "arabic": "ليلى حداد",
    "chinese": "李明",
    "japanese": "さくら 山田",
}
LETTERHEAD = Letterhead("Clinic <i>&</i> Spa", "1 Main St", "(555) 010-0100")


def _consent_pdf(name: str) -> bytes:
    sections = (consent_templates.Section("Risks", "Bruising & swelling <maybe>.", True),)
    sheet = ConsentSheet("Consent", "Neurotoxin", 1, 1, sections, ("AB",), name,
                         dt.date(1990, 1, 2), "000042", dt.datetime(2026, 11, 23, 10, 0),
                         name, "", grey_png(40, 12, 255, 6), "Jo Kim, RN",
                         grey_png(40, 12, 255, 6), "ab" * 32)
    return render_consent(sheet, LETTERHEAD)


def _fonts(pdf: bytes) -> set[str]:
    found = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            found.add(str(font.get_object()["/BaseFont"]))
    return found


@pytest.mark.parametrize("script", NAMES)
def test_a_name_prints_as_typed_in_its_script(script):
    name = NAMES[script]
    pdf = _consent_pdf(name)
    # pypdf reads drawn right-to-left text back in logical order, and shaped Arabic as
    # presentation forms (NFKC folds them back to the letters typed)
    text = unicodedata.normalize("NFKC", pdf_text(pdf))
    assert name in text
    needs_fallback = script in ("chinese", "japanese")
    assert any(FALLBACK in f for f in _fonts(pdf)) == needs_fallback
    assert "Clinic <i>&</i> Spa" in text and "Bruising & swelling <maybe>." in text


def test_every_character_of_each_script_has_a_glyph():
    main, extra, _emoji = _covered()
    for script, name in NAMES.items():
        for run, face in runs(reading_order(name)):
            assert face in (None, FALLBACK)
            for ch in run.replace(" ", ""):
                assert ord(ch) in (extra if face else main), (script, ch)


def test_arabic_letters_are_joined_and_hebrew_reads_right_to_left():
    assert reading_order("שלום Cohen") == "Cohen םולש"
    shaped = reading_order("ليلى")
    assert all(0xFE70 <= ord(ch) <= 0xFEFF for ch in shaped)  # contextual forms


def test_markup_in_user_text_is_printed_and_fetches_nothing():
    hostile = ('<img src="http://example.com/x.png"/> <a href="http://example.com">click</a> '
               '<font color="red">red</font> &amp; <para>')
    assert "<img" not in safe(hostile) and "&lt;img" in safe(hostile)
    view = RecordView(1, 1, dt.datetime(2026, 11, 23, 10), "Botox", "Neurotoxin", "Jo Kim",
                      (("Site notes", hostile),), (), "U", "Botox", "C1", "2027-01-01",
                      hostile, "Jo Kim", dt.datetime(2026, 11, 23, 10, 30))
    pdf = render_treatment_record(TreatmentRecordDoc(LETTERHEAD, hostile, "1990-01-02", "1",
                                                     view, dt.datetime(2026, 11, 23), "Jo"))
    text = pdf_text(pdf)
    assert text.count('<a href="http://example.com">click</a>') == 3
    assert b"/URI" not in pdf and b"/Subtype /Image" not in pdf


def test_a_5000_character_note_prints_whole_across_pages():
    words = [f"word{i:04d}" for i in range(556)]  # 556 × 9 characters ≈ 5,000
    note = " ".join(words)
    assert len(note) >= 5000
    view = RecordView(1, 1, dt.datetime(2026, 11, 23, 10), "Botox", "Neurotoxin", "Jo Kim",
                      (), (), "U", "", "", "", note + "\n" + note, "Jo Kim",
                      dt.datetime(2026, 11, 23, 10, 30))
    pdf = render_treatment_record(TreatmentRecordDoc(LETTERHEAD, "Ann Lee", "1990-01-02", "1",
                                                     view, dt.datetime(2026, 11, 23), "Jo"))
    text = pdf_text(pdf)
    assert all(text.count(w) == 2 for w in words)
    assert len(PdfReader(io.BytesIO(pdf)).pages) >= 2


def test_only_the_users_run_is_reordered_in_a_line_that_mixes_it_with_ours():
    name = "ليلى حداد"
    mixed = (name, Ours(" (chart 000002)"))
    # the name alone is shaped and reversed; our words and brackets stay as written
    assert display_line(mixed) == reading_order(name) + " (chart 000002)"
    assert safe(mixed) == safe(name) + " (chart 000002)"
    # as one line the algorithm carried our bracketed number to the name's left, reversed
    assert reading_order(f"{name} (chart 000002)").startswith(")chart 000002(")
    assert display_line(("שלום", Ours(" <1> & "), "Cohen")) == "םולש <1> & Cohen"
    assert safe(("a <b>", Ours("\n& "), "שלום")) == "a &lt;b&gt;<br/>&amp; םולש"


def test_a_consent_footer_and_signer_keep_the_chart_after_a_hebrew_name():
    name = NAMES["hebrew"]
    pdf = _consent_pdf(name)
    text = "\n".join(page.extract_text(extraction_mode="layout")
                     for page in PdfReader(io.BytesIO(pdf)).pages)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    assert any(line.startswith(f"{reading_order(name)}, chart 000042 · version 1")
               for line in lines), lines
