"""The day sheet: the day's appointments, per provider or for the whole clinic, with the
patient alerts and notes the team needs at hand."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from .styles import Letterhead, build_pdf, para, safe, styles, usable_width


@dataclass(frozen=True)
class DaySheetLine:
    start: dt.datetime
    end: dt.datetime
    patient: str
    service: str
    room: str = ""
    device: str = ""
    status: str = ""
    alerts: tuple[str, ...] = ()
    notes: str = ""


@dataclass(frozen=True)
class DaySheetSection:
    title: str  # a provider, or "Whole clinic"
    lines: tuple[DaySheetLine, ...]


@dataclass(frozen=True)
class DaySheet:
    letterhead: Letterhead
    day: dt.date
    sections: tuple[DaySheetSection, ...]
    printed_at: dt.datetime
    printed_by: str
    page_size: str = "letter"
    subtitle: str = field(default="")


NOTE_LIMIT = 400  # a day sheet is a quick reference; the full note stays with the appointment
COLUMNS = ("Time", "Patient", "Service", "Room / device", "Alerts and notes")
WIDTHS = (25 * mm, 42 * mm, 44 * mm, 34 * mm, None)  # the rest goes to alerts and notes


class SectionTable(Table):
    """A provider's rows whose first row is the provider's heading: on every page the rows
    continue onto, the repeated heading reads "Dr Lee (continued)"."""

    continued: Flowable | None = None

    def split(self, availWidth, availHeight):
        parts = super().split(availWidth, availHeight)
        for part in parts:
            part.continued = self.continued
        for part in parts[1:]:
            if self.continued is not None:
                # a new row: the parts share their rows' lists with the table they came from
                part._cellvalues[0] = [self.continued, *part._cellvalues[0][1:]]
        return parts


def render_day_sheet(sheet: DaySheet) -> bytes:
    st = styles()
    usable = usable_width(sheet.page_size)
    widths = list(WIDTHS)
    widths[-1] = usable - sum(w for w in WIDTHS if w)
    story: list = [para(f"{sheet.day:%A %d %B %Y}", st["title"])]
    if sheet.subtitle:
        story.append(para(sheet.subtitle, st["body"]))
    for section in sheet.sections:
        story.append(CondPageBreak(40 * mm))
        count = len(section.lines)
        heading = para(f"{section.title} — {count} appointment{'s' if count != 1 else ''}",
                       st["heading"])
        if not section.lines:
            story.extend([heading, para("No appointments.", st["body"])])
            continue
        rows = [[heading, "", "", "", ""], [Paragraph(c, st["bold"]) for c in COLUMNS]]
        for line in section.lines:
            where = " / ".join(x for x in (line.room, line.device) if x)
            extra = [f"<font color='#8a4b00'>⚠ {safe(a)}</font>" for a in line.alerts]
            if line.notes:
                note = line.notes if len(line.notes) <= NOTE_LIMIT else (
                    line.notes[:NOTE_LIMIT].rstrip() + "… (full note in the appointment)")
                extra.append(safe(note))
            if line.status:
                extra.append(f"<font color='#555555'>{safe(line.status)}</font>")
            rows.append([
                para(f"{line.start:%H:%M}–{line.end:%H:%M}", st["body"]),
                para(line.patient, st["body"]),
                para(line.service, st["body"]),
                para(where, st["small"]),
                Paragraph("<br/>".join(extra), st["small"]),
            ])
        # the provider's heading and the column titles start every page the rows run onto;
        # splitInRow: a row taller than a page (many alerts) continues on the next page
        table = SectionTable(rows, colWidths=widths, repeatRows=2, splitInRow=1)
        table.continued = para(f"{section.title} (continued)", st["heading"])
        table.setStyle(TableStyle([
            ("SPAN", (0, 0), (-1, 0)),
            ("TOPPADDING", (0, 0), (-1, 0), 8),
            ("BACKGROUND", (0, 1), (-1, 1), colors.HexColor("#ececec")),
            ("LINEBELOW", (0, 1), (-1, 1), 0.8, colors.HexColor("#888888")),
            ("LINEBELOW", (0, 2), (-1, -1), 0.3, colors.HexColor("#cccccc")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 1), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ]))
        story.extend([table, Spacer(1, 4 * mm)])
    return build_pdf(story, letterhead=sheet.letterhead, page_size=sheet.page_size,
                     title=f"Day sheet {sheet.day:%Y-%m-%d}", heading="Day sheet",
                     printed_at=sheet.printed_at, printed_by=sheet.printed_by)
