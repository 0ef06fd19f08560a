"""The assessment open in the current QGIS project, and its layers in the layer tree.

The path is saved in the project, so re-opening the project re-opens the assessment.
"""

from __future__ import annotations

from qgis.core import QgsLayerTreeGroup, QgsMapLayer, QgsProject, QgsVectorLayer
from qgis.PyQt.QtCore import QObject, pyqtSignal

from ...core.assessment import schema
from ...core.assessment.records import SortedObservations
from ...core.assessment.store import AssessmentStore, open_assessment
from ...core.errors import SiteWatchError
from ...core.imagery.registry import ImageRecord
from .remote_changes import RemoteChangeWatcher

PROJECT_SCOPE = "SiteWatch"
PROJECT_KEY = "assessment"
LAYER_ORDER = (
    schema.STRUCTURES,
    schema.POINT_FEATURES,
    schema.LINEAR_FEATURES,
    schema.COMPOUNDS,
    schema.IMAGERY,
    schema.OBSERVATIONS,
    schema.OBSERVATION_HISTORY,
)


class AssessmentSession(QObject):
    """Holds the open assessment and the project layers that show it."""

    opening = pyqtSignal(object)
    """Emitted with the :class:`AssessmentStore` just before ``opened``: parts that read it on
    threads of their own start there, so that their reads overlap those of ``opened``."""
    opened = pyqtSignal(object)
    """Emitted with the :class:`AssessmentStore` once its layers are in the project."""
    closed = pyqtSignal()
    scores_changed = pyqtSignal()
    """Emitted when change scores of the open assessment were saved (the review queue re-sorts)."""
    pair_changed = pyqtSignal(object, object)
    """Emitted with the (before, after) :class:`ImageRecord` (either may be None)."""
    problem = pyqtSignal(str)
    """Emitted with a message for the analyst when the project's assessment cannot be re-opened."""
    remote_changed = pyqtSignal(list)
    """Emitted with other analysts' changes (:class:`RemoteChange` list) to a shared assessment."""
    observations_changed = pyqtSignal(object)
    """Emitted (by the annotation controller) once observations were committed and re-read: with
    the ids of the structures they belong to (a key, an undo, a redo, another analyst's change),
    or None when any structure's may have changed. The Damage panel moves only those."""
    store_changed = pyqtSignal(object, object)
    """Emitted when a write outside the undo stack (an import) changed the open assessment: with
    the ids of the structures changed (None: any) and the set of contract layer names written."""
    blind_changed = pyqtSignal(bool)
    """Emitted (by the Validate mode) with True when a blind validation starts, False when it ends:
    parts showing the first review's counts hide them meanwhile (``validating_blind``)."""

    def __init__(self, project: QgsProject):
        super().__init__()
        self.project = project
        self.store: AssessmentStore | None = None
        self._layer_ids: dict[str, str] = {}
        self.before: ImageRecord | None = None
        self.after: ImageRecord | None = None
        self.validating_blind = False
        self._read_at_open: tuple[AssessmentStore, SortedObservations] | None = None
        self.observations_changed.connect(self.forget_observations_read)
        self.remote = RemoteChangeWatcher(self)
        self.remote.changed.connect(self.remote_changed)
        self.remote.problem.connect(self.problem)
        project.readProject.connect(self._restore_from_project)
        project.cleared.connect(self._forget)

    def open(self, path: str) -> AssessmentStore:
        """Open the assessment at ``path`` and add its layers to the project in one group.

        Every layer is opened before the previous assessment is closed, so a bad file leaves
        the open one (and the layer tree) as it was."""
        store = open_assessment(path)
        layers: list[QgsMapLayer] = []
        for layer_def in LAYER_ORDER:
            try:
                layer = store.layer(layer_def.name)
            except SiteWatchError:
                if layer_def is schema.OBSERVATION_HISTORY and store.read_only_reason():
                    continue  # a GeoPackage made elsewhere, not adopted: read-only, no history yet
                raise
            layer.setCustomProperty("sitewatch/layer", layer_def.name)
            layers.append(layer)
        self.close()
        name = store.metadata().get("site_name") or "assessment"
        group = self.project.layerTreeRoot().insertGroup(0, f"SiteWatch: {name}")
        self.project.addMapLayers(layers, False)
        for layer in layers:
            group.addLayer(layer)
            self._layer_ids[layer.customProperty("sitewatch/layer")] = layer.id()
        self._collapse_tables(group)
        self.store = store
        self.project.writeEntry(PROJECT_SCOPE, PROJECT_KEY, self.project.pathResolver().writePath(store.location))
        self.remote.watch(store)
        self.opening.emit(store)
        self.opened.emit(store)
        return store

    @staticmethod
    def _collapse_tables(group: QgsLayerTreeGroup) -> None:
        for node in group.findLayers():
            node.setExpanded(node.layer().customProperty("sitewatch/layer") == schema.STRUCTURES.name)

    def layer(self, name: str) -> QgsVectorLayer:
        """The project layer showing contract layer ``name`` of the open assessment."""
        if self.store is None:
            raise SiteWatchError("No assessment is open: use SiteWatch ▸ Open assessment or New assessment.")
        layer = self.project.mapLayer(self._layer_ids.get(name, ""))
        if layer is None:
            raise SiteWatchError(
                f"The '{name}' layer of {self.store.location} was removed from the project; open the assessment again."
            )
        return layer

    def set_pair(self, before: ImageRecord | None, after: ImageRecord | None) -> None:
        """Choose the before and after images the comparison and the review work on."""
        if (before, after) != (self.before, self.after):
            self.before, self.after = before, after
            self.pair_changed.emit(before, after)

    def close(self) -> None:
        """Remove the assessment's layers from the project and forget it."""
        if self.store is None:
            return
        self.set_pair(None, None)  # parts let go of the images while the layers still exist
        for layer_id in self._layer_ids.values():
            if self.project.mapLayer(layer_id) is not None:
                self.project.removeMapLayer(layer_id)
        root = self.project.layerTreeRoot()
        for group in root.findGroups():
            if group.name().startswith("SiteWatch:") and not group.children():
                root.removeChildNode(group)
        self._forget()

    def keep_observations_read(self, store: AssessmentStore, observations: SortedObservations) -> None:
        """Keep the observations the review just read (and sorted) at open, until they change,
        for the Damage panel's first computation (3.5 million rows at country scale, read once)."""
        if store is self.store:
            self._read_at_open = (store, observations)

    def take_observations_read(self, store: AssessmentStore) -> SortedObservations | None:
        """The observations of ``store`` kept at open when none changed since (given once)."""
        kept, self._read_at_open = self._read_at_open, None
        return kept[1] if kept is not None and kept[0] is store and store is self.store else None

    def forget_observations_read(self, *_args: object) -> None:
        self._read_at_open = None

    def _forget(self) -> None:
        """Drop the assessment. When the project was cleared its layers are already deleted,
        so parts hear ``closed`` (and let go of the layers) before the pair is reset."""
        was_open = self.store is not None
        self._read_at_open = None
        self.remote.stop()
        self.store = None
        self._layer_ids = {}
        if was_open:
            self.closed.emit()
        self.set_pair(None, None)

    def _restore_from_project(self) -> None:
        """Re-attach to the assessment saved in the project (its layers are already there)."""
        saved, found = self.project.readEntry(PROJECT_SCOPE, PROJECT_KEY, "")
        if not found or not saved:
            return
        path = self.project.pathResolver().readPath(saved)
        try:
            store = open_assessment(path)
        except SiteWatchError as error:
            self.problem.emit(
                f"This project's SiteWatch assessment cannot be opened: {error} "
                "Use SiteWatch ▸ Open assessment to open it from where it is now."
            )
            return
        ids = {}
        for layer in self.project.mapLayers().values():
            name = layer.customProperty("sitewatch/layer")
            if name:
                ids[name] = layer.id()
        missing = [d.name for d in LAYER_ORDER if d.name not in ids]
        if missing:
            self.problem.emit(
                f"This project lacks the layer(s) {', '.join(missing)} of the SiteWatch assessment "
                f"{store.location}; use SiteWatch ▸ Open assessment to add them again."
            )
            return
        self.store = store
        self._layer_ids = ids
        self.remote.watch(store)
        self.opening.emit(store)
        self.opened.emit(store)

    def unload(self) -> None:
        self.remote.stop()
        self.project.readProject.disconnect(self._restore_from_project)
        self.project.cleared.disconnect(self._forget)
