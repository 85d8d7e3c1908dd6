"""The day sheet PDF, read back as a person (or a PDF reader) would."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from medspa_desktop.documents.day_sheet import (
    DaySheet,
    DaySheetLine,
    DaySheetSection,
    render_day_sheet,
)
from medspa_desktop.documents.styles import Letterhead
from tests.documents.pdftext import pdf_text

DAY = dt.date(2026, 11, 20)


def _line(hour: int, patient: str, notes: str = "", alerts=()) -> DaySheetLine:
    start = dt.datetime.combine(DAY, dt.time(hour))
    return DaySheetLine(start, start + dt.timedelta(minutes=30), patient, "Botox Cosmetic",
                        "Room 2", "", "Booked", tuple(alerts), notes)


def _sheet(sections, page_size="letter") -> DaySheet:
    return DaySheet(Letterhead("Glow & Co <Med Spa>", "1 Main St\nNaples", "(239) 555-0100"),
                    DAY, tuple(sections), dt.datetime(2026, 11, 20, 8, 0), "Sam O'Neill",
                    page_size)


def test_names_and_notes_print_exactly_as_typed():
    pdf = render_day_sheet(_sheet([DaySheetSection("Dr Lee", (
        _line(9, "Żółć, Łucja", notes="Ann <b>& Co</b> <img src='http://x/y.png'/>"),
        _line(10, "Ødegaard, Zoë", alerts=["Under 17: neurotoxin is contraindicated."]),
    ))]))
    text = pdf_text(pdf)
    for expected in ("Żółć, Łucja", "Ødegaard, Zoë", "Ann <b>& Co</b>",
                     "<img src='http://x/y.png'/>", "Glow & Co <Med Spa>",
                     "Under 17: neurotoxin is contraindicated.", "Dr Lee — 2 appointments",
                     "09:00–09:30", "Friday 20 November 2026", "Printed 2026-11-20 08:00 by "
                     "Sam O'Neill"):
        assert expected in text, expected


def test_the_fonts_are_embedded():
    pdf = render_day_sheet(_sheet([DaySheetSection("Dr Lee", (_line(9, "Żółć, Łucja"),))]))
    embedded, other = set(), set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            name = str(font["/BaseFont"])
            if "/FontDescriptor" in font and "/FontFile2" in font["/FontDescriptor"]:
                embedded.add(name.split("+")[-1])
            else:
                other.add(name)
    assert embedded == {"DejaVuSans", "DejaVuSans-Bold"}
    assert other <= {"/Helvetica"}  # reportlab's declared starting font; no text uses it


def test_a_long_day_runs_onto_more_pages_with_the_header_repeated():
    long_note = "Prefers the left side. " * 220  # about 5,000 characters
    alerts = [f"Alert {n}: something the provider must see before starting." for n in range(80)]
    lines = tuple(_line(9 + (i % 9), f"Patient {i:03d}", notes=long_note if i == 3 else "",
                        alerts=alerts if i == 7 else ()) for i in range(60))
    pdf = render_day_sheet(_sheet([DaySheetSection("Whole clinic", lines)]))
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 3
    for page in reader.pages:
        text = page.extract_text()
        assert "Alerts and notes" in text and "Page " in text
    text = pdf_text(pdf)
    assert "Patient 059" in text and "Alert 79: something" in text
    assert "Prefers the left side. Prefers" in text and "(full note in the appointment)" in text


def _body_lines(page) -> list[str]:
    """A page's lines below the letterhead (clinic name, contact line, title)."""
    lines = [" ".join(line.split()) for line in
             page.extract_text(extraction_mode="layout").splitlines() if line.strip()]
    return lines[2:]


def test_every_page_a_providers_rows_run_onto_starts_with_their_name_and_the_columns():
    lee = tuple(_line(9 + i % 9, f"Lee patient {i:03d}",
                      alerts=["Allergic to lidocaine."] if i % 3 == 0 else ())
                for i in range(70))
    kim = tuple(_line(9 + i % 9, f"Kim patient {i:03d}") for i in range(40))
    pdf = render_day_sheet(_sheet([DaySheetSection("Dr Lee", lee),
                                   DaySheetSection("Jo Kim, RN", kim)]))
    pages = PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) >= 4
    first = _body_lines(pages[0])
    assert first[:2] == ["Friday 20 November 2026", "Dr Lee — 70 appointments"], first[:3]
    assert "(continued)" not in pages[0].extract_text()
    seen = []
    for page in pages[1:]:
        lines = _body_lines(page)
        first_row = next(line for line in lines if "patient" in line)
        owner = "Dr Lee" if first_row.split()[1] == "Lee" else "Jo Kim, RN"
        if lines[0].startswith(("Dr Lee —", "Jo Kim, RN —")):  # a section starting afresh
            continue
        assert lines[0] == f"{owner} (continued)", lines[:3]
        assert lines[1].startswith("Time Patient Service Room / device Alerts and notes")
        seen.append(owner)
    assert "Dr Lee" in seen  # the first provider did run onto another page
    text = pdf_text(pdf)
    assert "Lee patient 069" in text and "Kim patient 039" in text


def test_an_empty_day_says_so():
    text = pdf_text(render_day_sheet(_sheet([DaySheetSection("Dr Lee", ())])))
    assert "Dr Lee — 0 appointments" in text and "No appointments." in text


@pytest.mark.parametrize(("size", "width_pt"), [("letter", 612), ("a4", 595)])
def test_paper_size_follows_the_clinic_setting(size, width_pt):
    pdf = render_day_sheet(_sheet([DaySheetSection("Dr Lee", ())], page_size=size))
    assert round(float(PdfReader(io.BytesIO(pdf)).pages[0].mediabox.width)) == width_pt
