"""The face chart: click the diagram to place an injection point (its site is named from the
area clicked), drag a point to move it, right-click or press Delete to remove it; totals per
site and for the product follow every change. Front and side views share one numbering, which
the printed record repeats.

The diagram is drawn from services/treatments/face_chart (the same shapes the PDF draws)."""

from __future__ import annotations

from decimal import Decimal
from html import escape as _escape

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QTabBar,
    QVBoxLayout,
    QWidget,
)

from ...services.treatments import face_chart
from ...services.treatments.face_chart import amount_text
from .. import style

POINT_RADIUS = 7.0
INK = QColor(style.FACE_INK)
POINT = QColor(style.INJECTION_POINT)
SELECTED = QColor(style.SELECTED_POINT)
POINT_NUMBER = QColor(style.POINT_NUMBER)


def outline_path(shape: face_chart.Shape) -> QPainterPath:
    path = QPainterPath()
    face_chart.trace(shape, path.moveTo, path.lineTo, path.cubicTo, path.closeSubpath)
    return path


class FaceCanvas(QWidget):
    """One view of the diagram with the points placed on it."""

    def __init__(self, chart: FaceChartWidget) -> None:
        super().__init__(chart)
        self.chart = chart
        self.view = "front"
        self.hover_site = ""
        self._drag: int | None = None
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumSize(240, 300)
        self.setAccessibleName("Face chart")

    def sizeHint(self) -> QSize:
        return QSize(320, 400)

    # Geometry: the diagram scaled to fit, centred.
    def _frame(self) -> tuple[float, float, float]:
        d = face_chart.diagram(self.view)
        scale = min((self.width() - 8) / d.width, (self.height() - 24) / d.height)
        left = (self.width() - d.width * scale) / 2
        top = 18 + (self.height() - 24 - d.height * scale) / 2
        return scale, left, top

    def to_widget(self, x: float, y: float) -> QPointF:
        scale, left, top = self._frame()
        return QPointF(left + x * scale, top + y * scale)

    def to_diagram(self, pos: QPointF) -> tuple[float, float] | None:
        scale, left, top = self._frame()
        d = face_chart.diagram(self.view)
        x, y = (pos.x() - left) / scale, (pos.y() - top) / scale
        if 0 <= x <= d.width and 0 <= y <= d.height:
            return round(x, 1), round(y, 1)
        return None

    def point_at(self, pos: QPointF) -> int | None:
        for index in reversed(range(len(self.chart.items))):
            item = self.chart.items[index]
            if item["view"] == self.view:
                centre = self.to_widget(item["x"], item["y"])
                if (centre - pos).manhattanLength() <= POINT_RADIUS * 1.6:
                    return index
        return None

    def paintEvent(self, _event) -> None:
        d = face_chart.diagram(self.view)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor(style.PAPER))
        scale, left, top = self._frame()
        painter.setFont(QFont(self.font().family(), 8))
        painter.setPen(QColor(style.PAPER_LABEL))
        if self.view == "front":  # the patient's right is on the viewer's left
            painter.drawText(QRectF(4, 2, self.width() / 2, 16), "Patient's right")
            painter.drawText(QRectF(self.width() / 2, 2, self.width() / 2 - 4, 16),
                             Qt.AlignmentFlag.AlignRight, "Patient's left")
        else:
            painter.drawText(QRectF(4, 2, self.width() - 8, 16),
                             Qt.AlignmentFlag.AlignHCenter, face_chart.VIEWS[self.view])
        painter.save()
        painter.translate(left, top)
        painter.scale(scale, scale)
        for region in d.regions:
            if region.site == self.hover_site:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(QColor(*style.SELECTED_AREA))
                painter.drawPolygon(QPolygonF([QPointF(x, y) for x, y in region.polygon]))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for shape in d.shapes:
            pen = QPen(INK, shape.width)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            if shape.dashed:
                pen.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.drawPath(outline_path(shape))
        painter.restore()
        bold = QFont(self.font().family(), 7)
        bold.setBold(True)
        painter.setFont(bold)
        for number, item in enumerate(self.chart.items, 1):
            if item["view"] != self.view:
                continue
            centre = self.to_widget(item["x"], item["y"])
            selected = number - 1 == self.chart.selected
            painter.setPen(QPen(SELECTED if selected else POINT_NUMBER, 2 if selected else 1))
            painter.setBrush(SELECTED if selected else POINT)
            painter.drawEllipse(centre, POINT_RADIUS, POINT_RADIUS)
            painter.setPen(POINT_NUMBER)
            painter.drawText(QRectF(centre.x() - 10, centre.y() - 8, 20, 16),
                             Qt.AlignmentFlag.AlignCenter, str(number))
        if self.hover_site:
            painter.setFont(QFont(self.font().family(), 9))
            painter.setPen(SELECTED)
            painter.drawText(QRectF(4, self.height() - 18, self.width() - 8, 16),
                             Qt.AlignmentFlag.AlignHCenter, self.hover_site)
        painter.end()

    def mousePressEvent(self, event) -> None:
        pos = event.position()
        index = self.point_at(pos)
        if event.button() == Qt.MouseButton.RightButton:
            if index is not None:
                self._menu(index, event.globalPosition().toPoint())
            return None
        if event.button() != Qt.MouseButton.LeftButton:
            return None
        self.setFocus()
        if index is not None:
            self.chart.select(index)
            self._drag = index
            return None
        where = self.to_diagram(pos)
        if where is not None:
            self._drag = self.chart.add_point(self.view, *where)
        return None

    def mouseMoveEvent(self, event) -> None:
        where = self.to_diagram(event.position())
        if self._drag is not None and where is not None:
            self.chart.move_point(self._drag, *where)
        site = face_chart.site_at(self.view, *where) if where else ""
        if site != self.hover_site:
            self.hover_site = site
            self.update()

    def mouseReleaseEvent(self, _event) -> None:
        self._drag = None

    def leaveEvent(self, _event) -> None:
        self.hover_site = ""
        self.update()

    def contextMenuEvent(self, event) -> None:
        """The menu key: the selected point's menu (a right click is handled on press)."""
        if event.reason() != event.Reason.Mouse and self.chart.selected is not None:
            item = self.chart.items[self.chart.selected]
            if item["view"] == self.view:
                centre = self.to_widget(item["x"], item["y"]).toPoint()
                self._menu(self.chart.selected, self.mapToGlobal(centre))

    def _menu(self, index: int, where) -> None:
        self.chart.select(index)
        menu = QMenu(self)
        menu.addAction(f"Delete point {index + 1}", lambda: self.chart.delete_point(index))
        menu.exec(where)

    def keyPressEvent(self, event) -> None:
        chart, key = self.chart, event.key()
        if chart.selected is None:
            return super().keyPressEvent(event)
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            chart.delete_point(chart.selected)
            return None
        step = {Qt.Key.Key_Left: (-2, 0), Qt.Key.Key_Right: (2, 0),
                Qt.Key.Key_Up: (0, -2), Qt.Key.Key_Down: (0, 2)}.get(key)
        if step is None:
            return super().keyPressEvent(event)
        item = chart.items[chart.selected]
        d = face_chart.diagram(item["view"])
        chart.move_point(chart.selected, min(max(item["x"] + step[0], 0), d.width),
                         min(max(item["y"] + step[1], 0), d.height))
        return None


