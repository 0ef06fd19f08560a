"""SiteWatch's own undo stack: every drawing, move, delete and observation change is a
command that writes through the store, so undo and redo are committed like any edit and
nothing is silently lost (replaced and removed observations go to ``observation_history``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence

from qgis.core import QgsGeometry

from ..assessment import schema
from ..assessment.observations import Observation
from ..assessment.records import FeatureRecord
from ..assessment.store import AssessmentStore
from ..errors import SiteWatchError
from .compounds import CompoundIndex


class Command(ABC):
    """One undoable action. ``apply`` and ``revert`` commit their writes or raise
    SiteWatchError having written nothing."""

    text: str = ""

    @abstractmethod
    def apply(self) -> None:
        """Do (or redo) the action."""

    @abstractmethod
    def revert(self) -> None:
        """Undo the action."""

    def structure_ids(self) -> set[str]:
        """Structures whose observations or geometry this command changes."""
        return set()

    def layer_names(self) -> set[str]:
        """Contract layers this command changes."""
        return set()


def _follow_up(step: Callable[[], None], undo_step: Callable[[], object]) -> None:
    """Run ``step`` after a committed write; when it raises, undo that write with
    ``undo_step`` and let the error go on, so a command never stays half applied."""
    done = False
    try:
        step()
        done = True
    finally:
        if not done:
            undo_step()


class RecordObservation(Command):
    """Write one observation; undo restores the one it replaced, or removes it."""

    def __init__(self, store: AssessmentStore, observation: Observation, text: str = ""):
        self.store = store
        self.observation = observation
        self.replaced: Observation | None = None
        self.text = text or f"{observation.structure_id}: {observation.status} on {observation.observed_on}"

    def apply(self) -> None:
        self.replaced = self.store.record_observation(self.observation)

    def revert(self) -> None:
        """Archive the recorded row as ``undone``, then bring back the row it replaced."""
        key = (self.observation.structure_id, self.observation.observed_on)
        self.store.remove_observation(*key, "undone")
        if self.replaced is None:
            return
        try:
            self.store.record_observation(self.replaced)
        except SiteWatchError:
            self.store.record_observation(self.observation)  # undo failed: leave the row as it was
            raise

    def structure_ids(self) -> set[str]:
        return {self.observation.structure_id}

    def layer_names(self) -> set[str]:
        return {schema.OBSERVATIONS.name, schema.OBSERVATION_HISTORY.name}


class RecordShownObservation(RecordObservation):
    """Record an observation over the state the analyst was shown (``shown``: the observation
    of that structure and date then, None when there was none). The first apply is the
    optimistic check of team work: when another analyst changed it meanwhile, an
    ObservationConflict and nothing written. Redo after undo writes again without the check
    (the analyst is undoing and redoing their own change; what it replaces goes to the history)."""

    def __init__(self, store: AssessmentStore, observation: Observation, shown: Observation | None, text: str = ""):
        super().__init__(store, observation, text)
        self.shown = shown
        self._checked = False

    def apply(self) -> None:
        if self._checked:
            super().apply()
            return
        self.replaced = self.store.record_observation_if_unchanged(self.observation, self.shown)
        self._checked = True


class AddFeature(Command):
    """Add a drawn feature; undo deletes it again (its observations go to the history)."""

    def __init__(self, store: AssessmentStore, record: FeatureRecord, after_compounds_change: Callable[[], None]):
        self.store = store
        self.record = record
        self.after_compounds_change = after_compounds_change
        self.text = f"draw {record.feature_id}"

    def apply(self) -> None:
        self.store.add_feature(self.record)
        if self.record.layer_name == schema.COMPOUNDS.name:
            record = self.record
            _follow_up(
                self.after_compounds_change,
                lambda: self.store.delete_feature(record.layer_name, record.feature_id, "drawing undone"),
            )

    def revert(self) -> None:
        self.store.delete_feature(self.record.layer_name, self.record.feature_id, "drawing undone")
        if self.record.layer_name == schema.COMPOUNDS.name:
            _follow_up(self.after_compounds_change, lambda: self.store.add_feature(self.record))

    def structure_ids(self) -> set[str]:
        return {self.record.feature_id} if self.record.layer_name == schema.STRUCTURES.name else set()

    def layer_names(self) -> set[str]:
        return {self.record.layer_name}


class DeleteFeature(Command):
    """Delete a feature; a structure's observations are archived in the same transaction and
    come back with it on undo (in one transaction too)."""

    def __init__(
        self, store: AssessmentStore, layer_name: str, feature_id: str, after_compounds_change: Callable[[], None]
    ):
        self.store = store
        self.layer_name = layer_name
        self.feature_id = feature_id
        self.after_compounds_change = after_compounds_change
        self.record: FeatureRecord | None = None
        self.observations: list[Observation] = []
        self.text = f"delete {feature_id}"

    def apply(self) -> None:
        is_structure = self.layer_name == schema.STRUCTURES.name
        self.observations = self.store.observations([self.feature_id]) if is_structure else []
        record = self.record = self.store.delete_feature(self.layer_name, self.feature_id, "structure deleted")
        if self.layer_name == schema.COMPOUNDS.name:
            _follow_up(self.after_compounds_change, lambda: self.store.add_feature(record))

    def revert(self) -> None:
        if self.record is None:
            raise SiteWatchError(f"{self.text} was never applied; nothing to undo.")
        self.store.add_feature(self.record, self.observations)
        if self.layer_name == schema.COMPOUNDS.name:
            _follow_up(
                self.after_compounds_change,
                lambda: self.store.delete_feature(self.layer_name, self.feature_id, "structure deleted"),
            )

    def structure_ids(self) -> set[str]:
        return {self.feature_id} if self.layer_name == schema.STRUCTURES.name else set()

    def layer_names(self) -> set[str]:
        names = {self.layer_name}
        if self.layer_name == schema.STRUCTURES.name:
            names |= {schema.OBSERVATIONS.name, schema.OBSERVATION_HISTORY.name}
        return names


class ChangeGeometry(Command):
    """Move or reshape a feature. A structure's ``compound_id`` follows its new geometry in
    the same transaction; a compound's change re-assigns every structure."""

    def __init__(
        self,
        store: AssessmentStore,
        layer_name: str,
        feature_id: str,
        geometry: QgsGeometry,
        compounds: Callable[[], CompoundIndex],
        after_compounds_change: Callable[[], None],
    ):
        self.store = store
        self.layer_name = layer_name
        self.feature_id = feature_id
        self.geometry = QgsGeometry(geometry)
        self.compounds = compounds
        self.after_compounds_change = after_compounds_change
        self.before: FeatureRecord | None = None
        self.text = f"move {feature_id}"

    def _write(self, geometry: QgsGeometry) -> FeatureRecord:
        attributes: dict[str, object] | None = None
        if self.layer_name == schema.STRUCTURES.name:
            attributes = {"compound_id": self.compounds().assign(geometry)}
        before = self.store.update_feature(self.layer_name, self.feature_id, geometry, attributes)
        if self.layer_name == schema.COMPOUNDS.name:
            _follow_up(
                self.after_compounds_change,
                lambda: self.store.update_feature(self.layer_name, self.feature_id, before.geometry),
            )
        return before

    def apply(self) -> None:
        self.before = self._write(self.geometry)

    def revert(self) -> None:
        if self.before is None:
            raise SiteWatchError(f"{self.text} was never applied; nothing to undo.")
        self._write(self.before.geometry)

    def structure_ids(self) -> set[str]:
        return {self.feature_id} if self.layer_name == schema.STRUCTURES.name else set()

    def layer_names(self) -> set[str]:
        return {self.layer_name}


