"""Change scoring: how much each structure changed between a before and an after image.

Method (docs/change_score.md has the full text):

1. the after image is read on the before grid window by window (:mod:`.raster_pair`) and
   matched to the before image's values (:mod:`.radiometry`); each pixel gets a change
   magnitude in units of the before image's robust spread;
2. per footprint: the mean magnitude inside (pixel centres inside), the share of inside
   pixels above the changed-pixel threshold (``chg_frac``), and the mean magnitude of its
   ring — the cells of RING_CELL × RING_CELL pixels within ``ring_m`` of the footprint's
   bounding box (rounded outward to whole cells) that hold no footprint pixel and no invalid one;
3. contrast = inside mean − ring mean, in units of AREA_UNIT × the changed-pixel threshold
   (the *area* z): the reference of "no change" is learnt from a sample of the whole overlap,
   mostly the ground between the structures, never from the other footprints, so the
   suggestions do not drift with the share of structures that were hit;
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

This module runs the windows; :mod:`.change_sums` adds up each window and
:mod:`.change_grading` turns the sums into scores. Their public names are re-exported here.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from ..errors import SiteWatchError
from .change_grading import (
    AREA_UNIT,
    INTACT,
    MIN_REFERENCE,
    MIN_RING_PIXELS,
    MIN_SPREAD,
    MIN_VALID_SHARE,
    MODERATE_Z,
    POSSIBLE_Z,
    SCORE_SCALE_Z,
    SEVERITY_SHARES,
    SPOT_CEILING_Z,
    SPOT_MODERATE,
    SPOT_SOFT_Z,
    UNKNOWN,
    FootprintScore,
    ScoreRun,
    grade,
    score_of,
    spot_contribution,
    suggest,
)
from .change_sums import (
    RING_CELL,
    SPOT_CELL,
    STRONG_FACTOR,
    FootprintSums,
    Labels,
    WindowChange,
    accumulate,
    window_change,
)
from .footprint_raster import FootprintRaster, PixelBoxes, covered_by
from .radiometry import fit_normalisation
from .raster_pair import RasterPair, Window
from .registration import estimate_shift
from .texture import fit_structure_scale

__all__ = [
    "AREA_UNIT",
    "DEFAULT_RING_M",
    "INTACT",
    "MIN_REFERENCE",
    "MIN_RING_PIXELS",
    "MIN_SPREAD",
    "MIN_VALID_SHARE",
    "MODERATE_Z",
    "POSSIBLE_Z",
    "PREFETCH",
    "RING_CELL",
    "SCORE_SCALE_Z",
    "SEVERITY_SHARES",
    "SPOT_CEILING_Z",
    "SPOT_CELL",
    "SPOT_MODERATE",
    "SPOT_SOFT_Z",
    "STRONG_FACTOR",
    "UNKNOWN",
    "ChangeScoringCanceled",
    "Feedback",
    "FootprintScore",
    "ScoreRun",
    "score_changes",
    "score_of",
    "spot_contribution",
    "suggest",
]

DEFAULT_RING_M = 10.0
PREFETCH = 2
"""Windows prepared ahead: the pixel and label threads may run up to two windows ahead of the
thread adding up, so a slow window does not stall the others."""


class Feedback(Protocol):
    """Progress and cancel, as ``QgsFeedback`` / ``QgsProcessingFeedback`` provide them."""

    def isCanceled(self) -> bool: ...

    def setProgress(self, progress: float) -> None: ...


class ChangeScoringCanceled(SiteWatchError):
    """The user canceled the run; nothing was written."""


def score_changes(
    before_path: str,
    after_path: str,
    footprints: Sequence[bytes | None],
    footprints_crs: str,
    bands: list[int] | None = None,
    ring_m: float = DEFAULT_RING_M,
    feedback: Feedback | None = None,
    obscured: Sequence[bytes] = (),
) -> ScoreRun:
    """Score every footprint (WKB in ``footprints_crs``, WKT or authority id; empty = raster CRS).
    Footprints touching an ``obscured`` area (WKB polygons in ``footprints_crs``, drawn by the
    analyst where clouds or haze hide the after image) are ``unknown``."""
    if ring_m <= 0:
        raise SiteWatchError(f"The ring width must be positive (got {ring_m} m).")
    if not footprints:
        raise SiteWatchError("There are no structures to score: draw or import structures first.")
    pair = RasterPair(before_path, after_path, bands)
    shapes = FootprintRaster(pair, footprints, footprints_crs)
    ring_cols, ring_rows = shapes.ring_pixels(ring_m)
    rings = shapes.boxes.grown(ring_cols, ring_rows).indexed(pair.block, pair.height)
    overlap = pair.after_region()
    inside = np.zeros(shapes.count, dtype=bool)
    if overlap is not None:
        inside[shapes.boxes.intersecting(*overlap)] = True
    if overlap is None or not inside.any():  # no overlap: no structure inside it either
        raise SiteWatchError(
            f"None of the {shapes.count} structures lies where BEFORE ({before_path}) and AFTER "
            f"({after_path}) overlap: check that the images cover the site."
        )
    region = _region(rings, inside, overlap)
    # Helper threads (numpy and GDAL release the GIL): one decodes the before image while the
    # pixel thread decodes the after image and computes the magnitude of the next window, one
    # rasterises the next window's footprints, and this thread adds up the current window's
    # rings while the last one adds up its footprints (no stage then holds the others up).
    with (
        ThreadPoolExecutor(max_workers=1) as before_pool,
        ThreadPoolExecutor(max_workers=1) as pixel_pool,
        ThreadPoolExecutor(max_workers=1) as label_pool,
        ThreadPoolExecutor(max_workers=1) as sums_pool,
    ):
        registration = estimate_shift(pair, region, before_pool)
        if registration.corrected:
            pair.realign(registration.east_px, registration.south_px)
        normalisation = fit_normalisation(pair, region, before_pool)
        scale = fit_structure_scale(pair, region, normalisation, before_pool)
        sums = FootprintSums(shapes.count)
        windows = [
            w for w in pair.windows(*region) if rings.intersecting(w.col, w.row, w.col + w.width, w.row + w.height).size
        ]

        def submit(window: Window) -> tuple[Future[WindowChange], Future[tuple[Labels, NDArray[np.intp]]]]:
            return (
                pixel_pool.submit(window_change, pair, normalisation, window, before_pool),
                label_pool.submit(shapes.labels, window),
            )

        pending = deque(submit(window) for window in windows[:PREFETCH])
        for done, window in enumerate(windows):
            pixel_future, label_future = pending.popleft()
            pixels, (labels, owners) = pixel_future.result(), label_future.result()
            if done + PREFETCH < len(windows):
                pending.append(submit(windows[done + PREFETCH]))
            if feedback is not None:
                if feedback.isCanceled():
                    for futures in pending:
                        for future in futures:
                            future.cancel()
                    raise ChangeScoringCanceled("Change scoring was canceled.")
                feedback.setProgress(100.0 * done / len(windows))
            accumulate(rings, normalisation, window, pixels, labels.ravel(), owners, sums, scale, sums_pool)
    scores, center, spread, lit, shadow = grade(sums, normalisation, shapes.on_image, covered_by(footprints, obscured))
    return ScoreRun(
        scores,
        center,
        spread,
        normalisation.pixel_threshold,
        pair.plan.describe(),
        normalisation.describe(),
        pair.warped,
        shapes.assumed_crs,
        registration,
        scale.describe(),
        lit,
        shadow,
    )


def _region(
    rings: PixelBoxes, inside: NDArray[np.bool_], overlap: tuple[int, int, int, int]
) -> tuple[int, int, int, int]:
    """Pixel region holding the rings of the footprints in the overlap, clipped to the overlap."""
    col0 = max(overlap[0], math.floor(np.nanmin(rings.col0[inside])))
    row0 = max(overlap[1], math.floor(np.nanmin(rings.row0[inside])))
    col0, row0 = col0 - col0 % RING_CELL, row0 - row0 % RING_CELL  # cells on a fixed grid: the
    # spot and ring of one structure do not depend on where the others are
    col1 = min(overlap[2], math.ceil(np.nanmax(rings.col1[inside])))
    row1 = min(overlap[3], math.ceil(np.nanmax(rings.row1[inside])))
    return col0, row0, col1, row1
