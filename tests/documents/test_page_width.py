"""A table as wide as ``usable_width`` stays inside the printed frame on every paper size and
orientation: before, every full-width table ran 12 pt past the right margin's frame."""

from __future__ import annotations

import datetime as dt

import pytest
from reportlab.platypus import Table

from medspa_desktop.documents.styles import PAGE_SIZES, Letterhead, build_pdf, usable_width
from tests.documents.pdftext import pdf_text


class Measured(Table):
    """A table that notes the width the frame offered it."""

    offered: list[float] = []

    def wrap(self, avail_width, avail_height):
        Measured.offered.append(avail_width)
        return super().wrap(avail_width, avail_height)


@pytest.mark.parametrize("paper", sorted(PAGE_SIZES))
@pytest.mark.parametrize("landscape", [False, True])
def test_a_full_width_table_fits_the_frame(paper, landscape):
    Measured.offered = []
    width = usable_width(paper, landscape)
    table = Measured([["Patient", "Service", "Amount"]], colWidths=[width / 3] * 3)
    pdf = build_pdf([table], letterhead=Letterhead("Test Clinic"), page_size=paper,
                    title="t", heading="Width", printed_at=dt.datetime(2026, 12, 5, 9),
                    printed_by="Admin", landscape=landscape)
    assert Measured.offered and all(width <= offered + 0.01 for offered in Measured.offered)
    assert "Amount" in pdf_text(pdf)
