"""A report's ``HeatMap`` (plain data, ``services/reports/shapes.py``) painted as a grid:
weekdays down, hours across, each square shaded from ``style.HEAT_LOW`` (nothing booked) to
``style.HEAT_HIGH`` (all booked) with its percentage, a square never available left
``style.HEAT_NONE``; a scale under it. The PDF draws the same grid (``documents/heat_map.py``)."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from ...services.reports.shapes import HeatMap
from .. import style


def shade(share: float | None) -> QColor:
    """The square's colour: between low and high by the share booked."""
    if share is None:
        return QColor(style.HEAT_NONE)
    low, high = QColor(style.HEAT_LOW), QColor(style.HEAT_HIGH)
    t = max(0.0, min(1.0, share))
    return QColor.fromRgbF(low.redF() + (high.redF() - low.redF()) * t,
                           low.greenF() + (high.greenF() - low.greenF()) * t,
                           low.blueF() + (high.blueF() - low.blueF()) * t)


def ink_on(share: float | None) -> QColor:
    return QColor(style.HEAT_TEXT_DARK if share is None or share < 0.55 else
                  style.HEAT_TEXT_LIGHT)


class HeatMapView(QWidget):
    def __init__(self, heat: HeatMap, parent=None) -> None:
        super().__init__(parent)
        self.heat = heat
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(220)
        self.setAccessibleName("Heat map of the share booked by weekday and hour")

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return QSize(720, 320)

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(style.PAPER))
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        small = QFont(self.font())
        small.setPointSizeF(style.small_points(small.pointSizeF()))
        painter.setFont(small)
        metrics = painter.fontMetrics()
        heat = self.heat
        left = max((metrics.horizontalAdvance(r) for r in heat.rows), default=0) + style.SPACE_M
        top = metrics.height() + style.SPACE_S
        scale_room = metrics.height() * 2 + style.SPACE_M
        columns, rows = max(len(heat.columns), 1), max(len(heat.rows), 1)
        cell_w = (self.width() - left - style.SPACE_M) / columns
        cell_h = min(44.0, (self.height() - top - scale_room) / rows)
        pen = QPen(QColor(style.HEAT_GRID))
        for c, label in enumerate(heat.columns):
            painter.setPen(QColor(style.GRID_TIME))
            painter.drawText(QRectF(left + c * cell_w, 0, cell_w, top),
                             Qt.AlignmentFlag.AlignCenter, label)
        for r, label in enumerate(heat.rows):
            y = top + r * cell_h
            painter.setPen(QColor(style.GRID_TEXT))
            painter.drawText(QRectF(0, y, left - style.SPACE_S, cell_h),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, label)
            for c in range(len(heat.columns)):
                share = heat.values[r][c]
                rect = QRectF(left + c * cell_w, y, cell_w, cell_h)
                painter.setPen(pen)
                painter.setBrush(shade(share))
                painter.drawRect(rect)
                if share is not None and cell_w >= metrics.horizontalAdvance("100%") + 2:
                    painter.setPen(ink_on(share))
                    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, f"{round(share * 100)}%")
        # the scale: 0 % to 100 % booked, and what a blank square means
        y = top + rows * cell_h + style.SPACE_M
        width = min(240.0, cell_w * columns / 2)
        steps = 20
        for i in range(steps):
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(shade(i / (steps - 1)))
            painter.drawRect(QRectF(left + i * width / steps, y, width / steps + 0.5,
                                    metrics.height()))
        painter.setPen(QColor(style.GRID_TEXT))
        painter.drawText(QRectF(left + width + style.SPACE_S, y, 220, metrics.height()),
                         Qt.AlignmentFlag.AlignVCenter, "0% to 100% of available hours booked")
        x = left + width + style.SPACE_S + metrics.horizontalAdvance(
            "0% to 100% of available hours booked") + style.SPACE_L
        painter.setPen(pen)
        painter.setBrush(QColor(style.HEAT_NONE))
        painter.drawRect(QRectF(x, y, metrics.height(), metrics.height()))
        painter.setPen(QColor(style.GRID_TEXT))
        painter.drawText(QRectF(x + metrics.height() + style.SPACE_S, y, 200, metrics.height()),
                         Qt.AlignmentFlag.AlignVCenter, "not available")
        painter.end()
