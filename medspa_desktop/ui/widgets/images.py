"""Decoding photos for display: EXIF orientation honoured (a phone's portrait photo stands
upright), scaled copies for thumbnails."""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize, Qt
from PySide6.QtGui import QImage, QImageReader


def load_image(data: bytes) -> QImage:
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QImageReader(buffer)
    reader.setAutoTransform(True)  # apply the EXIF orientation
    image = reader.read()
    if image.isNull():
        raise ValueError(f"The image could not be read: {reader.errorString()}")
    return image


def thumbnail(image: QImage, size: int) -> QImage:
    return image.scaled(QSize(size, size), Qt.AspectRatioMode.KeepAspectRatio,
                        Qt.TransformationMode.SmoothTransformation)
