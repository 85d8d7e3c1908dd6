"""The printed recall list: every patient who received the lot, with phone and email."""

from __future__ import annotations

from medspa_desktop.printouts import recall_pdf
from medspa_desktop.services.treatments import inventory
from medspa_desktop.store.models import AuditEvent
from tests.documents.pdftext import pdf_text
from tests.services.treatments.test_inventory import TODAY, _visit, stock  # noqa: F401 (fixture)


def test_the_recall_list_names_everyone_who_received_the_lot(stock):  # noqa: F811
    for first, last in (("Ann <b>&", "Co</b>"), ("Łucja", "Żółć")):
        appt = _visit(stock, first, last, phone="239 555 0101")
        inventory.draw(stock["rn"], stock["botox"].id, 20, appointment_id=appt.id,
                       lot_id=stock["old"].id, today=TODAY)
    other = _visit(stock, "Not", "This-Lot")
    inventory.draw(stock["rn"], stock["botox"].id, 10, appointment_id=other.id,
                   lot_id=stock["new"].id, today=TODAY)
    text = pdf_text(recall_pdf(stock["rn"], " c1234 "))
    for expected in ("Lot recall: lot C1234", "2 patients received lot C1234 (2 treatments)",
                     "Co</b>, Ann <b>&", "Żółć, Łucja", "(239) 555-0101", "zoe@example.com",
                     "Botox Cosmetic 100 U, 20 U", "Jo Kim, RN", "Reached"):
        assert expected in text, expected
    assert "This-Lot" not in text
    assert AuditEvent.select().where(AuditEvent.action == "report.recall").count() == 1
