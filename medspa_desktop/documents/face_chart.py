"""The face chart on paper: the diagram's views side by side with the numbered points, drawn
from the same shapes as the chart on screen (services/treatments/face_chart)."""

from __future__ import annotations

from reportlab.lib.colors import HexColor, white
from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from ..services.treatments import face_chart
from .styles import FONT, FONT_BOLD, register_fonts

INK = HexColor("#5b5048")
POINT = HexColor("#b3261e")
RADIUS = 2.0 * mm
GAP = 6 * mm
CAPTION = 5 * mm


class FaceChartDrawing(Flowable):
    """The views that carry points (the front view always), each with its caption."""

    def __init__(self, points: tuple[face_chart.Point, ...], max_height: float = 105 * mm):
        super().__init__()
        self.points = points
        used = {p.view for p in points}
        self.views = [v for v in face_chart.VIEWS if v == "front" or v in used]
        self.max_height = max_height
        self._scale = 1.0

    def wrap(self, avail_width, avail_height):
        diagrams = [face_chart.diagram(v) for v in self.views]
        total_width = sum(d.width for d in diagrams)
        self._scale = min((avail_width - GAP * (len(diagrams) - 1)) / total_width,
                          (self.max_height - CAPTION) / max(d.height for d in diagrams))
        self.width = total_width * self._scale + GAP * (len(diagrams) - 1)
        self.height = max(d.height for d in diagrams) * self._scale + CAPTION
        return self.width, self.height

    def draw(self) -> None:
        register_fonts()
        c, s = self.canv, self._scale
        left = 0.0
        for view in self.views:
            d = face_chart.diagram(view)
            top = self.height - CAPTION  # the diagram's y=0, in PDF units from the bottom
            c.saveState()
            c.setFont(FONT, 7)
            c.setFillColor(HexColor("#555555"))
            c.drawCentredString(left + d.width * s / 2, self.height - 3 * mm,
                                face_chart.VIEWS[view])
            if view == "front":
                c.drawString(left, self.height - 3 * mm, "Patient's right")
                c.drawRightString(left + d.width * s, self.height - 3 * mm, "Patient's left")
            c.restoreState()
            c.saveState()
            c.translate(left, top)
            c.scale(s, -s)  # the SVG's y grows downwards
            c.setStrokeColor(INK)
            c.setLineCap(1)
            for shape in d.shapes:
                c.setLineWidth(shape.width)
                c.setDash(4, 4) if shape.dashed else c.setDash()
                c.drawPath(_path(c, shape), stroke=1, fill=0)
            c.restoreState()
            for number, p in enumerate(self.points, 1):
                if p.view != view:
                    continue
                x, y = left + p.x * s, top - p.y * s
                c.setFillColor(POINT)
                c.setStrokeColor(white)
                c.setLineWidth(0.5)
                c.circle(x, y, RADIUS, stroke=1, fill=1)
                c.setFillColor(white)
                c.setFont(FONT_BOLD, 5 if number < 100 else 4)
                c.drawCentredString(x, y - 2, str(number))
            left += d.width * s + GAP


def _path(canvas, shape: face_chart.Shape):
    path = canvas.beginPath()
    face_chart.trace(shape, path.moveTo, path.lineTo, path.curveTo, path.close)
    return path
