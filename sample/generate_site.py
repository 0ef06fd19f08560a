"""Generate the deterministic synthetic sample site of SiteWatch.

A before and an after GeoTIFF of a (fictitious) military base and its ground-truth
assessment GeoPackage. Everything comes from fixed seeds: running it twice gives
byte-identical GeoTIFFs and a GeoPackage with identical content.

    /usr/bin/python3 -m sitewatch.sample.generate_site OUT_DIR [--variant desert|green] [--size N]

The layout is designed on a 2 km square and scaled to the requested size (pixels stay
0.5 m), so a small test site still has every compound and structure, only smaller.

The ground truth is for evaluation only: the change scorer must never read it.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from osgeo import gdal, osr

gdal.UseExceptions()
osr.UseExceptions()

PIXEL = 0.5
"""Ground sample distance of the before image, in metres."""
DESIGN_EXTENT = 2000.0
"""The layout is designed on a square of this side (metres) and scaled to the site."""
CENTRE_LAT, CENTRE_LON = 34.45, 40.92
EPSG = 32637
SOURCE = "Synthetic (SiteWatch sample)"
GENERATOR = "sample-generator"
ANALYST = "ground-truth"
OVERVIEWS = (2, 4, 8, 16)


# --------------------------------------------------------------------------------------
# Variants and results
# --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Variant:
    name: str
    seed: int
    prefix: str
    gpkg_name: str
    site_name: str
    before_date: str
    after_date: str
    before_time: str
    after_time: str
    sun_before: tuple[float, float]
    """Sun azimuth and elevation (degrees) of the before pass."""
    sun_after: tuple[float, float]
    gain_after: tuple[float, float, float]
    offset_after: tuple[float, float, float]
    noise: tuple[float, float]
    """Sensor noise (DN, one sigma) of the before and after images."""
    after_epsg: int
    after_gsd: float
    sensor: str


VARIANTS: dict[str, Variant] = {
    "desert": Variant(
        "desert", 20190901, "sample", "sample_site.gpkg", "SiteWatch sample desert base",
        "2019-09-01", "2020-01-08", "10:32:00", "10:41:00",
        (136.0, 50.0), (148.0, 39.0), (1.09, 1.075, 1.02), (3.0, 1.0, -2.0), (2.0, 2.6),
        EPSG, PIXEL, "SIM-1",
    ),
    "green": Variant(
        "green", 20210417, "green", "green_site.gpkg", "SiteWatch sample farmland base",
        "2021-04-17", "2021-06-22", "10:18:00", "10:47:00",
        (128.0, 58.0), (118.0, 71.0), (0.95, 0.98, 1.06), (-2.0, 1.0, 5.0), (2.2, 2.8),
        4326, 0.7, "SIM-2",
    ),
}


@dataclass(frozen=True)
class SiteFiles:
    """What :func:`generate_site` wrote."""

    before_tif: Path
    after_tif: Path
    assessment_gpkg: Path
    before_date: str
    after_date: str
    variant: str = "desert"
    before_image_id: str = "IMG-0001"
    after_image_id: str = "IMG-0002"


# --------------------------------------------------------------------------------------
# Layout (designed in metres on a 2 km square centred on the site centre, x east, y north)
# --------------------------------------------------------------------------------------

@dataclass
class Compound:
    cid: str
    kind: str
    name: str
    x: float
    y: float
    w: float
    """Side along the compound's own u axis (rotated east)."""
    h: float
    angle: float
    """Radians, counter-clockwise from east."""
    berm: bool = False
    hill: tuple[float, float, float, float] | None = None
    """(x, y, radius, height) of the hill that holds the tunnel."""
    cut: tuple[float, float, float, float] | None = None
    """(x, y, length, width) of the cut leading to the tunnel, rotated like the compound."""

    def local(self, u: float, v: float) -> tuple[float, float]:
        c, s = math.cos(self.angle), math.sin(self.angle)
        return self.x + u * c - v * s, self.y + u * s + v * c

    def corners(self, grow: float = 0.0) -> list[tuple[float, float]]:
        a, b = self.w / 2 + grow, self.h / 2 + grow
        return [self.local(u, v) for u, v in ((-a, -b), (a, -b), (a, b), (-a, b))]

    def gate_towards(self, x: float, y: float) -> tuple[float, float]:
        c, s = math.cos(self.angle), math.sin(self.angle)
        dx, dy = x - self.x, y - self.y
        du, dv = dx * c + dy * s, -dx * s + dy * c
        norm = math.hypot(du, dv) or 1.0
        du, dv = du / norm, dv / norm
        t = min((self.w / 2) / max(abs(du), 1e-9), (self.h / 2) / max(abs(dv), 1e-9))
        return self.local(du * t, dv * t)


@dataclass
class Structure:
    index: int
    sid: str
    type: str
    name: str
    compound: int
    x: float
    y: float
    length: float
    """Side along the structure's u axis."""
    width: float
    angle: float
    height: float
    new: bool = False
    status: str = "intact"
    tint: tuple[float, float, float] = (1.0, 1.0, 1.0)
    palette: int = 0
    details: dict = field(default_factory=dict)

    def corners(self) -> list[tuple[float, float]]:
        c, s = math.cos(self.angle), math.sin(self.angle)
        a, b = self.length / 2, self.width / 2
        return [(self.x + u * c - v * s, self.y + u * s + v * c)
                for u, v in ((-a, -b), (a, -b), (a, b), (-a, b))]

    def to_world(self, u: float, v: float) -> tuple[float, float]:
        c, s = math.cos(self.angle), math.sin(self.angle)
        return self.x + u * c - v * s, self.y + u * s + v * c


@dataclass
class Layout:
    compounds: list[Compound]
    structures: list[Structure]
    roads: list[list[tuple[float, float]]]
    wadis: list[tuple[list[tuple[float, float]], list[float]]]
    craters: list[tuple[float, float, float, str | None]]
    """Impact craters of the after image: (x, y, radius, structure_id or None)."""

    def scaled(self, k: float) -> Layout:
        """The same layout with every length multiplied by ``k``."""
        compounds = []
        for c in self.compounds:
            compounds.append(Compound(
                c.cid, c.kind, c.name, c.x * k, c.y * k, c.w * k, c.h * k, c.angle, c.berm,
                None if c.hill is None else tuple(v * k for v in c.hill),
                None if c.cut is None else tuple(v * k for v in c.cut),
            ))
        structures = []
        for s in self.structures:
            details = {}
            for key, value in s.details.items():
                if key in ("holes", "craters", "marks"):
                    details[key] = [(x * k, y * k, r * k) for x, y, r in value]
                elif key == "ac":
                    details[key] = [(u * k, v * k, a * k) for u, v, a in value]
                else:
                    details[key] = value
            structures.append(Structure(
                s.index, s.sid, s.type, s.name, s.compound, s.x * k, s.y * k, s.length * k,
                s.width * k, s.angle, s.height * k, s.new, s.status, s.tint, s.palette, details,
            ))
        return Layout(
            compounds, structures,
            [[(x * k, y * k) for x, y in road] for road in self.roads],
            [([(x * k, y * k) for x, y in pts], [w * k for w in widths]) for pts, widths in self.wadis],
            [(x * k, y * k, r * k, sid) for x, y, r, sid in self.craters],
        )


