"""The signed consent PDF read back: the patient as typed, the template's version and text,
the initials, both signers, and the content fingerprint."""

from __future__ import annotations

import pypdfium2 as pdfium

from medspa_desktop.printouts import sign_consent
from medspa_desktop.services import consent_templates, consents
from tests.documents.pdftext import pdf_text
from tests.services.test_consents import _input, people  # noqa: F401 (fixture)


def test_the_signed_form_shows_what_was_signed_by_whom(people):  # noqa: F811
    template = consent_templates.current(people["rn"], "neurotoxin")
    consent = sign_consent(people["rn"], _input(template, people["adult"].id))
    pdf = consents.document(people["rn"], consent.id)
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
    text = pdf_text(consents.document(people["rn"], consent.id))
    assert "Kim Lee, mother of Mia Lee" in text
    assert "Signature of the parent or guardian" in text
