"""GeoPackages made elsewhere: which contract layers and fields they hold, and adopting one.

A GeoPackage with the contract's layers and fields (extra fields allowed, optional fields
missing allowed) opens as an assessment as it is; SiteWatch's internal tables
(``observation_history``, the metadata table, ``layer_styles``) are only needed to record, so
such a file stays read-only until it is adopted. Adopting adds the missing internal tables, the
optional fields, the unique indexes the store relies on, the metadata and the default styles.
It works on a copy taken with SQLite's backup API, checks that every row the user wrote reads
back the same (a SHA-256 per table over the columns that were there), and replaces the file in
one rename: all or nothing, like one transaction.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path

from osgeo import gdal, ogr

from ..errors import SiteWatchError
from . import schema, upgrade
from .geopackage_checks import write_locked
from .geopackage_sql import OgrSql, quote_identifier, sql
from .observations import now_iso

INTERNAL_LAYERS: tuple[schema.LayerDef, ...] = (schema.OBSERVATION_HISTORY,)
CONTRACT_LAYERS: tuple[schema.LayerDef, ...] = tuple(d for d in schema.LAYERS if d not in INTERNAL_LAYERS)
STYLES_TABLE = "layer_styles"
_OGR_TYPES = {
    "TEXT": ogr.OFTString,
    "DATE": ogr.OFTDate,
    "DATETIME": ogr.OFTDateTime,
    "REAL": ogr.OFTReal,
    "INTEGER": ogr.OFTInteger64,
}


def contract_problems(dataset: gdal.Dataset) -> list[str]:
    """What the contract needs and ``dataset`` lacks: layers, then fields (internal tables not counted)."""
    problems = []
    for layer_def in CONTRACT_LAYERS:
        layer = dataset.GetLayerByName(layer_def.name)
        if layer is None:
            problems.append(f"layer '{layer_def.name}' is missing")
            continue
        defn = layer.GetLayerDefn()
        present = {defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())}
        missing = [f for f in layer_def.field_names() if f not in present]
        if missing:
            problems.append(f"layer '{layer_def.name}' lacks field(s) {', '.join(missing)}")
    return problems


def _tables(path: Path) -> set[str]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        connection.close()


def missing_internal(path: str | os.PathLike[str]) -> list[str]:
    """SiteWatch's internal tables ``path`` lacks (empty for an assessment SiteWatch made or adopted)."""
    tables = _tables(Path(path))
    wanted = [d.name for d in INTERNAL_LAYERS] + [schema.META_TABLE, STYLES_TABLE]
    return [name for name in wanted if name not in tables]


def is_adopted(path: str | os.PathLike[str]) -> bool:
    """Whether SiteWatch can record in ``path``: it has the history and metadata tables (styles
    are only a convenience: schema 1 assessments may lack them)."""
    return not {schema.OBSERVATION_HISTORY.name, schema.META_TABLE} & set(missing_internal(path))


