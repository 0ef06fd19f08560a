"""The damage table computed off the UI thread, from the assessment's files (never the project
layers), with a cache that skips geometry work while only observations change. The result is
an :class:`IncrementalDamage`, which the panel then moves one structure at a time after keys."""

from __future__ import annotations

import threading

from qgis.core import QgsExpression, QgsFeedback, QgsTask

from ...core.assessment import schema
from ...core.assessment.records import SortedObservations
from ...core.assessment.store import AssessmentStore
from ...core.damage.incremental import IncrementalDamage, incremental_damage
from ...core.damage.inputs import DamageInputs, SiteCache, read_inputs
from ...core.damage.table import DamageTable, checked_request
from ...core.errors import SiteWatchError
from .early_read import EarlyRead, worker_layers


class DamageTask(QgsTask):
    """Computes the damage table from the assessment's files on a worker thread."""

    def __init__(
        self,
        store: AssessmentStore,
        after: str,
        before: str | None,
        cache: SiteCache,
        only: frozenset[str] | None = None,
        inputs: DamageInputs | None = None,
        observations: SortedObservations | None = None,
        early: EarlyRead | None = None,
    ):
        super().__init__("SiteWatch: damage per compound", QgsTask.Flag.CanCancel)
        self.cache = cache
        self.uris = {
            name: store.layer_uri(name)
            for name in (schema.STRUCTURES.name, schema.OBSERVATIONS.name, schema.COMPOUNDS.name)
        }
        self.provider = store.provider
        self.after, self.before = after, before
        self.inputs = inputs
        self.observations = observations if only is None and inputs is None else None
        """The observations as the review read and sorted them at open (read here when None)."""
        self.early = early if only is None and inputs is None else None
        """The structures and compounds read since the assessment opened (read here when None)."""
        self._dates_lock = threading.Lock()
        self._building = False
        self.only = only
        """Those of the previous result when only the dates changed: no layer is read again."""
        self.feedback = QgsFeedback()
        self.damage: IncrementalDamage | None = None
        self.error: str | None = None
        self.layers = worker_layers(store, self.uris)
        if only is not None:  # e.g. the structures of certified work cells
            kept = ", ".join(QgsExpression.quotedString(structure_id) for structure_id in sorted(only))
            subset = f'"structure_id" IN ({kept})' if kept else "1 = 0"
            for name in (schema.STRUCTURES.name, schema.OBSERVATIONS.name):
                self.layers[name].setSubsetString(subset)

    def retarget(self, after: str, before: str | None) -> bool:
        """Make the table of these dates instead, from the same read; False when the table is
        already being made (then the caller computes again)."""
        with self._dates_lock:
            if self._building:
                return False
            self.after, self.before = after, before
            return True

    def run(self) -> bool:
        """Never lets an exception out: one escaping ``QgsTask.run`` on a worker thread aborts QGIS."""
        layers = self.layers
        try:
            if self.inputs is None:
                checked_request(self.after, self.before, None)  # bad dates refused before reading
                self.inputs = read_inputs(
                    layers["structures"],
                    layers["observations"],
                    layers["compounds"],
                    self.feedback,
                    self.cache,
                    observations_sorted=self.observations,
                    structure_side=self.early.side() if self.early is not None else None,
                )
            with self._dates_lock:
                self._building = True
            self.damage = incremental_damage(
                layers["structures"],
                layers["observations"],
                layers["compounds"],
                self.after,
                self.before,
                feedback=self.feedback,
                inputs=self.inputs,
            )
        except SiteWatchError as error:
            self.error = str(error)
            return False
        except (RuntimeError, OSError, ValueError, IndexError, MemoryError) as error:  # GDAL / numpy failures
            self.error = (
                f"Computing the damage table from {self.uris['structures'].split('|')[0]} failed: "
                f"{type(error).__name__}: {str(error).strip()}"
            )
            return False
        return not self.isCanceled()

    @property
    def table(self) -> DamageTable | None:
        """The computed table (None until computed, or when it failed)."""
        return None if self.damage is None else self.damage.table()

    def cancel(self) -> None:
        self.feedback.cancel()
        if self.early is not None:
            self.early.cancel()
        super().cancel()
