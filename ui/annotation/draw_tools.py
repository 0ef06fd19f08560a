"""Map tools that draw structures, compounds, lines and points, and move structures.

Clicks are snapped with the canvas's snapping settings (``QgsMapMouseEvent.snapPoint``).
Each tool hands the finished geometry, in the target layer's CRS, to a callback; writing
it is the annotation controller's job. Keys common to every SiteWatch tool: ``1``–``9``
pick the feature type, ``Esc`` cancels, ``Backspace`` removes the last point, ``Enter`` or
a right click finishes, ``Ctrl+Z`` / ``Ctrl+Shift+Z`` undo and redo.
"""

from __future__ import annotations

from collections.abc import Callable

from qgis.core import (
    Qgis,
    QgsCoordinateTransform,
    QgsCsException,
    QgsExpression,
    QgsFeatureRequest,
    QgsGeometry,
    QgsPointXY,
    QgsProject,
    QgsRectangle,
    QgsVectorLayer,
)
from qgis.gui import QgsMapCanvas, QgsMapMouseEvent, QgsMapTool, QgsRubberBand, QgsSnapIndicator
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QColor, QKeyEvent

from ...core.annotation.features import rotated_rectangle
from ...core.errors import SiteWatchError
from ..key_claim import KeyClaim
from ..messages import log, warning_text, warns

GeometryHandler = Callable[[QgsGeometry], None]
LayerGetter = Callable[[], QgsVectorLayer]
DIGIT_KEYS = {getattr(Qt.Key, f"Key_{n}"): n for n in range(1, 10)}
RUBBER_BAND_COLOUR = QColor(255, 0, 255, 160)


def undo_key(event: QKeyEvent) -> int:
    """``-1`` for Ctrl+Z (undo), ``+1`` for Ctrl+Shift+Z or Ctrl+Y (redo), else 0."""
    if not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
        return 0
    if event.key() == Qt.Key.Key_Z:
        return 1 if event.modifiers() & Qt.KeyboardModifier.ShiftModifier else -1
    return 1 if event.key() == Qt.Key.Key_Y else 0


def consume(event: QKeyEvent) -> None:
    """Mark a key a SiteWatch tool handled as used up. QgsMapCanvas reads an *ignored* key
    event as consumed by its map tool; an accepted one it still handles itself (the arrows
    pan the map, Delete / Backspace delete the active layer's selected features)."""
    event.ignore()


class SiteWatchTool(QgsMapTool):
    """Keys shared by every SiteWatch map tool: type digits and undo / redo. Keys a tool does
    not use go to ``other_keys`` when set (e.g. the comparison's B / A / S / F keys, so the
    analyst can flick between the images while drawing or reviewing). ``on_warning`` shows
    what went wrong in an event handler (see :func:`.messages.warns`)."""

    def __init__(
        self,
        canvas: QgsMapCanvas,
        on_type_key: Callable[[int], None] | None = None,
        on_undo: Callable[[int], None] | None = None,
        on_warning: Callable[[str], None] | None = None,
    ):
        super().__init__(canvas)
        self.on_type_key = on_type_key
        self.on_undo = on_undo
        self.on_warning = on_warning
        self.other_keys: Callable[[QKeyEvent], None] | None = None
        self.other_key_set: frozenset[int] = frozenset()
        """The keys ``other_keys`` acts on (claimed from application shortcuts, see :mod:`.key_claim`)."""
        self.key_claim = KeyClaim(self.claimed_keys, self)

    def claimed_keys(self) -> set[int]:
        """Single keys (no Ctrl, Alt, Meta or Shift) this tool acts on."""
        keys = set(DIGIT_KEYS) if self.on_type_key is not None else set()
        if self.other_keys is not None:
            keys |= self.other_key_set
        return keys

    def activate(self) -> None:
        super().activate()
        self.canvas().installEventFilter(self.key_claim)

    def deactivate(self) -> None:
        self.canvas().removeEventFilter(self.key_claim)
        super().deactivate()

    def warn(self, text: str) -> None:
        if self.on_warning is not None:
            self.on_warning(text)
        else:
            log(text)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        step = undo_key(event)
        if step and self.on_undo is not None:
            self.on_undo(step)
            consume(event)
        elif event.key() in DIGIT_KEYS and self.on_type_key is not None:
            self.on_type_key(DIGIT_KEYS[event.key()])
            consume(event)
        elif self.other_keys is not None:
            self.other_keys(event)
        else:
            event.ignore()


