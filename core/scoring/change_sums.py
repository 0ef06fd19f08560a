"""Per-footprint sums of the change score, added up window by window.

Each window of the before grid adds to every footprint it touches: its pixel count, valid
pixels, summed change magnitude, changed and strongly changed pixels, the hottest whole cell
inside it (the spot) and the valid pixels and magnitude of its ring. :mod:`.change_grading`
turns the sums into scores once every window is done.
"""

from __future__ import annotations

from concurrent.futures import Executor
from typing import Any, Optional, TypeVar

import numpy as np
from numpy.typing import NDArray

from .footprint_raster import PixelBoxes
from .radiometry import Normalisation
from .raster_pair import BandValues, RasterPair, Window
from .shadows import ShadowSums, edge_classes
from .texture import StructureScale, brightness, brightness_offset, cells_change, footprint_cells

RING_CELL = 4
"""Ring sums are taken on cells of this many pixels a side: the ring box is rounded outward to
whole cells (at most RING_CELL − 1 pixels wider), which makes the ring cost small."""
SPOT_CELL = RING_CELL
"""Side (pixels) of the cells whose mean magnitude makes the spot statistic: 2 m at 0.5 m
pixels, about the size of an impact hole. It is the ring's cell (their sums are shared), not
a setting of its own."""
PATTERN_FACTOR = 1.5
"""A cell has a new pattern when its structure change exceeds this many times the standard
deviation of the cell before: rubble on a smooth roof, a hole's edge — not a rough roof or ground
whose fine grain looks different in each pass. It lost its pattern when it changed and was this
many times rougher before than after (a textured roof or ground become an even surface)."""
STRONG_FACTOR = 2.0
"""A pixel is strongly changed when its magnitude exceeds this many changed-pixel thresholds."""

Labels = NDArray[np.integer[Any]]
"""Footprint index + 1 per pixel, 0 outside every footprint (uint16 or int32)."""
Magnitude = NDArray[np.float32]
Mask = NDArray[np.bool_]
_Cell = TypeVar("_Cell", np.uint8, np.float32)
WindowChange = tuple[Magnitude, Optional[Mask], BandValues, BandValues]
"""A window's change magnitude (0 where invalid), validity (None: all valid) and its before and
after values (for the structure change of the cells inside footprints)."""


class FootprintSums:
    """Per-footprint accumulators filled window by window (index 0 of the pixel sums: outside
    every footprint)."""

    def __init__(self, count: int):
        self.shadow = ShadowSums(count)
        """Per edge class of the whole cells (:mod:`.shadows`)."""
        self.pixels: NDArray[np.float64] = np.zeros(count + 1)
        self.valid: NDArray[np.float64] = np.zeros(count + 1)
        self.magnitude: NDArray[np.float64] = np.zeros(count + 1)
        self.changed: NDArray[np.float64] = np.zeros(count + 1)
        self.strong: NDArray[np.float64] = np.zeros(count + 1)
        self.peak: NDArray[np.float64] = np.full(count + 1, -np.inf)
        """Highest mean magnitude of a whole SPOT_CELL cell inside the footprint, counting only
        cells above the changed-pixel threshold (-inf: none)."""
        self.cells: NDArray[np.float64] = np.zeros(count + 1)
        """Whole valid cells inside the footprint (see :func:`.texture.footprint_cells`)."""
        self.pattern: NDArray[np.float64] = np.zeros(count + 1)
        """Of them, those whose pattern changed: structure change above the pair's threshold and
        above PATTERN_FACTOR × the cell's own pattern before (a rough surface seen again is not a
        new pattern)."""
        self.lost: NDArray[np.float64] = np.zeros(count + 1)
        """Of them, those whose pattern was lost: changed, and this many times smoother after."""
        self.pattern_peak: NDArray[np.float64] = np.zeros(count + 1)
        """The highest structure change of those cells, in thresholds (0: none)."""
        self.level_before: NDArray[np.float64] = np.zeros(count + 1)
        self.level_after: NDArray[np.float64] = np.zeros(count + 1)
        """Summed mean brightness of the whole cells (before, matched after; spread units)."""
        self.ring_before: NDArray[np.float64] = np.zeros(count)
        self.ring_after: NDArray[np.float64] = np.zeros(count)
        """Summed brightness of the ring's pixels (before, matched after; spread units)."""
        self.ring_valid: NDArray[np.float64] = np.zeros(count)
        self.ring_magnitude: NDArray[np.float64] = np.zeros(count)

    INSIDE = (
        "pixels",
        "valid",
        "magnitude",
        "changed",
        "strong",
        "cells",
        "pattern",
        "lost",
        "level_before",
        "level_after",
    )
    """The sums over pixels and cells inside the footprints (not the peaks, not the rings)."""

    def add(self, window: FootprintSums, owners: NDArray[np.intp]) -> None:
        """Add the inside sums and peaks of ``window`` (one window's, numbered in the window:
        its footprint k is ``owners[k - 1]`` here) to these."""
        index = owners + 1
        for name in self.INSIDE:
            getattr(self, name)[index] += getattr(window, name)[1:]
        self.peak[index] = np.maximum(self.peak[index], window.peak[1:])
        self.pattern_peak[index] = np.maximum(self.pattern_peak[index], window.pattern_peak[1:])
        self.shadow.add(window.shadow, index)


