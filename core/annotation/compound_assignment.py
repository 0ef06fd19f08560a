"""Assign many structures to compounds at once, by the rule of :mod:`.compounds`.

A structure belongs to the compound containing the largest part of its footprint (ties:
lowest ``compound_id``). Most structures lie well inside one compound or well outside all;
those are settled with numpy: the footprint ring touches no compound edge, no compound
vertex lies in its bounding box, and its first vertex is inside (contained: the overlap is
the whole footprint) or outside (no overlap). Every other structure — near an edge, not a
simple ring, or straddling — gets the GEOS overlap area with each candidate compound, as
:class:`.compounds.CompoundIndex` computes it (the tests check both agree).

No step loops over compounds (:mod:`.compound_grid`): a fine grid tells which structures have
a compound edge in their cells (only those are tested against those edges), a coarse grid of
compound boxes pairs each structure's first vertex with the compounds whose box holds it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from qgis.core import QgsGeometry, QgsGeometryEngine

from ..scoring.footprints import Footprints, concatenated_ranges
from .compound_grid import boxes_in_cells, edge_cells, make_grid, marked, points_in_cells

_CHUNK = 2_000_000
"""Largest number of (structure edge, compound edge) pairs tested in one numpy step."""


def _rings(geometry: QgsGeometry) -> list[NDArray[np.float64]]:
    """Every ring of a (multi)polygon as an (n, 2) array of closed coordinates."""
    if geometry.constGet().hasCurvedSegments():
        geometry = QgsGeometry(geometry.constGet().segmentize())
    polygons = geometry.asMultiPolygon() if geometry.isMultipart() else [geometry.asPolygon()]
    return [np.array([(p.x(), p.y()) for p in ring]) for polygon in polygons for ring in polygon if ring]


@dataclass
class _Compounds:
    """Every compound's ring edges (ax, ay, bx, by), contiguous per compound, and its box
    (NaN when it has no geometry); coordinates are taken relative to the box's corner."""

    edges: NDArray[np.float64]
    edge_start: NDArray[np.int64]
    edge_count: NDArray[np.int64]
    boxes: NDArray[np.float64]

    @property
    def edge_compound(self) -> NDArray[np.int64]:
        return np.repeat(np.arange(len(self.boxes)), self.edge_count)


def _compounds(geometries: Sequence[QgsGeometry]) -> _Compounds:
    parts: list[NDArray[np.float64]] = []
    counts = np.zeros(len(geometries), dtype=np.int64)
    boxes = np.full((len(geometries), 4), np.nan)
    for number, geometry in enumerate(geometries):
        if geometry.isNull() or geometry.isEmpty():
            continue
        box = geometry.boundingBox()
        boxes[number] = (box.xMinimum(), box.yMinimum(), box.xMaximum(), box.yMaximum())
        edges = [np.hstack([ring[:-1], ring[1:]]) for ring in _rings(geometry)]
        if edges:
            parts.append(np.concatenate(edges))
            counts[number] = len(parts[-1])
    edges_all = np.concatenate(parts) if parts else np.zeros((0, 4))
    return _Compounds(edges_all, np.cumsum(counts) - counts, counts, boxes)


def _chunks(sizes: NDArray[np.int64], limit: int) -> list[slice]:
    """Slices of consecutive items whose ``sizes`` add up to about ``limit`` at most."""
    ends = np.cumsum(sizes)
    result, start = [], 0
    while start < len(sizes):
        stop = int(np.searchsorted(ends, (ends[start - 1] if start else 0) + limit, "right"))
        stop = max(stop, start + 1)
        result.append(slice(start, stop))
        start = stop
    return result


