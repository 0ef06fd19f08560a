"""While validating blind, the first review's tables (``observations``, ``observation_history``)
leave the layer tree view (QGIS's private layer flag: the view and layer pickers leave such layers
out) and are unchecked, so the validator does not open them by habit; the
other parts of the interface learn through the session's ``blind_changed`` that the mode is on.
Leaving the mode puts each node back as it was."""

from __future__ import annotations

from qgis.core import QgsLayerTreeLayer, QgsMapLayer

from ...core.assessment import schema
from ...core.errors import SiteWatchError
from ..assessment.session import AssessmentSession

PRIVATE = QgsMapLayer.LayerFlag.Private
FIRST_REVIEW_TABLES = (schema.OBSERVATIONS.name, schema.OBSERVATION_HISTORY.name)


class BlindLayers:
    """Hides the first review's tables of ``session``'s project and puts them back."""

    def __init__(self, session: AssessmentSession):
        self.session = session
        self._saved: dict[str, tuple[bool, bool]] = {}
        """Layer id → (whether the layer was private, whether its node was checked)."""

    def _nodes(self) -> list[QgsLayerTreeLayer]:
        root = self.session.project.layerTreeRoot()
        nodes = []
        for name in FIRST_REVIEW_TABLES:
            try:
                layer = self.session.layer(name)
            except SiteWatchError:  # not open, or removed from the project by the analyst
                continue
            node = root.findLayer(layer.id())
            if node is not None:
                nodes.append(node)
        return nodes

    def hide(self) -> None:
        for node in self._nodes():
            layer = node.layer()
            private = bool(layer.flags() & PRIVATE)
            self._saved.setdefault(layer.id(), (private, node.itemVisibilityChecked()))
            node.setItemVisibilityChecked(False)
            layer.setFlags(layer.flags() | PRIVATE)
        self.session.validating_blind = True
        self.session.blind_changed.emit(True)

    def restore(self) -> None:
        root = self.session.project.layerTreeRoot()
        for layer_id, (private, checked) in self._saved.items():
            node = root.findLayer(layer_id)
            if node is None or node.layer() is None:  # the assessment was closed: its layers left
                continue
            layer = node.layer()
            layer.setFlags(layer.flags() | PRIVATE if private else layer.flags() & ~PRIVATE)
            node.setItemVisibilityChecked(checked)
        self._saved = {}
        self.session.validating_blind = False
        self.session.blind_changed.emit(False)