KIND_NAMES = {
    "tunnel": "Tunnel compound",
    "barracks": "Barracks compound",
    "storage": "Storage bunkers",
    "revetments": "Revetment yard",
    "hq": "Headquarters",
    "workshop": "Vehicle workshop",
}
CELL_NAMES = (("North-west", "North", "North-east"),
              ("West", "Central", "East"),
              ("South-west", "South", "South-east"))
TYPE_LABELS = {
    "warehouse": "warehouse", "fortified_storehouse": "storehouse", "tunnel_entrance": "tunnel entrance",
    "revetment": "revetment", "barracks": "barracks", "bunker": "bunker", "hangar": "hangar",
    "building": "building",
}
TYPE_WEIGHT = {  # how likely the strike targeted a structure of this type
    "fortified_storehouse": 3.0, "warehouse": 2.6, "hangar": 2.0, "bunker": 2.0, "revetment": 1.4,
    "building": 1.0, "barracks": 0.7,
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


def _road_between(rng: np.random.Generator, a: tuple[float, float], b: tuple[float, float]) -> list[tuple[float, float]]:
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


def _wadi(rng: np.random.Generator, start: tuple[float, float], heading: float, length: float,
          w0: float, w1: float) -> tuple[list[tuple[float, float]], list[float]]:
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


def _items_for(kind: str, rng: np.random.Generator) -> list[tuple[str, float, float, float]]:
    """(type, length along u, width along v, height) of the structures of a compound kind."""
    u = rng.uniform
    items: list[tuple[str, float, float, float]] = []
    if kind == "depot":
        items += [("warehouse", u(42, 60), u(16, 24), u(7, 9)) for _ in range(int(rng.integers(5, 7)))]
        items += [("building", u(14, 22), u(10, 15), u(4, 7)) for _ in range(int(rng.integers(2, 4)))]
    elif kind == "tunnel":
        items += [("fortified_storehouse", u(24, 32), u(12, 16), 3.5) for _ in range(3)]
        items += [("building", u(12, 20), u(10, 14), u(4, 6)) for _ in range(int(rng.integers(2, 4)))]
    elif kind == "barracks":
        items += [("barracks", u(10, 12), u(22, 28), 3.5) for _ in range(int(rng.integers(11, 15)))]
        items += [("building", u(16, 26), u(12, 16), u(4, 7)) for _ in range(2)]
    elif kind == "storage":
        items += [("fortified_storehouse", u(26, 34), u(13, 17), 4.0) for _ in range(int(rng.integers(6, 9)))]
        items += [("bunker", u(10, 14), u(10, 14), 2.5)]
    elif kind == "revetments":
        items += [("revetment", u(18, 24), u(18, 24), 3.0) for _ in range(int(rng.integers(6, 9)))]
        items += [("hangar", u(36, 46), u(26, 32), 10.0)]
    elif kind == "hq":
        items += [("building", u(16, 32), u(12, 22), u(5, 10)) for _ in range(int(rng.integers(5, 8)))]
    elif kind == "workshop":
        items += [("hangar", u(36, 50), u(24, 30), 9.0) for _ in range(2)]
        items += [("building", u(12, 22), u(10, 16), u(4, 6)) for _ in range(int(rng.integers(3, 6)))]
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
    widths = {"depot": 200, "tunnel": 190, "barracks": 180, "storage": 200, "revetments": 190,
              "hq": 170, "workshop": 190}
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
            x = -half + cell * (c + 0.5) + rng.uniform(-170, 170)
            y = half - cell * (r + 0.5) + rng.uniform(-170, 170)
            comp = Compound("", kind, "", x, y, w, h, angle)
            corners = comp.corners(30)
            if max(abs(cx) for cx, _ in corners) > half - 20 or max(abs(cy) for _, cy in corners) > half - 20:
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
                index, f"S-{index + 1:04d}", stype,
                f"{comp.name} {TYPE_LABELS[stype]} {counters[stype]}",
                ci, x, y, length, width, comp.angle + jitter, height, tint=tint,
                palette=int(rng.integers(0, 4)),
            )
            if stype == "fortified_storehouse":
                st.details["door"] = 1 if rng.random() < 0.5 else -1
            if stype == "building":
                st.details["ac"] = [(rng.uniform(-0.35, 0.35) * length, rng.uniform(-0.3, 0.3) * width,
                                     rng.uniform(1.2, 2.2)) for _ in range(int(rng.integers(1, 4)))]
            structures.append(st)

    # New structures (present only in the after image).
    candidates = [s for s in structures if s.type in ("building", "barracks", "warehouse")
                  and compounds[s.compound].kind != "tunnel"]
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
    n_destroyed = round(0.29 * total)
    n_severe = max(1, round(0.07 * total))
    n_moderate = max(1, round(0.06 * total))
    n_possible = max(1, round(0.04 * total))
    statuses = (["destroyed"] * n_destroyed + ["severe"] * n_severe + ["moderate"] * n_moderate
                + ["possible"] * n_possible)
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
            x, y = st.to_world(-st.details["side"] * rng.uniform(0.05, 0.25) * st.length,
                               rng.uniform(-0.2, 0.2) * st.width)
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


# --------------------------------------------------------------------------------------
# Raster painting
# --------------------------------------------------------------------------------------

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


def _noise(rng: np.random.Generator, height: int, width: int, cell_px: float) -> np.ndarray:
    """Value noise with about unit standard deviation and features of ``cell_px`` pixels."""
    cell_px = max(cell_px, 1.5)
    small = rng.standard_normal((int(height / cell_px) + 3, int(width / cell_px) + 3)).astype(np.float32)
    return _upsample(small, height, width) * np.float32(1.6)


class _Canvas:
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


def _local(X, Y, x, y, angle):
    c, s = math.cos(angle), math.sin(angle)
    dx, dy = X - x, Y - y
    return dx * c + dy * s, -dx * s + dy * c


