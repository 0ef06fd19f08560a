"""Walls that changed sides with the sun between the passes, and their discount.

A lower or turned sun moves every cast shadow and relights every wall: the wall faces that the
before sun lit and the after sun does not (or the reverse) change strongly, in a band along the
footprint's outline. On a revetment, whose earth walls lie inside its own footprint, that band
is a hot spot and a new pattern although nothing was hit; on a pitched roof a facet changes.

1. **Classes.** Each whole cell of a footprint is classed, during the window pass, by the edge it
   lies along: the compass direction (of eight) in which its outline is within
   :data:`EDGE_REACH` pixels (eight label look-ups per whole cell), or 0 away from every edge.
   Per footprint and class the sums keep the hottest cell, the magnitude and the new pattern.
2. **Estimate.** A new sun flips the same wall faces on every structure of the pair; damage hits
   some structures anywhere on their roof. So a face is taken as relit when its band holds a hot
   cell (:data:`WALL_SPOT` changed-pixel thresholds above the roof's mean, a spot's moderate cut)
   on at least :data:`MIN_RATE` of the scored roofs and :data:`RATE_FACTOR` times as often as
   the roofs' inside does. The faces found say which way the sun moved (faces flip when the sun's
   azimuth crosses their side); a site hit hard has hot insides too, so it discounts nothing.
3. **Discount.** On the faces found and their two neighbouring classes (a face of a turned
   footprint, or a corner, falls in either), each cell in the band counts at :data:`DISCOUNT` of
   its height above the roof's mean for the spot, and of its pattern count and pattern spot. An
   impact hole there still counts (its spot is about twice a relit wall's).

The thresholds were chosen on the tuning seeds of the evaluation suite (1101, 1102) only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

CELL = 4
"""The cells of the spot, the ring and the pattern (pixels a side)."""
DIRECTIONS = 8
"""Compass directions of the edge classes: N, NE, E, SE, S, SW, W, NW."""
CLASSES = DIRECTIONS + 1
"""Class 0: a cell away from every edge; class 1 + k: along the edge facing direction k."""
EDGE_REACH = 6
"""A cell is along an edge when a pixel this far from its centre (pixels, in one of the eight
directions) is outside its footprint: 3 m at 0.5 m pixels, a wall and its slope."""
WALL_SPOT = 5.0
"""A cell this many changed-pixel thresholds above its roof's mean is hot (the spot's moderate cut)."""
MIN_RATE = 0.075
RATE_FACTOR = 3.0
RATE_MARGIN = 0.02
"""A face is relit when its band is hot on MIN_RATE of the roofs with such a band and on
RATE_FACTOR × the inside's rate + RATE_MARGIN."""
MIN_ROOFS = 10
"""Fewer roofs with a band on a face: that face is never discounted (too few to tell)."""
DISCOUNT = 0.5
"""A discounted cell's spot height, pattern spot and pattern count are multiplied by this."""

_AZIMUTHS = np.arange(DIRECTIONS) * (360.0 / DIRECTIONS)
_EAST = np.sin(np.radians(_AZIMUTHS))
_NORTH = np.cos(np.radians(_AZIMUTHS))


class ShadowSums:
    """Per footprint and edge class of its whole cells: the hottest cell, the magnitude, the new
    pattern and its hottest cell (index 0 of the footprints: outside every footprint)."""

    def __init__(self, count: int):
        self.peak: NDArray[np.float64] = np.full((CLASSES, count + 1), -np.inf)
        self.cells: NDArray[np.float64] = np.zeros((CLASSES, count + 1))
        self.magnitude: NDArray[np.float64] = np.zeros((CLASSES, count + 1))
        self.pattern: NDArray[np.float64] = np.zeros((CLASSES, count + 1))
        self.pattern_peak: NDArray[np.float64] = np.zeros((CLASSES, count + 1))

    def add(self, window: ShadowSums, index: NDArray[np.intp]) -> None:
        """Add ``window``'s sums (one window's, numbered in the window) to footprints ``index``
        here (``index[k - 1]`` is the window's footprint k; each footprint at most once)."""
        self.cells[:, index] += window.cells[:, 1:]
        self.magnitude[:, index] += window.magnitude[:, 1:]
        self.pattern[:, index] += window.pattern[:, 1:]
        self.peak[:, index] = np.maximum(self.peak[:, index], window.peak[:, 1:])
        self.pattern_peak[:, index] = np.maximum(self.pattern_peak[:, index], window.pattern_peak[:, 1:])

    def add_cells(
        self,
        classes: NDArray[np.intp],
        owner: NDArray[np.intp],
        magnitude: NDArray[np.float64],
        threshold: float,
        new: NDArray[np.bool_],
        change: NDArray[np.float64],
    ) -> None:
        """Add whole cells (their edge class, owner index + 1, mean magnitude, whether their
        pattern is new and its structure change in thresholds)."""
        flat = classes * self.cells.shape[1] + owner
        size = self.cells.size
        self.cells += np.bincount(flat, minlength=size).reshape(self.cells.shape)
        self.magnitude += np.bincount(flat, weights=magnitude, minlength=size).reshape(self.cells.shape)
        self.pattern += np.bincount(flat, weights=new, minlength=size).reshape(self.cells.shape)
        hot = magnitude > threshold
        np.maximum.at(self.peak.reshape(-1), flat[hot], magnitude[hot])
        np.maximum.at(self.pattern_peak.reshape(-1), flat[new], change[new])


