"""Reviewing for the annotation controller: recording states of the current structure
(status keys, confirming the carried-forward state, accepting a change score's suggestion,
confidence) and the change scores of the current image pair behind suggestions and the
score order of the queue."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from qgis.core import Qgis, QgsProject, QgsVectorLayer
from qgis.PyQt.QtCore import pyqtBoundSignal

from ...core import values
from ...core.annotation.review import SCORE_FIELD, ReviewQueue, ScoreProvider, StatusBook, scores_from_layer
from ...core.annotation.undo import Command, RecordShownObservation, UndoStack
from ...core.assessment.observations import Observation, now_iso
from ...core.assessment.records import StoredChangeScore
from ...core.assessment.store import AssessmentStore, ObservationConflict
from ...core.errors import SiteWatchError
from ...core.imagery.registry import ImageRecord
from ...core.scoring.change_score import UNKNOWN
from ...core.scoring.explanation import stored_suggestion
from .. import settings
from ..assessment.conflict import conflict_question, kept_theirs_message
from ..assessment.session import AssessmentSession

if TYPE_CHECKING:
    from .controller import BlindReview


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


class ReviewingMixin:
    """The reviewing half of :class:`.controller.AnnotationController` (which provides the
    state and the methods declared here)."""

    session: AssessmentSession
    store: AssessmentStore | None
    read_only: str | None
    book: StatusBook
    queue: ReviewQueue
    scores: ScoreProvider | None
    change_scores: dict[str, StoredChangeScore]
    current: str | None
    confidence: str
    queue_order: str
    message: pyqtBoundSignal
    confidence_changed: pyqtBoundSignal
    suggestions_changed: pyqtBoundSignal
    _push: Callable[[Command], bool]
    undo_stack: UndoStack
    keep_mine: Callable[[str], bool]
    reread: Callable[[list[str], set[str]], None]
    review_date: Callable[[], str | None]
    rebuild_queue: Callable[..., None]
    blind: BlindReview | None

    def _review_target(self) -> tuple[str, ImageRecord, str] | None:
        after = self.session.after
        if self.store is None:
            self.message.emit("No assessment is open: open one before recording states.", Qgis.MessageLevel.Warning)
        elif self.read_only:
            self.message.emit(self.read_only, Qgis.MessageLevel.Warning)
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
        ``SiteWatch/default_confidence`` setting). In the validate mode: a validation answer."""
        if self.blind is not None:
            return self.blind.record(status, confidence or self.confidence)
        target = self._review_target()
        if target is None or self.store is None:  # _review_target warned
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
        # what the map showed: the book's loaded state (a state recorded since by another analyst
        # is not "shown", so recording over it asks first)
        shown = self.book.observation_on(structure_id, on) if self.book.is_reviewed(structure_id, on) else None
        return self._record_over(self.store, observation, shown)

    def _record_over(self, store: AssessmentStore, observation: Observation, shown: Observation | None) -> bool:
        """Record ``observation`` over ``shown`` (what the map showed). When another analyst
        changed it meanwhile, their state is shown and the analyst chooses: keep theirs (nothing
        written) or keep mine (written over theirs, which stays in the history)."""
        for _ in range(3):  # another change between question and answer asks again, a few times
            try:
                self.undo_stack.push(RecordShownObservation(store, observation, shown))
                return True
            except ObservationConflict as conflict:
                self.reread([observation.structure_id], set())
                if not self.keep_mine(conflict_question(observation, conflict.current)):
                    self.message.emit(kept_theirs_message(observation, conflict.current), Qgis.MessageLevel.Info)
                    return False
                shown = conflict.current
                observation = replace(observation, recorded_at=now_iso())
            except SiteWatchError as error:
                self.message.emit(str(error), Qgis.MessageLevel.Critical)
                return False
        self.message.emit(
            f"{observation.structure_id} keeps changing at {observation.observed_on}; nothing was written. "
            "Look at it again and press the key once more.",
            Qgis.MessageLevel.Warning,
        )
        return False

    def confirm_carried_forward(self) -> bool:
        """Confirm the state shown at the review date: one already recorded at that date is
        kept as it is; otherwise the state carried forward from the previous date is recorded."""
        if self.blind is not None:  # it would confirm the first review's state: not blind
            return self.blind.refuse("Enter")
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
        """Record the current structure's suggested status (from *Score changes* for the
        current image pair) like a status key would; a message and nothing recorded when the
        structure has no suggestion, the suggestion is ``unknown``, or a state is already recorded
        at the after date (a suggestion never replaces what an analyst recorded)."""
        if self.blind is not None:  # the change score is hidden while validating
            return self.blind.refuse("Y")
        target = self._review_target()
        if target is None:
            return False
        structure_id = target[0]
        stored = self.change_scores.get(structure_id)
        if stored is None:
            self.message.emit(
                f"{structure_id} has no suggested status for this image pair (run SiteWatch ▸ "
                "Score changes); press a status key.",
                Qgis.MessageLevel.Warning,
            )
            return False
        if stored.suggested not in values.STATUS_BY_CODE or stored.suggested == UNKNOWN:
            self.message.emit(
                f"The change score of {structure_id} suggests "
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
        """``suggests Destroyed (0.83): 61% of the roof changed`` for a structure scored in the
        current pair; ``suggests Unknown (cannot be assessed)`` without a score; None when not scored."""
        stored = self.change_scores.get(structure_id)
        if stored is None or self.blind is not None:
            return None
        return stored_suggestion(stored.suggested, stored.score, stored.frac)

    def set_confidence(self, confidence: str) -> bool:
        """Use ``confidence`` from now on; rewrites the current structure's state at this date."""
        self.confidence = confidence
        self.confidence_changed.emit(confidence)
        if self.blind is not None:  # the current answer's confidence, never the first review's
            return self.blind.set_confidence(confidence)
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

    def _load_change_scores(self) -> None:
        """Read the change scores saved for the current image pair (none while no assessment is
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
        """The change scores saved by *Score changes* for the current image pair."""
        return {sid: p.score for sid, p in self.change_scores.items() if p.score is not None}

    def _scores_saved(self) -> None:
        """A change score run saved its scores: show the new suggestions, and re-sort the queue
        when it is ordered by change score."""
        self._load_change_scores()
        if self.queue_order == "score":
            self.scores = self.queue.scores = None
            self.rebuild_queue()

    def _use_scores_from_project(self) -> None:
        """Take the change scores saved for the current pair by *Score changes*; else those
        of a project layer with ``structure_id`` and ``chg_score`` (the output of
        sitewatch:changescore), when there is one."""
        if self._stored_change_scores():
            self.scores = self.queue.scores = self._stored_change_scores
            self.message.emit("Ordering the queue by the scored change of this image pair.", Qgis.MessageLevel.Info)
            return
        for layer in self.session.project.mapLayers().values():
            if isinstance(layer, QgsVectorLayer) and {"structure_id", SCORE_FIELD} <= set(layer.fields().names()):
                self.scores = self.queue.scores = LayerScores(self.session.project, layer.id())
                self.message.emit(
                    f"Ordering the queue by the change scores of layer '{layer.name()}'.", Qgis.MessageLevel.Info
                )
                return
        self.message.emit(
            "No change scores are available yet (run SiteWatch ▸ Score changes, or "
            "sitewatch:changescore); "
            "the queue is ordered by id.",
            Qgis.MessageLevel.Info,
        )
