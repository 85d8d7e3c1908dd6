"""The intake form: the medical-history questionnaire on paper, blank for the patient to fill
in, or filled with the answers on file for the patient to check and sign."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table, TableStyle

from .styles import Letterhead, build_pdf, para, styles, usable_width


@dataclass(frozen=True)
class IntakeLine:
    question: str
    kind: str  # yes_no | text | date | fitzpatrick
    answer: str = ""  # as it should print; empty on a blank form
    answered_on: str = ""


@dataclass(frozen=True)
class IntakeForm:
    letterhead: Letterhead
    patient: str  # "" on a blank form
    dob: str
    chart_number: str
    lines: tuple[IntakeLine, ...]
    printed_at: dt.datetime
    printed_by: str
    page_size: str = "letter"


def render_intake_form(form: IntakeForm) -> bytes:
    st = styles()
    usable = usable_width(form.page_size)
    blank = not form.patient
    story = [para("Medical history and intake", st["title"]), Spacer(1, 3 * mm)]
    who = [[para("Patient", st["bold"]), para(form.patient or "", st["body"]),
            para("Date of birth", st["bold"]), para(form.dob, st["body"]),
            para("Chart", st["bold"]), para(form.chart_number, st["body"])]]
    who_table = Table(who, colWidths=[20 * mm, None, 30 * mm, 26 * mm, 17 * mm, 20 * mm])
    who_table.setStyle(TableStyle([("LINEBELOW", (1, 0), (1, 0), 0.5, colors.grey),
                                   ("LINEBELOW", (3, 0), (3, 0), 0.5, colors.grey),
                                   ("LINEBELOW", (5, 0), (5, 0), 0.5, colors.grey),
                                   ("VALIGN", (0, 0), (-1, -1), "BOTTOM")]))
    story += [who_table, Spacer(1, 4 * mm)]
    if not blank:
        story.append(para("These are the answers on file. Please correct anything that has "
                          "changed, then sign below.", st["small"]))
        story.append(Spacer(1, 2 * mm))
    rows = [[para("Question", st["bold"]), para("Answer", st["bold"]),
             para("Answered", st["bold"])]]
    for line in form.lines:
        if line.answer:
            answer = para(line.answer, st["body"])
        elif line.kind == "yes_no":
            answer = para("☐ Yes    ☐ No", st["body"])
        elif line.kind == "fitzpatrick":
            answer = para("☐ I  ☐ II  ☐ III  ☐ IV  ☐ V  ☐ VI", st["body"])
        else:
            answer = para("", st["body"])
        rows.append([para(line.question, st["body"]), answer,
                     para(line.answered_on, st["small"])])
    table = Table(rows, colWidths=[usable * 0.45, usable * 0.4, usable * 0.15], repeatRows=1,
                  splitInRow=1)
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#ececec")),
        ("LINEBELOW", (0, 0), (-1, -1), 0.3, colors.HexColor("#bbbbbb")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 1), (-1, -1), 5),
        ("BOTTOMPADDING", (0, 1), (-1, -1), 7 if blank else 4),
    ]))
    story += [table, Spacer(1, 10 * mm)]
    sign = Table([[para("Patient signature", st["small"]), "", para("Date", st["small"]), ""]],
                 colWidths=[32 * mm, usable * 0.5, 12 * mm, None])
    sign.setStyle(TableStyle([("LINEBELOW", (1, 0), (1, 0), 0.6, colors.black),
                              ("LINEBELOW", (3, 0), (3, 0), 0.6, colors.black),
                              ("VALIGN", (0, 0), (-1, -1), "BOTTOM")]))
    story.append(sign)
    return build_pdf(story, letterhead=form.letterhead, page_size=form.page_size,
                     title="Medical history", heading="Intake", printed_at=form.printed_at,
                     printed_by=form.printed_by)