def _rect_cov(U, V, length, width, pixel):
    return (np.clip((length / 2 - np.abs(U)) / pixel + 0.5, 0, 1)
            * np.clip((width / 2 - np.abs(V)) / pixel + 0.5, 0, 1))


def _outside_dist(U, V, length, width):
    return np.hypot(np.maximum(np.abs(U) - length / 2, 0), np.maximum(np.abs(V) - width / 2, 0))


def _sun_vector(sun):
    az, el = math.radians(sun[0]), math.radians(sun[1])
    return math.sin(az) * math.cos(el), math.cos(az) * math.cos(el), math.sin(el)


def _shade(height, pixel, sun, strength=0.7):
    """Relative illumination of a height field (1 on flat ground)."""
    if height.shape[0] < 2 or height.shape[1] < 2:
        return np.ones_like(height)
    d_row, d_col = np.gradient(height, pixel)
    gx, gy = d_col, -d_row
    sx, sy, sz = _sun_vector(sun)
    lit = (-gx * sx - gy * sy + sz) / np.sqrt(1 + gx * gx + gy * gy)
    return np.clip(1 + strength * (lit / sz - 1), 0.3, 1.55).astype(np.float32)


def _blend(img, sl, colour, alpha):
    """img[window] = img·(1−α) + colour·α (colour (3,) or (3,h,w))."""
    if np.ndim(colour) == 1:
        colour = np.asarray(colour, dtype=np.float32)[:, None, None]
    win = img[:, sl[0], sl[1]]
    win += (colour - win) * alpha[None]


def _polyline_field(canvas: _Canvas, layer, points, widths, soft, mode):
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


