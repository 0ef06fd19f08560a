"""The assessment store: one site's layers and observations behind one small interface.

:class:`AssessmentStore` is what the rest of SiteWatch uses, and the one gateway to an
assessment: every read and write of its features, observations, history, change scores and
metadata, and so every undo and redo, goes through it. ``GeoPackageStore``
(:mod:`.geopackage`) is the GeoPackage implementation and holds every GeoPackage-only
statement, so that another backend (PostGIS, for teams) is one more implementation.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
from qgis.core import Qgis, QgsCoordinateReferenceSystem, QgsFeature, QgsGeometry, QgsVectorLayer

from ..annotation.compounds import CompoundIndex
from ..errors import SiteWatchError
from ..teamwork.cells import CellTransition, WorkCell
from . import export_rows, schema
from .observations import Observation
from .records import AttributeUpdate, ChangeScoreRow, FeatureRecord, ObservationColumns, StoredChangeScore
from .validation_records import SampleRow, ValidationAnswer


class ObservationConflict(SiteWatchError):
    """The observation of a structure at a date changed since the analyst was shown it: nothing
    was written. ``current`` is what is stored now (None when it was removed); its ``analyst``
    and ``recorded_at`` say who changed it and when."""

    def __init__(self, message: str, current: Observation | None):
        super().__init__(message)
        self.current = current


def conflict_message(structure_id: str, observed_on: str, current: Observation | None) -> str:
    """What the second of two analysts recording the same structure and date is told."""
    if current is None:
        return (
            f"{structure_id} on {observed_on} changed since it was shown: another analyst removed its "
            "observation. Nothing was written; record yours again if it still applies."
        )
    who = current.analyst or "another analyst"
    change = f"recorded '{current.status}' at {current.recorded_at}"
    return (
        f"{structure_id} on {observed_on} changed since it was shown: {who} {change}. "
        "Nothing was written; keep theirs, or record yours again to replace it (theirs stays in the history)."
    )


def missing_structure_message(structure_id: str, location: str) -> str:
    """The refusal of an observation whose structure is not in the assessment, the same from
    every store (a GeoPackage checks in the writing transaction, PostGIS by trigger)."""
    return (
        f"Structure {structure_id} does not exist in {location} (it may just have been deleted by another "
        "analyst, or its id is mistyped); nothing was recorded. Draw or import the structure first."
    )


class WriteCancelled(SiteWatchError):
    """The user cancelled a write; nothing was written."""


class AssessmentStore(ABC):
    """One site's assessment, wherever it is stored."""

    @property
    @abstractmethod
    def location(self) -> str:
        """A human-readable name of where the assessment lives (shown in messages)."""

    @property
    @abstractmethod
    def provider(self) -> str:
        """The QGIS data provider key of the layers (``ogr``, ``postgres``)."""

    @abstractmethod
    def layer_uri(self, name: str) -> str:
        """The QGIS data source URI of the contract layer ``name``."""

    def layer(self, name: str) -> QgsVectorLayer:
        """The contract layer ``name`` as a (not yet project-registered) QGIS layer."""
        layer = QgsVectorLayer(self.layer_uri(name), name, self.provider)
        if not layer.isValid():
            raise SiteWatchError(f"Cannot open layer '{name}' of {self.location}.")
        return layer

    @abstractmethod
    def crs(self) -> QgsCoordinateReferenceSystem:
        """The CRS of the assessment's geometry layers."""

    @abstractmethod
    def record_observation(self, observation: Observation) -> Observation | None:
        """Write ``observation`` in one transaction, replacing the one with the same
        structure and date; the replaced row goes to ``observation_history`` and is returned."""

    @abstractmethod
    def record_observations(self, observations: Iterable[Observation]) -> int:
        """Write many observations in one transaction (replacing as above); returns the count."""

    @abstractmethod
    def remove_observation(self, structure_id: str, observed_on: str, reason: str) -> Observation | None:
        """Remove one observation, archiving it in ``observation_history`` with ``reason``."""

    @abstractmethod
    def observations(self, structure_ids: Sequence[str] | None = None) -> list[Observation]:
        """Every current observation (of the given structures only, when given)."""

    def observation_columns(self) -> ObservationColumns:
        """Every current observation as columns (structure id, day, status), for whole-site
        reads; implementations read them in one pass without a Python object per row."""
        rows = self.observations()
        return ObservationColumns(
            np.array([o.structure_id.encode() for o in rows], dtype=np.bytes_),
            np.array([np.datetime64(o.observed_on, "D").astype(np.int64) for o in rows], dtype=np.int64),
            np.array([o.status.encode() for o in rows], dtype=np.bytes_),
        )

    def observations_at(self, dates: Sequence[str]) -> list[dict[str, Observation]]:
        """For each of ``dates``: structure id → its observation in force at that date (the
        latest on or before it), for every structure observed by then; a whole-site read."""
        return export_rows.in_force(self.observations(), dates)

    def observations_at_columns(self, dates: Sequence[str]) -> list[export_rows.InForceColumns]:
        """:meth:`observations_at` as columns: for each of ``dates``, one tuple per observation
        field (``OBS_COLUMNS`` order), one item per structure observed by then (in any order);
        the GeoPackage store reads them without a Python object per observation."""
        return [export_rows.as_columns(found) for found in self.observations_at(dates)]

    def observations_at_columns_aside(self, dates: Sequence[str]) -> Callable[[], list[export_rows.InForceColumns]]:
        """:meth:`observations_at_columns`, read on a thread of its own by a store that can (the
        caller's work goes on meanwhile); the function returned waits for them. Here: read
        by that function, on the calling thread."""
        return lambda: self.observations_at_columns(dates)

    def copy_observation_rows(
        self, package: Path, table: str, columns: Sequence[str], status_names: Mapping[str, str]
    ) -> int:
        """Append every current and archived observation to ``table`` of the SQLite file (an
        export's GeoPackage) ``package``, as :data:`.export_rows.ExportRow` values into
        ``columns``, statuses renamed by ``status_names``, sorted by structure, date and archive
        time (current last); returns the count. Implementations may copy in the database."""
        rows = export_rows.export_rows(self.observations(), self.history(), status_names)
        return export_rows.insert_rows(package, table, columns, rows)

    @abstractmethod
    def history(self, structure_id: str | None = None) -> list[tuple[Observation, str, str]]:
        """Archived observations as (observation, archived_at, reason), oldest first."""

    @abstractmethod
    def archive_observations_of(self, structure_ids: Sequence[str], reason: str) -> int:
        """Move every observation of ``structure_ids`` to the history (structures deleted)."""

    @abstractmethod
    def next_id(self, layer_name: str) -> str:
        """A new stable id for a feature of ``layer_name`` (e.g. ``S-0042``)."""

    @abstractmethod
    def metadata(self) -> dict[str, str]:
        """The assessment's key/value metadata (site name, schema version)."""

    # -- features, one transaction per change ---------------------------------------------

    @abstractmethod
    def add_feature(self, record: FeatureRecord, observations: Iterable[Observation] = ()) -> None:
        """Write ``record`` as a new feature (its id must not exist yet) and, in the same
        transaction, ``observations`` as current ones (a deleted structure coming back)."""

    @abstractmethod
    def get_feature(self, layer_name: str, feature_id: str) -> FeatureRecord | None:
        """The stored feature ``feature_id`` of ``layer_name``, or None."""

    @abstractmethod
    def delete_feature(self, layer_name: str, feature_id: str, reason: str) -> FeatureRecord:
        """Delete ``feature_id`` and return it as it was; a structure's observations go to the
        history with ``reason`` in the same transaction."""

    @abstractmethod
    def update_feature(
        self,
        layer_name: str,
        feature_id: str,
        geometry: QgsGeometry | None = None,
        attributes: dict[str, object] | None = None,
    ) -> FeatureRecord:
        """Change the geometry and/or attributes of ``feature_id`` in one transaction; returns
        the feature as it was before."""

    @abstractmethod
    def import_batch(
        self,
        records: Sequence[FeatureRecord],
        observations: Sequence[Observation] = (),
        step: Callable[[float], bool] | None = None,
        updates: Sequence[AttributeUpdate] = (),
    ) -> int:
        """Write many new features and observations in ONE transaction (imports).

        Every record is added as a new feature: its id must not exist yet, else nothing is
        written and a SiteWatchError names it. Then every observation is recorded as
        :meth:`record_observation` does: one with the structure and date of a current one
        replaces it, the old row going to ``observation_history`` with reason ``replaced``.
        ``step`` is called now and then with the fraction written so far (0 to 1); when it
        returns False the write stops with :class:`WriteCancelled`. ``updates`` set attributes of
        existing features in the same transaction (a missing one: a SiteWatchError naming it).
        Any error or cancel rolls everything back, leaving the assessment as it was. Returns how
        many current observations were replaced."""

    def import_streamed(
        self,
        batches: Iterable[Sequence[FeatureRecord]],
        updates: Callable[[], Sequence[AttributeUpdate]] = tuple,
    ) -> int:
        """Write new features arriving in batches (an import writing as it reads its source),
        then the ``updates`` known once the last batch is read, in ONE transaction, with the
        checks of :meth:`import_batch`. Cancelling is the iterable raising (WriteCancelled):
        everything is rolled back. Returns how many features were written.

        This fallback gathers every batch, then calls :meth:`import_batch`; a store that can
        write a batch as it comes (holding one at a time) overrides it."""
        records = [record for batch in batches for record in batch]
        self.import_batch(records, (), None, updates())
        return len(records)

    # -- change scores per image pair -----------------------------------------------------

    @abstractmethod
    def save_change_scores(self, before_image: str, after_image: str, rows: Iterable[ChangeScoreRow]) -> int:
        """Replace the change scores of the (before, after) pair in one transaction; returns
        the number of rows written."""

    @abstractmethod
    def change_scores(self, before_image: str, after_image: str) -> dict[str, StoredChangeScore]:
        """``{structure_id: StoredChangeScore}`` of the pair; empty when never scored."""

    # -- validation: drawn samples and blind answers (never observations) ---------------

    @abstractmethod
    def save_validation_sample(self, rows: Sequence[SampleRow]) -> int:
        """Keep a drawn validation sample in one transaction; its sample_id must be new."""

    @abstractmethod
    def validation_sample(self, sample_id: str | None = None) -> list[SampleRow]:
        """The structures of sample ``sample_id`` (of every sample when None), in review order."""

    @abstractmethod
    def record_validations(self, answers: Iterable[ValidationAnswer]) -> int:
        """Write blind answers to the ``validations`` table in one transaction, replacing an
        earlier answer of the same structure, date and sample; observations are not touched."""

    @abstractmethod
    def validations(self, sample_id: str | None = None) -> list[ValidationAnswer]:
        """Every validation answer (of ``sample_id`` only, when given)."""

    @abstractmethod
    def remove_validation(self, structure_id: str, observed_on: str, sample_id: str) -> int:
        """Delete the answer of that structure, date and sample (an undone answer); returns how
        many rows went (0 or 1). Observations are not touched."""

    _opening_notes: tuple[str, ...] = ()

    def opening_notes(self) -> list[str]:
        """What opening did to the assessment that the analyst should know (an upgrade of an
        older schema and where the backup copy is), said once on opening."""
        return list(self._opening_notes)

    @abstractmethod
    def change_score_pairs(self) -> list[tuple[str, str]]:
        """Every (before image, after image) pair with stored change scores."""

    # -- work cells: team work split and review (:mod:`..teamwork.cells`) ------------------

    @abstractmethod
    def work_cells(self) -> list[WorkCell]:
        """Every work cell, by cell id (empty when the work was never split)."""

    @abstractmethod
    def add_work_cells(self, cells: Sequence[WorkCell], replace: bool = False) -> int:
        """Add new, unassigned cells in one transaction (their ids must be new); ``replace``
        first removes the existing cells, refused when any has left ``unassigned`` (their
        transitions stay recorded). Returns how many were added."""

    @abstractmethod
    def change_cell(
        self,
        cell_id: str,
        action: str,
        analyst: str,
        assignee: str | None = None,
        comment: str | None = None,
    ) -> WorkCell:
        """Do ``action`` (assign, unassign, submit, certify, reject, reopen) on a cell as
        ``analyst``, in one transaction that also records the transition; the rules of
        :func:`..teamwork.cells.plan_transition` (on PostGIS checked again by the database).
        Returns the cell as it is now."""

    @abstractmethod
    def cell_transitions(self, cell_id: str | None = None) -> list[CellTransition]:
        """Every recorded transition (of ``cell_id`` only, when given), oldest first."""

    def read_only_reason(self) -> str | None:
        """Why this assessment may only be read here (said once on opening, and instead of a
        refused write), or None when it may be written."""
        return None

    # -- built on the above ---------------------------------------------------------------

    def record_observation_if_unchanged(
        self, observation: Observation, expected: Observation | None
    ) -> Observation | None:
        """Like :meth:`record_observation`, but only if the current observation of that
        structure and date is still ``expected`` (None: there was none) — the optimistic check
        of team work; otherwise an :class:`ObservationConflict` and nothing is written.

        This default reads then writes (one analyst per GeoPackage); a shared store overrides it
        with one locked transaction."""
        observation = observation.validated()
        current = [o for o in self.observations([observation.structure_id]) if o.observed_on == observation.observed_on]
        found = current[0] if current else None
        if found != expected:
            raise ObservationConflict(conflict_message(observation.structure_id, observation.observed_on, found), found)
        return self.record_observation(observation)

    def compound_index(self) -> CompoundIndex:
        """The current compounds, indexed for assignment."""
        layer = self.layer(schema.COMPOUNDS.name)
        return CompoundIndex((f["compound_id"], f.geometry()) for f in layer.getFeatures())

    def add_features(self, layer_name: str, rows: Iterable[Mapping[str, object]]) -> int:
        """Add features given as field dicts (``geometry`` a QgsGeometry or WKT) in one
        commit; returns how many were added."""
        layer = self.layer(layer_name)
        names = [f.name() for f in layer.fields()]
        features = []
        for row in rows:
            feature = QgsFeature(layer.fields())
            for key, value in row.items():
                if key == "geometry":
                    geometry = value if isinstance(value, QgsGeometry) else QgsGeometry.fromWkt(value)
                    polygon = geometry.type() == Qgis.GeometryType.Polygon
                    if layer.isSpatial() and polygon and not geometry.isMultipart():
                        geometry.convertToMultiType()
                    feature.setGeometry(geometry)
                elif key in names:
                    feature.setAttribute(key, value)
                else:
                    raise SiteWatchError(f"Layer '{layer_name}' of {self.location} has no field '{key}'.")
            features.append(feature)
        ok, _ = layer.dataProvider().addFeatures(features)
        if not ok:
            errors = "; ".join(layer.dataProvider().errors())
            raise SiteWatchError(f"Could not add features to '{layer_name}' of {self.location}: {errors}")
        return len(features)

    def refresh_compound_ids(self) -> int:
        """Set every structure's ``compound_id`` from geometry; returns how many changed."""
        index = self.compound_index()
        structures = self.layer(schema.STRUCTURES.name)
        field = structures.fields().indexOf("compound_id")
        changes = {}
        for feature in structures.getFeatures():
            compound = index.assign(feature.geometry())
            current = feature["compound_id"]
            current = None if current in (None, "") or current != current else current
            if compound != current:
                changes[feature.id()] = {field: compound}
        if changes and not structures.dataProvider().changeAttributeValues(changes):
            raise SiteWatchError(f"Could not update compound_id in {self.location}.")
        return len(changes)


def open_assessment(path: str | os.PathLike[str]) -> AssessmentStore:
    """Open the assessment at ``path``: a GeoPackage path, or a database location
    (``postgresql://USER@HOST:PORT/DBNAME?schema=NAME``, ``service=NAME schema=NAME``; see
    :mod:`.location`)."""
    from .location import is_database_location

    if is_database_location(str(path)):
        from .postgis import PostgisStore

        return PostgisStore.open(str(path))
    from .geopackage import GeoPackageStore

    return GeoPackageStore.open(path)
