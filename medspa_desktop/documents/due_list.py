"""Patients due: the front desk's call list — toxin due, filler due, unfinished series,
lapsed — with how to reach each patient and a box to tick once reached. Landscape, so names,
phone numbers and what is due fit on one line. (A lot recall is ``recall_list.py``.)"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from .styles import Letterhead, build_pdf, list_table, para, styles, usable_width


@dataclass(frozen=True)
class DueLine:
    patient: str
    chart_number: str
    phone: str
    email: str
    last_visit: dt.date | None
    due: str
    marketing: bool  # may be sent a recall email


@dataclass(frozen=True)
class DueSection:
    title: str  # "Toxin due"
    lines: tuple[DueLine, ...]


@dataclass(frozen=True)
class DueList:
    letterhead: Letterhead
    day: dt.date
    sections: tuple[DueSection, ...]
    printed_at: dt.datetime
    printed_by: str
    page_size: str = "letter"


HEADERS = ("Patient", "Chart", "Phone", "Email", "Last visit", "What is due", "Emails",
           "Reached")
WIDTHS = [42 * mm, 16 * mm, 28 * mm, 52 * mm, 20 * mm, None, 16 * mm, 18 * mm]


def render_due_list(due: DueList) -> bytes:
    st = styles()
    widths = list(WIDTHS)
    widths[5] = usable_width(due.page_size, landscape=True) - sum(w for w in WIDTHS if w)
    total = sum(len(s.lines) for s in due.sections)
    story: list = [
        para(f"Patients due on {due.day:%a %d %b %Y}", st["title"]),
        Spacer(1, 2 * mm),
        para(f"{total} patient{'s' if total != 1 else ''} to call, nothing booked for what "
             "they are due. “Emails: yes” — the patient agreed to recall emails.", st["body"]),
    ]
    for section in due.sections:
        story += [para(f"{section.title} ({len(section.lines)})", st["heading"])]
        if not section.lines:
            story.append(para("Nobody.", st["small"]))
            continue
        rows = [[para(h, st["bold"]) for h in HEADERS]]
        rows += [[para(x.patient, st["body"]), para(x.chart_number, st["small"]),
                  para(x.phone, st["small"]), para(x.email, st["small"]),
                  para(f"{x.last_visit:%Y-%m-%d}" if x.last_visit else "", st["small"]),
                  para(x.due, st["small"]), para("yes" if x.marketing else "no", st["small"]),
                  para("☐", st["body"])]
                 for x in section.lines]
        table = list_table(rows, widths)
        story.append(table)
    return build_pdf(story, letterhead=due.letterhead, page_size=due.page_size,
                     title=f"Patients due {due.day:%Y-%m-%d}", heading="Patients due",
                     printed_at=due.printed_at, printed_by=due.printed_by, landscape=True)
