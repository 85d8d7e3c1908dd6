"""The consent form: the exact template version's sections with the patient's initials, the
signatures, the time of signing and the content's fingerprint. A signed form is rendered once
and kept; ``invariant`` output means the same content always gives the same bytes."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Image, KeepTogether, Paragraph, Spacer, Table, TableStyle

from .styles import Letterhead, build_pdf, para, safe, styles, usable_width

if TYPE_CHECKING:  # the sheet is plain data made by services/consents
    from ..services.consents import ConsentSheet

SIGNATURE_BOX = (75 * mm, 24 * mm)


def _signature(png: bytes) -> Image:
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
                  para("Born", st["bold"]), para(f"{sheet.dob:%Y-%m-%d}", st["body"]),
                  para("Chart", st["bold"]), para(sheet.chart_number, st["body"])]],
                colWidths=[19 * mm, None, 14 * mm, 26 * mm, 16 * mm, 22 * mm])
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
    signer = sheet.signer + (f", {sheet.guardian_relation} of {sheet.patient}"
                             if sheet.guardian_relation else "")
    gap = 12 * mm
    half = (usable - gap) / 2
    signatures = Table(
        [[_signature(sheet.signature_png), "", _signature(sheet.witness_signature_png)],
         [para(signer, st["body"]), "", para(sheet.witness, st["body"])],
         [para("Signature of the patient" if not sheet.guardian_relation
               else "Signature of the parent or guardian", st["small"]), "",
          para("Signature of the provider or witness", st["small"])]],
        colWidths=[half, gap, half])
    signatures.setStyle(TableStyle([("LINEBELOW", (0, 0), (0, 0), 0.6, colors.black),
                                    ("LINEBELOW", (2, 0), (2, 0), 0.6, colors.black),
                                    ("VALIGN", (0, 0), (-1, 0), "BOTTOM")]))
    fingerprint = Paragraph(
        f"Signed {sheet.signed_at:%Y-%m-%d %H:%M:%S}. Content fingerprint (SHA-256): "
        f"<font face='Courier'>{safe(sheet.fingerprint)}</font>", st["small"])
    story.append(KeepTogether([Spacer(1, 6 * mm), signatures, Spacer(1, 4 * mm),
                               fingerprint]))
    return build_pdf(story, letterhead=letterhead, page_size=page_size,
                     title=f"{sheet.title} — {sheet.patient}", heading="Consent",
                     printed_at=sheet.signed_at, printed_by=sheet.witness,
                     footer=f"{sheet.patient}, chart {sheet.chart_number} · version "
                            f"{sheet.version} · signed {sheet.signed_at:%Y-%m-%d %H:%M}")
