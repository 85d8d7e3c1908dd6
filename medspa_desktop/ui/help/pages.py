"""The user guide's pages, read from ``resources/help/NN-name.html`` in the order of their
numbers: a page's title is its ``<h1>``, its sections its ``<h2>`` headings. Menu paths are
written ``<b class="menu">File → Back up now</b>`` and keys ``<kbd>Ctrl+Shift+B</kbd>`` so a
test can check every one against the real window. No Qt here."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

from ...paths import resource

HEADING = re.compile(r"<h([12])>(.*?)</h\1>", re.S)
TAG = re.compile(r"<[^>]+>")
MENU_PATH = re.compile(r'<b class="menu">(.*?)</b>', re.S)
KEY = re.compile(r"<kbd>(.*?)</kbd>", re.S)


def plain(fragment: str) -> str:
    return " ".join(html.unescape(TAG.sub("", fragment)).split())


@dataclass(frozen=True)
class Section:
    title: str
    anchor: str


@dataclass(frozen=True)
class Page:
    name: str  # the file's name without its number and extension: "backup"
    title: str
    sections: tuple[Section, ...]
    html: str  # with an anchor before each section's heading

    def menu_paths(self) -> list[str]:
        return [plain(m) for m in MENU_PATH.findall(self.html)]

    def key_names(self) -> list[str]:
        return [plain(k) for k in KEY.findall(self.html)]


def help_dir() -> Path:
    return resource("help")


def load_page(path: Path) -> Page:
    text = path.read_text(encoding="utf-8")
    title = ""
    sections: list[Section] = []

    def anchored(match: re.Match) -> str:
        nonlocal title
        words = plain(match.group(2))
        if match.group(1) == "1":
            title = title or words
            return match.group(0)
        anchor = f"s{len(sections) + 1}"
        sections.append(Section(words, anchor))
        return f'<a name="{anchor}"></a>{match.group(0)}'

    body = HEADING.sub(anchored, text)
    name = path.stem.split("-", 1)[-1]
    return Page(name, title or name, tuple(sections), body)


def load_guide(folder: Path | None = None) -> list[Page]:
    """Every page of the guide, in order."""
    folder = folder or help_dir()
    return [load_page(p) for p in sorted(folder.glob("[0-9][0-9]-*.html"))]
