"""The fast assignment of structures to compounds agrees with the compound index."""

from __future__ import annotations

import random

from qgis.core import QgsGeometry

from sitewatch.core.annotation.compound_assignment import assign_compounds
from sitewatch.core.annotation.compounds import CompoundIndex
from sitewatch.core.scoring.footprints import decode


def test_fast_assignment_agrees_with_compound_index():
    """Random footprints against overlapping, concave, holed and touching compounds."""
    rng = random.Random(7)
    compounds = [
        QgsGeometry.fromWkt("POLYGON((0 0,100 0,100 100,0 100,0 0))"),
        QgsGeometry.fromWkt("POLYGON((80 0,180 0,180 100,80 100,80 0))"),  # overlaps the first
        QgsGeometry.fromWkt("POLYGON((200 0,300 0,300 100,250 40,200 100,200 0))"),  # concave
        QgsGeometry.fromWkt("POLYGON((0 150,100 150,100 250,0 250,0 150),(40 190,60 190,60 210,40 210,40 190))"),
        QgsGeometry.fromWkt(
            "MULTIPOLYGON(((200 150,250 150,250 250,200 250,200 150)),((250 150,300 150,300 250,250 250,250 150)))"
        ),
    ]
    ids = [f"C-{n}" for n in range(len(compounds))]
    wkbs = []
    for _ in range(1500):
        x, y, w, h = rng.uniform(-20, 320), rng.uniform(-20, 270), rng.uniform(1, 30), rng.uniform(1, 30)
        if rng.random() < 0.1:
            wkt = (
                f"MULTIPOLYGON((({x} {y},{x + w} {y},{x + w} {y + h},{x} {y})),"
                f"(({x} {y + 40},{x + 5} {y + 40},{x} {y + 45},{x} {y + 40})))"
            )
        else:
            wkt = f"POLYGON(({x} {y},{x + w} {y},{x + w} {y + h},{x} {y + h},{x} {y}))"
        wkbs.append(bytes(QgsGeometry.fromWkt(wkt).asWkb()))
    wkbs.append(bytes(QgsGeometry.fromWkt("POLYGON((40 195,45 195,45 200,40 200,40 195))").asWkb()))  # in the hole
    wkbs.append(bytes(QgsGeometry.fromWkt("POLYGON((30 180,70 180,70 220,30 220,30 180))").asWkb()))  # around it
    footprints = decode(wkbs)
    fast = assign_compounds(footprints, ids, compounds)
    index = CompoundIndex(zip(ids, compounds))
    expected = [index.assign(footprints.geometry(n)) for n in range(len(wkbs))]
    assert [None if n < 0 else ids[n] for n in fast.tolist()] == expected
    assert expected[-2] is None and expected[-1] == "C-3"
    assert footprints.simple.sum() > 1000


def test_grid_assignment_agrees_with_compound_index_near_many_edges():
    """Star-shaped compounds with long slanted edges, footprints larger than the grid's cells,
    a compound wholly inside a footprint and footprints far outside every compound: the grids
    that pick the edges near each footprint leave none out."""
    import math

    rng = random.Random(11)
    compounds = []
    for _ in range(40):
        x, y, corners = rng.uniform(0, 600), rng.uniform(0, 600), rng.randint(3, 12)
        ring = []
        for corner in range(corners):
            angle, radius = 2 * math.pi * corner / corners, rng.uniform(20, 120)
            ring.append(f"{x + radius * math.cos(angle)} {y + radius * math.sin(angle)}")
        geometry = QgsGeometry.fromWkt(f"POLYGON(({','.join(ring + ring[:1])}))")
        compounds.append(geometry if geometry.isGeosValid() else geometry.makeValid())
    compounds.append(QgsGeometry.fromWkt("POLYGON((300 300,303 300,303 303,300 303,300 300))"))
    ids = [f"C-{n:02d}" for n in range(len(compounds))]
    wkbs = []
    for _ in range(3000):
        x, y, w, h = rng.uniform(-100, 800), rng.uniform(-100, 800), rng.uniform(1, 20), rng.uniform(1, 20)
        if rng.random() < 0.03:
            w, h = w * 12, h * 12
        wkbs.append(
            bytes(QgsGeometry.fromWkt(f"POLYGON(({x} {y},{x + w} {y},{x + w} {y + h},{x} {y + h},{x} {y}))").asWkb())
        )
    wkbs.append(bytes(QgsGeometry.fromWkt("POLYGON((290 290,310 290,310 310,290 310,290 290))").asWkb()))
    footprints = decode(wkbs)
    fast = assign_compounds(footprints, ids, compounds)
    index = CompoundIndex(zip(ids, compounds))
    expected = [index.assign(footprints.geometry(n)) for n in range(len(wkbs))]
    assert [None if n < 0 else ids[n] for n in fast.tolist()] == expected
    assert sum(e is not None for e in expected) > 500 and expected.count(None) > 500
