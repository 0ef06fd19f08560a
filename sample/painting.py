"""Paint the before or the after image of the site on top of the shared ground.

Terrain (the tunnel hill and the berms), the structures' shadows, the structures themselves
with their damage, the open-ground craters of the after image, then the sensor: a light optical
blur, the after pass's gain and offset, and noise.
"""

from __future__ import annotations

import math

import numpy as np

from .canvas import PaintContext, blend, hillshade, rect_coverage, to_local, value_noise
from .damage_painting import paint_crater
from .layout_model import BERM_OFFSET, Structure
from .structure_painting import paint_structure


def paint_image(ctx: PaintContext, ground: np.ndarray, when: str) -> np.ndarray:
    """The 8-bit RGB image (3, size, size) of ``when`` ("before" or "after") from the painted ground."""
    after = when == "after"
    sun = ctx.v.sun_after if after else ctx.v.sun_before
    img = ground.copy()
    if after and ctx.v.seasonal:
        seasonal_ground(ctx, img)
    _terrain(ctx, img, sun)
    _shadows(ctx, img, sun, after)
    for st in ctx.layout.structures:
        paint_structure(ctx, img, st, sun, after)
    if after:
        for x, y, r, sid in ctx.layout.craters:
            if sid is None:
                paint_crater(ctx, img, x, y, r, sun, ctx.rng(40, int(abs(x) * 10), int(abs(y) * 10)), 0.3)
        if ctx.v.clouds:
            img += (np.float32(236.0) - img) * cloud_cover(ctx)[None]
    return _finish(ctx, img, after)


def seasonal_ground(ctx: PaintContext, img) -> None:
    """The ground of the after pass in another season: greener or drier in broad patches."""
    s = ctx.v.seasonal
    rng = ctx.rng(70, 1)
    patches = value_noise(rng, ctx.size, ctx.size, ctx.mpx(60))
    factors = np.array([1 - 0.22 * s, 1 + 0.08 * s, 1 - 0.25 * s], np.float32)[:, None, None]
    img *= 1 + (factors - 1) * np.clip(0.6 + 0.5 * patches, 0, 1.5)[None]


def cloud_cover(ctx: PaintContext) -> np.ndarray:
    """Opacity (0..1, size × size) of the after pass's clouds and haze: soft blobs of 60–140 m."""
    rng = ctx.rng(80, 1)
    cover = np.zeros((ctx.size, ctx.size), np.float32)
    half = ctx.canvas.half
    texture = value_noise(rng, ctx.size, ctx.size, ctx.mpx(12))
    for _ in range(ctx.v.clouds):
        x, y = rng.uniform(-0.8, 0.8, 2) * half
        radius = rng.uniform(60, 140) * ctx.k
        got = ctx.canvas.around(x, y, radius * 1.5)
        if got is None:
            continue
        sl, X, Y = got
        d = np.hypot(X - x, Y - y) / radius
        blob = np.clip(1.25 - d * d, 0, 1) * np.clip(0.85 + 0.2 * texture[sl], 0, 1)
        np.maximum(cover[sl], blob.astype(np.float32), out=cover[sl])
    return np.minimum(cover, 0.92)


def _terrain(ctx: PaintContext, img, sun):
    k = ctx.k
    for comp in ctx.layout.compounds:
        if comp.hill is not None:
            hx, hy, radius, height = comp.hill
            got = ctx.canvas.around(hx, hy, radius * 1.6)
            if got is not None:
                sl, X, Y = got
                rng = ctx.rng(30, 1)
                r2 = ((X - hx) ** 2 + (Y - hy) ** 2) / (radius * radius)
                h = height * np.exp(-2.2 * r2) * (1 + 0.06 * value_noise(rng, *X.shape, ctx.mpx(24)))
                cx, cy, clen, cw = comp.cut
                U, V = to_local(X, Y, cx, cy, comp.angle)
                cut = rect_coverage(U, V, cw, clen, max(2 * k, ctx.px))
                h *= 1 - cut
                shade = hillshade(h, ctx.px, sun, 0.8)
                rock = np.clip(h / height, 0, 1)
                colour = np.array([184, 164, 134] if not ctx.green else [128, 112, 88], np.float32)
                tex = (1 + 0.05 * value_noise(rng, *X.shape, ctx.mpx(3)))[None]
                blend(img, sl, colour[:, None, None] * tex, 0.8 * rock)
                blend(img, sl, (196, 184, 160) if not ctx.green else (150, 138, 114), 0.45 * cut)
                img[:, sl[0], sl[1]] *= shade[None]
        if comp.berm:
            grow = BERM_OFFSET * k
            got = ctx.canvas.around(comp.x, comp.y, math.hypot(comp.w, comp.h) / 2 + grow + 8 * k)
            if got is None:
                continue
            sl, X, Y = got
            U, V = to_local(X, Y, comp.x, comp.y, comp.angle)
            qu, qv = np.abs(U) - (comp.w / 2 + grow), np.abs(V) - (comp.h / 2 + grow)
            sd = np.hypot(np.maximum(qu, 0), np.maximum(qv, 0)) + np.minimum(np.maximum(qu, qv), 0)
            width = 4.5 * k
            h = 2.5 * k * np.clip(1 - (sd / width) ** 2, 0, 1)
            shade = hillshade(h, ctx.px, sun, 0.8)
            earth = np.array([176, 156, 124] if not ctx.green else [134, 116, 92], np.float32)
            blend(img, sl, earth, np.clip(h / (1.2 * k), 0, 0.85))
            img[:, sl[0], sl[1]] *= shade[None]


