"""The map while validating: every structure in one neutral outline, so the status colours of
the first review do not show; the layer's renderer comes back when the mode ends.

The status style keeps writing the layer's own renderer into a saved project
(:mod:`..annotation.status_style`), so neither style reaches the project file."""

from __future__ import annotations

from qgis.core import QgsFeatureRenderer, QgsFillSymbol, QgsSingleSymbolRenderer, QgsVectorLayer
from qgis.PyQt import sip

NEUTRAL_OUTLINE = "#cfd8dc"
"""A blue-grey that is none of the status colours."""


def neutral_renderer() -> QgsSingleSymbolRenderer:
    symbol = QgsFillSymbol.createSimple({"style": "no", "outline_color": NEUTRAL_OUTLINE, "outline_width": "0.6"})
    return QgsSingleSymbolRenderer(symbol)


class BlindStyle:
    """Swaps a structures layer's renderer for the neutral one and back."""

    def __init__(self) -> None:
        self.layer: QgsVectorLayer | None = None
        self.saved: QgsFeatureRenderer | None = None

    def hide_statuses(self, layer: QgsVectorLayer | None) -> None:
        self.restore()
        if layer is None or sip.isdeleted(layer):
            return
        self.layer = layer
        self.saved = layer.renderer().clone() if layer.renderer() is not None else None
        layer.setRenderer(neutral_renderer())
        layer.triggerRepaint()

    def restore(self) -> None:
        layer, saved = self.layer, self.saved
        self.layer, self.saved = None, None
        if layer is None or sip.isdeleted(layer) or saved is None:
            return
        layer.setRenderer(saved)
        layer.triggerRepaint()
