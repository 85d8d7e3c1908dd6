"""The recall list: everyone who received a lot, with how to reach them, to work through by
phone and tick off. Landscape, so names and email addresses fit on one line."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from .styles import Letterhead, build_pdf, list_table, para, styles, usable_width
from .wording import received_how


@dataclass(frozen=True)
class RecallLine:
    at: dt.datetime
    patient: str
    chart_number: str
    phone: str
    email: str
    product: str
    dose: str
    provider: str
    sold: bool = False  # bought at the desk, not given at a visit


@dataclass(frozen=True)
class RecallList:
    letterhead: Letterhead
    lot_number: str
    lines: tuple[RecallLine, ...]
    printed_at: dt.datetime
    printed_by: str
    page_size: str = "letter"


HEADERS = ("Date", "Patient", "Chart", "Phone", "Email", "Product and dose", "Provider",
           "Reached")
WIDTHS = [22 * mm, None, 16 * mm, 28 * mm, 52 * mm, 42 * mm, 32 * mm, 19 * mm]


def render_recall_list(recall: RecallList) -> bytes:
    st = styles()
    widths = list(WIDTHS)
    widths[1] = usable_width(recall.page_size, landscape=True) - sum(w for w in WIDTHS if w)
    people = len({(x.patient, x.chart_number) for x in recall.lines})
    sold = sum(x.sold for x in recall.lines)
    story: list = [
        para(f"Lot recall: lot {recall.lot_number}", st["title"]),
        Spacer(1, 2 * mm),
        para(f"{people} patient{'s' if people != 1 else ''} received lot {recall.lot_number} "
             f"({received_how(len(recall.lines) - sold, sold)}), newest first.", st["body"]),
        Spacer(1, 3 * mm),
    ]
    rows = [[para(h, st["bold"]) for h in HEADERS]]
    rows += [[para(f"{x.at:%Y-%m-%d}", st["small"]), para(x.patient, st["body"]),
              para(x.chart_number, st["small"]), para(x.phone, st["small"]),
              para(x.email, st["small"]), para(f"{x.product}, {x.dose}", st["small"]),
              para(x.provider, st["small"]), para("☐", st["body"])]
             for x in recall.lines]
    table = list_table(rows, widths)
    story.append(table)
    return build_pdf(story, letterhead=recall.letterhead, page_size=recall.page_size,
                     title=f"Lot recall {recall.lot_number}", heading="Lot recall",
                     printed_at=recall.printed_at, printed_by=recall.printed_by,
                     landscape=True)
