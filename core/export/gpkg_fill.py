"""The export GeoPackage's layers filled in SQLite, not feature by feature through OGR.

:func:`.formats.write_geopackage` lets GDAL create every layer (its table, R-tree index,
triggers and metadata) and, once GDAL has closed the file, this module writes the rows in one
``executemany`` per layer: each geometry already the GeoPackage blob OGR would write (header,
2D envelope, ISO little-endian WKB forced to the layer's multi type), with its R-tree entry,
the layer's extent and feature count. The values are those OGR stores: text as given, dates
as ``YYYY-MM-DD`` text, reals and integers as numbers.

Only what this module can prove OGR writes the same way goes through it (:func:`prepare`
says): geometries that are 2D little-endian single-ring polygons, single lines or points
(multi types of one part included), every date a valid ``YYYY-MM-DD``, integers within 32
bits, reals finite. Any other table is left to OGR's feature-by-feature writing; both read
back the same (``tests/core/export/test_gpkg_fill.py``).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..assessment.export_rows import PackageLayer, fill_layers
from .data import Table

_SINGLE = {
    "Polygon": bytes.fromhex("010300000001000000"),  # little-endian polygon of one ring
    "LineString": bytes.fromhex("0102000000"),
    "Point": bytes.fromhex("0101000000"),
}
"""The WKB of one part up to its point count (a point has none: its two coordinates follow)."""
_MULTI = {"Polygon": bytes.fromhex("010600000001000000"), "LineString": bytes.fromhex("010500000001000000")}
"""The WKB header of a multi geometry of one part, which OGR's ForceTo… puts around a single one."""
_INT32 = (-(2**31), 2**31 - 1)


@dataclass
class Prepared:
    """A table's rows as SQLite takes them, and its geometries as WKB with their envelopes."""

    table: Table
    columns: list[list[Any]]
    """One sequence per field, in the layer's field order."""
    wkb: list[bytes | None]
    """Each row's WKB as OGR writes it (forced to the layer's multi type); None = no geometry."""
    envelopes: NDArray[np.float64]
    """(minx, maxx, miny, maxy) of each row with a geometry, in row order."""


def prepare(table: Table) -> Prepared | None:
    """``table``'s rows ready for :func:`fill`, or None when OGR must write them (see module)."""
    if not table.rows or table.copy is not None:
        return None
    names = table.layer.fields
    columns = [list(column) for column in zip(*table.rows)]
    if len(columns) != len(names) or any(len(row) != len(names) for row in table.rows):
        return None
    for number, out_field in enumerate(names):
        converted = _column(columns[number], out_field.kind)
        if converted is None:
            return None
        columns[number] = converted
    if table.layer.geometry is None:
        return Prepared(table, columns, [], np.zeros((0, 4)))
    shaped = _geometries(table.geometries, table.layer.geometry)
    if shaped is None:
        return None
    return Prepared(table, columns, *shaped)


def _column(values: list[Any], kind: str) -> list[Any] | None:
    """``values`` as OGR stores them for a field of ``kind``, or None when only OGR knows how."""
    types = set(map(type, values)) - {type(None)}
    if kind in ("TEXT", "DATE", "DATETIME"):
        if kind == "DATETIME" and types:
            return None  # OGR rewrites date-times (milliseconds, time zone): left to it
        if types - {str}:
            values = [None if v is None else str(v) for v in values]
        distinct = set(values) - {None}
        if "\x00" in "".join(distinct):
            return None  # OGR's C strings end there
        if kind == "DATE" and not all(_iso_date(v) for v in distinct):
            return None
        return values
    present = [v for v in values if v is not None] if type(None) in set(map(type, values)) else values
    if kind == "REAL":
        if types - {float, int} or not all(map(math.isfinite, present)):
            return None
        return values if types == {float} else [None if v is None else float(v) for v in values]
    if kind == "INTEGER":
        if types - {int} or (present and not _INT32[0] <= min(present) <= max(present) <= _INT32[1]):
            return None
        return values
    return None


def _iso_date(text: str) -> bool:
    """Whether OGR writes ``text`` back unchanged into a date field."""
    if len(text) != 10 or not text[:4].isdigit() or text[4] != "-" or text[7] != "-":
        return False
    try:
        return dt.date.fromisoformat(text).isoformat() == text
    except ValueError:
        return False


