"""What the drawing tools, the review tool and the review queue do, over ``core``.

The controller holds the open assessment's review state (status book, queue, current
structure, dates) and the undo stack; drawing is in :mod:`.drawing` and recording states in
:mod:`.reviewing`, mixed in here. Every change goes through the undo stack as a command that
commits its own transaction; afterwards only the structures it touched are re-read (status book, queue, map style), so a
key press stays cheap on sites with tens of thousands of structures.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Protocol

from qgis.core import Qgis, QgsFeatureRequest, QgsVectorLayer
from qgis.gui import QgsMapCanvas
from qgis.PyQt.QtCore import QObject, Qt, QTimer, pyqtSignal

from ...core import attributes, values
from ...core.annotation.review import (
    QueueFilter,
    ReviewQueue,
    ScoreProvider,
    StatusBook,
    StructureInfo,
    read_structures,
)
from ...core.annotation.undo import Command, UndoStack
from ...core.assessment import schema
from ...core.assessment.records import StoredChangeScore
from ...core.assessment.store import AssessmentStore
from ...core.errors import SiteWatchError
from .. import settings
from ..assessment.conflict import ask_keep_mine
from ..assessment.remote_changes import changed_by
from ..assessment.session import AssessmentSession
from ..messages import warns
from .drawing import NO_ASSESSMENT, DrawingMixin
from .reviewing import LayerScores, ReviewingMixin
from .status_style import StatusStyle

if TYPE_CHECKING:
    from ...core.assessment.postgis_listen import RemoteChange


class BlindReview(Protocol):
    """The validate mode (:mod:`..validation`) while it runs: the queue holds its sample, status
    keys record validation answers, and nothing shows the first review or the change score."""

    def restrict(self, queue: ReviewQueue) -> None:
        """Put the sample's structures, in their order, in ``queue`` (after each rebuild)."""

    def record(self, status: str, confidence: str) -> bool:
        """A status key: record the answer for the current structure."""

    def set_confidence(self, confidence: str) -> bool:
        """H / M / L: the confidence of the next answers (and of the current one)."""

    def refuse(self, key: str) -> bool:
        """A key that would show or use the first review or the change score: say why not."""

    def status_text(self, structure_id: str) -> str:
        """What the queue shows of a structure instead of its status."""

    def counter_text(self) -> str:
        """The queue's counter: e.g. "12 of 60 validated"."""


TABLE_REFRESH_MS = 800
"""Observation tables shown in QGIS are re-read this long after the last recorded state."""
__all__ = ["NO_ASSESSMENT", "TABLE_REFRESH_MS", "AnnotationController", "LayerScores"]