def _touching(
    footprints: Footprints, members: NDArray[np.int64], compounds: _Compounds, pairs: tuple[NDArray[np.int64], ...]
) -> NDArray[np.bool_]:
    """For each of ``members``: does a compound edge of its (member, edge) ``pairs`` touch its
    ring, or a compound vertex (an edge's start) lie in its box — computed relative to the
    compound box's corner, as before the grid."""
    result = np.zeros(len(members), dtype=bool)
    member, edge = pairs
    if not len(member):
        return result
    key = np.unique(member * len(compounds.edges) + edge)
    member, edge = key // len(compounds.edges), key % len(compounds.edges)
    origin = compounds.boxes[compounds.edge_compound[edge], :2]
    shifted = compounds.edges[edge] - np.hstack([origin, origin])
    ax, ay, bx, by = shifted.T
    structure = members[member]
    box = footprints.bbox[structure] - np.hstack([origin, origin])
    vertex_in_box = (ax >= box[:, 0]) & (ax <= box[:, 2]) & (ay >= box[:, 1]) & (ay <= box[:, 3])
    result[member[vertex_in_box]] = True
    sides = footprints.ring_size[structure] - 1
    for part in _chunks(sides, _CHUNK):
        count = sides[part]
        pair = np.repeat(np.arange(part.start, part.stop), count)
        vertex = concatenated_ranges(footprints.ring_start[structure[part]], count)
        ox, oy = origin[pair, 0], origin[pair, 1]
        x0, y0 = footprints.x[vertex] - ox, footprints.y[vertex] - oy
        x1, y1 = footprints.x[vertex + 1] - ox, footprints.y[vertex + 1] - oy
        pax, pay, pbx, pby = ax[pair], ay[pair], bx[pair], by[pair]
        dx, dy = x1 - x0, y1 - y0
        ex, ey = pbx - pax, pby - pay
        o1 = dx * (pay - y0) - dy * (pax - x0)
        o2 = dx * (pby - y0) - dy * (pbx - x0)
        o3 = ex * (y0 - pay) - ey * (x0 - pax)
        o4 = ex * (y1 - pay) - ey * (x1 - pax)
        hit = (o1 * o2 <= 0) & (o3 * o4 <= 0)
        result[member[pair[hit]]] = True
    return result