class _Painter:
    """Paints the ground once, then the before and after images on top of it."""

    def __init__(self, variant: Variant, layout: Layout, size: int, scale: float):
        self.v = variant
        self.layout = layout
        self.size = size
        self.k = scale
        self.canvas = _Canvas(size)
        self.px = PIXEL
        self.green = variant.name == "green"

    def rng(self, *key: int) -> np.random.Generator:
        return np.random.default_rng([self.v.seed, *key])

    def mpx(self, metres: float) -> float:
        """A design length in metres as pixels of this site."""
        return metres * self.k / self.px

    # -- ground (shared by both images) --------------------------------------------------

    def ground(self) -> np.ndarray:
        n = self.size
        rng = self.rng(2)
        xs = ((np.arange(n) + 0.5) * self.px - self.canvas.half).astype(np.float32)
        ys = (self.canvas.half - (np.arange(n) + 0.5) * self.px).astype(np.float32)
        large = 0.75 * _noise(rng, n, n, self.mpx(320))
        large += 0.5 * _noise(rng, n, n, self.mpx(110))
        mid = _noise(rng, n, n, self.mpx(22))
        fine = _noise(rng, n, n, max(self.mpx(2.5), 2.0))
        grain = rng.random((n, n), dtype=np.float32)
        if self.green:
            img = self._fields(rng, xs, ys, large, mid, fine, grain)
        else:
            img = self._sand(rng, xs, ys, large, mid, fine, grain)
        del large

        # Wadis / canals.
        wadi = np.zeros((n, n), dtype=np.float32)
        for pts, widths in self.layout.wadis:
            _polyline_field(self.canvas, wadi, pts, widths, max(4.0 * self.k, self.px), "alpha")
        wadi *= np.clip(0.85 + 0.25 * mid, 0, 1)
        if self.green:
            colour = np.array([62, 84, 70], np.float32)
        else:
            colour = np.array([158, 146, 128], np.float32)
        wcol = colour[:, None, None] * (1 + 0.05 * fine + 0.04 * (grain - 0.5))[None]
        img += (wcol - img) * (0.85 * wadi)[None]
        bush = (grain > 0.993) & (wadi > 0.4)
        img[:, bush] = img[:, bush] * 0.55
        del wadi, wcol, bush

        # Compound interiors: graded ground.
        for comp in self.layout.compounds:
            got = self.canvas.around(comp.x, comp.y, math.hypot(comp.w, comp.h) / 2 + 12 * self.k)
            if got is None:
                continue
            sl, X, Y = got
            U, V = _local(X, Y, comp.x, comp.y, comp.angle)
            a = _rect_cov(U, V, comp.w + 8 * self.k, comp.h + 8 * self.k, 6 * self.k) * 0.55
            colour = (164, 150, 126) if self.green else (205, 190, 162)
            tex = (1 + 0.03 * fine[sl] + 0.03 * (grain[sl] - 0.5))[None]
            _blend(img, sl, np.asarray(colour, np.float32)[:, None, None] * tex, a)

        # Roads (min distance layer, then one composite with tyre tracks).
        dist = np.full((n, n), 1e6, dtype=np.float32)
        for road in self.layout.roads:
            _polyline_field(self.canvas, dist, road, [8 * self.k] * len(road), 1.0, "dist")
        half_w = max(3.5 * self.k, self.px)
        a = np.clip((half_w - dist) / max(1.5 * self.k, self.px) + 0.5, 0, 1)
        track_off = 1.6 * self.k
        tracks = np.exp(-((np.abs(dist) - track_off) / max(0.5 * self.k, 0.35)) ** 2) * a
        road = np.array((176, 166, 146) if self.green else (220, 208, 182), np.float32)
        img += (road[:, None, None] * (1 + 0.02 * fine)[None] - img) * (0.8 * a)[None]
        img *= (1 - 0.07 * tracks)[None]
        del dist, a, tracks, fine, mid, grain

        # Fences on the compound perimeters.
        for comp in self.layout.compounds:
            ring = comp.corners()
            ring.append(ring[0])
            got = self.canvas.around(comp.x, comp.y, math.hypot(comp.w, comp.h) / 2 + 4)
            if got is None:
                continue
            sl, X, Y = got
            fence = np.zeros(X.shape, np.float32)
            for (x0, y0), (x1, y1) in zip(ring[:-1], ring[1:]):
                dx, dy = x1 - x0, y1 - y0
                l2 = dx * dx + dy * dy
                t = np.clip(((X - x0) * dx + (Y - y0) * dy) / l2, 0, 1)
                d = np.hypot(X - x0 - t * dx, Y - y0 - t * dy)
                np.maximum(fence, np.clip((0.5 * self.px + 0.15 - d) / self.px + 0.5, 0, 1), out=fence)
            _blend(img, sl, (92, 90, 86), fence * 0.75)
        return img

    def _sand(self, rng, xs, ys, large, mid, fine, grain):
        a = math.radians(rng.uniform(20, 70))
        wavelength = 42 * self.k
        warp = _noise(rng, self.size, self.size, self.mpx(140))
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

    def _fields(self, rng, xs, ys, large, mid, fine, grain):
        a = math.radians(rng.uniform(5, 25))
        U = xs[None, :] * math.cos(a) + ys[:, None] * math.sin(a)
        V = -xs[None, :] * math.sin(a) + ys[:, None] * math.cos(a)
        span = self.canvas.half * 1.6
        ub = np.cumsum(rng.uniform(60, 170, 80) * self.k) - span
        vb = np.cumsum(rng.uniform(90, 260, 60) * self.k) - span
        iu = np.searchsorted(ub, U).astype(np.int32)
        iv = np.searchsorted(vb, V).astype(np.int32)
        palette = np.array([(86, 116, 56), (104, 132, 66), (148, 146, 88), (124, 102, 78),
                            (98, 82, 64), (138, 122, 94), (72, 104, 50)], np.float32)
        table = palette[rng.integers(0, len(palette), 4096)]
        stripe_dir = rng.random(4096) < 0.5
        idx = (iu * 97 + iv * 61) % 4096
        period = max(3.5 * self.k, 4 * self.px)
        stripes = np.where(stripe_dir[idx], np.sin(U * (2 * math.pi / period)), np.sin(V * (2 * math.pi / period)))
        du = np.minimum(U - ub[np.clip(iu - 1, 0, len(ub) - 1)], ub[np.clip(iu, 0, len(ub) - 1)] - U)
        dv = np.minimum(V - vb[np.clip(iv - 1, 0, len(vb) - 1)], vb[np.clip(iv, 0, len(vb) - 1)] - V)
        edge = np.clip(1.2 - np.minimum(du, dv) / max(1.5 * self.k, self.px), 0, 1)
        del U, V, du, dv, iu, iv
        lum = 1 + 0.05 * large + 0.04 * mid + 0.03 * fine + 0.05 * (grain - 0.5) + 0.035 * stripes
        img = np.moveaxis(table[idx], -1, 0) * lum[None]
        del idx, stripes, lum
        hedge = np.array([150, 140, 112], np.float32)[:, None, None]
        img += (hedge - img) * (0.7 * edge)[None]
        return img.astype(np.float32)

    # -- per image ------------------------------------------------------------------------

    def image(self, ground: np.ndarray, when: str) -> np.ndarray:
        after = when == "after"
        sun = self.v.sun_after if after else self.v.sun_before
        img = ground.copy()
        self._terrain(img, sun)
        self._shadows(img, sun, after)
        for st in self.layout.structures:
            self._structure(img, st, sun, after)
        if after:
            for x, y, r, sid in self.layout.craters:
                if sid is None:
                    self._crater(img, x, y, r, sun, self.rng(40, int(abs(x) * 10), int(abs(y) * 10)), 0.3)
        return self._finish(img, after)

    def _terrain(self, img, sun):
        k = self.k
        for comp in self.layout.compounds:
            if comp.hill is not None:
                hx, hy, radius, height = comp.hill
                got = self.canvas.around(hx, hy, radius * 1.6)
                if got is not None:
                    sl, X, Y = got
                    rng = self.rng(30, 1)
                    r2 = ((X - hx) ** 2 + (Y - hy) ** 2) / (radius * radius)
                    h = height * np.exp(-2.2 * r2) * (1 + 0.06 * _noise(rng, *X.shape, self.mpx(24)))
                    cx, cy, clen, cw = comp.cut
                    U, V = _local(X, Y, cx, cy, comp.angle)
                    cut = _rect_cov(U, V, cw, clen, max(2 * k, self.px))
                    h *= 1 - cut
                    shade = _shade(h, self.px, sun, 0.8)
                    rock = np.clip(h / height, 0, 1)
                    colour = np.array([184, 164, 134] if not self.green else [128, 112, 88], np.float32)
                    tex = (1 + 0.05 * _noise(rng, *X.shape, self.mpx(3)))[None]
                    _blend(img, sl, colour[:, None, None] * tex, 0.8 * rock)
                    _blend(img, sl, (196, 184, 160) if not self.green else (150, 138, 114), 0.45 * cut)
                    img[:, sl[0], sl[1]] *= shade[None]
            if comp.berm:
                grow = BERM_OFFSET * k
                got = self.canvas.around(comp.x, comp.y, math.hypot(comp.w, comp.h) / 2 + grow + 8 * k)
                if got is None:
                    continue
                sl, X, Y = got
                U, V = _local(X, Y, comp.x, comp.y, comp.angle)
                qu, qv = np.abs(U) - (comp.w / 2 + grow), np.abs(V) - (comp.h / 2 + grow)
                sd = np.hypot(np.maximum(qu, 0), np.maximum(qv, 0)) + np.minimum(np.maximum(qu, qv), 0)
                width = 4.5 * k
                h = 2.5 * k * np.clip(1 - (sd / width) ** 2, 0, 1)
                shade = _shade(h, self.px, sun, 0.8)
                earth = np.array([176, 156, 124] if not self.green else [134, 116, 92], np.float32)
                _blend(img, sl, earth, np.clip(h / (1.2 * k), 0, 0.85))
                img[:, sl[0], sl[1]] *= shade[None]

    def _shadow_height(self, st: Structure, after: bool) -> float:
        if st.type in ("fortified_storehouse", "tunnel_entrance"):
            return 0.0
        if st.new:
            return 0.35 * self.k if after else 0.0
        if after and st.status == "destroyed":
            return 0.6 * self.k
        if after and st.status == "severe":
            return st.height * 0.6
        return st.height

    def _shadows(self, img, sun, after):
        az, el = math.radians(sun[0]), math.radians(sun[1])
        layer = np.zeros(img.shape[1:], np.float32)
        subs = [(-0.25, -0.25), (0.25, -0.25), (-0.25, 0.25), (0.25, 0.25)]
        for st in self.layout.structures:
            h = self._shadow_height(st, after)
            if h <= 0:
                continue
            length = h / math.tan(el)
            ox, oy = -math.sin(az) * length, -math.cos(az) * length
            c, s = math.cos(st.angle), math.sin(st.angle)
            ou, ov = ox * c + oy * s, -ox * s + oy * c
            reach = math.hypot(st.length, st.width) / 2 + length + 1
            got = self.canvas.around(st.x + ox / 2, st.y + oy / 2, reach)
            if got is None:
                continue
            sl, X, Y = got
            U, V = _local(X, Y, st.x, st.y, st.angle)
            cov = np.zeros(X.shape, np.float32)
            for du, dv in subs:
                uu, vv = U + du * self.px, V + dv * self.px
                lo = np.zeros(X.shape, np.float32)
                hi = np.ones(X.shape, np.float32)
                for q, o, half in ((uu, ou, st.length / 2), (vv, ov, st.width / 2)):
                    if abs(o) < 1e-9:
                        lo = np.where(np.abs(q) <= half, lo, 2)
                    else:
                        t1, t2 = (q - half) / o, (q + half) / o
                        lo = np.maximum(lo, np.minimum(t1, t2))
                        hi = np.minimum(hi, np.maximum(t1, t2))
                cov += (lo <= hi)
            np.maximum(layer[sl], cov / 4, out=layer[sl])
        tint = np.array([0.42, 0.45, 0.53], np.float32)[:, None, None]
        img *= 1 - layer[None] * (1 - tint)

    # -- structures ---------------------------------------------------------------------

    def _structure(self, img, st: Structure, sun, after: bool):
        k = self.k
        if st.new and not after:
            return
        reach = math.hypot(st.length, st.width) / 2 + 10 * k + self.px * 2
        got = self.canvas.around(st.x, st.y, reach)
        if got is None:
            return
        sl, X, Y = got
        U, V = _local(X, Y, st.x, st.y, st.angle)
        rng = self.rng(50, st.index, 1 if after else 0)
        shape = X.shape
        if st.new:
            self._construction(img, sl, U, V, st, rng, shape)
            return
        colour, alpha = self._roof(st, U, V, sun, rng, shape)
        _blend(img, sl, colour, alpha)
        if not after or st.status == "intact":
            return
        if st.status == "destroyed":
            self._destroyed(img, sl, X, Y, U, V, st, rng, sun)
        elif st.status == "severe":
            self._severe(img, sl, X, Y, U, V, st, rng)
        elif st.status == "moderate":
            for x, y, r in st.details["holes"]:
                self._hole(img, sl, X, Y, x, y, r, rng, 0.65)
        elif st.status == "possible":
            for x, y, r in st.details["marks"]:
                d = np.hypot(X - x, Y - y)
                img[:, sl[0], sl[1]] *= (1 - 0.22 * np.exp(-(d / r) ** 2))[None]

    def _roof(self, st: Structure, U, V, sun, rng, shape):
        k, px = self.k, self.px
        tint = np.asarray(st.tint, np.float32)[:, None, None]
        tex = (1 + 0.015 * rng.standard_normal(shape, dtype=np.float32))[None]
        alpha = _rect_cov(U, V, st.length, st.width, px)
        t = st.type
        if t == "warehouse":
            h = st.height - 0.25 * np.abs(V)
            base = np.array([212, 215, 218], np.float32)
            seams = 1 - 0.05 * (np.abs(((U / (6 * k)) % 1) - 0.5) > 0.5 - px / (6 * k))
            colour = base[:, None, None] * tint * tex * _shade(h, px, sun, 0.3)[None] * seams[None]
        elif t == "hangar":
            h = st.height * np.sqrt(np.clip(1 - (2 * V / st.width) ** 2, 0.02, 1))
            base = np.array([182, 186, 190], np.float32)
            colour = base[:, None, None] * tint * tex * _shade(h, px, sun, 0.3)[None]
        elif t == "barracks":
            h = st.height - 0.3 * np.abs(U)
            palette = [(196, 186, 166), (150, 160, 142), (176, 180, 184), (190, 160, 136)]
            base = np.array(palette[st.palette], np.float32)
            colour = base[:, None, None] * tint * tex * _shade(h, px, sun, 0.5)[None]
        elif t == "fortified_storehouse":
            rho = ((np.abs(U) / (st.length / 2)) ** 4 + (np.abs(V) / (st.width / 2)) ** 4) ** 0.25
            h = st.height * np.clip(1 - rho ** 2, 0, 1)
            base = np.array([186, 166, 134] if not self.green else [120, 112, 80], np.float32)
            tex = (1 + 0.04 * _noise(rng, *shape, self.mpx(2)))[None]
            tint = 1 + (tint - 1) * 0.3
            colour = base[:, None, None] * tint * tex * _shade(h, px, sun, 0.4)[None]
            side = st.details.get("door", 1)
            uu = U * side
            face = (uu > st.length / 2 - 2.4 * k) & (np.abs(V) < 3.2 * k)
            door = (uu > st.length / 2 - 1.8 * k) & (np.abs(V) < 1.7 * k)
            colour = np.where(face[None], np.array([172, 170, 164], np.float32)[:, None, None], colour)
            colour = np.where(door[None], np.array([42, 40, 38], np.float32)[:, None, None], colour)
            alpha = np.clip((1 - rho) * min(st.length, st.width) / 2 / px + 0.5, 0, 1)
            alpha = np.maximum(alpha, _rect_cov(U, V, st.length, st.width, px) * face)
        elif t == "revetment":
            wall = 3.5 * k
            a, b = st.length / 2, st.width / 2
            inside_u = np.abs(U) <= a
            prof = []
            for d, ok in ((np.abs(V - (b - wall / 2)), inside_u), (np.abs(V + (b - wall / 2)), inside_u),
                          (np.abs(U + (a - wall / 2)), np.abs(V) <= b)):
                prof.append(np.where(ok, np.clip(1 - (d / (wall / 2)) ** 2, 0, 1), 0))
            h = st.height * np.maximum(np.maximum(prof[0], prof[1]), prof[2])
            floor = np.array([186, 176, 156] if not self.green else [140, 128, 104], np.float32)[:, None, None]
            earth = np.array([178, 156, 122] if not self.green else [124, 108, 84], np.float32)[:, None, None]
            mix = np.clip(h / (0.3 * st.height), 0, 1)[None]
            colour = (floor * (1 - mix) + earth * mix) * tint * tex * _shade(h, px, sun, 0.45)[None]
        elif t == "tunnel_entrance":
            colour = np.empty((3,) + shape, np.float32)
            colour[:] = np.array([166, 163, 156], np.float32)[:, None, None]
            opening = (np.abs(U) < st.length / 2 - 2.0 * k) & (V < st.width / 2 - 1.4 * k)
            depth = np.clip((st.width / 2 - V) / st.width, 0, 1)
            dark = np.array([40, 38, 37], np.float32)[:, None, None] * (1 - 0.3 * depth)[None]
            colour = np.where(opening[None], dark, colour)
        elif t == "bunker":
            base = np.array([156, 154, 148], np.float32)
            h = st.height * np.clip(1 - (np.maximum(np.abs(U) / (st.length / 2), np.abs(V) / (st.width / 2))) ** 6, 0, 1)
            colour = base[:, None, None] * tint * tex * _shade(h, px, sun, 0.6)[None]
        else:  # building and other
            palette = [(190, 182, 168), (204, 198, 186), (176, 170, 160), (198, 184, 160)]
            base = np.array(palette[st.palette], np.float32)
            edge = np.minimum(st.length / 2 - np.abs(U), st.width / 2 - np.abs(V))
            parapet = np.where(edge < max(0.8 * k, px), 0.84, 1.0).astype(np.float32)
            colour = base[:, None, None] * tint * tex * parapet[None]
            for u, v, a in st.details.get("ac", []):
                box = (np.abs(U - u) < a / 2) & (np.abs(V - v) < a / 2)
                colour = np.where(box[None], np.array([228, 228, 224], np.float32)[:, None, None], colour)
        return colour.astype(np.float32), alpha.astype(np.float32)

    def _rubble(self, rng, shape, metal: bool):
        n = np.clip(0.5 + 0.3 * _noise(rng, *shape, self.mpx(1.6)) + 0.25 * (rng.random(shape, dtype=np.float32) - 0.5), 0, 1)
        dark = np.array([70, 66, 62], np.float32)[:, None, None]
        grey = np.array([162, 154, 144], np.float32)[:, None, None]
        colour = dark + (grey - dark) * n[None]
        if metal:
            bright = rng.random(shape) > 0.94
            colour = np.where(bright[None], np.array([214, 214, 212], np.float32)[:, None, None], colour)
        return colour

    def _scorch(self, img, sl, field):
        black = np.array([32, 30, 29], np.float32)
        _blend(img, sl, black, np.clip(field, 0, 0.92).astype(np.float32))

    def _destroyed(self, img, sl, X, Y, U, V, st, rng, sun):
        k, px = self.k, self.px
        shape = X.shape
        d_out = _outside_dist(U, V, st.length, st.width)
        blotch = _noise(rng, *shape, self.mpx(3))
        spread = np.clip(1.5 * k + 1.2 * k * blotch, 0, None)
        debris = np.clip((spread - d_out) / px + 0.5, 0, 1)
        debris = np.maximum(debris, _rect_cov(U, V, st.length, st.width, px))
        _blend(img, sl, self._rubble(rng, shape, st.type in ("warehouse", "hangar")), debris)
        scorch = 0.8 * np.exp(-d_out / (4.5 * k)) * np.clip(0.55 + 0.5 * blotch, 0, 1)
        self._scorch(img, sl, scorch)
        for x, y, r in st.details.get("craters", []):
            self._crater(img, x, y, r, sun, rng, 0.5)

    def _severe(self, img, sl, X, Y, U, V, st, rng):
        k, px = self.k, self.px
        shape = X.shape
        side, fraction = st.details["side"], st.details["fraction"]
        cut = st.length / 2 - fraction * st.length
        blotch = _noise(rng, *shape, self.mpx(2.5))
        edge = cut + 1.5 * k * blotch
        part = np.clip((U * side - edge) / px + 0.5, 0, 1) * _rect_cov(U, V, st.length, st.width, px)
        _blend(img, sl, self._rubble(rng, shape, st.type in ("warehouse", "hangar")) * 0.8, part)
        cu = side * (st.length / 2 - fraction * st.length / 2)
        d = np.hypot(U - cu, V) / (fraction * st.length / 2 + 4 * k)
        scorch = 0.7 * np.exp(-d * d * 1.5) * np.clip(0.5 + 0.5 * blotch, 0, 1)
        self._scorch(img, sl, scorch)
        for x, y, r in st.details["holes"]:
            self._hole(img, sl, X, Y, x, y, r, rng, 0.5)

    def _hole(self, img, sl, X, Y, x, y, r, rng, scorch):
        d = np.hypot(X - x, Y - y)
        blotch = _noise(rng, *X.shape, self.mpx(1.5))
        halo = scorch * np.exp(-np.maximum(d - r, 0) / (1.2 * r)) * np.clip(0.6 + 0.5 * blotch, 0, 1)
        self._scorch(img, sl, halo)
        hole = np.clip((r - d) / self.px + 0.5, 0, 1).astype(np.float32)
        _blend(img, sl, (26, 25, 24), hole)

    def _construction(self, img, sl, U, V, st, rng, shape):
        k, px = self.k, self.px
        d_out = _outside_dist(U, V, st.length, st.width)
        blotch = _noise(rng, *shape, self.mpx(3))
        apron = np.clip((3.5 * k + 1.5 * k * blotch - d_out) / px + 0.5, 0, 1) * 0.45
        _blend(img, sl, (196, 184, 160) if not self.green else (150, 136, 112), apron)
        slab = _rect_cov(U, V, st.length, st.width, px)
        tex = (1 + 0.02 * rng.standard_normal(shape, dtype=np.float32))[None]
        _blend(img, sl, np.array([230, 226, 216], np.float32)[:, None, None] * tex, slab)
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
            _blend(img, sl, (132, 130, 124), mask.astype(np.float32))

    def _crater(self, img, x, y, r, sun, rng, scorch):
        got = self.canvas.around(x, y, r * 3.2)
        if got is None:
            return
        sl, X, Y = got
        d = np.hypot(X - x, Y - y) / r
        h = np.where(d < 1, -0.5 * r * (1 - d * d), 0) + 0.12 * r * np.exp(-((d - 1) / 0.35) ** 2)
        shade = _shade(h.astype(np.float32), self.px, sun, 0.8)
        blotch = _noise(rng, *X.shape, max(self.mpx(r / 3), 1.5))
        ejecta = np.clip((2.4 + 0.6 * blotch - d) / 1.4, 0, 1) * (d >= 0.9) * 0.45
        _blend(img, sl, (176, 170, 160), ejecta.astype(np.float32))
        inner = np.clip((1 - d) * r / self.px + 0.5, 0, 1).astype(np.float32)
        _blend(img, sl, np.array([118, 108, 96], np.float32) * 1.0, inner * 0.8)
        self._scorch(img, sl, scorch * np.exp(-d * d / 3) * np.clip(0.6 + 0.4 * blotch, 0, 1))
        img[:, sl[0], sl[1]] *= shade[None]

    # -- finishing ------------------------------------------------------------------------

    def _finish(self, img, after: bool) -> np.ndarray:
        # Optics: a light [1 2 1] blur in both directions.
        out = img.copy()
        out[:, 1:-1, :] = 0.25 * img[:, :-2, :] + 0.5 * img[:, 1:-1, :] + 0.25 * img[:, 2:, :]
        img[:, :, 1:-1] = 0.25 * out[:, :, :-2] + 0.5 * out[:, :, 1:-1] + 0.25 * out[:, :, 2:]
        img[:, :, 0] = out[:, :, 0]
        img[:, :, -1] = out[:, :, -1]
        del out
        rng = self.rng(60, 1 if after else 0)
        if after:
            gain = np.asarray(self.v.gain_after, np.float32)[:, None, None]
            offset = np.asarray(self.v.offset_after, np.float32)[:, None, None]
            img *= gain
            img += offset
        sigma = self.v.noise[1 if after else 0]
        noise = rng.standard_normal(img.shape, dtype=np.float32)
        noise *= sigma
        img += noise
        del noise
        np.clip(img, 1, 255, out=img)
        img += 0.5
        return img.astype(np.uint8)


