"""Text normalisation shared by validation and search."""

from __future__ import annotations

import re
import unicodedata

from . import limits
from .errors import ValidationError

# Letters that Unicode decomposition does not reduce to a plain base letter.
_FOLD_EXTRA = str.maketrans({
    "ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "æ": "ae", "Æ": "ae",
    "œ": "oe", "Œ": "oe", "ı": "i", "þ": "th", "Þ": "th", "ð": "d", "Ð": "d",
})
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def fold(text: str) -> str:
    """Lower-case, accent-free form for matching: "Zoë O'Brien-Żółć" -> "zoe o'brien-zolc"."""
    text = text.translate(_FOLD_EXTRA)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


# The longest part the name-search index keeps (its column's width); see name_parts.
NAME_PART_MAX = 80


def name_parts(search_name: str) -> set[str]:
    """The rows of the name-search index for one folded name (``Patient.search_name``): every
    suffix of every word, cut to ``NAME_PART_MAX`` characters. "lee ann" -> {"lee", "ee", "e",
    "ann", "nn", "n"}. A typed word (of up to ``NAME_PART_MAX`` characters) is part of the
    name exactly when one of these begins with it."""
    return {word[i:i + NAME_PART_MAX] for word in search_name.split() for i in range(len(word))}


def clean_line(text: str) -> str:
    """One line of user text: control characters removed, runs of whitespace collapsed."""
    return " ".join(_CONTROL.sub("", text).split())


def clean_block(text: str) -> str:
    """Multi-line user text: control characters (other than newlines and tabs) removed."""
    return _CONTROL.sub("", text.replace("\r\n", "\n")).strip()


def digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


# The longest reason (a cancellation, a void, a refund, an archived chart…) the services
# keep; the reason prompt (ui/widgets/reason_prompt.py) stops typing at the same length.
MAX_REASON = limits.REASON


def required_reason(text: str, for_what: str, limit: int = MAX_REASON) -> str:
    """A reason that must be given (a refund, a void, cancelled credits…): trimmed to one
    line, refused when missing or longer than ``limit``."""
    reason = clean_line(text)
    if not reason:
        raise ValidationError(f"Give the reason for {for_what}.")
    if len(reason) > limit:
        raise ValidationError(f"The reason must be at most {limit} characters.")
    return reason
