"""A minimal PNG writer (greyscale, no Qt, no Pillow): the demo's placeholder scans and the
tests' signatures."""

from __future__ import annotations

import struct
import zlib

SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def grey_png(width: int, height: int, background: int = 0xF2,
             ink_row: int | None = None, ink: int = 0) -> bytes:
    """A ``width`` × ``height`` greyscale image of ``background``, with one row of ``ink``
    (a stroke) when ``ink_row`` is given."""
    rows = b"".join(b"\x00" + bytes([ink if y == ink_row else background]) * width
                    for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(rows))
            + _chunk(b"IEND", b""))