class FaceChartWidget(QWidget):
    """Points with their doses in ``unit`` (U or mL), placed ``step`` at a time."""

    changed = Signal()

    def __init__(self, unit: str, step: Decimal, default: Decimal, maximum: float,
                 parent=None) -> None:
        super().__init__(parent)
        self.unit, self.step = unit, step
        self.product = ""
        self.items: list[dict] = []
        self.selected: int | None = None
        self.views = QTabBar()
        for key, label in face_chart.VIEWS.items():
            self.views.addTab(label)
            self.views.setTabData(self.views.count() - 1, key)
        self.views.setAccessibleName("Face chart view")
        self.canvas = FaceCanvas(self)
        self.views.currentChanged.connect(self._show_view)
        decimals = max(0, -step.as_tuple().exponent)
        self.dose = self._spin(decimals, float(step), maximum, float(default))
        self.dose.setAccessibleName("Dose for new points")
        self.site = QLineEdit()
        self.site.setAccessibleName("Site of the selected point")
        self.site.setMaxLength(face_chart.MAX_SITE)
        self.site.textEdited.connect(self._site_typed)
        self.amount = self._spin(decimals, float(step), maximum, float(default))
        self.amount.setAccessibleName("Dose of the selected point")
        self.amount.valueChanged.connect(self._amount_changed)
        self.delete_button = QPushButton("Delete point")
        self.delete_button.clicked.connect(lambda: self.delete_point(self.selected))
        self.point_label = QLabel()
        self.totals = QLabel()
        self.totals.setTextFormat(Qt.TextFormat.RichText)
        self.totals.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.totals.setMinimumWidth(170)
        self.totals.setAccessibleName("Face chart totals")

        new = QFormLayout()
        new.addRow("New points", self.dose)
        editor = QHBoxLayout()
        editor.addWidget(self.point_label)
        editor.addWidget(self.site, 1)
        editor.addWidget(self.amount)
        editor.addWidget(self.delete_button)
        left = QVBoxLayout()
        left.setContentsMargins(0, 0, 0, 0)
        left.addWidget(self.views)
        left.addWidget(self.canvas, 1)
        left.addLayout(editor)
        side = QVBoxLayout()
        side.addLayout(new)
        side.addWidget(QLabel("Click the face to add a point; drag to move it; "
                              "right-click or Delete removes it."), 0)
        side.itemAt(side.count() - 1).widget().setWordWrap(True)
        side.addWidget(self.totals, 1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(left, 3)
        layout.addLayout(side, 1)
        self._refresh()

    def _spin(self, decimals: int, step: float, maximum: float, value: float) -> QDoubleSpinBox:
        spin = QDoubleSpinBox()
        spin.setDecimals(decimals)
        spin.setSingleStep(step)
        spin.setRange(step, maximum)
        spin.setValue(value)
        spin.setSuffix(f" {self.unit}")
        return spin

    # The points, as the treatment record stores them.
    def points(self) -> list[dict]:
        return [{"view": i["view"], "x": i["x"], "y": i["y"], "site": i["site"],
                 "amount": float(i["amount"])} for i in self.items]

    def set_points(self, points: list[dict]) -> None:
        self.items = [{"view": p["view"], "x": float(p["x"]), "y": float(p["y"]),
                       "site": str(p.get("site", "")), "amount": Decimal(str(p["amount"])),
                       "named": p.get("site", "") != face_chart.site_at(p["view"], p["x"],
                                                                        p["y"])}
                      for p in points]
        self.selected = None
        self._changed()

    def set_product(self, name: str) -> None:
        self.product = name
        self._refresh()

    def total(self) -> Decimal:
        return sum((i["amount"] for i in self.items), Decimal(0))

    def show_view(self, view: str) -> None:
        self.views.setCurrentIndex(list(face_chart.VIEWS).index(view))

    # Editing
    def add_point(self, view: str, x: float, y: float) -> int:
        amount = Decimal(str(self.dose.value())).quantize(self.step)
        self.items.append({"view": view, "x": x, "y": y, "amount": amount,
                           "site": face_chart.site_at(view, x, y), "named": False})
        self.selected = len(self.items) - 1
        self._changed()
        if not self.items[-1]["site"]:
            self.site.setFocus()  # outside the marked areas: the provider names the site
        return self.selected

    def move_point(self, index: int, x: float, y: float) -> None:
        item = self.items[index]
        item["x"], item["y"] = x, y
        if not item["named"]:
            item["site"] = face_chart.site_at(item["view"], x, y)
        self._changed()

    def delete_point(self, index: int | None) -> None:
        if index is None or not 0 <= index < len(self.items):
            return
        del self.items[index]
        self.selected = None
        self._changed()

    def select(self, index: int | None) -> None:
        self.selected = index
        self._refresh()

    def _site_typed(self, text: str) -> None:
        if self.selected is not None:
            self.items[self.selected]["site"] = text  # trimmed when saved
            self.items[self.selected]["named"] = True
            self._changed()

    def _amount_changed(self, value: float) -> None:
        if self.selected is not None:
            amount = Decimal(str(value)).quantize(self.step)
            if amount != self.items[self.selected]["amount"]:
                self.items[self.selected]["amount"] = amount
                self._changed()

    def _show_view(self, index: int) -> None:
        self.canvas.view = self.views.tabData(index)
        self.canvas.hover_site = ""
        self.canvas.update()

    def _changed(self) -> None:
        self._refresh()
        self.changed.emit()

    def _refresh(self) -> None:
        has = self.selected is not None
        for w in (self.site, self.amount, self.delete_button):
            w.setEnabled(has)
        if has:
            item = self.items[self.selected]
            self.point_label.setText(f"Point {self.selected + 1}")
            if self.site.text() != item["site"]:
                self.site.setText(item["site"])
            self.amount.blockSignals(True)
            self.amount.setValue(float(item["amount"]))
            self.amount.blockSignals(False)
        else:
            self.point_label.setText("No point selected")
            self.site.clear()
        sums = face_chart.totals_by_site(
            [face_chart.Point(i["view"], i["x"], i["y"], i["site"].strip() or "(site not named)", i["amount"])
             for i in self.items])
        rows = "".join(f"<tr><td>{_escape(site)}</td><td align='right'>"
                       f"{amount_text(amount, self.unit)}</td></tr>" for site, amount in sums)
        count = len(self.items)
        product = _escape(self.product) or "Total"
        self.totals.setText(
            f"<table width='100%' cellspacing='0' cellpadding='2'>{rows}"
            f"<tr><td style='border-top:1px solid {style.PAPER_RULE}'><b>{product}</b></td>"
            f"<td align='right' style='border-top:1px solid {style.PAPER_RULE}'><b>"
            f"{amount_text(self.total(), self.unit)}</b></td></tr></table>"
            f"<p style='color:{style.QUIET_TEXT}'>{count} point{'s' if count != 1 else ''}</p>")
        self.canvas.update()
