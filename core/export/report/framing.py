"""Where the report's maps look: the panels' extent (the site kept inside the images), the
overview inset with its locator frame, the grid interval and the scale bar."""

from __future__ import annotations

import math

from qgis.core import (
    Qgis,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsGeometry,
    QgsLayoutItemMap,
    QgsMapLayer,
    QgsPrintLayout,
    QgsProject,
    QgsRectangle,
)

from ..data import ExportData
from .overview import set_up_overview


def nice_step(value: float) -> float:
    """The largest 1, 2 or 5 × 10^n not above ``value``."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return float(max(step * power for step in (1, 2, 5) if step * power <= value))


def site_extent(data: ExportData) -> QgsRectangle:
    """The bounding box of the structures and compounds (null when there are none)."""
    extent = QgsRectangle()
    extent.setNull()
    for name in ("structures", "compounds"):
        for wkb in data.tables[name].geometries:
            if wkb is not None:
                geometry = QgsGeometry()
                geometry.fromWkb(wkb)
                extent.combineExtentWith(geometry.boundingBox())
    return extent


def image_area(layers: dict[str, QgsMapLayer], crs: QgsCoordinateReferenceSystem, combine: str) -> QgsRectangle:
    """The ``"intersect"`` (shown by both panels) or ``"union"`` of the two images' extents in ``crs``."""
    area = None
    for key in ("before_image", "after_image"):
        layer = layers[key]
        extent = QgsCoordinateTransform(layer.crs(), crs, QgsProject.instance()).transformBoundingBox(layer.extent())
        if area is None:
            area = extent
        elif combine == "intersect":
            area = area.intersect(extent)
        else:
            area.combineExtentWith(extent)
    return area


def _with_ratio(extent: QgsRectangle, ratio: float, width: float | None = None) -> QgsRectangle:
    """A rectangle of width / height ``ratio`` centred on ``extent`` (covering it, or ``width`` wide)."""
    if width is None:
        width = max(extent.width(), extent.height() * ratio)
    centre = extent.center()
    return QgsRectangle(
        centre.x() - width / 2, centre.y() - width / ratio / 2, centre.x() + width / 2, centre.y() + width / ratio / 2
    )


def panel_extent(site: QgsRectangle, images: QgsRectangle, ratio: float) -> QgsRectangle:
    """The panels' extent: the site with a margin, kept inside the area both images cover
    when the site fits there (so no empty strip shows), else the site (grey beyond the images)."""
    if site.isNull() or site.isEmpty():
        return _with_ratio(images, ratio)
    wanted = _with_ratio(site.buffered(max(site.width(), site.height()) * 0.08), ratio)
    if images.isNull() or images.isEmpty():
        return wanted
    inside = _with_ratio(site, ratio, min(wanted.width(), images.width(), images.height() * ratio))
    dx = max(images.xMinimum() - inside.xMinimum(), 0) + min(images.xMaximum() - inside.xMaximum(), 0)
    dy = max(images.yMinimum() - inside.yMinimum(), 0) + min(images.yMaximum() - inside.yMaximum(), 0)
    inside = QgsRectangle(
        inside.xMinimum() + dx, inside.yMinimum() + dy, inside.xMaximum() + dx, inside.yMaximum() + dy
    )
    return inside if inside.contains(site) else wanted


def set_up_maps(layout: QgsPrintLayout, layers: dict[str, QgsMapLayer], site: QgsRectangle) -> None:
    """Point the before and after panels, the overview inset (:mod:`.overview`) and the scale bar at ``site``."""
    crs = layers["compounds"].crs()
    maps = {}
    for key in ("before", "after"):
        item: QgsLayoutItemMap = layout.itemById(f"{key}_map")
        item.setLayers([layers["compounds"], layers[f"{key}_structures"], layers[f"{key}_image"]])
        item.setKeepLayerSet(True)
        item.setCrs(crs)
        size = item.sizeWithUnits()
        item.setExtent(panel_extent(site, image_area(layers, crs, "intersect"), size.width() / size.height()))
        maps[key] = item
    interval = nice_step(maps["after"].extent().width() / 4)
    for item in maps.values():
        grid = item.grids().grid(0)
        if grid is not None:
            grid.setIntervalX(interval)
            grid.setIntervalY(interval)
            grid.setAnnotationPrecision(0 if interval >= 1 else 5)
    set_up_overview(layout, layers, maps["after"], site)
    scale_bar = layout.itemById("scale_bar")
    scale_bar.setLinkedMap(maps["after"])
    scale_bar.setUnits(Qgis.DistanceUnit.Meters)
    scale_bar.setNumberOfSegmentsLeft(0)
    scale_bar.setNumberOfSegments(3)
    scale_bar.setUnitsPerSegment(nice_step(maps["after"].extent().width() / 6))
