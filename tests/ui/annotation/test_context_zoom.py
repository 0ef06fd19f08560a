"""N zooms with context: the structure, its neighbours within the margin and the margin; while
swiping, the structure sits in the middle of the after side, not under the divider."""

from __future__ import annotations

import pytest
from qgis.core import QgsPointXY, QgsSettings
from qgis.PyQt.QtCore import Qt

from sitewatch.tests.helpers.review_site import SQUARES, press
from sitewatch.ui import settings
from sitewatch.ui.compare.canvas_overlay import CompareMode
from sitewatch.ui.compare.comparison import Comparison


def _pixel(canvas, x: float, y: float):
    return canvas.getCoordinateTransform().transform(QgsPointXY(x, y))


@pytest.fixture
def margin():
    key = settings.PREFIX + "review_margin_m"
    kept = QgsSettings().value(key, None)
    QgsSettings().setValue(key, 20.0)
    yield
    if kept is None:
        QgsSettings().remove(key)
    else:
        QgsSettings().setValue(key, kept)


def test_n_shows_the_neighbours_and_a_margin_not_a_pixelated_close_up(part, margin):
    canvas = part.canvas
    canvas.resize(800, 600)
    review = part.activate("review")
    part.controller.select("S-0001")
    press(review, Qt.Key.Key_N)  # → S-0002, 20 m from S-0001 and S-0003
    assert part.controller.current == "S-0002"
    extent = canvas.extent()
    x, y = SQUARES["S-0002"]
    assert extent.center().x() == pytest.approx(x + 10, abs=0.01)
    for neighbour in ("S-0001", "S-0003"):
        nx, ny = SQUARES[neighbour]
        assert extent.contains(QgsPointXY(nx, ny)) and extent.contains(QgsPointXY(nx + 20, ny + 20)), neighbour
    # The farthest neighbour edge is 50 m from S-0002's centre, plus the 20 m margin, each way.
    assert min(extent.width(), extent.height()) == pytest.approx(2 * (50 + 20), abs=0.5)


def test_while_swiping_the_structure_is_in_the_middle_of_the_after_side(part, margin):
    canvas = part.canvas
    canvas.resize(800, 600)
    comparison = Comparison(canvas)
    part.zoom.comparison = comparison
    comparison.start(CompareMode.SWIPE)
    comparison.set_divider(0.5)
    try:
        part.controller.select("S-0004")
        part.zoom.zoom_to("S-0004")
        x, y = SQUARES["S-0004"]
        centre = _pixel(canvas, x + 10, y + 10)
        width = canvas.mapSettings().outputSize().width()
        assert centre.x() == pytest.approx(0.75 * width, abs=2), "the middle of the after (right) half"
        left = _pixel(canvas, x, y)
        assert left.x() > 0.5 * width + 10, "the whole footprint is right of the divider"
    finally:
        comparison.stop()
        part.zoom.comparison = None
