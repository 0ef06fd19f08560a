"""Paint the ground shared by the before and after images.

Sand dunes (desert) or field patchwork (green), then wadis or canals, the graded ground of the
compounds, the dirt roads with their tyre tracks, and the perimeter fences.
"""

from __future__ import annotations

import math

import numpy as np

from .canvas import Canvas, PaintContext, blend, rect_coverage, to_local, value_noise


def paint_ground(ctx: PaintContext) -> np.ndarray:
    """The ground of the site as float RGB (3, size, size), before any terrain, structure or shadow."""
    n = ctx.size
    rng = ctx.rng(2)
    xs = ((np.arange(n) + 0.5) * ctx.px - ctx.canvas.half).astype(np.float32)
    ys = (ctx.canvas.half - (np.arange(n) + 0.5) * ctx.px).astype(np.float32)
    large = 0.75 * value_noise(rng, n, n, ctx.mpx(320))
    large += 0.5 * value_noise(rng, n, n, ctx.mpx(110))
    mid = value_noise(rng, n, n, ctx.mpx(22))
    fine = value_noise(rng, n, n, max(ctx.mpx(2.5), 2.0))
    grain = rng.random((n, n), dtype=np.float32)
    if ctx.green:
        img = _fields(ctx, rng, xs, ys, large, mid, fine, grain)
    else:
        img = _sand(ctx, rng, xs, ys, large, mid, fine, grain)
    del large

    # Wadis / canals.
    wadi = np.zeros((n, n), dtype=np.float32)
    for pts, widths in ctx.layout.wadis:
        _polyline_field(ctx.canvas, wadi, pts, widths, max(4.0 * ctx.k, ctx.px), "alpha")
    wadi *= np.clip(0.85 + 0.25 * mid, 0, 1)
    colour = np.array([62, 84, 70], np.float32) if ctx.green else np.array([158, 146, 128], np.float32)
    wcol = colour[:, None, None] * (1 + 0.05 * fine + 0.04 * (grain - 0.5))[None]
    img += (wcol - img) * (0.85 * wadi)[None]
    bush = (grain > 0.993) & (wadi > 0.4)
    img[:, bush] = img[:, bush] * 0.55
    del wadi, wcol, bush

    # Compound interiors: graded ground.
    for comp in ctx.layout.compounds:
        got = ctx.canvas.around(comp.x, comp.y, math.hypot(comp.w, comp.h) / 2 + 12 * ctx.k)
        if got is None:
            continue
        sl, X, Y = got
        U, V = to_local(X, Y, comp.x, comp.y, comp.angle)
        a = rect_coverage(U, V, comp.w + 8 * ctx.k, comp.h + 8 * ctx.k, 6 * ctx.k) * 0.55
        colour = (164, 150, 126) if ctx.green else (205, 190, 162)
        tex = (1 + 0.03 * fine[sl] + 0.03 * (grain[sl] - 0.5))[None]
        blend(img, sl, np.asarray(colour, np.float32)[:, None, None] * tex, a)

    # Roads (min distance layer, then one composite with tyre tracks).
    dist = np.full((n, n), 1e6, dtype=np.float32)
    for road in ctx.layout.roads:
        _polyline_field(ctx.canvas, dist, road, [8 * ctx.k] * len(road), 1.0, "dist")
    half_w = max(3.5 * ctx.k, ctx.px)
    a = np.clip((half_w - dist) / max(1.5 * ctx.k, ctx.px) + 0.5, 0, 1)
    track_off = 1.6 * ctx.k
    tracks = np.exp(-(((np.abs(dist) - track_off) / max(0.5 * ctx.k, 0.35)) ** 2)) * a
    road = np.array((176, 166, 146) if ctx.green else (220, 208, 182), np.float32)
    img += (road[:, None, None] * (1 + 0.02 * fine)[None] - img) * (0.8 * a)[None]
    img *= (1 - 0.07 * tracks)[None]
    del dist, a, tracks, fine, mid, grain

    # Fences on the compound perimeters.
    for comp in ctx.layout.compounds:
        ring = comp.corners()
        ring.append(ring[0])
        got = ctx.canvas.around(comp.x, comp.y, math.hypot(comp.w, comp.h) / 2 + 4)
        if got is None:
            continue
        sl, X, Y = got
        fence = np.zeros(X.shape, np.float32)
        for (x0, y0), (x1, y1) in zip(ring[:-1], ring[1:]):
            dx, dy = x1 - x0, y1 - y0
            l2 = dx * dx + dy * dy
            t = np.clip(((X - x0) * dx + (Y - y0) * dy) / l2, 0, 1)
            d = np.hypot(X - x0 - t * dx, Y - y0 - t * dy)
            np.maximum(fence, np.clip((0.5 * ctx.px + 0.15 - d) / ctx.px + 0.5, 0, 1), out=fence)
        blend(img, sl, (92, 90, 86), fence * 0.75)
    return img


