"""Structure change: how much the pattern inside small cells changed, whatever their brightness did.

The change magnitude (:mod:`.radiometry`) measures how far each pixel's value moved. It is
fooled where the brightness moves for reasons other than damage — a new sun on a pitched roof
or a dome (each facet brighter or darker as a whole), the ground in another season — and it
barely sees rubble that is about as bright as the roof it lies on (dark roofs).

Here each cell of :data:`CELL` × :data:`CELL` pixels is compared by the part of its pattern
that no brightness change can explain: with ``b`` and ``a`` the cell's before and (matched)
after brightness, the variance the best line ``a ≈ k·b + c`` leaves over, taken both ways,

    structure² = (var a + var b) / 2 · (1 − ρ²)          (ρ: correlation of a and b in the cell)

A facet lit anew (k > 0), a ridge whose contrast flips (k < 0), a level shift or a haze (c) all
keep ρ² near 1 and leave only the sensor noise; rubble, a hole's edge, a new wall or a ribbed
roof made even do not. The threshold of a changed cell is learnt like
the changed-pixel threshold, from a sample of the whole overlap (mostly ground): its median plus
:data:`STRUCTURE_Z` robust sigmas.
"""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from .radiometry import ROBUST_SIGMA, Normalisation, sample_windows
from .raster_pair import BandValues, RasterPair

CELL = 4
"""Side (pixels) of the cells compared: 2 m at 0.5 m pixels (the ring's and the spot's cell)."""
STRUCTURE_Z = 3.0
"""A cell's structure changed when it exceeds the sample's median by this many robust sigmas."""
SAMPLE_WINDOWS = 12
"""Calibration windows read (of the radiometric fit's sample)."""
MIN_THRESHOLD = 1e-3
"""Floor of the threshold: two identical images (no noise at all) still have one."""


@dataclass(frozen=True)
class StructureScale:
    """The threshold of a changed cell (``structure`` in units of the before bands' spread)."""

    threshold: float
    median: float
    cells: int

    def describe(self) -> str:
        return (
            f"structure change of {CELL}×{CELL}-pixel cells (the pattern no brightness change explains): "
            f"threshold {self.threshold:.3g} (median {self.median:.3g} + {STRUCTURE_Z:g} robust sigma over "
            f"{self.cells} sampled cells)"
        )


def brightness(values: BandValues, normalisation: Normalisation, after: bool) -> NDArray[np.float32]:
    """Mean over the bands of the values in units of each before band's spread (after values
    times their gain), without the after pass's offsets: add :func:`brightness_offset` for them."""
    total = np.empty(values.shape[1:], dtype=np.float32)
    for band in range(values.shape[0]):
        weight = np.float32(
            (normalisation.gain[band] if after else 1.0) / (normalisation.spread[band] * values.shape[0])
        )
        if band == 0:
            np.multiply(values[band], weight, out=total, casting="unsafe")
        else:
            total += values[band] * weight
    return total


def brightness_offset(normalisation: Normalisation) -> float:
    """What the after pass's offsets add to its :func:`brightness`."""
    return float(np.sum(normalisation.offset / normalisation.spread) / normalisation.offset.size)


def cell_pixels(rows: NDArray[np.intp], cols: NDArray[np.intp], width: int) -> NDArray[np.intp]:
    """Flat indices (cells × CELL², row by row) of the pixels of the cells (``rows``, ``cols``
    in cells) of an image ``width`` pixels wide."""
    offsets = np.arange(CELL)
    pixel_rows = (rows[:, None] * CELL + offsets)[:, :, None]
    pixel_cols = (cols[:, None] * CELL + offsets)[:, None, :]
    flat: NDArray[np.intp] = (pixel_rows * width + pixel_cols).reshape(rows.size, CELL * CELL)
    return flat


