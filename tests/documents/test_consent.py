"""The signed consent PDF read back: the patient as typed, the template's version and text,
the initials, both signers, and the content fingerprint."""

from __future__ import annotations

import pypdfium2 as pdfium

from medspa_desktop.printouts import sign_consent
from medspa_desktop.services.consents import consent_templates, signing
from tests.documents.pdftext import pdf_text
from tests.services.consents.test_signing import _input, people  # noqa: F401 (fixture)


def test_the_signed_form_shows_what_was_signed_by_whom(people):  # noqa: F811
    template = consent_templates.current(people["rn"], "neurotoxin")
    consent = sign_consent(people["rn"], _input(template, people["adult"].id))
    pdf = signing.document(people["rn"], consent.id)
    text = pdf_text(pdf)
    for expected in (
        template.title, "Neurotoxin consent, version 1 (form", "Ann <b>& O'Brien-Żółć",
        "1990-04-17", people["adult"].chart_number, "Risks and side effects",
        "a drooping eyelid or brow (ptosis)",
        "Initials AO", "Signature of the patient", "Jo Kim, RN",
        "Signature of the provider or witness", consent.content_sha256,
        f"Signed {consent.signed_at:%Y-%m-%d %H:%M:%S}",
    ):
        assert expected in text, expected
    assert text.count("Initials AO") == sum(s.initials for s in template.sections)
    document = pdfium.PdfDocument(pdf)
    images = [obj for page in document
              for obj in page.get_objects(filter=(pdfium.raw.FPDF_PAGEOBJ_IMAGE,))]
    assert len(images) == 2  # both signatures are on the page


def test_a_guardian_is_named_with_the_relation(people):  # noqa: F811
    template = consent_templates.current(people["rn"], "laser_hair")
    consent = sign_consent(people["rn"], _input(template, people["minor"].id,
                                                guardian_name="Kim Lee",
                                                guardian_relation="mother"))
    text = pdf_text(signing.document(people["rn"], consent.id))
    assert "Kim Lee, mother of Mia Lee" in text
    assert "Signature of the parent or guardian" in text


def test_a_form_to_sign_on_paper_leaves_room_to_write(people):  # noqa: F811
    from medspa_desktop.printouts import consent_form_pdf

    blank = pdf_text(consent_form_pdf(people["desk"], "peel_microneedling"))
    assert "Consent to chemical peel, microneedling or PRP treatment" in blank
    assert "Date and time signed:" in blank and "fingerprint" not in blank
    assert "Peel / microneedling / PRP consent, version 1" in blank
    filled = pdf_text(consent_form_pdf(people["desk"], "filler", people["adult"].id))
    assert "Ann <b>& O'Brien-Żółć" in filled and people["adult"].chart_number in filled


def test_a_scanned_image_opens_as_a_page(people):  # noqa: F811
    import datetime as dt

    from medspa_desktop.printouts import consent_document_pdf
    from medspa_desktop.services.platform.png import grey_png

    template = consent_templates.current(people["desk"], "filler")
    consent = signing.record_paper(people["desk"], people["adult"].id, template.id,
                                   dt.datetime.now(), grey_png(300, 400))
    pdf = consent_document_pdf(people["desk"], consent.id)
    page = pdfium.PdfDocument(pdf)[0]
    assert len(list(page.get_objects(filter=(pdfium.raw.FPDF_PAGEOBJ_IMAGE,)))) == 1
