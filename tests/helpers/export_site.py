"""A small, fully known site for the export tests: two GeoTIFFs, three compounds (one with a
non-ASCII name), twelve structures with observations at two dates, lines and points."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from osgeo import gdal, osr
from qgis.core import QgsCoordinateReferenceSystem

from sitewatch.core.assessment.geopackage import GeoPackageStore
from sitewatch.core.assessment.observations import Observation

BEFORE, AFTER = "2019-09-01", "2020-01-08"
ORIGIN = (500000.0, 3600300.0)
PIXEL = 0.5
SIZE = 600
ARABIC_NAME = "Ḥamdān depot — قاعدة"
COMPOUNDS = (
    ("C-0001", ARABIC_NAME, (20, 20, 140, 140)),
    ("C-0002", "North barracks", (160, 160, 290, 290)),
    ("C-0003", "Empty yard", (160, 20, 290, 100)),
)
# structure id, type, (x0, y0) in metres from ORIGIN's lower-left, size, before status, after status
STRUCTURES = (
    ("S-0001", "warehouse", (30, 30), 20, "intact", "destroyed"),
    ("S-0002", "warehouse", (60, 30), 20, "intact", "severe"),
    ("S-0003", "fortified_storehouse", (90, 30), 20, "intact", "intact"),
    ("S-0004", "bunker", (30, 80), 15, "intact", "moderate"),
    ("S-0005", "tunnel_entrance", (70, 90), 10, "possible", "possible"),
    ("S-0006", "hangar", (100, 90), 30, "absent", "construction"),
    ("S-0007", "barracks", (170, 170), 25, "intact", "destroyed"),
    ("S-0008", "barracks", (210, 170), 25, "severe", "intact"),
    ("S-0009", "barracks", (250, 170), 25, "intact", "unknown"),
    ("S-0010", "building", (170, 230), 20, "intact", "intact"),
    ("S-0011", "building", (220, 240), 20, None, "destroyed"),
    ("S-0012", "other", (120, 250), 15, "intact", "possible"),
)


def _rectangle(x0: float, y0: float, x1: float, y1: float) -> str:
    """A rectangle given in metres from the lower-left corner of the images."""
    left, bottom = ORIGIN[0], ORIGIN[1] - SIZE * PIXEL
    return (
        f"MULTIPOLYGON((({left + x0} {bottom + y0},{left + x1} {bottom + y0},{left + x1} {bottom + y1},"
        f"{left + x0} {bottom + y1},{left + x0} {bottom + y0})))"
    )


def _square(x0: float, y0: float, size: float) -> str:
    return _rectangle(x0, y0, x0 + size, y0 + size)


def _write_image(path: Path, after: bool) -> None:
    rng = np.random.default_rng(7 if after else 3)
    sand = 170 + rng.normal(0, 9, (SIZE, SIZE))
    bands = np.stack([sand * 1.0, sand * 0.86, sand * 0.66])
    for _sid, _type, (x0, y0), size, before_status, after_status in STRUCTURES:
        status = after_status if after else before_status
        if status in (None, "absent"):
            continue
        col0, row0 = int(x0 / PIXEL), int(SIZE - (y0 + size) / PIXEL)
        block = (slice(row0, row0 + int(size / PIXEL)), slice(col0, col0 + int(size / PIXEL)))
        tone = {"destroyed": 60, "severe": 95}.get(status, 225)
        for band in bands:
            band[block] = tone + rng.normal(0, 6, band[block].shape)
    dataset = gdal.GetDriverByName("GTiff").Create(str(path), SIZE, SIZE, 3, gdal.GDT_Byte)
    dataset.SetGeoTransform((ORIGIN[0], PIXEL, 0, ORIGIN[1], 0, -PIXEL))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32637)
    dataset.SetProjection(srs.ExportToWkt())
    for index, band in enumerate(bands, start=1):
        dataset.GetRasterBand(index).WriteArray(np.clip(band, 0, 255).astype(np.uint8))
    dataset = None


def build_site(folder: Path) -> GeoPackageStore:
    """The site's assessment in ``folder/site.gpkg`` with its images beside it."""
    folder.mkdir(parents=True, exist_ok=True)
    store = GeoPackageStore.create(
        folder / "site.gpkg", QgsCoordinateReferenceSystem("EPSG:32637"), site_name="Tall Ḥamdān site"
    )
    footprint = _square(0, 0, SIZE * PIXEL).replace("MULTIPOLYGON", "")[1:-1]
    images = []
    for image_id, date, name in (("IMG-0001", BEFORE, "before.tif"), ("IMG-0002", AFTER, "after.tif")):
        _write_image(folder / name, after=date == AFTER)
        images.append(
            {
                "image_id": image_id,
                "acquired": date,
                "source": "Maxar WorldView-3" if date == AFTER else "Airbus Pléiades",
                "sensor": "WV03" if date == AFTER else "PHR1A",
                "uri": name,
                "gsd_m": PIXEL,
                "geometry": f"POLYGON{footprint}",
            }
        )
    store.add_features("imagery", images)
    store.add_features(
        "compounds",
        [
            {"compound_id": cid, "name": name, "geometry": _rectangle(x0, y0, x1, y1)}
            for cid, name, (x0, y0, x1, y1) in COMPOUNDS
        ],
    )
    store.add_features(
        "structures",
        [
            {"structure_id": sid, "type": kind, "name": f"{kind} {sid[-2:]}", "geometry": _square(x0, y0, size)}
            for sid, kind, (x0, y0), size, _b, _a in STRUCTURES
        ],
    )
    store.refresh_compound_ids()
    observations = []
    for sid, _kind, _xy, _size, before, after in STRUCTURES:
        if before is not None:
            observations.append(Observation(sid, BEFORE, before, "IMG-0001", "high", "Zoë Analyst"))
        observations.append(
            Observation(
                sid,
                AFTER,
                after,
                "IMG-0002",
                "medium",
                "Zoë Analyst",
                notes="roof gone — سقف" if after == "destroyed" else None,
            )
        )
    store.record_observations(observations)
    store.record_observation(Observation("S-0002", AFTER, "severe", "IMG-0002", "high", "Reviewer"))
    store.add_features(
        "linear_features",
        [
            {
                "feature_id": "L-0001",
                "type": "road",
                "first_seen": BEFORE,
                "geometry": f"MULTILINESTRING(({ORIGIN[0]} {ORIGIN[1] - 150},{ORIGIN[0] + 300} {ORIGIN[1] - 150}))",
            },
        ],
    )
    store.add_features(
        "point_features",
        [
            {
                "feature_id": "P-0001",
                "type": "impact_crater",
                "observed_on": AFTER,
                "image_id": "IMG-0002",
                "geometry": f"POINT({ORIGIN[0] + 150} {ORIGIN[1] - 100})",
            },
        ],
    )
    return store
