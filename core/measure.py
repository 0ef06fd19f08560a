"""Measurements on the ellipsoid, right for any layer CRS (EPSG:4326 included)."""

from __future__ import annotations

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransformContext,
    QgsDistanceArea,
    QgsGeometry,
)


def distance_area(crs: QgsCoordinateReferenceSystem) -> QgsDistanceArea:
    """A calculator giving square metres and metres on the CRS's ellipsoid (WGS 84 if none)."""
    calc = QgsDistanceArea()
    calc.setSourceCrs(crs, QgsCoordinateTransformContext())
    ellipsoid = crs.ellipsoidAcronym()
    calc.setEllipsoid(ellipsoid if ellipsoid and ellipsoid.upper() != "NONE" else "EPSG:7030")
    return calc


def ellipsoidal_area(geometry: QgsGeometry, crs: QgsCoordinateReferenceSystem) -> float:
    """Area of ``geometry`` in square metres on the ellipsoid."""
    return float(distance_area(crs).measureArea(geometry))
