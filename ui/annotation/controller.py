"""What the drawing tools, the review tool and the review queue do, over ``core``.

Every change goes through the undo stack as a command that commits its own transaction;
afterwards only the structures it touched are re-read (status book, queue, map style), so a
key press stays cheap on sites with tens of thousands of structures.
"""

from __future__ import annotations

from collections.abc import Callable

from qgis.core import Qgis, QgsFeatureRequest, QgsGeometry, QgsProject, QgsVectorLayer
from qgis.gui import QgsMapCanvas
from qgis.PyQt.QtCore import QObject, Qt, QTimer, pyqtSignal

from ...core import attributes, values
from ...core.annotation.features import NewFeature, new_record
from ...core.annotation.review import (
    SCORE_FIELD,
    QueueFilter,
    ReviewQueue,
    ScoreProvider,
    StatusBook,
    StructureInfo,
    scores_from_layer,
)
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
from ...core.assessment.records import StoredChangeScore
from ...core.assessment.store import AssessmentStore
from ...core.errors import SiteWatchError
from ...core.imagery.layers import IMAGE_ID_PROPERTY
from ...core.imagery.registry import ImageRecord
from ...core.scoring.change_score import UNKNOWN
from .. import settings
from ..assessment.session import AssessmentSession
from ..compare.canvas_overlay import CompareMode, ComparisonItem
from ..messages import warns
from .status_style import StatusStyle

TABLE_REFRESH_MS = 800
"""Observation tables shown in QGIS are re-read this long after the last recorded state."""
NO_ASSESSMENT = "No assessment is open: use SiteWatch ▸ Open assessment or New assessment before drawing."


class LayerScores:
    """The change scores of a project layer (``structure_id``, ``chg_score``), read each time
    and looked up by id: the analyst may remove (and so delete) the layer at any moment, and
    then there are no scores rather than a "wrapped C/C++ object has been deleted" error."""

    def __init__(self, project: QgsProject, layer_id: str):
        self.project = project
        self.layer_id = layer_id

    def __call__(self) -> dict[str, float]:
        layer = self.project.mapLayer(self.layer_id)
        return scores_from_layer(layer) if isinstance(layer, QgsVectorLayer) else {}


