"""One palette of at most 256 colours for every frame of a GIF (so colours do not flicker from
frame to frame), and each frame's pixels as indices into it.

Reserved colours (the status colours, the label's) come first and are kept exact; the rest of
the palette is the most common colours of the frames at 5 bits per channel (the popularity
method of Heckbert 1982), each the mean of its pixels; every other pixel takes its nearest
palette colour."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

SIZE = 256
_BINS = 1 << 15


def _packed(rgb: NDArray[np.uint8]) -> NDArray[np.int64]:
    values = rgb.reshape(-1, 3).astype(np.int64)
    return (values[:, 0] << 16) | (values[:, 1] << 8) | values[:, 2]


def _bins(rgb: NDArray[np.uint8]) -> NDArray[np.int64]:
    values = rgb.reshape(-1, 3).astype(np.int64) >> 3
    return (values[:, 0] << 10) | (values[:, 1] << 5) | values[:, 2]


def build_palette(frames: Sequence[NDArray[np.uint8]], reserved: Sequence[tuple[int, int, int]]) -> NDArray[np.uint8]:
    """The palette (n × 3, n ≤ 256) of ``frames`` (each height × width × 3): ``reserved`` first."""
    fixed = list(dict.fromkeys(reserved))[:SIZE]
    counts = np.zeros(_BINS, dtype=np.int64)
    sums = np.zeros((_BINS, 3), dtype=np.float64)
    for frame in frames:
        bins = _bins(frame)
        counts += np.bincount(bins, minlength=_BINS)
        pixels = frame.reshape(-1, 3)
        for channel in range(3):
            sums[:, channel] += np.bincount(bins, weights=pixels[:, channel], minlength=_BINS)
    free = SIZE - len(fixed)
    used = np.flatnonzero(counts)
    popular = used[np.argsort(-counts[used], kind="stable")][:free]
    means = np.rint(sums[popular] / counts[popular, None]).astype(np.uint8)
    return np.concatenate([np.array(fixed, dtype=np.uint8).reshape(-1, 3), means])


def index_frame(frame: NDArray[np.uint8], palette: NDArray[np.uint8], reserved: int) -> NDArray[np.uint8]:
    """``frame`` (height × width × 3) as indices of ``palette``: a pixel of one of the first
    ``reserved`` colours takes it exactly, any other its nearest colour (by 5-bit bin)."""
    height, width = frame.shape[:2]
    bins = _bins(frame)
    present = np.unique(bins)
    centres = np.stack([(present >> 10) & 31, (present >> 5) & 31, present & 31], axis=1) * 8 + 4
    colours = palette.astype(np.int64)
    nearest = np.empty(len(present), dtype=np.uint8)
    for start in range(0, len(present), 4096):  # bounded memory: 4096 bins × 256 colours at a time
        chunk = centres[start : start + 4096]
        distances = ((chunk[:, None, :] - colours[None, :, :]) ** 2).sum(axis=2)
        nearest[start : start + 4096] = distances.argmin(axis=1)
    lookup = np.zeros(_BINS, dtype=np.uint8)
    lookup[present] = nearest
    indices = lookup[bins]
    packed = _packed(frame)
    for number, colour in enumerate(_packed(palette[:reserved])):
        indices[packed == colour] = number
    return indices.reshape(height, width)
