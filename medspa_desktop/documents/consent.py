"""The consent form: the exact template version's sections with the patient's initials, the
signatures, the time of signing and the content's fingerprint. A signed form is rendered once
and kept; ``invariant`` output means the same content always gives the same bytes. Without
signatures (a form printed to sign on paper) it leaves boxes and lines to write on."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Image, KeepTogether, Paragraph, Spacer, Table, TableStyle

from .styles import Letterhead, Ours, build_pdf, para, safe, styles, usable_width

if TYPE_CHECKING:  # the sheet is plain data made by services/consents/signing
    from ..services.consents.signing import ConsentSheet

SIGNATURE_BOX = (75 * mm, 24 * mm)


def _signature(png: bytes) -> Image | Spacer:
    """The drawn signature, or room to sign on paper."""
    if not png:
        return Spacer(SIGNATURE_BOX[0], SIGNATURE_BOX[1])
    image = Image(io.BytesIO(png))
    scale = min(SIGNATURE_BOX[0] / image.imageWidth, SIGNATURE_BOX[1] / image.imageHeight)
    image.drawWidth, image.drawHeight = image.imageWidth * scale, image.imageHeight * scale
    image.hAlign = "LEFT"
    return image


def render_consent(sheet: ConsentSheet, letterhead: Letterhead,
                   page_size: str = "letter") -> bytes:
    st = styles()
    usable = usable_width(page_size)
    story: list = [
        para(sheet.title, st["title"]),
        para(f"{sheet.category} consent, version {sheet.version} (form {sheet.template_id})",
             st["small"]),
        Spacer(1, 3 * mm),
    ]
    who = Table([[para("Patient", st["bold"]), para(sheet.patient, st["body"]),
                  para("Born", st["bold"]),
                  para(f"{sheet.dob:%Y-%m-%d}" if sheet.dob else "", st["body"]),
                  para("Chart", st["bold"]), para(sheet.chart_number, st["body"])]],
                colWidths=[19 * mm, None, 14 * mm, 26 * mm, 16 * mm, 22 * mm])
    if not sheet.patient:  # a blank form: lines to write on
        who.setStyle(TableStyle([("LINEBELOW", (i, 0), (i, 0), 0.5, colors.grey)
                                 for i in (1, 3, 5)]))
    story += [who, Spacer(1, 2 * mm)]
    for section, initials in zip(sheet.sections, sheet.initials, strict=True):
        block = [para(section.heading, st["heading"]), para(section.text, st["body"])]
        if section.initials:
            box = Table([[para("Initials", st["small"]), para(initials, st["bold"])]],
                        colWidths=[16 * mm, 18 * mm], hAlign="RIGHT")
            box.setStyle(TableStyle([("BOX", (1, 0), (1, 0), 0.8, colors.black),
                                     ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
            block += [Spacer(1, 1 * mm), box]
        story.append(KeepTogether(block))
    paper = not sheet.signature_png
    signer: tuple[str, ...] = (sheet.signer,) + (
        (Ours(", "), sheet.guardian_relation, Ours(" of "), sheet.patient)
        if sheet.guardian_relation else ())
    if paper:
        signer = (Ours("Name: "),)
        witness_name = "Name: "
    else:
        witness_name = sheet.witness
    gap = 12 * mm
    half = (usable - gap) / 2
    signatures = Table(
        [[_signature(sheet.signature_png), "", _signature(sheet.witness_signature_png)],
         [para(signer, st["body"]), "", para(witness_name, st["body"])],
         [para("Signature of the patient (or parent or guardian; give the relation)"
               if paper else "Signature of the patient" if not sheet.guardian_relation
               else "Signature of the parent or guardian", st["small"]), "",
          para("Signature of the provider or witness", st["small"])]],
        colWidths=[half, gap, half])
    signatures.setStyle(TableStyle([("LINEBELOW", (0, 0), (0, 0), 0.6, colors.black),
                                    ("LINEBELOW", (2, 0), (2, 0), 0.6, colors.black),
                                    ("VALIGN", (0, 0), (-1, 0), "BOTTOM")]))
    if paper:
        closing = para("Date and time signed: ______________________", st["body"])
        who = (sheet.patient, Ours(f", chart {sheet.chart_number} · ")) if sheet.patient \
            else ()
        footer = (*who, Ours(f"{sheet.category} consent, version {sheet.version} · form "
                             f"{sheet.template_id}"))
    else:
        closing = Paragraph(
            f"Signed {sheet.signed_at:%Y-%m-%d %H:%M:%S}. Content fingerprint (SHA-256): "
            f"<font face='Courier'>{safe(sheet.fingerprint)}</font>", st["small"])
        footer = (sheet.patient, Ours(f", chart {sheet.chart_number} · version {sheet.version} "
                                      f"· signed {sheet.signed_at:%Y-%m-%d %H:%M}"))
    agreement = para(f"By signing, I confirm that I have read and understood this form "
                     f"({sheet.title}, version {sheet.version}) and give the consent it "
                     "describes.", st["body"])
    story.append(KeepTogether([Spacer(1, 6 * mm), agreement, Spacer(1, 4 * mm), signatures,
                               Spacer(1, 4 * mm), closing]))
    return build_pdf(story, letterhead=letterhead, page_size=page_size,
                     title=f"{sheet.title} — {sheet.patient or 'blank form'}",
                     heading="Consent", printed_at=sheet.signed_at, printed_by=sheet.witness,
                     footer=footer)
