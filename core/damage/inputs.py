"""The three input layers of the damage table, read and checked, as numpy arrays.

Bad input is either fatal with a message naming the value, row, field and layer (unknown
status code, malformed or missing date, missing field, duplicate id) or repaired and
reported (observations of unknown structures are left out and counted; invalid
geometries are repaired with makeValid and kept).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray
from qgis.core import (
    QgsFeedback,
    QgsGeometry,
    QgsVectorLayer,
)

from .. import attributes, values
from ..assessment.columns import Column, raw_text, read_columns, read_columns_aside, require_fields
from ..assessment.records import ObservationColumns, SortedObservations, code_numbers
from ..errors import SiteWatchError
from ..scoring.footprints import Footprints
from .observation_rows import rows_of, rows_of_sorted
from .site_cache import SiteCache as SiteCache  # where the damage modules have always found it
from .structure_read import StructureSide, _keys, read_structure_side

UNOBSERVED = len(values.STATUSES)
"""Status number of a structure with no observation on or before the date."""

_EPOCH = dt.date(1970, 1, 1)
_EPOCH_CHECKS = 1000
"""At most this many observations dated 1970-01-01 are checked against their stored text."""


@dataclass
class DamageInputs:
    structure_count: int
    structure_keys: NDArray[np.bytes_]
    """Each structure's id in UTF-8 (b"" for none)."""
    key_order: NDArray[np.intp]
    """The order that sorts ``structure_keys``."""
    footprints: Footprints
    areas: NDArray[np.float64]
    compound_of: NDArray[np.int64]
    """Index into compound_ids of each structure's compound, -1 for none."""
    type_names: list[str]
    type_index: NDArray[np.int64]
    obs_structure: NDArray[np.intp]
    """Structure position of each usable observation, sorted by structure, date, row."""
    obs_day: NDArray[np.int64]
    obs_status: NDArray[np.int64]
    compound_ids: list[str]
    compound_names: list[str | None]
    compound_geometries: list[QgsGeometry]
    unknown_structure_ids: tuple[str, ...]
    unknown_observations: int
    repaired_structures: tuple[str, ...]
    repaired_compounds: tuple[str, ...]
    structures_name: str
    compounds_name: str

    @cached_property
    def structure_ids(self) -> list[str]:
        """Each structure's id (made when first asked for: a quarter second at country scale)."""
        return [i.decode("utf-8", "replace") for i in self.structure_keys.tolist()]

    @staticmethod
    def day_number(iso_date: str) -> int:
        return (dt.date.fromisoformat(iso_date) - _EPOCH).days

    def warnings(self) -> list[str]:
        """What was wrong in the input but did not stop the computation."""
        found = []
        if self.unknown_observations:
            shown = ", ".join(self.unknown_structure_ids[:5])
            more = "" if len(self.unknown_structure_ids) <= 5 else f" and {len(self.unknown_structure_ids) - 5} more"
            found.append(
                f"{self.unknown_observations} observation(s) name structures that are not in "
                f"'{self.structures_name}' ({shown}{more}); they were left out."
            )
        if self.repaired_structures:
            found.append(
                f"{len(self.repaired_structures)} invalid structure footprint(s) in '{self.structures_name}' "
                f"were repaired with makeValid for this computation: {', '.join(self.repaired_structures[:5])}."
            )
        if self.repaired_compounds:
            found.append(
                f"{len(self.repaired_compounds)} invalid compound polygon(s) in '{self.compounds_name}' were "
                f"repaired with makeValid for this computation: {', '.join(self.repaired_compounds[:5])}."
            )
        return found


def _where(fids: NDArray[np.int64], owners: NDArray[np.bytes_], row: int, layer_name: str) -> str:
    owner = owners[row].decode("utf-8", "replace") or "none"
    return f"Observation row {int(fids[row])} (structure {owner}) of layer '{layer_name}'"


def _days(
    array: Column, fids: NDArray[np.int64], owners: NDArray[np.bytes_], layer: QgsVectorLayer
) -> NDArray[np.int64]:
    """A date column as day numbers; a SiteWatchError naming the first bad value and row."""
    if array.dtype.kind == "M":
        days = array.astype("datetime64[D]")
        missing = np.isnat(days)
        if missing.any():
            row = int(np.argmax(missing))
            _bad_date(raw_text(layer, "observed_on", int(fids[row])), fids, owners, row, layer)
        numbers = days.astype(np.int64)
        # GDAL reads text it cannot parse in a date column as 1970-01-01: look at the stored text.
        for row in np.flatnonzero(numbers == 0)[:_EPOCH_CHECKS].tolist():
            text = raw_text(layer, "observed_on", int(fids[row]))
            if text[:10] != "1970-01-01":
                _bad_date(text, fids, owners, row, layer)
        return numbers
    if array.dtype.kind == "S":
        texts = np.char.decode(array, "utf-8")
    else:
        texts = np.array([attributes.text(v) or "" for v in array.tolist()], dtype=str)
    unique, inverse = np.unique(texts, return_inverse=True)
    numbers = np.empty(len(unique), dtype=np.int64)
    for number, text in enumerate(unique.tolist()):
        try:
            if len(text) != 10:
                raise ValueError(text)
            numbers[number] = (dt.date.fromisoformat(text) - _EPOCH).days
        except ValueError:
            row = int(np.argmax(inverse == number))
            _bad_date(text or raw_text(layer, "observed_on", int(fids[row])), fids, owners, row, layer)
    return numbers[inverse]


