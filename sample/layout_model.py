"""The site layout as data: compounds, structures, roads, wadis and craters, in local metres.

Local metres have their origin at the site centre, x east and y north. :func:`layout.make_layout`
builds a layout on the 2 km design square; :meth:`Layout.scaled` fits it to the site size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

BERM_OFFSET = 11.0
"""Design distance (metres) of the berms outside the fences they surround."""


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
        return [(self.x + u * c - v * s, self.y + u * s + v * c) for u, v in ((-a, -b), (a, -b), (a, b), (-a, b))]

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
            compounds.append(
                Compound(
                    c.cid,
                    c.kind,
                    c.name,
                    c.x * k,
                    c.y * k,
                    c.w * k,
                    c.h * k,
                    c.angle,
                    c.berm,
                    None if c.hill is None else tuple(v * k for v in c.hill),
                    None if c.cut is None else tuple(v * k for v in c.cut),
                )
            )
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
            structures.append(
                Structure(
                    s.index,
                    s.sid,
                    s.type,
                    s.name,
                    s.compound,
                    s.x * k,
                    s.y * k,
                    s.length * k,
                    s.width * k,
                    s.angle,
                    s.height * k,
                    s.new,
                    s.status,
                    s.tint,
                    s.palette,
                    details,
                )
            )
        return Layout(
            compounds,
            structures,
            [[(x * k, y * k) for x, y in road] for road in self.roads],
            [([(x * k, y * k) for x, y in pts], [w * k for w in widths]) for pts, widths in self.wadis],
            [(x * k, y * k, r * k, sid) for x, y, r, sid in self.craters],
        )