def _shadow_height(ctx: PaintContext, st: Structure, after: bool) -> float:
    """Height (metres) that casts the shadow of a structure in the before or the after image."""
    if st.type in ("fortified_storehouse", "tunnel_entrance"):
        return 0.0
    if st.new:
        return 0.35 * ctx.k if after else 0.0
    if after and st.status == "destroyed":
        return 0.6 * ctx.k
    if after and st.status == "severe":
        return st.height * 0.6
    return st.height


def _shadows(ctx: PaintContext, img, sun, after):
    az, el = math.radians(sun[0]), math.radians(sun[1])
    layer = np.zeros(img.shape[1:], np.float32)
    subs = [(-0.25, -0.25), (0.25, -0.25), (-0.25, 0.25), (0.25, 0.25)]
    for st in ctx.layout.structures:
        h = _shadow_height(ctx, st, after)
        if h <= 0:
            continue
        length = h / math.tan(el)
        ox, oy = -math.sin(az) * length, -math.cos(az) * length
        c, s = math.cos(st.angle), math.sin(st.angle)
        ou, ov = ox * c + oy * s, -ox * s + oy * c
        reach = math.hypot(st.length, st.width) / 2 + length + 1
        got = ctx.canvas.around(st.x + ox / 2, st.y + oy / 2, reach)
        if got is None:
            continue
        sl, X, Y = got
        U, V = to_local(X, Y, st.x, st.y, st.angle)
        cov = np.zeros(X.shape, np.float32)
        for du, dv in subs:
            uu, vv = U + du * ctx.px, V + dv * ctx.px
            lo = np.zeros(X.shape, np.float32)
            hi = np.ones(X.shape, np.float32)
            for q, o, half in ((uu, ou, st.length / 2), (vv, ov, st.width / 2)):
                if abs(o) < 1e-9:
                    lo = np.where(np.abs(q) <= half, lo, 2)
                else:
                    t1, t2 = (q - half) / o, (q + half) / o
                    lo = np.maximum(lo, np.minimum(t1, t2))
                    hi = np.minimum(hi, np.maximum(t1, t2))
            cov += lo <= hi
        np.maximum(layer[sl], cov / 4, out=layer[sl])
    tint = np.array([0.42, 0.45, 0.53], np.float32)[:, None, None]
    img *= 1 - layer[None] * (1 - tint)


def _finish(ctx: PaintContext, img, after: bool) -> np.ndarray:
    # Optics: a light [1 2 1] blur in both directions.
    out = img.copy()
    out[:, 1:-1, :] = 0.25 * img[:, :-2, :] + 0.5 * img[:, 1:-1, :] + 0.25 * img[:, 2:, :]
    img[:, :, 1:-1] = 0.25 * out[:, :, :-2] + 0.5 * out[:, :, 1:-1] + 0.25 * out[:, :, 2:]
    img[:, :, 0] = out[:, :, 0]
    img[:, :, -1] = out[:, :, -1]
    del out
    rng = ctx.rng(60, 1 if after else 0)
    if after:
        gain = np.asarray(ctx.v.gain_after, np.float32)[:, None, None]
        offset = np.asarray(ctx.v.offset_after, np.float32)[:, None, None]
        img *= gain
        img += offset
    sigma = ctx.v.noise[1 if after else 0]
    noise = rng.standard_normal(img.shape, dtype=np.float32)
    noise *= sigma
    img += noise
    del noise
    np.clip(img, 1, 255, out=img)
    img += 0.5
    return img.astype(np.uint8)


def obscured_structures(ctx: PaintContext, opacity: float = 0.5) -> list[str]:
    """Ids of the structures whose footprint lies on average under clouds of at least ``opacity``
    (the truth of the cloud site: an analyst could not assess them)."""
    if not ctx.v.clouds:
        return []
    cover = cloud_cover(ctx)
    found = []
    for st in ctx.layout.structures:
        got = ctx.canvas.around(st.x, st.y, math.hypot(st.length, st.width) / 2 + ctx.px)
        if got is None:
            continue
        sl, X, Y = got
        U, V = to_local(X, Y, st.x, st.y, st.angle)
        inside = rect_coverage(U, V, st.length, st.width, ctx.px)
        if inside.sum() and float((cover[sl] * inside).sum() / inside.sum()) >= opacity:
            found.append(st.sid)
    return found