# --------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------

def site_origin(size: int, pixel: float = PIXEL) -> tuple[float, float]:
    """Upper-left corner (UTM 37N metres, whole metres) of a site of ``size`` pixels."""
    wgs = osr.SpatialReference()
    wgs.ImportFromEPSG(4326)
    wgs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    utm = osr.SpatialReference()
    utm.ImportFromEPSG(EPSG)
    utm.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    x, y, _ = osr.CoordinateTransformation(wgs, utm).TransformPoint(CENTRE_LON, CENTRE_LAT)
    extent = size * pixel
    return float(round(x - extent / 2)), float(round(y + extent / 2))


def _mem_dataset(array: np.ndarray, origin, pixel, wkt):
    bands, rows, cols = array.shape
    ds = gdal.GetDriverByName("MEM").Create("", cols, rows, bands, gdal.GDT_Byte)
    ds.SetGeoTransform((origin[0], pixel, 0.0, origin[1], 0.0, -pixel))
    ds.SetProjection(wkt)
    for b in range(bands):
        ds.GetRasterBand(b + 1).WriteArray(array[b])
    return ds


def _write_tif(ds, path: Path, date: str, clock: str, description: str, nodata: int | None = None) -> None:
    for b, interp in enumerate((gdal.GCI_RedBand, gdal.GCI_GreenBand, gdal.GCI_BlueBand)):
        band = ds.GetRasterBand(b + 1)
        band.SetColorInterpretation(interp)
        if nodata is not None:
            band.SetNoDataValue(nodata)
    ds.SetMetadataItem("TIFFTAG_DATETIME", f"{date.replace('-', ':')} {clock}")
    ds.SetMetadataItem("TIFFTAG_IMAGEDESCRIPTION", description)
    ds.SetMetadataItem("TIFFTAG_SOFTWARE", "SiteWatch sample generator")
    path.unlink(missing_ok=True)
    Path(str(path) + ".aux.xml").unlink(missing_ok=True)
    gdal.Translate(
        str(path), ds, format="GTiff",
        creationOptions=["TILED=YES", "BLOCKXSIZE=256", "BLOCKYSIZE=256", "COMPRESS=DEFLATE",
                         "PREDICTOR=2", "ZLEVEL=6", "INTERLEAVE=PIXEL", "PHOTOMETRIC=RGB"],
    )
    out = gdal.Open(str(path), gdal.GA_Update)
    gdal.SetConfigOption("COMPRESS_OVERVIEW", "DEFLATE")
    gdal.SetConfigOption("PREDICTOR_OVERVIEW", "2")
    try:
        out.BuildOverviews("AVERAGE", list(OVERVIEWS))
    finally:
        gdal.SetConfigOption("COMPRESS_OVERVIEW", None)
        gdal.SetConfigOption("PREDICTOR_OVERVIEW", None)
    out = None
    Path(str(path) + ".aux.xml").unlink(missing_ok=True)


