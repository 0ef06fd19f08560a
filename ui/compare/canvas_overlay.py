"""The comparison drawn over the main canvas: swipe, flicker, before, after, after opacity.

Each side (the canvas's layers with the before image, and with the after image) is rendered
once per map view into a QImage by a :class:`QgsMapRendererParallelJob`. Dragging the
divider, flickering or changing the opacity only re-composites those two images in
:meth:`ComparisonItem.paint`; the layers themselves never move and are not re-rendered.
Each side's render gets that side's expression-context scope (``scope_for``), so the
structures carry the states at that side's image date (:mod:`.side_states`).
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum

from qgis.core import (
    Qgis,
    QgsExpressionContext,
    QgsExpressionContextScope,
    QgsMapLayer,
    QgsMapRendererParallelJob,
    QgsMapSettings,
)
from qgis.gui import QgsMapCanvas, QgsMapCanvasItem
from qgis.PyQt.QtCore import QPointF, QRectF, Qt
from qgis.PyQt.QtGui import QColor, QFont, QImage, QPainter, QPen

from ...core.imagery.layers import IMAGE_ID_PROPERTY


class CompareMode(Enum):
    BEFORE = "before"
    AFTER = "after"
    SWIPE = "swipe"
    FLICKER = "flicker"


def is_image_layer(layer: QgsMapLayer) -> bool:
    return bool(layer.customProperty(IMAGE_ID_PROPERTY))


def layers_showing(canvas_layers: list[QgsMapLayer], image: QgsMapLayer) -> list[QgsMapLayer]:
    """The canvas's layers (top first) with ``image`` as the only SiteWatch image, placed where
    the images are (or above the first other raster, or at the bottom)."""
    others = [layer for layer in canvas_layers if not is_image_layer(layer)]
    position = next((i for i, layer in enumerate(canvas_layers) if is_image_layer(layer)), None)
    if position is not None:
        position = sum(1 for layer in canvas_layers[:position] if not is_image_layer(layer))
    else:
        position = next((i for i, layer in enumerate(others) if layer.type() == Qgis.LayerType.Raster), len(others))
    return others[:position] + [image] + others[position:]


class ComparisonItem(QgsMapCanvasItem):
    """Paints the before and after renders over the whole canvas as the mode says."""

    def __init__(self, canvas: QgsMapCanvas):
        super().__init__(canvas)
        self.canvas = canvas
        self.mode = CompareMode.SWIPE
        self.divider = 0.5
        """Where the divider is, as a fraction of the canvas width (vertical) or height."""
        self.vertical = True
        self.after_opacity = 1.0
        self.flicker_shows_after = True
        self.labels = ("", "")
        self._layers: tuple[QgsMapLayer | None, QgsMapLayer | None] = (None, None)
        self._images: list[QImage | None] = [None, None]
        self._jobs: list[QgsMapRendererParallelJob] = []
        self.scope_for: Callable[[int], QgsExpressionContextScope | None] | None = None
        """Side (0 before, 1 after) → the scope its render adds to the map's expression context."""
        self.setZValue(-9)  # just above the map (-10), below rubber bands and other tools' items
        canvas.renderStarting.connect(self.render)
        for signal in (canvas.extentsChanged, canvas.rotationChanged, canvas.destinationCrsChanged):
            signal.connect(self._outdated)

    # -- what is shown ---------------------------------------------------------------------

    def set_layers(self, before: QgsMapLayer | None, after: QgsMapLayer | None, labels: tuple[str, str]) -> None:
        self._layers = (before, after)
        self.labels = labels
        self.render()

    def set_mode(self, mode: CompareMode) -> None:
        self.mode = mode
        self.update()

    def set_divider(self, fraction: float) -> None:
        self.divider = min(1.0, max(0.0, fraction))
        self.update()

    def set_vertical(self, vertical: bool) -> None:
        self.vertical = vertical
        self.update()

    def set_after_opacity(self, opacity: float) -> None:
        self.after_opacity = min(1.0, max(0.0, opacity))
        self.update()

    def set_flicker_shows_after(self, after: bool) -> None:
        self.flicker_shows_after = after
        self.update()

    def divider_at(self, point: QPointF) -> float:
        """The divider fraction for a canvas pixel position."""
        size = self.canvas.viewport().size()
        length = size.width() if self.vertical else size.height()
        return (point.x() if self.vertical else point.y()) / max(1, length)

    # -- rendering -------------------------------------------------------------------------

    def _settings_for(self, side: int, image: QgsMapLayer) -> QgsMapSettings:
        settings = QgsMapSettings(self.canvas.mapSettings())
        settings.setLayers(layers_showing(self.canvas.layers(), image))
        settings.setIsTemporal(False)  # the pair is compared whatever the Temporal Controller shows
        scope = self.scope_for(side) if self.scope_for is not None else None
        if scope is not None:  # last in the context: its variables win over the canvas's
            context = QgsExpressionContext(settings.expressionContext())
            context.appendScope(scope)
            settings.setExpressionContext(context)
        return settings

    def render(self, blocking: bool = False) -> None:
        """Render both sides for the canvas's current view (once; painting re-uses them)."""
        self._cancel_jobs()
        if None in self._layers or not self.isVisible():
            return
        jobs = []
        for side, layer in enumerate(self._layers):
            job = QgsMapRendererParallelJob(self._settings_for(side, layer))
            job.finished.connect(lambda side=side, job=job: self._finished(side, job))
            jobs.append(job)
        self._jobs = jobs
        for job in jobs:
            job.start()
        if blocking:
            for job in jobs:
                job.waitForFinished()

    def _finished(self, side: int, job: QgsMapRendererParallelJob) -> None:
        if job in self._jobs:
            self._images[side] = job.renderedImage()
            self._jobs = [j for j in self._jobs if j is not job]
            self.update()

    def _cancel_jobs(self) -> None:
        jobs, self._jobs = self._jobs, []
        for job in jobs:
            job.cancelWithoutBlocking()

    def _outdated(self) -> None:
        self._images = [None, None]
        self.update()

    def is_ready(self) -> bool:
        return None not in self._images and not self._jobs

    def unload(self) -> None:
        self._cancel_jobs()
        self.canvas.renderStarting.disconnect(self.render)
        for signal in (self.canvas.extentsChanged, self.canvas.rotationChanged, self.canvas.destinationCrsChanged):
            signal.disconnect(self._outdated)
        self.canvas.scene().removeItem(self)

    # -- painting --------------------------------------------------------------------------

    def boundingRect(self) -> QRectF:
        size = self.canvas.viewport().size()
        return QRectF(0, 0, size.width(), size.height())

    def updatePosition(self) -> None:
        self.prepareGeometryChange()
        self.setPos(0, 0)

    def paint(self, painter: QPainter, *_args: object) -> None:
        before, after = self._images
        if before is None or after is None:
            return
        full = self.boundingRect()
        if self.mode == CompareMode.BEFORE or (self.mode == CompareMode.FLICKER and not self.flicker_shows_after):
            painter.drawImage(full, before)
            self._label(painter, full, self.labels[0], "Before")
            return
        painter.drawImage(full, before)
        if self.mode == CompareMode.SWIPE:
            after_side = self._after_side(full)
            painter.save()
            painter.setClipRect(after_side)
            painter.setOpacity(self.after_opacity)
            painter.drawImage(full, after)
            painter.restore()
            self._divider(painter, full)
            before_side = QRectF(full.topLeft(), after_side.bottomLeft() if self.vertical else after_side.topRight())
            self._label(painter, before_side, self.labels[0], "Before")
            self._label(painter, after_side, self.labels[1], "After")
            return
        painter.setOpacity(self.after_opacity)
        painter.drawImage(full, after)
        painter.setOpacity(1.0)
        self._label(painter, full, self.labels[1], "After")

    def _after_side(self, full: QRectF) -> QRectF:
        if self.vertical:
            x = full.width() * self.divider
            return QRectF(x, 0, full.width() - x, full.height())
        y = full.height() * self.divider
        return QRectF(0, y, full.width(), full.height() - y)

    def _divider(self, painter: QPainter, full: QRectF) -> None:
        painter.setPen(QPen(QColor(255, 255, 255, 230), 2))
        if self.vertical:
            x = full.width() * self.divider
            painter.drawLine(QPointF(x, 0), QPointF(x, full.height()))
            handle = QRectF(x - 6, full.height() / 2 - 18, 12, 36)
        else:
            y = full.height() * self.divider
            painter.drawLine(QPointF(0, y), QPointF(full.width(), y))
            handle = QRectF(full.width() / 2 - 18, y - 6, 36, 12)
        painter.setBrush(QColor(40, 40, 40, 200))
        painter.drawRoundedRect(handle, 4, 4)

    @staticmethod
    def _label(painter: QPainter, area: QRectF, text: str, role: str) -> None:
        if area.width() < 40 or area.height() < 20:
            return
        font = QFont(painter.font())
        font.setPointSizeF(9)
        painter.setFont(font)
        metrics = painter.fontMetrics()
        # never wider than its side: elided, or only the role when even the role is cut
        caption = metrics.elidedText(f"{role}: {text}", Qt.TextElideMode.ElideRight, int(area.width()) - 28)
        if metrics.horizontalAdvance(caption) < metrics.horizontalAdvance(role):
            return
        height = metrics.height() + 6
        # bottom left of each side: QGIS's message bar covers the top of the canvas
        box = QRectF(area.left() + 8, area.bottom() - 8 - height, metrics.horizontalAdvance(caption) + 12, height)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(0, 0, 0, 170))
        painter.drawRoundedRect(box, 3, 3)
        painter.setPen(QColor(255, 255, 255))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, caption)
