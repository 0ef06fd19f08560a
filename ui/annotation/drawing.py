"""Drawing for the annotation controller: saving drawn features (with a structure's intact
state on the before image), moving and deleting them, and keeping compounds assigned."""

from __future__ import annotations

from collections.abc import Callable

from qgis.core import Qgis, QgsGeometry
from qgis.gui import QgsMapCanvas
from qgis.PyQt.QtCore import pyqtBoundSignal

from ...core.annotation.features import NewFeature, new_record
from ...core.annotation.undo import (
    AddFeature,
    ChangeGeometry,
    Command,
    DeleteFeature,
    Group,
    RecordObservation,
    UndoStack,
)
from ...core.assessment import schema
from ...core.assessment.observations import Observation
from ...core.assessment.store import AssessmentStore
from ...core.errors import SiteWatchError
from ...core.imagery.layers import IMAGE_ID_PROPERTY
from ...core.imagery.registry import ImageRecord
from .. import settings
from ..assessment.session import AssessmentSession
from ..compare.canvas_overlay import CompareMode, ComparisonItem

NO_ASSESSMENT = "No assessment is open: use SiteWatch ▸ Open assessment or New assessment before drawing."


class DrawingMixin:
    """The drawing half of :class:`.controller.AnnotationController` (which provides the state
    and the methods declared here)."""

    session: AssessmentSession
    canvas: QgsMapCanvas
    store: AssessmentStore | None
    current: str | None
    confidence: str
    intact_on_before: bool
    undo_stack: UndoStack
    confirm: Callable[[str], bool]
    ask_name: Callable[[str, str], str | None] | None
    message: pyqtBoundSignal
    _push: Callable[[Command], bool]
    _reload_layers: Callable[[set[str]], None]
    _load_structures: Callable[[], None]
    select: Callable[[str | None], None]

    def draw(self, layer_name: str, type_code: str | None, geometry: QgsGeometry) -> str | None:
        """Save a drawn feature (and, for a structure drawn on the before image, its intact
        state at that date); returns its id, or None when nothing was saved."""
        if self.store is None:
            self.message.emit(NO_ASSESSMENT, Qgis.MessageLevel.Warning)
            return None
        try:
            store = self.store
            compounds = self.store.compound_index() if layer_name == schema.STRUCTURES.name else None
            shown = self._shown_image()
            choice = NewFeature(
                layer_name,
                type_code,
                settings.analyst_name(),
                shown.image_id if shown else None,
                shown.acquired if shown else None,
            )
            record = new_record(store, choice, geometry, compounds)
            if layer_name == schema.COMPOUNDS.name:
                record.attributes["name"] = self._compound_name(record.feature_id)
            command: Command = AddFeature(store, record, self._compounds_changed)
            before = self.session.before
            intact = (
                layer_name == schema.STRUCTURES.name
                and self.intact_on_before
                and before is not None
                and before.acquired
                and self._before_is_shown()
            )
            if intact and before is not None:
                state = Observation(
                    record.feature_id,
                    before.acquired,
                    "intact",
                    image_id=before.image_id,
                    confidence=self.confidence,
                    analyst=settings.analyst_name(),
                )
                command = Group(command.text, [command, RecordObservation(store, state)])
            self.undo_stack.push(command)
        except SiteWatchError as error:
            self.message.emit(str(error), Qgis.MessageLevel.Critical)
            return None
        if layer_name == schema.STRUCTURES.name and record.attributes["compound_id"] is None:
            self.message.emit(
                f"{record.feature_id} lies outside every compound; its compound_id is empty.", Qgis.MessageLevel.Warning
            )
        if layer_name == schema.STRUCTURES.name and not intact:
            self._offer_state(record.feature_id)
        return record.feature_id

    def _offer_state(self, structure_id: str) -> None:
        """A new structure without a state (drawn while swiping, or on the after image) would
        silently count as not assessed: select it, so the review keys record its state at the
        after date, and say so."""
        after = self.session.after
        if after is None or not after.acquired:
            self.message.emit(
                f"{structure_id} has no state and counts as not assessed: choose a dated after image, then "
                "record its state with the review tool.",
                Qgis.MessageLevel.Info,
            )
            return
        self.select(structure_id)
        self.message.emit(
            f"{structure_id} has no state yet and counts as not assessed. It is selected: with the review tool, "
            f"1–5, 0, C or X records its state at the after date {after.acquired}.",
            Qgis.MessageLevel.Info,
        )

    def _compound_name(self, compound_id: str) -> str:
        """The name the analyst gives a new compound; the default (``Compound C-0003``) when
        the question is cancelled or answered empty, so the drawn outline is never lost."""
        default = f"Compound {compound_id}"
        answer = self.ask_name(f"Name of compound {compound_id}:", default) if self.ask_name else None
        return (answer or "").strip() or default

    def _shown_image(self) -> ImageRecord | None:
        """The image a new point or line was seen on: the before image while it is shown,
        otherwise the after image."""
        return self.session.before if self._before_is_shown() else self.session.after

    def _before_is_shown(self) -> bool:
        """Whether the analyst is looking at the before image: the SiteWatch comparison shows
        it (before mode, or flicker on before); without a comparison, it is the top-most
        visible image layer; with no image layers at all, no after image is chosen."""
        before, after = self.session.before, self.session.after
        if before is None or not before.acquired:
            return False
        comparing = self._comparison_shows()
        if comparing is not None:
            return comparing == "before"
        root = self.session.project.layerTreeRoot()
        for layer in root.layerOrder():  # top first
            node = root.findLayer(layer.id())
            if layer.customProperty(IMAGE_ID_PROPERTY) and node is not None and node.isVisible():
                return bool(layer.customProperty(IMAGE_ID_PROPERTY) == before.image_id)
        return after is None

    def _comparison_shows(self) -> str | None:
        """ "before", "after" or "both" while the SiteWatch comparison is on the canvas, else None."""
        for item in self.canvas.scene().items():
            if isinstance(item, ComparisonItem):
                if item.mode == CompareMode.BEFORE or (
                    item.mode == CompareMode.FLICKER and not item.flicker_shows_after
                ):
                    return "before"
                return "after" if item.mode in (CompareMode.AFTER, CompareMode.FLICKER) else "both"
        return None

    def move(self, feature_id: str, geometry: QgsGeometry, layer_name: str = schema.STRUCTURES.name) -> None:
        if self.store is None:
            self.message.emit(NO_ASSESSMENT, Qgis.MessageLevel.Warning)
            return
        self._push(
            ChangeGeometry(
                self.store, layer_name, feature_id, geometry, self.store.compound_index, self._compounds_changed
            )
        )

    def delete(self, feature_id: str | None = None, layer_name: str = schema.STRUCTURES.name) -> bool:
        """Delete a feature (default: the current structure) after asking; its observations
        are kept in observation_history."""
        feature_id = feature_id or self.current
        if self.store is None or feature_id is None:
            self.message.emit("Select a structure first (click it with the review tool).", Qgis.MessageLevel.Warning)
            return False
        if not self.confirm(f"Delete {feature_id}? Its recorded states are kept in observation_history."):
            return False
        return self._push(DeleteFeature(self.store, layer_name, feature_id, self._compounds_changed))

    def _compounds_changed(self) -> None:
        if self.store is not None:
            self.store.refresh_compound_ids()

    def compounds_edited(self) -> None:
        """Compounds changed through QGIS's own tools: re-assign every structure."""
        if self.store is None:
            return
        try:
            self._compounds_changed()
        except SiteWatchError as error:
            self.message.emit(str(error), Qgis.MessageLevel.Critical)
        self._reload_layers({schema.STRUCTURES.name})
        self._load_structures()

    def compound_follows(self, structure_ids: list[str]) -> None:
        """Re-assign the compound of structures whose geometry QGIS's own tools edited."""
        if self.store is None:
            return
        compounds = self.store.compound_index()
        try:
            for structure_id in structure_ids:
                record = self.store.get_feature(schema.STRUCTURES.name, structure_id)
                if record is not None:
                    self.store.update_feature(
                        schema.STRUCTURES.name,
                        structure_id,
                        attributes={"compound_id": compounds.assign(record.geometry)},
                    )
        except SiteWatchError as error:
            self.message.emit(str(error), Qgis.MessageLevel.Critical)
        self._reload_layers({schema.STRUCTURES.name})
