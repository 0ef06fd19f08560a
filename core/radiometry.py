"""Making two passes radiometrically comparable, and the per-pixel change magnitude.

The after image is mapped onto the before image's values band by band with a quantile
(histogram) match fitted on a subsample of the overlap; the difference of each band is then
divided by the before band's robust spread, so bands of any data type and range (uint8,
uint16, reflectance) weigh the same. The change magnitude of a pixel is the root mean square
of these normalised band differences.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .errors import SiteWatchError
from .raster_pair import RasterPair, Window

QUANTILES = np.concatenate(([0.1], np.linspace(1, 99, 50), [99.9]))
"""Percentiles matched between passes (piecewise-linear histogram matching)."""
SAMPLE_WINDOW = 256
SAMPLE_WINDOWS_PER_SIDE = 6
MIN_SAMPLE_PIXELS = 500
MAX_SAMPLE_PIXELS = 300_000
PIXEL_Z = 3.0
"""A pixel counts as changed when its magnitude exceeds median + PIXEL_Z × robust sigma of the
magnitudes over the sample (for ``chg_frac``)."""
LOOKUP_TYPES = (np.dtype(np.uint8), np.dtype(np.uint16), np.dtype(np.int16))
ROBUST_SIGMA = 1.4826
"""Median absolute deviation → standard deviation for normal data."""


@dataclass(frozen=True)
class Normalisation:
    after_quantiles: np.ndarray
    """Shape (bands, len(QUANTILES)): after values at each percentile."""
    before_quantiles: np.ndarray
    spread: np.ndarray
    """Robust spread (IQR / 1.349) of each before band: the unit of the band differences."""
    pixel_threshold: float
    median_magnitude: float
    sample_pixels: int
    _tables: dict = field(default_factory=dict, compare=False, repr=False)

    def matched(self, band: int, values: np.ndarray) -> np.ndarray:
        """After values of ``band`` on the before image's scale (float32).

        Small integer types go through a lookup table of every possible value (256 or 65,536
        entries), which is much faster than interpolating each pixel."""
        if values.dtype in LOOKUP_TYPES:
            info = np.iinfo(values.dtype)
            table = np.interp(np.arange(info.min, info.max + 1), self.after_quantiles[band],
                              self.before_quantiles[band]).astype(np.float32)
            index = values if info.min == 0 else values.astype(np.int32) - info.min
            return table[index]
        return np.interp(values, self.after_quantiles[band], self.before_quantiles[band]).astype(np.float32)

    def _byte_table(self, band: int) -> np.ndarray:
        """Squared normalised difference for every (before, after) pair of uint8 values."""
        if band not in self._tables:
            values = np.arange(256, dtype=np.float64)
            matched = np.interp(values, self.after_quantiles[band], self.before_quantiles[band])
            diff = (values[:, None] - matched[None, :]) / self.spread[band]
            self._tables[band] = (diff * diff).astype(np.float32).ravel()
        return self._tables[band]

    def magnitude(self, before: np.ndarray, after: np.ndarray) -> np.ndarray:
        """Per-pixel change magnitude (float32) of (bands, rows, cols) arrays."""
        total = np.zeros(before.shape[1:], dtype=np.float32)
        bytes_only = before.dtype == np.uint8 and after.dtype == np.uint8
        for band in range(before.shape[0]):
            if bytes_only:  # one lookup per pixel: the fast path of 8-bit imagery
                index = before[band].astype(np.uint16)
                index <<= 8
                index |= after[band]
                total += self._byte_table(band).take(index)
                continue
            diff = before[band].astype(np.float32) - self.matched(band, after[band])
            diff *= np.float32(1.0 / self.spread[band])
            total += diff * diff
        total *= np.float32(1.0 / before.shape[0])
        return np.sqrt(total, out=total)

    def describe(self) -> str:
        gains = [f"{g:.3g}" for g in self._gains()]
        return (f"histogram matching on {self.sample_pixels} sampled pixel pairs "
                f"(after→before scale per band ≈ {', '.join(gains)}); changed-pixel threshold "
                f"{self.pixel_threshold:.3g} (median {self.median_magnitude:.3g} + {PIXEL_Z:g} robust sigma)")

    def _gains(self) -> list[float]:
        low, high = np.searchsorted(QUANTILES, 25), np.searchsorted(QUANTILES, 75)
        gains = []
        for band in range(self.after_quantiles.shape[0]):
            span = self.after_quantiles[band, high] - self.after_quantiles[band, low]
            gains.append(float((self.before_quantiles[band, high] - self.before_quantiles[band, low]) / span)
                         if span else float("nan"))
        return gains


def sample_windows(region: tuple[int, int, int, int]) -> list[Window]:
    """Up to 6 × 6 windows of 256 pixels spread evenly over the pixel region."""
    col0, row0, col1, row1 = region
    size_x, size_y = min(SAMPLE_WINDOW, col1 - col0), min(SAMPLE_WINDOW, row1 - row0)
    cols = np.unique(np.linspace(col0, col1 - size_x, SAMPLE_WINDOWS_PER_SIDE).astype(int))
    rows = np.unique(np.linspace(row0, row1 - size_y, SAMPLE_WINDOWS_PER_SIDE).astype(int))
    return [Window(int(c), int(r), size_x, size_y) for r in rows for c in cols]


def fit_normalisation(pair: RasterPair, region: tuple[int, int, int, int]) -> Normalisation:
    """Fit the histogram match and the pixel threshold on a sample of ``region``."""
    befores, afters = [], []
    for window in sample_windows(region):
        before, after, valid = pair.read(window)
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
            "values and that both cover the structures.")
    before_q = np.percentile(before_values, QUANTILES, axis=1).T
    after_q = np.maximum.accumulate(np.percentile(after_values, QUANTILES, axis=1).T, axis=1)
    quartiles = np.percentile(before_values, [25, 75], axis=1)
    spread = (quartiles[1] - quartiles[0]) / 1.349
    value_range = before_q[:, -1] - before_q[:, 0]
    spread = np.maximum(spread, np.maximum(value_range * 0.01, 1e-6))
    partial = Normalisation(after_q, before_q, spread, 0.0, 0.0, count)
    magnitudes = partial.magnitude(before_values[:, None, :], after_values[:, None, :]).ravel()
    median = float(np.median(magnitudes))
    sigma = ROBUST_SIGMA * float(np.median(np.abs(magnitudes - median)))
    threshold = median + PIXEL_Z * max(sigma, 1e-6)
    return Normalisation(after_q, before_q, spread, threshold, median, count)