class Group(Command):
    """Several commands undone and redone as one (e.g. a structure and its first state)."""

    def __init__(self, text: str, commands: Sequence[Command]):
        self.text = text
        self.commands = list(commands)

    def apply(self) -> None:
        done: list[Command] = []
        try:
            for command in self.commands:
                command.apply()
                done.append(command)
        except SiteWatchError:
            for command in reversed(done):
                command.revert()
            raise

    def revert(self) -> None:
        for command in reversed(self.commands):
            command.revert()

    def structure_ids(self) -> set[str]:
        return set().union(*(c.structure_ids() for c in self.commands))

    def layer_names(self) -> set[str]:
        return set().union(*(c.layer_names() for c in self.commands))


class UndoStack:
    """Commands done, and commands undone that can be redone. ``listeners`` are called with
    each command after it was applied or reverted."""

    def __init__(self) -> None:
        self._done: list[Command] = []
        self._undone: list[Command] = []
        self.listeners: list[Callable[[Command], None]] = []

    def push(self, command: Command) -> Command:
        """Apply ``command`` and keep it for undo (nothing is kept when it fails)."""
        command.apply()
        self._done.append(command)
        self._undone.clear()
        self._notify(command)
        return command

    def undo(self) -> Command | None:
        if not self._done:
            return None
        command = self._done[-1]
        command.revert()
        self._undone.append(self._done.pop())
        self._notify(command)
        return command

    def redo(self) -> Command | None:
        if not self._undone:
            return None
        command = self._undone[-1]
        command.apply()
        self._done.append(self._undone.pop())
        self._notify(command)
        return command

    def can_undo(self) -> bool:
        return bool(self._done)

    def undo_text(self) -> str:
        return self._done[-1].text if self._done else ""

    def clear(self) -> None:
        self._done.clear()
        self._undone.clear()

    def _notify(self, command: Command) -> None:
        for listener in list(self.listeners):
            listener(command)
