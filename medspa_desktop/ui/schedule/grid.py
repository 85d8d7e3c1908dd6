"""The appointment grid: time down the side, one column per provider, room or device (day
view) or per day (week view), appointments as coloured blocks.

The widget only draws and reports gestures; the Schedule tab asks the services. A column is a
(day, resource) pair, so the one widget serves both views:

* click an empty slot to select it; double-click it (or Ctrl+N in the tab) to book there;
* click a block to select it, double-click to open it, right-click for its actions;
* drag a block to move it (across columns changes the provider, room or device), drag its
  bottom edge to change its length; both snap to the grid and are checked by the services.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from ...services.charts.alerts import is_notice, tone
from ...services.platform.vocabulary import ACTIVE_STATUSES, AppointmentStatus
from ...services.scheduling.appointments import AppointmentRow, BlockRow
from .. import style
from ..help import whats_this

HEADER_H = 34
GUTTER_W = 56
MIN_COLUMN_W = 120
RESIZE_GRIP = 6

_S = AppointmentStatus
STATUS_ICONS = {
    _S.BOOKED: "○", _S.CONFIRMED: "✓", _S.ARRIVED: "●", _S.IN_TREATMENT: "▶",
    _S.COMPLETED: "✔", _S.CHECKED_OUT: "$", _S.CANCELLED: "✕", _S.NO_SHOW: "∅",
}
DONE_STATUSES = (_S.COMPLETED, _S.CHECKED_OUT)  # drawn faded: the visit is over
BADGE_W = 16


def _small_font(font: QFont) -> QFont:
    small = QFont(font)
    small.setPointSizeF(style.small_points(font.pointSizeF()))
    return small


def pill_width(painter: QPainter, text: str) -> int:
    return painter.fontMetrics().horizontalAdvance(text) + 10


def draw_pill(painter: QPainter, rect: QRectF, status_key: str, text: str) -> None:
    """A status's name on its colour, bordered like the block (dashed: only booked)."""
    background, ink = style.STATUS_PILLS.get(status_key, style.STATUS_PILLS[_S.BOOKED])
    border, _width, dashed = style.STATUS_BORDERS.get(status_key,
                                                      style.STATUS_BORDERS[_S.BOOKED])
    painter.setPen(QPen(QColor(border), 1,
                        Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine))
    painter.setBrush(QColor(background))
    painter.drawRoundedRect(rect, rect.height() / 2, rect.height() / 2)
    painter.setPen(QColor(ink))
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)


def draw_badge(painter: QPainter, rect: QRectF, kind: str) -> None:
    """The warning triangle of a patient with alerts (kind: "alert" red, "notice" amber)."""
    background, ink = style.ALERT_BADGES[kind]
    painter.setPen(QPen(QColor(ink), 1))
    painter.setBrush(QColor(background))
    painter.drawPolygon(QPolygonF([QPointF(rect.center().x(), rect.top()),
                                   QPointF(rect.right(), rect.bottom()),
                                   QPointF(rect.left(), rect.bottom())]))
    bold = QFont(painter.font())
    bold.setBold(True)
    painter.setFont(bold)
    painter.drawText(rect.adjusted(0, 3, 0, 0), Qt.AlignmentFlag.AlignCenter, "!")


@dataclass(frozen=True)
class GridColumn:
    key: str  # unique, e.g. "provider:3" or "2026-11-23"
    title: str
    day: dt.date
    kind: str  # provider | room | device
    resource_id: int
    working: tuple[dt.time, dt.time] | None = None  # shaded outside; None: not working


