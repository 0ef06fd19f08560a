"""Which compound a structure belongs to.

A structure belongs to the compound containing the largest part of its footprint; on a tie
the lowest ``compound_id`` wins; with no overlap it belongs to none (``None``).
"""

from __future__ import annotations

from collections.abc import Iterable

from qgis.core import QgsFeature, QgsGeometry, QgsSpatialIndex


class CompoundIndex:
    """Compounds indexed for repeated assignment of many structures."""

    def __init__(self, compounds: Iterable[tuple[str, QgsGeometry]]):
        self._ids: list[str] = []
        self._geoms: list[QgsGeometry] = []
        self._index = QgsSpatialIndex()
        for number, (compound_id, geometry) in enumerate(compounds):
            if geometry is None or geometry.isEmpty():
                continue
            if not geometry.isGeosValid():
                geometry = geometry.makeValid()
            self._ids.append(str(compound_id))
            self._geoms.append(geometry)
            feature = QgsFeature(number)
            feature.setGeometry(geometry)
            self._index.addFeature(feature)
        self._engines = [QgsGeometry.createGeometryEngine(g.constGet()) for g in self._geoms]
        for engine in self._engines:
            engine.prepareGeometry()

    def assign(self, footprint: QgsGeometry) -> str | None:
        """The compound of ``footprint`` by largest overlap (ties: lowest id), or None."""
        if footprint is None or footprint.isEmpty():
            return None
        if not footprint.isGeosValid():
            footprint = footprint.makeValid()
        best: tuple[float, str] | None = None
        for number in self._index.intersects(footprint.boundingBox()):
            if not self._engines[number].intersects(footprint.constGet()):
                continue
            overlap = self._geoms[number].intersection(footprint).area()
            if overlap <= 0:
                continue
            candidate = (-overlap, self._ids[number])
            if best is None or candidate < best:
                best = candidate
        return None if best is None else best[1]
