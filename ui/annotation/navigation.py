"""Zooming to the structure under review with context: its neighbours around it, a margin, and
the structure on the side of the swipe being judged.

``N`` used to zoom to three times the footprint (1:287 on a small hut: pixelated, no
neighbours) and put the structure exactly under the swipe divider. Now the view holds every
structure within :func:`.settings.review_margin_m` of the current one plus that margin (never
less than :data:`MIN_SPAN_M` across), with the current structure at the centre of the map or,
while swiping, at the centre of the after side (the side whose date the review keys record).
"""

from __future__ import annotations

from qgis.core import QgsFeatureRequest, QgsGeometry, QgsPointXY, QgsRectangle, QgsVectorLayer
from qgis.gui import QgsMapCanvas
from qgis.PyQt.QtCore import QRectF

from ...core.assessment import schema
from .. import settings
from ..compare.canvas_overlay import CompareMode
from ..compare.comparison import Comparison
from ..messages import warns
from .controller import AnnotationController

MIN_SPAN_M = 40.0
"""The view is never narrower than this many metres (ground pixels stay readable)."""
METRES_PER_DEGREE = 111_320.0
MIN_SIDE_SHARE = 0.2
"""A swipe side narrower than this share of the map is too thin to hold the structure: centre."""


def metres_to_units(metres: float, geographic: bool) -> float:
    """``metres`` in the units of a CRS (degrees near the equator when ``geographic``: the
    margin is a reading aid, not a measurement)."""
    return metres / METRES_PER_DEGREE if geographic else metres


class ContextZoom:
    """Zooms the canvas to a structure and its neighbours (see the module docstring)."""

    def __init__(self, canvas: QgsMapCanvas, controller: AnnotationController):
        self.canvas = canvas
        self.controller = controller
        self.comparison: Comparison | None = None
        """Set by the plugin: the swipe whose after side holds the structure."""

    def warn(self, text: str) -> None:
        self.controller.warn(text)

    @warns
    def zoom_to(self, structure_id: str) -> None:
        layer = self.controller.session.layer(schema.STRUCTURES.name)
        fid = self.controller.fids.get(structure_id)
        feature = layer.getFeature(fid) if fid is not None else None
        if feature is None or not feature.isValid():
            return
        settings_ = self.canvas.mapSettings()
        margin = settings.review_margin_m()
        footprint = settings_.layerExtentToOutputExtent(layer, feature.geometry().boundingBox())
        context = self._context(layer, QgsGeometry(feature.geometry()), margin)
        geographic = settings_.destinationCrs().isGeographic()
        centre = footprint.center()
        half = max(
            centre.x() - context.xMinimum(),
            context.xMaximum() - centre.x(),
            centre.y() - context.yMinimum(),
            context.yMaximum() - centre.y(),
        )
        half = max(half + metres_to_units(margin, geographic), metres_to_units(MIN_SPAN_M, geographic) / 2)
        self.canvas.setExtent(self._extent(centre, half))
        self.canvas.refresh()

    def _context(self, layer: QgsVectorLayer, geometry: QgsGeometry, margin: float) -> QgsRectangle:
        """The output-CRS box of the structure and every structure within ``margin`` metres."""
        box = geometry.boundingBox()
        reach = metres_to_units(margin, layer.crs().isGeographic())
        search = QgsRectangle(box)
        search.grow(reach)
        near = QgsRectangle(box)
        request = QgsFeatureRequest().setFilterRect(search).setNoAttributes()
        for neighbour in layer.getFeatures(request):
            if neighbour.hasGeometry() and neighbour.geometry().distance(geometry) <= reach:
                near.combineExtentWith(neighbour.geometry().boundingBox())
        return self.canvas.mapSettings().layerExtentToOutputExtent(layer, near)

    def _judged_side(self) -> QRectF:
        """The part of the map (fractions of its width and height) the structure goes in the
        middle of: the swipe's after side, else the whole map."""
        comparison = self.comparison
        whole = QRectF(0, 0, 1, 1)
        if comparison is None or comparison.item is None or comparison.mode != CompareMode.SWIPE:
            return whole
        divider = comparison.item.divider
        if 1 - divider < MIN_SIDE_SHARE:
            return whole
        return QRectF(divider, 0, 1 - divider, 1) if comparison.item.vertical else QRectF(0, divider, 1, 1 - divider)

    def _extent(self, centre: QgsPointXY, half: float) -> QgsRectangle:
        """The canvas extent that shows ``half`` map units around ``centre`` in the judged side."""
        side = self._judged_side()
        size = self.canvas.mapSettings().outputSize()
        width_px, height_px = max(1, size.width()), max(1, size.height())
        per_pixel = max(2 * half / (side.width() * width_px), 2 * half / (side.height() * height_px))
        width, height = width_px * per_pixel, height_px * per_pixel
        left = centre.x() - (side.left() + side.width() / 2) * width
        top = centre.y() + (side.top() + side.height() / 2) * height  # map y grows upwards
        return QgsRectangle(left, top - height, left + width, top)