class AnnotationController(DrawingMixin, ReviewingMixin, QObject):
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
    """The change scores (suggested statuses) of the current image pair were (re)loaded."""

    def __init__(
        self,
        session: AssessmentSession,
        canvas: QgsMapCanvas,
        confirm: Callable[[str], bool],
        ask_name: Callable[[str, str], str | None] | None = None,
        keep_mine: Callable[[str], bool] = ask_keep_mine,
    ):
        super().__init__()
        self.session = session
        self.canvas = canvas
        self.confirm = confirm
        self.keep_mine = keep_mine  # another analyst changed what was shown: True keeps mine
        self.ask_name = ask_name  # (question, default) → a new compound's name, None when cancelled
        self.undo_stack = UndoStack()
        self.undo_stack.listeners.append(self._after_command)
        self.style = StatusStyle(session.project)
        self.store: AssessmentStore | None = None
        self.read_only: str | None = None
        """Why the open assessment may only be read here (keys and drawing are refused), or None."""
        self.book = StatusBook()
        self.queue = ReviewQueue((), self.book)
        self.scores: ScoreProvider | None = None
        self.change_scores: dict[str, StoredChangeScore] = {}
        """The change scores saved for the current image pair (structure_id → StoredChangeScore)."""
        self.fids: dict[str, int] = {}
        self.current: str | None = None
        self.confidence: str = settings.default_confidence()
        self.intact_on_before = True
        self.queue_filter = QueueFilter()
        self.queue_order = "id"
        self.blind: BlindReview | None = None
        """The validate mode while it runs (None otherwise)."""
        self._tables_timer = QTimer(self)
        self._tables_timer.setSingleShot(True)
        self._tables_timer.setInterval(TABLE_REFRESH_MS)
        self._tables_timer.timeout.connect(self._reload_tables)
        session.opened.connect(self.attach)
        session.closed.connect(self.detach)
        session.pair_changed.connect(self._pair_changed)
        session.scores_changed.connect(self._scores_saved)
        session.remote_changed.connect(self._remote_changed)
        session.store_changed.connect(self._store_changed)
        canvas.temporalRangeChanged.connect(self.refresh_date)
        if session.store is not None:
            self.attach(session.store)

    def warn(self, text: str) -> None:
        """Show ``text`` to the analyst as a warning (used by :func:`.messages.warns`)."""
        self.message.emit(text, Qgis.MessageLevel.Warning)

    # -- assessment ---------------------------------------------------------------------

    @warns
    def attach(self, store: AssessmentStore) -> None:
        # Read first: a locked or broken file leaves the controller detached. The observations
        # (3.5 million rows at country scale: GDAL and numpy, which let go of the GIL) are read
        # on a second thread while this one reads the structures.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sitewatch-observations") as pool:
            loading = pool.submit(_read_book, store)
            structures = read_structures(self.session.layer(schema.STRUCTURES.name))
            book = loading.result()
        observations = book.sorted_observations()
        if observations is not None:
            self.session.keep_observations_read(store, observations)  # the Damage panel's first computation
        self.read_only = store.read_only_reason()
        self.store = store
        self.undo_stack.clear()
        self.book = book
        self.style.apply(self.session.layer(schema.STRUCTURES.name))
        self._load_change_scores()
        self._load_structures(structures)
        if self.read_only:
            self.message.emit(self.read_only, Qgis.MessageLevel.Info)

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
        self.session.remote_changed.disconnect(self._remote_changed)
        self.session.store_changed.disconnect(self._store_changed)
        self.canvas.temporalRangeChanged.disconnect(self.refresh_date)
        self.style.unload()

    def _load_structures(self, structures: tuple[list[StructureInfo], dict[str, int]] | None = None) -> None:
        """Read the structures (unless ``structures`` were just read) and build the queue."""
        infos, self.fids = structures or read_structures(self.session.layer(schema.STRUCTURES.name))
        self.style.show(self.book, self.display_date(), self.fids)
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
                return str(begin.date().toString(Qt.DateFormat.ISODate))
        before = self.session.before
        return self.review_date() or (before.acquired if before is not None else None)

    def _pair_changed(self, *_args: object) -> None:
        self._load_change_scores()
        self.refresh_date()

    def refresh_date(self, *_args: object) -> None:
        self.style.show(self.book, self.display_date(), self.fids)
        self.rebuild_queue()

    # -- queue ----------------------------------------------------------------------------------

    def select(self, structure_id: str | None) -> None:
        self.current = structure_id
        if structure_id is not None:
            self.queue.go_to(structure_id)
        self.current_changed.emit(structure_id)

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
        if self.blind is not None:
            self.blind.restrict(self.queue)
        self.queue_changed.emit()

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
        if self.read_only:
            self.message.emit(self.read_only, Qgis.MessageLevel.Warning)
            return False
        try:
            self.undo_stack.push(command)
        except SiteWatchError as error:
            self.message.emit(str(error), Qgis.MessageLevel.Critical)
            return False
        return True

    def _after_command(self, command: Command) -> None:
        """Re-read what ``command`` changed: states of its structures, and layers."""
        changed, layers = sorted(command.structure_ids()), command.layer_names()
        self.reread(changed, layers)
        if changed and schema.OBSERVATIONS.name in layers:
            self.session.observations_changed.emit(changed)

    @warns
    def _remote_changed(self, changes: list[RemoteChange]) -> None:
        """Other analysts changed the shared assessment: show it without reloading layers."""
        self._store_changed(*changed_by(changes))

    @warns
    def _store_changed(self, structure_ids: list[str] | None, layers: set[str]) -> None:
        """The assessment changed outside the undo stack (an import, another analyst): show it."""
        if structure_ids is None and schema.STRUCTURES.name in layers and self.store is not None:
            self._reload_layers({schema.STRUCTURES.name})  # structures added: known before their states are read
            self._load_structures()
        self.reread(sorted(self.fids) if structure_ids is None else structure_ids, layers)
        if schema.OBSERVATIONS.name in layers:
            self.session.observations_changed.emit(structure_ids)
        if layers & {schema.OBSERVATIONS.name, schema.OBSERVATION_HISTORY.name}:
            self._tables_timer.stop()
            self._reload_tables()  # now: the Damage panel follows the observations layer

    def reread(self, changed: list[str], layers: set[str]) -> None:
        """Re-read the states of ``changed`` structures and the contract ``layers``."""
        if self.store is None:
            return
        self.book.reload(self.store, changed)
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
        if self.blind is not None:
            return self.blind.status_text(structure_id)
        on = self.review_date()
        state = self.book.state_at(structure_id, on) if on else None
        if state is None:
            return "not observed"
        label = values.label_of(values.STATUSES, state[0])
        return label if state[1] == on else f"{label} (carried from {state[1]})"


def _read_book(store: AssessmentStore) -> StatusBook:
    """The book of every current observation, read as columns."""
    return StatusBook.load(store)