def _sand(ctx: PaintContext, rng, xs, ys, large, mid, fine, grain):
    """Desert: wind-warped dune ridges with gravel patches."""
    a = math.radians(rng.uniform(20, 70))
    wavelength = 42 * ctx.k
    warp = value_noise(rng, ctx.size, ctx.size, ctx.mpx(140))
    phase = (xs[None, :] * math.cos(a) + ys[:, None] * math.sin(a)) * np.float32(2 * math.pi / wavelength)
    phase += 2.2 * warp
    del warp
    ridge = (1 - np.abs(np.sin(phase))) ** 3
    del phase
    dune = (ridge - 0.25) * np.clip(0.55 + 0.45 * large, 0, 1.5)
    lum = 1 + 0.035 * large + 0.05 * dune + 0.028 * mid + 0.02 * fine + 0.035 * (grain - 0.5)
    del ridge, dune
    sand = np.array([201, 181, 150], np.float32)
    img = sand[:, None, None] * lum[None]
    gravel = np.clip((mid - 0.7) * 0.8, 0, 0.45) * np.clip(large + 0.8, 0, 1)
    grey = np.array([170, 162, 150], np.float32)[:, None, None] * lum[None]
    img += (grey - img) * gravel[None]
    return img.astype(np.float32)


def _fields(ctx: PaintContext, rng, xs, ys, large, mid, fine, grain):
    """Farmland: a rotated patchwork of striped fields with hedges along their edges."""
    a = math.radians(rng.uniform(5, 25))
    U = xs[None, :] * math.cos(a) + ys[:, None] * math.sin(a)
    V = -xs[None, :] * math.sin(a) + ys[:, None] * math.cos(a)
    span = ctx.canvas.half * 1.6
    ub = np.cumsum(rng.uniform(60, 170, 80) * ctx.k) - span
    vb = np.cumsum(rng.uniform(90, 260, 60) * ctx.k) - span
    iu = np.searchsorted(ub, U).astype(np.int32)
    iv = np.searchsorted(vb, V).astype(np.int32)
    palette = np.array(
        [(86, 116, 56), (104, 132, 66), (148, 146, 88), (124, 102, 78), (98, 82, 64), (138, 122, 94), (72, 104, 50)],
        np.float32,
    )
    table = palette[rng.integers(0, len(palette), 4096)]
    stripe_dir = rng.random(4096) < 0.5
    idx = (iu * 97 + iv * 61) % 4096
    period = max(3.5 * ctx.k, 4 * ctx.px)
    stripes = np.where(stripe_dir[idx], np.sin(U * (2 * math.pi / period)), np.sin(V * (2 * math.pi / period)))
    du = np.minimum(U - ub[np.clip(iu - 1, 0, len(ub) - 1)], ub[np.clip(iu, 0, len(ub) - 1)] - U)
    dv = np.minimum(V - vb[np.clip(iv - 1, 0, len(vb) - 1)], vb[np.clip(iv, 0, len(vb) - 1)] - V)
    edge = np.clip(1.2 - np.minimum(du, dv) / max(1.5 * ctx.k, ctx.px), 0, 1)
    del U, V, du, dv, iu, iv
    lum = 1 + 0.05 * large + 0.04 * mid + 0.03 * fine + 0.05 * (grain - 0.5) + 0.035 * stripes
    img = np.moveaxis(table[idx], -1, 0) * lum[None]
    del idx, stripes, lum
    hedge = np.array([150, 140, 112], np.float32)[:, None, None]
    img += (hedge - img) * (0.7 * edge)[None]
    return img.astype(np.float32)


def _polyline_field(canvas: Canvas, layer, points, widths, soft, mode):
    """Draw a polyline into a full-size layer: ``dist`` keeps the minimum distance to the line,
    ``alpha`` the maximum of a soft-edged band of the given widths."""
    pts = np.asarray(points, dtype=np.float64)
    wid = np.asarray(widths, dtype=np.float64)
    reach = float(wid.max()) / 2 + 3 * soft
    for k in range(len(pts) - 1):
        (x0, y0), (x1, y1) = pts[k], pts[k + 1]
        got = canvas.window(min(x0, x1) - reach, max(x0, x1) + reach, min(y0, y1) - reach, max(y0, y1) + reach)
        if got is None:
            continue
        sl, X, Y = got
        dx, dy = x1 - x0, y1 - y0
        l2 = dx * dx + dy * dy or 1e-9
        t = np.clip(((X - x0) * dx + (Y - y0) * dy) / l2, 0, 1)
        d = np.hypot(X - x0 - t * dx, Y - y0 - t * dy)
        if mode == "dist":
            np.minimum(layer[sl], d, out=layer[sl])
        else:
            half = (wid[k] + (wid[k + 1] - wid[k]) * t) / 2
            a = np.clip((half - d) / soft + 0.5, 0, 1).astype(np.float32)
            np.maximum(layer[sl], a, out=layer[sl])