class ScheduleGrid(QWidget):
    slot_selected = Signal(object, object)  # GridColumn, datetime
    slot_activated = Signal(object, object)  # GridColumn, datetime (double-click)
    appointment_selected = Signal(int)
    appointment_activated = Signal(int)
    context_requested = Signal(int, QPoint)  # appointment id, global position
    slot_context_requested = Signal(object, object, QPoint)  # GridColumn, datetime, global
    block_context_requested = Signal(int, QPoint)  # time block id, global position
    move_requested = Signal(int, object, object, object)  # id, start, end, GridColumn

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setAccessibleName("Appointment grid")
        self.setWhatsThis(whats_this.SCHEDULE_GRID)
        self.columns: list[GridColumn] = []
        self.appointments: list[AppointmentRow] = []
        self.blocks: list[BlockRow] = []
        self.first = dt.time(9)
        self.last = dt.time(18)
        self.step = 15
        self.row_h = 22
        self.now: dt.datetime | None = None
        self.selected_id: int | None = None
        self.selected_slot: tuple[int, dt.datetime] | None = None
        self._drag: dict | None = None
        self.alerts: dict[int, tuple[str, ...]] = {}
        self.marks: dict = {}  # appointment id -> messaging.confirmations.Confirmation
        self.empty_text = ""

    # -- data -------------------------------------------------------------------------------
    def set_content(self, columns: list[GridColumn], appointments: list[AppointmentRow],
                    blocks: list[BlockRow], first: dt.time, last: dt.time, step: int,
                    now: dt.datetime | None, alerts: dict[int, tuple[str, ...]] | None = None,
                    empty_text: str = "", marks: dict | None = None) -> None:
        """``alerts``: each appointment's patient alerts (``charts.alerts.visit_alerts``);
        ``empty_text``: what to say over a grid with nothing booked (what to do next);
        ``marks``: each appointment's confirmation (``messaging.confirmations``)."""
        self.columns = columns
        self.alerts = alerts or {}
        self.marks = marks or {}
        self.empty_text = empty_text
        self.appointments = [a for a in appointments if a.active]
        self.blocks = blocks
        self.first, self.last, self.step, self.now = first, last, step, now
        self.row_h = {5: 12, 10: 16, 15: 22}.get(step, 22)
        if self.selected_id not in {a.id for a in self.appointments}:
            self.selected_id = None
        self.updateGeometry()
        self.resize(self.sizeHint())
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(GUTTER_W + MIN_COLUMN_W * max(1, len(self.columns)),
                     HEADER_H + self.rows() * self.row_h + 1)

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    # -- geometry ---------------------------------------------------------------------------
    def rows(self) -> int:
        minutes = (self.last.hour * 60 + self.last.minute) - (self.first.hour * 60
                                                              + self.first.minute)
        return max(1, minutes // self.step)

    def column_width(self) -> float:
        return max(MIN_COLUMN_W, (self.width() - GUTTER_W) / max(1, len(self.columns)))

    def _y(self, t: dt.time) -> float:
        minutes = (t.hour * 60 + t.minute) - (self.first.hour * 60 + self.first.minute)
        return HEADER_H + minutes * self.row_h / self.step

    def _time_at(self, y: float) -> dt.time:
        minutes = int((y - HEADER_H) * self.step / self.row_h)
        minutes = max(0, min(minutes, self.rows() * self.step - self.step))
        minutes -= minutes % self.step
        base = self.first.hour * 60 + self.first.minute + minutes
        return dt.time(base // 60, base % 60)

    def _header_top(self) -> int:
        return max(0, self.visibleRegion().boundingRect().top())

    def _column_at(self, x: float) -> int | None:
        if x < GUTTER_W or not self.columns:
            return None
        index = int((x - GUTTER_W) // self.column_width())
        return index if index < len(self.columns) else None

    def _column_of(self, appt: AppointmentRow) -> int | None:
        for i, col in enumerate(self.columns):
            if col.day == appt.start.date() and getattr(appt, f"{col.kind}_id") == \
                    col.resource_id:
                return i
        return None

    def block_rect(self, appointment_id: int) -> QRect | None:
        """Where an appointment is drawn (tests drag it from here)."""
        for appt in self.appointments:
            if appt.id == appointment_id:
                return self._rect(appt)
        return None

    def slot_point(self, column_index: int, t: dt.time) -> QPoint:
        """The middle of the slot starting at ``t`` in a column."""
        x = GUTTER_W + self.column_width() * (column_index + 0.5)
        return QPoint(int(x), int(self._y(t) + self.row_h / 2))

    def _rect(self, appt: AppointmentRow) -> QRect | None:
        index = self._column_of(appt)
        if index is None:
            return None
        w = self.column_width()
        x = GUTTER_W + w * index
        top, bottom = self._y(appt.start.time()), self._y(appt.end.time())
        return QRectF(x + 2, top + 1, w - 5, max(bottom - top - 2, 8)).toRect()

    def _block_at(self, pos: QPoint) -> BlockRow | None:
        index = self._column_at(pos.x())
        if index is None or pos.y() <= self._header_top() + HEADER_H:
            return None
        col = self.columns[index]
        at = dt.datetime.combine(col.day, self._time_at(pos.y()))
        for block in self.blocks:
            if getattr(block, f"{col.kind}_id") == col.resource_id and \
                    block.start <= at < block.end:
                return block
        return None

    def alert_kind(self, appointment_id: int) -> str | None:
        """"alert" (red badge), "notice" (amber) or None (no badge)."""
        items = self.alerts.get(appointment_id, ())
        return tone(items) if items else None

    def badge_rect(self, appointment_id: int) -> QRectF | None:
        """Where the alert badge of an appointment is drawn, or None without one."""
        rect = self.block_rect(appointment_id)
        if rect is None or self.alert_kind(appointment_id) is None:
            return None
        return QRectF(rect.right() - BADGE_W - 2, rect.top() + 3, BADGE_W, 14)

    def tooltip_for(self, appointment_id: int) -> str:
        """The block's tooltip: the visit, its status and its patient's alerts."""
        appt = next((a for a in self.appointments if a.id == appointment_id), None)
        if appt is None:
            return ""
        where = " · ".join(html.escape(x) for x in (appt.provider, appt.room, appt.device)
                           if x)
        lines = [f"<b>{html.escape(appt.patient)}</b>",
                 f"{appt.start:%H:%M}–{appt.end:%H:%M} {html.escape(appt.service)}",
                 where, f"Status: {html.escape(appt.status)}"]
        mark = self.marks.get(appointment_id)
        if mark is not None:
            lines.append(html.escape(mark.text))
        for item in self.alerts.get(appointment_id, ()):
            colour = style.WARNING_TEXT if is_notice(item) else style.ALERT_TEXT
            lines.append(f"<span style='color:{colour}'>⚠ {html.escape(item)}</span>")
        return "<br>".join(x for x in lines if x)

    def event(self, event) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            appt = self._appointment_at(event.pos())
            if appt is None:
                QToolTip.hideText()
                event.ignore()
            else:
                QToolTip.showText(event.globalPos(), self.tooltip_for(appt.id), self)
            return True
        return super().event(event)

    def _appointment_at(self, pos: QPoint) -> AppointmentRow | None:
        for appt in reversed(self.appointments):
            rect = self._rect(appt)
            if rect is not None and rect.contains(pos):
                return appt
        return None

    # -- painting ---------------------------------------------------------------------------
    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor(style.GRID_BACKGROUND))
        w = self.column_width()
        rows = self.rows()
        bottom = HEADER_H + rows * self.row_h
        small = _small_font(self.font())

        for i, col in enumerate(self.columns):  # shading outside working hours
            x = GUTTER_W + w * i
            if col.working is None:
                p.fillRect(QRectF(x, HEADER_H, w, rows * self.row_h), QColor(style.GRID_CLOSED_DAY))
                continue
            start, end = self._y(col.working[0]), self._y(col.working[1])
            shade = QColor(style.GRID_OUTSIDE_HOURS)
            if start > HEADER_H:
                p.fillRect(QRectF(x, HEADER_H, w, start - HEADER_H), shade)
            if end < bottom:
                p.fillRect(QRectF(x, end, w, bottom - end), shade)

        for r in range(rows + 1):  # grid lines and times
            y = HEADER_H + r * self.row_h
            minutes = self.first.hour * 60 + self.first.minute + r * self.step
            on_hour = minutes % 60 == 0
            p.setPen(QPen(QColor(style.GRID_LINE if on_hour else style.GRID_FINE_LINE)))
            p.drawLine(GUTTER_W, int(y), self.width(), int(y))
            if on_hour and r < rows:
                p.setPen(QColor(style.GRID_TIME))
                p.setFont(small)
                p.drawText(QRectF(0, y + 1, GUTTER_W - 6, self.row_h),
                           Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop,
                           f"{minutes // 60:02d}:00")
        for i in range(len(self.columns) + 1):
            x = GUTTER_W + w * i
            p.setPen(QPen(QColor(style.GRID_LINE)))
            p.drawLine(int(x), 0, int(x), bottom)

        if self.selected_slot is not None:
            index, start = self.selected_slot
            if index < len(self.columns):
                y = self._y(start.time())
                p.fillRect(QRectF(GUTTER_W + w * index + 1, y + 1, w - 2, self.row_h - 1),
                           QColor(*style.GRID_SELECTED_SLOT))

        for block in self.blocks:  # time off, blocked rooms and devices
            for i, col in enumerate(self.columns):
                if col.day != block.start.date() or \
                        getattr(block, f"{col.kind}_id") != col.resource_id:
                    continue
                top = self._y(max(block.start.time(), self.first))
                end = self._y(min(block.end.time(), self.last)) if \
                    block.end.date() == block.start.date() else bottom
                rect = QRectF(GUTTER_W + w * i + 2, top + 1, w - 5, max(end - top - 2, 6))
                p.fillRect(rect, QBrush(QColor(style.GRID_BLOCKED), Qt.BrushStyle.BDiagPattern))
                p.setPen(QColor(style.GRID_BLOCKED_TEXT))
                p.setFont(small)
                p.drawText(rect.adjusted(4, 2, -4, -2),
                           Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                           f"⛔ {block.reason}")

        bold = QFont(self.font())
        bold.setBold(True)
        for appt in self.appointments:
            rect = self._rect(appt)
            if rect is not None:
                self._paint_block(p, appt, rect, bold, small)

        if self.now is not None:  # the red "now" line
            for i, col in enumerate(self.columns):
                if col.day == self.now.date() and self.first <= self.now.time() < self.last:
                    y = self._y(self.now.time())
                    p.setPen(QPen(QColor(style.GRID_NOW), 2))
                    p.drawLine(int(GUTTER_W + w * i), int(y), int(GUTTER_W + w * (i + 1)),
                               int(y))

        if self._drag and self._drag.get("moved"):  # where a drag would land
            ghost = self._drag["ghost"]
            p.setPen(QPen(QColor(style.GRID_DROP), 2, Qt.PenStyle.DashLine))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRoundedRect(QRectF(ghost), 4, 4)

        # The header stays at the top of what is visible, so columns keep their names while
        # the day scrolls (the tab repaints on every scroll).
        top = self._header_top()
        if self.empty_text:  # nothing booked: what to do, under the header
            p.setFont(self.font())
            seen = self.visibleRegion().boundingRect()
            left = max(GUTTER_W, seen.left()) + 12
            right = (seen.right() if seen.width() > 0 else self.width()) - 12
            box = QRectF(left, top + HEADER_H + 16, max(120, right - left),
                         p.fontMetrics().height() * 2 + 16)
            p.setPen(QPen(QColor(style.GRID_LINE)))
            p.setBrush(QColor(style.GRID_BACKGROUND))
            p.drawRoundedRect(box, 6, 6)
            p.setPen(QColor(style.GRID_EMPTY_TEXT))
            p.drawText(box.adjusted(8, 4, -8, -4), Qt.AlignmentFlag.AlignCenter
                       | Qt.TextFlag.TextWordWrap, self.empty_text)
        p.fillRect(QRectF(0, top, self.width(), HEADER_H), QColor(style.GRID_HEADER))
        p.setPen(QColor(style.GRID_LINE))
        p.drawLine(0, top + HEADER_H, self.width(), top + HEADER_H)
        p.setFont(bold)
        p.setPen(QColor(style.GRID_TEXT))
        for i, col in enumerate(self.columns):
            rect = QRectF(GUTTER_W + w * i + 4, top, w - 8, HEADER_H)
            p.drawText(rect, Qt.AlignmentFlag.AlignCenter,
                       p.fontMetrics().elidedText(col.title, Qt.TextElideMode.ElideRight,
                                                  int(rect.width())))
        p.end()

    def _paint_block(self, p: QPainter, appt: AppointmentRow, rect: QRect, bold: QFont,
                     small: QFont) -> None:
        """One appointment: its treatment's colour as the fill and the band on the left; its
        status as the border (dashed while only booked, thick once the patient is in) and a
        named pill at the top right; the alert badge in the corner."""
        fill, edge = style.appointment_colours(appt.category_key, appt.colour)
        if appt.status_key in DONE_STATUSES:
            fill = style.faded(fill)
        border, width, dashed = style.STATUS_BORDERS.get(appt.status_key,
                                                         style.STATUS_BORDERS[_S.BOOKED])
        outline = QRectF(rect).adjusted(width / 2, width / 2, -width / 2, -width / 2)
        p.setPen(QPen(QColor(border), width,
                      Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine))
        p.setBrush(QColor(fill))
        p.drawRoundedRect(outline, 4, 4)
        p.fillRect(QRectF(rect.x() + width, rect.y() + width, 4, rect.height() - 2 * width),
                   QColor(edge))
        if appt.id == self.selected_id:
            p.setPen(QPen(QColor(style.GRID_SELECTED_BLOCK), 2))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRoundedRect(QRectF(rect).adjusted(-1, -1, 1, 1), 5, 5)
        inner = rect.adjusted(9, 2, -4, -2)
        right = inner.right()
        badge = self.badge_rect(appt.id)
        if badge is not None:
            p.setFont(small)
            draw_badge(p, badge, self.alert_kind(appt.id))
            right = int(badge.left()) - 3
        p.setFont(small)
        label = appt.status
        if pill_width(p, label) > inner.width() * 0.45:
            label = STATUS_ICONS.get(appt.status_key, "")
        width_needed = pill_width(p, label)
        pill_h = min(p.fontMetrics().height() + 2, inner.height())
        pill = QRectF(right - width_needed, inner.top() + 1, width_needed, pill_h)
        draw_pill(p, pill, appt.status_key, label)
        mark = self.marks.get(appt.id)
        if mark is not None and mark.kind in style.CONFIRMATION_MARKS:
            glyph, colour = style.CONFIRMATION_MARKS[mark.kind]
            glyph_w = p.fontMetrics().horizontalAdvance(glyph) + 2
            p.setPen(QColor(colour))
            mark_rect = QRectF(pill.left() - glyph_w - 2, pill.top(), glyph_w, pill_h)
            p.drawText(mark_rect, Qt.AlignmentFlag.AlignCenter, glyph)
            pill = mark_rect  # the name stops before the mark
        p.setPen(QColor(style.GRID_TEXT))
        p.setFont(bold)
        line_h = p.fontMetrics().height()
        name_w = max(0, int(pill.left()) - inner.left() - 4)
        p.drawText(QRect(inner.left(), inner.top(), name_w, inner.height()),
                   Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                   p.fontMetrics().elidedText(appt.patient, Qt.TextElideMode.ElideRight,
                                              name_w))
        if inner.height() >= line_h * 2:
            p.setFont(small)
            detail = f"{appt.start:%H:%M} {appt.service}"
            p.drawText(inner.adjusted(0, line_h, 0, 0),
                       Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                       p.fontMetrics().elidedText(detail, Qt.TextElideMode.ElideRight,
                                                  inner.width()))

    # -- gestures ---------------------------------------------------------------------------
    def mousePressEvent(self, event) -> None:
        pos = event.position().toPoint()
        appt = self._appointment_at(pos) if pos.y() > self._header_top() + HEADER_H else None
        if event.button() == Qt.MouseButton.RightButton:
            where = event.globalPosition().toPoint()
            block = None if appt is not None else self._block_at(pos)
            index = self._column_at(pos.x())
            if appt is not None:
                self._select_appointment(appt.id)
                self.context_requested.emit(appt.id, where)
            elif block is not None:
                self.block_context_requested.emit(block.id, where)
            elif index is not None and pos.y() > self._header_top() + HEADER_H:
                col = self.columns[index]
                start = dt.datetime.combine(col.day, self._time_at(pos.y()))
                self.selected_slot, self.selected_id = (index, start), None
                self.update()
                self.slot_context_requested.emit(col, start, where)
            return
        if event.button() != Qt.MouseButton.LeftButton:
            return
        if appt is not None:
            self._select_appointment(appt.id)
            rect = self._rect(appt)
            mode = "resize" if pos.y() >= rect.bottom() - RESIZE_GRIP else "move"
            self._drag = {"appt": appt, "mode": mode, "origin": pos, "moved": False,
                          "ghost": rect}
            return
        index = self._column_at(pos.x())
        if index is not None and pos.y() > self._header_top() + HEADER_H:
            col = self.columns[index]
            start = dt.datetime.combine(col.day, self._time_at(pos.y()))
            self.selected_slot = (index, start)
            self.selected_id = None
            self.update()
            self.slot_selected.emit(col, start)

    def mouseMoveEvent(self, event) -> None:
        pos = event.position().toPoint()
        if self._drag is None:
            appt = self._appointment_at(pos)
            rect = self._rect(appt) if appt else None
            near_edge = rect is not None and pos.y() >= rect.bottom() - RESIZE_GRIP
            self.setCursor(Qt.CursorShape.SizeVerCursor if near_edge
                           else Qt.CursorShape.ArrowCursor)
            return
        drag = self._drag
        if not drag["moved"] and (pos - drag["origin"]).manhattanLength() < 4:
            return
        drag["moved"] = True
        start, end, index = self._drop_target(pos)
        drag.update(start=start, end=end, index=index)
        if index is not None:
            col_x = GUTTER_W + self.column_width() * index
            drag["ghost"] = QRectF(col_x + 2, self._y(start.time()) + 1, self.column_width() - 5,
                                   self._y(end.time()) - self._y(start.time()) - 2).toRect()
        self.update()

    def _drop_target(self, pos: QPoint):
        drag = self._drag
        appt: AppointmentRow = drag["appt"]
        step = dt.timedelta(minutes=self.step)
        if drag["mode"] == "resize":
            index = self._column_of(appt)
            end_t = self._time_at(pos.y() + self.row_h / 2)
            end = dt.datetime.combine(appt.start.date(), end_t)
            end = max(end, appt.start + step)
            return appt.start, end, index
        shift_rows = round((pos.y() - drag["origin"].y()) / self.row_h)
        start = appt.start + step * shift_rows
        first = dt.datetime.combine(appt.start.date(), self.first)
        start = max(start, first)
        index = self._column_at(pos.x())
        if index is None:
            index = self._column_of(appt)
        col = self.columns[index]
        start = dt.datetime.combine(col.day, start.time())
        return start, start + (appt.end - appt.start), index

    def mouseReleaseEvent(self, event) -> None:
        drag, self._drag = self._drag, None
        if drag is None or not drag["moved"] or drag.get("index") is None:
            self.update()
            return
        appt: AppointmentRow = drag["appt"]
        col = self.columns[drag["index"]]
        self.update()
        if (drag["start"], drag["end"]) != (appt.start, appt.end) or \
                self._column_of(appt) != drag["index"]:
            self.move_requested.emit(appt.id, drag["start"], drag["end"], col)

    def mouseDoubleClickEvent(self, event) -> None:
        pos = event.position().toPoint()
        appt = self._appointment_at(pos)
        if appt is not None:
            self.appointment_activated.emit(appt.id)
            return
        index = self._column_at(pos.x())
        if index is not None and pos.y() > self._header_top() + HEADER_H:
            col = self.columns[index]
            self.slot_activated.emit(col, dt.datetime.combine(col.day, self._time_at(pos.y())))

    def keyPressEvent(self, event) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self.selected_id is not None:
                self.appointment_activated.emit(self.selected_id)
            elif self.selected_slot is not None:
                index, start = self.selected_slot
                self.slot_activated.emit(self.columns[index], start)
            return
        if key == Qt.Key.Key_Menu and self.selected_id is not None:
            rect = self.block_rect(self.selected_id)
            if rect is not None:
                self.context_requested.emit(self.selected_id, self.mapToGlobal(rect.center()))
            return
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_Left, Qt.Key.Key_Right) and \
                self.columns:
            self._move_slot_selection(key)
            return
        super().keyPressEvent(event)

    def _move_slot_selection(self, key) -> None:
        index, start = self.selected_slot or (0, dt.datetime.combine(self.columns[0].day,
                                                                      self.first))
        step = dt.timedelta(minutes=self.step)
        if key == Qt.Key.Key_Up:
            start -= step
        elif key == Qt.Key.Key_Down:
            start += step
        elif key == Qt.Key.Key_Left:
            index = max(0, index - 1)
        else:
            index = min(len(self.columns) - 1, index + 1)
        first = dt.datetime.combine(start.date(), self.first)
        last = dt.datetime.combine(start.date(), self.last) - step
        start = min(max(start, first), last)
        col = self.columns[index]
        start = dt.datetime.combine(col.day, start.time())
        self.selected_slot, self.selected_id = (index, start), None
        self.update()
        self.slot_selected.emit(col, start)

    def _select_appointment(self, appointment_id: int) -> None:
        self.selected_id = appointment_id
        self.selected_slot = None
        self.update()
        self.appointment_selected.emit(appointment_id)

    def select_appointment(self, appointment_id: int) -> None:
        self._select_appointment(appointment_id)

    def selected_slot_info(self) -> tuple[GridColumn, dt.datetime] | None:
        if self.selected_slot is None:
            return None
        index, start = self.selected_slot
        return self.columns[index], start


class StatusLegend(QWidget):
    """One line under the schedule's buttons saying what the blocks' marks mean: the band is
    the treatment, the border and pill the status, the triangle the patient's alerts."""

    ITEMS_GAP = 8

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Schedule legend")
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.setToolTip("Each block's fill and left band: the treatment. Its border and named "
                        "pill: the status. Cancelled and no-show visits are shown in Day as "
                        "a list.")

    def entries(self) -> list[tuple[str, str]]:
        """(kind, text) in the order drawn: "status:<key>", "badge:<tone>" or "text"."""
        items = [("text", "Status:")]
        items += [(f"status:{s.value}", s.label) for s in ACTIVE_STATUSES]
        items += [("badge:alert", "alerts"), ("badge:notice", "history to take or re-confirm"),
                  ("text", f"{style.CONFIRMATION_MARKS['reminder_sent'][0]} reminder sent"),
                  ("text", f"{style.CONFIRMATION_MARKS['no_answer'][0]} called, no answer"),
                  ("text", "· left band: the treatment")]
        return items

    def placed(self, width: int) -> list[tuple[str, str, float, int, int]]:
        """(kind, text, x, line, width) of each entry when the legend is ``width`` wide: an
        entry that would run past the right edge starts the next line (a narrow window wraps
        the legend instead of cutting it)."""
        metrics = QFontMetrics(_small_font(self.font()))
        out, x, line = [], 2.0, 0
        for kind, text in self.entries():
            w = metrics.horizontalAdvance(text) + (10 if kind.startswith("status:") else 0)
            full = w + (BADGE_W + 4 if kind.startswith("badge:") else 0)
            if x > 2.0 and x + full > width - 2:
                x, line = 2.0, line + 1
            out.append((kind, text, x, line, w))
            x += full + self.ITEMS_GAP
        return out

    def _line_height(self) -> int:
        return QFontMetrics(_small_font(self.font())).height() + 2

    def lines(self, width: int) -> int:
        return 1 + max((line for *_rest, line, _w in self.placed(width)), default=0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self.lines(width) * (self._line_height() + 2) + 6

    def sizeHint(self) -> QSize:
        return QSize(600, self.heightForWidth(max(self.width(), 600)))

    def minimumSizeHint(self) -> QSize:
        return QSize(200, self.heightForWidth(max(self.width(), 200)))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.height() < self.heightForWidth(self.width()):
            self.updateGeometry()

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setFont(_small_font(self.font()))
        h = self._line_height()
        placed = self.placed(self.width())
        count = 1 + max((line for *_rest, line, _w in placed), default=0)
        top0 = (self.height() - count * (h + 2) + 2) / 2
        for kind, text, x, line, w in placed:
            top = top0 + line * (h + 2)
            if kind.startswith("status:"):
                draw_pill(p, QRectF(x, top, w, h), kind.split(":")[1], text)
                continue
            if kind.startswith("badge:"):
                draw_badge(p, QRectF(x, top, BADGE_W, h), kind.split(":")[1])
                p.setFont(_small_font(self.font()))
                x += BADGE_W + 4
            p.setPen(QColor(style.QUIET_TEXT))
            p.drawText(QRectF(x, top, w + 2, h), Qt.AlignmentFlag.AlignVCenter, text)
        p.end()
