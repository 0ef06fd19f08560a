"""Design the site layout: compounds, their structures, the strike's damage, craters and roads.

Everything is drawn from one random generator seeded by the variant, in a fixed order, so the
layout depends only on the variant. Lengths are design metres on a 2 km square.
"""

from __future__ import annotations

import math

import numpy as np

from .layout_model import Compound, Layout, Structure
from .variants import DESIGN_EXTENT, Variant

KIND_NAMES = {
    "tunnel": "Tunnel compound",
    "barracks": "Barracks compound",
    "storage": "Storage bunkers",
    "revetments": "Revetment yard",
    "hq": "Headquarters",
    "workshop": "Vehicle workshop",
}
CELL_NAMES = (("North-west", "North", "North-east"), ("West", "Central", "East"), ("South-west", "South", "South-east"))
TYPE_LABELS = {
    "warehouse": "warehouse",
    "fortified_storehouse": "storehouse",
    "tunnel_entrance": "tunnel entrance",
    "revetment": "revetment",
    "barracks": "barracks",
    "bunker": "bunker",
    "hangar": "hangar",
    "building": "building",
}
TYPE_WEIGHT = {  # how likely the strike targeted a structure of this type
    "fortified_storehouse": 3.0,
    "warehouse": 2.6,
    "hangar": 2.0,
    "bunker": 2.0,
    "revetment": 1.4,
    "building": 1.0,
    "barracks": 0.7,
}


def _smooth_polyline(points: list[tuple[float, float]], rounds: int = 2) -> list[tuple[float, float]]:
    """Chaikin corner cutting; keeps both ends."""
    pts = list(points)
    for _ in range(rounds):
        out = [pts[0]]
        for (x0, y0), (x1, y1) in zip(pts[:-1], pts[1:]):
            out.append((0.75 * x0 + 0.25 * x1, 0.75 * y0 + 0.25 * y1))
            out.append((0.25 * x0 + 0.75 * x1, 0.25 * y0 + 0.75 * y1))
        out.append(pts[-1])
        pts = out
    return pts


