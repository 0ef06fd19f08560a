"""The structures layer of an export: each structure with its status before and after, the
after observation's details and its footprint area, sorted by structure id.

Built a column at a time (250,000 structures at country scale): the observations in force come
from the store as columns, the structures' fields and WKB from GDAL's Arrow stream when GDAL
reads the layer (:func:`.columns.read_text_columns`), else from QGIS features; one QGIS
geometry per structure only for its ellipsoidal area.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from qgis.core import Qgis, QgsFeatureRequest, QgsGeometry, QgsVectorLayer, QgsWkbTypes

from .. import attributes, values
from ..assessment.columns import read_text_columns
from ..assessment.geopackage_sql import OBS_COLUMNS
from ..assessment.store import AssessmentStore
from ..imagery.registry import ImageRecord
from ..measure import distance_area
from . import fields as ef
from .data import ExportData, Table, change_flag

_FIELDS = ("structure_id", "type", "compound_id", "name")
_POLYGON, _MULTI = bytes.fromhex("0103000000"), bytes.fromhex("010600000001000000")


def _scheme_name(code: str | None, scheme: str) -> str | None:
    return None if code is None else values.status_name(code, scheme)


def _read_with_qgis(layer: QgsVectorLayer) -> tuple[list[list[Any]], list[QgsGeometry]]:
    """The four fields (plain values) and geometries of every structure, through QGIS."""
    fields = layer.fields()
    wanted = [fields.indexOf(name) for name in _FIELDS]
    columns: list[list[Any]] = [[] for _ in _FIELDS]
    geometries = []
    for feature in layer.getFeatures(QgsFeatureRequest().setSubsetOfAttributes(wanted)):
        found = feature.attributes()
        columns[0].append(str(found[wanted[0]]))
        for number in (1, 2, 3):
            columns[number].append(attributes.plain(found[wanted[number]]))
        geometries.append(feature.geometry())
    return columns, geometries


def _geometries(layer: QgsVectorLayer, wkbs: list[bytes | None]) -> tuple[list[QgsGeometry], list[bytes | None]]:
    """QGIS geometries of the stored WKB, and their WKB as QGIS hands it over (a single polygon
    of a multi-polygon layer as a multi-polygon of one part, as QGIS's OGR provider does)."""
    kind = layer.wkbType()
    multi = QgsWkbTypes.isMultiType(kind)
    rewrap = multi and kind == Qgis.WkbType.MultiPolygon
    geometries: list[QgsGeometry] = []
    out: list[bytes | None] = []
    for wkb in wkbs:
        geometry = QgsGeometry()
        if wkb is None:
            geometries.append(geometry)
            out.append(None)
            continue
        geometry.fromWkb(wkb)
        if rewrap and wkb[:5] == _POLYGON:
            out.append(_MULTI + wkb)  # the bytes QGIS would give: no second conversion
        else:
            if multi and not geometry.isMultipart():
                geometry.convertToMultiType()
            out.append(bytes(geometry.asWkb()) if not geometry.isNull() else None)
        geometries.append(geometry)
    return geometries, out


def structures_table(
    store: AssessmentStore, data: ExportData, compound_names: dict[object, object], images: dict[str, ImageRecord]
) -> Table:
    """The structures layer of ``data``; fills ``data.after_codes`` and ``before_codes``."""
    dates = [data.after_date] + ([data.before_date] if data.before_date else [])
    in_force_aside = store.observations_at_columns_aside(dates)  # read meanwhile where the store can
    layer = store.layer("structures")
    calc = distance_area(layer.crs())
    read = read_text_columns(layer, _FIELDS)
    if read is not None:
        columns, wkbs = read
        geometries, wkb_out = _geometries(layer, wkbs)
    else:
        columns, geometries = _read_with_qgis(layer)
        wkb_out = [bytes(g.asWkb()) if not g.isNull() else None for g in geometries]
    in_force = in_force_aside()
    ids = columns[0]
    order = sorted(range(len(ids)), key=ids.__getitem__)  # stable, as the sort by id it replaces

    def pick(column: list[Any]) -> list[Any]:
        return [column[n] for n in order]

    sids, types, compounds, names = (pick(column) for column in columns)
    after, observed = _lookup(in_force[0], sids)
    before = _lookup(in_force[1], sids)[0] if data.before_date else lambda field: [None] * len(sids)
    after_codes, before_codes = after("status"), before("status")
    statuses: dict[tuple[str | None, str | None], tuple[str | None, str | None, str | None]] = {}
    for pair in set(zip(before_codes, after_codes)):  # a few pairs: names and change flag worked out once
        statuses[pair] = (
            _scheme_name(pair[0], data.scheme),
            _scheme_name(pair[1], data.scheme),
            change_flag(pair[0], pair[1]) if data.before_date else None,
        )
    named = [statuses[pair] for pair in zip(before_codes, after_codes)]
    after_days, image_ids = after("observed_on"), after("image_id")
    found_images = [images.get(i) if i else None for i in image_ids]
    table = Table(ef.STRUCTURES)
    table.rows = list(
        zip(
            sids,
            types,
            compounds,
            [compound_names.get(c) for c in compounds],
            names,
            [n[0] for n in named],
            [n[1] for n in named],
            [n[2] for n in named],
            before("observed_on"),
            after_days,
            after("confidence"),
            after("analyst"),
            [(i.acquired if i else d) if seen else None for i, d, seen in zip(found_images, after_days, observed)],
            [i.source if i else None for i in found_images],
            [round(calc.measureArea(geometries[n]), 2) for n in order],
            after("notes"),
        )
    )
    table.geometries = pick(wkb_out)
    data.after_codes.extend(after_codes)
    data.before_codes.extend(before_codes)
    return table


def _lookup(found: tuple[tuple[Any, ...], ...], sids: list[str]) -> tuple[Callable[[str], list[Any]], list[bool]]:
    """A field of the observation in force of each structure (None where there is none), and
    whether there is one."""
    position = dict(zip(found[0], range(len(found[0])))) if found and found[0] else {}
    rows = [position.get(sid) for sid in sids]

    def column(name: str) -> list[Any]:
        values_ = found[OBS_COLUMNS.index(name)]
        return [None if row is None else values_[row] for row in rows]

    return column, [row is not None for row in rows]
