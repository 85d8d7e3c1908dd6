"""What every document shares: fonts that carry the patients' scripts, the clinic letterhead
and page footer, page sizes, and safe text.

User text goes into reportlab ``Paragraph`` markup only through ``safe()``: ``<``, ``>`` and
``&`` are escaped, so "Ann <b>& Co</b>" prints as typed and markup in a note can never fetch
an image or a link. ``safe()`` also picks a font per run of characters — DejaVu Sans (Latin,
Greek, Cyrillic, Hebrew, Arabic), Droid Sans Fallback (Chinese, Japanese) or Symbola (emoji
and symbols, in black: "Zoë 🌸 Park") — and puts right-to-left text (Hebrew, Arabic, shaped)
in the order it is read. A character none of them has is printed as its name in brackets
("(melting face)"), never as an empty box; emoji variation selectors and skin tones, which
a black-and-white emoji does not show, are left out. A right-to-left paragraph
long enough to wrap is set line by line as typed; each line reads correctly.

A line that mixes the user's text with ours ("ليلى حداد (chart 000002)") is given as parts,
ours marked ``Ours``: the bidirectional algorithm orders each user run on its own, and our
words, brackets and numbers stay where we put them (run over the whole line, an Arabic name
would pull "(chart 000002)" to its left and turn its brackets round).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from xml.sax.saxutils import escape

import arabic_reshaper
from bidi import get_display
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, letter
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

from .. import paths

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
FALLBACK = "DroidSansFallback"  # Chinese and Japanese; Apache-2.0, resources/fonts
EMOJI = "Symbola"  # emoji and symbols, monochrome; free for any use, resources/fonts
PAGE_SIZES = {"letter": letter, "a4": A4}
MARGIN = 15 * mm


_reportlab_to_unicode = ttfonts.makeToUnicodeCMap


def _to_unicode_cmap(fontname: str, subset) -> str:
    """reportlab's map from the glyphs drawn back to the characters typed (what a PDF reader
    searches and copies), with a character beyond U+FFFF written in UTF-16 as the PDF
    reference asks: reportlab writes an emoji as "<1F338>", which readers reject, so the
    name around it read back as "Zoë  Park"."""
    return re.sub(r"^<([0-9A-F]{2})> <([0-9A-F]{5,6})>$",
                  lambda m: f"<{m[1]}> <{chr(int(m[2], 16)).encode('utf-16-be').hex().upper()}>",
                  _reportlab_to_unicode(fontname, subset), flags=re.MULTILINE)


ttfonts.makeToUnicodeCMap = _to_unicode_cmap


def register_fonts() -> None:
    """Embed DejaVu Sans (Latin, Greek, Cyrillic: "Żółć", "Ødegaard", "Łucja" print as
    written; the built-in PDF fonts cover Latin-1 only)."""
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    pdfmetrics.registerFont(TTFont(FONT, str(paths.resource("fonts", "DejaVuSans.ttf"))))
    pdfmetrics.registerFont(TTFont(FONT_BOLD,
                                   str(paths.resource("fonts", "DejaVuSans-Bold.ttf"))))
    pdfmetrics.registerFont(TTFont(FALLBACK,
                                   str(paths.resource("fonts", "DroidSansFallbackFull.ttf"))))
    pdfmetrics.registerFont(TTFont(EMOJI, str(paths.resource("fonts", "Symbola.ttf"))))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT,
                                  boldItalic=FONT_BOLD)


@cache
def _covered() -> tuple[frozenset[int], ...]:
    """The characters of the main font and of each of ``EXTRA_FONTS``, in that order."""
    register_fonts()
    return tuple(frozenset(pdfmetrics.getFont(name).face.charToGlyph)
                 for name in (FONT, *EXTRA_FONTS))


EXTRA_FONTS = (FALLBACK, EMOJI)  # tried in this order for a character the main font lacks
# shown by a colour emoji only: the text or emoji style of the one before (U+FE0E, U+FE0F),
# a skin tone (U+1F3FB…U+1F3FF), a tag of a flag's subdivision (U+E0020…U+E007F)
_UNSHOWN = frozenset([0xFE0E, 0xFE0F, *range(0x1F3FB, 0x1F400), *range(0xE0020, 0xE0080)])
ZWJ = "\u200d"


def _emoji_sequence_joiner(line: str, index: int) -> bool:
    """A zero-width joiner between two emoji ("👩‍⚕️"): nothing to draw in black and white, where
    the emoji stand side by side. In Arabic or Indic text it shapes the letters and stays."""
    main = _covered()[0]
    before = line[index - 1] if index else ""
    return bool(before) and ord(before) not in main and (
        unicodedata.category(before) == "So" or ord(before) in _UNSHOWN)


def drawable(line: str) -> str:
    """``line`` with every character some font of ours can draw; any other is written as its
    name in brackets: "(melting face)", "(unnamed character U+E000)", unless it is an
    invisible control or format character, left out."""
    covered = _covered()
    out = []
    for index, ch in enumerate(line):
        code = ord(ch)
        if code in _UNSHOWN or (ch == ZWJ and _emoji_sequence_joiner(line, index)):
            continue
        if ch in "\n\t" or any(code in fonts for fonts in covered):
            out.append(ch)
            continue
        if unicodedata.category(ch) in ("Cc", "Cf"):
            continue  # a control or format character: invisible in any font
        name = unicodedata.name(ch, "").lower()
        out.append(f"({name})" if name else f"(unnamed character U+{code:04X})")
    return "".join(out)


def _is_rtl(text: str) -> bool:
    return any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text)


def reading_order(line: str) -> str:
    """One line as it is drawn: right-to-left runs shaped (Arabic letters joined) and put in
    visual order; other text unchanged."""
    if not _is_rtl(line):
        return line
    return get_display(arabic_reshaper.reshape(line))


class Ours(str):
    """Text the program writes beside the user's (a label, "(chart 000002)"): set left to right
    as written, never reordered with the user's right-to-left text."""


