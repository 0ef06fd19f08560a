"""The report's overview inset: where the site is. It shows the after image's whole extent
(with both images' footprints outlined), the area of interest (the site's structures and
compounds) drawn over it, the red locator frame of the panels, and a latitude/longitude
graticule labelled on the inset's frame."""

from __future__ import annotations

import math

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsFeature,
    QgsFillSymbol,
    QgsGeometry,
    QgsLayoutItemMap,
    QgsLayoutItemMapGrid,
    QgsLayoutItemMapOverview,
    QgsLayoutMeasurement,
    QgsLayoutSize,
    QgsMapLayer,
    QgsPrintLayout,
    QgsProject,
    QgsRectangle,
    QgsSingleSymbolRenderer,
    QgsTextFormat,
    QgsVectorLayer,
)
from qgis.PyQt.QtGui import QColor

from ...colours import rgba
from ...errors import SiteWatchError

WGS84 = QgsCoordinateReferenceSystem("EPSG:4326")
LABEL_ROOM_MM = 4.0
"""Taken off the inset's bottom for the longitude labels (the latitude labels fit in the page margin)."""


def _outline_layer(
    name: str, rectangles: list[QgsRectangle], crs: QgsCoordinateReferenceSystem, style: dict[str, str]
) -> QgsVectorLayer:
    layer = QgsVectorLayer(f"Polygon?crs={crs.authid() or 'EPSG:4326'}", name, "memory")
    if not crs.authid():
        layer.setCrs(crs)
    features = []
    for rectangle in rectangles:
        feature = QgsFeature()
        feature.setGeometry(QgsGeometry.fromRect(rectangle))
        features.append(feature)
    if not layer.dataProvider().addFeatures(features):
        raise SiteWatchError(f"The report's {name.lower()} could not be drawn; reinstall SiteWatch.")
    layer.setRenderer(QgsSingleSymbolRenderer(QgsFillSymbol.createSimple(style)))
    return layer


def _extent_in(layer: QgsMapLayer, crs: QgsCoordinateReferenceSystem) -> QgsRectangle:
    return QgsCoordinateTransform(layer.crs(), crs, QgsProject.instance()).transformBoundingBox(layer.extent())


def _degree_step(span: float) -> float:
    """A graticule step that gives two to four lines over ``span`` degrees."""
    if span <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(span / 2))
    return float(max(step * power for step in (1, 2, 5) if step * power <= span / 2))


def _graticule(overview_map: QgsLayoutItemMap, extent: QgsRectangle) -> QgsLayoutItemMapGrid:
    """Latitude on the right, longitude at the bottom, in degrees, on a thin zebra frame."""
    wgs84 = QgsCoordinateTransform(overview_map.crs(), WGS84, QgsProject.instance()).transformBoundingBox(extent)
    step = _degree_step(min(wgs84.width(), wgs84.height()))
    grid = QgsLayoutItemMapGrid("graticule", overview_map)
    grid.setCrs(WGS84)
    grid.setIntervalX(step)
    grid.setIntervalY(step)
    grid.setStyle(QgsLayoutItemMapGrid.GridStyle.FrameAnnotationsOnly)
    grid.setFrameStyle(QgsLayoutItemMapGrid.FrameStyle.Zebra)
    grid.setFrameWidth(0.8)
    grid.setAnnotationEnabled(True)
    grid.setAnnotationFormat(QgsLayoutItemMapGrid.AnnotationFormat.DecimalWithSuffix)
    grid.setAnnotationPrecision(max(0, -math.floor(math.log10(step))))
    text = QgsTextFormat()
    text.setSize(5.5)
    text.setColor(QColor("#222222"))
    grid.setAnnotationTextFormat(text)
    grid.setAnnotationFrameDistance(0.6)
    sides = QgsLayoutItemMapGrid.BorderSide
    mode = QgsLayoutItemMapGrid.DisplayMode
    direction = QgsLayoutItemMapGrid.AnnotationDirection
    for side, shown, written in (
        (sides.Left, mode.HideAll, direction.Vertical),  # the after panel's own labels are there
        (sides.Right, mode.LatitudeOnly, direction.VerticalDescending),
        (sides.Bottom, mode.LongitudeOnly, direction.Horizontal),
        (sides.Top, mode.HideAll, direction.Horizontal),
    ):
        grid.setAnnotationDisplay(shown, side)
        grid.setAnnotationPosition(QgsLayoutItemMapGrid.AnnotationPosition.OutsideMapFrame, side)
        grid.setAnnotationDirection(written, side)
        grid.setFrameDivisions(mode.LatitudeOnly if side in (sides.Left, sides.Right) else mode.LongitudeOnly, side)
    return grid


def set_up_overview(
    layout: QgsPrintLayout, layers: dict[str, QgsMapLayer], panel: QgsLayoutItemMap, site: QgsRectangle
) -> None:
    """Point the overview inset at the after image with the area of interest and the locator frame."""
    overview_map: QgsLayoutItemMap = layout.itemById("overview_map")
    crs = layers["compounds"].crs()
    footprints = [_extent_in(layers[key], crs) for key in ("before_image", "after_image")]
    area = QgsRectangle(site) if not site.isNull() else QgsRectangle(panel.extent())
    area = area.buffered(max(area.width(), area.height()) * 0.05)
    extras = [
        _outline_layer(
            "Area of interest",
            [area],
            crs,
            {"color": rgba("#ffd21f", 70), "outline_color": "#ffd21f", "outline_width": "0.5"},
        ),
        _outline_layer(
            "Image footprints",
            footprints,
            crs,
            {"style": "no", "outline_color": "#ffffff", "outline_width": "0.35", "outline_style": "dash"},
        ),
    ]
    layout.project().addMapLayers(extras, False)
    overview_map.setLayers([*extras, layers["after_image"]])
    overview_map.setKeepLayerSet(True)
    overview_map.setCrs(crs)
    size = overview_map.sizeWithUnits()
    overview_map.attemptResize(QgsLayoutSize(size.width(), size.height() - LABEL_ROOM_MM, size.units()))
    whole = QgsRectangle(footprints[1])
    whole.combineExtentWith(area)
    # At least 2.5 times the panels' extent, so the locator frame sits among its surroundings.
    whole.combineExtentWith(panel.extent().buffered(max(panel.extent().width(), panel.extent().height()) * 0.75))
    overview_map.zoomToExtent(whole.buffered(max(whole.width(), whole.height()) * 0.06))
    overview_map.grids().addGrid(_graticule(overview_map, overview_map.extent()))
    locator = QgsLayoutItemMapOverview("site", overview_map)
    locator.setLinkedMap(panel)
    locator.setFrameSymbol(
        QgsFillSymbol.createSimple({"style": "no", "outline_color": rgba("#e0201b"), "outline_width": "0.6"})
    )
    overview_map.overviews().addOverview(locator)
    overview_map.setFrameStrokeWidth(QgsLayoutMeasurement(0.2))
