"""The report's before and after images checked before anything is written: QGIS draws a
truncated GeoTIFF or a VRT whose source is missing as a blank panel, and an image without a
CRS nowhere on the map, all without a word; the export refuses them instead, naming the file."""

from __future__ import annotations

from osgeo import gdal
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsCsException,
    QgsGeometry,
    QgsPointXY,
    QgsProject,
    QgsRectangle,
)

from ..errors import SiteWatchError
from ..raster_files import open_readable

gdal.UseExceptions()


def _footprint(dataset: gdal.Dataset) -> QgsGeometry:
    gt = dataset.GetGeoTransform()
    width, height = dataset.RasterXSize, dataset.RasterYSize
    corners = [(0, 0), (width, 0), (width, height), (0, height), (0, 0)]
    points = [QgsPointXY(gt[0] + gt[1] * px + gt[2] * py, gt[3] + gt[4] * px + gt[5] * py) for px, py in corners]
    return QgsGeometry.fromPolygonXY([points]).densifyByCount(16)


def _check_covers(
    dataset: gdal.Dataset, role: str, path: str, crs: QgsCoordinateReferenceSystem, site: QgsRectangle
) -> None:
    """Refuse an image that lies nowhere near the site: its panel would be blank."""
    footprint = _footprint(dataset)
    image_crs = QgsCoordinateReferenceSystem.fromWkt(dataset.GetSpatialRef().ExportToWkt())
    try:
        footprint.transform(QgsCoordinateTransform(image_crs, crs, QgsProject.instance().transformContext()))
    except QgsCsException:
        raise SiteWatchError(
            f"{role} image {path} cannot be placed in the site's CRS ({crs.authid()}); check the image's CRS."
        ) from None
    if not footprint.boundingBox().intersects(site):
        raise SiteWatchError(
            f"{role} image {path} does not cover the site (its panel would be blank): give an image of "
            f"this site, or check the image's CRS ({image_crs.authid() or image_crs.description()})."
        )


def check_panel_image(
    path: str, label: str, crs: QgsCoordinateReferenceSystem | None = None, site: QgsRectangle | None = None
) -> None:
    """Refuse the ``label`` (before / after) panel's image at ``path`` when it cannot be read
    whole or placed on the map (or, given the site's ``crs`` and extent, lies away from the
    site); a web or database source (``://``) is left to QGIS."""
    if "://" in path:
        return
    role = f"The report's {label}"
    dataset = open_readable(path, role)
    if not dataset.GetSpatialRef():
        raise SiteWatchError(
            f"{role} image {path} has no coordinate reference system, so the report cannot place it on "
            "the map: georeference it (Raster ▸ Projections ▸ Assign Projection) or give another image."
        )
    if crs is not None and site is not None:
        _check_covers(dataset, role, path, crs, site)
