"""Print preview for every document the program makes: see the pages, print them through the
system print dialog, or save the PDF.

Printing sends each page as a picture (Qt cannot draw a PDF's text itself without QtPdf), on
the clinic's paper (Letter or A4, its setting), the whole sheet (the documents draw their own
margins, so a page prints at its true size) and at 300 dpi: sharp text, and a few hundred
kilobytes a page instead of the megabytes a 1200 dpi raster takes.

Pages are rendered with PDFium (pypdfium2): QtPdf is not shipped in PySide6's PyPI wheels
since Qt 6.8 moved it into the WebEngine extension.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pypdfium2 as pdfium
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QImage, QKeySequence, QPageSize, QPainter, QPixmap, QShortcut
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ...services.clinic import clinic
from ...services.platform import chosen_files
from .. import style
from ..ops import op
from .icons import icon
from .modal import run_modal

POINTS_PER_INCH = 72
PRINT_DPI = 300  # sharp text on paper; more only makes the job bigger and slower
PAPER = {"letter": QPageSize.PageSizeId.Letter, "a4": QPageSize.PageSizeId.A4}
ZOOMS = (("50 %", 0.5), ("75 %", 0.75), ("100 %", 1.0), ("125 %", 1.25), ("150 %", 1.5))


def page_images(pdf: bytes, dpi: float) -> list[QImage]:
    """Every page as an opaque image at ``dpi`` (PDFium paints them on white)."""
    document = pdfium.PdfDocument(pdf)
    images = []
    try:
        for index in range(len(document)):
            bitmap = document[index].render(scale=dpi / POINTS_PER_INCH)
            image = QImage(bytes(bitmap.buffer), bitmap.width, bitmap.height, bitmap.stride,
                           QImage.Format.Format_BGR888)
            images.append(image.copy())  # own the pixels before PDFium frees its buffer
    finally:
        document.close()
    return images


def set_up_printer(printer: QPrinter, paper: str) -> None:
    """The clinic's paper ("letter" or "a4"), the whole sheet and ``PRINT_DPI``: what the
    print dialog then proposes."""
    printer.setPageSize(QPageSize(PAPER.get(paper, QPageSize.PageSizeId.Letter)))
    printer.setFullPage(True)
    printer.setResolution(PRINT_DPI)


def print_pdf(pdf: bytes, printer: QPrinter) -> int:
    """Send every page to ``printer`` at its true size (shrunk only if the sheet is smaller),
    drawn from a picture of at most ``PRINT_DPI``; returns pages printed."""
    painter = QPainter()
    if not painter.begin(printer):
        raise OSError("The printer could not be opened.")
    # to a PDF (a print file, CUPS) pages go compressed without loss: smaller than JPEG for
    # pages of text, and without its smudges round the letters
    painter.setRenderHint(QPainter.RenderHint.LosslessImageRendering)
    try:
        resolution = printer.resolution()
        dpi = min(resolution, PRINT_DPI)
        images = page_images(pdf, dpi)
        for number, image in enumerate(images):
            if number:
                printer.newPage()
            area = painter.viewport()
            size = image.size() * (resolution / dpi)
            if size.width() > area.width() or size.height() > area.height():
                size = size.scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
            painter.drawImage(QRect(area.x(), area.y(), size.width(), size.height()), image)
        return len(images)
    finally:
        painter.end()


class PdfPreviewDialog(QDialog):
    def __init__(self, pdf: bytes, title: str, file_name: str, parent=None) -> None:
        super().__init__(parent)
        self.pdf = pdf
        self.file_name = file_name
        self.setWindowTitle(f"Print preview — {title}")
        self.resize(900, 900)
        self.zoom = QComboBox()
        for label, factor in ZOOMS:
            self.zoom.addItem(label, factor)
        self.zoom.setCurrentIndex(2)
        self.zoom.setAccessibleName("Zoom")
        self.print_button = QPushButton("&Print…")
        self.save_button = QPushButton("&Save as PDF…")
        self.print_button.setIcon(icon("print"))
        self.save_button.setIcon(icon("save-pdf"))
        close = QPushButton("Close")
        self.print_button.setDefault(True)
        self.print_button.clicked.connect(self.print_document)
        # clicked(bool) would arrive as the path: the button asks for one, like Ctrl+S
        self.save_button.clicked.connect(lambda: self.save_document())
        close.clicked.connect(self.reject)
        QShortcut(QKeySequence.StandardKey.Print, self, self.print_document)
        QShortcut(QKeySequence.StandardKey.Save, self, lambda: self.save_document())
        self.pages_label = QLabel()
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Zoom"))
        bar.addWidget(self.zoom)
        bar.addWidget(self.pages_label)
        bar.addStretch(1)
        for button in (self.print_button, self.save_button, close):
            bar.addWidget(button)
        self.pages = QWidget()
        self.pages.setStyleSheet(style.PREVIEW_PAGES)
        self.pages_layout = QVBoxLayout(self.pages)
        self.pages_layout.setSpacing(style.SPACE_L)
        self.pages_layout.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        scroll = QScrollArea()
        scroll.setWidget(self.pages)
        scroll.setWidgetResizable(True)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(scroll, 1)
        self.zoom.currentIndexChanged.connect(lambda _i: self.show_pages())
        self.show_pages()

    def show_pages(self) -> None:
        while self.pages_layout.count():
            item = self.pages_layout.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        dpi = 96 * self.zoom.currentData() * self.devicePixelRatioF()
        self.images = page_images(self.pdf, dpi)
        for image in self.images:
            label = QLabel()
            pixmap = QPixmap.fromImage(image)
            pixmap.setDevicePixelRatio(self.devicePixelRatioF())
            label.setPixmap(pixmap)
            self.pages_layout.addWidget(label)
        count = len(self.images)
        self.pages_label.setText(f"{count} page{'s' if count != 1 else ''}")

    def printer(self) -> QPrinter:
        """A printer set up for the clinic's paper, as the print dialog opens with it."""
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        set_up_printer(printer, clinic.paper_size())
        return printer

    def print_document(self) -> None:
        printer = self.printer()
        dialog = QPrintDialog(printer, self)
        if not run_modal(dialog):
            return
        try:
            print_pdf(self.pdf, printer)
        except OSError as exc:
            QMessageBox.warning(self, "Not printed", str(exc))

    def save_document(self, path: str | None = None) -> Path | None:
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "Save as PDF", self.file_name,
                                                  "PDF documents (*.pdf)")
        if not path:
            return None
        target = Path(path)
        if target.suffix.lower() != ".pdf":
            target = target.with_suffix(".pdf")
        chosen_files.refuse_overwriting_database(target)
        try:
            target.write_bytes(self.pdf)
        except OSError as exc:
            QMessageBox.warning(self, "Not saved", f"{target} could not be written: {exc}")
            return None
        return target


def show_preview(pdf: bytes, title: str, file_name: str, parent: QWidget | None = None) -> None:
    """Preview a document (then print or save it) in a modal dialog that is gone once closed."""
    run_modal(PdfPreviewDialog(pdf, title, file_name, parent))


def preview_document(build: Callable[[], bytes], title: str, file_name: str,
                     parent: QWidget | None = None, refused: str = "Not shown") -> None:
    """Make the PDF (a service may refuse: its message is shown instead) and preview it."""
    done = op(parent, build, title=refused)
    if done:
        show_preview(done.value, title, file_name, parent)
