"""Making two passes radiometrically comparable, and the per-pixel change magnitude.

Each after band is mapped onto the before band's values by a gain and an offset: the
least-squares line through the paired percentiles 2, 4, …, 98 of the two images on a sample
of the overlap (a quantile–quantile fit, so the few changed pixels barely move it and any data
type or range — uint8, uint16, reflectance — is handled). Each band difference is then divided
by the before band's robust spread (IQR / 1.349) so all bands weigh the same; the change
magnitude of a pixel is the root mean square of these normalised band differences.
"""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..errors import SiteWatchError
from .raster_pair import BandValues, RasterPair, Window

QUANTILES = np.linspace(2, 98, 49)
"""Percentiles paired between the passes for the gain/offset fit."""
SAMPLE_WINDOW = 256
SAMPLE_WINDOWS_PER_SIDE = 6
MIN_SAMPLE_PIXELS = 500
MAX_SAMPLE_PIXELS = 100_000
PIXEL_Z = 3.0
"""A pixel counts as changed when its magnitude exceeds median + PIXEL_Z × robust sigma of the
magnitudes over the sample (for ``chg_frac``)."""
REFIT_ROUNDS = 3
REFIT_CUT = 2.5
"""Paired pixels further than this many robust sigmas from the line are left out of the refit."""
ROBUST_SIGMA = 1.4826
"""Median absolute deviation → standard deviation for normal data."""


@dataclass(frozen=True)
class Normalisation:
    gain: NDArray[np.float64]
    """Per band: before ≈ gain × after + offset."""
    offset: NDArray[np.float64]
    spread: NDArray[np.float64]
    """Robust spread (IQR / 1.349) of each before band: the unit of the band differences."""
    pixel_threshold: float
    median_magnitude: float
    sample_pixels: int

    def magnitude(self, before: BandValues, after: BandValues) -> NDArray[np.float32]:
        """Per-pixel change magnitude (float32) of (bands, rows, cols) arrays of any numeric type."""
        total = np.empty(before.shape[1:], dtype=np.float32)
        diff = np.empty(before.shape[1:], dtype=np.float32)
        for band in range(before.shape[0]):
            # in before units: diff = gain·after + offset − before; weight = 1 / (spread² · bands)
            np.multiply(after[band], np.float32(self.gain[band]), out=diff, casting="unsafe")
            diff += np.float32(self.offset[band])
            diff -= before[band]
            diff *= diff
            weight = np.float32(1.0 / (self.spread[band] ** 2 * before.shape[0]))
            if band == 0:
                np.multiply(diff, weight, out=total)
            else:
                diff *= weight
                total += diff
        return np.sqrt(total, out=total)

    def describe(self) -> str:
        bands = ", ".join(f"{g:.3g}·after{o:+.3g}" for g, o in zip(self.gain, self.offset))
        return (
            f"gain/offset per band fitted on {self.sample_pixels} sampled pixel pairs (before ≈ {bands}); "
            f"changed-pixel threshold {self.pixel_threshold:.3g} (median {self.median_magnitude:.3g} + "
            f"{PIXEL_Z:g} robust sigma)"
        )


def sample_windows(region: tuple[int, int, int, int]) -> list[Window]:
    """Up to 6 × 6 windows of 256 pixels spread evenly over the pixel region, snapped to
    multiples of 256 where the region allows (so each reads as few image blocks as possible)."""
    col0, row0, col1, row1 = region
    size_x, size_y = min(SAMPLE_WINDOW, col1 - col0), min(SAMPLE_WINDOW, row1 - row0)

    def starts(low: int, high: int) -> NDArray[np.int_]:
        spread = np.linspace(low, high, SAMPLE_WINDOWS_PER_SIDE).astype(int)
        snapped: NDArray[np.int_] = np.unique(np.maximum(spread - spread % SAMPLE_WINDOW, low))
        return snapped

    return [
        Window(int(c), int(r), size_x, size_y) for r in starts(row0, row1 - size_y) for c in starts(col0, col1 - size_x)
    ]


