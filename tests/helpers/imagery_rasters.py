"""Small GeoTIFFs of known colour, place and metadata for the imagery and compare tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from osgeo import gdal, osr

gdal.UseExceptions()

SITE = (500_000.0, 3_700_000.0, 500_400.0, 3_700_300.0)
"""A 400 m × 300 m site in UTM 37N (EPSG:32637)."""


def write_raster(
    path: Path,
    colour: tuple[int, int, int] = (200, 40, 40),
    extent: tuple[float, float, float, float] = SITE,
    epsg: int | None = 32637,
    size: tuple[int, int] = (80, 60),
    metadata: dict[str, dict[str, str]] | None = None,
    bands: int = 3,
) -> Path:
    """A ``bands``-band uint8 GeoTIFF filled with ``colour`` covering ``extent``; one pixel
    in 16 is 0 and one is 255, so the linked 0–99 % stretch keeps the colour as it is."""
    width, height = size
    dataset = gdal.GetDriverByName("GTiff").Create(str(path), width, height, bands, gdal.GDT_Byte)
    xmin, ymin, xmax, ymax = extent
    dataset.SetGeoTransform((xmin, (xmax - xmin) / width, 0, ymax, 0, -(ymax - ymin) / height))
    if epsg is not None:
        srs = osr.SpatialReference()
        srs.ImportFromEPSG(epsg)
        dataset.SetProjection(srs.ExportToWkt())
    for index in range(bands):
        values = np.full((height, width), colour[index % 3], dtype=np.uint8)
        values[::4, ::4] = 0
        values[2::4, 2::4] = 255
        dataset.GetRasterBand(index + 1).WriteArray(values)
    for domain, items in (metadata or {}).items():
        dataset.SetMetadata(items, domain)
    dataset = None
    return path
