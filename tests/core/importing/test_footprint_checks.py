"""The per-footprint work of an import: the duplicate index against a brute-force search, the
geometry check's fast path for plain polygons, the type map's memory of values it has seen."""

from __future__ import annotations

import random

from qgis.core import Qgis, QgsGeometry, QgsRectangle

from sitewatch.core.importing import type_map
from sitewatch.core.importing.geometry import EMPTY, NOT_POLYGON, FootprintIndex, checked_polygon, iou
from sitewatch.core.importing.type_map import TypeMapper


def brute_best(kept: list[tuple[str, QgsGeometry]], geometry: QgsGeometry, threshold: float):
    best = None
    for key, other in kept:
        score = iou(other, geometry)
        if score >= threshold and (best is None or score > best[1]):
            best = (key, score)
    return best


def test_the_index_finds_what_a_search_of_every_footprint_finds():
    """Squares of 5 to 40 m, some 3 km wide (kept aside, always tested), many overlapping and
    some identical (ties go to the first added), imported one by one as the import does."""
    rng = random.Random(16)
    index, kept = FootprintIndex(), []
    for number in range(1500):
        if number % 300 == 7:
            x, y, size = rng.uniform(0, 400), rng.uniform(0, 400), 3000.0
        elif number % 50 == 3 and kept:
            box = kept[rng.randrange(len(kept))][1].boundingBox()
            x, y, size = box.xMinimum(), box.yMinimum(), box.width()
        else:
            x, y, size = rng.uniform(0, 400), rng.uniform(0, 400), rng.uniform(5, 40)
        geometry = QgsGeometry.fromRect(QgsRectangle(x, y, x + size, y + size))
        expected = brute_best(kept, geometry, 0.3)
        box = geometry.boundingBox()
        assert index.best_match(geometry, 0.3) == expected
        assert index.best_match(geometry, 0.3, box) == expected
        if expected is None:
            key = f"S-{number:04d}"
            index.add(key, geometry, box if number % 2 else None)  # the box just looked up, or none
            kept.append((key, geometry))
    assert 100 < len(kept) < 1500


def test_plain_polygons_pass_as_they_are_and_the_others_are_converted_or_refused():
    square = QgsGeometry.fromWkt("POLYGON((0 0,10 0,10 10,0 10,0 0))")
    checked = checked_polygon(square)
    assert (checked.geometry is square, checked.refused, checked.repaired) == (True, None, False)
    bowtie = checked_polygon(QgsGeometry.fromWkt("POLYGON((0 0,10 10,10 0,0 10,0 0))"))
    assert (bowtie.refused, bowtie.repaired, bowtie.geometry.isGeosValid()) == (None, True, True)
    assert abs(bowtie.geometry.area() - 50) < 1e-9
    with_z = checked_polygon(QgsGeometry.fromWkt("POLYGON Z((0 0 5,10 0 5,10 10 5,0 10 5,0 0 5))"))
    assert with_z.geometry.wkbType() == Qgis.WkbType.Polygon
    curved = checked_polygon(QgsGeometry.fromWkt("CURVEPOLYGON(CIRCULARSTRING(0 0,10 0,0 0))"))
    assert curved.geometry.wkbType() == Qgis.WkbType.Polygon and curved.geometry.area() > 70
    assert checked_polygon(QgsGeometry.fromWkt("LINESTRING(0 0,1 1)")).refused == NOT_POLYGON
    assert checked_polygon(QgsGeometry()).refused == EMPTY
    assert checked_polygon(QgsGeometry.fromWkt("POLYGON EMPTY")).refused == EMPTY


def test_the_type_map_counts_every_unmapped_footprint_however_many_values_it_remembers(monkeypatch):
    monkeypatch.setattr(type_map, "_KNOWN_TEXTS", 2)
    mapper = TypeMapper({"depot": "warehouse"})
    values = ["silo", "depot", "silo", "Depot", " silo ", 7, "tank", "silo", "", None, "tank", 7]
    types = [mapper.type_of(v) for v in values]
    assert types == [
        "other", "warehouse", "other", "warehouse", "other", "other", "other", "other", "building", "building",
        "other", "other",
    ]  # fmt: skip
    assert mapper.unmapped == {"silo": 4, "7": 2, "tank": 2}
