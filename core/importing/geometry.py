"""Footprint geometry checks of imports: polygons only, repaired when invalid, 2D, and
the intersection-over-union test that finds a footprint already in the assessment."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from qgis.core import Qgis, QgsFeature, QgsGeometry, QgsSpatialIndex

EMPTY = "empty geometry"
NOT_POLYGON = "not a polygon"
EMPTY_AFTER_REPAIR = "no area left after repair"


class Checked(NamedTuple):
    """A footprint ready to store (``geometry``), or the reason it is refused."""

    geometry: QgsGeometry | None
    refused: str | None
    repaired: bool


def checked_polygon(geometry: QgsGeometry | None) -> Checked:
    """``geometry`` as a valid 2D (multi)polygon; multipart stays one footprint."""
    if geometry is None or geometry.isNull() or geometry.isEmpty():
        return Checked(None, EMPTY, False)
    if geometry.type() != Qgis.GeometryType.Polygon:
        return Checked(None, NOT_POLYGON, False)
    geometry = QgsGeometry(geometry)
    if geometry.constGet().hasCurvedSegments():
        geometry = QgsGeometry(geometry.constGet().segmentize())
    abstract = geometry.get()
    abstract.dropZValue()
    abstract.dropMValue()
    repaired = False
    if not geometry.isGeosValid():
        repaired = True
        geometry = geometry.makeValid()
        if geometry.type() != Qgis.GeometryType.Polygon or geometry.isMultipart():
            parts = [p for p in geometry.asGeometryCollection() if p.type() == Qgis.GeometryType.Polygon]
            geometry = QgsGeometry.collectGeometry(parts) if parts else QgsGeometry()
        if geometry.isEmpty() or geometry.area() <= 0:
            return Checked(None, EMPTY_AFTER_REPAIR, True)
    return Checked(geometry, None, repaired)


def iou(a: QgsGeometry, b: QgsGeometry) -> float:
    """Intersection over union of two polygons (0 when they do not overlap)."""
    overlap = a.intersection(b).area()
    if overlap <= 0:
        return 0.0
    union = a.area() + b.area() - overlap
    return overlap / union if union > 0 else 0.0


class FootprintIndex:
    """Footprints (existing and just imported) to find the one a new footprint duplicates."""

    def __init__(self, footprints: Iterable[tuple[str, QgsGeometry]] = ()):
        self._index = QgsSpatialIndex()
        self._keys: list[str] = []
        self._geometries: list[QgsGeometry] = []
        for key, geometry in footprints:
            self.add(key, geometry)

    def add(self, key: str, geometry: QgsGeometry) -> None:
        if geometry is None or geometry.isEmpty():
            return
        feature = QgsFeature(len(self._keys))
        feature.setGeometry(geometry)
        self._keys.append(key)
        self._geometries.append(geometry)
        self._index.addFeature(feature)

    def best_match(self, geometry: QgsGeometry, threshold: float) -> tuple[str, float] | None:
        """The key and IoU of the footprint overlapping ``geometry`` most, when IoU ≥ threshold."""
        best: tuple[str, float] | None = None
        for number in self._index.intersects(geometry.boundingBox()):
            score = iou(self._geometries[number], geometry)
            if score >= threshold and (best is None or score > best[1]):
                best = (self._keys[number], score)
        return best

    def containing(self, geometry: QgsGeometry) -> str | None:
        """The key of a footprint that contains the point ``geometry`` (the lowest key on ties)."""
        keys = [
            self._keys[n]
            for n in self._index.intersects(geometry.boundingBox())
            if self._geometries[n].contains(geometry)
        ]
        return min(keys) if keys else None

    def nearest(self, geometry: QgsGeometry, max_distance: float) -> str | None:
        """The key of the footprint nearest to ``geometry`` within ``max_distance`` (layer units)."""
        best: tuple[float, str] | None = None
        for number in self._index.nearestNeighbor(geometry, 3, max_distance):
            distance = self._geometries[number].distance(geometry)
            if distance <= max_distance and (best is None or (distance, self._keys[number]) < best):
                best = (distance, self._keys[number])
        return None if best is None else best[1]
