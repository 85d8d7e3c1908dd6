"""Reading a PDF back as text, the way a reader's search would see it."""

from __future__ import annotations

import io

from pypdf import PdfReader


def pdf_text(pdf: bytes) -> str:
    """The text of every page, with wrapped lines joined (a wrap is a line break to pypdf)."""
    pages = (page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return " ".join(" ".join(pages).split())