def edge_classes(
    labels: NDArray[np.integer[Any]], rows: NDArray[np.intp], cols: NDArray[np.intp], owner: NDArray[np.intp]
) -> NDArray[np.intp]:
    """Edge class of whole cells (``rows``, ``cols`` in cells of the window's ``labels``): 0 away
    from the outline, 1 + k along the edge facing compass direction k (the resultant of the
    directions in which a pixel EDGE_REACH away is outside the footprint; look-ups beyond the
    window count as inside)."""
    height, width = labels.shape
    centre_row, centre_col = rows * CELL + CELL // 2, cols * CELL + CELL // 2
    flat = np.ascontiguousarray(labels).ravel()
    east = np.zeros(rows.size)
    north = np.zeros(rows.size)
    for k in range(DIRECTIONS):
        r = centre_row - int(round(EDGE_REACH * _NORTH[k]))
        c = centre_col + int(round(EDGE_REACH * _EAST[k]))
        inside = (r >= 0) & (r < height) & (c >= 0) & (c < width)
        out = np.zeros(rows.size, dtype=bool)
        out[inside] = flat[r[inside] * width + c[inside]] != owner[inside]
        east += out * _EAST[k]
        north += out * _NORTH[k]
    edge = (np.abs(east) > 1e-9) | (np.abs(north) > 1e-9)
    azimuth = np.degrees(np.arctan2(east, north)) % 360.0
    sector = np.rint(azimuth / (360.0 / DIRECTIONS)).astype(np.intp) % DIRECTIONS
    classes: NDArray[np.intp] = np.where(edge, sector + 1, 0)
    return classes


@dataclass(frozen=True)
class ShadowEstimate:
    """Which wall faces changed with the sun between the passes: per edge class, the share of the
    scored roofs with a hot cell there and a cool inside (``rates``; index 0, the inside, is 0),
    the faces found relit and the classes discounted (those faces and their neighbours)."""

    rates: tuple[float, ...]
    relit: tuple[int, ...]
    discounted: tuple[int, ...]

    @property
    def turn(self) -> float | None:
        """The least turn of the sun the relit faces imply (degrees; None: none found): a face
        flips between lit and shaded when the sun's azimuth crosses its side, so the sun turned
        by at least the faces' spread plus one class (45°)."""
        if not self.relit:
            return None
        folded = sorted({_AZIMUTHS[c - 1] % 180.0 for c in self.relit})
        return float(folded[-1] - folded[0] + 45.0)

    @property
    def faces(self) -> str:
        """``W (11 % of the roofs)``: the relit faces, for the explanations."""
        return ", ".join(f"{_compass(_AZIMUTHS[c - 1])} ({self.rates[c]:.0%} of the roofs)" for c in self.relit)

    def describe(self) -> str:
        if not self.relit:
            return (
                "shadows and walls: no wall face hot (with a cool inside) on more roofs than the other faces; the "
                "sun's change is not measured and nothing is discounted"
            )
        return (
            f"shadows and walls: walls facing {self.faces} changed with the sun (a turn of {self.turn:.0f}° or "
            f"more): the band within {EDGE_REACH} pixels of walls facing "
            f"{'/'.join(_compass(_AZIMUTHS[c - 1]) for c in self.discounted)} counts at {DISCOUNT:.0%} of its "
            "spot and pattern"
        )


def _compass(azimuth: float) -> str:
    names = ("N", "NE", "E", "SE", "S", "SW", "W", "NW")
    return names[int(round(azimuth / 45.0)) % 8]


