"""The Treatment Log tab: filter, sort, export, recall."""

from __future__ import annotations

import csv

import pytest
from PySide6.QtCore import QModelIndex, Qt

from medspa_desktop.services.treatments.treatment_log import treatment_log
from medspa_desktop.store.models import Lot, Product
from medspa_desktop.ui.treatments.recall_dialog import RecallDialog
from medspa_desktop.ui.treatments.tab import TreatmentLogTab
from medspa_desktop.ui.widgets.pdf_preview import PdfPreviewDialog
from tests.conftest import staff
from tests.documents.pdftext import pdf_text
from tests.services.treatments.test_treatment_log import _rows_expected
from tests.ui.modal import answer_next_modal


@pytest.fixture
def tab(qtbot, demo_db):
    widget = TreatmentLogTab(staff("director"))
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.show()
    return widget


def _all_rows(tab):
    while tab.model.canFetchMore(QModelIndex()):
        tab.model.fetchMore(QModelIndex())
    return tab.model.rows()


def test_filtering_by_provider_and_lot_then_exporting(tab, tmp_path):
    total = len(_all_rows(tab))
    assert total == _rows_expected()  # a row per record, and per lot of a dose from two
    tab.provider.setCurrentIndex(tab.provider.findText("Priya Shah, RN"))
    mine = _all_rows(tab)
    assert 0 < len(mine) < total and {r.provider for r in mine} == {"Priya Shah, RN"}
    lot = mine[0].lot
    tab.lot.setText(lot.lower())
    tab.refresh()
    narrowed = _all_rows(tab)
    assert narrowed and {r.lot for r in narrowed} == {lot}
    path = tab.export(str(tmp_path / "log.csv"))
    with path.open(encoding="utf-8-sig") as fh:
        exported = list(csv.reader(fh))
    assert len(exported) - 1 == len(narrowed)
    assert {row[6] for row in exported[1:]} == {lot}


def test_clicking_a_column_sorts_in_the_database(tab):
    tab.table.horizontalHeader().setSortIndicator(1, Qt.SortOrder.AscendingOrder)
    names = [r.patient.casefold() for r in _all_rows(tab)]
    assert names[0] <= names[len(names) // 2] <= names[-1]


def test_the_tab_shows_the_stock_alerts(tab):
    assert not tab.alerts.isHidden()
    assert "expires on" in tab.alerts.text() or "left (reorder at" in tab.alerts.text()


def test_the_recall_dialog_lists_who_received_a_lot_and_exports(qtbot, demo_db, tmp_path):
    lot = Lot.select().join(Product).where(Product.name == "Botox Cosmetic").first()
    dialog = RecallDialog(staff("director"), lot.lot_number)
    qtbot.addWidget(dialog)
    assert dialog.model.rowCount() > 0 and dialog.export_button.isEnabled()
    assert f"received lot {lot.lot_number}" in dialog.summary.text()
    printed = []

    def look(preview: PdfPreviewDialog):
        printed.append(pdf_text(preview.pdf))
        preview.reject()

    answer_next_modal(look)
    dialog.print_button.click()
    assert f"Lot recall: lot {lot.lot_number}" in printed[0]
    assert dialog.model.row_at(0).patient in printed[0]
    path = dialog.export(str(tmp_path / "recall.csv"))
    with path.open(encoding="utf-8-sig") as fh:
        assert len(list(csv.reader(fh))) == dialog.model.rowCount() + 1
    dialog.lot.setText("")
    dialog.search()
    assert dialog.message.text() == "Enter the lot number to look up."


def test_double_clicking_a_treatment_previews_its_record_with_the_face_chart(qtbot, tab):
    # the newest injectable (the demo is made around now: the newest record of all may be a
    # mesotherapy or a peel, which has no face chart)
    row = next(i for i in range(tab.model.rowCount())
               if tab.model.row_at(i).modality in ("Neurotoxin", "Dermal filler"))
    first = tab.model.row_at(row)
    assert not tab.record_button.isEnabled()  # nothing selected yet
    seen = []

    def look(dialog: PdfPreviewDialog):
        seen.append((dialog.windowTitle(), pdf_text(dialog.pdf), len(dialog.images)))
        dialog.reject()

    answer_next_modal(look)
    tab.table.scrollTo(tab.model.index(row, 1))
    rect = tab.table.visualRect(tab.model.index(row, 1))
    qtbot.mouseClick(tab.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(tab.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: bool(seen))
    title, text, pages = seen[0]
    assert title == "Print preview — Treatment record" and pages == 1
    last, first_name = first.patient.split(", ")[:2]
    assert f"{first_name.split(' (')[0]} {last}" in text
    assert f"Lot {first.lot}" in text and "Face chart" in text
    assert tab.record_button.isEnabled()



def test_scrolling_the_whole_log_and_back_shows_the_same_rows_from_a_few_pages(tab):
    """Years of records scroll without the list holding every row: pages seen long ago are
    let go, and fetched again (seeking past the page before) when the user scrolls back."""
    expected = [(r.record_id, r.at, r.patient, r.lot) for r in treatment_log(
        staff("director"), tab.current_filter(), limit=100_000)]
    model = tab.model
    model.batch, model.keep_pages = 10, 3  # the demo's log is short: small pages make many
    tab.refresh()
    assert tab.count.text() == "10+ treatments"
    while model.canFetchMore():
        tab.table.scrollToBottom()
        model.fetchMore()
        tab.table.repaint()
    assert model.rowCount() == len(expected) > 50
    assert tab.count.text() == f"{len(expected)} treatments"
    assert len(model._pages) <= 3  # what it holds, however long the log
    tab.table.scrollToTop()
    tab.table.repaint()
    assert [model.index(row, 1).data() for row in range(5)] == [e[2] for e in expected[:5]]
    assert [(r.record_id, r.at, r.patient, r.lot) for r in model.rows()] == expected


def test_the_recall_dialog_lists_who_bought_the_lot_at_the_desk(qtbot, demo_db):
    from medspa_desktop.services.billing import invoices
    from medspa_desktop.store.models import Patient

    buyer = Patient.select().where(Patient.first_name == "Amélie").first()
    spf = Product.get(Product.name == "Mineral sunscreen SPF 50")
    invoice = invoices.issue_invoice(staff("frontdesk"), invoices.CheckoutInput(
        buyer.id, (invoices.product_line(staff("frontdesk"), spf.id, 2),)))
    dialog = RecallDialog(staff("director"), "spf2611")
    qtbot.addWidget(dialog)
    assert dialog.summary.text() == "1 patient received lot SPF2611 (1 bought at the desk)."
    from medspa_desktop.printouts import recall_pdf
    from tests.documents.pdftext import pdf_text

    printed = pdf_text(recall_pdf(staff("director"), "spf2611", dialog.rows))
    assert "1 patient received lot SPF2611 (1 bought at the desk), newest first." in printed
    row = dialog.model.row_at(0)
    assert (row.patient_id, row.dose, row.provider) == (
        buyer.id, "2 items", f"Retail sale, invoice {invoice.number}")
