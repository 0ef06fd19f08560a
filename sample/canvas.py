"""Pixel geometry and drawing primitives shared by every painting step.

:class:`Canvas` maps local metres (origin at the site centre, y north) to pixel windows;
:class:`PaintContext` carries what each painting step needs. The helpers work on whole
windows with numpy: value noise, rotation into a shape's own axes, anti-aliased rectangle
coverage, hill shading and alpha blending.
"""

from __future__ import annotations

import math

import numpy as np

from .layout_model import Layout
from .variants import PIXEL, Variant


def _upsample(small: np.ndarray, height: int, width: int) -> np.ndarray:
    """Smooth (smoothstep-weighted bilinear) enlargement of a small grid."""
    h, w = small.shape
    ys = (np.arange(height, dtype=np.float32) + 0.5) * ((h - 1.001) / height)
    xs = (np.arange(width, dtype=np.float32) + 0.5) * ((w - 1.001) / width)
    y0 = ys.astype(np.int64)
    x0 = xs.astype(np.int64)
    fy = ys - y0
    fx = xs - x0
    fy = (fy * fy * (3 - 2 * fy))[:, None]
    fx = (fx * fx * (3 - 2 * fx))[None, :]
    rows = small[y0] * (1 - fy) + small[y0 + 1] * fy
    return (rows[:, x0] * (1 - fx) + rows[:, x0 + 1] * fx).astype(np.float32)


def value_noise(rng: np.random.Generator, height: int, width: int, cell_px: float) -> np.ndarray:
    """Value noise with about unit standard deviation and features of ``cell_px`` pixels."""
    cell_px = max(cell_px, 1.5)
    small = rng.standard_normal((int(height / cell_px) + 3, int(width / cell_px) + 3)).astype(np.float32)
    return _upsample(small, height, width) * np.float32(1.6)


class Canvas:
    """Pixel geometry of one raster: local metres (origin at the centre, y north) ↔ pixels."""

    def __init__(self, size: int, pixel: float = PIXEL):
        self.size = size
        self.pixel = pixel
        self.half = size * pixel / 2

    def window(self, xmin: float, xmax: float, ymin: float, ymax: float):
        p, half, n = self.pixel, self.half, self.size
        c0 = max(0, int(math.floor((xmin + half) / p)))
        c1 = min(n, int(math.ceil((xmax + half) / p)))
        r0 = max(0, int(math.floor((half - ymax) / p)))
        r1 = min(n, int(math.ceil((half - ymin) / p)))
        if c1 <= c0 or r1 <= r0:
            return None
        xs = ((np.arange(c0, c1) + 0.5) * p - half).astype(np.float32)
        ys = (half - (np.arange(r0, r1) + 0.5) * p).astype(np.float32)
        X, Y = np.meshgrid(xs, ys)
        return (slice(r0, r1), slice(c0, c1)), X, Y

    def around(self, x: float, y: float, radius: float):
        return self.window(x - radius, x + radius, y - radius, y + radius)


def to_local(X, Y, x, y, angle):
    """Pixel centres (X, Y) in the axes (u, v) of a shape centred on (x, y) and turned by ``angle``."""
    c, s = math.cos(angle), math.sin(angle)
    dx, dy = X - x, Y - y
    return dx * c + dy * s, -dx * s + dy * c


def rect_coverage(U, V, length, width, pixel):
    """Anti-aliased coverage (0..1) of a ``length`` × ``width`` rectangle centred in its own axes."""
    return np.clip((length / 2 - np.abs(U)) / pixel + 0.5, 0, 1) * np.clip((width / 2 - np.abs(V)) / pixel + 0.5, 0, 1)


def outside_distance(U, V, length, width):
    """Distance from a ``length`` × ``width`` rectangle (0 inside it), in its own axes."""
    return np.hypot(np.maximum(np.abs(U) - length / 2, 0), np.maximum(np.abs(V) - width / 2, 0))


def _sun_vector(sun):
    az, el = math.radians(sun[0]), math.radians(sun[1])
    return math.sin(az) * math.cos(el), math.cos(az) * math.cos(el), math.sin(el)


def hillshade(height, pixel, sun, strength=0.7):
    """Relative illumination of a height field (1 on flat ground)."""
    if height.shape[0] < 2 or height.shape[1] < 2:
        return np.ones_like(height)
    d_row, d_col = np.gradient(height, pixel)
    gx, gy = d_col, -d_row
    sx, sy, sz = _sun_vector(sun)
    lit = (-gx * sx - gy * sy + sz) / np.sqrt(1 + gx * gx + gy * gy)
    return np.clip(1 + strength * (lit / sz - 1), 0.3, 1.55).astype(np.float32)


def blend(img, sl, colour, alpha):
    """img[window] = img·(1−α) + colour·α (colour (3,) or (3,h,w))."""
    if np.ndim(colour) == 1:
        colour = np.asarray(colour, dtype=np.float32)[:, None, None]
    win = img[:, sl[0], sl[1]]
    win += (colour - win) * alpha[None]


class PaintContext:
    """One site being painted: its variant, its scaled layout and its pixel grid."""

    def __init__(self, variant: Variant, layout: Layout, size: int, scale: float):
        self.v = variant
        self.layout = layout
        self.size = size
        self.k = scale
        self.canvas = Canvas(size)
        self.px = PIXEL
        self.green = variant.name == "green"

    def rng(self, *key: int) -> np.random.Generator:
        return np.random.default_rng([self.v.seed, *key])

    def mpx(self, metres: float) -> float:
        """A design length in metres as pixels of this site."""
        return metres * self.k / self.px
