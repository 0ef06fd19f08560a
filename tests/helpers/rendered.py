"""What a map canvas shows, read back as pixels: the status colour drawn on a structure."""

from __future__ import annotations

from qgis.gui import QgsMapCanvas
from qgis.PyQt.QtCore import QPoint
from qgis.PyQt.QtGui import QColor, QImage
from qgis.PyQt.QtTest import QTest

from sitewatch.core import values
from sitewatch.tests.helpers.review_site import SQUARES


def shown(canvas: QgsMapCanvas) -> QImage:
    """The canvas as the analyst sees it (its map and the items drawn over it, e.g. the swipe)."""
    for _ in range(3):  # a refresh starts on a timer; wait for it, and for one it may chain
        QTest.qWait(20)
        canvas.waitWhileRendering()
    return canvas.viewport().grab().toImage()


def status_drawn(canvas: QgsMapCanvas, image: QImage, structure_id: str) -> str:
    """The status whose colour outlines the left wall of one of the SQUARES in ``image`` (a
    grab of ``canvas``), or "none"."""
    x, y = SQUARES[structure_id]
    point = canvas.mapSettings().mapToPixel().transform(x, y + 10)
    ratio = image.width() / max(1, canvas.viewport().width())
    colours = {status.colour[:7]: status.code for status in values.STATUSES}
    for dx in (0, -1, 1):  # the wall's line is about 3 pixels wide, centred on the wall
        seen = QColor(image.pixel(QPoint(round((point.x() + dx) * ratio), round(point.y() * ratio))))
        if seen.name() in colours:
            return colours[seen.name()]
    return "none"
