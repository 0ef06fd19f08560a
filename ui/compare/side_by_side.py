"""A second map canvas in a dock showing the before image, kept in step with the main canvas.

Both canvases follow each other in centre, scale and rotation (so canvases of different
sizes show the same place at the same scale). A guard flag stops the echo: a change made
while following the other canvas is not sent back. A resized canvas (QGIS then keeps its
extent, so its scale would change) keeps its scale and centre instead and sends nothing.
"""

from __future__ import annotations

import math

from qgis.core import QgsExpressionContextScope, QgsMapLayer, QgsPointXY
from qgis.gui import QgsDockWidget, QgsMapCanvas
from qgis.PyQt.QtCore import QEvent, QObject, QTimer
from qgis.PyQt.QtWidgets import QLabel, QMainWindow, QVBoxLayout, QWidget


class CanvasSync(QObject):
    """Keeps two canvases showing the same centre, scale and rotation, both ways."""

    def __init__(self, first: QgsMapCanvas, second: QgsMapCanvas):
        super().__init__(first)
        self.first, self.second = first, second
        self._following = False
        self._before_resize: dict[QgsMapCanvas, tuple[float, QgsPointXY] | None] = {}
        self._connections = []
        for canvas in (first, second):
            canvas.installEventFilter(self)
        for source, target in ((first, second), (second, first)):
            for signal in (source.extentsChanged, source.rotationChanged):
                handle = signal.connect(lambda *_args, source=source, target=target: self._follow(source, target))
                self._connections.append((signal, handle))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and watched in (self.first, self.second):
            old = event.oldSize()
            usable = old.width() > 0 and old.height() > 0 and math.isfinite(watched.scale()) and watched.scale() > 0
            self._before_resize[watched] = (watched.scale(), watched.center()) if usable else None
            QTimer.singleShot(0, lambda: self._before_resize.pop(watched, None))
        return False

    def _follow(self, source: QgsMapCanvas, target: QgsMapCanvas) -> None:
        if self._following:
            return
        if source in self._before_resize:  # the extent change the resize itself caused
            view = self._before_resize.pop(source)
            if view is None:  # it had no size yet: take the other's view
                source, target = target, source
            else:  # keep its own scale and centre; the other canvas is unchanged
                self._following = True
                try:
                    source.zoomScale(view[0], True)
                    source.setCenter(view[1])
                finally:
                    self._following = False
                return
        self._following = True
        try:
            if target.mapSettings().destinationCrs() != source.mapSettings().destinationCrs():
                target.setDestinationCrs(source.mapSettings().destinationCrs())
            if target.extent().isEmpty() or not math.isfinite(target.scale()):
                target.setExtent(source.extent())  # a fresh canvas has no scale to change yet
            if target.rotation() != source.rotation():
                target.setRotation(source.rotation())
            if abs(target.scale() - source.scale()) > 1e-6 * source.scale():
                target.zoomScale(source.scale(), True)
            if target.center() != source.center():
                target.setCenter(source.center())
            target.refresh()
        finally:
            self._following = False

    def match_now(self) -> None:
        """Make the second canvas show what the first shows."""
        self._follow(self.first, self.second)

    def disconnect_all(self) -> None:
        """Take off exactly the connections made here (other slots on the canvases stay)."""
        for signal, handle in self._connections:
            signal.disconnect(handle)
        self._connections = []
        for canvas in (self.first, self.second):
            canvas.removeEventFilter(self)


class SideBySideDock(QgsDockWidget):
    """The before image (with the canvas's other layers) beside the main canvas."""

    def __init__(self, main_canvas: QgsMapCanvas, parent: QWidget | None = None):
        super().__init__("SiteWatch before", parent)
        self.setObjectName("SiteWatchSideBySide")
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        self.caption = QLabel()
        self.canvas = QgsMapCanvas(body)
        self.canvas.setObjectName("SiteWatchBeforeCanvas")
        self.canvas.setCanvasColor(main_canvas.canvasColor())
        self.canvas.setDestinationCrs(main_canvas.mapSettings().destinationCrs())
        layout.addWidget(self.caption)
        layout.addWidget(self.canvas)
        self.setWidget(body)
        self.main_canvas = main_canvas
        self.sync = CanvasSync(main_canvas, self.canvas)

    def set_scope(self, scope: QgsExpressionContextScope | None) -> None:
        """The before map's own expression-context scope: the states at the before date."""
        self.canvas.setExpressionContextScope(scope if scope is not None else QgsExpressionContextScope())

    def show_layers(self, layers: list[QgsMapLayer], caption: str) -> None:
        self.canvas.setLayers(layers)
        self.caption.setText(f"Before: {caption}")
        self.sync.match_now()

    def unload(self) -> None:
        """Stop following the main canvas and leave the window now (not only once the
        deferred delete runs, which may be long after the analyst unticked side by side)."""
        self.sync.disconnect_all()
        self.hide()
        window = self.parentWidget()
        if isinstance(window, QMainWindow):
            window.removeDockWidget(self)
        self.deleteLater()
