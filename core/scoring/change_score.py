"""Change pre-scoring: how much each structure changed between a before and an after image.

Method (docs/change_score.md has the full text):

1. the after image is read on the before grid window by window (:mod:`.raster_pair`) and
   matched to the before image's values (:mod:`.radiometry`); each pixel gets a change
   magnitude in units of the before image's robust spread;
2. per footprint: the mean magnitude inside (pixel centres inside), the share of inside
   pixels above the changed-pixel threshold (``chg_frac``), and the mean magnitude of its
   ring — the cells of RING_CELL × RING_CELL pixels within ``ring_m`` of the footprint's
   bounding box (rounded outward to whole cells) that hold no footprint pixel and no invalid one;
3. contrast = inside mean − ring mean; its robust z-score against the unchanged footprints of
   the pair (median and 1.4826 × MAD with iterative 3-sigma clipping of the changed ones) says
   how unusual the change is for this pair of images (the *area* z);
4. spot = the highest mean magnitude of a SPOT_CELL × SPOT_CELL cell wholly inside the
   footprint minus the footprint's mean, in units of the pair's changed-pixel threshold: one
   impact hole in an unchanged roof barely moves the mean but makes one cell stand out. A spot
   of SPOT_MODERATE thresholds counts as a z of 4 (moderate); a spot alone never goes beyond
   moderate: z = max(area z, :func:`spot_contribution` (spot));
5. ``chg_score`` = 1 − exp(−max(z, 0) / SCORE_SCALE_Z); ``suggested`` is intact below
   POSSIBLE_Z, possible below MODERATE_Z, and above it graded by the share of strongly changed
   pixels (:data:`SEVERITY_SHARES`); footprints with fewer than half their pixels valid in both
   images, or without any pixel, are ``unknown`` and carry no score and no rank.

Windows are processed in order (helper threads prepare the next two), so memory is bounded
by the window size and the cost grows with the pixels read, plus a small per-footprint term.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from ..errors import SiteWatchError
from ..values import DAMAGE_SCALE, STATUS_BY_CODE
from .footprint_raster import FootprintRaster
from .radiometry import ROBUST_SIGMA, fit_normalisation
from .raster_pair import RasterPair

DEFAULT_RING_M = 10.0
MIN_VALID_SHARE = 0.5
"""Footprints with fewer valid pixels than this share (nodata, outside the overlap) → unknown."""
RING_CELL = 4
"""Ring sums are taken on cells of this many pixels a side: the ring box is rounded outward to
whole cells (at most RING_CELL − 1 pixels wider), which makes the ring cost small."""
SPOT_CELL = RING_CELL
"""Side (pixels) of the cells whose mean magnitude makes the spot statistic: 2 m at 0.5 m
pixels, about the size of an impact hole. It is the ring's cell (their sums are shared), not
a setting of its own."""
PREFETCH = 2
"""Windows prepared ahead: the pixel and label threads may run up to two windows ahead of the
thread adding up, so a slow window does not stall the others."""
MIN_RING_PIXELS = 4
"""With fewer valid ring pixels, the pair's median pixel magnitude is the reference instead."""
MIN_SPREAD = 0.05
"""Floor of the robust spread of the contrast (magnitude units) so near-identical images do not
turn noise into high z-scores."""
MIN_REFERENCE = 10
"""Fewer scored structures than this make the null model (median and MAD over them) unreliable:
the run still scores them, and the algorithm warns."""
CLIP_Z = 3.0
CLIP_ROUNDS = 20
SCORE_SCALE_Z = 8.0
POSSIBLE_Z = 3.0
"""From this z a footprint is suggested ``possible``; below it ``intact``."""
MODERATE_Z = 4.0
"""From this z a footprint is suggested moderate or worse, graded by SEVERITY_SHARES."""
STRONG_FACTOR = 2.0
"""A pixel is strongly changed when its magnitude exceeds this many changed-pixel thresholds."""
SEVERITY_SHARES: tuple[tuple[str, float], ...] = ((DAMAGE_SCALE[4], 0.85), (DAMAGE_SCALE[3], 0.5))
"""Above MODERATE_Z, the share of the footprint's valid pixels strongly changed grades the
suggestion: nearly the whole roof (destroyed), about half of it or more (severe), less
(moderate) — the damage scale's own words. On eight generated sites (the two samples and
three other seeds of each) destroyed structures above the cut had shares 0.86–1.00 (90 % above
0.91), severe ones 0.51–0.86, moderate ones 0.04–0.57."""
SPOT_MODERATE = 5.0
"""A spot this many changed-pixel thresholds above the footprint's mean makes it moderate.
The spot is scaled by the pair's pixel noise, not by a z-score over the footprints: it is the
maximum of many cells, and roofs of different kinds (flat, pitched and lit anew by a lower sun)
give it a spread of several modes that no median/MAD describes. On eight generated sites
(the two samples and three other seeds of each) intact roofs reached 1.7–5.4 thresholds (90 %
of them below 2.4), single impact holes 5.9–13.3."""
SPOT_CEILING_Z = 8.0
"""The spot's contribution stays below this z, so holes rank after most large changes."""
SPOT_SOFT_Z = MODERATE_Z
"""Above this z (the moderate threshold) the spot's contribution bends towards SPOT_CEILING_Z."""
INTACT = DAMAGE_SCALE[0]
UNKNOWN = STATUS_BY_CODE["unknown"].code


