"""Drawn shapes: rotated rectangles and the polygon checks."""

from __future__ import annotations

import pytest
from qgis.core import QgsGeometry, QgsPointXY

from sitewatch.core.annotation.features import checked_polygon, rotated_rectangle
from sitewatch.core.errors import SiteWatchError


def test_rotated_rectangle_on_either_side_of_the_wall():
    left = rotated_rectangle(QgsPointXY(0, 0), QgsPointXY(10, 0), QgsPointXY(5, 4))
    right = rotated_rectangle(QgsPointXY(0, 0), QgsPointXY(10, 0), QgsPointXY(5, -4))
    assert left.area() == right.area() == pytest.approx(40)
    assert left.boundingBox().yMaximum() == 4 and right.boundingBox().yMinimum() == -4
    with pytest.raises(SiteWatchError, match="same place"):
        rotated_rectangle(QgsPointXY(1, 1), QgsPointXY(1, 1), QgsPointXY(5, 4))
    with pytest.raises(SiteWatchError, match="on the wall"):
        rotated_rectangle(QgsPointXY(0, 0), QgsPointXY(10, 0), QgsPointXY(20, 0))


def test_polygon_checks_name_the_problem():
    with pytest.raises(SiteWatchError, match="cross itself"):
        checked_polygon(QgsGeometry.fromWkt("POLYGON((0 0,10 10,10 0,0 10,0 0))"), "structure outline")
    with pytest.raises(SiteWatchError, match="no area"):
        checked_polygon(QgsGeometry.fromWkt("POLYGON((0 0,0.05 0,0.05 0.05,0 0.05,0 0))"), "structure outline")
    with pytest.raises(SiteWatchError, match="Nothing was saved"):
        checked_polygon(QgsGeometry.fromWkt("POLYGON((0 0,10 0,20 0,0 0))"), "structure outline")
