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


@dataclass(frozen=True)
class SortedObservations:
    """Every observation of the table (:attr:`ObservationColumns.complete`) sorted by structure
    id, then day, then table order, as the review's status book holds them: what the Damage
    panel computes from at open instead of matching and sorting 3.5 million rows again. Only
    made when every status is in the value list and no date is 1970-01-01 (whose stored text
    the Damage panel checks)."""

    keys: NDArray[np.bytes_]
    """The structure ids present, sorted (UTF-8 bytes order), each once."""
    start: NDArray[np.int64]
    """Rows ``start[k]:start[k + 1]`` are those of ``keys[k]`` (one more entry than keys)."""
    day: NDArray[np.int32]
    """Days since 1970-01-01 of each row (the book's own array: never written to)."""
    status: NDArray[np.int16]
    """Index in ``values.STATUSES`` of each row's status (the book's own array: never written to)."""


def code_numbers(keys: NDArray[np.bytes_], codes: list[bytes]) -> NDArray[np.int64]:
    """Index in ``codes`` of each key, -1 for none: looked up by the first byte when that tells
    the codes apart (it does the statuses), then compared once (3× faster at 3.5 million)."""
    firsts = {code[:1] for code in codes}
    if len(keys) and keys.dtype.itemsize and len(firsts) == len(codes) and b"" not in firsts:
        lookup = np.full(256, -1, dtype=np.int64)
        lookup[[code[0] for code in codes]] = np.arange(len(codes))
        keys = np.ascontiguousarray(keys)
        found: NDArray[np.int64] = lookup[keys.view(np.uint8).reshape(len(keys), keys.dtype.itemsize)[:, 0]]
        found[keys != np.array([*codes, b""], dtype=bytes)[found]] = -1  # no code's first byte: -1 → b""
        return found
    numbers = np.full(len(keys), -1, dtype=np.int64)
    for number, code in enumerate(codes):
        numbers[keys == code] = number
    return numbers
