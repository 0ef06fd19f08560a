"""Paint the structures: roofs by structure type, buildings under construction, and which damage each status gets."""

from __future__ import annotations

import math

import numpy as np

from .canvas import PaintContext, blend, hillshade, outside_distance, rect_coverage, to_local, value_noise
from .damage_painting import paint_destroyed, paint_hole, paint_severe
from .layout_model import Structure


def paint_structure(ctx: PaintContext, img, st: Structure, sun, after: bool):
    """Paint one structure as it looks in the before or the after image, damage included."""
    k = ctx.k
    if st.new and not after:
        return
    reach = math.hypot(st.length, st.width) / 2 + 10 * k + ctx.px * 2
    got = ctx.canvas.around(st.x, st.y, reach)
    if got is None:
        return
    sl, X, Y = got
    U, V = to_local(X, Y, st.x, st.y, st.angle)
    rng = ctx.rng(50, st.index, 1 if after else 0)
    shape = X.shape
    if st.new:
        _construction(ctx, img, sl, U, V, st, rng, shape)
        return
    colour, alpha = _roof(ctx, st, U, V, sun, rng, shape)
    blend(img, sl, colour, alpha)
    if not after or st.status == "intact":
        return
    if st.status == "destroyed":
        paint_destroyed(ctx, img, sl, X, Y, U, V, st, rng, sun)
    elif st.status == "severe":
        paint_severe(ctx, img, sl, X, Y, U, V, st, rng)
    elif st.status == "moderate":
        for x, y, r in st.details["holes"]:
            paint_hole(ctx, img, sl, X, Y, x, y, r, rng, 0.65)
    elif st.status == "possible":
        for x, y, r in st.details["marks"]:
            d = np.hypot(X - x, Y - y)
            img[:, sl[0], sl[1]] *= (1 - 0.22 * np.exp(-((d / r) ** 2)))[None]


