"""Copying a whole assessment between a GeoPackage and PostGIS (either way), all or nothing.

Every contract layer is copied feature by feature (attributes, geometry), the observation
history included, with the site name and CRS. Into PostGIS the schema is created and filled in
one transaction (a dropped connection leaves no schema); into a GeoPackage the file is written
beside the target and moved into place at the end.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg2
from qgis.core import QgsFeature, QgsVectorLayer
from qgis.PyQt.QtCore import QDate, QDateTime, Qt

from ..errors import SiteWatchError
from . import postgis_cells, postgis_schema, postgis_sql, schema
from .copy_extras import carried_into, carried_into_geopackage
from .geopackage import GeoPackageStore
from .location import is_database_location, parse_database_location
from .observations import now_iso
from .postgis import PostgisStore
from .postgis_connect import connect, first_line
from .postgis_setup import check_can_create
from .records import FeatureRecord
from .store import AssessmentStore

Progress = Callable[[str], None]


def _value(value: object) -> object:
    """A QGIS attribute as the database takes it: NULL → None, dates and times as ISO text."""
    if value is None or (hasattr(value, "isNull") and value.isNull()):
        return None
    if isinstance(value, QDateTime):
        return value.toUTC().toString("yyyy-MM-ddTHH:mm:ss.zzzZ") if value.isValid() else None
    if isinstance(value, QDate):
        return value.toString(Qt.DateFormat.ISODate) if value.isValid() else None
    return value


def _features(layer: QgsVectorLayer) -> Iterator[QgsFeature]:
    yield from layer.getFeatures()


def copy_assessment(
    source: AssessmentStore, target: str, overwrite: bool = False, progress: Progress = print
) -> AssessmentStore:
    """Copy ``source`` to ``target`` (a .gpkg path or a database location); returns the copy."""
    site_name = source.metadata().get("site_name")
    if is_database_location(target):
        return _into_postgis(source, target, overwrite, site_name, progress)
    return _into_geopackage(source, Path(target), overwrite, site_name, progress)


def _into_postgis(
    source: AssessmentStore, target: str, overwrite: bool, site_name: str | None, progress: Progress
) -> AssessmentStore:
    database = parse_database_location(target)
    crs = source.crs()
    srid = int(crs.postgisSrid())
    connection = connect(database)
    try:
        with connection, connection.cursor() as cursor:
            check_can_create(cursor, database, srid, overwrite)
            for statement in postgis_schema.create_statements(database.schema, srid, cell_rules=False):
                cursor.execute(statement)
            cursor.execute(postgis_sql.search_path(database.schema, local=True))
            postgis_sql.set_session(cursor, "copyassessment")
            meta = {"schema_version": schema.SCHEMA_VERSION, "created_at": now_iso(), **source.metadata()}
            meta.update(srid=str(srid), site_name=site_name or database.schema)
            cursor.executemany(postgis_sql.META_INSERT, sorted(meta.items()))
            for layer_def in (schema.STRUCTURES, *[d for d in schema.LAYERS if d is not schema.STRUCTURES]):
                count = _copy_layer_into(cursor, source, layer_def, srid)
                progress(f"{layer_def.name}: {count} rows")
            progress(carried_into(cursor, source, srid))
            for statement in postgis_cells.rule_statements(database.schema):
                cursor.execute(statement)
    except psycopg2.Error as error:
        raise SiteWatchError(
            f"Copying {source.location} into {database} failed ({first_line(error)}); nothing was copied."
        ) from None
    finally:
        connection.close()
    store = PostgisStore.open(database)
    store._save_default_styles(_styled(store))
    return store


def _copy_layer_into(cursor: object, source: AssessmentStore, layer_def: schema.LayerDef, srid: int) -> int:
    names = layer_def.field_names()
    fields = [f.name for f in layer_def.fields]
    holders = [postgis_sql.placeholder(f) for f in layer_def.fields]
    columns = list(fields)
    if layer_def.geometry is not None:
        columns.append("geom")
        holders.append(postgis_sql.geometry_expression(srid))
    statement = postgis_sql.insert_statement(layer_def.name, columns, holders)
    count = 0
    for feature in _features(source.layer(layer_def.name)):
        row: list[object] = [_value(feature[n]) for n in names]
        if layer_def.geometry is not None:
            geometry = feature.geometry()
            row.append(None if geometry.isNull() else postgis_sql.geometry_value(layer_def, geometry))
        cursor.execute(statement, row)  # type: ignore[attr-defined]
        count += 1
    return count


def _styled(store: AssessmentStore) -> Iterator[QgsVectorLayer]:
    from .styles import default_style_layers

    yield from default_style_layers(store)


def _into_geopackage(
    source: AssessmentStore, target: Path, overwrite: bool, site_name: str | None, progress: Progress
) -> AssessmentStore:
    target = target.expanduser().absolute()
    if target.exists() and not overwrite:
        raise SiteWatchError(f"'{target}' already exists; choose another name or allow overwriting it.")
    temp = target.with_name(f".{target.stem}.{os.getpid()}.copy.gpkg")
    try:
        copy = GeoPackageStore.create(temp, source.crs(), site_name=site_name)
        for layer_def in schema.LAYERS:
            rows = []
            for feature in _features(source.layer(layer_def.name)):
                row: dict[str, object] = {n: feature[n] for n in layer_def.field_names()}
                if layer_def.geometry is not None and not feature.geometry().isNull():
                    row["geometry"] = FeatureRecord(layer_def.name, {}, feature.geometry()).geometry
                rows.append(row)
            count = copy.add_features(layer_def.name, rows) if rows else 0
            progress(f"{layer_def.name}: {count} rows")
        progress(carried_into_geopackage(copy, source))
        os.replace(temp, target)
    finally:
        for leftover in (temp, Path(str(temp) + "-wal"), Path(str(temp) + "-shm")):
            leftover.unlink(missing_ok=True)
    return GeoPackageStore.open(target)
