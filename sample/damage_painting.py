"""Paint the strike's damage on the after image: rubble, scorching, roof holes and craters."""

from __future__ import annotations

import numpy as np

from .canvas import PaintContext, blend, hillshade, outside_distance, rect_coverage, value_noise


def _rubble(ctx: PaintContext, rng, shape, metal: bool):
    """Colour of a rubble field: grey concrete debris, with bright metal sheets when ``metal``."""
    base = 0.5 + 0.3 * value_noise(rng, *shape, ctx.mpx(1.6))
    n = np.clip(base + 0.25 * (rng.random(shape, dtype=np.float32) - 0.5), 0, 1)
    dark = np.array([70, 66, 62], np.float32)[:, None, None]
    grey = np.array([162, 154, 144], np.float32)[:, None, None]
    colour = dark + (grey - dark) * n[None]
    if metal:
        bright = rng.random(shape) > 0.94
        colour = np.where(bright[None], np.array([214, 214, 212], np.float32)[:, None, None], colour)
    return colour


def _scorch(img, sl, field):
    """Blacken the window where fire scorched it (``field`` 0..1)."""
    black = np.array([32, 30, 29], np.float32)
    blend(img, sl, black, np.clip(field, 0, 0.92).astype(np.float32))


def paint_destroyed(ctx: PaintContext, img, sl, X, Y, U, V, st, rng, sun):
    """A destroyed structure: rubble spilling past its footprint, scorching and its craters."""
    k, px = ctx.k, ctx.px
    shape = X.shape
    d_out = outside_distance(U, V, st.length, st.width)
    blotch = value_noise(rng, *shape, ctx.mpx(3))
    spread = np.clip(1.5 * k + 1.2 * k * blotch, 0, None)
    debris = np.clip((spread - d_out) / px + 0.5, 0, 1)
    debris = np.maximum(debris, rect_coverage(U, V, st.length, st.width, px))
    blend(img, sl, _rubble(ctx, rng, shape, st.type in ("warehouse", "hangar")), debris)
    scorch = 0.8 * np.exp(-d_out / (4.5 * k)) * np.clip(0.55 + 0.5 * blotch, 0, 1)
    _scorch(img, sl, scorch)
    for x, y, r in st.details.get("craters", []):
        paint_crater(ctx, img, x, y, r, sun, rng, 0.5)


def paint_severe(ctx: PaintContext, img, sl, X, Y, U, V, st, rng):
    """A severely damaged structure: one end collapsed into rubble, scorched, with a hole."""
    k, px = ctx.k, ctx.px
    shape = X.shape
    side, fraction = st.details["side"], st.details["fraction"]
    cut = st.length / 2 - fraction * st.length
    blotch = value_noise(rng, *shape, ctx.mpx(2.5))
    edge = cut + 1.5 * k * blotch
    part = np.clip((U * side - edge) / px + 0.5, 0, 1) * rect_coverage(U, V, st.length, st.width, px)
    blend(img, sl, _rubble(ctx, rng, shape, st.type in ("warehouse", "hangar")) * 0.8, part)
    cu = side * (st.length / 2 - fraction * st.length / 2)
    d = np.hypot(U - cu, V) / (fraction * st.length / 2 + 4 * k)
    scorch = 0.7 * np.exp(-d * d * 1.5) * np.clip(0.5 + 0.5 * blotch, 0, 1)
    _scorch(img, sl, scorch)
    for x, y, r in st.details["holes"]:
        paint_hole(ctx, img, sl, X, Y, x, y, r, rng, 0.5)


def paint_hole(ctx: PaintContext, img, sl, X, Y, x, y, r, rng, scorch):
    """A hole of radius ``r`` through a roof, with a scorched halo of strength ``scorch``."""
    d = np.hypot(X - x, Y - y)
    blotch = value_noise(rng, *X.shape, ctx.mpx(1.5))
    halo = scorch * np.exp(-np.maximum(d - r, 0) / (1.2 * r)) * np.clip(0.6 + 0.5 * blotch, 0, 1)
    _scorch(img, sl, halo)
    hole = np.clip((r - d) / ctx.px + 0.5, 0, 1).astype(np.float32)
    blend(img, sl, (26, 25, 24), hole)


def paint_crater(ctx: PaintContext, img, x, y, r, sun, rng, scorch):
    """An impact crater of radius ``r``: shaded bowl, ejecta ring and scorching."""
    got = ctx.canvas.around(x, y, r * 3.2)
    if got is None:
        return
    sl, X, Y = got
    d = np.hypot(X - x, Y - y) / r
    h = np.where(d < 1, -0.5 * r * (1 - d * d), 0) + 0.12 * r * np.exp(-(((d - 1) / 0.35) ** 2))
    shade = hillshade(h.astype(np.float32), ctx.px, sun, 0.8)
    blotch = value_noise(rng, *X.shape, max(ctx.mpx(r / 3), 1.5))
    ejecta = np.clip((2.4 + 0.6 * blotch - d) / 1.4, 0, 1) * (d >= 0.9) * 0.45
    blend(img, sl, (176, 170, 160), ejecta.astype(np.float32))
    inner = np.clip((1 - d) * r / ctx.px + 0.5, 0, 1).astype(np.float32)
    blend(img, sl, np.array([118, 108, 96], np.float32) * 1.0, inner * 0.8)
    _scorch(img, sl, scorch * np.exp(-d * d / 3) * np.clip(0.6 + 0.4 * blotch, 0, 1))
    img[:, sl[0], sl[1]] *= shade[None]