def window_change(
    pair: RasterPair, normalisation: Normalisation, window: Window, before_pool: Executor | None
) -> WindowChange:
    """Change magnitude of a window (0 where invalid) and its validity (None: all valid)."""
    before, after, valid = pair.read(window, before_pool)
    magnitude = normalisation.magnitude(before, after)
    if valid.all():
        return magnitude, None, before, after
    magnitude[~valid] = 0.0
    return magnitude, valid, before, after


def accumulate(
    rings: PixelBoxes,
    normalisation: Normalisation,
    window: Window,
    pixels: WindowChange,
    labels: Labels,
    owners: NDArray[np.intp],
    sums: FootprintSums,
    scale: StructureScale,
    pool: Executor | None = None,
) -> None:
    """Add the window's change (``pixels``) of the footprints in ``labels`` (flat, numbered in
    the window: label k is footprint ``owners[k - 1]``) and of the ``rings`` it touches to ``sums``.

    The footprints' sums are taken over the window's own numbering (arrays as long as the
    footprints in the window, not as the site) and then added to theirs. With a ``pool``, they
    are taken on it while this thread adds up the rings (numpy releases the GIL)."""
    magnitude, valid, before, after = pixels
    occupied = labels != 0
    free = ~occupied
    if valid is not None:
        free &= valid.ravel()
    occupied, free = occupied.reshape(magnitude.shape), free.reshape(magnitude.shape)
    full = RING_CELL * RING_CELL
    free_cells = cell_sums(free.view(np.uint8))
    magnitude_cells = cell_sums(magnitude)
    if pool is None:
        local = _footprint_sums(
            normalisation, pixels, labels, occupied, free_cells, magnitude_cells, owners.size, scale
        )
    else:
        pending = pool.submit(
            _footprint_sums, normalisation, pixels, labels, occupied, free_cells, magnitude_cells, owners.size, scale
        )
    _add_rings(rings, normalisation, window, before, after, free_cells == full, magnitude_cells, sums)
    if pool is not None:
        local = pending.result()
    if local is not None:
        sums.add(local, owners)