def adoption_offered(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a GeoPackage made elsewhere that holds the contract's layers and fields
    but not SiteWatch's internal tables: it opens read-only, and adopting it makes it writable."""
    target = Path(path)
    if target.suffix.lower() != ".gpkg" or not target.is_file():
        return False
    try:
        if is_adopted(target):
            return False
        dataset = gdal.OpenEx(str(target), gdal.OF_VECTOR | gdal.OF_READONLY, allowed_drivers=["GPKG"])
    except (sqlite3.Error, RuntimeError):
        return False  # opening it says what is wrong
    try:
        return dataset is not None and not contract_problems(dataset)
    finally:
        dataset = None


def require_adopted(path: str | os.PathLike[str]) -> None:
    """Refuse to write into a GeoPackage made elsewhere that was not adopted (no history to keep
    replaced rows in), before anything is written. A missing or locked file is left to the
    writer, which reports it."""
    try:
        adopted = not Path(path).is_file() or is_adopted(path)
    except sqlite3.Error:
        return
    if not adopted:
        raise SiteWatchError(
            f"{path} was made outside SiteWatch and is not adopted yet; nothing was written. Adopt it "
            "first (sitewatch:adoptassessment): that adds the observation history and SiteWatch's tables."
        )


def row_digests(path: str | os.PathLike[str], columns: dict[str, list[str]] | None = None) -> dict[str, str]:
    """SHA-256 of each contract table's rows (by fid, values as SQLite stores them) over
    ``columns`` per table (default: every column it has)."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        digests = {}
        for layer_def in CONTRACT_LAYERS:
            names = (columns or {}).get(layer_def.name) or [
                row[1] for row in connection.execute(f"PRAGMA table_info({quote_identifier(layer_def.name)})")
            ]
            digest = hashlib.sha256()
            statement = sql("SELECT {columns} FROM {table} ORDER BY fid", columns=names, table=layer_def.name)
            for row in connection.execute(statement):
                digest.update(repr(row).encode())
            digests[layer_def.name] = digest.hexdigest()
        return digests
    finally:
        connection.close()


def _columns(path: Path) -> dict[str, list[str]]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {
            d.name: [row[1] for row in connection.execute(f"PRAGMA table_info({quote_identifier(d.name)})")]
            for d in CONTRACT_LAYERS
        }
    finally:
        connection.close()


def _add_internal(path: Path, missing: list[str], site_name: str) -> None:
    dataset = gdal.OpenEx(str(path), gdal.OF_VECTOR | gdal.OF_UPDATE, allowed_drivers=["GPKG"])
    try:
        for layer_def in INTERNAL_LAYERS:
            if layer_def.name in missing:
                layer = dataset.CreateLayer(layer_def.name, None, ogr.wkbNone, ["FID=fid"])
                for field in layer_def.fields:
                    layer.CreateField(ogr.FieldDefn(field.name, _OGR_TYPES[field.kind]))
                dataset.ExecuteSQL(
                    f'CREATE INDEX IF NOT EXISTS "{layer_def.name}_structure" ON "{layer_def.name}" ("structure_id")'
                )
        for layer_def in CONTRACT_LAYERS:
            for field in (f for f in layer_def.fields if f.unique):
                _unique_index(dataset, layer_def.name, [field.name])
        _unique_index(dataset, schema.OBSERVATIONS.name, ["structure_id", "observed_on"], "observations_structure_date")
        if schema.META_TABLE in missing:
            dataset.ExecuteSQL(f'CREATE TABLE "{schema.META_TABLE}" (key TEXT PRIMARY KEY, value TEXT)')
            for key, value in (
                ("schema_version", schema.SCHEMA_VERSION),
                ("site_name", site_name),
                ("created_at", now_iso()),
                ("adopted_at", now_iso()),
            ):
                OgrSql(dataset).execute(sql("INSERT INTO {table} VALUES (?, ?)", table=schema.META_TABLE), (key, value))
    finally:
        dataset = None


def _unique_index(dataset: gdal.Dataset, table: str, columns: list[str], name: str | None = None) -> None:
    """The unique index the store relies on; a SiteWatchError naming the duplicated values."""
    name = name or f"{table}_{columns[0]}_unique"
    try:
        dataset.ExecuteSQL(
            sql(
                "CREATE UNIQUE INDEX IF NOT EXISTS {name} ON {table} ({columns})",
                name=name,
                table=table,
                columns=columns,
            )
        )
    except RuntimeError:
        result = dataset.ExecuteSQL(
            sql(
                "SELECT {columns}, count(*) FROM {table} GROUP BY {columns} HAVING count(*) > 1 LIMIT 5",
                columns=columns,
                table=table,
            )
        )
        examples = "; ".join(" / ".join(str(f.GetField(i)) for i in range(len(columns))) for f in result)
        dataset.ReleaseResultSet(result)
        raise SiteWatchError(
            f"Cannot adopt it: '{table}' has duplicate {' + '.join(columns)} values ({examples}); "
            "SiteWatch needs them unique. Fix them and adopt it again; the file was not changed."
        ) from None


def adopt(path: str | os.PathLike[str], site_name: str | None = None) -> list[str]:
    """Add what SiteWatch needs to record into a contract GeoPackage made elsewhere; returns the
    internal tables added (empty when there was nothing to do). The user's rows are unchanged."""
    target = Path(path).expanduser().absolute()
    missing = missing_internal(target)
    if not missing:
        return []
    if not os.access(target, os.W_OK) or not os.access(target.parent, os.W_OK):
        raise SiteWatchError(f"Cannot adopt '{target}': it or its folder is read-only for you.")
    before_columns = _columns(target)
    before = row_digests(target, before_columns)
    temp = target.with_name(f".{target.stem}.adopt-{os.getpid()}.gpkg")
    try:
        source, copy = sqlite3.connect(target), sqlite3.connect(temp)
        try:
            source.backup(copy)
        finally:
            source.close()
            copy.close()
        _add_internal(temp, missing, site_name or target.stem)
        upgrade.add_optional_fields(temp)
        if STYLES_TABLE in missing:
            from .geopackage import GeoPackageStore
            from .styles import default_style_layers

            store = GeoPackageStore(temp, _checked=True)
            store._save_default_styles(default_style_layers(store))
        if row_digests(temp, before_columns) != before:
            raise SiteWatchError(f"Adopting '{target}' would change its rows; it was left as it was.")
        with write_locked(target):
            for suffix in ("-wal", "-shm"):
                Path(str(target) + suffix).unlink(missing_ok=True)
            os.replace(temp, target)
    except (OSError, RuntimeError, sqlite3.Error) as error:
        raise SiteWatchError(f"Cannot adopt '{target}': {error}. The file was not changed.") from None
    finally:
        for leftover in (temp, Path(str(temp) + "-wal"), Path(str(temp) + "-shm")):
            leftover.unlink(missing_ok=True)
    return missing
