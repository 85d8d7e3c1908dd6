"""Emoji in a name on screen: drawn with a real glyph, never the empty box."""

from __future__ import annotations

from PySide6.QtGui import QTextLayout
from PySide6.QtWidgets import QLabel

from medspa_desktop.ui.fonts import install_emoji_font


def _glyphs(text: str, font) -> list[tuple[str, list[int]]]:
    layout = QTextLayout(text, font)
    layout.beginLayout()
    layout.createLine()
    layout.endLayout()
    return [(run.rawFont().familyName(), list(run.glyphIndexes()))
            for run in layout.glyphRuns()]


def test_a_name_with_an_emoji_shows_every_character(qtbot):
    install_emoji_font()  # as the program does at start
    assert not install_emoji_font()  # once is enough
    label = QLabel("Zoë 🌸 Park")
    qtbot.addWidget(label)
    runs = _glyphs("🌸", label.font())
    # one glyph from some font (an emoji font of the system's, or Symbola where it has none)
    assert runs and all(0 not in glyphs for _family, glyphs in runs), runs
    assert _glyphs("Zoë Park", label.font())[0][1].count(0) == 0
