"""A second map canvas in a dock showing the before image, kept in step with the main canvas.

Both canvases follow each other in centre, scale and rotation (so canvases of different
sizes show the same place at the same scale). A guard flag stops the echo: a change made
while following the other canvas is not sent back.
"""

from __future__ import annotations

import math

from qgis.core import QgsMapLayer
from qgis.gui import QgsDockWidget, QgsMapCanvas
from qgis.PyQt.QtCore import QObject
from qgis.PyQt.QtWidgets import QLabel, QVBoxLayout, QWidget


class CanvasSync(QObject):
    """Keeps two canvases showing the same centre, scale and rotation, both ways."""

    def __init__(self, first: QgsMapCanvas, second: QgsMapCanvas):
        super().__init__(first)
        self.first, self.second = first, second
        self._following = False
        self._connections = []
        for source, target in ((first, second), (second, first)):
            for signal in (source.extentsChanged, source.rotationChanged):
                handle = signal.connect(lambda *_args, source=source, target=target: self._follow(source, target))
                self._connections.append((signal, handle))

    def _follow(self, source: QgsMapCanvas, target: QgsMapCanvas) -> None:
        if self._following:
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

    def show_layers(self, layers: list[QgsMapLayer], caption: str) -> None:
        self.canvas.setLayers(layers)
        self.caption.setText(f"Before: {caption}")
        self.sync.match_now()

    def unload(self) -> None:
        self.sync.disconnect_all()
        self.deleteLater()
