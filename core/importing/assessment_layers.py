"""The assessment layers an import reads, made by the caller where it runs."""

from __future__ import annotations

from dataclasses import dataclass

from qgis.core import QgsVectorLayer

from ..assessment import schema
from ..assessment.store import AssessmentStore


@dataclass(frozen=True)
class AssessmentLayers:
    """The assessment's structures and compounds layers an import reads. A background task makes
    them on the main thread (:meth:`of`): making OGR layers on a worker while the main thread
    opens the same GeoPackage can deadlock."""

    structures: QgsVectorLayer
    compounds: QgsVectorLayer

    @classmethod
    def of(cls, store: AssessmentStore) -> AssessmentLayers:
        return cls(store.layer(schema.STRUCTURES.name), store.layer(schema.COMPOUNDS.name))