def _road_between(
    rng: np.random.Generator, a: tuple[float, float], b: tuple[float, float]
) -> list[tuple[float, float]]:
    (x0, y0), (x1, y1) = a, b
    length = math.hypot(x1 - x0, y1 - y0)
    nx, ny = -(y1 - y0) / (length or 1), (x1 - x0) / (length or 1)
    n = max(2, int(length // 150))
    pts = [a]
    for i in range(1, n):
        t = i / n
        off = rng.uniform(-0.06, 0.06) * length
        pts.append((x0 + (x1 - x0) * t + nx * off, y0 + (y1 - y0) * t + ny * off))
    pts.append(b)
    return _smooth_polyline(pts, 3)


def _wadi(
    rng: np.random.Generator, start: tuple[float, float], heading: float, length: float, w0: float, w1: float
) -> tuple[list[tuple[float, float]], list[float]]:
    pts, x, y, h = [], start[0], start[1], heading
    turn = 0.0
    steps = int(length // 20)
    for _ in range(steps + 1):
        pts.append((x, y))
        turn = 0.85 * turn + rng.normal(0, 0.09)
        h += turn
        h = heading + max(-0.7, min(0.7, h - heading))
        x += 20 * math.cos(h)
        y += 20 * math.sin(h)
    widths = [w0 + (w1 - w0) * i / steps + rng.uniform(-2, 2) for i in range(steps + 1)]
    return pts, widths


def _min_dist_to_rect(comp: Compound, pts: list[tuple[float, float]]) -> float:
    c, s = math.cos(comp.angle), math.sin(comp.angle)
    best = 1e9
    for x, y in pts:
        dx, dy = x - comp.x, y - comp.y
        u, v = dx * c + dy * s, -dx * s + dy * c
        qu, qv = max(abs(u) - comp.w / 2, 0.0), max(abs(v) - comp.h / 2, 0.0)
        best = min(best, math.hypot(qu, qv))
    return best


def _overlaps(a: Compound, b: Compound, gap: float) -> bool:
    """Whether the bounding circles of two compounds, grown by ``gap``, overlap."""
    return math.hypot(a.x - b.x, a.y - b.y) < math.hypot(a.w, a.h) / 2 + math.hypot(b.w, b.h) / 2 + gap


def _items_for(kind: str, rng: np.random.Generator) -> list[tuple[str, float, float, float]]:
    """(type, length along u, width along v, height) of the structures of a compound kind."""
    u = rng.uniform
    items: list[tuple[str, float, float, float]] = []
    if kind == "depot":
        items += [("warehouse", u(42, 60), u(16, 24), u(7, 9)) for _ in range(int(rng.integers(11, 15)))]
        items += [("building", u(14, 22), u(10, 15), u(4, 7)) for _ in range(int(rng.integers(5, 9)))]
    elif kind == "tunnel":
        items += [("fortified_storehouse", u(24, 32), u(12, 16), 3.5) for _ in range(3)]
        items += [("building", u(12, 20), u(10, 14), u(4, 6)) for _ in range(int(rng.integers(4, 7)))]
    elif kind == "barracks":
        items += [("barracks", u(10, 12), u(22, 28), 3.5) for _ in range(int(rng.integers(28, 35)))]
        items += [("building", u(16, 26), u(12, 16), u(4, 7)) for _ in range(4)]
    elif kind == "storage":
        items += [("fortified_storehouse", u(26, 34), u(13, 17), 4.0) for _ in range(int(rng.integers(13, 18)))]
        items += [("bunker", u(10, 14), u(10, 14), 2.5) for _ in range(3)]
    elif kind == "revetments":
        items += [("revetment", u(18, 24), u(18, 24), 3.0) for _ in range(int(rng.integers(13, 18)))]
        items += [("hangar", u(36, 46), u(26, 32), 10.0) for _ in range(2)]
    elif kind == "hq":
        items += [("building", u(16, 32), u(12, 22), u(5, 10)) for _ in range(int(rng.integers(13, 18)))]
    elif kind == "workshop":
        items += [("hangar", u(36, 50), u(24, 30), 9.0) for _ in range(3)]
        items += [("building", u(12, 22), u(10, 16), u(4, 6)) for _ in range(int(rng.integers(9, 13)))]
    return items


def _pack(items, a_u: float, v_top: float, v_bottom: float, rng: np.random.Generator):
    """Shelf-pack items (type, L, W, h) into rows; returns (item, u, v) for those that fit."""
    placed, row = [], []
    u_cur, v_cur, row_h = -a_u, v_top, 0.0
    gap_u = rng.uniform(9, 14)
    gap_v = rng.uniform(12, 18)

    def flush():
        if not row:
            return
        used = row[-1][1] + row[-1][0][1] / 2 + a_u
        shift = (2 * a_u - used) / 2
        for item, uu, vv in row:
            placed.append((item, uu + shift, vv))
        row.clear()

    for item in items:
        _, length, width, _ = item
        if length > 2 * a_u:
            continue
        if u_cur + length > a_u:
            flush()
            v_cur -= row_h + gap_v
            u_cur, row_h = -a_u, 0.0
        if v_cur - width < v_bottom:
            continue
        row.append((item, u_cur + length / 2, v_cur - width / 2 - rng.uniform(0, 2)))
        u_cur += length + gap_u
        row_h = max(row_h, width)
    flush()
    return placed


def make_layout(variant: Variant) -> Layout:
    """The site layout in design metres (a 2 km square); depends only on the variant seed."""
    rng = np.random.default_rng([variant.seed, 1])
    half = DESIGN_EXTENT / 2

    # Wadis (channels) first; compounds keep clear of them.
    wadis = [
        _wadi(rng, (-half - 60, rng.uniform(250, 380)), rng.uniform(-0.12, 0.05), 2300, 16, 34),
        _wadi(rng, (rng.uniform(-300, 300), -half - 60), rng.uniform(1.3, 1.7), 1500, 10, 20),
    ]
    wadi_pts = [p for pts, _ in wadis for p in pts]

    cell = DESIGN_EXTENT / 3
    cells = [(r, c) for r in range(3) for c in range(3)]
    dropped = cells[int(rng.integers(0, 9))]
    cells = [rc for rc in cells if rc != dropped]
    kinds = ["depot", "tunnel", "barracks", "storage", "revetments", "hq", "depot", "workshop"]
    order = rng.permutation(len(kinds))
    widths = {
        "depot": 300,
        "tunnel": 220,
        "barracks": 290,
        "storage": 280,
        "revetments": 270,
        "hq": 250,
        "workshop": 270,
    }
    margin = 14.0
    compounds: list[Compound] = []
    contents: list[list[tuple[tuple, float, float]]] = []
    for n, (r, c) in enumerate(cells):
        kind = kinds[int(order[n])]
        w = widths[kind] * rng.uniform(0.95, 1.1)
        a_u = w / 2 - margin
        items = _items_for(kind, rng)
        top = 0.0
        pre: list[tuple[tuple, float, float]] = []
        hill = None
        if kind == "tunnel":
            radius, cut_len = 62.0, 30.0
            u_h = rng.uniform(-15, 15)
            hill = (u_h, -radius * 0.6, radius)
            portal_v = hill[1] - radius * 0.42
            pre.append((("tunnel_entrance", 12.0, 7.0, 0.0), u_h, portal_v))
            top = portal_v - 3.5 - cut_len - 12
        placed = _pack(items, a_u, top, -1e9, rng)
        depth = -min([vv - item[2] / 2 for item, _, vv in placed] + [top])
        h = max(depth + 2 * margin, 110.0)
        shift = depth / 2  # content centred in the compound
        placed = [(item, uu, vv + shift) for item, uu, vv in pre + placed]
        best = None
        for _ in range(80):
            angle = math.radians(rng.uniform(-14, 14))
            x = -half + cell * (c + 0.5) + rng.uniform(-110, 110)
            y = half - cell * (r + 0.5) + rng.uniform(-110, 110)
            comp = Compound("", kind, "", x, y, w, h, angle)
            corners = comp.corners(30)
            if max(abs(cx) for cx, _ in corners) > half - 20 or max(abs(cy) for _, cy in corners) > half - 20:
                continue
            if any(_overlaps(comp, other, 40) for other in compounds):
                continue
            clearance = _min_dist_to_rect(comp, wadi_pts)
            if best is None or clearance > best[0]:
                best = (clearance, comp)
            if clearance > 45:
                break
        comp = best[1]
        comp.cid = f"C-{n + 1:04d}"
        base = KIND_NAMES.get(kind)
        comp.name = base if base else f"{CELL_NAMES[r][c]} depot"
        comp.berm = kind in ("tunnel", "storage")
        if hill is not None:
            u_h, v_h, radius = hill
            hx, hy = comp.local(u_h, v_h + shift)
            comp.hill = (hx, hy, radius, 16.0)
            cx, cy = comp.local(u_h, portal_v + shift - 3.5 - cut_len / 2)
            comp.cut = (cx, cy, cut_len, 14.0)
        compounds.append(comp)
        contents.append(placed)

    # Structures.
    structures: list[Structure] = []
    for ci, comp in enumerate(compounds):
        placed = contents[ci]
        counters: dict[str, int] = {}
        for (stype, length, width, height), uu, vv in placed:
            counters[stype] = counters.get(stype, 0) + 1
            x, y = comp.local(uu, vv)
            index = len(structures)
            jitter = 0.0 if stype == "tunnel_entrance" else math.radians(rng.uniform(-2.5, 2.5))
            tint = tuple(float(t) for t in 1 + rng.uniform(-0.035, 0.035, 3) + rng.uniform(-0.05, 0.05))
            st = Structure(
                index,
                f"S-{index + 1:04d}",
                stype,
                f"{comp.name} {TYPE_LABELS[stype]} {counters[stype]}",
                ci,
                x,
                y,
                length,
                width,
                comp.angle + jitter,
                height,
                tint=tint,
                palette=int(rng.integers(0, 4)),
            )
            if stype == "fortified_storehouse":
                st.details["door"] = 1 if rng.random() < 0.5 else -1
            if stype == "building":
                st.details["ac"] = [
                    (rng.uniform(-0.35, 0.35) * length, rng.uniform(-0.3, 0.3) * width, rng.uniform(1.2, 2.2))
                    for _ in range(int(rng.integers(1, 4)))
                ]
            structures.append(st)

    # New structures (present only in the after image).
    candidates = [
        s
        for s in structures
        if s.type in ("building", "barracks", "warehouse") and compounds[s.compound].kind != "tunnel"
    ]
    new_count = int(rng.integers(3, 6))
    for k in rng.choice(len(candidates), new_count, replace=False):
        st = candidates[int(k)]
        st.new = True
        st.status = "construction"
        st.details["walls"] = [int(w) for w in rng.choice(4, int(rng.integers(1, 3)), replace=False)]
        st.details["wall_fraction"] = float(rng.uniform(0.35, 0.8))

    # The strike: targeted compounds, weighted by type.
    total = len(structures)
    targeted = {ci: (2.5 if rng.random() < 0.65 else 0.35) for ci in range(len(compounds))}
    eligible = [s for s in structures if not s.new and s.type != "tunnel_entrance"]
    keys = np.array([rng.random() ** (1.0 / (TYPE_WEIGHT[s.type] * targeted[s.compound])) for s in eligible])
    ranked = [eligible[int(i)] for i in np.argsort(-keys, kind="stable")]
    # About one structure in seven damaged, as in the strikes the site is modelled on
    # ("15 structures badly damaged or destroyed", "eight warehouses destroyed").
    n_destroyed = round(0.085 * total)
    n_severe = max(1, round(0.03 * total))
    n_moderate = max(1, round(0.035 * total))
    n_possible = max(1, round(0.03 * total))
    if variant.damaged_share is not None:  # the same mix of classes, at another scale
        damaged = min(round(variant.damaged_share * total), len(eligible) - n_possible)
        n_severe = max(1, round(damaged * 0.2))
        n_moderate = max(1, round(damaged * 0.23))
        n_destroyed = damaged - n_severe - n_moderate
    if variant.scattered:
        ranked = [eligible[int(i)] for i in rng.permutation(len(eligible))]
    statuses = (
        ["destroyed"] * n_destroyed + ["severe"] * n_severe + ["moderate"] * n_moderate + ["possible"] * n_possible
    )
    for st, status in zip(ranked, statuses):
        st.status = status

    craters: list[tuple[float, float, float, str | None]] = []
    for st in structures:
        if st.status == "destroyed":
            n = 1 if rng.random() < 0.6 else 2
            st.details["craters"] = []
            for _ in range(n):
                x, y = st.to_world(rng.uniform(-0.3, 0.3) * st.length, rng.uniform(-0.25, 0.25) * st.width)
                r = rng.uniform(2.2, 3.8)
                st.details["craters"].append((x, y, r))
                craters.append((x, y, r, st.sid))
        elif st.status == "severe":
            st.details["side"] = 1 if rng.random() < 0.5 else -1
            st.details["fraction"] = float(rng.uniform(0.35, 0.6))
            x, y = st.to_world(
                -st.details["side"] * rng.uniform(0.05, 0.25) * st.length, rng.uniform(-0.2, 0.2) * st.width
            )
            st.details["holes"] = [(x, y, rng.uniform(1.2, 2.0))]
        elif st.status == "moderate":
            st.details["holes"] = []
            for _ in range(int(rng.integers(1, 3))):
                x, y = st.to_world(rng.uniform(-0.3, 0.3) * st.length, rng.uniform(-0.25, 0.25) * st.width)
                st.details["holes"].append((x, y, rng.uniform(1.1, 1.9)))
        elif st.status == "possible":
            x, y = st.to_world(rng.uniform(-0.3, 0.3) * st.length, rng.uniform(-0.25, 0.25) * st.width)
            st.details["marks"] = [(x, y, rng.uniform(1.0, 1.6))]

    # Craters in open ground: near targeted compounds, clear of structures.
    def clear_of_structures(x: float, y: float, gap: float) -> bool:
        for s in structures:
            c, sn = math.cos(s.angle), math.sin(s.angle)
            dx, dy = x - s.x, y - s.y
            u, v = dx * c + dy * sn, -dx * sn + dy * c
            if math.hypot(max(abs(u) - s.length / 2, 0), max(abs(v) - s.width / 2, 0)) < gap:
                return False
        return True

    hit = [ci for ci, f in targeted.items() if f > 1] or [0]
    open_count = int(rng.integers(9, 15))
    tries = 0
    while open_count and tries < 500:
        tries += 1
        comp = compounds[hit[int(rng.integers(0, len(hit)))]]
        x, y = comp.local(rng.uniform(-0.8, 0.8) * comp.w, rng.uniform(-0.8, 0.8) * comp.h)
        if abs(x) > half - 30 or abs(y) > half - 30:
            continue
        r = rng.uniform(2.5, 5.0)
        if not clear_of_structures(x, y, r * 2.5 + 4):
            continue
        craters.append((x, y, r, None))
        open_count -= 1

    # Roads: a minimum spanning tree between compounds plus two access roads.
    roads: list[list[tuple[float, float]]] = []
    n = len(compounds)
    linked, edges = {0}, []
    while len(linked) < n:
        best = None
        for i in linked:
            for j in range(n):
                if j in linked:
                    continue
                d = math.hypot(compounds[i].x - compounds[j].x, compounds[i].y - compounds[j].y)
                if best is None or d < best[0]:
                    best = (d, i, j)
        _, i, j = best
        linked.add(j)
        edges.append((i, j))
    for i, j in edges:
        a, b = compounds[i], compounds[j]
        roads.append(_road_between(rng, a.gate_towards(b.x, b.y), b.gate_towards(a.x, a.y)))
    south = min(compounds, key=lambda c: c.y)
    start = (south.x + rng.uniform(-150, 150), -half - 5)
    roads.append(_road_between(rng, start, south.gate_towards(*start)))
    east = max(compounds, key=lambda c: c.x)
    start = (half + 5, east.y + rng.uniform(-150, 150))
    roads.append(_road_between(rng, start, east.gate_towards(*start)))

    return Layout(compounds, structures, roads, wadis, craters)