def _footprint_sums(
    normalisation: Normalisation,
    pixels: WindowChange,
    labels: Labels,
    occupied: Mask,
    free_cells: NDArray[np.float64],
    magnitude_cells: NDArray[np.float64],
    count: int,
    scale: StructureScale,
) -> FootprintSums | None:
    """The sums of a window's ``count`` footprints (numbered in the window; None: no footprint pixel)."""
    magnitude, valid, before, after = pixels
    inside = np.flatnonzero(occupied)  # much faster on a bool array than on the labels
    if not inside.size:
        return None
    local = FootprintSums(count)
    ids = labels[inside].astype(np.intp)
    inside_magnitude = magnitude.ravel()[inside]
    local.magnitude += np.bincount(ids, weights=inside_magnitude, minlength=local.pixels.size)
    # one count of (footprint, class) pairs gives the pixels, valid, changed and strongly
    # changed pixels (invalid pixels have magnitude 0: never changed; strong ones are changed)
    kind = (inside_magnitude > normalisation.pixel_threshold).view(np.uint8)
    kind += inside_magnitude > STRONG_FACTOR * normalisation.pixel_threshold
    classes = 3
    if valid is not None:
        kind += valid.ravel()[inside]
        classes = 4
    counts = np.bincount(ids * classes + kind, minlength=local.pixels.size * classes)
    counts = counts.reshape(local.pixels.size, classes)
    local.pixels += counts.sum(axis=1)
    local.valid += counts[:, 1:].sum(axis=1) if valid is not None else local.pixels
    local.changed += counts[:, -2:].sum(axis=1)
    local.strong += counts[:, -1]
    # cells wholly in footprints and valid: with all pixels valid, those with no free pixel
    full = RING_CELL * RING_CELL
    covered = (full - free_cells) if valid is None else cell_sums((occupied & valid).view(np.uint8))
    shaped = labels.reshape(magnitude.shape)
    raise_peaks(shaped, covered, magnitude_cells, normalisation.pixel_threshold, local.peak)
    add_structure(shaped, covered, before, after, normalisation, scale, local, magnitude_cells)
    return local


def _add_rings(
    rings: PixelBoxes,
    normalisation: Normalisation,
    window: Window,
    before: BandValues,
    after: BandValues,
    ring_cells: Mask,
    magnitude_cells: NDArray[np.float64],
    sums: FootprintSums,
) -> None:
    """Add the valid pixels, magnitude and brightness of the ``ring_cells`` (no footprint pixel,
    every pixel valid) within each ring's box to ``sums``."""
    full = RING_CELL * RING_CELL
    rows, cols = ring_cells.shape
    near = rings.intersecting(window.col, window.row, window.col + window.width, window.row + window.height)
    c0 = np.clip(np.floor((rings.col0[near] - window.col) / RING_CELL).astype(int), 0, cols)
    r0 = np.clip(np.floor((rings.row0[near] - window.row) / RING_CELL).astype(int), 0, rows)
    c1 = np.clip(np.ceil((rings.col1[near] - window.col) / RING_CELL).astype(int), 0, cols)
    r1 = np.clip(np.ceil((rings.row1[near] - window.row) / RING_CELL).astype(int), 0, rows)
    # one summed-area table of four layers: ring pixels, their magnitude, their brightness
    # before and after (from one pixel of each cell, times the cell's pixels: a ring holds
    # hundreds of cells, and reading them all would cost as much as the magnitude)
    layers = np.empty((4, rows, cols))
    np.multiply(ring_cells, float(full), out=layers[0])
    np.multiply(magnitude_cells, ring_cells, out=layers[1])
    for layer, (image, is_after) in enumerate(((before, False), (after, True)), start=2):
        level_cells = brightness(image[:, ::RING_CELL, ::RING_CELL], normalisation, is_after) * np.float32(full)
        np.multiply(level_cells, ring_cells, out=layers[layer], casting="unsafe")
    ring_counts, ring_magnitude, ring_before, ring_after = box_sums(integral(layers), c0, r0, c1, r1)
    sums.ring_valid[near] += ring_counts
    sums.ring_magnitude[near] += ring_magnitude
    sums.ring_before[near] += ring_before
    sums.ring_after[near] += ring_after
    sums.ring_after[near] += brightness_offset(normalisation) * ring_counts


