"""SQL of the PostGIS store's reads and writes: observations as SiteWatch values (dates as ISO
text, times as ``YYYY-MM-DDTHH:MM:SS.SSSZ`` like the GeoPackage), and features with their WKB
geometry. Every statement runs on a cursor inside one of the store's transactions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from psycopg2 import sql
from qgis.core import QgsGeometry

from ..errors import SiteWatchError
from . import schema
from .observations import Observation
from .postgis_schema import PG_TYPES, SCORES_TABLE
from .records import FeatureRecord

OBS_COLUMNS = tuple(f.name for f in schema.OBSERVATION_FIELDS)
_TIME_FORMAT = 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'
OBSERVATIONS = sql.Identifier(schema.OBSERVATIONS.name)


def identifiers(names: Sequence[str]) -> sql.Composed:
    """``"a", "b", …``: the names as comma-separated quoted identifiers."""
    return sql.SQL(", ").join(sql.Identifier(name) for name in names)


def as_text(field: schema.FieldDef, table: str | None = None) -> sql.Composable:
    """A select expression reading ``field`` as SiteWatch keeps it in Python (``table``: the
    table or alias the column is qualified with, if any)."""
    column = sql.Identifier(table, field.name) if table else sql.Identifier(field.name)
    if field.kind == "DATE":
        return sql.SQL("to_char({}, 'YYYY-MM-DD')").format(column)
    if field.kind == "DATETIME":
        return sql.SQL("to_char({} AT TIME ZONE 'UTC', {})").format(column, sql.Literal(_TIME_FORMAT))
    return column


def placeholder(field: schema.FieldDef) -> sql.Composable:
    """A ``%s`` parameter cast to the column type of ``field``."""
    return sql.SQL("%s::{}").format(sql.SQL(PG_TYPES[field.kind]))


OBS_SELECT = sql.SQL(", ").join(as_text(f) for f in schema.OBSERVATION_FIELDS)
OBS_INSERT = sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
    OBSERVATIONS, identifiers(OBS_COLUMNS), sql.SQL(", ").join(placeholder(f) for f in schema.OBSERVATION_FIELDS)
)
OBS_INSERT_IF_NEW = OBS_INSERT + sql.SQL(" ON CONFLICT DO NOTHING")
"""Insert, or nothing when that structure and date already have an observation."""
OBS_UPSERT = OBS_INSERT + sql.SQL(" ON CONFLICT (structure_id, observed_on) DO UPDATE SET {}").format(
    sql.SQL(", ").join(sql.SQL("{0} = EXCLUDED.{0}").format(sql.Identifier(c)) for c in OBS_COLUMNS[2:])
)
"""Insert, or replace the current observation of that structure and date (the database's
trigger archives the replaced row)."""


META_INSERT = sql.SQL("INSERT INTO {} VALUES (%s, %s)").format(sql.Identifier(schema.META_TABLE))
META_SELECT = sql.SQL("SELECT key, value FROM {}").format(sql.Identifier(schema.META_TABLE))
_SCORES = sql.Identifier(SCORES_TABLE)
SCORES_DELETE = sql.SQL("DELETE FROM {} WHERE before_image = %s AND after_image = %s").format(_SCORES)
SCORES_INSERT = sql.SQL(
    "INSERT INTO {} (structure_id, before_image, after_image, chg_score, chg_frac, chg_rank, suggested, scored_at) "
    "VALUES %s"
).format(_SCORES)
SCORES_SELECT = sql.SQL(
    "SELECT structure_id, chg_score, chg_rank, suggested, chg_frac FROM {} WHERE before_image = %s AND after_image = %s"
).format(_SCORES)


def search_path(schema_name: str, local: bool = False) -> sql.Composed:
    """``SET [LOCAL] search_path`` to the assessment's schema, then ``public`` (PostGIS)."""
    return sql.SQL("SET {}search_path TO {}, public").format(
        sql.SQL("LOCAL " if local else ""), sql.Identifier(schema_name)
    )


def meta_value(schema_name: str) -> sql.Composed:
    """``SELECT`` of one metadata value of the assessment in ``schema_name``, its key as parameter."""
    return sql.SQL("SELECT value FROM {} WHERE key = %s").format(sql.Identifier(schema_name, schema.META_TABLE))


