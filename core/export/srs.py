"""OGR spatial references of an export: the assessment's CRS and WGS 84 (GeoJSON, KML)."""

from __future__ import annotations

from osgeo import osr
from qgis.core import Qgis, QgsCoordinateReferenceSystem


def spatial_reference(crs: QgsCoordinateReferenceSystem) -> osr.SpatialReference:
    srs = osr.SpatialReference()
    srs.ImportFromWkt(crs.toWkt(Qgis.CrsWktVariant.PreferredGdal))
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return srs


def wgs84() -> osr.SpatialReference:
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4326)
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return srs
