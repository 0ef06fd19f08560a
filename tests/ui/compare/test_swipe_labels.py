"""The swipe's date labels stay on their side of the divider however narrow the side."""

from __future__ import annotations

import pytest
from qgis.PyQt.QtCore import QRectF
from qgis.PyQt.QtGui import QColor, QImage, QPainter

from sitewatch.ui.compare.canvas_overlay import ComparisonItem


@pytest.mark.parametrize("side_width", [30, 90, 160, 400])
def test_label_never_spills_across_the_divider(qgis_app, side_width):
    image = QImage(600, 200, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    ComparisonItem._label(painter, QRectF(0, 0, side_width, 200), "2019-09-01 · Maxar WorldView-3 · WV03", "Before")
    painter.end()
    painted = [x for x in range(600) for y in range(150, 200) if image.pixelColor(x, y) != QColor("white")]
    assert all(x < side_width for x in painted), (side_width, max(painted))
    if side_width >= 160:
        assert painted, "a side wide enough shows its label"
