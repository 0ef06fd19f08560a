"""Footprint geometry checks of imports: polygons only, repaired when invalid, 2D, and
the intersection-over-union test that finds a footprint already in the assessment."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import NamedTuple

from qgis.core import (
    Qgis,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransformContext,
    QgsFeatureRequest,
    QgsFeatureSource,
    QgsGeometry,
    QgsRectangle,
    QgsWkbTypes,
)

from ..errors import SiteWatchError

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
    kind = geometry.wkbType()
    if QgsWkbTypes.isCurvedType(kind):
        geometry = QgsGeometry(geometry.constGet().segmentize())
    if QgsWkbTypes.hasZ(kind) or QgsWkbTypes.hasM(kind):
        geometry = QgsGeometry(geometry)
        geometry.get().dropZValue()
        geometry.get().dropMValue()
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
    """Footprints (existing and just imported) to find the one a new footprint duplicates.

    A grid of square cells keyed by integer coordinates: inserting 100,000 footprints one by one
    is several times faster than with QgsSpatialIndex, and a footprint added during an import is
    found by the next one at once. The cell size is twice the first footprint's size;
    footprints covering more than ``_MAX_CELLS`` cells are kept aside and always tested."""

    _MAX_CELLS = 64

    def __init__(self, footprints: Iterable[tuple[str, QgsGeometry]] = ()):
        self._cell = 0.0
        self._cells: dict[tuple[int, int], list[int]] = {}
        self._large: list[int] = []
        self._keys: list[str] = []
        self._geometries: list[QgsGeometry] = []
        self._boxes: list[tuple[float, float, float, float]] = []
        for key, geometry in footprints:
            self.add(key, geometry)

    def _span(self, box: QgsRectangle) -> tuple[range, range]:
        cell = self._cell
        columns = range(math.floor(box.xMinimum() / cell), math.floor(box.xMaximum() / cell) + 1)
        rows = range(math.floor(box.yMinimum() / cell), math.floor(box.yMaximum() / cell) + 1)
        return columns, rows

    def add(self, key: str, geometry: QgsGeometry) -> None:
        if geometry is None or geometry.isEmpty():
            return
        box = geometry.boundingBox()
        if not self._cell:
            self._cell = 2 * max(box.width(), box.height()) or 1.0
        number = len(self._keys)
        self._keys.append(key)
        self._geometries.append(geometry)
        self._boxes.append((box.xMinimum(), box.yMinimum(), box.xMaximum(), box.yMaximum()))
        columns, rows = self._span(box)
        if len(columns) * len(rows) > self._MAX_CELLS:
            self._large.append(number)
            return
        for column in columns:
            for row in rows:
                self._cells.setdefault((column, row), []).append(number)

    def _candidates(self, box: QgsRectangle) -> list[int]:
        if not self._keys:
            return []
        columns, rows = self._span(box)
        if len(columns) * len(rows) > self._MAX_CELLS:
            return list(range(len(self._keys)))
        found = set(self._large)
        for column in columns:
            for row in rows:
                found.update(self._cells.get((column, row), ()))
        x0, y0, x1, y1 = box.xMinimum(), box.yMinimum(), box.xMaximum(), box.yMaximum()
        boxes = self._boxes
        return sorted(
            n for n in found if boxes[n][0] <= x1 and boxes[n][2] >= x0 and boxes[n][1] <= y1 and boxes[n][3] >= y0
        )

    def best_match(self, geometry: QgsGeometry, threshold: float) -> tuple[str, float] | None:
        """The key and IoU of the footprint overlapping ``geometry`` most, when IoU ≥ threshold."""
        best: tuple[str, float] | None = None
        for number in self._candidates(geometry.boundingBox()):
            score = iou(self._geometries[number], geometry)
            if score >= threshold and (best is None or score > best[1]):
                best = (self._keys[number], score)
        return best

    def containing(self, point: QgsGeometry) -> str | None:
        """The key of a footprint that contains ``point`` (the lowest key on ties)."""
        keys = [self._keys[n] for n in self._candidates(point.boundingBox()) if self._geometries[n].contains(point)]
        return min(keys) if keys else None

    def nearest(self, point: QgsGeometry, max_distance: float) -> str | None:
        """The key of the footprint nearest to ``point`` within ``max_distance`` (layer units)."""
        area = point.boundingBox().buffered(max_distance)
        best = min(
            ((self._geometries[n].distance(point), self._keys[n]) for n in self._candidates(area)),
            default=None,
        )
        return None if best is None or best[0] > max_distance else best[1]


def area_of_interest(
    source: QgsFeatureSource, crs: QgsCoordinateReferenceSystem, context: QgsCoordinateTransformContext, name: str
) -> QgsGeometry:
    """The polygons of ``source`` (an AOI layer) as one geometry in ``crs``; a SiteWatchError
    naming the layer when it holds no polygon area."""
    if source.wkbType() != Qgis.WkbType.Unknown and QgsWkbTypes.geometryType(source.wkbType()) != (
        Qgis.GeometryType.Polygon
    ):
        raise SiteWatchError(f"The area of interest '{name}' must hold polygons; choose a polygon layer.")
    request = QgsFeatureRequest().setDestinationCrs(crs, context).setNoAttributes()
    parts = [
        f.geometry()
        for f in source.getFeatures(request)
        if f.hasGeometry() and f.geometry().type() == Qgis.GeometryType.Polygon
    ]
    area = QgsGeometry.unaryUnion([p.makeValid() for p in parts]) if parts else QgsGeometry()
    if area.isNull() or area.isEmpty() or area.area() <= 0:
        raise SiteWatchError(f"The area of interest '{name}' holds no polygon; draw or choose one first.")
    return area