Parts = str | tuple[str, ...] | list[str]


def _parts(text: Parts | None) -> list[str]:
    if text is None:
        return [""]
    return [text] if isinstance(text, str) else list(text)


def display_line(text: Parts) -> str:
    """One line as it is drawn, from the user's text (a ``str``) or from parts: each user part
    in reading order on its own (``reading_order``), each ``Ours`` part as it is."""
    return "".join(part if isinstance(part, Ours) else reading_order(drawable(part))
                   for part in _parts(text))


def runs(line: str) -> list[tuple[str, str | None]]:
    """(text, font) runs of a line already in reading order (and ``drawable``): the font is
    one of ``EXTRA_FONTS``, or None for the main font (the style's, bold or not)."""
    main, *extra = _covered()
    out: list[tuple[str, str | None]] = []
    for ch in line:
        code = ord(ch)
        face = None if code in main else next(
            (name for name, chars in zip(EXTRA_FONTS, extra, strict=True) if code in chars),
            None)
        if out and out[-1][1] == face:
            out[-1] = (out[-1][0] + ch, face)
        else:
            out.append((ch, face))
    return out


def _markup(drawn: str) -> str:
    return "".join(f'<font face="{face}">{escape(run)}</font>' if face
                   else escape(run) for run, face in runs(drawn))


def safe(text: Parts | None) -> str:
    """User text as Paragraph markup that shows exactly what was typed, in any script; or
    parts of a line that mixes the user's text with ours (``Ours``), each user part ordered
    on its own. A line break in any part starts a new line."""
    lines: list[list[str]] = [[]]
    for part in _parts(text):
        for i, piece in enumerate((part or "").split("\n")):
            if i:
                lines.append([])
            lines[-1].append(Ours(piece) if isinstance(part, Ours) else piece)
    return "<br/>".join(_markup(display_line(line)) for line in lines)


def draw_text(canvas, x: float, y: float, text: Parts, font: str, size: float,
              align: str = "left") -> None:
    """``canvas.drawString`` for user text (or parts, as ``safe`` takes them): per-run fonts
    and right-to-left order."""
    parts = runs(display_line([Ours(p.replace("\n", " ")) if isinstance(p, Ours)
                               else p.replace("\n", " ") for p in _parts(text)]))
    widths = [pdfmetrics.stringWidth(run, face or font, size) for run, face in parts]
    if align == "right":
        x -= sum(widths)
    elif align == "centre":
        x -= sum(widths) / 2
    for (run, face), width in zip(parts, widths, strict=True):
        canvas.setFont(face or font, size)
        canvas.drawString(x, y, run)
        x += width


def styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    body = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=11.5)
    return {
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=8, leading=10),
        "bold": ParagraphStyle("bold", parent=body, fontName=FONT_BOLD),
        "heading": ParagraphStyle("heading", parent=body, fontName=FONT_BOLD, fontSize=12,
                                  leading=15, spaceBefore=8, spaceAfter=4),
        "title": ParagraphStyle("title", parent=body, fontName=FONT_BOLD, fontSize=15,
                                leading=18),
        "right": ParagraphStyle("right", parent=body, alignment=TA_RIGHT),
        "alert": ParagraphStyle("alert", parent=body, fontSize=8, leading=10,
                                textColor="#8a4b00"),
    }