def _wkt_polygon(points, cx, cy) -> str:
    ring = list(points) + [points[0]]
    return "POLYGON((" + ", ".join(f"{cx + x:.3f} {cy + y:.3f}" for x, y in ring) + "))"


def _wkt_multiline(lines, cx, cy) -> str:
    parts = ["(" + ", ".join(f"{cx + x:.3f} {cy + y:.3f}" for x, y in line) + ")" for line in lines]
    return "MULTILINESTRING(" + ", ".join(parts) + ")"


def _footprint_wkt(path: Path, srs_utm: osr.SpatialReference) -> str:
    ds = gdal.Open(str(path))
    gt = ds.GetGeoTransform()
    cols, rows = ds.RasterXSize, ds.RasterYSize
    src = osr.SpatialReference()
    src.ImportFromWkt(ds.GetProjection())
    src.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    ds = None
    transform = None if src.IsSame(srs_utm) else osr.CoordinateTransformation(src, srs_utm)
    ring = []
    steps = 8
    edges = ([(i / steps, 0) for i in range(steps)] + [(1, i / steps) for i in range(steps)]
             + [(1 - i / steps, 1) for i in range(steps)] + [(0, 1 - i / steps) for i in range(steps)])
    if transform is None:
        edges = [(0, 0), (1, 0), (1, 1), (0, 1)]
    for fx, fy in edges:
        x = gt[0] + fx * cols * gt[1] + fy * rows * gt[2]
        y = gt[3] + fx * cols * gt[4] + fy * rows * gt[5]
        if transform is not None:
            x, y, _ = transform.TransformPoint(x, y)
        ring.append((x, y))
    ring.append(ring[0])
    return "POLYGON((" + ", ".join(f"{x:.3f} {y:.3f}" for x, y in ring) + "))"