def observation_values(observation: Observation) -> tuple[object, ...]:
    return tuple(getattr(observation, c) for c in OBS_COLUMNS)


def row_to_observation(row: Sequence[Any]) -> Observation:
    return Observation(**dict(zip(OBS_COLUMNS, row)))


def select_current(cursor: Any, structure_id: str, observed_on: str, lock: bool = False) -> Observation | None:
    """The current observation of (structure, date), locked for this transaction when ``lock``."""
    cursor.execute(
        sql.SQL("SELECT {} FROM {} WHERE structure_id = %s AND observed_on = %s::date{}").format(
            OBS_SELECT, OBSERVATIONS, sql.SQL(" FOR UPDATE" if lock else "")
        ),
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


def feature_select(layer_def: schema.LayerDef) -> sql.Composed:
    """``SELECT`` of every field of the layer (as text where SiteWatch keeps text) and its WKB."""
    columns = sql.SQL(", ").join(as_text(f) for f in layer_def.fields)
    geometry = sql.SQL("ST_AsBinary(geom)" if layer_def.geometry is not None else "NULL")
    return sql.SQL("SELECT {}, {} FROM {}").format(columns, geometry, sql.Identifier(layer_def.name))


def feature_where(layer_def: schema.LayerDef, lock: bool = False) -> sql.Composed:
    """``SELECT`` of one feature of the layer, its id as the one parameter."""
    return sql.SQL("{} WHERE {} = %s{}").format(
        feature_select(layer_def), _id_column(layer_def), sql.SQL(" FOR UPDATE" if lock else "")
    )


def feature_delete(layer_def: schema.LayerDef) -> sql.Composed:
    """``DELETE`` of one feature of the layer, its id as the one parameter."""
    return sql.SQL("DELETE FROM {} WHERE {} = %s").format(sql.Identifier(layer_def.name), _id_column(layer_def))


def _id_column(layer_def: schema.LayerDef) -> sql.Identifier:
    if layer_def.id_field is None:
        raise SiteWatchError(f"Layer '{layer_def.name}' has no id field.")
    return sql.Identifier(layer_def.id_field)


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


def geometry_expression(srid: int) -> sql.Composed:
    """A WKB parameter as a geometry in ``srid``."""
    return sql.SQL("ST_SetSRID(ST_GeomFromWKB(%s), {})").format(sql.Literal(int(srid)))


def find_feature(cursor: Any, layer_def: schema.LayerDef, feature_id: str, lock: bool = False) -> FeatureRecord | None:
    cursor.execute(feature_where(layer_def, lock), (feature_id,))
    row = cursor.fetchone()
    return None if row is None else record_from_row(layer_def, row)


def insert_feature(cursor: Any, record: FeatureRecord, srid: int) -> None:
    layer_def = schema.LAYER_BY_NAME[record.layer_name]
    fields = [f for f in layer_def.fields if f.name in record.attributes]
    columns = [f.name for f in fields]
    holders = [placeholder(f) for f in fields]
    parameters: list[object] = [record.attributes[f.name] for f in fields]
    if layer_def.geometry is not None and not record.geometry.isNull():
        columns.append("geom")
        holders.append(geometry_expression(srid))
        parameters.append(geometry_value(layer_def, record.geometry))
    cursor.execute(insert_statement(layer_def.name, columns, holders), tuple(parameters))


def insert_statement(table: str, columns: Sequence[str], holders: Sequence[sql.Composable]) -> sql.Composed:
    """``INSERT INTO table (columns) VALUES (holders)``."""
    return sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
        sql.Identifier(table), identifiers(columns), sql.SQL(", ").join(holders)
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
    assignments: list[sql.Composable] = []
    parameters: list[object] = []
    for name, value in attributes.items():
        assignments.append(sql.SQL("{} = {}").format(sql.Identifier(name), placeholder(fields[name])))
        parameters.append(value)
    if geometry is not None:
        assignments.append(sql.SQL("geom = {}").format(geometry_expression(srid)))
        parameters.append(geometry_value(layer_def, geometry))
    if assignments:
        cursor.execute(
            sql.SQL("UPDATE {} SET {} WHERE {} = %s").format(
                sql.Identifier(layer_def.name), sql.SQL(", ").join(assignments), _id_column(layer_def)
            ),
            (*parameters, feature_id),
        )
