"""A second map canvas in a dock showing the before image, kept in step with the main canvas.

Both canvases follow each other in centre, scale and rotation (so canvases of different
sizes show the same place at the same scale). A guard flag stops the echo: a change made
while following the other canvas is not sent back. A resized canvas (QGIS then keeps its
extent, so its scale would change) keeps its scale and centre instead and sends nothing.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from qgis.core import QgsExpressionContextScope, QgsMapLayer, QgsPointXY
from qgis.gui import QgsDockWidget, QgsMapCanvas
from qgis.PyQt import sip
from qgis.PyQt.QtCore import QEvent, QObject, Qt, QTimer
from qgis.PyQt.QtWidgets import QDockWidget, QLabel, QMainWindow, QVBoxLayout, QWidget

RIGHT_DOCKS_KEEP_PX = 400
"""While side by side, the right docks give up width for the two maps down to this (the review
queue still shows id, type, compound and status)."""


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
        self.restore_layout: Callable[[], None] | None = None
        """Gives the docks the before map narrowed their widths back (set by :func:`dock_beside_map`)."""

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
        if self.restore_layout is not None:
            QTimer.singleShot(0, self.restore_layout)  # once the window has taken the space back
        self.deleteLater()


def docked_in(window: QMainWindow, area: Qt.DockWidgetArea, leaving_out: QDockWidget) -> list[QDockWidget]:
    return [
        dock
        for dock in window.findChildren(QDockWidget)
        if dock is not leaving_out
        and dock.isVisible()
        and not dock.isFloating()
        and window.dockWidgetArea(dock) == area
    ]


def dock_beside_map(window: QMainWindow, dock: SideBySideDock, central: QWidget) -> None:
    """Put the before map on the left of the main map (before on the left, after on the right, as
    in the swipe), between the left docks and the map, the two maps as wide as each other.

    QGIS's central widget never gets narrower than its minimum (423 px in QGIS 3.40: its welcome
    page); when half the central area is less, the right docks give up the difference down to
    :data:`RIGHT_DOCKS_KEEP_PX`, and get their widths back when the before map closes. The left
    docks keep theirs."""
    lefts = docked_in(window, Qt.DockWidgetArea.LeftDockWidgetArea, dock)
    rights = docked_in(window, Qt.DockWidgetArea.RightDockWidgetArea, dock)
    left_widths, right_widths = [d.width() for d in lefts], [d.width() for d in rights]
    area = central.width()
    main_least = max(central.minimumWidth(), central.minimumSizeHint().width())
    short = max(0, 2 * main_least - area)  # what two maps of the main map's least width lack
    given = min(short, max(0, min(right_widths, default=0) - RIGHT_DOCKS_KEEP_PX)) if rights else 0
    narrowed = [width - given for width in right_widths]
    width = max((area + given) // 2, 200)
    window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock, Qt.Orientation.Horizontal)

    def alive(docks: list[QDockWidget]) -> bool:
        return all(not sip.isdeleted(d) for d in docks)

    def share() -> None:  # once the dock is laid out: QMainWindow ignores sizes before
        if alive([dock, *lefts, *rights]):
            window.resizeDocks([dock, *lefts, *rights], [width, *left_widths, *narrowed], Qt.Orientation.Horizontal)

    def restore() -> None:
        if given and alive(rights):
            window.resizeDocks(rights, right_widths, Qt.Orientation.Horizontal)

    dock.restore_layout = restore
    share()
    QTimer.singleShot(0, share)