class AnnotationController(QObject):
    """Drawing, recording states, the review queue and undo for the open assessment."""

    message = pyqtSignal(str, object)
    """A message for the analyst: (text, Qgis.MessageLevel)."""
    current_changed = pyqtSignal(object)
    """The structure under review changed (structure_id or None)."""
    navigated = pyqtSignal(str)
    """The analyst stepped to this structure in the queue (pan and zoom to it)."""
    queue_changed = pyqtSignal()
    """The queue's content, order or counts changed."""
    states_changed = pyqtSignal(list)
    """The recorded states of these structures changed (structure ids)."""
    confidence_changed = pyqtSignal(str)
    """The confidence recorded with the next states changed."""
    suggestions_changed = pyqtSignal()
    """The pre-scores (suggested statuses) of the current image pair were (re)loaded."""

    def __init__(
        self,
        session: AssessmentSession,
        canvas: QgsMapCanvas,
        confirm: Callable[[str], bool],
        ask_name: Callable[[str, str], str | None] | None = None,
    ):
        super().__init__()
        self.session = session
        self.canvas = canvas
        self.confirm = confirm
        self.ask_name = ask_name  # (question, default) → a new compound's name, None when cancelled
        self.undo_stack = UndoStack()
        self.undo_stack.listeners.append(self._after_command)
        self.style = StatusStyle(session.project)
        self.store: AssessmentStore | None = None
        self.book = StatusBook()
        self.queue = ReviewQueue((), self.book)
        self.scores: ScoreProvider | None = None
        self.change_scores: dict[str, StoredChangeScore] = {}
        """The pre-scores saved for the current image pair (structure_id → StoredChangeScore)."""
        self.fids: dict[str, int] = {}
        self.current: str | None = None
        self.confidence: str = settings.default_confidence()
        self.intact_on_before = True
        self.queue_filter = QueueFilter()
        self.queue_order = "id"
        self._tables_timer = QTimer(self)
        self._tables_timer.setSingleShot(True)
        self._tables_timer.setInterval(TABLE_REFRESH_MS)
        self._tables_timer.timeout.connect(self._reload_tables)
        session.opened.connect(self.attach)
        session.closed.connect(self.detach)
        session.pair_changed.connect(self._pair_changed)
        session.scores_changed.connect(self._scores_saved)
        canvas.temporalRangeChanged.connect(self.refresh_date)
        if session.store is not None:
            self.attach(session.store)

    def warn(self, text: str) -> None:
        """Show ``text`` to the analyst as a warning (used by :func:`.messages.warns`)."""
        self.message.emit(text, Qgis.MessageLevel.Warning)

    # -- assessment ---------------------------------------------------------------------

    @warns
    def attach(self, store) -> None:
        book = StatusBook.load(store)  # first: a locked or broken file leaves the controller detached
        self.store = store
        self.undo_stack.clear()
        self.book = book
        self.style.apply(self.session.layer(schema.STRUCTURES.name))
        self._load_change_scores()
        self._load_structures()
        on = self.display_date()
        self.style.set_statuses(self.book.status_map(on) if on else {})

    def detach(self) -> None:
        self._tables_timer.stop()
        self.store = None
        self.undo_stack.clear()
        self.style.release()
        if isinstance(self.scores, LayerScores):  # a project layer: it goes with the project
            self.scores = None
        self.book = StatusBook()
        self.queue = ReviewQueue((), self.book, self.scores)
        self.fids = {}
        if self.change_scores:
            self.change_scores = {}
            self.suggestions_changed.emit()
        self.select(None)
        self.queue_changed.emit()

    def unload(self) -> None:
        self._tables_timer.stop()
        self.session.opened.disconnect(self.attach)
        self.session.closed.disconnect(self.detach)
        self.session.pair_changed.disconnect(self._pair_changed)
        self.session.scores_changed.disconnect(self._scores_saved)
        self.canvas.temporalRangeChanged.disconnect(self.refresh_date)
        self.style.unload()

    def _load_structures(self) -> None:
        layer = self.session.layer(schema.STRUCTURES.name)
        request = QgsFeatureRequest().setFlags(Qgis.FeatureRequestFlag.NoGeometry)
        request.setSubsetOfAttributes(["structure_id", "type", "compound_id"], layer.fields())
        infos, self.fids = [], {}
        for feature in layer.getFeatures(request):
            structure_id = feature["structure_id"]
            if not structure_id:
                continue
            self.fids[structure_id] = feature.id()
            infos.append(
                StructureInfo(structure_id, attributes.text(feature["type"]), attributes.text(feature["compound_id"]))
            )
        self.queue = ReviewQueue(infos, self.book, self.scores)
        self.rebuild_queue()

    def compound_names(self) -> dict[str, str]:
        """compound_id → name of the open assessment's named compounds."""
        if self.store is None:
            return {}
        layer = self.session.layer(schema.COMPOUNDS.name)
        request = QgsFeatureRequest().setFlags(Qgis.FeatureRequestFlag.NoGeometry)
        request.setSubsetOfAttributes(["compound_id", "name"], layer.fields())
        return {
            f["compound_id"]: f["name"]
            for f in layer.getFeatures(request)
            if f["compound_id"] and attributes.text(f["name"])
        }

    def set_score_provider(self, scores: ScoreProvider | None) -> None:
        """The change-score hook: a callable returning {structure_id: score}, or None."""
        self.scores = scores
        self.queue.scores = scores
        self.rebuild_queue()

    # -- dates ----------------------------------------------------------------------------

    def review_date(self) -> str | None:
        """The date states are recorded and reviewed at: the after image's date."""
        after = self.session.after
        return after.acquired if after is not None else None

    def display_date(self) -> str | None:
        """The date the map shows states at: the Temporal Controller's while it runs,
        otherwise the after image's date (the before image's while no after is chosen)."""
        if self.canvas.mapSettings().isTemporal():
            begin = self.canvas.temporalRange().begin()
            if begin.isValid():
                return begin.date().toString(Qt.DateFormat.ISODate)
        before = self.session.before
        return self.review_date() or (before.acquired if before is not None else None)

    def _pair_changed(self, *_args) -> None:
        self._load_change_scores()
        self.refresh_date()

    def refresh_date(self, *_args) -> None:
        on = self.display_date()
        self.style.set_statuses(self.book.status_map(on) if on else {})
        self.rebuild_queue()

    # -- drawing ----------------------------------------------------------------------------

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
            command: Command = AddFeature(self.store, record, self._compounds_changed)
            before = self.session.before
            if layer_name == schema.STRUCTURES.name and self.intact_on_before and self._before_is_shown():
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
        return record.feature_id

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
                return layer.customProperty(IMAGE_ID_PROPERTY) == before.image_id
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

    # -- reviewing ----------------------------------------------------------------------------

    def select(self, structure_id: str | None) -> None:
        self.current = structure_id
        if structure_id is not None:
            self.queue.go_to(structure_id)
        self.current_changed.emit(structure_id)

    def _review_target(self) -> tuple[str, ImageRecord, str] | None:
        after = self.session.after
        if self.store is None:
            self.message.emit("No assessment is open: open one before recording states.", Qgis.MessageLevel.Warning)
        elif self.current is None:
            self.message.emit(
                "No structure is selected: click one with the review tool or press N.", Qgis.MessageLevel.Warning
            )
        elif after is None or not after.acquired:
            self.message.emit(
                "Choose a dated after image in the imagery panel before recording states.", Qgis.MessageLevel.Warning
            )
        else:
            return self.current, after, after.acquired
        return None

    def record_status(self, status: str, confidence: str | None = None) -> bool:
        """Record ``status`` for the current structure at the after image's date, with
        ``confidence`` (default: the one last chosen with H / M / L, at first the
        ``SiteWatch/default_confidence`` setting)."""
        target = self._review_target()
        if target is None:
            return False
        structure_id, after, on = target
        observation = Observation(
            structure_id,
            on,
            status,
            image_id=after.image_id,
            confidence=confidence or self.confidence,
            analyst=settings.analyst_name(),
        )
        return self._push(RecordObservation(self.store, observation))

    def confirm_carried_forward(self) -> bool:
        """Confirm the state shown at the review date: one already recorded at that date is
        kept as it is; otherwise the state carried forward from the previous date is recorded."""
        target = self._review_target()
        if target is None:
            return False
        structure_id, _, on = target
        recorded = self.book.observation_on(structure_id, on)
        if recorded is not None:
            label = values.label_of(values.STATUSES, recorded.status)
            self.message.emit(
                f"{structure_id} is already recorded {label} at {on}; nothing changed.", Qgis.MessageLevel.Info
            )
            return False
        previous = self.book.carried_forward(structure_id, on)
        if previous is None:
            self.message.emit(
                f"{structure_id} has no earlier state to carry forward; press a status key.", Qgis.MessageLevel.Warning
            )
            return False
        return self.record_status(previous.status)

    def accept_suggestion(self) -> bool:
        """Record the current structure's suggested status (from *Pre-score changes* for the
        current image pair) like a status key would; a message and nothing recorded when the
        structure has no suggestion, the suggestion is ``unknown``, or a state is already recorded
        at the after date (a suggestion never replaces what an analyst recorded)."""
        target = self._review_target()
        if target is None:
            return False
        structure_id = target[0]
        stored = self.change_scores.get(structure_id)
        if stored is None:
            self.message.emit(
                f"{structure_id} has no suggested status for this image pair (run SiteWatch ▸ "
                "Pre-score changes); press a status key.",
                Qgis.MessageLevel.Warning,
            )
            return False
        if stored.suggested not in values.STATUS_BY_CODE or stored.suggested == UNKNOWN:
            self.message.emit(
                f"The pre-score of {structure_id} suggests "
                f"{values.label_of(values.STATUSES, stored.suggested)}: nothing to accept; "
                "look at the images and press a status key.",
                Qgis.MessageLevel.Warning,
            )
            return False
        recorded = self.book.observation_on(structure_id, target[2])
        if recorded is not None:  # a state someone recorded wins over a machine suggestion
            label = values.label_of(values.STATUSES, recorded.status)
            suggested = values.label_of(values.STATUSES, stored.suggested)
            if recorded.status == stored.suggested:
                self.message.emit(
                    f"{structure_id} is already recorded {label} at {target[2]}; nothing changed.",
                    Qgis.MessageLevel.Info,
                )
            else:
                self.message.emit(
                    f"{structure_id} is already recorded {label} at {target[2]}; Y does not "
                    f"replace it with the suggested {suggested}: press a status key to change it.",
                    Qgis.MessageLevel.Warning,
                )
            return False
        return self.record_status(stored.suggested)

    def suggestion_text(self, structure_id: str) -> str | None:
        """``suggests Destroyed (0.83)`` for a structure pre-scored in the current pair;
        ``suggests Unknown (cannot be assessed)`` without a score; None when not pre-scored."""
        stored = self.change_scores.get(structure_id)
        if stored is None:
            return None
        label = values.label_of(values.STATUSES, stored.suggested)
        return f"suggests {label}" if stored.score is None else f"suggests {label} ({stored.score:.2f})"

    def set_confidence(self, confidence: str) -> bool:
        """Use ``confidence`` from now on; rewrites the current structure's state at this date."""
        self.confidence = confidence
        self.confidence_changed.emit(confidence)
        label = values.label_of(values.CONFIDENCES, confidence)
        if self.current is None or self.store is None:
            self.message.emit(f"Confidence {label} for the next states.", Qgis.MessageLevel.Info)
            return False
        on = self.review_date()
        existing = self.book.observation_on(self.current, on) if on else None
        if existing is None or existing.confidence == confidence:
            self.message.emit(f"Confidence {label} for the next states.", Qgis.MessageLevel.Info)
            return False
        return self.record_status(existing.status)

    def step(self, direction: int) -> str | None:
        """Go to the next (+1) or previous (-1) structure in the queue."""
        structure_id = self.queue.step(direction)
        if structure_id is None:
            self.message.emit("End of the review queue.", Qgis.MessageLevel.Info)
            return None
        self.select(structure_id)
        self.navigated.emit(structure_id)
        return structure_id

    def rebuild_queue(self, queue_filter: QueueFilter | None = None, order: str | None = None) -> None:
        self.queue_filter = queue_filter or self.queue_filter
        self.queue_order = order or self.queue_order
        if self.queue_order == "score" and self.scores is None:
            self._use_scores_from_project()
        self.queue.rebuild(self.review_date(), self.queue_filter, self.queue_order)
        self.queue_changed.emit()

    def _load_change_scores(self) -> None:
        """Read the pre-scores saved for the current image pair (none while no assessment is
        open or no pair is chosen); when they differ from those shown, the queue dock
        re-labels its rows."""
        store, before, after = self.session.store, self.session.before, self.session.after
        loaded: dict[str, StoredChangeScore] = {}
        if store is not None and before is not None and after is not None:
            try:
                loaded = store.change_scores(before.image_id, after.image_id)
            except SiteWatchError as error:
                self.message.emit(str(error), Qgis.MessageLevel.Warning)
        if loaded != self.change_scores:
            self.change_scores = loaded
            self.suggestions_changed.emit()

    def _stored_change_scores(self) -> dict[str, float]:
        """The change scores saved by *Pre-score changes* for the current image pair."""
        return {sid: p.score for sid, p in self.change_scores.items() if p.score is not None}

    def _scores_saved(self) -> None:
        """A pre-score run saved its scores: show the new suggestions, and re-sort the queue
        when it is ordered by change score."""
        self._load_change_scores()
        if self.queue_order == "score":
            self.scores = self.queue.scores = None
            self.rebuild_queue()

    def _use_scores_from_project(self) -> None:
        """Take the change scores saved for the current pair by *Pre-score changes*; else those
        of a project layer with ``structure_id`` and ``chg_score`` (the output of
        sitewatch:changescore), when there is one."""
        if self._stored_change_scores():
            self.scores = self.queue.scores = self._stored_change_scores
            self.message.emit("Ordering the queue by the pre-scored change of this image pair.", Qgis.MessageLevel.Info)
            return
        for layer in self.session.project.mapLayers().values():
            if isinstance(layer, QgsVectorLayer) and {"structure_id", SCORE_FIELD} <= set(layer.fields().names()):
                self.scores = self.queue.scores = LayerScores(self.session.project, layer.id())
                self.message.emit(
                    f"Ordering the queue by the change scores of layer '{layer.name()}'.", Qgis.MessageLevel.Info
                )
                return
        self.message.emit(
            "No change scores are available yet (run SiteWatch ▸ Pre-score changes, or "
            "sitewatch:changescore); "
            "the queue is ordered by id.",
            Qgis.MessageLevel.Info,
        )

    # -- undo -----------------------------------------------------------------------------------

    def undo(self) -> None:
        self._stack_step(self.undo_stack.undo, "Nothing to undo.")

    def redo(self) -> None:
        self._stack_step(self.undo_stack.redo, "Nothing to redo.")

    def _stack_step(self, action: Callable[[], Command | None], empty: str) -> None:
        try:
            if action() is None:
                self.message.emit(empty, Qgis.MessageLevel.Info)
        except SiteWatchError as error:
            self.message.emit(str(error), Qgis.MessageLevel.Critical)

    def _push(self, command: Command) -> bool:
        try:
            self.undo_stack.push(command)
        except SiteWatchError as error:
            self.message.emit(str(error), Qgis.MessageLevel.Critical)
            return False
        return True

    def _after_command(self, command: Command) -> None:
        """Re-read what ``command`` changed: states of its structures, and layers."""
        if self.store is None:
            return
        changed = sorted(command.structure_ids())
        self.book.reload(self.store, changed)
        layers = command.layer_names()
        self._reload_layers(layers)
        if layers & {schema.STRUCTURES.name, schema.COMPOUNDS.name}:
            self._load_structures()
        on = self.display_date()
        for structure_id in changed:
            self.style.set_status(structure_id, self.book.status_at(structure_id, on) if on else None)
        if self.current is not None and self.current not in self.queue.structures:
            self.select(None)
        self.queue_changed.emit()
        if changed:
            self.states_changed.emit(changed)

    @warns
    def _reload_tables(self) -> None:
        """Let open attribute tables of observations and their history show the new rows."""
        if self.store is None:
            return
        for name in (schema.OBSERVATIONS.name, schema.OBSERVATION_HISTORY.name):
            self.session.layer(name).dataProvider().reloadData()

    def _reload_layers(self, names: set[str]) -> None:
        if names & {schema.OBSERVATIONS.name, schema.OBSERVATION_HISTORY.name}:
            self._tables_timer.start()  # coalesced: a burst of keys re-reads the tables once
        for name in names & {
            schema.STRUCTURES.name,
            schema.COMPOUNDS.name,
            schema.LINEAR_FEATURES.name,
            schema.POINT_FEATURES.name,
        }:
            layer: QgsVectorLayer = self.session.layer(name)
            layer.dataProvider().reloadData()
            layer.triggerRepaint()

    def status_text(self, structure_id: str) -> str:
        """How a structure's state at the review date is shown in the queue."""
        on = self.review_date()
        observation = self.book.observation_at(structure_id, on) if on else None
        if observation is None:
            return "not observed"
        label = values.label_of(values.STATUSES, observation.status)
        return label if observation.observed_on == on else f"{label} (carried from {observation.observed_on})"
