"""Compare two photos (or look at one): side by side, or one over the other with a slider
that reveals the earlier photo from the left."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QSlider,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from .. import style


def _fit(image: QImage, box: QRect) -> QRect:
    size = image.size().scaled(box.size(), Qt.AspectRatioMode.KeepAspectRatio)
    return QRect(box.x() + (box.width() - size.width()) // 2,
                 box.y() + (box.height() - size.height()) // 2, size.width(), size.height())


class SideBySide(QWidget):
    def __init__(self, images: list[QImage], titles: list[str], parent=None) -> None:
        super().__init__(parent)
        self.images, self.titles = images, titles
        self.setMinimumSize(QSize(600, 400))

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        p.fillRect(self.rect(), QColor(style.PHOTO_BACKDROP))
        width = self.width() // max(1, len(self.images))
        for i, (image, title) in enumerate(zip(self.images, self.titles, strict=True)):
            box = QRect(i * width + 6, 28, width - 12, self.height() - 34)
            p.drawImage(_fit(image, box), image)
            p.setPen(QColor(style.PHOTO_CAPTION))
            p.drawText(QRect(i * width, 4, width, 22), Qt.AlignmentFlag.AlignCenter, title)
        p.end()


class Slider(QWidget):
    """The later photo, with the earlier one painted over it left of the slider."""

    def __init__(self, images: list[QImage], titles: list[str], parent=None) -> None:
        super().__init__(parent)
        self.before, self.after = images[0], images[-1]
        self.titles = titles
        self.position = 0.5
        self.setMinimumSize(QSize(600, 400))

    def set_position(self, value: int) -> None:
        self.position = value / 100
        self.update()

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        p.fillRect(self.rect(), QColor(style.PHOTO_BACKDROP))
        box = _fit(self.after, self.rect().adjusted(6, 28, -6, -6))
        p.drawImage(box, self.after)
        split = box.x() + int(box.width() * self.position)
        p.save()
        p.setClipRect(QRect(box.x(), box.y(), split - box.x(), box.height()))
        p.drawImage(box, self.before)
        p.restore()
        p.setPen(QPen(QColor(style.PHOTO_CAPTION), 2))
        p.drawLine(split, box.top(), split, box.bottom())
        p.drawText(QRect(0, 4, self.width() // 2, 22), Qt.AlignmentFlag.AlignCenter,
                   self.titles[0])
        p.drawText(QRect(self.width() // 2, 4, self.width() // 2, 22),
                   Qt.AlignmentFlag.AlignCenter, self.titles[-1])
        p.end()


class CompareDialog(QDialog):
    def __init__(self, images: list[QImage], titles: list[str], parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Compare photos" if len(images) == 2 else titles[0])
        self.resize(1000, 680)
        self.mode = QComboBox()
        self.mode.addItem("Side by side")
        self.mode.addItem("Slider")
        self.mode.setEnabled(len(images) == 2)
        self.side = SideBySide(images, titles)
        self.slider_view = Slider(images, titles)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, 100)
        self.slider.setValue(50)
        self.slider.setAccessibleName("Reveal")
        self.slider.valueChanged.connect(self.slider_view.set_position)
        slider_page = QWidget()
        sl = QVBoxLayout(slider_page)
        sl.setContentsMargins(0, 0, 0, 0)
        sl.addWidget(self.slider_view, 1)
        sl.addWidget(self.slider)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.side)
        self.pages.addWidget(slider_page)
        self.mode.currentIndexChanged.connect(self.pages.setCurrentIndex)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("View"))
        bar.addWidget(self.mode)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.pages, 1)
