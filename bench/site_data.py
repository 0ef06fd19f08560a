"""A synthetic assessment of any size for the damage benchmarks (deterministic, numpy + OGR).

Compounds are 200 m squares on a 250 m grid; each structure is a 8–20 m rectangle placed in a
random compound (some straddle its edge) or, for one in ten, anywhere in the site. Every
structure has observations on a few of the site's image dates with random statuses.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
from osgeo import ogr
from qgis.core import QgsCoordinateReferenceSystem

from sitewatch.core import values
from sitewatch.core.assessment.geopackage import GeoPackageStore

DATES = ("2019-03-02", "2019-06-11", "2019-09-01", "2020-01-08", "2020-06-15", "2020-11-30", "2021-02-20", "2021-07-04")
ORIGIN = (500_000.0, 3_600_000.0)


def _rectangle_wkt(x: float, y: float, w: float, h: float) -> str:
    return (
        f"MULTIPOLYGON ((({x:.2f} {y:.2f},{x + w:.2f} {y:.2f},{x + w:.2f} {y + h:.2f},"
        f"{x:.2f} {y + h:.2f},{x:.2f} {y:.2f})))"
    )


def generate(path: Path, n_structures: int, n_observations: int, n_compounds: int, seed: int = 5) -> GeoPackageStore:
    """Write a new assessment at ``path`` holding the requested numbers of features."""
    rng = np.random.default_rng(seed)
    store = GeoPackageStore.create(path, QgsCoordinateReferenceSystem("EPSG:32637"), overwrite=True)
    columns = max(1, int(np.ceil(np.sqrt(n_compounds * 1.6))))
    dataset = ogr.Open(str(store.path), update=1)
    try:
        dataset.StartTransaction()
        layer = dataset.GetLayerByName("compounds")
        defn = layer.GetLayerDefn()
        for number in range(n_compounds):
            x = ORIGIN[0] + (number % columns) * 250.0
            y = ORIGIN[1] + (number // columns) * 250.0
            feature = ogr.Feature(defn)
            feature.SetField("compound_id", f"C-{number + 1:04d}")
            feature.SetGeometry(ogr.CreateGeometryFromWkt(_rectangle_wkt(x, y, 200.0, 200.0)))
            layer.CreateFeature(feature)
        rows = max(1, -(-n_compounds // columns))
        compound = rng.integers(0, max(1, n_compounds), n_structures)
        xs = ORIGIN[0] + (compound % columns) * 250.0 + rng.uniform(-5.0, 195.0, n_structures)
        ys = ORIGIN[1] + (compound // columns) * 250.0 + rng.uniform(-5.0, 195.0, n_structures)
        outside = rng.random(n_structures) < 0.1
        xs[outside] = ORIGIN[0] + rng.uniform(0, columns * 250.0, outside.sum())
        ys[outside] = ORIGIN[1] + rng.uniform(0, rows * 250.0, outside.sum())
        widths = rng.uniform(8.0, 20.0, n_structures)
        heights = rng.uniform(8.0, 20.0, n_structures)
        types = values.codes(values.STRUCTURE_TYPES)
        type_index = rng.integers(0, len(types), n_structures)
        layer = dataset.GetLayerByName("structures")
        defn = layer.GetLayerDefn()
        for number in range(n_structures):
            feature = ogr.Feature(defn)
            feature.SetField("structure_id", f"S-{number + 1:06d}")
            feature.SetField("type", types[type_index[number]])
            feature.SetGeometry(
                ogr.CreateGeometryFromWkt(_rectangle_wkt(xs[number], ys[number], widths[number], heights[number]))
            )
            layer.CreateFeature(feature)
        dataset.CommitTransaction()
    finally:
        dataset = None
    statuses = values.codes(values.STATUSES)
    pairs = np.sort(
        rng.choice(n_structures * len(DATES), min(n_observations, n_structures * len(DATES)), replace=False)
    )
    status_index = rng.integers(0, len(statuses), len(pairs))
    connection = sqlite3.connect(store.path)
    try:
        connection.executemany(
            "INSERT INTO observations (structure_id, observed_on, status, analyst) VALUES (?, ?, ?, 'bench')",
            (
                (f"S-{pair // len(DATES) + 1:06d}", DATES[pair % len(DATES)], statuses[s])
                for pair, s in zip(pairs.tolist(), status_index.tolist())
            ),
        )
        connection.commit()
    finally:
        connection.close()
    return store