class CellChange(NamedTuple):
    """Per cell: the structure change (see the module), each pass's own pattern (standard
    deviation of the cell) and mean brightness."""

    change: NDArray[np.float64]
    before_std: NDArray[np.float64]
    after_std: NDArray[np.float64]
    before_level: NDArray[np.float64]
    after_level: NDArray[np.float64]


def structure_change(before: NDArray[np.float32], after: NDArray[np.float32]) -> CellChange:
    """Structure change and pattern of cells given as (cells, pixels) brightness blocks."""
    b = before.astype(np.float64)
    a = after.astype(np.float64)
    level_b, level_a = b.mean(axis=1), a.mean(axis=1)
    b -= level_b[:, None]
    a -= level_a[:, None]
    var_b = (b * b).mean(axis=1)
    var_a = (a * a).mean(axis=1)
    cov = (a * b).mean(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        explained = np.where(var_a * var_b > 0, cov * cov / (var_a * var_b), 0.0)
    change: NDArray[np.float64] = np.sqrt(np.maximum((var_a + var_b) / 2 * (1.0 - explained), 0.0))
    return CellChange(change, np.sqrt(var_b), np.sqrt(var_a), level_b, level_a)


def footprint_cells(
    labels: NDArray[np.integer[Any]], covered: NDArray[np.float64]
) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.intp]]:
    """(rows, cols, owner index + 1) of the whole cells of the window that lie in one footprint
    with every pixel valid (``covered`` counts such pixels per cell)."""
    rows, cols = labels.shape[0] // CELL, labels.shape[1] // CELL
    cell_rows, cell_cols = np.nonzero(covered[:rows, :cols] == CELL * CELL)
    if not cell_rows.size:
        return cell_rows, cell_cols, cell_rows
    blocks = np.ascontiguousarray(labels).ravel().take(cell_pixels(cell_rows, cell_cols, labels.shape[1]))
    owner = blocks[:, 0]
    pure = (blocks == owner[:, None]).all(axis=1)
    return cell_rows[pure], cell_cols[pure], owner[pure].astype(np.intp)


def cells_change(
    before: BandValues, after: BandValues, rows: NDArray[np.intp], cols: NDArray[np.intp], normalisation: Normalisation
) -> CellChange:
    """Structure change of the given cells of a window's (bands, rows, cols) before and after
    values (see :func:`structure_change`)."""
    pixels = cell_pixels(rows, cols, before.shape[2])
    b = np.stack([np.ascontiguousarray(before[band]).ravel().take(pixels) for band in range(before.shape[0])])
    a = np.stack([np.ascontiguousarray(after[band]).ravel().take(pixels) for band in range(after.shape[0])])
    cells = structure_change(brightness(b, normalisation, False), brightness(a, normalisation, True))
    return cells._replace(after_level=cells.after_level + brightness_offset(normalisation))


def fit_structure_scale(
    pair: RasterPair, region: tuple[int, int, int, int], normalisation: Normalisation, pool: Executor | None = None
) -> StructureScale:
    """The changed-cell threshold from whole valid cells of a sample of ``region``."""
    found = []
    windows = sample_windows(region)
    step = max(1, len(windows) // SAMPLE_WINDOWS)
    for window in windows[::step]:
        before, after, valid = pair.read(window, pool)
        rows, cols = window.height // CELL, window.width // CELL
        if not rows or not cols:
            continue
        whole = valid[: rows * CELL, : cols * CELL].reshape(rows, CELL, cols, CELL).all(axis=(1, 3))
        cell_rows, cell_cols = np.nonzero(whole)
        found.append(cells_change(before, after, cell_rows, cell_cols, normalisation).change)
    values = np.concatenate(found) if found else np.zeros(0)
    if values.size == 0:
        return StructureScale(MIN_THRESHOLD, 0.0, 0)
    median = float(np.median(values))
    sigma = ROBUST_SIGMA * float(np.median(np.abs(values - median)))
    return StructureScale(max(median + STRUCTURE_Z * sigma, MIN_THRESHOLD), median, int(values.size))
