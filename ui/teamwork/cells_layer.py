"""The work cells on the map: a ``work_cells`` layer in the assessment's group of the layer tree,
drawn by state (:mod:`core.teamwork.style`), added once the assessment has cells and re-read
whenever they move."""

from __future__ import annotations

from qgis.core import QgsVectorLayer

from ...core.assessment import schema
from ...core.errors import SiteWatchError
from ...core.teamwork.coverage import Coverage
from ...core.teamwork.style import cells_labeling, cells_renderer
from ..context import PluginContext
from ..messages import notify


class CellsLayer:
    """Keeps the open assessment's work cells on the map."""

    def __init__(self, context: PluginContext):
        self.context = context
        self.layer_id: str | None = None

    def _layer(self) -> QgsVectorLayer | None:
        project = self.context.session.project
        if self.layer_id is None:  # a project saved with the cells shows them already
            kept = [
                layer.id()
                for layer in project.mapLayers().values()
                if layer.customProperty("sitewatch/team_layer") == schema.WORK_CELLS.name
            ]
            self.layer_id = kept[0] if kept else None
        layer = project.mapLayer(self.layer_id or "")
        return layer if isinstance(layer, QgsVectorLayer) else None

    def follow(self, coverage: Coverage | None) -> None:
        """The cells were read again: show them (the first time), or redraw them."""
        store = self.context.session.store
        if store is None or coverage is None or not coverage.cells:
            return
        layer = self._layer()
        if layer is not None:
            layer.reload()
            layer.triggerRepaint()
            return
        try:
            layer = store.layer(schema.WORK_CELLS.name)
        except SiteWatchError as error:
            notify(self.context.iface, str(error))
            return
        layer.setName("work cells")
        layer.setCustomProperty("sitewatch/team_layer", schema.WORK_CELLS.name)
        layer.setRenderer(cells_renderer())
        layer.setLabeling(cells_labeling())
        layer.setLabelsEnabled(True)
        project = self.context.session.project
        project.addMapLayer(layer, False)
        root = project.layerTreeRoot()
        group = next((g for g in root.findGroups() if g.name().startswith("SiteWatch:")), root)
        group.insertLayer(0, layer)
        self.layer_id = layer.id()

    def remove(self) -> None:
        """Take the layer off the map (the assessment closed), and the group it leaves empty."""
        project = self.context.session.project
        if self._layer() is not None:
            project.removeMapLayer(self.layer_id or "")
        self.layer_id = None
        root = project.layerTreeRoot()
        for group in root.findGroups():
            if group.name().startswith("SiteWatch:") and not group.children():
                root.removeChildNode(group)