def _bad_date(text: str, fids: NDArray[np.int64], owners: NDArray[np.bytes_], row: int, layer: QgsVectorLayer) -> None:
    where = _where(fids, owners, row, layer.name())
    if not text:
        raise SiteWatchError(f"{where} has no date in field 'observed_on'; enter it as YYYY-MM-DD.")
    raise SiteWatchError(
        f"{where} has the date '{text}' in field 'observed_on', which is not a date; "
        "write it as YYYY-MM-DD, e.g. 2020-01-08."
    )


def _statuses(array: Column, fids: NDArray[np.int64], owners: NDArray[np.bytes_], layer_name: str) -> NDArray[np.int64]:
    """Status codes as numbers (index in values.STATUSES); a SiteWatchError for a bad code
    (no ``np.unique``: sorting 3.5 million strings took over a second at country scale)."""
    codes = values.codes(values.STATUSES)
    keys = _keys(array)
    numbers = code_numbers(keys, [code.encode("utf-8") for code in codes])
    unknown = numbers < 0
    if unknown.any():
        row = int(np.argmax(unknown))
        text = keys[row].decode("utf-8", "replace")
        raise SiteWatchError(
            f"{_where(fids, owners, row, layer_name)} "
            f"has the unknown status '{text}' in field 'status'; use one of {', '.join(codes)}."
        )
    return numbers


_OBSERVATION_FIELDS = ("structure_id", "observed_on", "status")


def _shared_rows(
    read: ObservationColumns | None,
) -> tuple[NDArray[np.bytes_], NDArray[np.int64], NDArray[np.int64]] | None:
    """Structure ids, days and status numbers of ``read`` when the layer's own read would give
    the same (every row there, no 1970-01-01 whose stored text is to be checked, no unknown
    status to name by its row); None: read the layer."""
    if read is None or not read.complete or not read.day.all():
        return None
    statuses = code_numbers(_keys(read.status), [code.encode("utf-8") for code in values.codes(values.STATUSES)])
    return None if (statuses < 0).any() else (_keys(read.structure_id), read.day, statuses)


def read_inputs(
    structures: QgsVectorLayer,
    observations: QgsVectorLayer,
    compounds: QgsVectorLayer | None,
    feedback: QgsFeedback | None = None,
    cache: SiteCache | None = None,
    observations_read: ObservationColumns | None = None,
    observations_sorted: SortedObservations | None = None,
    structure_side: StructureSide | None = None,
) -> DamageInputs:
    """Read and check the structures, observations and compounds layers. ``observations_read``
    (every row of ``observations`` just read by the store, :attr:`ObservationColumns.complete`)
    stands for reading the observations when it holds no row the checks would stop at or name;
    so do ``observations_sorted`` (the same rows as the review's status book sorted them).
    ``structure_side`` is the structures and compounds read for this computation beforehand."""
    if structure_side is None:
        require_fields(structures, ("structure_id", "type"), "structures")  # checked first, as always
    require_fields(observations, _OBSERVATION_FIELDS, "observations")
    shared = None if observations_sorted is not None else _shared_rows(observations_read)
    # most of the reading, done on a thread while the footprints are decoded:
    observation_columns = None
    if shared is None and observations_sorted is None:
        observation_columns = read_columns_aside(observations, _OBSERVATION_FIELDS, False)
    side = structure_side or read_structure_side(structures, compounds, feedback, cache)
    ids, order, footprints = side.keys, side.order, side.footprints
    if observations_sorted is not None:
        rows = rows_of_sorted(ids[order], order, observations_sorted)
    else:
        if shared is not None:
            obs_ids, days, statuses = shared
        else:
            obs = (
                observation_columns() if observation_columns else read_columns(observations, _OBSERVATION_FIELDS, False)
            )
            obs_ids = _keys(obs.values["structure_id"])
            days = _days(obs.values["observed_on"], obs.fids, obs_ids, observations)
            statuses = _statuses(obs.values["status"], obs.fids, obs_ids, observations.name())
        rows = rows_of(ids[order], order, obs_ids, days, statuses)
    obs_structure, obs_day, obs_status, unknown_ids, unknown_count = rows

    return DamageInputs(
        structure_count=len(ids),
        structure_keys=ids,
        key_order=order,
        footprints=footprints,
        areas=side.areas,
        compound_of=side.compound_of,
        type_names=side.type_names,
        type_index=side.type_index,
        obs_structure=obs_structure,
        obs_day=obs_day,
        obs_status=obs_status,
        compound_ids=side.compound_ids,
        compound_names=side.compound_names,
        compound_geometries=side.compound_geometries,
        unknown_structure_ids=unknown_ids,
        unknown_observations=unknown_count,
        repaired_structures=tuple(ids[p].decode("utf-8", "replace") for p in footprints.repaired),
        repaired_compounds=side.repaired_compounds,
        structures_name=side.structures_name,
        compounds_name=side.compounds_name,
    )
