"""A scanned image (JPEG or PNG) on a page of its own, so scans preview and print like every
other document. The stored scan itself is never changed; this is only its view."""

from __future__ import annotations

import io

from reportlab.lib.pagesizes import letter
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from .styles import PAGE_SIZES

MARGIN = 10 * mm


def render_scan(image: bytes, title: str, page_size: str = "letter") -> bytes:
    reader = ImageReader(io.BytesIO(image))
    width, height = reader.getSize()
    page_w, page_h = PAGE_SIZES.get(page_size, letter)
    scale = min((page_w - 2 * MARGIN) / width, (page_h - 2 * MARGIN) / height)
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(page_w, page_h), invariant=True)
    canvas.setTitle(title)
    canvas.drawImage(reader, (page_w - width * scale) / 2, (page_h - height * scale) / 2,
                     width * scale, height * scale)
    canvas.showPage()
    canvas.save()
    return out.getvalue()