def _paired_refit(
    before: NDArray[np.generic], after: NDArray[np.generic], gain: float, offset: float
) -> tuple[float, float]:
    """Refine a band's gain/offset on the sampled pixel *pairs* (the pixels are co-registered),
    leaving out those far from the current line, REFIT_ROUNDS times.

    The quantile–quantile fit pairs distributions, not pixels: when the after pass holds more
    dark pixels (longer shadows, a new sun) or the roofs' values sit at one end of the range
    (dark roofs), its line tilts and every unchanged roof of that brightness seems changed. The
    pixels that did not change lie on one line; changed ones (shadows, damage, ground in another
    season) are the outliers left out here."""
    x, y = after.astype(np.float64), before.astype(np.float64)
    for _ in range(REFIT_ROUNDS):
        residual = y - (gain * x + offset)
        centre = float(np.median(residual))
        sigma = ROBUST_SIGMA * float(np.median(np.abs(residual - centre)))
        keep = np.abs(residual - centre) <= REFIT_CUT * max(sigma, 1e-6)
        if keep.sum() < MIN_SAMPLE_PIXELS or np.ptp(x[keep]) == 0 or np.ptp(y[keep]) == 0:
            break
        kept_x, kept_y = x[keep], y[keep]
        # reduced major axis (σ_before / σ_after), not least squares: both passes carry noise,
        # and regressing one on the other would flatten the line towards the noise's mean
        gain = float(np.std(kept_y) / np.std(kept_x))
        offset = float(np.mean(kept_y) - gain * np.mean(kept_x))
    return gain, offset


def fit_normalisation(
    pair: RasterPair, region: tuple[int, int, int, int], pool: Executor | None = None
) -> Normalisation:
    """Fit the gain/offset per band and the pixel threshold on a sample of ``region`` (with a
    ``pool``, the before image is read on it, see :meth:`RasterPair.read`)."""
    befores, afters = [], []
    for window in sample_windows(region):
        before, after, valid = pair.read(window, pool)
        befores.append(before[:, valid])
        afters.append(after[:, valid])
    before_values, after_values = np.concatenate(befores, axis=1), np.concatenate(afters, axis=1)
    count = before_values.shape[1]
    if count > MAX_SAMPLE_PIXELS:  # a regular subsample keeps the percentiles cheap
        step = count // MAX_SAMPLE_PIXELS + 1
        before_values, after_values = before_values[:, ::step], after_values[:, ::step]
    if count < MIN_SAMPLE_PIXELS:
        raise SiteWatchError(
            f"BEFORE ({pair.before_path}) and AFTER ({pair.after_path}) have almost no pixel with data "
            f"in common where the structures are ({count} sampled pixels): check the images' nodata "
            "values and that both cover the structures."
        )
    before_q = np.percentile(before_values, QUANTILES, axis=1)
    after_q = np.percentile(after_values, QUANTILES, axis=1)
    gain, offset = np.ones(before_q.shape[1]), np.zeros(before_q.shape[1])
    for band in range(before_q.shape[1]):
        if np.ptp(after_q[:, band]) > 0:
            gain[band], offset[band] = np.polyfit(after_q[:, band], before_q[:, band], 1)
            gain[band], offset[band] = _paired_refit(
                before_values[band], after_values[band], float(gain[band]), float(offset[band])
            )
        else:  # a constant after band: only its level can be matched
            offset[band] = before_q[:, band].mean() - after_q[0, band]
    quartiles = np.percentile(before_values, [25, 75], axis=1)
    spread = (quartiles[1] - quartiles[0]) / 1.349
    value_range = before_q[-1] - before_q[0]
    spread = np.maximum(spread, np.maximum(value_range * 0.01, 1e-6))
    used = before_values.shape[1]  # after the subsample: what the fit really saw
    partial = Normalisation(gain, offset, spread, 0.0, 0.0, used)
    magnitudes = partial.magnitude(before_values[:, None, :], after_values[:, None, :]).ravel()
    median = float(np.median(magnitudes))
    sigma = ROBUST_SIGMA * float(np.median(np.abs(magnitudes - median)))
    threshold = median + PIXEL_Z * max(sigma, 1e-6)
    return Normalisation(gain, offset, spread, threshold, median, used)