def _write_truth(path: Path, variant: Variant, layout: Layout, cx: float, cy: float,
                 before: Path, after: Path, berm_offset: float) -> None:
    from qgis.core import QgsApplication, QgsCoordinateReferenceSystem

    from ..core.observations import Observation
    from ..core.store import GeoPackageStore

    global _QGIS_APP
    if QgsApplication.instance() is None:
        _QGIS_APP = QgsApplication([], False)
        _QGIS_APP.initQgis()

    created = f"{variant.after_date}T18:00:00Z"
    store = GeoPackageStore.create(path, QgsCoordinateReferenceSystem(f"EPSG:{EPSG}"),
                                   overwrite=True, site_name=variant.site_name)
    utm = osr.SpatialReference()
    utm.ImportFromEPSG(EPSG)
    utm.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    store.add_features("imagery", [
        {"image_id": "IMG-0001", "acquired": variant.before_date, "source": SOURCE, "sensor": variant.sensor,
         "uri": before.name, "gsd_m": PIXEL, "notes": f"Before image, sun azimuth {variant.sun_before[0]:g}°",
         "geometry": _footprint_wkt(before, utm)},
        {"image_id": "IMG-0002", "acquired": variant.after_date, "source": SOURCE, "sensor": variant.sensor,
         "uri": after.name, "gsd_m": variant.after_gsd,
         "notes": f"After image, sun azimuth {variant.sun_after[0]:g}°",
         "geometry": _footprint_wkt(after, utm)},
    ])
    store.add_features("compounds", [
        {"compound_id": c.cid, "name": c.name, "notes": f"Fenced compound ({c.kind})",
         "geometry": _wkt_polygon(c.corners(), cx, cy)}
        for c in layout.compounds
    ])
    store.add_features("structures", [
        {"structure_id": s.sid, "type": s.type, "name": s.name,
         "notes": "Built between the two images" if s.new else None,
         "created_by": GENERATOR, "created_at": created,
         "geometry": _wkt_polygon(s.corners(), cx, cy)}
        for s in layout.structures
    ])
    linear = []
    for road in layout.roads:
        linear.append(("road", [road], "Dirt road"))
    for c in layout.compounds:
        ring = c.corners()
        linear.append(("fence", [ring + [ring[0]]], f"Perimeter fence of {c.cid}"))
    linear_rows = []
    for n, (kind, lines, note) in enumerate(linear):
        linear_rows.append({"feature_id": f"L-{n + 1:04d}", "type": kind, "first_seen": variant.before_date,
                            "notes": note, "geometry": _wkt_multiline(lines, cx, cy)})
    for c in layout.compounds:
        if c.berm:
            ring = c.corners(berm_offset)
            linear_rows.append({"feature_id": f"L-{len(linear_rows) + 1:04d}", "type": "berm",
                                "first_seen": variant.before_date, "notes": f"Earth berm around {c.cid}",
                                "geometry": _wkt_multiline([ring + [ring[0]]], cx, cy)})
    store.add_features("linear_features", linear_rows)
    store.add_features("point_features", [
        {"feature_id": f"P-{n + 1:04d}", "type": "impact_crater", "observed_on": variant.after_date,
         "image_id": "IMG-0002", "notes": f"Crater on {sid}" if sid else "Crater in open ground",
         "geometry": f"POINT({cx + x:.3f} {cy + y:.3f})"}
        for n, (x, y, r, sid) in enumerate(layout.craters)
    ])
    observations = []
    for s in layout.structures:
        observations.append(Observation(
            s.sid, variant.before_date, "absent" if s.new else "intact", "IMG-0001", "high", ANALYST, created))
        observations.append(Observation(
            s.sid, variant.after_date, s.status, "IMG-0002", "high", ANALYST, created))
    store.record_observations(observations)
    store.refresh_compound_ids()


