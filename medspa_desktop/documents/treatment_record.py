"""The treatment record: what was done at a visit — parameters, the face chart with its
numbered points, the lot used, the provider and the aftercare given — and under it, as
charted, every amendment made since (who, when, why, what)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer, Table, TableStyle

from ..services.treatments.face_chart import VIEWS, amount_text, total, totals_by_site
from .face_chart import FaceChartDrawing
from .styles import GRID, SHADE, Letterhead, build_pdf, para, styles, usable_width

if TYPE_CHECKING:  # the record's plain view; documents/ never reaches the database
    from ..services.treatments.treatment_records import RecordView



@dataclass(frozen=True)
class TreatmentRecordDoc:
    letterhead: Letterhead
    patient: str
    dob: str
    chart_number: str
    record: RecordView
    printed_at: dt.datetime
    printed_by: str
    page_size: str = "letter"


def _table(rows: list, widths: list, header: bool = True) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    style = [("LINEBELOW", (0, 0), (-1, -1), 0.3, GRID), ("VALIGN", (0, 0), (-1, -1), "TOP"),
             ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), SHADE))
    table.setStyle(TableStyle(style))
    return table


def _face_chart(r: RecordView, usable: float, st) -> Table:
    """The drawing with the numbered legend and the totals: side by side when only the front
    view is used, the tables under a wider drawing when side views are too."""
    legend = [[para("#", st["bold"]), para("Site", st["bold"]), para("View", st["bold"]),
               para("Dose", st["bold"])]]
    legend += [[para(str(n), st["body"]), para(p.site, st["body"]),
                para(VIEWS[p.view], st["small"]), para(amount_text(p.amount, r.unit),
                                                       st["right"])]
               for n, p in enumerate(r.points, 1)]
    sums = [[para("Site", st["bold"]), para("Total", st["bold"])]]
    sums += [[para(site, st["body"]), para(amount_text(amount, r.unit), st["right"])]
             for site, amount in totals_by_site(list(r.points))]
    sums.append([para(r.product or "Total", st["bold"]),
                 para(amount_text(total(list(r.points)), r.unit), st["right"])])
    drawing = FaceChartDrawing(r.points)
    gap = 6 * mm
    width = (usable - gap) / 2
    points_table = _table(legend, [10 * mm, width - 50 * mm, 21 * mm, 19 * mm])
    sums_table = _table(sums, [width - 22 * mm, 22 * mm])
    sums_table.setStyle(TableStyle([("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black)]))
    flush = [("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
             ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (0, -1), gap)]
    if drawing.views == ["front"]:
        return Table([[drawing, [sums_table, Spacer(1, 4 * mm), points_table]]],
                     colWidths=[width + gap, width], style=flush)
    drawing.max_height = 72 * mm
    return Table([[drawing, ""], [sums_table, points_table]], colWidths=[width + gap, width],
                 style=[*flush, ("SPAN", (0, 0), (1, 0)), ("BOTTOMPADDING", (0, 0), (-1, 0),
                                                           4 * mm)])


def _amendments(r: RecordView, usable: float, st) -> list:
    """The amendments under the original, oldest first: the record above stays as charted.
    The heading stays with the first amendment, and each amendment on one page."""
    heading = [para("Amendments", st["heading"]),
               para("The record above is as it was charted; these amendments were made "
                    "since.", st["small"]), Spacer(1, 2 * mm)]
    out: list = []
    for n, a in enumerate(r.amendments, 1):
        rows = [[para(f"Amendment {n}", st["bold"]),
                 para(f"{a.author}, {a.at:%Y-%m-%d %H:%M}", st["body"])],
                [para("Reason", st["bold"]), para(a.reason, st["body"])],
                [para("Amendment", st["bold"]), para(a.text, st["body"])]]
        table = _table(rows, [34 * mm, usable - 34 * mm], header=False)
        table.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, 0), SHADE)]))
        out.append(KeepTogether([*(heading if n == 1 else []), table, Spacer(1, 3 * mm)]))
    return out


def render_treatment_record(doc: TreatmentRecordDoc) -> bytes:
    st, r = styles(), doc.record
    usable = usable_width(doc.page_size)
    story: list = [para(f"{r.modality}: {r.service}", st["title"]), Spacer(1, 3 * mm)]
    who = [[para("Patient", st["bold"]), para(doc.patient, st["body"]),
            para("Born", st["bold"]), para(doc.dob, st["body"]),
            para("Chart", st["bold"]), para(doc.chart_number, st["body"])],
           [para("Visit", st["bold"]), para(f"{r.start:%a %d %b %Y %H:%M}", st["body"]),
            para("Provider", st["bold"]), para(r.provider, st["body"]), "", ""]]
    story += [Table(who, colWidths=[19 * mm, None, 20 * mm, 42 * mm, 15 * mm, 20 * mm],
                    style=[("VALIGN", (0, 0), (-1, -1), "TOP")]), Spacer(1, 2 * mm)]

    story.append(para("Treatment parameters", st["heading"]))
    half = usable / 2
    rows = [[para(label, st["bold"]), para(value, st["body"])]
            for label, value in r.parameters]
    if r.lot:
        rows.append([para("Lot", st["bold"]),
                     para(f"{r.lot}, expires {r.expiry}", st["body"])])
    if rows:
        story.append(_table(rows, [half * 0.62, usable - half * 0.62], header=False))
    else:
        story.append(para("None recorded.", st["body"]))

    if r.points:
        story.append(para("Face chart", st["heading"]))
        story.append(_face_chart(r, usable, st))
    story.append(KeepTogether([
        para("Aftercare given", st["heading"]),
        para(r.aftercare or "None recorded.", st["body"]),
        Spacer(1, 5 * mm),
        para(f"Charted by {r.charted_by} on {r.charted_at:%Y-%m-%d %H:%M}.", st["small"]),
    ]))
    if r.amendments:
        story += _amendments(r, usable, st)
    return build_pdf(story, letterhead=doc.letterhead, page_size=doc.page_size,
                     title=f"Treatment record {r.start:%Y-%m-%d}",
                     heading="Treatment record", printed_at=doc.printed_at,
                     printed_by=doc.printed_by)
