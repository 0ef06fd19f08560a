"""The structures and compounds side of the damage table's inputs (ids, footprints, areas,
compound of each structure, types): independent of the observations, so that it can be read
while the observations are (at open, while the review reads them)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from osgeo import gdal
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsCoordinateTransformContext,
    QgsCsException,
    QgsFeedback,
    QgsGeometry,
    QgsVectorLayer,
)

from .. import attributes, values
from ..annotation.compound_assignment import assign_compounds
from ..assessment.columns import Column, WkbColumn, read_columns, require_fields
from ..assessment.records import code_numbers
from ..errors import SiteWatchError
from ..scoring.footprints import Footprints, decode, ellipsoidal_areas
from .site_cache import SiteCache, fingerprint


@dataclass
class StructureSide:
    """The structures layer and the compounds layer read and checked for the damage table."""

    keys: NDArray[np.bytes_]
    """Each structure's id in UTF-8 (b"" for none)."""
    order: NDArray[np.intp]
    """The order that sorts ``keys``."""
    footprints: Footprints
    areas: NDArray[np.float64]
    compound_of: NDArray[np.int64]
    type_names: list[str]
    type_index: NDArray[np.int64]
    compound_ids: list[str]
    compound_names: list[str | None]
    compound_geometries: list[QgsGeometry]
    repaired_compounds: tuple[str, ...]
    structures_name: str
    compounds_name: str


def read_structure_side(
    structures: QgsVectorLayer,
    compounds: QgsVectorLayer | None,
    feedback: QgsFeedback | None = None,
    cache: SiteCache | None = None,
) -> StructureSide:
    """Read and check the structures and compounds layers (footprints from ``cache`` when they
    and the compounds did not change since it was filled)."""
    require_fields(structures, ("structure_id", "type"), "structures")
    datasets: dict[str, gdal.Dataset] = {}  # one GDAL dataset per file for structures and compounds
    columns = read_columns(structures, ("structure_id", "type"), True, datasets)
    ids = _keys(columns.values["structure_id"])
    compound_ids, compound_names, compound_geometries, repaired_compounds = _read_compounds(
        compounds, structures.crs(), datasets
    )
    datasets.clear()
    digest = b""
    if cache is not None:
        digest = fingerprint(
            structures.crs().authid() or structures.crs().toWkt(),
            ids,
            _geometries(columns.wkb),
            compound_ids,
            compound_geometries,
        )
    if cache is None or cache.fingerprint != digest or cache.footprints is None:
        order = _sorted_ids(ids, structures.name())
        footprints = decode(_geometries(columns.wkb))
        areas = ellipsoidal_areas(footprints, structures.crs())
        if feedback is not None:
            if feedback.isCanceled():
                raise SiteWatchError("Cancelled.")
            feedback.setProgress(30)
        compound_of = assign_compounds(footprints, compound_ids, compound_geometries)
        if cache is not None:
            cache.fingerprint, cache.footprints, cache.areas, cache.compound_of, cache.order = (
                digest,
                footprints,
                areas,
                compound_of,
                order,
            )
    else:
        footprints, cached_areas, cached_compounds, cached_order = (
            cache.footprints,
            cache.areas,
            cache.compound_of,
            cache.order,
        )
        if cached_areas is None or cached_compounds is None or cached_order is None:
            raise RuntimeError("the footprint cache was filled without areas, compounds or order")  # a bug, not input
        areas, compound_of, order = cached_areas, cached_compounds, cached_order

    type_names, type_index = _type_index(_keys(columns.values["type"]))
    return StructureSide(
        keys=ids,
        order=order,
        footprints=footprints,
        areas=areas,
        compound_of=compound_of,
        type_names=type_names,
        type_index=type_index,
        compound_ids=compound_ids,
        compound_names=compound_names,
        compound_geometries=compound_geometries,
        repaired_compounds=tuple(repaired_compounds),
        structures_name=structures.name(),
        compounds_name=compounds.name() if compounds is not None else "",
    )


def _keys(array: Column) -> NDArray[np.bytes_]:
    """A column as a numpy bytes array (UTF-8; NULL as b'') for fast sorting and matching."""
    if array.dtype.kind == "S":
        return array
    return (
        np.array([(attributes.text(v) or "").encode("utf-8") for v in array.tolist()], dtype=bytes)
        if len(array)
        else np.zeros(0, dtype="S1")
    )


def _geometries(wkb: WkbColumn | None) -> WkbColumn:
    return [] if wkb is None else wkb