_QGIS_APP = None
BERM_OFFSET = 11.0
"""Design distance (metres) of the berms outside the fences they surround."""


def generate_site(out_dir, variant: str = "desert", size: int = 4000) -> SiteFiles:
    """Write the before and after GeoTIFFs and the truth GeoPackage of a sample site."""
    if variant not in VARIANTS:
        raise ValueError(f"Unknown variant '{variant}'; use one of {', '.join(VARIANTS)}.")
    if size < 400:
        raise ValueError("The sample site needs at least 400 pixels per side.")
    v = VARIANTS[variant]
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    scale = size * PIXEL / DESIGN_EXTENT
    layout = make_layout(v).scaled(scale)

    origin = site_origin(size)
    extent = size * PIXEL
    cx, cy = origin[0] + extent / 2, origin[1] - extent / 2
    utm = osr.SpatialReference()
    utm.ImportFromEPSG(EPSG)
    wkt = utm.ExportToWkt()

    before_tif = out / f"{v.prefix}_before_{v.before_date}.tif"
    after_tif = out / f"{v.prefix}_after_{v.after_date}.tif"
    painter = _Painter(v, layout, size, scale)
    ground = painter.ground()
    before = painter.image(ground, "before")
    ds = _mem_dataset(before, origin, PIXEL, wkt)
    del before
    _write_tif(ds, before_tif, v.before_date, v.before_time,
               f"SiteWatch synthetic sample ({v.name}), before, {v.before_date}")
    ds = None
    after = painter.image(ground, "after")
    del ground
    ds = _mem_dataset(after, origin, PIXEL, wkt)
    del after
    nodata = None
    if v.after_epsg != EPSG:
        target = osr.SpatialReference()
        target.ImportFromEPSG(v.after_epsg)
        target.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
        if target.IsGeographic():
            lat = math.radians(CENTRE_LAT)
            x_res = v.after_gsd / (111320.0 * math.cos(lat))
            y_res = v.after_gsd / 110950.0
        else:
            x_res = y_res = v.after_gsd / math.cos(math.radians(CENTRE_LAT))
        ds = gdal.Warp("", ds, format="MEM", dstSRS=target.ExportToWkt(), xRes=x_res, yRes=y_res,
                       resampleAlg="bilinear", dstNodata=0, multithread=False)
        nodata = 0
    _write_tif(ds, after_tif, v.after_date, v.after_time,
               f"SiteWatch synthetic sample ({v.name}), after, {v.after_date}", nodata)
    ds = None

    gpkg = out / v.gpkg_name
    _write_truth(gpkg, v, layout, cx, cy, before_tif, after_tif, BERM_OFFSET * scale)
    return SiteFiles(before_tif, after_tif, gpkg, v.before_date, v.after_date, v.name)


def truth_statuses(gpkg_path, date: str) -> dict[str, str]:
    """Truth status of every structure at ``date`` (for evaluating the change scorer only)."""
    from ..core.observations import status_at
    from ..core.store import GeoPackageStore

    return status_at(GeoPackageStore.open(gpkg_path).observations(), date)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python3 -m sitewatch.sample.generate_site",
        description="Write SiteWatch's synthetic sample site: before/after GeoTIFFs and the truth GeoPackage.",
    )
    parser.add_argument("out_dir", help="folder to write into (created if missing)")
    parser.add_argument("--variant", choices=sorted(VARIANTS), default="desert")
    parser.add_argument("--size", type=int, default=4000, help="pixels per side (0.5 m each; default 4000)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    files = generate_site(args.out_dir, args.variant, args.size)
    elapsed = time.perf_counter() - started
    statuses = truth_statuses(files.assessment_gpkg, files.after_date)
    counts: dict[str, int] = {}
    for status in statuses.values():
        counts[status] = counts.get(status, 0) + 1
    print(f"before:     {files.before_tif} ({files.before_date})")
    print(f"after:      {files.after_tif} ({files.after_date})")
    print(f"assessment: {files.assessment_gpkg}")
    print(f"structures: {len(statuses)} — " + ", ".join(f"{k} {counts[k]}" for k in sorted(counts)))
    print(f"done in {elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
