"""The certified part of an assessment as a read-only store: only the structures of certified
work cells, with their observations and history; everything else (compounds, imagery, features,
scores, validations) as it is. An export of it (``exportreport`` with ``CERTIFIED_ONLY``) is the
team's reviewed work, and its summary says how much of the site that is."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from qgis.core import QgsCoordinateReferenceSystem, QgsExpression, QgsGeometry, QgsVectorLayer

from ..assessment import schema
from ..assessment.observations import Observation
from ..assessment.records import AttributeUpdate, ChangeScoreRow, FeatureRecord, StoredChangeScore
from ..assessment.store import AssessmentStore
from ..assessment.validation_records import SampleRow, ValidationAnswer
from ..errors import SiteWatchError
from .cells import CellTransition, WorkCell
from .coverage import Coverage, store_coverage

_LIMITED = (schema.STRUCTURES.name, schema.OBSERVATIONS.name, schema.OBSERVATION_HISTORY.name)


class CertifiedView(AssessmentStore):
    """``base`` limited to the structures of its certified cells; nothing can be written."""

    def __init__(self, base: AssessmentStore, coverage: Coverage | None = None):
        self.base = base
        self.coverage = coverage if coverage is not None else store_coverage(base)
        self.kept = self.coverage.certified_structures
        if not self.coverage.cells:
            raise SiteWatchError(
                f"{base.location} has no work cells: there is nothing certified to limit to. Split the work "
                "first (sitewatch:workcells) or export the whole assessment."
            )

    def _refuse(self) -> SiteWatchError:
        return SiteWatchError(f"The certified part of {self.base.location} is only read (for exports).")

    @property
    def location(self) -> str:
        return self.base.location

    @property
    def provider(self) -> str:
        return self.base.provider

    def layer_uri(self, name: str) -> str:
        return self.base.layer_uri(name)

    def layer(self, name: str) -> QgsVectorLayer:
        layer = self.base.layer(name)
        if name in _LIMITED:
            kept = ", ".join(QgsExpression.quotedString(s) for s in sorted(self.kept))
            layer.setSubsetString(f'"structure_id" IN ({kept})' if kept else "1 = 0")
        return layer

    def crs(self) -> QgsCoordinateReferenceSystem:
        return self.base.crs()

    def read_only_reason(self) -> str | None:
        return str(self._refuse())

    def observations(self, structure_ids: Sequence[str] | None = None) -> list[Observation]:
        wanted = self.kept if structure_ids is None else self.kept & set(structure_ids)
        return [o for o in self.base.observations(sorted(wanted)) if o.structure_id in wanted]

    def history(self, structure_id: str | None = None) -> list[tuple[Observation, str, str]]:
        return [row for row in self.base.history(structure_id) if row[0].structure_id in self.kept]

    def next_id(self, layer_name: str) -> str:
        raise self._refuse()

    def metadata(self) -> dict[str, str]:
        return self.base.metadata()

    def get_feature(self, layer_name: str, feature_id: str) -> FeatureRecord | None:
        if layer_name == schema.STRUCTURES.name and feature_id not in self.kept:
            return None
        return self.base.get_feature(layer_name, feature_id)

    def change_scores(self, before_image: str, after_image: str) -> dict[str, StoredChangeScore]:
        scores = self.base.change_scores(before_image, after_image)
        return {s: score for s, score in scores.items() if s in self.kept}

    def change_score_pairs(self) -> list[tuple[str, str]]:
        return self.base.change_score_pairs()

    def validation_sample(self, sample_id: str | None = None) -> list[SampleRow]:
        return [row for row in self.base.validation_sample(sample_id) if row.structure_id in self.kept]

    def validations(self, sample_id: str | None = None) -> list[ValidationAnswer]:
        return [answer for answer in self.base.validations(sample_id) if answer.structure_id in self.kept]

    def work_cells(self) -> list[WorkCell]:
        return self.base.work_cells()

    def cell_transitions(self, cell_id: str | None = None) -> list[CellTransition]:
        return self.base.cell_transitions(cell_id)

    # -- writes: refused -------------------------------------------------------------------

    def record_observation(self, observation: Observation) -> Observation | None:
        raise self._refuse()

    def record_observations(self, observations: Iterable[Observation]) -> int:
        raise self._refuse()

    def remove_observation(self, structure_id: str, observed_on: str, reason: str) -> Observation | None:
        raise self._refuse()

    def archive_observations_of(self, structure_ids: Sequence[str], reason: str) -> int:
        raise self._refuse()

    def add_feature(self, record: FeatureRecord, observations: Iterable[Observation] = ()) -> None:
        raise self._refuse()

    def delete_feature(self, layer_name: str, feature_id: str, reason: str) -> FeatureRecord:
        raise self._refuse()

    def update_feature(
        self,
        layer_name: str,
        feature_id: str,
        geometry: QgsGeometry | None = None,
        attributes: dict[str, object] | None = None,
    ) -> FeatureRecord:
        raise self._refuse()

    def import_batch(
        self,
        records: Sequence[FeatureRecord],
        observations: Sequence[Observation] = (),
        step: Callable[[float], bool] | None = None,
        updates: Sequence[AttributeUpdate] = (),
    ) -> int:
        raise self._refuse()

    def import_streamed(
        self,
        batches: Iterable[Sequence[FeatureRecord]],
        updates: Callable[[], Sequence[AttributeUpdate]] = tuple,
    ) -> int:
        raise self._refuse()

    def save_change_scores(self, before_image: str, after_image: str, rows: Iterable[ChangeScoreRow]) -> int:
        raise self._refuse()

    def save_validation_sample(self, rows: Sequence[SampleRow]) -> int:
        raise self._refuse()

    def record_validations(self, answers: Iterable[ValidationAnswer]) -> int:
        raise self._refuse()

    def remove_validation(self, structure_id: str, observed_on: str, sample_id: str) -> int:
        raise self._refuse()

    def add_work_cells(self, cells: Sequence[WorkCell], replace: bool = False) -> int:
        raise self._refuse()

    def change_cell(
        self,
        cell_id: str,
        action: str,
        analyst: str,
        assignee: str | None = None,
        comment: str | None = None,
    ) -> WorkCell:
        raise self._refuse()
