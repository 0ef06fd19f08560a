"""What the store reads and writes besides observations: one feature of a contract layer, and
the change scores kept per image pair for the review queue."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray
from qgis.core import QgsGeometry

from . import schema


@dataclass(frozen=True)
class FeatureRecord:
    """One feature of a contract layer as stored: its attributes (id field included) and
    its geometry in the layer CRS."""

    layer_name: str
    attributes: dict[str, object]
    geometry: QgsGeometry = field(compare=False)

    @property
    def feature_id(self) -> str:
        id_field = schema.LAYER_BY_NAME[self.layer_name].id_field
        if id_field is None:
            raise KeyError(f"The layer {self.layer_name} has no id field.")
        return str(self.attributes[id_field])


class AttributeUpdate(NamedTuple):
    """New values of some attributes of an existing feature (an import merging a duplicate)."""

    layer_name: str
    feature_id: str
    attributes: dict[str, object]


class ChangeScoreRow(NamedTuple):
    """One structure's change score as ``sitewatch:changescore`` wrote it, to be stored."""

    structure_id: str
    score: float | None
    frac: float | None
    rank: int | None
    suggested: str


class StoredChangeScore(NamedTuple):
    """What the review queue orders by: ``score`` and ``rank`` are None for ``unknown``."""

    score: float | None
    rank: int | None
    suggested: str
    frac: float | None = None
    """Share of the footprint's pixels changed (``chg_frac``): the "why" of the suggestion."""


@dataclass(frozen=True)
class ObservationColumns:
    """Every current observation as three columns (row ``i`` is one observation), in no
    particular order: what the review needs to place each state, without a Python object per
    row (3.5 million observations at country scale)."""

    structure_id: NDArray[np.bytes_]
    """UTF-8 structure ids (fixed-width bytes)."""
    day: NDArray[np.int64]
    """``observed_on`` as days since 1970-01-01."""
    status: NDArray[np.bytes_]
    """Status codes (fixed-width bytes)."""
    complete: bool = False
    """Every row of the observations table is here, in the table's order, with its date as GDAL
    types it (none left out for a NULL or a date that is not one): what the Damage panel may
    compute from instead of reading the table again."""
