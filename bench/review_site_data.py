"""The synthetic site of the review benchmarks, of any size, cached under ``.build/bench``.

Compounds are 200 m squares on a 250 m grid; structures are 10 m squares laid out in rows
inside their compound (``compound_id`` written directly); every structure has one observation
on each of the first ``dates`` image dates (60 days apart from 2019-01-01), with statuses in a
fixed rotation. Building 250,000 structures × 14 dates takes a few minutes, so a built site is
kept under ``.build/bench`` and copied for each run (a run records states into its copy).
"""

from __future__ import annotations

import datetime
import shutil
import sqlite3
from pathlib import Path

from osgeo import ogr
from qgis.core import QgsCoordinateReferenceSystem

from sitewatch.core import values
from sitewatch.core.assessment.geopackage import GeoPackageStore

CACHE = Path(__file__).resolve().parent.parent / ".build" / "bench"
START = datetime.date(2019, 1, 1)
STATUS_ROTATION = ("intact", "intact", "possible", "moderate", "severe", "destroyed")


def image_date(number: int) -> str:
    """The acquisition date of image ``number`` (0-based)."""
    return (START + datetime.timedelta(days=60 * number)).isoformat()


def _square(x: float, y: float, width: float) -> str:
    return f"POLYGON(({x} {y},{x + width} {y},{x + width} {y + width},{x} {y + width},{x} {y}))"


def build(path: Path, structures: int, dates: int, compounds: int) -> None:
    """Write the site at ``path`` (replacing it)."""
    GeoPackageStore.create(path, QgsCoordinateReferenceSystem("EPSG:32637"), site_name="Bench site", overwrite=True)
    columns = max(1, int(compounds**0.5))
    per_compound = -(-structures // compounds)
    per_row = max(1, int(per_compound**0.5) + 1)
    step = 190.0 / per_row
    types = values.codes(values.STRUCTURE_TYPES)
    dataset = ogr.Open(str(path), update=1)
    try:
        dataset.StartTransaction()
        layer = dataset.GetLayerByName("compounds")
        for number in range(compounds):
            feature = ogr.Feature(layer.GetLayerDefn())
            feature.SetField("compound_id", f"C-{number + 1:04d}")
            x0, y0 = 500_000.0 + (number % columns) * 250.0, 3_000_000.0 + (number // columns) * 250.0
            feature.SetGeometry(ogr.CreateGeometryFromWkt(_square(x0, y0, 200.0)))
            layer.CreateFeature(feature)
        layer = dataset.GetLayerByName("structures")
        for n in range(structures):
            compound, slot = divmod(n, per_compound)
            x0, y0 = 500_000.0 + (compound % columns) * 250.0, 3_000_000.0 + (compound // columns) * 250.0
            feature = ogr.Feature(layer.GetLayerDefn())
            feature.SetField("structure_id", f"S-{n + 1:06d}")
            feature.SetField("type", types[n % len(types)])
            feature.SetField("compound_id", f"C-{compound + 1:04d}")
            x, y = x0 + 5 + (slot % per_row) * step, y0 + 5 + (slot // per_row) * step
            feature.SetGeometry(ogr.CreateGeometryFromWkt(_square(x, y, step * 0.7)))
            layer.CreateFeature(feature)
        dataset.CommitTransaction()
    finally:
        dataset = None
    connection = sqlite3.connect(path)
    try:
        connection.executemany(
            "INSERT INTO observations (structure_id, observed_on, status, image_id, confidence, analyst) "
            "VALUES (?, ?, ?, ?, 'high', 'bench')",
            (
                (f"S-{n + 1:06d}", image_date(d), STATUS_ROTATION[(n + d) % len(STATUS_ROTATION)], f"IMG-{d + 1:04d}")
                for d in range(dates)
                for n in range(structures)
            ),
        )
        connection.commit()
    finally:
        connection.close()


def cached_copy(folder: Path, structures: int, dates: int, compounds: int) -> Path:
    """A fresh copy, in ``folder``, of the site built once under ``.build/bench``."""
    cached = CACHE / f"review-{structures}x{dates}x{compounds}.gpkg"
    if not cached.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(".partial.gpkg")
        build(partial, structures, dates, compounds)
        partial.replace(cached)
    copy = folder / "bench.gpkg"
    shutil.copyfile(cached, copy)
    return copy
