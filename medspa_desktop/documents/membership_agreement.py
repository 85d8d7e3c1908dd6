"""The membership agreement: the plan version's terms, the patient's and the witness's
signatures, the time of signing and the content's fingerprint. Rendered once at enrolment and
kept, like a signed consent."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle

from .consent import _signature
from .styles import Letterhead, Ours, build_pdf, para, safe, styles, usable_width

if TYPE_CHECKING:  # plain data made by services/billing/memberships
    from ..services.billing.memberships import AgreementSheet


def render_agreement(sheet: AgreementSheet, letterhead: Letterhead,
                     page_size: str = "letter") -> bytes:
    st = styles()
    usable = usable_width(page_size)
    story: list = [
        para(f"Membership agreement: {sheet.plan}", st["title"]),
        para(f"Plan version {sheet.version} (plan {sheet.plan_id})", st["small"]),
        Spacer(1, 3 * mm),
        Table([[para("Member", st["bold"]), para(sheet.patient, st["body"]),
                para("Born", st["bold"]), para(f"{sheet.dob:%Y-%m-%d}", st["body"]),
                para("Chart", st["bold"]), para(sheet.chart_number, st["body"])]],
              colWidths=[19 * mm, None, 14 * mm, 26 * mm, 16 * mm, 22 * mm]),
        Spacer(1, 2 * mm),
    ]
    for heading, text in sheet.terms:
        story.append(KeepTogether([para(heading, st["heading"]), para(text, st["body"])]))
    gap = 12 * mm
    half = (usable - gap) / 2
    signatures = Table(
        [[_signature(sheet.signature_png), "", _signature(sheet.witness_signature_png)],
         [para(sheet.patient, st["body"]), "", para(sheet.witness, st["body"])],
         [para("Signature of the member", st["small"]), "",
          para("Signature of the clinic's witness", st["small"])]],
        colWidths=[half, gap, half])
    signatures.setStyle(TableStyle([("LINEBELOW", (0, 0), (0, 0), 0.6, colors.black),
                                    ("LINEBELOW", (2, 0), (2, 0), 0.6, colors.black),
                                    ("VALIGN", (0, 0), (-1, 0), "BOTTOM")]))
    closing = Paragraph(
        f"Signed {sheet.signed_at:%Y-%m-%d %H:%M:%S}. Content fingerprint (SHA-256): "
        f"<font face='Courier'>{safe(sheet.fingerprint)}</font>", st["small"])
    agreement = para("By signing, I agree to this membership and its monthly fee, term and "
                     "cancellation terms.", st["body"])
    story.append(KeepTogether([Spacer(1, 6 * mm), agreement, Spacer(1, 4 * mm), signatures,
                               Spacer(1, 4 * mm), closing]))
    return build_pdf(story, letterhead=letterhead, page_size=page_size,
                     title=f"Membership agreement — {sheet.patient}", heading="Membership",
                     printed_at=sheet.signed_at, printed_by=sheet.witness,
                     footer=(sheet.patient, Ours(f", chart {sheet.chart_number} · {sheet.plan} "
                                                 f"v{sheet.version} · signed "
                                                 f"{sheet.signed_at:%Y-%m-%d %H:%M}")))
