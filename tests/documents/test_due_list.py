"""The printed patients-due list: each list with its count, names and what is due as typed
(markup-like names escaped), and "Nobody." under an empty list."""

from __future__ import annotations

import datetime as dt

from medspa_desktop.documents.due_list import DueLine, DueList, DueSection, render_due_list
from medspa_desktop.documents.styles import Letterhead
from tests.documents.pdftext import pdf_text


def test_the_due_list_prints_every_list_with_names_as_typed():
    lines = (DueLine("Co</b>, Ann <b>&", "000044", "(951) 555-6883", "ann@example.org",
                     dt.date(2026, 12, 2), "Dysport, 105 days ago (22 Aug 2026)", True),
             DueLine("Żółć, Łucja", "000045", "(239) 555-0101", "", None,
                     "Xeomin, 95 days ago (01 Sep 2026)", False))
    pdf = render_due_list(DueList(
        Letterhead("Lumière Clinic", "1 Main St", "(555) 010-0100", "", "", "", None),
        dt.date(2026, 12, 5), (DueSection("Toxin due", lines), DueSection("Lapsed", ())),
        dt.datetime(2026, 12, 5, 9, 30), "Sam O'Neill"))
    text = pdf_text(pdf)
    for expected in ("Patients due on Sat 05 Dec 2026", "2 patients to call",
                     "Toxin due (2)", "Co</b>, Ann <b>&", "Żółć, Łucja", "(951) 555-6883",
                     "Dysport, 105 days ago (22 Aug 2026)", "2026-12-02", "Lapsed (0)",
                     "Nobody.", "Reached"):
        assert expected in text, expected