def add_structure(
    labels: Labels,
    covered: NDArray[np.float64],
    before: BandValues,
    after: BandValues,
    normalisation: Normalisation,
    scale: StructureScale,
    sums: FootprintSums,
    magnitude_cells: NDArray[np.float64],
) -> None:
    """Add each footprint's whole cells, those whose pattern changed and their mean brightness
    before and after to ``sums`` (and per edge class of the cells, for :mod:`.shadows`)."""
    rows, cols, owner = footprint_cells(labels, covered)
    if not owner.size:
        return
    length = sums.cells.size
    cells = cells_change(before, after, rows, cols, normalisation)
    change = cells.change / scale.threshold
    changed = change > 1.0
    new = changed & (cells.change > PATTERN_FACTOR * cells.before_std)
    sums.lost += np.bincount(
        owner, weights=changed & (PATTERN_FACTOR * cells.after_std < cells.before_std), minlength=length
    )
    sums.cells += np.bincount(owner, minlength=length)
    sums.pattern += np.bincount(owner, weights=new, minlength=length)
    np.maximum.at(sums.pattern_peak, owner[new], change[new])
    sums.level_before += np.bincount(owner, weights=cells.before_level, minlength=length)
    sums.level_after += np.bincount(owner, weights=cells.after_level, minlength=length)
    means = magnitude_cells[rows, cols] / (RING_CELL * RING_CELL)
    classes = edge_classes(labels, rows, cols, owner)
    sums.shadow.add_cells(classes, owner, means, normalisation.pixel_threshold, new, change)


def raise_peaks(
    labels: Labels,
    covered: NDArray[np.float64],
    magnitude_cells: NDArray[np.float64],
    threshold: float,
    peak: NDArray[np.float64],
) -> None:
    """Raise each footprint's ``peak`` to the mean magnitude of its hottest cell in this window.

    Only cells of SPOT_CELL (= RING_CELL) pixels a side that lie wholly in the window and in one
    footprint, with every pixel valid (``covered`` counts them per cell) and a mean above the
    changed-pixel ``threshold`` count: a spot below it would not matter, and leaving the quiet
    cells out keeps this cheap where footprints cover the whole window."""
    rows, cols = labels.shape[0] // SPOT_CELL, labels.shape[1] // SPOT_CELL
    full = SPOT_CELL * SPOT_CELL
    hot = (covered[:rows, :cols] == full) & (magnitude_cells[:rows, :cols] > threshold * full)
    cell_rows, cell_cols = np.nonzero(hot)
    if not cell_rows.size:
        return
    blocks = labels[: rows * SPOT_CELL, : cols * SPOT_CELL].reshape(rows, SPOT_CELL, cols, SPOT_CELL)
    blocks = blocks[cell_rows, :, cell_cols, :].reshape(cell_rows.size, full)
    owner = blocks[:, 0]
    pure = (blocks == owner[:, None]).all(axis=1)
    means = magnitude_cells[cell_rows[pure], cell_cols[pure]] / full
    np.maximum.at(peak, owner[pure].astype(np.intp), means)


def cell_sums(values: NDArray[_Cell]) -> NDArray[np.float64]:
    """Sums over RING_CELL × RING_CELL cells (the window padded with zeros to whole cells)."""
    height, width = values.shape
    pad_rows, pad_cols = -height % RING_CELL, -width % RING_CELL
    if pad_rows or pad_cols:
        values = np.pad(values, ((0, pad_rows), (0, pad_cols)))
    across = values[:, 0::RING_CELL].copy()  # uint8 counts (≤ 4) or float32 sums
    for offset in range(1, RING_CELL):
        across += values[:, offset::RING_CELL]
    cells: NDArray[np.float64] = across[0::RING_CELL].astype(np.float64)
    for offset in range(1, RING_CELL):
        cells += across[offset::RING_CELL]
    return cells


def box_sums(
    table: NDArray[np.float64],
    c0: NDArray[np.int_],
    r0: NDArray[np.int_],
    c1: NDArray[np.int_],
    r1: NDArray[np.int_],
) -> NDArray[np.float64]:
    """Sums over the boxes [c0, c1) × [r0, r1) from the summed-area ``table`` (of the last two
    axes: a stack of tables gives one row of sums per table)."""
    sums: NDArray[np.float64] = table[..., r1, c1] - table[..., r0, c1] - table[..., r1, c0] + table[..., r0, c0]
    return sums


def integral(values: NDArray[np.float64]) -> NDArray[np.float64]:
    """The summed-area table of ``values`` over its last two axes (one row and column of zeros
    before them)."""
    table = np.zeros((*values.shape[:-2], values.shape[-2] + 1, values.shape[-1] + 1))
    inner = table[..., 1:, 1:]
    np.cumsum(values, axis=-2, out=inner)
    np.cumsum(inner, axis=-1, out=inner)
    return table
