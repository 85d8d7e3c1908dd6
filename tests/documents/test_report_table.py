"""A report's table on paper: twelve months, a total and the previous period on a portrait
page keep every word whole (the font steps down), and a narrow table keeps the body's size."""

from __future__ import annotations

import datetime as dt

from medspa_desktop.documents.report import render_report
from medspa_desktop.documents.styles import Letterhead
from medspa_desktop.services.reports.shapes import Chart, Series, Shown, Table
from tests.documents.pdftext import pdf_text

MONTHS = tuple(f"{dt.date(2026, m, 1):%b %Y}" for m in range(1, 13))


def _pdf(headers, rows, total=None) -> str:
    shown = Shown("Headline.", Chart(("a",), (Series("x", (1.0,)),), "count"),
                  Table(headers, rows, tuple(range(1, len(headers))), total))
    return pdf_text(render_report(
        "Treatments and stock: Fillers and solutions by month", dt.date(2026, 1, 1),
        dt.date(2026, 12, 31), shown,
        Letterhead("Lumière Clinic", "1 Main St", "(555) 010-0100", "", "", "", None),
        dt.datetime(2027, 1, 2, 9, 0), "Alex Morgan", "letter"))


def test_a_wide_table_keeps_its_words_whole():
    headers = ("Product", *MONTHS, "Total", "Previous period")
    rows = (("Lipolytic solution (phosphatidylcholine) (mL)",
             *["124.5 mL"] * 12, "1,494 mL", "0 mL"),)
    text = _pdf(headers, rows)
    for month in MONTHS:  # "Dec 2025" was printed "De / c 2 / 02 / 5"
        assert month.split()[1] in text.split(), month
    assert "period" in text.split() and "Previous" in text.split()
    assert text.count("124.5 mL") == 12 and "1,494 mL" in text


def test_a_narrow_table_is_printed_as_before():
    text = _pdf(("Name", "Mon", "Tue", "Wed", "All week"),
                (("Dr Vasquez", "9%", "7%", "8%", "8%"),))
    for word in ("Mon", "Tue", "Wed", "week", "Dr Vasquez"):
        assert word in text
