"""Face charts: injection points placed on a face diagram, each with its site and dose.

The diagrams are SVG files in ``resources/diagrams`` (a front view and a side view; the other
side is the side view mirrored). This module reads them into plain shapes — so the chart on
screen and the chart in the PDF are drawn from the same lines — and names the site under a
point from the diagram's region polygons. No Qt here: the widget and the PDF both use it.

A point is stored in the treatment record as ``{"view", "x", "y", "site", "amount"}`` with x
and y in the diagram's own coordinates and the amount in the record's unit (U of toxin, mL of
filler).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache

from ... import paths
from ..platform.errors import ValidationError
from ..platform.text import clean_line

SVG = "{http://www.w3.org/2000/svg}"
VIEWS = {"front": "Front", "left": "Left side", "right": "Right side"}
_FILES = {"front": "face-front.svg", "left": "face-side.svg", "right": "face-side.svg"}
MAX_POINTS = 200
MAX_SITE = 60
# One cubic Bézier per quarter ellipse: the control points sit at this fraction of a radius.
_KAPPA = 0.5522847498

Segment = tuple  # ("M", x, y) | ("L", x, y) | ("C", x1, y1, x2, y2, x, y) | ("Z",)


@dataclass(frozen=True)
class Shape:
    segments: tuple[Segment, ...]
    width: float = 1.6
    dashed: bool = False


@dataclass(frozen=True)
class Region:
    site: str
    polygon: tuple[tuple[float, float], ...]

    def contains(self, x: float, y: float) -> bool:
        """Ray casting: an odd number of edge crossings to the right means inside."""
        inside = False
        pts = self.polygon
        for (x1, y1), (x2, y2) in zip(pts, pts[1:] + pts[:1], strict=True):
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                inside = not inside
        return inside


@dataclass(frozen=True)
class Diagram:
    view: str
    width: float
    height: float
    shapes: tuple[Shape, ...]
    regions: tuple[Region, ...]

    def site_at(self, x: float, y: float) -> str:
        for region in self.regions:
            if region.contains(x, y):
                return region.site
        return ""


@dataclass(frozen=True)
class Point:
    view: str
    x: float
    y: float
    site: str
    amount: Decimal

    def as_json(self) -> dict:
        return {"view": self.view, "x": self.x, "y": self.y, "site": self.site,
                "amount": float(self.amount)}


def _numbers(text: str) -> list[float]:
    return [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", text)]


_ARITY = {"M": 2, "L": 2, "C": 6, "Q": 4, "Z": 0}


def parse_path(d: str) -> tuple[Segment, ...]:
    """Absolute M, L, C, Q and Z commands (what the shipped diagrams use); Q becomes C."""
    out: list[Segment] = []
    tokens = re.findall(r"[A-Za-z]|-?\d+(?:\.\d+)?", d)
    i, cx, cy = 0, 0.0, 0.0
    while i < len(tokens):
        cmd = tokens[i]
        if cmd not in _ARITY:
            raise ValueError(f"path command {cmd!r} is not supported in a face diagram")
        n = _ARITY[cmd]
        args = [float(t) for t in tokens[i + 1:i + 1 + n]]
        i += 1 + n
        if cmd == "Q":  # a quadratic as the equivalent cubic
            qx, qy, x, y = args
            out.append(("C", cx + 2 / 3 * (qx - cx), cy + 2 / 3 * (qy - cy),
                        x + 2 / 3 * (qx - x), y + 2 / 3 * (qy - y), x, y))
        else:
            out.append((cmd, *args))
        if n:
            cx, cy = args[-2], args[-1]
    return tuple(out)


def _ellipse(cx: float, cy: float, rx: float, ry: float) -> tuple[Segment, ...]:
    kx, ky = rx * _KAPPA, ry * _KAPPA
    return (("M", cx + rx, cy),
            ("C", cx + rx, cy + ky, cx + kx, cy + ry, cx, cy + ry),
            ("C", cx - kx, cy + ry, cx - rx, cy + ky, cx - rx, cy),
            ("C", cx - rx, cy - ky, cx - kx, cy - ry, cx, cy - ry),
            ("C", cx + kx, cy - ry, cx + rx, cy - ky, cx + rx, cy),
            ("Z",))


def _shape(el: ET.Element, width: float, dashed: bool) -> Shape | None:
    tag = el.tag.removeprefix(SVG)
    width = float(el.get("stroke-width", width))
    dashed = dashed or el.get("stroke-dasharray") is not None
    a = {k: float(v) for k, v in el.attrib.items()
         if k in ("cx", "cy", "r", "rx", "ry", "x1", "y1", "x2", "y2")}
    if tag == "path":
        segments = parse_path(el.get("d", ""))
    elif tag == "circle":
        segments = _ellipse(a["cx"], a["cy"], a["r"], a["r"])
    elif tag == "ellipse":
        segments = _ellipse(a["cx"], a["cy"], a["rx"], a["ry"])
    elif tag == "line":
        segments = (("M", a["x1"], a["y1"]), ("L", a["x2"], a["y2"]))
    else:
        return None
    return Shape(segments, width, dashed)


def _mirror_segment(seg: Segment, width: float) -> Segment:
    if seg[0] == "Z":
        return seg
    coords = list(seg[1:])
    for i in range(0, len(coords), 2):
        coords[i] = width - coords[i]
    return (seg[0], *coords)


def _mirror_site(site: str) -> str:
    return site[:-2] + " R" if site.endswith(" L") else site


@cache
def diagram(view: str) -> Diagram:
    """The diagram of a view, read once from resources/diagrams."""
    if view not in VIEWS:
        raise ValidationError(f"There is no {view!r} view of the face chart.")
    root = ET.parse(paths.resource("diagrams", _FILES[view])).getroot()
    _x, _y, width, height = _numbers(root.get("viewBox", "0 0 300 380"))
    shapes, regions = [], []
    for group in root.iter(f"{SVG}g"):
        if group.get("id") == "outline":
            base_width = float(group.get("stroke-width", 1.6))
            for el in group.iter():
                if el is not group and (shape := _shape(el, base_width, False)) is not None:
                    shapes.append(shape)
        elif group.get("id") == "regions":
            for el in group.iter(f"{SVG}polygon"):
                nums = _numbers(el.get("points", ""))
                regions.append(Region(el.get("data-site", ""),
                                      tuple(zip(nums[::2], nums[1::2], strict=True))))
    if view == "right":  # the left side, mirrored
        shapes = [Shape(tuple(_mirror_segment(s, width) for s in shape.segments),
                        shape.width, shape.dashed) for shape in shapes]
        regions = [Region(_mirror_site(r.site), tuple((width - x, y) for x, y in r.polygon))
                   for r in regions]
    return Diagram(view, width, height, tuple(shapes), tuple(regions))


def trace(shape: Shape, move_to, line_to, curve_to, close) -> None:
    """Walk a shape's outline through a drawing API's path calls (Qt's QPainterPath and
    reportlab's path object name them differently; the walk is the same)."""
    for seg in shape.segments:
        if seg[0] == "M":
            move_to(seg[1], seg[2])
        elif seg[0] == "L":
            line_to(seg[1], seg[2])
        elif seg[0] == "C":
            curve_to(*seg[1:])
        else:
            close()


def site_at(view: str, x: float, y: float) -> str:
    return diagram(view).site_at(x, y)


def _amount(raw, number: int, unit: str, low: float, high: float, step: Decimal) -> Decimal:
    try:
        amount = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        raise ValidationError(f"Point {number}: the dose must be a number.") from None
    if not Decimal(str(low)) <= amount <= Decimal(str(high)):
        raise ValidationError(f"Point {number}: the dose must be between {low:g} and "
                              f"{high:g} {unit}.")
    if amount % step:
        raise ValidationError(f"Point {number}: give the dose in steps of {step} {unit}.")
    return amount


def clean_points(raw, *, unit: str, low: float, high: float, step: Decimal) -> list[Point]:
    """Points as typed or stored, checked: a known view, inside the diagram, a named site
    and a dose within ``low``–``high`` in steps of ``step``."""
    if not isinstance(raw, list | tuple):
        raise ValidationError("The face chart could not be read.")
    if len(raw) > MAX_POINTS:
        raise ValidationError(f"A face chart holds at most {MAX_POINTS} points.")
    points = []
    for number, item in enumerate(raw, 1):
        if isinstance(item, Point):
            item = item.as_json()
        if not isinstance(item, dict) or item.get("view") not in VIEWS:
            raise ValidationError(f"Point {number} is not on a face chart view.")
        d = diagram(item["view"])
        try:
            x, y = round(float(item["x"]), 1), round(float(item["y"]), 1)
        except (KeyError, TypeError, ValueError):
            raise ValidationError(f"Point {number} has no position.") from None
        if not (0 <= x <= d.width and 0 <= y <= d.height):
            raise ValidationError(f"Point {number} is outside the face chart.")
        site = clean_line(str(item.get("site") or ""))
        if not site:
            raise ValidationError(f"Point {number} is outside the marked areas: name its "
                                  "site.")
        if len(site) > MAX_SITE:
            raise ValidationError(f"Point {number}: the site name must be at most "
                                  f"{MAX_SITE} characters.")
        amount = _amount(item.get("amount"), number, unit, low, high, step)
        points.append(Point(item["view"], x, y, site, amount))
    return points


def total(points: list[Point]) -> Decimal:
    return sum((p.amount for p in points), Decimal(0))


def totals_by_site(points: list[Point]) -> list[tuple[str, Decimal]]:
    """Each site's total, in the order the sites were first injected."""
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for p in points:
        sums[p.site] += p.amount
    return list(sums.items())


def amount_text(amount: Decimal | float, unit: str) -> str:
    """12 U, 2.5 U, 0.3 mL: no trailing zeros."""
    text = f"{Decimal(str(amount)).normalize():f}"
    return f"{text} {unit}"