class PointCollectorTool(SiteWatchTool):
    """Collects clicked (snapped) points and shows them as a rubber band."""

    geometry_type = Qgis.GeometryType.Polygon
    minimum_points = 3

    def __init__(
        self,
        canvas: QgsMapCanvas,
        target: LayerGetter,
        on_finished: GeometryHandler,
        on_error: Callable[[str], None],
        **keys,
    ):
        super().__init__(canvas, **keys)
        self.target = target
        self.on_finished = on_finished
        self.on_error = on_error
        self.points: list[QgsPointXY] = []
        self.snap_indicator = QgsSnapIndicator(canvas)
        self.band = QgsRubberBand(canvas, self.geometry_type)
        self.band.setColor(RUBBER_BAND_COLOUR)
        self.band.setWidth(2)

    def canvasReleaseEvent(self, event: QgsMapMouseEvent) -> None:
        if event.button() == Qt.MouseButton.RightButton:
            self.finish()
            return
        if event.button() != Qt.MouseButton.LeftButton:
            return
        self.points.append(QgsPointXY(event.snapPoint()))
        self.after_click()

    def canvasMoveEvent(self, event: QgsMapMouseEvent) -> None:
        point = QgsPointXY(event.snapPoint())
        self.snap_indicator.setMatch(event.mapPointMatch())
        if self.points:
            self.show_preview(self.points + [point])

    def after_click(self) -> None:
        self.show_preview(self.points)

    def show_preview(self, points: list[QgsPointXY]) -> None:
        self.band.reset(self.geometry_type)
        for point in points:
            self.band.addPoint(point, False)
        self.band.show()
        self.band.updatePosition()

    def map_geometry(self) -> QgsGeometry:
        """The drawn geometry in map coordinates."""
        return QgsGeometry.fromPolygonXY([self.points + [self.points[0]]])

    def finish(self) -> None:
        if len(self.points) < self.minimum_points:
            if self.points:
                self.on_error(f"Click at least {self.minimum_points} points before finishing.")
            return
        try:
            geometry = self.map_geometry()
            layer = self.target()
        except SiteWatchError as error:
            self.reset()
            self.on_error(str(error))
            return
        transform = QgsCoordinateTransform(
            self.canvas().mapSettings().destinationCrs(), layer.crs(), QgsProject.instance()
        )
        try:
            geometry.transform(transform)
        except QgsCsException as error:
            self.reset()
            self.on_error(warning_text(error))
            return
        self.reset()
        self.on_finished(geometry)

    def reset(self) -> None:
        self.points = []
        self.band.reset(self.geometry_type)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key == Qt.Key.Key_Escape:
            self.reset()
        elif key == Qt.Key.Key_Backspace and self.points:
            self.points.pop()
            self.show_preview(self.points)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.finish()
        else:
            super().keyPressEvent(event)
            return
        consume(event)

    def claimed_keys(self) -> set[int]:
        return super().claimed_keys() | {Qt.Key.Key_Escape, Qt.Key.Key_Backspace, Qt.Key.Key_Return, Qt.Key.Key_Enter}

    def deactivate(self) -> None:
        self.reset()
        self.snap_indicator.setVisible(False)
        super().deactivate()

    def clean(self) -> None:
        self.band.reset(self.geometry_type)
        self.canvas().scene().removeItem(self.band)


