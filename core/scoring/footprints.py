"""Many polygon footprints at once, as numpy arrays: rings, bounding boxes, validity and areas.

Footprints arrive as WKB. The common case — a polygon or a one-part multipolygon with one
ring, in 2D, little-endian — is decoded for all features at once; anything else (holes,
several parts, Z/M, curves) keeps its :class:`QgsGeometry` and is handled one by one. The
same happens to rings that are not certainly valid (see :func:`_certainly_valid`): those go
through GEOS ``isGeosValid`` and, when invalid, ``makeValid``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Optional, Union

import numpy as np
from numpy.typing import NDArray
from qgis.core import QgsCoordinateReferenceSystem, QgsGeometry, QgsRectangle

from ..measure import distance_area

_MAX_VECTORISED_EDGES = 24
"""Rings with more edges than this are checked for validity by GEOS, one by one."""

Wkbs = Union[Sequence[Optional[bytes]], NDArray[np.void]]
"""WKB footprints: bytes (None or b"" without geometry), or a numpy array of fixed-width records."""

GRID_CELLS = 64
"""The site extent is cut into at most GRID_CELLS × GRID_CELLS cells for the area scale."""


@dataclass
class Footprints:
    """Footprints of ``count`` features. Simple ones have their ring in ``x``/``y``."""

    count: int
    simple: NDArray[np.bool_]
    """True where the footprint is one valid ring decoded into ``x``/``y``."""
    ring_start: NDArray[np.int64]
    """Index into ``x``/``y`` of each feature's first ring vertex (simple features only)."""
    ring_size: NDArray[np.int64]
    """Number of vertices of the closed ring (first vertex repeated; 0 when not simple)."""
    x: NDArray[np.float64]
    y: NDArray[np.float64]
    bbox: NDArray[np.float64]
    """(count, 4) array xmin, ymin, xmax, ymax; NaN for empty footprints."""
    planar_area: NDArray[np.float64]
    geometries: dict[int, QgsGeometry]
    """The QgsGeometry of every feature that is not simple (repaired when it was invalid)."""
    repaired: list[int]
    """Positions of features whose geometry was invalid and was repaired with makeValid."""
    empty: NDArray[np.bool_]
    wkb: Wkbs

    def geometry(self, position: int) -> QgsGeometry:
        """The footprint at ``position`` as a (valid) QgsGeometry."""
        if position in self.geometries:
            return self.geometries[position]
        wkb = self.wkb[position]
        if wkb is None:  # only footprints with a WKB are ever looked up here
            raise ValueError(f"footprint {position} has no geometry")
        geometry = QgsGeometry()
        geometry.fromWkb(bytes(wkb))
        return geometry


def _read_uint32(buffer: NDArray[np.uint8], offsets: NDArray[np.int64]) -> NDArray[np.int64]:
    """Little-endian uint32 at each of ``offsets`` (offsets past the end read as 0)."""
    limit = len(buffer) - 4
    safe = np.clip(offsets, 0, max(limit, 0))
    value = np.zeros(len(offsets), dtype=np.int64)
    for byte in range(4):
        value |= buffer[safe + byte].astype(np.int64) << (8 * byte)
    return np.where(offsets <= limit, value, 0)


