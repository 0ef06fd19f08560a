"""Assign many structures to compounds at once, by the rule of :mod:`.compounds`.

A structure belongs to the compound containing the largest part of its footprint (ties:
lowest ``compound_id``). Most structures lie well inside one compound or well outside all;
those are settled with numpy: the footprint ring touches no compound edge, no compound
vertex lies in its bounding box, and its first vertex is inside (contained: the overlap is
the whole footprint) or outside (no overlap). Every other structure — near an edge, not a
simple ring, or straddling — gets the GEOS overlap area with each candidate compound, as
:class:`.compounds.CompoundIndex` computes it (the tests check both agree).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray
from qgis.core import QgsGeometry, QgsGeometryEngine

from ..scoring.footprints import Footprints, concatenated_ranges

_CHUNK = 2_000_000
"""Largest number of (structure edge, compound edge) pairs tested in one numpy step."""


def _rings(geometry: QgsGeometry) -> list[NDArray[np.float64]]:
    """Every ring of a (multi)polygon as an (n, 2) array of closed coordinates."""
    if geometry.constGet().hasCurvedSegments():
        geometry = QgsGeometry(geometry.constGet().segmentize())
    polygons = geometry.asMultiPolygon() if geometry.isMultipart() else [geometry.asPolygon()]
    return [np.array([(p.x(), p.y()) for p in ring]) for polygon in polygons for ring in polygon if ring]


def _classify(
    footprints: Footprints, members: NDArray[np.int64], rings: list[NDArray[np.float64]], origin: tuple[float, float]
) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """For simple footprints ``members`` against one compound: (contained, clear) where clear
    means decided without GEOS (contained, or wholly outside)."""
    ox, oy = origin
    vertices = np.concatenate(rings) - (ox, oy)
    edges = np.concatenate([np.hstack([ring[:-1], ring[1:]]) for ring in rings]) - (ox, oy, ox, oy)
    box = footprints.bbox[members] - (ox, oy, ox, oy)
    vertex_in_box = np.zeros(len(members), dtype=bool)
    step = max(1, _CHUNK // max(1, len(vertices)))
    for start in range(0, len(members), step):
        part = box[start : start + step]
        vertex_in_box[start : start + step] = np.any(
            (vertices[None, :, 0] >= part[:, 0, None])
            & (vertices[None, :, 0] <= part[:, 2, None])
            & (vertices[None, :, 1] >= part[:, 1, None])
            & (vertices[None, :, 1] <= part[:, 3, None]),
            axis=1,
        )

    sizes = footprints.ring_size[members]
    index = concatenated_ranges(footprints.ring_start[members], sizes)
    px, py = footprints.x[index] - ox, footprints.y[index] - oy
    group_starts = np.cumsum(sizes) - sizes
    is_edge = np.ones(len(index), dtype=bool)
    is_edge[group_starts + sizes - 1] = False
    owner = np.repeat(np.arange(len(members)), sizes)[is_edge]
    sx0, sy0 = px[is_edge], py[is_edge]
    shifted = np.flatnonzero(is_edge) + 1
    sx1, sy1 = px[shifted], py[shifted]
    ax, ay, bx, by = edges[:, 0], edges[:, 1], edges[:, 2], edges[:, 3]
    touches = np.zeros(len(members), dtype=bool)
    step = max(1, _CHUNK // max(1, len(edges)))
    for start in range(0, len(sx0), step):
        s = slice(start, start + step)
        x0, y0, x1, y1 = sx0[s, None], sy0[s, None], sx1[s, None], sy1[s, None]
        dx, dy = x1 - x0, y1 - y0
        ex, ey = bx - ax, by - ay
        o1 = dx * (ay - y0) - dy * (ax - x0)
        o2 = dx * (by - y0) - dy * (bx - x0)
        o3 = ex * (y0 - ay) - ey * (x0 - ax)
        o4 = ex * (y1 - ay) - ey * (x1 - ax)
        hit = np.any((o1 * o2 <= 0) & (o3 * o4 <= 0), axis=1)
        touches[owner[s][hit]] = True

    qx, qy = px[group_starts][:, None], py[group_starts][:, None]
    straddles = (ay > qy) != (by > qy)
    with np.errstate(divide="ignore", invalid="ignore"):
        crossing_x = ax + (qy - ay) * (bx - ax) / (by - ay)
    inside = (np.count_nonzero(straddles & (qx < crossing_x), axis=1) % 2) == 1
    clear = ~touches & ~vertex_in_box
    return clear & inside, clear


def assign_compounds(
    footprints: Footprints, compound_ids: Sequence[str], geometries: Sequence[QgsGeometry]
) -> NDArray[np.int64]:
    """Index into ``compound_ids`` of each footprint's compound, or -1 for none.

    ``compound_ids`` must be sorted and unique, ``geometries`` valid (repaired) polygons."""
    count = footprints.count
    result = np.full(count, -1, dtype=np.int64)
    present = np.flatnonzero(~np.isnan(footprints.bbox[:, 0]))
    if not len(compound_ids) or not len(present):
        return result
    bbox = footprints.bbox[present]
    order = np.argsort(bbox[:, 0], kind="stable")
    sorted_xmin = bbox[order, 0]
    widest = float(np.max(bbox[:, 2] - bbox[:, 0]))
    best = np.full(count, len(compound_ids), dtype=np.int64)
    uncertain = np.zeros(count, dtype=bool)
    pair_structures: list[NDArray[np.int64]] = []
    pair_compounds: list[NDArray[np.int64]] = []
    for number, geometry in enumerate(geometries):
        if geometry.isNull() or geometry.isEmpty():
            continue
        box = geometry.boundingBox()
        cx0, cy0, cx1, cy1 = box.xMinimum(), box.yMinimum(), box.xMaximum(), box.yMaximum()
        lo = np.searchsorted(sorted_xmin, cx0 - widest, "left")
        hi = np.searchsorted(sorted_xmin, cx1, "right")
        window = order[lo:hi]
        near = window[(bbox[window, 2] >= cx0) & (bbox[window, 1] <= cy1) & (bbox[window, 3] >= cy0)]
        candidates = present[near]
        if not len(candidates):
            continue
        pair_structures.append(candidates)
        pair_compounds.append(np.full(len(candidates), number))
        simple = footprints.simple[candidates]
        uncertain[candidates[~simple]] = True
        members = candidates[simple]
        if not len(members):
            continue
        contained, clear = _classify(footprints, members, _rings(geometry), (cx0, cy0))
        uncertain[members[~clear]] = True
        winners = members[contained]
        best[winners] = np.minimum(best[winners], number)
    decided = (best < len(compound_ids)) & ~uncertain
    result[decided] = best[decided]
    if uncertain.any():
        structures = np.concatenate(pair_structures)
        compounds = np.concatenate(pair_compounds)
        keep = uncertain[structures]
        _assign_by_overlap(footprints, geometries, structures[keep], compounds[keep], result)
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
