"""A signature pad: sign with the mouse, a pen or a finger (Qt turns pen and touch into mouse
events unless a widget takes them itself). The strokes become a transparent PNG for the PDF."""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from .. import style

INK = QColor(style.SIGNATURE_INK)
PNG_SIZE = QSize(900, 260)  # the image kept, whatever the pad's size on screen


class SignaturePad(QWidget):
    changed = Signal()

    def __init__(self, label: str, parent=None) -> None:
        super().__init__(parent)
        self.label = label
        self.strokes: list[list[QPointF]] = []  # in 0..1 of the pad's width and height
        self.setMinimumSize(320, 110)
        self.setAccessibleName(label)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setAttribute(Qt.WidgetAttribute.WA_StaticContents)

    def sizeHint(self) -> QSize:
        return QSize(520, 150)

    def is_empty(self) -> bool:
        """A dot or a slip of the hand is not a signature."""
        return sum(len(s) for s in self.strokes) < 4

    def clear(self) -> None:
        self.strokes = []
        self.update()
        self.changed.emit()

    def _norm(self, pos: QPointF) -> QPointF:
        return QPointF(min(max(pos.x() / max(self.width(), 1), 0.0), 1.0),
                       min(max(pos.y() / max(self.height(), 1), 0.0), 1.0))

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.strokes.append([self._norm(event.position())])
            self.update()

    def mouseMoveEvent(self, event) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton and self.strokes:
            self.strokes[-1].append(self._norm(event.position()))
            self.update()

    def mouseReleaseEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.changed.emit()

    def _draw(self, painter: QPainter, width: float, height: float, pen_width: float) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(INK, pen_width)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        for stroke in self.strokes:
            path = QPainterPath(QPointF(stroke[0].x() * width, stroke[0].y() * height))
            for p in stroke[1:]:
                path.lineTo(p.x() * width, p.y() * height)
            if len(stroke) == 1:
                painter.drawPoint(path.currentPosition())
            else:
                painter.drawPath(path)

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(style.PAPER))
        painter.setPen(QPen(QColor(style.PAPER_RULE), 1))
        painter.drawRect(self.rect().adjusted(0, 0, -1, -1))
        baseline = self.height() * 0.78
        painter.drawLine(QPointF(16, baseline), QPointF(self.width() - 16, baseline))
        painter.setPen(QColor(style.PAPER_LABEL))
        painter.drawText(QRectF(18, baseline + 2, self.width() - 36, 20), "✕  " + self.label)
        self._draw(painter, self.width(), self.height(), 2.2)
        painter.end()

    def to_png(self) -> bytes:
        """The strokes on a transparent background, the same shape whatever the pad's size."""
        image = QImage(PNG_SIZE, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        self._draw(painter, PNG_SIZE.width(), PNG_SIZE.height(), 5.0)
        painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")
        return bytes(data.data())


def add_signing_pads(column: QVBoxLayout, signer: str, witness: str,
                     on_change) -> tuple[SignaturePad, SignaturePad]:
    """The signer's pad and the witness's under a signed form's text, each with its Clear
    button (the consent and the membership agreement sign the same way); ``on_change`` runs
    after every stroke or clear."""
    pads = (SignaturePad(f"Signature of {signer}"),
            SignaturePad(f"Signature of {witness} (witness)"))
    for pad in pads:
        pad.changed.connect(on_change)
        clear = QPushButton("Clear")
        clear.clicked.connect(pad.clear)
        row = QHBoxLayout()
        row.addWidget(pad, 1)
        row.addWidget(clear, 0, Qt.AlignmentFlag.AlignBottom)
        column.addLayout(row)
    return pads
