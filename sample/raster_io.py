"""Write the sample images as tiled, compressed RGB GeoTIFFs with overviews.

The before image stays on the site's UTM grid; the after image is reprojected when its
variant asks for another CRS (the green variant's is geographic), with 0 as nodata.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from osgeo import gdal, osr

from .variants import CENTRE_LAT, CENTRE_LON, EPSG, PIXEL, Variant

gdal.UseExceptions()
osr.UseExceptions()

OVERVIEWS = (2, 4, 8, 16)


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


def write_site_image(array: np.ndarray, path: Path, origin: tuple[float, float], variant: Variant, when: str) -> None:
    """Write the painted image of ``when`` ("before" or "after") at ``path``."""
    utm = osr.SpatialReference()
    utm.ImportFromEPSG(EPSG)
    if when == "after" and variant.after_shift_px != (0.0, 0.0):  # a co-registration error
        east, south = variant.after_shift_px
        origin = (origin[0] + east * PIXEL, origin[1] - south * PIXEL)
    ds = _mem_dataset(array, origin, PIXEL, utm.ExportToWkt())
    nodata = None
    if when == "after" and (variant.after_epsg != EPSG or variant.after_gsd != PIXEL):
        ds = _reprojected(ds, variant)
        nodata = 0
    if when == "after":
        date, clock = variant.after_date, variant.after_time
    else:
        date, clock = variant.before_date, variant.before_time
    _write_tif(ds, path, date, clock, f"SiteWatch synthetic sample ({variant.name}), {when}, {date}", nodata)


def _reprojected(ds, variant: Variant):
    """``ds`` warped into the after image's CRS at its ground sample distance (0 outside the site)."""
    target = osr.SpatialReference()
    target.ImportFromEPSG(variant.after_epsg)
    target.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    if target.IsGeographic():
        lat = math.radians(CENTRE_LAT)
        x_res = variant.after_gsd / (111320.0 * math.cos(lat))
        y_res = variant.after_gsd / 110950.0
    elif target.GetAuthorityCode(None) == "3857":  # Web Mercator stretches by 1 / cos(latitude)
        x_res = y_res = variant.after_gsd / math.cos(math.radians(CENTRE_LAT))
    else:
        x_res = y_res = variant.after_gsd
    return gdal.Warp(
        "",
        ds,
        format="MEM",
        dstSRS=target.ExportToWkt(),
        xRes=x_res,
        yRes=y_res,
        resampleAlg="bilinear",
        dstNodata=0,
        multithread=False,
    )


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
        str(path),
        ds,
        format="GTiff",
        creationOptions=[
            "TILED=YES",
            "BLOCKXSIZE=256",
            "BLOCKYSIZE=256",
            "COMPRESS=DEFLATE",
            "PREDICTOR=2",
            "ZLEVEL=6",
            "INTERLEAVE=PIXEL",
            "PHOTOMETRIC=RGB",
        ],
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