def _geometries(geometries: Sequence[bytes | None], kind: str) -> tuple[list[bytes | None], NDArray[np.float64]] | None:
    """Each WKB forced to the layer's multi type, and the envelopes; None when some geometry is
    not of the simple shapes handled here. Geometries of one length are checked and measured
    together, as one block of bytes."""
    single, multi = _SINGLE[kind], _MULTI.get(kind, b"")
    counted = kind != "Point"
    out: list[bytes | None] = [None] * len(geometries)
    envelopes = np.full((len(geometries), 4), np.nan)
    by_length: dict[int, tuple[list[int], list[bytes]]] = {}
    for number, wkb in enumerate(geometries):
        if wkb is not None:
            group = by_length.setdefault(len(wkb), ([], []))
            group[0].append(number)
            group[1].append(wkb)
    for length, (rows, items) in by_length.items():
        block = np.frombuffer(b"".join(items), dtype=np.uint8).reshape(len(rows), length)
        shaped = _shape(block, single, multi, counted)
        if shaped is None:
            return None
        forced, box = shaped
        for number, item in zip(rows, forced.tolist()):
            out[number] = item
        envelopes[rows] = box
    return out, envelopes[~np.isnan(envelopes[:, 0])]


def _shape(
    block: NDArray[np.uint8], single: bytes, multi: bytes, counted: bool
) -> tuple[NDArray[np.void], NDArray[np.float64]] | None:
    """Rows of one length (one WKB each): forced to multi (as void items) and their envelopes."""
    length = block.shape[1]
    for prefix in (single, multi + single) if multi else (single,):
        start = len(prefix) + (4 if counted else 0)
        points, rest = divmod(length - start, 16)
        if rest == 0 and points > 0 and (counted or points == 1):
            break
    else:
        return None
    expected = np.frombuffer(prefix + (np.uint32(points).astype("<u4").tobytes() if counted else b""), np.uint8)
    if not (block[:, :start] == expected).all():
        return None
    coordinates = np.ascontiguousarray(block[:, start:]).view("<f8").reshape(len(block), points, 2)
    if not np.isfinite(coordinates).all():
        return None
    box = np.stack(
        [
            coordinates[:, :, 0].min(1),
            coordinates[:, :, 0].max(1),
            coordinates[:, :, 1].min(1),
            coordinates[:, :, 1].max(1),
        ],
        axis=1,
    )
    if multi and prefix == single:  # a single part: OGR writes it as a multi geometry of one part
        block = np.hstack([np.broadcast_to(np.frombuffer(multi, np.uint8), (len(block), len(multi))), block])
    return np.ascontiguousarray(block).view(f"V{block.shape[1]}").ravel(), box


def _blobs(prepared: Prepared, srs_id: int) -> list[bytes | None]:
    """The GeoPackage geometry blobs: ``GP``, version 0, flags (little-endian; a 2D envelope
    except for points, as OGR writes them), the SRS id, the envelope, the WKB."""
    point = prepared.table.layer.geometry == "Point"
    header = b"GP\x00" + (b"\x01" if point else b"\x03") + np.int32(srs_id).astype("<i4").tobytes()
    if point:
        return [None if wkb is None else header + wkb for wkb in prepared.wkb]
    boxes = iter(prepared.envelopes.astype("<f8").view(f"V{4 * 8}").ravel().tolist())
    return [None if wkb is None else header + next(boxes) + wkb for wkb in prepared.wkb]


def fill(package: Path, tables: Sequence[Prepared]) -> None:
    """Write each prepared table into its (empty) layer of the GeoPackage ``package`` (just
    written and closed by GDAL), in one transaction."""
    layers = []
    for prepared in tables:
        spatial = prepared.table.layer.geometry is not None
        index = None
        if spatial and len(prepared.envelopes):
            fids = [fid for fid, wkb in enumerate(prepared.wkb, start=1) if wkb is not None]
            index = (fids, *(prepared.envelopes[:, k].tolist() for k in range(4)))
        layers.append(
            PackageLayer(
                prepared.table.layer.name,
                prepared.table.layer.field_names(),
                len(prepared.table.rows),
                functools.partial(_rows, prepared),
                spatial,
                index,
            )
        )
    fill_layers(package, layers)


def _rows(prepared: Prepared, srs_id: int) -> Iterable[Sequence[Any]]:
    fids = range(1, len(prepared.table.rows) + 1)
    if prepared.table.layer.geometry is None:
        return zip(fids, *prepared.columns)
    return zip(fids, _blobs(prepared, srs_id), *prepared.columns)