def estimate_shadow(
    sums: ShadowSums, known: NDArray[np.bool_], inside_mean: NDArray[np.float64], threshold: float
) -> ShadowEstimate:
    """The wall faces relit between the passes (see the module): those whose band holds a cell
    WALL_SPOT changed-pixel thresholds above the roof's mean on at least MIN_RATE of the known
    roofs having such a band, and RATE_FACTOR times as often as the roofs' inside does."""
    cells, peak = sums.cells[:, 1:][:, known], sums.peak[:, 1:][:, known]
    with np.errstate(invalid="ignore"):
        hot = (peak - inside_mean[known]) / max(threshold, 1e-12) >= WALL_SPOT
    has = cells > 0
    alone = hot & has & ~(hot[0] & has[0])  # a hot face on a roof whose inside stayed cool
    counts = has.sum(axis=1)
    rates = tuple(float(np.sum(alone[k]) / counts[k]) if counts[k] else 0.0 for k in range(CLASSES))
    usual = float(np.median(rates[1:]))
    enough = counts >= MIN_ROOFS
    relit = [
        k
        for k in range(1, CLASSES)
        if enough[k] and rates[k] >= MIN_RATE and rates[k] >= RATE_FACTOR * usual + RATE_MARGIN
    ]
    # a face's cells fall in its class or, on turned footprints and at corners, a neighbouring one
    discounted = tuple(sorted({(k - 1 + step) % DIRECTIONS + 1 for k in relit for step in (-1, 0, 1)}))
    return ShadowEstimate(rates, tuple(relit), discounted)


@dataclass(frozen=True)
class Discounted:
    """Per footprint (input order) the values of the sums with the discounted band applied."""

    peak: NDArray[np.float64]
    pattern: NDArray[np.float64]
    pattern_peak: NDArray[np.float64]
    share: NDArray[np.float64]
    """Share of the footprint's whole cells counted at the discount (0: none; 1: the whole roof,
    its band along the relit walls being hot)."""


def discount(
    sums: ShadowSums,
    estimate: ShadowEstimate,
    inside_mean: NDArray[np.float64],
    threshold: float,
    peak: NDArray[np.float64],
    pattern: NDArray[np.float64],
    pattern_peak: NDArray[np.float64],
) -> Discounted:
    """The footprints' spot peak (mean magnitude of the hottest cell), new-pattern cell count and
    pattern peak with the discounted band counted at DISCOUNT. On a footprint whose band is hot
    and its hottest part (a wall relit, nothing hotter elsewhere) the whole roof counts so: the
    walls of a revetment run inside its footprint too, and their relit slopes change its pattern
    there."""
    if not estimate.discounted:
        return Discounted(peak, pattern, pattern_peak, np.zeros(inside_mean.size))
    band = np.zeros(CLASSES, dtype=bool)
    band[list(estimate.discounted)] = True
    cells = sums.cells[:, 1:]
    total = cells.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(total > 0, cells[band].sum(axis=0) / total, 0.0)
    band_peak = sums.peak[band, 1:].max(axis=0)
    outside_peak = sums.peak[~band, 1:].max(axis=0)
    with np.errstate(invalid="ignore"):
        # the relit wall is the hottest part of the roof: damage elsewhere on it would be hotter
        relit = ((band_peak - inside_mean) / max(threshold, 1e-12) >= WALL_SPOT) & (band_peak >= outside_peak)
    counted = np.where(relit, DISCOUNT, 1.0)
    # a discounted cell's spot counts at DISCOUNT: its height above the roof's mean is scaled
    with np.errstate(invalid="ignore"):
        scaled = np.where(np.isfinite(band_peak), inside_mean + DISCOUNT * (band_peak - inside_mean), -np.inf)
        outside = np.where(np.isfinite(outside_peak), inside_mean + counted * (outside_peak - inside_mean), -np.inf)
    some = share > 0
    new_peak = np.where(some, np.maximum(outside, scaled), peak)
    new_pattern = np.where(
        some, counted * sums.pattern[~band, 1:].sum(axis=0) + DISCOUNT * sums.pattern[band, 1:].sum(axis=0), pattern
    )
    band_pattern = DISCOUNT * sums.pattern_peak[band, 1:].max(axis=0)
    outside_pattern = counted * sums.pattern_peak[~band, 1:].max(axis=0)
    new_pattern_peak = np.where(some, np.maximum(outside_pattern, band_pattern), pattern_peak)
    return Discounted(new_peak, new_pattern, new_pattern_peak, np.where(some & relit, 1.0, share))
