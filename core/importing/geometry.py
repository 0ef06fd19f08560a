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


_PLAIN_POLYGONS = frozenset((Qgis.WkbType.Polygon, Qgis.WkbType.MultiPolygon))
"""2D polygon types: stored as they are once valid."""


class Checked(NamedTuple):
    """A footprint ready to store (``geometry``), or the reason it is refused."""

    geometry: QgsGeometry | None
    refused: str | None
    repaired: bool


def checked_polygon(geometry: QgsGeometry | None) -> Checked:
    """``geometry`` as a valid 2D (multi)polygon; multipart stays one footprint."""
    if geometry is None or geometry.isNull() or geometry.isEmpty():
        return Checked(None, EMPTY, False)
    kind = geometry.wkbType()
    if kind in _PLAIN_POLYGONS:  # the usual case: nothing to convert
        return Checked(geometry, None, False) if geometry.isGeosValid() else _repaired(geometry)
    if geometry.type() != Qgis.GeometryType.Polygon:
        return Checked(None, NOT_POLYGON, False)
    if QgsWkbTypes.isCurvedType(kind):
        geometry = QgsGeometry(geometry.constGet().segmentize())
    if QgsWkbTypes.hasZ(kind) or QgsWkbTypes.hasM(kind):
        geometry = QgsGeometry(geometry)
        geometry.get().dropZValue()
        geometry.get().dropMValue()
    return Checked(geometry, None, False) if geometry.isGeosValid() else _repaired(geometry)


def _repaired(geometry: QgsGeometry) -> Checked:
    """An invalid 2D polygon made valid: its polygon parts, or refused when no area is left."""
    geometry = geometry.makeValid()
    if geometry.type() != Qgis.GeometryType.Polygon or geometry.isMultipart():
        parts = [p for p in geometry.asGeometryCollection() if p.type() == Qgis.GeometryType.Polygon]
        geometry = QgsGeometry.collectGeometry(parts) if parts else QgsGeometry()
    if geometry.isEmpty() or geometry.area() <= 0:
        return Checked(None, EMPTY_AFTER_REPAIR, True)
    return Checked(geometry, None, True)


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
        self._last: tuple[QgsRectangle, tuple[float, float, float, float], list[tuple[int, int]] | None] | None = None
        """The box last looked up, its bounds and cells: adding it next does not work them out again."""
        for key, geometry in footprints:
            self.add(key, geometry)

    def _cell_keys(self, bounds: tuple[float, float, float, float]) -> list[tuple[int, int]] | None:
        """The cells ``bounds`` covers; None when more than ``_MAX_CELLS``."""
        cell = self._cell
        columns = range(math.floor(bounds[0] / cell), math.floor(bounds[2] / cell) + 1)
        rows = range(math.floor(bounds[1] / cell), math.floor(bounds[3] / cell) + 1)
        if len(columns) * len(rows) > self._MAX_CELLS:
            return None
        return [(column, row) for column in columns for row in rows]

    def add(self, key: str, geometry: QgsGeometry, box: QgsRectangle | None = None) -> None:
        """Index ``geometry`` under ``key`` (``box``: its bounding box when already known)."""
        if geometry is None or geometry.isEmpty():
            return
        if box is not None and self._last is not None and self._last[0] is box:  # just looked up
            bounds, keys = self._last[1], self._last[2]
        else:
            box = geometry.boundingBox() if box is None else box
            bounds = (box.xMinimum(), box.yMinimum(), box.xMaximum(), box.yMaximum())
            if not self._cell:
                self._cell = 2 * max(bounds[2] - bounds[0], bounds[3] - bounds[1]) or 1.0
            keys = self._cell_keys(bounds)
        number = len(self._keys)
        self._keys.append(key)
        self._geometries.append(geometry)
        self._boxes.append(bounds)
        if keys is None:
            self._large.append(number)
            return
        cells = self._cells
        for cell_key in keys:
            listed = cells.get(cell_key)
            if listed is None:
                cells[cell_key] = [number]
            else:
                listed.append(number)

    def _candidates(self, box: QgsRectangle) -> list[int]:
        if not self._keys:
            return []
        bounds = x0, y0, x1, y1 = box.xMinimum(), box.yMinimum(), box.xMaximum(), box.yMaximum()
        keys = self._cell_keys(bounds)
        self._last = (box, bounds, keys)
        if keys is None:
            return list(range(len(self._keys)))
        cells = self._cells
        lists = [listed for cell_key in keys if (listed := cells.get(cell_key))]
        if self._large or len(lists) > 1:
            found: Iterable[int] = sorted(set(self._large).union(*lists))
        elif lists:
            found = lists[0]  # one cell: its numbers are in the order they were added
        else:
            return []
        boxes = self._boxes
        return [n for n in found if boxes[n][0] <= x1 and boxes[n][2] >= x0 and boxes[n][1] <= y1 and boxes[n][3] >= y0]

    def best_match(
        self, geometry: QgsGeometry, threshold: float, box: QgsRectangle | None = None
    ) -> tuple[str, float] | None:
        """The key and IoU of the footprint overlapping ``geometry`` most, when IoU ≥ threshold
        (``box``: the bounding box of ``geometry`` when already known)."""
        best: tuple[str, float] | None = None
        for number in self._candidates(geometry.boundingBox() if box is None else box):
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
