"""Co-registration of the pair: the after image's offset on the before grid, by phase correlation.

Real passes are offset by one to a few pixels, and a misregistered pair turns every edge into
"change". Up to :data:`SAMPLE_WINDOWS` windows of :data:`WINDOW` pixels spread over the
structures' region are read (brightness of both images); in each, the phase correlation —
the inverse transform of the normalised cross-power spectrum, gently low-passed so its peak is
a Gaussian — peaks at the offset, refined below the pixel by a parabola through the logarithm
of the peak and its neighbours. The median over the windows whose peak stands out is the
pair's shift; :meth:`.raster_pair.RasterPair.realign` moves the after image back by it
(bilinear, on the fly). Offsets beyond :data:`MAX_SHIFT_PX` or windows that disagree are
reported as a warning, not corrected.
"""

from __future__ import annotations

import math
from concurrent.futures import Executor
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .raster_pair import RasterPair, Window

WINDOW = 512
SAMPLE_WINDOWS = 3
"""Windows per side of the region (up to 3 × 3)."""
MIN_PEAK_RATIO = 3.0
"""A window counts when its correlation peak is this many times the next highest value far
from it (a flat or wholly changed window gives no clear peak)."""
MAX_SHIFT_PX = 8.0
"""Larger estimated offsets are not corrected (too far for a phase correlation of these
windows to be trusted) but reported as a warning."""
MIN_CORRECTED_PX = 0.15
"""Smaller shifts are left alone: correcting them would cost a resampling for nothing."""
MAX_DISAGREEMENT_PX = 0.75
"""Windows whose median absolute deviation from the median shift exceeds this: no consensus."""
PEAK_SIGMA_PX = 1.0
"""Width of the Gaussian the correlation peak is smoothed to before the sub-pixel fit."""


@dataclass(frozen=True)
class Registration:
    east_px: float
    """Offset of the after image's content on the before grid: pixels east (negative: west)."""
    south_px: float
    windows: int
    """Windows with a clear correlation peak (of those read)."""
    read: int
    corrected: bool
    warning: str | None = None

    @property
    def magnitude(self) -> float:
        return math.hypot(self.east_px, self.south_px)

    def describe(self) -> str:
        """For the analyst: "after image shifted 1.3 px east, 0.4 px south (…); corrected"."""
        if not self.windows:
            return f"co-registration not estimated: no clear correlation peak in the {self.read} window(s) read"
        east = f"{abs(self.east_px):.1f} px {'east' if self.east_px >= 0 else 'west'}"
        south = f"{abs(self.south_px):.1f} px {'south' if self.south_px >= 0 else 'north'}"
        how = f"phase correlation on {self.windows} of {self.read} windows"
        if self.corrected:
            action = "corrected (after image moved back, bilinear)"
        elif self.warning:
            action = "NOT corrected: " + self.warning
        else:
            action = f"below {MIN_CORRECTED_PX:g} px, left as it is"
        return f"after image shifted {east}, {south} ({how}); {action}"


def _windows(region: tuple[int, int, int, int]) -> list[Window]:
    col0, row0, col1, row1 = region
    size_x, size_y = min(WINDOW, col1 - col0), min(WINDOW, row1 - row0)
    cols = np.unique(np.linspace(col0, col1 - size_x, SAMPLE_WINDOWS).astype(int))
    rows = np.unique(np.linspace(row0, row1 - size_y, SAMPLE_WINDOWS).astype(int))
    return [Window(int(c), int(r), size_x, size_y) for r in rows for c in cols]


def window_shift(before: NDArray[np.float64], after: NDArray[np.float64]) -> tuple[float, float, float]:
    """(east, south, peak ratio): where ``after``'s content lies relative to ``before``'s."""
    rows, cols = before.shape
    taper = np.outer(np.hanning(rows), np.hanning(cols))
    spectrum_b = np.fft.rfft2((before - before.mean()) * taper)
    spectrum_a = np.fft.rfft2((after - after.mean()) * taper)
    cross = spectrum_a * np.conj(spectrum_b)
    cross /= np.maximum(np.abs(cross), 1e-12)
    fy = np.fft.fftfreq(rows, 1.0)[:, None]
    fx = np.fft.rfftfreq(cols, 1.0)[None, :]
    cross *= np.exp(-2 * (math.pi * PEAK_SIGMA_PX) ** 2 * (fx * fx + fy * fy))
    surface = np.fft.irfft2(cross, s=(rows, cols))
    peak_row, peak_col = np.unravel_index(int(np.argmax(surface)), surface.shape)
    peak = float(surface[peak_row, peak_col])
    far = surface.copy()
    for dr in range(-3, 4):
        far[(peak_row + dr) % rows, (np.arange(peak_col - 3, peak_col + 4)) % cols] = -np.inf
    ratio = peak / max(float(far.max()), 1e-12)

    def refine(minus: float, centre: float, plus: float) -> float:
        values = np.log(np.maximum([minus, centre, plus], 1e-12))
        denominator = values[0] - 2 * values[1] + values[2]
        return float(0.5 * (values[0] - values[2]) / denominator) if denominator < 0 else 0.0

    d_row = refine(surface[(peak_row - 1) % rows, peak_col], peak, surface[(peak_row + 1) % rows, peak_col])
    d_col = refine(surface[peak_row, (peak_col - 1) % cols], peak, surface[peak_row, (peak_col + 1) % cols])
    south = (peak_row - rows if peak_row > rows // 2 else peak_row) + d_row
    east = (peak_col - cols if peak_col > cols // 2 else peak_col) + d_col
    return float(east), float(south), ratio


def estimate_shift(pair: RasterPair, region: tuple[int, int, int, int], pool: Executor | None = None) -> Registration:
    """The after image's offset on the before grid over ``region`` (not applied here)."""
    shifts = []
    windows = _windows(region)
    for window in windows:
        before, after, valid = pair.read(window, pool)
        if valid.mean() < 0.9:
            continue
        b = before.astype(np.float64).mean(axis=0)
        a = after.astype(np.float64).mean(axis=0)
        east, south, ratio = window_shift(b, a)
        if ratio >= MIN_PEAK_RATIO:
            shifts.append((east, south))
    if not shifts:
        return Registration(0.0, 0.0, 0, len(windows), False)
    found = np.array(shifts)
    east, south = (float(v) for v in np.median(found, axis=0))
    disagreement = float(np.median(np.hypot(found[:, 0] - east, found[:, 1] - south)))
    warning = None
    if math.hypot(east, south) > MAX_SHIFT_PX:
        warning = f"more than {MAX_SHIFT_PX:g} px: check the images' georeferencing"
    elif disagreement > MAX_DISAGREEMENT_PX:
        warning = f"the windows disagree by {disagreement:.1f} px (a warp, not a shift?)"
    corrected = warning is None and math.hypot(east, south) >= MIN_CORRECTED_PX
    return Registration(east, south, len(shifts), len(windows), corrected, warning)
