"""A ``HeatMap`` (weekdays down, hours across, the share booked in each square) drawn with
reportlab's vector graphics, in the screen's colours (``ui/style.HEAT_*``; a test holds them
equal), with its scale."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors

from .styles import FONT

if TYPE_CHECKING:
    from ..services.reports.shapes import HeatMap

HEAT_LOW = "#f3f7f7"
HEAT_HIGH = "#1f5c60"
HEAT_NONE = "#e6e6e6"
HEAT_GRID = "#ffffff"
HEAT_TEXT_DARK = "#1d1d1d"
HEAT_TEXT_LIGHT = "#ffffff"


def _mix(share: float) -> colors.Color:
    low, high = colors.HexColor(HEAT_LOW), colors.HexColor(HEAT_HIGH)
    t = max(0.0, min(1.0, share))
    return colors.Color(low.red + (high.red - low.red) * t,
                        low.green + (high.green - low.green) * t,
                        low.blue + (high.blue - low.blue) * t)


def heat_drawing(heat: HeatMap, width: float) -> Drawing:
    left, top, size = 30.0, 12.0, 7
    columns, rows = max(len(heat.columns), 1), max(len(heat.rows), 1)
    cell_w = (width - left) / columns
    cell_h = min(22.0, cell_w * 0.8)
    scale = 24.0
    height = top + rows * cell_h + scale
    drawing = Drawing(width, height)
    for c, label in enumerate(heat.columns):
        drawing.add(String(left + (c + 0.5) * cell_w, height - top + 3, label,
                           fontName=FONT, fontSize=size, textAnchor="middle"))
    for r, label in enumerate(heat.rows):
        y = height - top - (r + 1) * cell_h
        drawing.add(String(left - 4, y + cell_h / 2 - 2.5, label, fontName=FONT,
                           fontSize=size, textAnchor="end"))
        for c in range(len(heat.columns)):
            share = heat.values[r][c]
            fill = colors.HexColor(HEAT_NONE) if share is None else _mix(share)
            drawing.add(Rect(left + c * cell_w, y, cell_w, cell_h, fillColor=fill,
                             strokeColor=colors.HexColor(HEAT_GRID), strokeWidth=0.8))
            if share is not None and cell_w >= 18:
                ink = HEAT_TEXT_DARK if share < 0.55 else HEAT_TEXT_LIGHT
                drawing.add(String(left + (c + 0.5) * cell_w, y + cell_h / 2 - 2.5,
                                   f"{round(share * 100)}%", fontName=FONT, fontSize=size - 1,
                                   textAnchor="middle", fillColor=colors.HexColor(ink)))
    steps, bar = 20, 120.0
    for i in range(steps):
        drawing.add(Rect(left + i * bar / steps, 4, bar / steps + 0.3, 8,
                         fillColor=_mix(i / (steps - 1)), strokeColor=None))
    drawing.add(String(left + bar + 6, 5.5, "0% to 100% of available hours booked",
                       fontName=FONT, fontSize=size))
    drawing.add(Rect(left + bar + 150, 4, 8, 8, fillColor=colors.HexColor(HEAT_NONE),
                     strokeColor=None))
    drawing.add(String(left + bar + 162, 5.5, "not available", fontName=FONT, fontSize=size))
    return drawing