def _read_compounds(
    compounds: QgsVectorLayer | None, crs: QgsCoordinateReferenceSystem, datasets: dict[str, gdal.Dataset]
) -> tuple[list[str], list[str | None], list[QgsGeometry], list[str]]:
    """Compound ids (sorted), names, geometries in ``crs`` (repaired when invalid), repaired ids."""
    if compounds is None:
        return [], [], [], []
    transform = None
    if compounds.crs().isValid() and crs.isValid() and compounds.crs() != crs:
        transform = QgsCoordinateTransform(compounds.crs(), crs, QgsCoordinateTransformContext())
    require_fields(compounds, ("compound_id",), "compounds")
    names = ("compound_id", "name") if "name" in compounds.fields().names() else ("compound_id",)
    columns = read_columns(compounds, names, True, datasets)
    found: dict[str, tuple[str | None, QgsGeometry]] = {}
    repaired = []
    labels = columns.values.get("name", [None] * len(columns.fids))
    for fid, raw_id, label, wkb in zip(
        columns.fids.tolist(), columns.values["compound_id"].tolist(), list(labels), _geometries(columns.wkb)
    ):
        compound_id = attributes.text(raw_id) or ""
        if not compound_id:
            raise SiteWatchError(
                f"Compound feature {fid} of layer '{compounds.name()}' has no compound_id; give every compound an id."
            )
        if compound_id in found:
            raise SiteWatchError(
                f"The compound_id '{compound_id}' appears twice in layer '{compounds.name()}'; "
                "compound ids must be unique."
            )
        geometry = QgsGeometry()
        if wkb is not None:
            geometry.fromWkb(bytes(wkb))
        if not geometry.isNull() and not geometry.isEmpty() and not geometry.isGeosValid():
            geometry = geometry.makeValid()
            repaired.append(compound_id)
        if transform is not None and not geometry.isNull():
            try:
                geometry.transform(transform)
            except QgsCsException:
                raise SiteWatchError(
                    f"Compound {compound_id} of layer '{compounds.name()}' cannot be converted from "
                    f"{compounds.crs().authid()} to the structures' CRS {crs.authid()}."
                ) from None
        found[compound_id] = (attributes.text(label), geometry)
    ids = sorted(found)
    return ids, [found[i][0] for i in ids], [found[i][1] for i in ids], repaired


def _sorted_ids(ids: NDArray[np.bytes_], layer_name: str) -> NDArray[np.intp]:
    """The order that sorts ``ids``; a SiteWatchError when an id appears twice."""
    order = np.argsort(ids, kind="stable")
    sorted_ids = ids[order]
    repeated = np.flatnonzero((sorted_ids[1:] == sorted_ids[:-1]) & (sorted_ids[1:] != b""))
    if len(repeated):
        duplicate = sorted_ids[repeated[0]].decode("utf-8", "replace")
        raise SiteWatchError(
            f"The structure_id '{duplicate}' appears more than once in layer '{layer_name}'; "
            "structure ids must be unique."
        )
    return order


def _type_index(type_keys: NDArray[np.bytes_]) -> tuple[list[str], NDArray[np.int64]]:
    """The structure types present (value-list order, then others sorted) and each one's index."""
    known_types = values.codes(values.STRUCTURE_TYPES)
    keys, inverse = _unique(type_keys, [t.encode("utf-8") for t in known_types])
    present = [t.decode("utf-8", "replace") for t in keys]
    names = [t for t in known_types if t in present] + sorted(t for t in present if t not in known_types)
    number = {name: n for n, name in enumerate(names)}
    return names, np.array([number[t] for t in present], dtype=np.int64)[inverse].reshape(-1)


def _unique(keys: NDArray[np.bytes_], codes: list[bytes]) -> tuple[list[bytes], NDArray[np.intp]]:
    """``np.unique(keys, return_inverse=True)`` (as a list of bytes), the keys among ``codes``
    found by comparing (a few passes) instead of sorting all 250,000 of them; only the others are
    sorted (usually none)."""
    numbers = code_numbers(keys, codes)
    other = numbers < 0
    other_keys, other_inverse = np.unique(keys[other], return_inverse=True)
    found = np.bincount(numbers[~other], minlength=len(codes)) > 0
    unique = sorted({codes[n] for n in np.flatnonzero(found).tolist()} | set(other_keys.tolist()))
    position = {key: n for n, key in enumerate(unique)}
    inverse = np.empty(len(keys), dtype=np.intp)
    code_position = np.array([position.get(code, -1) for code in codes], dtype=np.intp)
    inverse[~other] = code_position[numbers[~other]]
    inverse[other] = np.array([position[key] for key in other_keys.tolist()], dtype=np.intp)[other_inverse]
    return unique, inverse