def para(text: Parts, style: ParagraphStyle) -> Paragraph:
    return Paragraph(safe(text), style)


@dataclass(frozen=True)
class Letterhead:
    clinic: str
    address: str = ""
    phone: str = ""
    tax_id: str = ""
    email: str = ""
    website: str = ""
    logo: bytes | None = None  # PNG or JPEG, drawn at the left of the header


LOGO_HEIGHT = 26  # points: the header band, from the clinic's name to the rule under it
LOGO_MAX_WIDTH = 90


def _draw_logo(canvas, logo: bytes | None, x: float, top: float) -> float:
    """Draw ``logo`` with its top-left corner at (x, top), fitted in the header band;
    returns the width it took (0 for no logo, or one that cannot be read)."""
    if not logo:
        return 0
    try:
        image = ImageReader(io.BytesIO(logo))
        width, height = image.getSize()
    except Exception:  # a damaged picture leaves the letterhead without it, never unprinted
        return 0
    scale = min(LOGO_HEIGHT / height, LOGO_MAX_WIDTH / width)
    drawn_width, drawn_height = width * scale, height * scale
    canvas.drawImage(image, x, top - drawn_height, drawn_width, drawn_height, mask="auto")
    return drawn_width


def page_decorator(letterhead: Letterhead, title: str, printed: dt.datetime, printed_by: str,
                   footer: Parts | None = None):
    """An ``onPage`` callback: clinic name and address on top, title on the right, page number
    and who printed it when (or ``footer``) at the bottom."""

    def draw(canvas, doc) -> None:
        register_fonts()
        width, height = doc.pagesize
        canvas.saveState()
        logo_width = _draw_logo(canvas, letterhead.logo, MARGIN, height - MARGIN + 12)
        left = MARGIN + (logo_width + 6 if logo_width else 0)
        draw_text(canvas, left, height - MARGIN + 2, letterhead.clinic, FONT_BOLD, 12)
        contact = "  ·  ".join(x for x in (letterhead.address.replace("\n", ", "),
                                           letterhead.phone, letterhead.email,
                                           letterhead.website) if x)
        draw_text(canvas, left, height - MARGIN - 9, contact, FONT, 8)
        canvas.setFont(FONT_BOLD, 11)
        canvas.drawRightString(width - MARGIN, height - MARGIN + 2, title)
        canvas.setStrokeColor("#999999")
        canvas.line(MARGIN, height - MARGIN - 14, width - MARGIN, height - MARGIN - 14)
        canvas.setFillColor("#555555")
        draw_text(canvas, MARGIN, MARGIN - 10, footer or (
            Ours(f"Printed {printed:%Y-%m-%d %H:%M} by "), printed_by,
            Ours(". Confidential patient information.")), FONT, 7)
        canvas.setFont(FONT, 7)
        canvas.drawRightString(width - MARGIN, MARGIN - 10, f"Page {doc.page}")
        canvas.restoreState()

    return draw


def page(page_size: str, landscape: bool = False) -> tuple[float, float]:
    width, height = PAGE_SIZES.get(page_size, letter)
    return (height, width) if landscape else (width, height)


SHADE = colors.HexColor("#ececec")  # a table's heading row
GRID = colors.HexColor("#bbbbbb")  # the thin rules between its rows


def list_table(rows: list, widths: list) -> Table:
    """A printed list (the lot recall, the patients due): the heading row shaded and repeated
    on every page, a thin rule under each row, cells top-aligned with 3 pt at their sides."""
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("LINEBELOW", (0, 0), (-1, -1), 0.3, GRID),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]))
    return table


FRAME_PADDING = 6  # reportlab's Frame keeps 6 pt inside each side of the margins


def usable_width(page_size: str, landscape: bool = False) -> float:
    """The width a flowable may take: between the margins, less the frame's own padding (a
    table as wide as the margins alone overflows the frame by 12 pt and is drawn past it)."""
    return page(page_size, landscape)[0] - 2 * MARGIN - 2 * FRAME_PADDING


def build_pdf(story: list, *, letterhead: Letterhead, page_size: str, title: str,
              heading: str, printed_at: dt.datetime, printed_by: str,
              landscape: bool = False, footer: Parts | None = None) -> bytes:
    """Lay out ``story`` on the clinic's paper with the letterhead and footer on every page.
    ``title`` is the PDF's own title, ``heading`` the word at the top right of each page.
    ``invariant`` keeps the bytes the same for the same content."""
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=page(page_size, landscape),
                            leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN + 18,
                            bottomMargin=MARGIN + 4, title=title, author=letterhead.clinic,
                            invariant=True)
    decorate = page_decorator(letterhead, heading, printed_at, printed_by, footer)
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return out.getvalue()
