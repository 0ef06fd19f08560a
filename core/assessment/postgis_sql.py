"""SQL of the PostGIS store's reads and writes: observations as SiteWatch values (dates as ISO
text, times as ``YYYY-MM-DDTHH:MM:SS.SSSZ`` like the GeoPackage), and features with their WKB
geometry. Every statement runs on a cursor inside one of the store's transactions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from qgis.core import QgsGeometry

from . import schema
from .observations import Observation
from .postgis_schema import PG_TYPES
from .records import FeatureRecord

OBS_COLUMNS = tuple(f.name for f in schema.OBSERVATION_FIELDS)
_TIME_FORMAT = 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'


def as_text(field: schema.FieldDef, prefix: str = "") -> str:
    """A select expression reading ``field`` as SiteWatch keeps it in Python."""
    column = f'{prefix}"{field.name}"'
    if field.kind == "DATE":
        return f"to_char({column}, 'YYYY-MM-DD')"
    if field.kind == "DATETIME":
        return f"to_char({column} AT TIME ZONE 'UTC', '{_TIME_FORMAT}')"
    return column


def placeholder(field: schema.FieldDef) -> str:
    return f"%s::{PG_TYPES[field.kind]}"


OBS_SELECT = ", ".join(as_text(f) for f in schema.OBSERVATION_FIELDS)
OBS_INSERT = (
    f"INSERT INTO observations ({', '.join(OBS_COLUMNS)}) "
    f"VALUES ({', '.join(placeholder(f) for f in schema.OBSERVATION_FIELDS)})"
)
OBS_UPSERT = (
    OBS_INSERT
    + " ON CONFLICT (structure_id, observed_on) DO UPDATE SET "
    + ", ".join(f"{c} = EXCLUDED.{c}" for c in OBS_COLUMNS[2:])
)
"""Insert, or replace the current observation of that structure and date (the database's
trigger archives the replaced row)."""


def observation_values(observation: Observation) -> tuple[object, ...]:
    return tuple(getattr(observation, c) for c in OBS_COLUMNS)


def row_to_observation(row: Sequence[Any]) -> Observation:
    return Observation(**dict(zip(OBS_COLUMNS, row)))


def select_current(cursor: Any, structure_id: str, observed_on: str, lock: bool = False) -> Observation | None:
    """The current observation of (structure, date), locked for this transaction when ``lock``."""
    cursor.execute(
        f"SELECT {OBS_SELECT} FROM observations WHERE structure_id = %s AND observed_on = %s::date"
        + (" FOR UPDATE" if lock else ""),
        (structure_id, observed_on),
    )
    row = cursor.fetchone()
    return None if row is None else row_to_observation(row)


def set_session(cursor: Any, analyst: str | None, reason: str | None = None) -> None:
    """Tell the database's triggers who is writing and why (for this transaction only)."""
    cursor.execute(
        "SELECT set_config('sitewatch.analyst', %s, true), set_config('sitewatch.reason', %s, true)",
        (analyst or "", reason or ""),
    )


# -- features --------------------------------------------------------------------------------


def feature_select(layer_def: schema.LayerDef) -> str:
    columns = [as_text(f) for f in layer_def.fields]
    geometry = "ST_AsBinary(geom)" if layer_def.geometry is not None else "NULL"
    return f'SELECT {", ".join(columns)}, {geometry} FROM "{layer_def.name}"'


def record_from_row(layer_def: schema.LayerDef, row: Sequence[Any]) -> FeatureRecord:
    attributes = dict(zip(layer_def.field_names(), row[:-1]))
    geometry = QgsGeometry()
    if row[-1] is not None:
        geometry.fromWkb(bytes(row[-1]))
    return FeatureRecord(layer_def.name, attributes, geometry)


def geometry_value(layer_def: schema.LayerDef, geometry: QgsGeometry) -> bytes:
    geometry = QgsGeometry(geometry)
    if (layer_def.geometry or "").startswith("Multi") and not geometry.isMultipart():
        geometry.convertToMultiType()
    return bytes(geometry.asWkb())


def geometry_expression(srid: int) -> str:
    return f"ST_SetSRID(ST_GeomFromWKB(%s), {srid})"


def find_feature(cursor: Any, layer_def: schema.LayerDef, feature_id: str, lock: bool = False) -> FeatureRecord | None:
    cursor.execute(
        f'{feature_select(layer_def)} WHERE "{layer_def.id_field}" = %s' + (" FOR UPDATE" if lock else ""),
        (feature_id,),
    )
    row = cursor.fetchone()
    return None if row is None else record_from_row(layer_def, row)


def insert_feature(cursor: Any, record: FeatureRecord, srid: int) -> None:
    layer_def = schema.LAYER_BY_NAME[record.layer_name]
    fields = [f for f in layer_def.fields if f.name in record.attributes]
    columns = [f'"{f.name}"' for f in fields]
    holders = [placeholder(f) for f in fields]
    parameters: list[object] = [record.attributes[f.name] for f in fields]
    if layer_def.geometry is not None and not record.geometry.isNull():
        columns.append("geom")
        holders.append(geometry_expression(srid))
        parameters.append(geometry_value(layer_def, record.geometry))
    cursor.execute(
        f'INSERT INTO "{layer_def.name}" ({", ".join(columns)}) VALUES ({", ".join(holders)})', tuple(parameters)
    )


def update_feature(
    cursor: Any,
    layer_def: schema.LayerDef,
    feature_id: str,
    srid: int,
    geometry: QgsGeometry | None,
    attributes: dict[str, object],
) -> None:
    fields = {f.name: f for f in layer_def.fields}
    assignments, parameters = [], []
    for name, value in attributes.items():
        assignments.append(f'"{name}" = {placeholder(fields[name])}')
        parameters.append(value)
    if geometry is not None:
        assignments.append(f"geom = {geometry_expression(srid)}")
        parameters.append(geometry_value(layer_def, geometry))
    if assignments:
        cursor.execute(
            f'UPDATE "{layer_def.name}" SET {", ".join(assignments)} WHERE "{layer_def.id_field}" = %s',
            (*parameters, feature_id),
        )