class Feedback(Protocol):
    """Progress and cancel, as ``QgsFeedback`` / ``QgsProcessingFeedback`` provide them."""

    def isCanceled(self) -> bool: ...

    def setProgress(self, progress: float) -> None: ...


class ChangeScoringCanceled(SiteWatchError):
    """The user canceled the run; nothing was written."""


@dataclass(frozen=True)
class FootprintScore:
    score: float | None
    """0–1, None when the structure cannot be assessed."""
    frac: float | None
    rank: int | None
    """1 = most changed; None for ``unknown``."""
    suggested: str
    contrast: float | None
    z: float | None
    """max(area_z, spot_contribution(spot)): what ranks and suggests."""
    valid_share: float
    area_z: float | None = None
    """Robust z-score of the footprint-minus-ring contrast."""
    spot: float | None = None
    """Hottest whole cell inside minus the footprint mean, in changed-pixel thresholds (None:
    no whole cell inside above the changed-pixel threshold)."""
    strong: float | None = None
    """Share of the footprint's valid pixels strongly changed (see STRONG_FACTOR)."""


@dataclass(frozen=True)
class ScoreRun:
    scores: list[FootprintScore]
    center: float
    spread: float
    pixel_threshold: float
    bands: str
    normalisation: str
    warped: bool
    assumed_crs: bool

    def thresholds_text(self) -> str:
        """How ``suggested`` was derived, for the user (feedback and result key)."""
        grades = ", ".join(f"{code} from {share:.0%}" for code, share in SEVERITY_SHARES)
        return (
            f"area z = (contrast {_signed(-self.center)}) / {self.spread:.4g}: the robust z-score of the "
            f"footprint-minus-ring change against the unchanged footprints of the pair (median and "
            f"1.4826 × MAD of the {self.scored} scored footprints, footprints above z {CLIP_Z:g} left out "
            f"until stable, spread floor {MIN_SPREAD:g}); spot = (hottest {SPOT_CELL}×{SPOT_CELL}-pixel cell "
            f"minus footprint mean) / {self.pixel_threshold:.4g} (the changed-pixel threshold); "
            f"z = max(area z, {SPOT_SOFT_Z:g} × spot / {SPOT_MODERATE:g}, bent below {SPOT_CEILING_Z:g} above "
            f"{SPOT_SOFT_Z:g} so a spot alone suggests moderate at most); score = 1 − exp(−z / {SCORE_SCALE_Z:g}); "
            f"fixed thresholds: possible z ≥ {POSSIBLE_Z:g} (score ≥ {score_of(POSSIBLE_Z):.3f}), moderate or "
            f"worse z ≥ {MODERATE_Z:g} (score ≥ {score_of(MODERATE_Z):.3f}), graded by the share of the "
            f"footprint's pixels above {STRONG_FACTOR:g} × the changed-pixel threshold: {grades}, else "
            f"moderate; below z {POSSIBLE_Z:g}: intact, or possible with a share from "
            f"{SEVERITY_SHARES[0][1]:.0%}; fewer than {MIN_VALID_SHARE:.0%} valid pixels: unknown."
        )

    @property
    def scored(self) -> int:
        return sum(1 for s in self.scores if s.score is not None)

    def counts(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for item in self.scores:
            found[item.suggested] = found.get(item.suggested, 0) + 1
        return found


def score_of(z: float) -> float:
    return 1.0 - math.exp(-max(z, 0.0) / SCORE_SCALE_Z)


def spot_contribution(spot: np.ndarray) -> np.ndarray:
    """The spot as it enters the ranking, as a z: SPOT_SOFT_Z × spot / SPOT_MODERATE up to
    SPOT_SOFT_Z, then bent smoothly (slope kept at the joint) towards SPOT_CEILING_Z, so a
    stronger spot still ranks higher but stays below SPOT_CEILING_Z."""
    weighted = SPOT_SOFT_Z / SPOT_MODERATE * spot
    room = SPOT_CEILING_Z - SPOT_SOFT_Z
    with np.errstate(over="ignore"):
        bent = SPOT_CEILING_Z - room * np.exp(-(weighted - SPOT_SOFT_Z) / room)
    return np.where(weighted > SPOT_SOFT_Z, bent, weighted)


def _signed(value: float) -> str:
    return f"− {-value:.4g}" if value < 0 else f"+ {value:.4g}"


def suggest(z: float, strong: float, area_z: float | None = None) -> str:
    """The suggested status of a footprint with z-score ``z`` (``area_z`` of it from the
    footprint-minus-ring contrast; None: all of it) and strongly changed share ``strong``.
    A footprint above the moderate cut by its spot alone is moderate, whatever its share; one
    almost wholly changed (the destroyed share) is at least possible whatever its z, because the
    z-score's reference fails when few structures are scored or most of them changed."""
    if z < POSSIBLE_Z:
        return DAMAGE_SCALE[1] if strong >= SEVERITY_SHARES[0][1] else INTACT
    if z < MODERATE_Z:
        return DAMAGE_SCALE[1]
    if area_z is not None and area_z < MODERATE_Z:
        return DAMAGE_SCALE[2]
    for code, share in SEVERITY_SHARES:
        if strong >= share:
            return code
    return DAMAGE_SCALE[2]


class _Sums:
    """Per-footprint accumulators filled window by window."""

    def __init__(self, count: int):
        self.pixels = np.zeros(count + 1)
        self.valid = np.zeros(count + 1)
        self.magnitude = np.zeros(count + 1)
        self.changed = np.zeros(count + 1)
        self.strong = np.zeros(count + 1)
        self.peak = np.full(count + 1, -np.inf)
        """Highest mean magnitude of a whole SPOT_CELL cell inside the footprint, counting only
        cells above the changed-pixel threshold (-inf: none)."""
        self.ring_valid = np.zeros(count)
        self.ring_magnitude = np.zeros(count)


def _box_sums(integral: np.ndarray, c0, r0, c1, r1) -> np.ndarray:
    return integral[r1, c1] - integral[r0, c1] - integral[r1, c0] + integral[r0, c0]


def _integral(values: np.ndarray) -> np.ndarray:
    table = np.zeros((values.shape[0] + 1, values.shape[1] + 1))
    np.cumsum(values, axis=0, out=table[1:, 1:])
    np.cumsum(table[1:, 1:], axis=1, out=table[1:, 1:])
    return table


def score_changes(
    before_path: str,
    after_path: str,
    footprints: Sequence[bytes | None],
    footprints_crs: str,
    bands: list[int] | None = None,
    ring_m: float = DEFAULT_RING_M,
    feedback: Feedback | None = None,
) -> ScoreRun:
    """Score every footprint (WKB in ``footprints_crs``, WKT or authority id; empty = raster CRS)."""
    if ring_m <= 0:
        raise SiteWatchError(f"The ring width must be positive (got {ring_m} m).")
    if not footprints:
        raise SiteWatchError("There are no structures to score: draw or import structures first.")
    pair = RasterPair(before_path, after_path, bands)
    shapes = FootprintRaster(pair, footprints, footprints_crs)
    ring_cols, ring_rows = shapes.ring_pixels(ring_m)
    rings = shapes.boxes.grown(ring_cols, ring_rows)
    overlap = pair.after_region()
    inside = np.zeros(shapes.count, dtype=bool)
    if overlap is not None:
        inside[shapes.boxes.intersecting(*overlap)] = True
    if not inside.any():
        raise SiteWatchError(
            f"None of the {shapes.count} structures lies where BEFORE ({before_path}) and AFTER "
            f"({after_path}) overlap: check that the images cover the site."
        )
    region = _region(rings, inside, overlap)
    # Helper threads (numpy and GDAL release the GIL): one decodes the before image while the
    # pixel thread decodes the after image and computes the magnitude of the next window, one
    # rasterises the next window's footprints, and this thread adds up the current window.
    with (
        ThreadPoolExecutor(max_workers=1) as before_pool,
        ThreadPoolExecutor(max_workers=1) as pixel_pool,
        ThreadPoolExecutor(max_workers=1) as label_pool,
    ):
        normalisation = fit_normalisation(pair, region, before_pool)
        sums = _Sums(shapes.count)
        windows = [
            w for w in pair.windows(*region) if rings.intersecting(w.col, w.row, w.col + w.width, w.row + w.height).size
        ]

        def submit(window):
            return (
                pixel_pool.submit(_change, pair, normalisation, window, before_pool),
                label_pool.submit(shapes.labels, window),
            )

        pending = deque(submit(window) for window in windows[:PREFETCH])
        for done, window in enumerate(windows):
            pixels, labels = (future.result() for future in pending.popleft())
            if done + PREFETCH < len(windows):
                pending.append(submit(windows[done + PREFETCH]))
            if feedback is not None:
                if feedback.isCanceled():
                    for future in (f for futures in pending for f in futures):
                        future.cancel()
                    raise ChangeScoringCanceled("Change scoring was canceled.")
                feedback.setProgress(100.0 * done / len(windows))
            _accumulate(rings, normalisation, window, pixels, labels.ravel(), sums)
    scores, center, spread = _finish(sums, normalisation, shapes.on_image)
    return ScoreRun(
        scores,
        center,
        spread,
        normalisation.pixel_threshold,
        pair.plan.describe(),
        normalisation.describe(),
        pair.warped,
        shapes.assumed_crs,
    )


def _region(rings, inside: np.ndarray, overlap: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    """Pixel region holding the rings of the footprints in the overlap, clipped to the overlap."""
    col0 = max(overlap[0], math.floor(np.nanmin(rings.col0[inside])))
    row0 = max(overlap[1], math.floor(np.nanmin(rings.row0[inside])))
    col0, row0 = col0 - col0 % RING_CELL, row0 - row0 % RING_CELL  # cells on a fixed grid: the
    # spot and ring of one structure do not depend on where the others are
    col1 = min(overlap[2], math.ceil(np.nanmax(rings.col1[inside])))
    row1 = min(overlap[3], math.ceil(np.nanmax(rings.row1[inside])))
    return col0, row0, col1, row1


def _change(pair: RasterPair, normalisation, window, before_pool) -> tuple[np.ndarray, np.ndarray | None]:
    """Change magnitude of a window (0 where invalid) and its validity (None: all valid)."""
    before, after, valid = pair.read(window, before_pool)
    magnitude = normalisation.magnitude(before, after)
    if valid.all():
        return magnitude, None
    magnitude[~valid] = 0.0
    return magnitude, valid


def _accumulate(rings, normalisation, window, pixels, labels: np.ndarray, sums: _Sums) -> None:
    magnitude, valid = pixels
    occupied = labels != 0
    inside = np.flatnonzero(occupied)  # much faster on a bool array than on the labels
    if inside.size:
        ids = labels[inside]
        length = sums.pixels.size
        inside_magnitude = magnitude.ravel()[inside]
        changed = inside_magnitude > normalisation.pixel_threshold  # invalid pixels have magnitude 0
        pixel_counts = np.bincount(ids, minlength=length)
        sums.pixels += pixel_counts
        if valid is None:
            sums.valid += pixel_counts
        else:
            sums.valid += np.bincount(ids, weights=valid.ravel()[inside], minlength=length)
        sums.magnitude += np.bincount(ids, weights=inside_magnitude, minlength=length)
        sums.changed += np.bincount(ids, weights=changed, minlength=length)
        strong = inside_magnitude > STRONG_FACTOR * normalisation.pixel_threshold
        sums.strong += np.bincount(ids, weights=strong, minlength=length)
    occupied = occupied.reshape(magnitude.shape)
    free = ~occupied
    if valid is not None:
        free &= valid
    full = RING_CELL * RING_CELL
    free_cells = _cell_sums(free.view(np.uint8))
    magnitude_cells = _cell_sums(magnitude)
    if inside.size:
        # cells wholly in footprints and valid: with all pixels valid, those with no free pixel
        covered = (full - free_cells) if valid is None else _cell_sums((occupied & valid).view(np.uint8))
        _raise_peaks(
            labels.reshape(magnitude.shape), covered, magnitude_cells, normalisation.pixel_threshold, sums.peak
        )
    ring_cells = free_cells == full  # ring cells: no footprint pixel, every pixel valid
    ring_pixels = ring_cells * float(full)
    magnitude_cells *= ring_cells
    rows, cols = ring_cells.shape
    near = rings.intersecting(window.col, window.row, window.col + window.width, window.row + window.height)
    c0 = np.clip(np.floor((rings.col0[near] - window.col) / RING_CELL).astype(int), 0, cols)
    r0 = np.clip(np.floor((rings.row0[near] - window.row) / RING_CELL).astype(int), 0, rows)
    c1 = np.clip(np.ceil((rings.col1[near] - window.col) / RING_CELL).astype(int), 0, cols)
    r1 = np.clip(np.ceil((rings.row1[near] - window.row) / RING_CELL).astype(int), 0, rows)
    sums.ring_valid[near] += _box_sums(_integral(ring_pixels), c0, r0, c1, r1)
    sums.ring_magnitude[near] += _box_sums(_integral(magnitude_cells), c0, r0, c1, r1)


def _raise_peaks(
    labels: np.ndarray, covered: np.ndarray, magnitude_cells: np.ndarray, threshold: float, peak: np.ndarray
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


def _cell_sums(values: np.ndarray) -> np.ndarray:
    """Sums over RING_CELL × RING_CELL cells (the window padded with zeros to whole cells)."""
    height, width = values.shape
    pad_rows, pad_cols = -height % RING_CELL, -width % RING_CELL
    if pad_rows or pad_cols:
        values = np.pad(values, ((0, pad_rows), (0, pad_cols)))
    across = values[:, 0::RING_CELL].copy()  # uint8 counts (≤ 4) or float32 sums
    for offset in range(1, RING_CELL):
        across += values[:, offset::RING_CELL]
    cells = across[0::RING_CELL].astype(np.float64)
    for offset in range(1, RING_CELL):
        cells += across[offset::RING_CELL]
    return cells


def _null_model(contrast: np.ndarray) -> tuple[float, float]:
    """Centre and spread of the contrast of unchanged footprints: median and 1.4826 × MAD,
    recomputed without the footprints above CLIP_Z until stable (iterative sigma clipping),
    so that even when many structures changed they do not widen the reference."""
    kept = contrast
    center, spread = 0.0, MIN_SPREAD
    for _ in range(CLIP_ROUNDS):
        center = float(np.median(kept))
        spread = max(MIN_SPREAD, ROBUST_SIGMA * float(np.median(np.abs(kept - center))))
        remaining = contrast[(contrast - center) / spread < CLIP_Z]
        if remaining.size == kept.size or remaining.size < 3:
            break
        kept = remaining
    return center, spread


def _finish(sums: _Sums, normalisation, on_image: np.ndarray) -> tuple[list[FootprintScore], float, float]:
    """Scores in input order, and the centre and spread of the area statistic's null model.
    A footprint's valid share counts the share of its area off the before image as invalid
    (those pixels are never read), so one lying mostly outside is not scored on the rest."""
    reference = normalisation.median_magnitude
    pixels, valid = sums.pixels[1:], sums.valid[1:]
    with np.errstate(invalid="ignore", divide="ignore"):
        valid_share = np.where(pixels > 0, valid / pixels, 0.0) * on_image
        inside_mean = sums.magnitude[1:] / valid
        frac = sums.changed[1:] / valid
        strong = sums.strong[1:] / valid
        ring_mean = np.where(sums.ring_valid >= MIN_RING_PIXELS, sums.ring_magnitude / sums.ring_valid, reference)
    known = (pixels > 0) & (valid_share >= MIN_VALID_SHARE)
    contrast = inside_mean - ring_mean
    center, spread = _null_model(contrast[known]) if known.any() else (0.0, MIN_SPREAD)
    area_z = (contrast - center) / spread
    has_spot = known & np.isfinite(sums.peak[1:])
    with np.errstate(invalid="ignore"):
        spot = (sums.peak[1:] - inside_mean) / max(normalisation.pixel_threshold, 1e-12)
    z = np.where(has_spot, np.maximum(area_z, spot_contribution(spot)), area_z)
    order = [int(i) for i in np.flatnonzero(known)[np.argsort(-z[known], kind="stable")]]
    ranks = {index: rank for rank, index in enumerate(order, start=1)}
    scores = []
    for index in range(pixels.size):
        if not known[index]:
            scores.append(FootprintScore(None, None, None, UNKNOWN, None, None, float(valid_share[index])))
            continue
        zi = float(z[index])
        scores.append(
            FootprintScore(
                score_of(zi),
                float(frac[index]),
                ranks[index],
                suggest(zi, float(strong[index]), float(area_z[index])),
                float(contrast[index]),
                zi,
                float(valid_share[index]),
                float(area_z[index]),
                float(spot[index]) if has_spot[index] else None,
                float(strong[index]),
            )
        )
    return scores, center, spread
