"""Footprints decoded from WKB agree with QGIS geometry."""

from __future__ import annotations

import pytest
from qgis.core import QgsGeometry

from sitewatch.core.scoring.footprints import decode


def test_decoded_footprints_match_qgis_geometry():
    wkts = [
        "POLYGON((0 0,10 0,10 5,0 5,0 0))",  # simple, decoded with numpy
        "MULTIPOLYGON(((0 0,4 0,4 4,0 0)))",  # one-part multipolygon: simple
        "POLYGON((0 0,20 0,20 20,0 20,0 0),(5 5,6 5,6 6,5 6,5 5))",  # hole: GEOS
        "POLYGON Z((0 0 1,3 0 1,3 3 1,0 3 1,0 0 1))",  # Z: GEOS
        "POLYGON((0 0,10 10,10 0,0 10,0 0))",  # bow-tie: repaired
        "POLYGON((0 0,10 0,10 10,5 0,0 10,0 0))",
    ]  # touches itself: repaired
    wkbs = [bytes(QgsGeometry.fromWkt(w).asWkb()) for w in wkts] + [None, b""]
    footprints = decode(wkbs)
    assert footprints.simple.tolist() == [True, True, False, False, False, False, False, False]
    assert footprints.repaired == [4, 5]
    assert footprints.empty.tolist() == [False] * 6 + [True, True]
    for position, wkt in enumerate(wkts):
        expected = QgsGeometry.fromWkt(wkt)
        if position in footprints.repaired:
            expected = expected.makeValid()
        assert footprints.planar_area[position] == pytest.approx(expected.area()), wkt
        box = expected.boundingBox()
        assert footprints.bbox[position].tolist() == [box.xMinimum(), box.yMinimum(), box.xMaximum(), box.yMaximum()]
