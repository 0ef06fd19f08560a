"""Grids that find, without a loop over compounds, which compound edges lie near each structure
and which compound boxes hold each structure's first vertex (for
:mod:`.compound_assignment`).

A fine grid over the structures' extent marks every cell a compound edge passes through
(the edge cut into pieces shorter than half a cell, each piece's box widened by a margin, so
that no cell an edge touches is missed). A structure whose box covers only unmarked cells is
crossed by no compound boundary: it lies wholly inside or wholly outside each compound. The
others are paired with the edges registered in their cells only. A coarse grid of compound
boxes pairs each structure with the compounds whose box may hold its first vertex.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..scoring.footprints import concatenated_ranges

MAX_CELLS = 4_000_000
"""The fine grid has at most this many cells (32 MB of prefix sums)."""

_MARGIN = 1e-3
"""Boxes are widened by this fraction of a cell before their cells are taken: rounding in the
cell arithmetic (1e-10 cell at UTM coordinates) can then never leave out a touched cell."""


@dataclass
class Grid:
    """Square cells of side ``size`` from (``x0``, ``y0``), ``nx`` × ``ny`` of them; boxes
    outside are clamped to the border cells (which only adds candidates)."""

    x0: float
    y0: float
    size: float
    nx: int
    ny: int

    def ranges(self, boxes: NDArray[np.float64]) -> tuple[NDArray[np.int64], ...]:
        """Cell ranges (i0, j0, i1, j1), inclusive, of (n, 4) boxes widened by the margin."""
        margin = _MARGIN * self.size
        scaled = [
            np.floor((boxes[:, k] + sign * margin - origin) / self.size)
            for k, sign, origin in ((0, -1, self.x0), (1, -1, self.y0), (2, 1, self.x0), (3, 1, self.y0))
        ]
        limits = (self.nx - 1, self.ny - 1, self.nx - 1, self.ny - 1)
        return tuple(np.clip(s, 0, limit).astype(np.int64) for s, limit in zip(scaled, limits))

    def cells(self, boxes: NDArray[np.float64]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """(owner, cell) for every cell each box covers (cell = j * nx + i)."""
        i0, j0, i1, j1 = self.ranges(boxes)
        width, height = i1 - i0 + 1, j1 - j0 + 1
        counts = width * height
        owner = np.repeat(np.arange(len(boxes)), counts)
        step = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
        w = width[owner]
        return owner, (j0[owner] + step // w) * self.nx + i0[owner] + step % w


def make_grid(extent: tuple[float, float, float, float], size: float) -> Grid:
    """A grid over ``extent`` with cells of at least ``size`` and at most MAX_CELLS cells."""
    x0, y0, x1, y1 = extent
    span = max(abs(x0), abs(y0), abs(x1), abs(y1), 1.0)
    size = max(size, ((x1 - x0) * (y1 - y0) / MAX_CELLS) ** 0.5, span * 1e-9)
    nx, ny = int((x1 - x0) / size) + 1, int((y1 - y0) / size) + 1
    while nx * ny > MAX_CELLS:
        size *= 1.1
        nx, ny = int((x1 - x0) / size) + 1, int((y1 - y0) / size) + 1
    return Grid(x0, y0, size, nx, ny)


def edge_cells(grid: Grid, edges: NDArray[np.float64]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """(edge, cell) for every cell each edge (ax, ay, bx, by) may touch, without repeats. Edges
    are cut into pieces of at most half a cell; edges wholly outside the grid are left out."""
    margin = _MARGIN * grid.size
    x1, y1 = grid.x0 + grid.nx * grid.size, grid.y0 + grid.ny * grid.size
    ax, ay, bx, by = edges.T
    inside = (
        (np.maximum(ax, bx) >= grid.x0 - margin)
        & (np.minimum(ax, bx) <= x1 + margin)
        & (np.maximum(ay, by) >= grid.y0 - margin)
        & (np.minimum(ay, by) <= y1 + margin)
    )
    kept = np.flatnonzero(inside)
    if not len(kept):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    ax, ay, bx, by = ax[kept], ay[kept], bx[kept], by[kept]
    length = np.hypot(bx - ax, by - ay)
    pieces = np.maximum(1, np.ceil(length / (grid.size / 2))).astype(np.int64)
    owner = np.repeat(np.arange(len(kept)), pieces)
    step = np.arange(int(pieces.sum())) - np.repeat(np.cumsum(pieces) - pieces, pieces)
    t0, t1 = step / pieces[owner], (step + 1) / pieces[owner]
    dx, dy = (bx - ax)[owner], (by - ay)[owner]
    px0, py0 = ax[owner] + dx * t0, ay[owner] + dy * t0
    px1, py1 = ax[owner] + dx * t1, ay[owner] + dy * t1
    boxes = np.stack([np.minimum(px0, px1), np.minimum(py0, py1), np.maximum(px0, px1), np.maximum(py0, py1)], axis=1)
    piece, cell = grid.cells(boxes)
    key = np.unique(kept[owner[piece]] * (grid.nx * grid.ny) + cell)
    return key // (grid.nx * grid.ny), key % (grid.nx * grid.ny)


def boxes_in_cells(
    grid: Grid, boxes: NDArray[np.float64], cell_owners: NDArray[np.int64], cells: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """(box, owner) pairs: each of ``boxes`` with every owner registered (``cell_owners``,
    ``cells``) in one of its cells; a pair may repeat when both share several cells."""
    order = np.argsort(cells, kind="stable")
    sorted_cells, sorted_owners = cells[order], cell_owners[order]
    box, cell = grid.cells(boxes)
    first = np.searchsorted(sorted_cells, cell, "left")
    count = np.searchsorted(sorted_cells, cell, "right") - first
    return np.repeat(box, count), sorted_owners[concatenated_ranges(first, count)]


def points_in_cells(
    grid: Grid, x: NDArray[np.float64], y: NDArray[np.float64], cell_owners: NDArray[np.int64], cells: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """(point, owner) pairs: each point with every owner registered in the cell it falls in."""
    i = np.clip(np.floor((x - grid.x0) / grid.size), 0, grid.nx - 1).astype(np.int64)
    j = np.clip(np.floor((y - grid.y0) / grid.size), 0, grid.ny - 1).astype(np.int64)
    order = np.argsort(cells, kind="stable")
    sorted_cells, sorted_owners = cells[order], cell_owners[order]
    cell = j * grid.nx + i
    first = np.searchsorted(sorted_cells, cell, "left")
    count = np.searchsorted(sorted_cells, cell, "right") - first
    return np.repeat(np.arange(len(x)), count), sorted_owners[concatenated_ranges(first, count)]


def marked(grid: Grid, cells: NDArray[np.int64], boxes: NDArray[np.float64]) -> NDArray[np.bool_]:
    """For each box: does it cover any of ``cells`` (a summed-area table, O(1) per box)."""
    flags = np.zeros((grid.ny, grid.nx), dtype=np.int32)
    flags.reshape(-1)[cells] = 1
    table = np.zeros((grid.ny + 1, grid.nx + 1), dtype=np.int32)
    np.cumsum(np.cumsum(flags, axis=0), axis=1, out=table[1:, 1:])
    i0, j0, i1, j1 = grid.ranges(boxes)
    total = table[j1 + 1, i1 + 1] - table[j0, i1 + 1] - table[j1 + 1, i0] + table[j0, i0]
    result: NDArray[np.bool_] = total > 0
    return result