def concatenated_ranges(starts: NDArray[np.int64], sizes: NDArray[np.int64]) -> NDArray[np.int64]:
    """Concatenation of ``arange(start, start + size)`` for each pair, without a Python loop."""
    total = int(sizes.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    steps = np.ones(total, dtype=np.int64)
    firsts = np.cumsum(sizes) - sizes
    nonzero = sizes > 0
    steps[firsts[nonzero]] = starts[nonzero] - np.r_[0, (starts + sizes - 1)[nonzero][:-1]]
    steps[0] = starts[nonzero][0]
    return np.cumsum(steps)


def _certainly_valid(
    x: NDArray[np.float64], y: NDArray[np.float64], starts: NDArray[np.int64], size: int
) -> NDArray[np.bool_]:
    """For rings of ``size`` vertices (closed) at ``starts``: True where the ring is certainly a
    valid polygon: no zero-length edge, no two non-adjacent edges touching, no spike, area ≠ 0.
    False means "ask GEOS", not "invalid"."""
    edges = size - 1
    index = starts[:, None] + np.arange(size)[None, :]
    # Relative to the first vertex, so that orientation tests keep their precision in UTM metres.
    rx, ry = x[index] - x[starts][:, None], y[index] - y[starts][:, None]
    ax, ay = rx[:, :-1], ry[:, :-1]
    bx, by = rx[:, 1:], ry[:, 1:]
    dx, dy = bx - ax, by - ay
    ok = edges >= 3
    ok = ok & np.all((dx != 0) | (dy != 0), axis=1)
    # Adjacent edges must not fold back on each other (a spike).
    nx, ny = np.roll(dx, -1, axis=1), np.roll(dy, -1, axis=1)
    cross = dx * ny - dy * nx
    dot = dx * nx + dy * ny
    ok = ok & ~np.any((cross == 0) & (dot < 0), axis=1)
    for i in range(edges):
        for j in range(i + 2, edges):
            if i == 0 and j == edges - 1:
                continue
            o1 = dx[:, i] * (ay[:, j] - ay[:, i]) - dy[:, i] * (ax[:, j] - ax[:, i])
            o2 = dx[:, i] * (by[:, j] - ay[:, i]) - dy[:, i] * (bx[:, j] - ax[:, i])
            o3 = dx[:, j] * (ay[:, i] - ay[:, j]) - dy[:, j] * (ax[:, i] - ax[:, j])
            o4 = dx[:, j] * (by[:, i] - ay[:, j]) - dy[:, j] * (bx[:, i] - ax[:, j])
            touching = (o1 * o2 <= 0) & (o3 * o4 <= 0)
            ok = ok & ~touching
    area = np.sum(ax * by - bx * ay, axis=1)
    valid: NDArray[np.bool_] = ok & (area != 0)
    return valid


def wkb_buffer(wkbs: Wkbs) -> tuple[NDArray[np.uint8], NDArray[np.int64], NDArray[np.int64]]:
    """All WKBs as one uint8 buffer with each one's offset and length."""
    count = len(wkbs)
    if isinstance(wkbs, np.ndarray) and wkbs.dtype.kind == "V":
        width = wkbs.dtype.itemsize
        lengths = np.full(count, width, dtype=np.int64)
        return np.ascontiguousarray(wkbs).view(np.uint8).reshape(-1), lengths * np.arange(count), lengths
    lengths = np.fromiter((len(w) if w else 0 for w in wkbs), dtype=np.int64, count=count)
    buffer = np.frombuffer(b"".join(w for w in wkbs if w), dtype=np.uint8)
    return buffer, np.cumsum(lengths) - lengths, lengths


def _points(buffer: NDArray[np.uint8], starts: NDArray[np.int64], counts: NDArray[np.int64]) -> NDArray[np.float64]:
    """The (x, y) points of rings stored from byte ``starts`` (``counts`` points of 16 bytes
    each): gathered 16 bytes at a time through a strided view of the buffer (an index per
    point, not per byte: 250,000 footprints have 20 million coordinate bytes)."""
    total = int(counts.sum())
    if total == 0:
        return np.zeros((0, 2))
    first_point = np.cumsum(counts) - counts
    offsets = np.repeat(starts - 16 * first_point, counts) + 16 * np.arange(total, dtype=np.int64)
    padded = np.concatenate([buffer, np.zeros(16, dtype=np.uint8)])  # every 16-byte window exists
    windows = np.lib.stride_tricks.as_strided(padded, shape=(len(buffer), 16), strides=(1, 1), writeable=False)
    points: NDArray[np.float64] = windows[offsets].view("<f8").reshape(-1, 2)
    return points


def decode(wkbs: Wkbs) -> Footprints:
    """Decode WKB footprints (``None`` or b"" for features without geometry)."""
    count = len(wkbs)
    buffer, offsets, lengths = wkb_buffer(wkbs)
    if len(buffer) == 0:
        buffer = np.zeros(1, dtype=np.uint8)
    has = lengths >= 13
    little = has & (buffer[np.clip(offsets, 0, len(buffer) - 1)] == 1)
    kind = _read_uint32(buffer, offsets + 1)
    polygon = little & (kind == 3)
    multi = little & (kind == 6)
    one_part = multi & (_read_uint32(buffer, offsets + 5) == 1)
    inner = offsets + 9
    one_part &= (buffer[np.clip(inner, 0, len(buffer) - 1)] == 1) & (_read_uint32(buffer, inner + 1) == 3)
    ring_count_at = np.where(polygon, offsets + 5, inner + 5)
    candidate = (polygon | one_part) & (_read_uint32(buffer, ring_count_at) == 1)
    points = _read_uint32(buffer, ring_count_at + 4)
    coordinates_at = ring_count_at + 8
    candidate &= (points >= 4) & (coordinates_at + 16 * points <= offsets + lengths)

    sizes = np.where(candidate, points, 0)
    xy = _points(buffer, coordinates_at[candidate], sizes[candidate])
    x, y = xy[:, 0].copy(), xy[:, 1].copy()
    ring_start = np.zeros(count, dtype=np.int64)
    ring_start[candidate] = np.cumsum(sizes[candidate]) - sizes[candidate]
    if candidate.any():
        starts = ring_start[candidate]
        last = starts + sizes[candidate] - 1
        finite = np.isfinite(np.add.reduceat(x, starts) + np.add.reduceat(y, starts))
        candidate[np.flatnonzero(candidate)] = (x[starts] == x[last]) & (y[starts] == y[last]) & finite

    simple = np.zeros(count, dtype=bool)
    for size in np.unique(sizes[candidate]):
        if size - 1 > _MAX_VECTORISED_EDGES:
            continue
        members = np.flatnonzero(candidate & (sizes == size))
        simple[members] = _certainly_valid(x, y, ring_start[members], int(size))

    ring_size = np.where(simple, sizes, 0)
    bbox = np.full((count, 4), np.nan)
    planar_area = np.zeros(count)
    if simple.any():
        starts = ring_start[simple]
        vertex_index = concatenated_ranges(starts, ring_size[simple])
        group_starts = np.cumsum(ring_size[simple]) - ring_size[simple]
        vx, vy = x[vertex_index], y[vertex_index]
        bbox[simple, 0] = np.minimum.reduceat(vx, group_starts)
        bbox[simple, 1] = np.minimum.reduceat(vy, group_starts)
        bbox[simple, 2] = np.maximum.reduceat(vx, group_starts)
        bbox[simple, 3] = np.maximum.reduceat(vy, group_starts)
        ox, oy = bbox[simple, 0].repeat(ring_size[simple]), bbox[simple, 1].repeat(ring_size[simple])
        px, py = vx - ox, vy - oy
        terms = px[:-1] * py[1:] - px[1:] * py[:-1]
        terms = np.r_[terms, 0.0]
        terms[group_starts[1:] - 1] = 0.0
        terms[-1] = 0.0
        planar_area[simple] = np.abs(np.add.reduceat(terms, group_starts)) / 2

    geometries: dict[int, QgsGeometry] = {}
    repaired: list[int] = []
    empty = np.zeros(count, dtype=bool)
    for position in np.flatnonzero(~simple).tolist():
        geometry = QgsGeometry()
        if lengths[position] and wkbs[position] is not None:
            geometry.fromWkb(bytes(wkbs[position]))
        if geometry.isNull() or geometry.isEmpty():
            empty[position] = True
            geometries[position] = QgsGeometry()
            continue
        if not geometry.isGeosValid():
            geometry = geometry.makeValid()
            repaired.append(position)
        geometries[position] = geometry
        box: QgsRectangle = geometry.boundingBox()
        bbox[position] = (box.xMinimum(), box.yMinimum(), box.xMaximum(), box.yMaximum())
        planar_area[position] = geometry.area()
    return Footprints(
        count, simple, ring_start, ring_size, x, y, bbox, planar_area, geometries, sorted(repaired), empty, wkbs
    )


def ellipsoidal_areas(footprints: Footprints, crs: QgsCoordinateReferenceSystem) -> NDArray[np.float64]:
    """Footprint areas in m² on the CRS's ellipsoid.

    Each area is the planar area times the ratio ellipsoidal / planar area that
    :func:`core.measure.distance_area` gives for a 1 km (0.01° in a geographic CRS) square at
    the centre of the footprint's grid cell (the site extent cut into at most GRID_CELLS ×
    GRID_CELLS cells, each at least 1 km or 0.002° wide). Inside a cell that ratio changes by
    less than 0.01 % (UTM: about 1e-6) for sites up to 100 km across.
    """
    areas = np.zeros(footprints.count)
    present = ~np.isnan(footprints.bbox[:, 0])
    if not present.any():
        return areas
    bbox = footprints.bbox[present]
    cx, cy = (bbox[:, 0] + bbox[:, 2]) / 2, (bbox[:, 1] + bbox[:, 3]) / 2
    x0, y0 = cx.min(), cy.min()
    # Big squares keep the ellipsoidal formula precise (on a 1 m square it is off by ~1e-6);
    # cells of at least 1 km (0.002°) keep the number of measurements small.
    half = 0.005 if crs.isGeographic() else 500.0
    cell = max((cx.max() - x0) / GRID_CELLS, (cy.max() - y0) / GRID_CELLS, 0.002 if crs.isGeographic() else 1000.0)
    column = np.minimum(((cx - x0) / cell).astype(np.int64), GRID_CELLS)
    row = np.minimum(((cy - y0) / cell).astype(np.int64), GRID_CELLS)
    cells, inverse = np.unique(row * (GRID_CELLS + 1) + column, return_inverse=True)
    calculator = distance_area(crs)
    ratios = np.empty(len(cells))
    for number, code in enumerate(cells.tolist()):
        centre_x = x0 + (code % (GRID_CELLS + 1) + 0.5) * cell
        centre_y = y0 + (code // (GRID_CELLS + 1) + 0.5) * cell
        square = QgsGeometry.fromRect(QgsRectangle(centre_x - half, centre_y - half, centre_x + half, centre_y + half))
        ratios[number] = calculator.measureArea(square) / square.area()
    areas[present] = footprints.planar_area[present] * ratios[inverse]
    return areas
