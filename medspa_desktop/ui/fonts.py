"""Emoji on screen: a name typed as "Zoë 🌸 Park" shows its flower. Windows and macOS have a
colour emoji font, and so do most Linux desktops; where the system has none (a bare Linux,
the offscreen screenshots), the black-and-white Symbola the PDFs embed
(``resources/fonts``) is given to Qt, which falls back to it for characters the text font
lacks."""

from __future__ import annotations

from PySide6.QtGui import QFontDatabase

from .. import paths


def install_emoji_font() -> bool:
    """Add Symbola when no font of the system's is an emoji font; True if it was added."""
    if any("emoji" in family.lower() or family == "Symbola"
           for family in QFontDatabase.families()):
        return False
    return QFontDatabase.addApplicationFont(str(paths.resource("fonts", "Symbola.ttf"))) >= 0
