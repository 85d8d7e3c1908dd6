"""Print preview, printing and saving, shared by every document."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter

from medspa_desktop.documents.day_sheet import DaySheetSection, render_day_sheet
from medspa_desktop.printouts import day_sheet_pdf
from medspa_desktop.services.clinic import clinic
from medspa_desktop.ui.schedule.tab import ScheduleTab
from medspa_desktop.ui.widgets.pdf_preview import PdfPreviewDialog, page_images, print_pdf
from tests.conftest import busy_weekday, staff
from tests.documents.test_day_sheet import _line, _sheet
from tests.ui.modal import answer_next_modal


def test_the_preview_shows_every_page_on_white(qtbot, demo_db):
    pdf = day_sheet_pdf(staff("frontdesk"), busy_weekday())
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    dialog = PdfPreviewDialog(pdf, "Day sheet", "day-sheet.pdf")
    qtbot.addWidget(dialog)
    dialog.show()
    assert len(dialog.images) == pages
    assert dialog.pages_label.text() == f"{pages} page{'s' if pages != 1 else ''}"
    corner = dialog.images[0].pixelColor(2, 2)
    assert (corner.red(), corner.green(), corner.blue()) == (255, 255, 255)
    dialog.zoom.setCurrentIndex(4)  # 150 %
    assert dialog.images[0].width() > page_images(pdf, 96)[0].width()


def test_saving_writes_the_same_pdf(qtbot, demo_db, tmp_path):
    pdf = day_sheet_pdf(staff("frontdesk"), busy_weekday())
    dialog = PdfPreviewDialog(pdf, "Day sheet", "day-sheet.pdf")
    qtbot.addWidget(dialog)
    saved = dialog.save_document(str(tmp_path / "copy"))
    assert saved.name == "copy.pdf" and saved.read_bytes() == pdf


def _save_as(path):
    def answer(chooser) -> None:
        chooser.selectFile(str(path))
        chooser.accept()

    answer_next_modal(answer)


def test_the_save_button_asks_where_and_writes_the_pdf(qtbot, demo_db, tmp_path):
    pdf = day_sheet_pdf(staff("frontdesk"), busy_weekday())
    dialog = PdfPreviewDialog(pdf, "Day sheet", "day-sheet.pdf")
    qtbot.addWidget(dialog)
    dialog.show()
    _save_as(tmp_path / "clicked.pdf")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert (tmp_path / "clicked.pdf").read_bytes() == pdf


def test_printing_sends_every_page_to_the_printer(demo_db, tmp_path, qapp):
    pdf = day_sheet_pdf(staff("frontdesk"), busy_weekday(), by_provider=False)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    target = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(target))
    count = print_pdf(pdf, printer)
    printed = PdfReader(target)
    assert count == len(printed.pages) == len(PdfReader(io.BytesIO(pdf)).pages)


def _two_page_day_sheet(paper: str) -> bytes:
    lines = tuple(_line(9 + i % 9, f"Patient {i:03d}", alerts=["Allergic to lidocaine."])
                  for i in range(32))
    pdf = render_day_sheet(_sheet([DaySheetSection("Dr Lee", lines)], page_size=paper))
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 2
    return pdf


@pytest.mark.parametrize(("paper", "size_pt", "pixels"),
                         [(None, (612, 792), (2550, 3300)), ("a4", (595, 842), (2480, 3508))])
def test_printing_goes_on_the_clinics_paper_at_300_dpi_and_stays_small(
        qtbot, admin, tmp_path, paper, size_pt, pixels):
    """A new clinic prints on Letter (the setting's default); one set to A4 on A4. Two pages
    of text go to the printer as well under a megabyte and a half, not megabytes a page."""
    if paper:
        clinic.set_paper_size(admin, paper)
    pdf = _two_page_day_sheet(paper or "letter")
    dialog = PdfPreviewDialog(pdf, "Day sheet", "day-sheet.pdf")
    qtbot.addWidget(dialog)
    printer = dialog.printer()  # as the print dialog opens with it
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    target = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(target))
    assert print_pdf(pdf, printer) == 2
    printed = PdfReader(target)
    assert len(printed.pages) == 2
    for page in printed.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == size_pt
        (image,) = (x.get_object() for x in page["/Resources"]["/XObject"].values())
        # the whole sheet at 300 dpi (give or take the pixel PDFium rounds up)
        assert abs(image["/Width"] - pixels[0]) <= 1 and abs(image["/Height"] - pixels[1]) <= 1
    assert target.stat().st_size < 1_500_000, target.stat().st_size


def test_the_day_sheet_button_previews_the_days_sheet(qtbot, demo_db):
    tab = ScheduleTab(staff("frontdesk"))
    qtbot.addWidget(tab)
    tab.set_day(busy_weekday())
    seen = {}

    def look(dialog):
        seen.update(title=dialog.windowTitle(), pages=len(dialog.images))
        dialog.reject()

    answer_next_modal(look)
    tab.print_day_sheet()
    assert seen["title"] == f"Print preview — Day sheet {busy_weekday():%a %d %b %Y}"
    assert seen["pages"] >= 1