def _first_vertex_inside(
    footprints: Footprints, members: NDArray[np.int64], compounds: _Compounds, pairs: tuple[NDArray[np.int64], ...]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The (member, compound) ``pairs`` whose member's first vertex is inside the compound
    (even-odd rule over all its rings, a ray towards +x; relative to the box's corner)."""
    member, compound = pairs
    first = footprints.ring_start[members[member]]
    box = compounds.boxes[compound]
    qx_abs, qy_abs = footprints.x[first], footprints.y[first]
    within = (qx_abs >= box[:, 0]) & (qx_abs <= box[:, 2]) & (qy_abs >= box[:, 1]) & (qy_abs <= box[:, 3])
    member, compound, box = member[within], compound[within], box[within]
    qx, qy = footprints.x[first[within]] - box[:, 0], footprints.y[first[within]] - box[:, 1]
    inside = np.zeros(len(member), dtype=bool)
    counts = compounds.edge_count[compound]
    for part in _chunks(counts, _CHUNK):
        count = counts[part]
        pair = np.repeat(np.arange(part.start, part.stop), count)
        edge = compounds.edges[concatenated_ranges(compounds.edge_start[compound[part]], count)]
        ox, oy = box[pair, 0], box[pair, 1]
        ax, ay, bx, by = edge[:, 0] - ox, edge[:, 1] - oy, edge[:, 2] - ox, edge[:, 3] - oy
        px, py = qx[pair], qy[pair]
        straddles = (ay > py) != (by > py)
        with np.errstate(divide="ignore", invalid="ignore"):
            crossing_x = ax + (py - ay) * (bx - ax) / (by - ay)
        crossings = np.bincount(pair - part.start, straddles & (px < crossing_x), minlength=count.size)
        inside[part] = crossings.astype(np.int64) % 2 == 1
    return member[inside], compound[inside]


def assign_compounds(
    footprints: Footprints, compound_ids: Sequence[str], geometries: Sequence[QgsGeometry]
) -> NDArray[np.int64]:
    """Index into ``compound_ids`` of each footprint's compound, or -1 for none.

    ``compound_ids`` must be sorted and unique, ``geometries`` valid (repaired) polygons."""
    count = footprints.count
    result = np.full(count, -1, dtype=np.int64)
    present = np.flatnonzero(~np.isnan(footprints.bbox[:, 0]))
    compounds = _compounds(geometries)
    shaped = np.flatnonzero(~np.isnan(compounds.boxes[:, 0]))
    if not len(compound_ids) or not len(present) or not len(shaped):
        return result
    boxes = compounds.boxes[shaped]
    size = float(np.median(np.maximum(boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1])))
    coarse = make_grid((boxes[:, 0].min(), boxes[:, 1].min(), boxes[:, 2].max(), boxes[:, 3].max()), size)
    owner, cells = coarse.cells(boxes)
    compound_cells = (shaped[owner], cells)

    simple = present[footprints.simple[present]]
    uncertain = [present[~footprints.simple[present]]]
    if len(simple):
        box = footprints.bbox[simple]
        typical = float(np.median(np.maximum(box[:, 2] - box[:, 0], box[:, 3] - box[:, 1])))
        fine = make_grid((box[:, 0].min(), box[:, 1].min(), box[:, 2].max(), box[:, 3].max()), 2 * typical)
        edge, edge_cell = edge_cells(fine, compounds.edges)
        near = np.flatnonzero(marked(fine, edge_cell, box))
        touching = _touching(footprints, simple[near], compounds, boxes_in_cells(fine, box[near], edge, edge_cell))
        uncertain.append(simple[near[touching]])
        clear = np.ones(len(simple), dtype=bool)
        clear[near[touching]] = False
        members = simple[clear]
        first = footprints.ring_start[members]
        pairs = points_in_cells(coarse, footprints.x[first], footprints.y[first], *compound_cells)
        member, compound = _first_vertex_inside(footprints, members, compounds, pairs)
        order = np.lexsort((compound, member))
        winners, first_of = np.unique(member[order], return_index=True)
        result[members[winners]] = compound[order][first_of]

    doubtful = np.concatenate(uncertain)
    if len(doubtful):
        member, compound = boxes_in_cells(coarse, footprints.bbox[doubtful], *compound_cells)
        key = np.unique(member * len(geometries) + compound)
        member, compound = key // len(geometries), key % len(geometries)
        a, b = footprints.bbox[doubtful[member]], compounds.boxes[compound]
        overlaps = (a[:, 0] <= b[:, 2]) & (a[:, 2] >= b[:, 0]) & (a[:, 1] <= b[:, 3]) & (a[:, 3] >= b[:, 1])
        _assign_by_overlap(footprints, geometries, doubtful[member[overlaps]], compound[overlaps], result)
    return result


def _assign_by_overlap(
    footprints: Footprints,
    geometries: Sequence[QgsGeometry],
    structures: NDArray[np.int64],
    compounds: NDArray[np.int64],
    result: NDArray[np.int64],
) -> None:
    """The rule of :class:`.compounds.CompoundIndex` with GEOS for the given candidate pairs:
    largest overlap area wins, ties go to the lowest compound number (= lowest id)."""
    engines: dict[int, QgsGeometryEngine] = {}
    best: dict[int, tuple[float, int]] = {}
    order = np.lexsort((compounds, structures))
    current, geometry = -1, QgsGeometry()
    for structure, compound in zip(structures[order].tolist(), compounds[order].tolist()):
        if structure != current:
            current, geometry = structure, footprints.geometry(structure)
        footprint = geometry.constGet()
        engine = engines.get(compound)
        if engine is None:
            engine = engines[compound] = QgsGeometry.createGeometryEngine(geometries[compound].constGet())
            engine.prepareGeometry()
        common = engine.intersection(footprint)
        overlap = 0.0 if common is None else common.area()
        if overlap > 0 and (structure not in best or (-overlap, compound) < best[structure]):
            best[structure] = (-overlap, compound)
    for structure in np.unique(structures).tolist():
        result[structure] = best[structure][1] if structure in best else -1
