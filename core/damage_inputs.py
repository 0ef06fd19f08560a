"""The three input layers of the damage table, read and checked, as numpy arrays.

Bad input is either fatal with a message naming the value, row, field and layer (unknown
status code, malformed or missing date, missing field, duplicate id) or repaired and
reported (observations of unknown structures are left out and counted; invalid
geometries are repaired with makeValid and kept).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from qgis.core import QgsFeedback, QgsGeometry, QgsVariantUtils, QgsVectorLayer
from qgis.PyQt.QtCore import QDate, QDateTime, Qt

from . import values
from .errors import SiteWatchError
from .footprints import Footprints, decode, ellipsoidal_areas
from .layer_columns import read_columns, require_fields

UNOBSERVED = len(values.STATUSES)
"""Status number of a structure with no observation on or before the date."""

_EPOCH = dt.date(1970, 1, 1)


@dataclass
class DamageInputs:
    structure_count: int
    structure_ids: list[str]
    footprints: Footprints
    areas: np.ndarray
    type_names: list[str]
    type_index: np.ndarray
    obs_structure: np.ndarray
    """Structure position of each usable observation, sorted by structure, date, row."""
    obs_day: np.ndarray
    obs_status: np.ndarray
    compound_ids: list[str]
    compound_names: list[str | None]
    compound_geometries: list[QgsGeometry]
    unknown_structure_ids: tuple[str, ...]
    unknown_observations: int
    repaired_structures: tuple[str, ...]
    repaired_compounds: tuple[str, ...]
    structures_name: str
    compounds_name: str

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


def _text(value: object) -> str:
    """An attribute as text: '' for NULL, ISO for dates, UTF-8 decoded for bytes."""
    if value is None or QgsVariantUtils.isNull(value):
        return ""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, QDate):
        return value.toString(Qt.DateFormat.ISODate)
    if isinstance(value, QDateTime):
        return value.date().toString(Qt.DateFormat.ISODate)
    if isinstance(value, (dt.date, np.datetime64)):
        return str(value)[:10]
    return str(value)


def _keys(array: np.ndarray) -> np.ndarray:
    """A column as a numpy bytes array (UTF-8; NULL as b'') for fast sorting and matching."""
    if array.dtype.kind == "S":
        return array
    return np.array([_text(v).encode("utf-8") for v in array.tolist()], dtype=bytes) if len(array) \
        else np.zeros(0, dtype="S1")


def _where(fids: np.ndarray, owners: np.ndarray, row: int, layer_name: str) -> str:
    owner = owners[row].decode("utf-8", "replace") or "none"
    return f"Observation row {int(fids[row])} (structure {owner}) of layer '{layer_name}'"


def _days(array: np.ndarray, fids: np.ndarray, owners: np.ndarray, layer_name: str) -> np.ndarray:
    """A date column as day numbers; a SiteWatchError naming the first bad value and row."""
    if array.dtype.kind == "M":
        days = array.astype("datetime64[D]")
        missing = np.isnat(days)
        if missing.any():
            row = int(np.argmax(missing))
            raise SiteWatchError(
                f"{_where(fids, owners, row, layer_name)} "
                "has no date in field 'observed_on'; enter it as YYYY-MM-DD."
            )
        return days.astype(np.int64)
    if array.dtype.kind == "S":
        texts = np.char.decode(array, "utf-8")
    else:
        texts = np.array([_text(v) for v in array.tolist()], dtype=str)
    unique, inverse = np.unique(texts, return_inverse=True)
    numbers = np.empty(len(unique), dtype=np.int64)
    for number, text in enumerate(unique.tolist()):
        try:
            if len(text) != 10:
                raise ValueError(text)
            numbers[number] = (dt.date.fromisoformat(text) - _EPOCH).days
        except ValueError:
            row = int(np.argmax(inverse == number))
            raise SiteWatchError(
                f"{_where(fids, owners, row, layer_name)} "
                f"has the date '{text}' in field 'observed_on', which is not a date; "
                "write it as YYYY-MM-DD, e.g. 2020-01-08."
            ) from None
    return numbers[inverse]


def _statuses(array: np.ndarray, fids: np.ndarray, owners: np.ndarray, layer_name: str) -> np.ndarray:
    """Status codes as numbers (index in values.STATUSES); a SiteWatchError for a bad code."""
    codes = values.codes(values.STATUSES)
    unique, inverse = np.unique(_keys(array), return_inverse=True)
    numbers = np.empty(len(unique), dtype=np.int64)
    for number, code in enumerate(unique.tolist()):
        text = code.decode("utf-8", "replace")
        if text not in codes:
            row = int(np.argmax(inverse == number))
            raise SiteWatchError(
                f"{_where(fids, owners, row, layer_name)} "
                f"has the unknown status '{text}' in field 'status'; use one of {', '.join(codes)}."
            )
        numbers[number] = codes.index(text)
    return numbers[inverse]


def _read_compounds(compounds: QgsVectorLayer | None) -> tuple[list[str], list, list, list[str]]:
    if compounds is None:
        return [], [], [], []
    require_fields(compounds, ("compound_id",), "compounds")
    has_name = "name" in compounds.fields().names()
    found: dict[str, tuple[str | None, QgsGeometry]] = {}
    repaired = []
    for feature in compounds.getFeatures():
        compound_id = _text(feature["compound_id"])
        if not compound_id:
            raise SiteWatchError(
                f"Compound feature {feature.id()} of layer '{compounds.name()}' has no compound_id; "
                "give every compound an id."
            )
        if compound_id in found:
            raise SiteWatchError(
                f"The compound_id '{compound_id}' appears twice in layer '{compounds.name()}'; "
                "compound ids must be unique."
            )
        geometry = feature.geometry()
        if not geometry.isNull() and not geometry.isEmpty() and not geometry.isGeosValid():
            geometry = geometry.makeValid()
            repaired.append(compound_id)
        name = _text(feature["name"]) or None if has_name else None
        found[compound_id] = (name, geometry)
    ids = sorted(found)
    return ids, [found[i][0] for i in ids], [found[i][1] for i in ids], repaired


def read_inputs(structures: QgsVectorLayer, observations: QgsVectorLayer, compounds: QgsVectorLayer | None,
                feedback: QgsFeedback | None = None) -> DamageInputs:
    """Read and check the structures, observations and compounds layers."""
    require_fields(structures, ("structure_id", "type"), "structures")
    require_fields(observations, ("structure_id", "observed_on", "status"), "observations")
    columns = read_columns(structures, ("structure_id", "type"), with_geometry=True)
    ids = _keys(columns.values["structure_id"])
    order = np.argsort(ids, kind="stable")
    sorted_ids = ids[order]
    repeated = np.flatnonzero((sorted_ids[1:] == sorted_ids[:-1]) & (sorted_ids[1:] != b""))
    if len(repeated):
        duplicate = sorted_ids[repeated[0]].decode("utf-8", "replace")
        raise SiteWatchError(
            f"The structure_id '{duplicate}' appears more than once in layer '{structures.name()}'; "
            "structure ids must be unique."
        )
    if feedback is not None and feedback.isCanceled():
        raise SiteWatchError("Cancelled.")
    footprints = decode(columns.wkb or [])
    areas = ellipsoidal_areas(footprints, structures.crs())
    known_types = values.codes(values.STRUCTURE_TYPES)
    type_keys = _keys(columns.values["type"])
    present = [t.decode("utf-8", "replace") for t in np.unique(type_keys).tolist()]
    type_names = [t for t in known_types if t in present] + sorted(t for t in present if t not in known_types)
    type_lookup = np.array([t.encode("utf-8") for t in type_names], dtype=bytes) if type_names \
        else np.zeros(0, dtype="S1")
    type_order = np.argsort(type_lookup)
    type_index = type_order[np.searchsorted(type_lookup[type_order], type_keys)] if len(type_keys) \
        else np.zeros(0, dtype=np.int64)

    obs = read_columns(observations, ("structure_id", "observed_on", "status"), with_geometry=False)
    obs_ids = _keys(obs.values["structure_id"])
    slot = np.searchsorted(sorted_ids, obs_ids)
    slot_clipped = np.minimum(slot, max(len(sorted_ids) - 1, 0))
    known = (len(sorted_ids) > 0) & (sorted_ids[slot_clipped] == obs_ids) & (obs_ids != b"") \
        if len(obs_ids) else np.zeros(0, dtype=bool)
    days = _days(obs.values["observed_on"], obs.fids, obs_ids, observations.name())
    statuses = _statuses(obs.values["status"], obs.fids, obs_ids, observations.name())
    owner = order[slot_clipped[known]] if known.any() else np.zeros(0, dtype=np.int64)
    rows = np.arange(len(obs_ids))[known]
    sort = np.lexsort((rows, days[known], owner))
    unknown_ids = tuple(sorted({i.decode("utf-8", "replace") for i in obs_ids[~known].tolist()}))

    compound_ids, compound_names, compound_geometries, repaired_compounds = _read_compounds(compounds)
    id_text = [i.decode("utf-8", "replace") for i in ids.tolist()]
    return DamageInputs(
        structure_count=len(ids), structure_ids=id_text, footprints=footprints, areas=areas,
        type_names=type_names, type_index=np.asarray(type_index, dtype=np.int64),
        obs_structure=owner[sort], obs_day=days[known][sort], obs_status=statuses[known][sort],
        compound_ids=compound_ids, compound_names=compound_names, compound_geometries=compound_geometries,
        unknown_structure_ids=unknown_ids, unknown_observations=int((~known).sum()),
        repaired_structures=tuple(id_text[p] for p in footprints.repaired),
        repaired_compounds=tuple(repaired_compounds),
        structures_name=structures.name(), compounds_name=compounds.name() if compounds is not None else "",
    )