def _roof(ctx: PaintContext, st: Structure, U, V, sun, rng, shape):
    """Colour and coverage of an intact structure seen from above, by structure type."""
    k, px = ctx.k, ctx.px
    tint = np.asarray(st.tint, np.float32)[:, None, None]
    tex = (1 + 0.015 * rng.standard_normal(shape, dtype=np.float32))[None]
    alpha = rect_coverage(U, V, st.length, st.width, px)
    t = st.type
    if t == "warehouse":
        h = st.height - 0.25 * np.abs(V)
        base = np.array([212, 215, 218], np.float32)
        seams = 1 - 0.05 * (np.abs(((U / (6 * k)) % 1) - 0.5) > 0.5 - px / (6 * k))
        colour = base[:, None, None] * tint * tex * hillshade(h, px, sun, 0.3)[None] * seams[None]
    elif t == "hangar":
        h = st.height * np.sqrt(np.clip(1 - (2 * V / st.width) ** 2, 0.02, 1))
        base = np.array([182, 186, 190], np.float32)
        colour = base[:, None, None] * tint * tex * hillshade(h, px, sun, 0.3)[None]
    elif t == "barracks":
        h = st.height - 0.3 * np.abs(U)
        palette = [(196, 186, 166), (150, 160, 142), (176, 180, 184), (190, 160, 136)]
        base = np.array(palette[st.palette], np.float32)
        colour = base[:, None, None] * tint * tex * hillshade(h, px, sun, 0.5)[None]
    elif t == "fortified_storehouse":
        rho = ((np.abs(U) / (st.length / 2)) ** 4 + (np.abs(V) / (st.width / 2)) ** 4) ** 0.25
        h = st.height * np.clip(1 - rho**2, 0, 1)
        base = np.array([186, 166, 134] if not ctx.green else [120, 112, 80], np.float32)
        tex = (1 + 0.04 * value_noise(rng, *shape, ctx.mpx(2)))[None]
        tint = 1 + (tint - 1) * 0.3
        colour = base[:, None, None] * tint * tex * hillshade(h, px, sun, 0.4)[None]
        side = st.details.get("door", 1)
        uu = U * side
        face = (uu > st.length / 2 - 2.4 * k) & (np.abs(V) < 3.2 * k)
        door = (uu > st.length / 2 - 1.8 * k) & (np.abs(V) < 1.7 * k)
        colour = np.where(face[None], np.array([172, 170, 164], np.float32)[:, None, None], colour)
        colour = np.where(door[None], np.array([42, 40, 38], np.float32)[:, None, None], colour)
        alpha = np.clip((1 - rho) * min(st.length, st.width) / 2 / px + 0.5, 0, 1)
        alpha = np.maximum(alpha, rect_coverage(U, V, st.length, st.width, px) * face)
    elif t == "revetment":
        wall = 3.5 * k
        a, b = st.length / 2, st.width / 2
        inside_u = np.abs(U) <= a
        prof = []
        for d, ok in (
            (np.abs(V - (b - wall / 2)), inside_u),
            (np.abs(V + (b - wall / 2)), inside_u),
            (np.abs(U + (a - wall / 2)), np.abs(V) <= b),
        ):
            prof.append(np.where(ok, np.clip(1 - (d / (wall / 2)) ** 2, 0, 1), 0))
        h = st.height * np.maximum(np.maximum(prof[0], prof[1]), prof[2])
        floor = np.array([186, 176, 156] if not ctx.green else [140, 128, 104], np.float32)[:, None, None]
        earth = np.array([178, 156, 122] if not ctx.green else [124, 108, 84], np.float32)[:, None, None]
        mix = np.clip(h / (0.3 * st.height), 0, 1)[None]
        colour = (floor * (1 - mix) + earth * mix) * tint * tex * hillshade(h, px, sun, 0.45)[None]
    elif t == "tunnel_entrance":
        colour = np.empty((3,) + shape, np.float32)
        colour[:] = np.array([166, 163, 156], np.float32)[:, None, None]
        opening = (np.abs(U) < st.length / 2 - 2.0 * k) & (V < st.width / 2 - 1.4 * k)
        depth = np.clip((st.width / 2 - V) / st.width, 0, 1)
        dark = np.array([40, 38, 37], np.float32)[:, None, None] * (1 - 0.3 * depth)[None]
        colour = np.where(opening[None], dark, colour)
    elif t == "bunker":
        base = np.array([156, 154, 148], np.float32)
        edge = np.maximum(np.abs(U) / (st.length / 2), np.abs(V) / (st.width / 2))
        h = st.height * np.clip(1 - edge**6, 0, 1)
        colour = base[:, None, None] * tint * tex * hillshade(h, px, sun, 0.6)[None]
    else:  # building and other
        palette = [(190, 182, 168), (204, 198, 186), (176, 170, 160), (198, 184, 160)]
        base = np.array(palette[st.palette], np.float32)
        edge = np.minimum(st.length / 2 - np.abs(U), st.width / 2 - np.abs(V))
        parapet = np.where(edge < max(0.8 * k, px), 0.84, 1.0).astype(np.float32)
        colour = base[:, None, None] * tint * tex * parapet[None]
        for u, v, a in st.details.get("ac", []):
            box = (np.abs(U - u) < a / 2) & (np.abs(V - v) < a / 2)
            colour = np.where(box[None], np.array([228, 228, 224], np.float32)[:, None, None], colour)
    if ctx.v.roof_brightness != 1.0:
        colour = colour * np.float32(ctx.v.roof_brightness)
    return colour.astype(np.float32), alpha.astype(np.float32)


def _construction(ctx: PaintContext, img, sl, U, V, st, rng, shape):
    """A structure being built: a cleared apron, the concrete slab and the first walls."""
    k, px = ctx.k, ctx.px
    d_out = outside_distance(U, V, st.length, st.width)
    blotch = value_noise(rng, *shape, ctx.mpx(3))
    apron = np.clip((3.5 * k + 1.5 * k * blotch - d_out) / px + 0.5, 0, 1) * 0.45
    blend(img, sl, (196, 184, 160) if not ctx.green else (150, 136, 112), apron)
    slab = rect_coverage(U, V, st.length, st.width, px)
    tex = (1 + 0.02 * rng.standard_normal(shape, dtype=np.float32))[None]
    blend(img, sl, np.array([230, 226, 216], np.float32)[:, None, None] * tex, slab)
    wall = max(0.6 * k, px)
    frac = st.details["wall_fraction"]
    a, b = st.length / 2, st.width / 2
    for side in st.details["walls"]:
        if side in (0, 1):
            v0 = b - wall / 2 if side == 0 else -(b - wall / 2)
            mask = (np.abs(V - v0) < wall / 2) & (U > -a) & (U < -a + frac * st.length)
        else:
            u0 = a - wall / 2 if side == 2 else -(a - wall / 2)
            mask = (np.abs(U - u0) < wall / 2) & (V > -b) & (V < -b + frac * st.width)
        blend(img, sl, (132, 130, 124), mask.astype(np.float32))