class PolygonTool(PointCollectorTool):
    """Footprint (or compound) outline: left clicks add corners, right click or Enter finishes."""


class RectangleTool(PointCollectorTool):
    """Rotated rectangle: two clicks along one wall, a third click sets the width."""

    def after_click(self) -> None:
        if len(self.points) == 3:
            self.finish()
        else:
            self.show_preview(self.points)

    def canvasMoveEvent(self, event: QgsMapMouseEvent) -> None:
        if len(self.points) == 2:
            point = QgsPointXY(event.snapPoint())
            self.snap_indicator.setMatch(event.mapPointMatch())
            try:
                preview = rotated_rectangle(self.points[0], self.points[1], point)
            except SiteWatchError:
                return
            self.band.setToGeometry(preview, None)
        else:
            super().canvasMoveEvent(event)

    def map_geometry(self) -> QgsGeometry:
        return rotated_rectangle(*self.points)


class LineTool(PointCollectorTool):
    """Linear feature: left clicks add vertices, right click or Enter finishes."""

    geometry_type = Qgis.GeometryType.Line
    minimum_points = 2

    def map_geometry(self) -> QgsGeometry:
        return QgsGeometry.fromPolylineXY(self.points)


class PointTool(PointCollectorTool):
    """Point feature: one click."""

    geometry_type = Qgis.GeometryType.Point
    minimum_points = 1

    def after_click(self) -> None:
        self.finish()

    def map_geometry(self) -> QgsGeometry:
        return QgsGeometry.fromPointXY(self.points[0])


def feature_at(tool: QgsMapTool, layer: QgsVectorLayer, event: QgsMapMouseEvent, id_field: str) -> str | None:
    """The id of the feature of ``layer`` under the mouse (a few pixels of tolerance)."""
    point = tool.toLayerCoordinates(layer, event.mapPoint())
    tolerance = tool.searchRadiusMU(tool.canvas())
    rect = QgsRectangle(point.x() - tolerance, point.y() - tolerance, point.x() + tolerance, point.y() + tolerance)
    probe = QgsGeometry.fromPointXY(point)
    request = QgsFeatureRequest().setFilterRect(rect).setSubsetOfAttributes([id_field], layer.fields())
    best: tuple[float, str] | None = None
    for feature in layer.getFeatures(request):
        distance = feature.geometry().distance(probe)
        if best is None or distance < best[0]:
            best = (distance, feature[id_field])
    return None if best is None else str(best[1])


class MoveTool(SiteWatchTool):
    """Drag a structure to move it: press on it, release where it belongs."""

    def __init__(self, canvas: QgsMapCanvas, target: LayerGetter, on_moved: Callable[[str, QgsGeometry], None], **keys):
        super().__init__(canvas, **keys)
        self.target = target
        self.on_moved = on_moved
        self.start: QgsPointXY | None = None
        self.feature_id: str | None = None

    @warns
    def canvasPressEvent(self, event: QgsMapMouseEvent) -> None:
        self.feature_id, self.start = None, None
        layer = self.target()
        self.feature_id = feature_at(self, layer, event, "structure_id")
        self.start = self.toLayerCoordinates(layer, event.snapPoint()) if self.feature_id else None

    @warns
    def canvasReleaseEvent(self, event: QgsMapMouseEvent) -> None:
        if self.feature_id is None or self.start is None:
            return
        layer = self.target()
        end = self.toLayerCoordinates(layer, event.snapPoint())
        feature_id, start = self.feature_id, self.start
        self.feature_id, self.start = None, None
        dx, dy = end.x() - start.x(), end.y() - start.y()
        if dx == 0 and dy == 0:
            return
        request = QgsFeatureRequest().setFilterExpression(
            QgsExpression.createFieldEqualityExpression("structure_id", feature_id)
        )
        for feature in layer.getFeatures(request):
            geometry = QgsGeometry(feature.geometry())
            geometry.translate(dx, dy)
            self.on_moved(feature_id, geometry)
            return
